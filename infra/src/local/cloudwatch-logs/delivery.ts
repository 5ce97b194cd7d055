// Subscription delivery: what CloudWatch Logs does between a matching PutLogEvents and the Lambda destination.
// Payloads are the real wire format (base64 of gzip of the JSON message), split so that one invocation stays
// within Lambda's asynchronous payload limit, and delivered like an asynchronous Lambda invoke: a failed
// invocation is retried twice with growing delays, then given up on and reported.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/** Lambda's limit for an asynchronous invocation's event, which is how CloudWatch Logs invokes. */
export const MAX_LAMBDA_EVENT_BYTES = 262_144;

export interface SubscriptionEvent {
  readonly awslogs: { readonly data: string };
}

export interface SubscriptionLogEvent {
  readonly id: string;
  readonly timestamp: number;
  readonly message: string;
}

export interface SubscriptionMessage {
  readonly messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: readonly string[];
  readonly logEvents: readonly SubscriptionLogEvent[];
}

export interface EncodedPayload {
  readonly event: SubscriptionEvent;
  readonly eventCount: number;
  /** Size of the invocation event as JSON, the figure Lambda checks. */
  readonly bytes: number;
}

export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
  constructor(
    readonly payload: EncodedPayload,
    limit: number,
  ) {
    super(`A single log event encodes to a ${payload.bytes}-byte invocation, above the ${limit}-byte Lambda asynchronous payload limit`);
  }
}

export async function encodeSubscriptionMessage(message: SubscriptionMessage): Promise<EncodedPayload> {
  const compressed = await gzipAsync(Buffer.from(JSON.stringify(message), 'utf8'));
  const event: SubscriptionEvent = { awslogs: { data: compressed.toString('base64') } };
  return { event, eventCount: message.logEvents.length, bytes: Buffer.byteLength(JSON.stringify(event)) };
}

/**
 * Splits `logEvents` (kept in order) into as few payloads as halving allows, each within `maxBytes`.
 * Compression ratios vary too much to predict sizes, so a batch is encoded whole and halved only when it
 * does not fit: each level of halving costs one more pass over the batch.
 * A single event that cannot fit on its own comes back as a PayloadTooLargeError in its place.
 */
export async function buildSubscriptionPayloads(
  header: Omit<SubscriptionMessage, 'logEvents'>,
  logEvents: readonly SubscriptionLogEvent[],
  maxBytes = MAX_LAMBDA_EVENT_BYTES,
): Promise<Array<EncodedPayload | PayloadTooLargeError>> {
  if (logEvents.length === 0) return [];
  const payload = await encodeSubscriptionMessage({ ...header, logEvents });
  if (payload.bytes <= maxBytes) return [payload];
  if (logEvents.length === 1) return [new PayloadTooLargeError(payload, maxBytes)];
  const middle = Math.ceil(logEvents.length / 2);
  return [
    ...(await buildSubscriptionPayloads(header, logEvents.slice(0, middle), maxBytes)),
    ...(await buildSubscriptionPayloads(header, logEvents.slice(middle), maxBytes)),
  ];
}

export interface DeliveryQueueOptions {
  readonly deliver: (event: SubscriptionEvent) => Promise<void>;
  readonly concurrency: number;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly onDeliveryFailed?: ((err: unknown, event: SubscriptionEvent) => void) | undefined;
  /**
   * Called as each job ends: `settled` when every payload was delivered or can never be (too large, unencodable),
   * not when one was given up on after its retries.
   */
  readonly onJobFinished?: ((job: DeliveryJob, settled: boolean) => void) | undefined;
  /** Called each time the last queued or running job ends. */
  readonly onIdle?: (() => void) | undefined;
}

/** One queued unit: a subscription message whose events may become several payloads. */
export type DeliveryJob = {
  readonly header: Omit<SubscriptionMessage, 'logEvents'>;
  readonly logEvents: readonly SubscriptionLogEvent[];
  /** Set when the job is also written to a DeliveryJournal. */
  readonly journalId?: string;
};

/** Most events one invocation carries when a lane's backlog is merged: PutLogEvents' own per-call limit. */
export const MAX_MERGED_EVENTS = 10_000;

/**
 * Jobs run in order within a lane (a subscription filter on one log stream) and lanes take turns, with at
 * most `concurrency` lanes delivering at once. A lane that fell behind sends its waiting data jobs as one invocation,
 * as CloudWatch Logs batches a stream's events: the cost per invocation then stops multiplying with the backlog, so a
 * busy pipeline catches up instead of falling further behind.
 */
export class DeliveryQueue {
  private readonly lanes = new Map<string, DeliveryJob[]>();
  private readonly waiting: string[] = [];
  private readonly busy = new Set<string>();
  private idleWaiters: Array<() => void> = [];
  private pendingJobs = 0;
  private delivered = 0;
  private failed = 0;
  private stopped = false;

  constructor(private readonly options: DeliveryQueueOptions) {}

  get pending(): number {
    return this.pendingJobs;
  }
  get deliveries(): number {
    return this.delivered;
  }
  get failures(): number {
    return this.failed;
  }

  enqueue(lane: string, job: DeliveryJob): void {
    this.pendingJobs += 1;
    const jobs = this.lanes.get(lane);
    if (jobs) jobs.push(job);
    else this.lanes.set(lane, [job]);
    if (!this.busy.has(lane) && !this.waiting.includes(lane)) this.waiting.push(lane);
    this.pump();
  }

  /** Resolves once nothing is queued or running; rejects if that takes longer than `timeoutMs`. */
  whenIdle(timeoutMs: number): Promise<void> {
    if (this.pendingJobs === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((waiter) => waiter !== done);
        reject(new Error(`CloudWatch Logs subscription deliveries still pending after ${timeoutMs} ms (${this.pendingJobs} queued)`));
      }, timeoutMs);
      timer.unref();
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.idleWaiters.push(done);
    });
  }

  /**
   * Starts no further job and retries no further attempt: what is queued is dropped (returned as a count) and running
   * jobs end after their current attempt. For shutting down, when whatever comes next (the database) is closing.
   */
  stop(): number {
    this.stopped = true;
    let dropped = 0;
    for (const jobs of this.lanes.values()) dropped += jobs.length;
    this.lanes.clear();
    this.waiting.length = 0;
    this.pendingJobs -= dropped;
    if (dropped > 0 && this.pendingJobs === 0) this.becameIdle();
    return dropped;
  }

  private pump(): void {
    if (this.stopped) return;
    while (this.busy.size < this.options.concurrency && this.waiting.length > 0) {
      const lane = this.waiting.shift()!;
      const jobs = this.take(lane);
      if (jobs.length === 0) {
        this.lanes.delete(lane);
        continue;
      }
      this.busy.add(lane);
      const merged = jobs.length === 1 ? jobs[0]! : { header: jobs[0]!.header, logEvents: jobs.flatMap((job) => job.logEvents) };
      void this.run(merged)
        .then((settled) => {
          for (const job of jobs) this.options.onJobFinished?.(job, settled);
        })
        .finally(() => this.finish(lane, jobs.length));
    }
  }

  /** The lane's next job, with the data jobs queued right behind it for the same stream when there are any. */
  private take(lane: string): DeliveryJob[] {
    const queued = this.lanes.get(lane);
    const first = queued?.shift();
    if (!queued || !first) return [];
    const taken = [first];
    if (first.header.messageType !== 'DATA_MESSAGE') return taken;
    let events = first.logEvents.length;
    while (queued.length > 0) {
      const next = queued[0]!;
      // A lane is one filter on one stream, so its data jobs share their header; only control messages stay apart.
      if (next.header.messageType !== 'DATA_MESSAGE' || events + next.logEvents.length > MAX_MERGED_EVENTS) break;
      taken.push(queued.shift()!);
      events += next.logEvents.length;
    }
    return taken;
  }

  private finish(lane: string, jobs: number): void {
    this.busy.delete(lane);
    this.pendingJobs -= jobs;
    if ((this.lanes.get(lane)?.length ?? 0) > 0) this.waiting.push(lane);
    else this.lanes.delete(lane);
    this.pump();
    if (this.pendingJobs === 0) this.becameIdle();
  }

  private becameIdle(): void {
    this.options.onIdle?.();
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
  }

  /** Resolves to whether the job is settled (see onJobFinished). */
  private async run(job: DeliveryJob): Promise<boolean> {
    let payloads: Array<EncodedPayload | PayloadTooLargeError>;
    try {
      payloads = await buildSubscriptionPayloads(job.header, job.logEvents);
    } catch (err) {
      // Encoding failed, so there is no payload to hand over; the hook still learns what went wrong.
      this.failed += 1;
      this.report(err, { awslogs: { data: '' } });
      return true;
    }
    let settled = true;
    for (const payload of payloads) {
      if (payload instanceof PayloadTooLargeError) {
        this.failed += 1;
        this.report(payload, payload.payload.event);
        continue;
      }
      if (!(await this.deliverWithRetries(payload.event))) settled = false;
    }
    return settled;
  }

  private async deliverWithRetries(event: SubscriptionEvent): Promise<boolean> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.options.deliver(event);
        this.delivered += 1;
        return true;
      } catch (err) {
        // Stopped: not given up on, just not delivered by this process (a journal keeps it for the next one).
        if (this.stopped) return false;
        if (attempt >= this.options.retries) {
          this.failed += 1;
          this.report(err, event);
          return false;
        }
        await sleep(this.options.retryDelayMs * 2 ** attempt);
        if (this.stopped) return false;
      }
    }
  }

  private report(err: unknown, event: SubscriptionEvent): void {
    try {
      this.options.onDeliveryFailed?.(err, event);
    } catch {
      // A failing failure hook must not stall the queue.
    }
  }
}

// Not unref'd: a pending retry is work that drain() promises to wait for, even in a script with nothing else running.
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
