// A local CloudWatch Logs: the operations our agent and pipeline use, with the real service's limits and
// errors, and subscription filters that deliver matching events to the ingest handler the way CloudWatch Logs
// invokes a Lambda function. Transport-free: http.ts adapts it to the AWS JSON protocol.
//
// Choices where the real service is loose or undocumented:
// - Event size: current docs allow 1 MB per event, older docs 256 KB. We enforce 256 KiB (message bytes + 26)
//   by default because the agent commits to the older limit; `maxEventBytes` raises it.
// - Sequence tokens are ignored (as the real service has done since 2023) but `nextSequenceToken` is still
//   returned, as the real response still carries it for older clients.
// - Events are kept in ingestion order up to `retainBytes` across all streams, the oldest anywhere dropped first;
//   GetLogEvents and FilterLogEvents see only what is still held. Stream timestamps update at once, not eventually.
// - Deliveries go to `deliver` whatever the destination ARN; one lane per (filter, stream) keeps order.
// - Describe* pagination tokens are offsets into the sorted list.
import { AwsServiceError } from '../aws-error.js';
import { DeliveryQueue, type DeliveryJob, type SubscriptionLogEvent } from './delivery.js';
import { DeliveryJournal, type JournaledJob } from './delivery-journal.js';
import { EventIdSequence } from './event-ids.js';
import { compileFilterPattern, type MessageMatcher } from './filter-pattern.js';
import {
  CreateLogGroupInput,
  CreateLogStreamInput,
  DeleteSubscriptionFilterInput,
  DescribeLogGroupsInput,
  DescribeLogStreamsInput,
  DescribeSubscriptionFiltersInput,
  FilterLogEventsInput,
  GetLogEventsInput,
  parseInput,
  PutLogEventsInput,
  PutSubscriptionFilterInput,
} from './schemas.js';

export interface SubscriptionDelivery {
  (event: { awslogs: { data: string } }): Promise<void>;
}

export interface CloudWatchLogsServiceOptions {
  /** Invokes the subscription destination (the ingest handler) with a CloudWatch Logs → Lambda event. */
  deliver: SubscriptionDelivery;
  /** @default '000000000000' */
  accountId?: string;
  /** @default 'us-east-1' */
  region?: string;
  /** @default Date.now */
  now?: () => number;
  /**
   * Event bytes (counted as PutLogEvents counts them: UTF-8 message + 26) kept across all streams for GetLogEvents and
   * FilterLogEvents; the heap holds about twice that. Bounded by bytes, not per stream, so memory stays flat however
   * many kiosks write. @default 8 MiB
   */
  retainBytes?: number;
  /** Retries after a failed invocation, like Lambda's asynchronous invoke. @default 2 */
  deliveryRetries?: number;
  /** Delay before the first retry; each further retry doubles it. @default 1000 */
  deliveryRetryDelayMs?: number;
  /** Subscription lanes delivering at the same time. @default 4 */
  deliveryConcurrency?: number;
  /** Largest accepted event, message UTF-8 bytes + 26. @default 262_144 */
  maxEventBytes?: number;
  /** Called once per invocation given up on (after retries, or one event too large for any invocation). */
  onDeliveryFailed?: (err: unknown, event: { awslogs: { data: string } }) => void;
  /**
   * A file that keeps accepted subscription jobs until delivered, so a killed process owes nothing it acknowledged;
   * resumeDeliveries() sends what it still holds. Without it, undelivered jobs live only in memory.
   */
  deliveryJournal?: string;
  /** Warnings about the journal (unreadable lines, failed writes). */
  warn?: (line: string) => void;
  /**
   * With a journal, jobs given up on are sent again after this delay, doubling up to a minute while they keep failing:
   * the local stand-in for redriving the ingest function's dead-letter queue. @default 5000
   */
  redriveDelayMs?: number;
}

export interface CloudWatchLogsStats {
  /** PutLogEvents calls received, rejected ones included. */
  putRequests: number;
  eventsAccepted: number;
  eventsRejected: { tooOld: number; tooNew: number };
  /** Accepted events selected by a subscription filter, counted once per filter. */
  eventsMatched: number;
  /** Successful invocations of `deliver`, control messages included. */
  deliveries: number;
  /** Invocations given up on. */
  deliveryFailures: number;
  /** Delivery jobs (one per filter per PutLogEvents, or a control message) queued or running. */
  pending: number;
}

export const MAX_BATCH_BYTES = 1_048_576;
export const EVENT_OVERHEAD_BYTES = 26;
export const DEFAULT_MAX_EVENT_BYTES = 262_144;
export const DEFAULT_RETAIN_BYTES = 8 * 1024 * 1024;
export const MAX_SUBSCRIPTION_FILTERS_PER_GROUP = 2;
const MAX_BATCH_SPAN_MS = 24 * 60 * 60 * 1000;
const MAX_FUTURE_MS = 2 * 60 * 60 * 1000;
const MAX_AGE_MS = 14 * 24 * 60 * 60 * 1000;
/** GetLogEvents and FilterLogEvents return at most this many message bytes per call, like the real service. */
const MAX_RESPONSE_BYTES = 1_048_576;
const CONTROL_MESSAGE_TEXT = 'CWL CONTROL MESSAGE: Checking health of destination Lambda function.';

interface StoredEvent {
  readonly id: string;
  readonly seq: number;
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
  /** As PutLogEvents counts it: UTF-8 message + 26. */
  readonly bytes: number;
}

/** A stream's retained events, oldest first, addressed by their sequence number within the stream. */
class EventRing {
  private items: Array<StoredEvent | undefined> = [];
  private head = 0;
  /** Sequence number of the oldest event still held. */
  firstSeq = 0;
  /** Sequence number the next appended event gets. */
  nextSeq = 0;

  append(event: Omit<StoredEvent, 'seq'>): StoredEvent {
    const stored = { ...event, seq: this.nextSeq };
    this.items.push(stored);
    this.nextSeq += 1;
    return stored;
  }

  shift(): StoredEvent | undefined {
    if (this.firstSeq === this.nextSeq) return undefined;
    const oldest = this.items[this.head];
    this.items[this.head] = undefined;
    this.head += 1;
    this.firstSeq += 1;
    // Compacting only once half the array is spent keeps shifts O(1) amortised.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return oldest;
  }

  at(seq: number): StoredEvent {
    return this.items[this.head + (seq - this.firstSeq)]!;
  }

  *all(): Generator<StoredEvent> {
    for (let seq = this.firstSeq; seq < this.nextSeq; seq += 1) yield this.at(seq);
  }
}

/** Every stream's events under one byte budget: when it is exceeded the oldest event of any stream goes first. */
class RetainedEvents {
  // One entry per held event, in arrival order: the stream whose oldest event that is.
  private order: EventRing[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly budget: number) {}

  append(ring: EventRing, event: Omit<StoredEvent, 'seq'>): StoredEvent {
    const stored = ring.append(event);
    this.order.push(ring);
    this.bytes += stored.bytes;
    while (this.bytes > this.budget && this.head < this.order.length) {
      const evicted = this.order[this.head]!.shift();
      this.head += 1;
      this.bytes -= evicted?.bytes ?? 0;
    }
    if (this.head >= 1024 && this.head * 2 >= this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
    return stored;
  }
}

interface LogStream {
  readonly name: string;
  readonly creationTime: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  storedBytes: number;
  uploads: number;
  readonly events: EventRing;
}

interface SubscriptionFilter {
  readonly name: string;
  readonly creationTime: number;
  pattern: string;
  matches: MessageMatcher;
  destinationArn: string;
  roleArn?: string;
  distribution: 'Random' | 'ByLogStream';
  applyOnTransformedLogs: boolean;
}

interface LogGroup {
  readonly name: string;
  readonly creationTime: number;
  readonly logGroupClass: string;
  readonly kmsKeyId?: string;
  storedBytes: number;
  readonly streams: Map<string, LogStream>;
  readonly filters: Map<string, SubscriptionFilter>;
}

export class LocalCloudWatchLogs {
  private readonly groups = new Map<string, LogGroup>();
  private readonly ids = new EventIdSequence();
  private readonly queue: DeliveryQueue;
  private readonly accountId: string;
  private readonly region: string;
  private readonly now: () => number;
  private readonly retained: RetainedEvents;
  private readonly maxEventBytes: number;
  private readonly counters = { putRequests: 0, eventsAccepted: 0, tooOld: 0, tooNew: 0, eventsMatched: 0 };
  private readonly journal: DeliveryJournal | undefined;
  /** Journaled jobs read at start, or given up on since: owed a delivery at the next start. */
  private readonly owed = new Map<string, JournaledJob>();
  private readonly inFlight = new Map<string, JournaledJob>();
  private readonly warn: (line: string) => void;
  private readonly redriveBaseMs: number;
  private redriveDelayMs: number;
  private redriveTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(opts: CloudWatchLogsServiceOptions) {
    this.accountId = opts.accountId ?? '000000000000';
    this.region = opts.region ?? 'us-east-1';
    this.now = opts.now ?? Date.now;
    this.maxEventBytes = positiveInteger(opts.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES, 'maxEventBytes');
    const retainBytes = positiveInteger(opts.retainBytes ?? DEFAULT_RETAIN_BYTES, 'retainBytes');
    // Smaller, and an accepted event could vanish before anyone could read it back.
    if (retainBytes < this.maxEventBytes) throw new RangeError(`retainBytes (${retainBytes}) must be at least maxEventBytes (${this.maxEventBytes})`);
    this.retained = new RetainedEvents(retainBytes);
    this.queue = new DeliveryQueue({
      deliver: opts.deliver,
      concurrency: positiveInteger(opts.deliveryConcurrency ?? 4, 'deliveryConcurrency'),
      retries: nonNegativeInteger(opts.deliveryRetries ?? 2, 'deliveryRetries'),
      retryDelayMs: nonNegativeInteger(opts.deliveryRetryDelayMs ?? 1000, 'deliveryRetryDelayMs'),
      onDeliveryFailed: opts.onDeliveryFailed,
      onJobFinished: (job, settled) => this.jobFinished(job, settled),
      onIdle: () => {
        if (this.journal)
          this.journal
            .compact(() => [...this.owed.values(), ...this.inFlight.values()])
            .catch((error: unknown) => this.warn(`cloudwatch-logs: compacting the delivery journal failed: ${String(error)}`));
      },
    });
    this.warn = opts.warn ?? (() => undefined);
    this.redriveBaseMs = positiveInteger(opts.redriveDelayMs ?? 5_000, 'redriveDelayMs');
    this.redriveDelayMs = this.redriveBaseMs;
    if (opts.deliveryJournal) {
      const { journal, unsettled } = DeliveryJournal.open(opts.deliveryJournal, this.warn);
      this.journal = journal;
      for (const entry of unsettled) this.owed.set(entry.id, entry);
    }
  }

  /** Queues the deliveries a previous process accepted and never finished; returns how many jobs. */
  resumeDeliveries(): number {
    const owed = [...this.owed.values()];
    this.owed.clear();
    for (const entry of owed) {
      this.inFlight.set(entry.id, entry);
      this.queue.enqueue(entry.lane, { ...entry.job, journalId: entry.id });
    }
    return owed.length;
  }

  /** Waits for queued deliveries up to `timeoutMs`, then closes the journal; whatever is still queued stays owed in it. */
  async close(timeoutMs = 5_000): Promise<void> {
    clearTimeout(this.redriveTimer);
    this.redriveTimer = undefined;
    try {
      await this.drain(timeoutMs);
    } finally {
      // Whatever has not started by now would run against services that close next (DynamoDB), fail and retry for
      // seconds: it stays owed instead, in the journal for the next start.
      this.closed = true;
      const left = this.queue.stop();
      if (left > 0)
        this.warn(
          `cloudwatch-logs: ${left} delivery job(s) not sent before stopping; ${this.journal ? `they stay in ${this.journal.file} for the next start` : 'without a journal they are lost'}`,
        );
      await this.journal?.close();
    }
  }

  private jobFinished(job: DeliveryJob, settled: boolean): void {
    if (!this.journal || job.journalId === undefined || this.closed) return;
    const entry = this.inFlight.get(job.journalId);
    this.inFlight.delete(job.journalId);
    if (settled) {
      this.journal.settled(job.journalId).catch((error: unknown) => this.warn(`cloudwatch-logs: journal write failed: ${String(error)}`));
      if (this.owed.size === 0) this.redriveDelayMs = this.redriveBaseMs;
    } else if (entry) {
      this.owed.set(entry.id, entry);
      this.warn(
        `cloudwatch-logs: a delivery of ${job.logEvents.length} event(s) stays in ${this.journal.file}; it is sent again in ${this.redriveDelayMs / 1000} s, and at the next start`,
      );
      this.scheduleRedrive();
    }
  }

  private scheduleRedrive(): void {
    if (this.redriveTimer) return;
    this.redriveTimer = setTimeout(() => {
      this.redriveTimer = undefined;
      const owed = this.resumeDeliveries();
      if (owed > 0) this.warn(`cloudwatch-logs: sending ${owed} delivery job(s) again`);
    }, this.redriveDelayMs);
    // A process that is otherwise done need not wait for a redrive: the journal keeps the jobs for the next start.
    this.redriveTimer.unref();
    this.redriveDelayMs = Math.min(this.redriveDelayMs * 2, 60_000);
  }

  async handle(operation: string, input: unknown): Promise<unknown> {
    switch (operation) {
      case 'CreateLogGroup':
        return this.createLogGroup(input);
      case 'DescribeLogGroups':
        return this.describeLogGroups(input);
      case 'CreateLogStream':
        return this.createLogStream(input);
      case 'DescribeLogStreams':
        return this.describeLogStreams(input);
      case 'PutLogEvents':
        return this.putLogEvents(input);
      case 'GetLogEvents':
        return this.getLogEvents(input);
      case 'FilterLogEvents':
        return this.filterLogEvents(input);
      case 'PutSubscriptionFilter':
        return this.putSubscriptionFilter(input);
      case 'DescribeSubscriptionFilters':
        return this.describeSubscriptionFilters(input);
      case 'DeleteSubscriptionFilter':
        return this.deleteSubscriptionFilter(input);
      default:
        throw new AwsServiceError('UnknownOperationException', `The local CloudWatch Logs endpoint does not implement ${operation}`);
    }
  }

  stats(): CloudWatchLogsStats {
    const c = this.counters;
    return {
      putRequests: c.putRequests,
      eventsAccepted: c.eventsAccepted,
      eventsRejected: { tooOld: c.tooOld, tooNew: c.tooNew },
      eventsMatched: c.eventsMatched,
      deliveries: this.queue.deliveries,
      deliveryFailures: this.queue.failures,
      pending: this.queue.pending,
    };
  }

  /** Resolves when every queued delivery has finished (delivered or given up); rejects after `timeoutMs`. */
  drain(timeoutMs = 30_000): Promise<void> {
    return this.queue.whenIdle(timeoutMs);
  }

  // ---------------------------------------------------------------------------------------------------
  // Log groups and streams

  private createLogGroup(input: unknown): Record<string, never> {
    const { logGroupName, logGroupClass, kmsKeyId } = parseInput(CreateLogGroupInput, input);
    if (this.groups.has(logGroupName)) throw new AwsServiceError('ResourceAlreadyExistsException', 'The specified log group already exists');
    this.groups.set(logGroupName, {
      name: logGroupName,
      creationTime: this.now(),
      logGroupClass: logGroupClass ?? 'STANDARD',
      ...(kmsKeyId === undefined ? {} : { kmsKeyId }),
      storedBytes: 0,
      streams: new Map(),
      filters: new Map(),
    });
    return {};
  }

  private describeLogGroups(input: unknown): unknown {
    const request = parseInput(DescribeLogGroupsInput, input);
    if (request.logGroupNamePrefix !== undefined && request.logGroupNamePattern !== undefined) {
      throw new AwsServiceError('InvalidParameterException', 'logGroupNamePrefix and logGroupNamePattern are mutually exclusive parameters.');
    }
    const groups = [...this.groups.values()]
      .filter((group) => request.logGroupNamePrefix === undefined || group.name.startsWith(request.logGroupNamePrefix))
      .filter((group) => request.logGroupNamePattern === undefined || group.name.includes(request.logGroupNamePattern))
      .sort((a, b) => compareStrings(a.name, b.name));
    const { page, nextToken } = paginate(groups, request.nextToken, request.limit ?? 50);
    return {
      logGroups: page.map((group) => ({
        logGroupName: group.name,
        creationTime: group.creationTime,
        metricFilterCount: 0,
        arn: `${this.groupArn(group.name)}:*`,
        logGroupArn: this.groupArn(group.name),
        storedBytes: group.storedBytes,
        logGroupClass: group.logGroupClass,
        ...(group.kmsKeyId === undefined ? {} : { kmsKeyId: group.kmsKeyId }),
      })),
      ...(nextToken === undefined ? {} : { nextToken }),
    };
  }

  private createLogStream(input: unknown): Record<string, never> {
    const { logGroupName, logStreamName } = parseInput(CreateLogStreamInput, input);
    const group = this.group(logGroupName);
    if (group.streams.has(logStreamName)) throw new AwsServiceError('ResourceAlreadyExistsException', 'The specified log stream already exists');
    group.streams.set(logStreamName, {
      name: logStreamName,
      creationTime: this.now(),
      storedBytes: 0,
      uploads: 0,
      events: new EventRing(),
    });
    return {};
  }

  private describeLogStreams(input: unknown): unknown {
    const request = parseInput(DescribeLogStreamsInput, input);
    const group = this.group(this.groupNameOf(request));
    const orderBy = request.orderBy ?? 'LogStreamName';
    if (orderBy === 'LastEventTime' && request.logStreamNamePrefix !== undefined) {
      throw new AwsServiceError('InvalidParameterException', 'Cannot order by LastEventTime with a logStreamNamePrefix.');
    }
    const prefix = request.logStreamNamePrefix ?? '';
    const streams = [...group.streams.values()]
      .filter((stream) => stream.name.startsWith(prefix))
      .sort((a, b) =>
        orderBy === 'LastEventTime'
          ? (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0) || compareStrings(a.name, b.name)
          : compareStrings(a.name, b.name),
      );
    if (request.descending) streams.reverse();
    const { page, nextToken } = paginate(streams, request.nextToken, request.limit ?? 50);
    return {
      logStreams: page.map((stream) => ({
        logStreamName: stream.name,
        creationTime: stream.creationTime,
        ...(stream.firstEventTimestamp === undefined ? {} : { firstEventTimestamp: stream.firstEventTimestamp }),
        ...(stream.lastEventTimestamp === undefined ? {} : { lastEventTimestamp: stream.lastEventTimestamp }),
        ...(stream.lastIngestionTime === undefined ? {} : { lastIngestionTime: stream.lastIngestionTime }),
        uploadSequenceToken: sequenceToken(stream.uploads),
        arn: `${this.groupArn(group.name)}:log-stream:${stream.name}`,
        storedBytes: stream.storedBytes,
      })),
      ...(nextToken === undefined ? {} : { nextToken }),
    };
  }

  // ---------------------------------------------------------------------------------------------------
  // Events

  private async putLogEvents(input: unknown): Promise<unknown> {
    this.counters.putRequests += 1;
    const { logGroupName, logStreamName, logEvents } = parseInput(PutLogEventsInput, input);

    let batchBytes = 0;
    for (const event of logEvents) {
      const eventBytes = Buffer.byteLength(event.message, 'utf8') + EVENT_OVERHEAD_BYTES;
      if (eventBytes > this.maxEventBytes) {
        throw new AwsServiceError('InvalidParameterException', `Log event too large: ${eventBytes} bytes exceeds limit of ${this.maxEventBytes}`);
      }
      batchBytes += eventBytes;
    }
    if (batchBytes > MAX_BATCH_BYTES) {
      throw new AwsServiceError('InvalidParameterException', `Upload too large: ${batchBytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
    }
    for (let i = 1; i < logEvents.length; i += 1) {
      if (logEvents[i]!.timestamp < logEvents[i - 1]!.timestamp) {
        throw new AwsServiceError('InvalidParameterException', 'Log events in a single PutLogEvents request must be in chronological order.');
      }
    }
    if (logEvents.at(-1)!.timestamp - logEvents[0]!.timestamp > MAX_BATCH_SPAN_MS) {
      throw new AwsServiceError('InvalidParameterException', 'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
    }
    const group = this.group(logGroupName);
    const stream = group.streams.get(logStreamName);
    if (!stream) throw new AwsServiceError('ResourceNotFoundException', 'The specified log stream does not exist.');

    // Chronological order makes the too-old events a prefix and the too-new events a suffix of the batch.
    const now = this.now();
    let firstKept = 0;
    while (firstKept < logEvents.length && logEvents[firstKept]!.timestamp < now - MAX_AGE_MS) firstKept += 1;
    let firstTooNew = logEvents.length;
    while (firstTooNew > firstKept && logEvents[firstTooNew - 1]!.timestamp > now + MAX_FUTURE_MS) firstTooNew -= 1;

    const accepted: StoredEvent[] = [];
    for (const event of logEvents.slice(firstKept, firstTooNew)) {
      const bytes = Buffer.byteLength(event.message, 'utf8');
      accepted.push(
        this.retained.append(stream.events, {
          id: this.ids.next(now),
          timestamp: event.timestamp,
          message: event.message,
          ingestionTime: now,
          bytes: bytes + EVENT_OVERHEAD_BYTES,
        }),
      );
      stream.storedBytes += bytes;
      group.storedBytes += bytes;
    }
    stream.uploads += 1;
    if (accepted.length > 0) {
      const first = accepted[0]!.timestamp;
      const last = accepted.at(-1)!.timestamp;
      stream.firstEventTimestamp = Math.min(stream.firstEventTimestamp ?? first, first);
      stream.lastEventTimestamp = Math.max(stream.lastEventTimestamp ?? last, last);
      stream.lastIngestionTime = now;
    }
    this.counters.eventsAccepted += accepted.length;
    this.counters.tooOld += firstKept;
    this.counters.tooNew += logEvents.length - firstTooNew;
    await this.subscribe(group, stream, accepted);

    // The API reference: tooOldLogEventEndIndex "is exclusive" (the too-old events are [0, index)), while
    // tooNewLogEventStartIndex "is inclusive" (they are [index, length)).
    const rejected = {
      ...(firstKept > 0 ? { tooOldLogEventEndIndex: firstKept } : {}),
      ...(firstTooNew < logEvents.length ? { tooNewLogEventStartIndex: firstTooNew } : {}),
    };
    return {
      nextSequenceToken: sequenceToken(stream.uploads),
      ...(Object.keys(rejected).length > 0 ? { rejectedLogEventsInfo: rejected } : {}),
    };
  }

  /** Resolves once every job is journaled (when there is a journal): only then may PutLogEvents answer. */
  private async subscribe(group: LogGroup, stream: LogStream, events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    const journaled: Array<Promise<void>> = [];
    for (const filter of group.filters.values()) {
      const logEvents: SubscriptionLogEvent[] = [];
      for (const event of events) {
        if (filter.matches(event.message)) logEvents.push({ id: event.id, timestamp: event.timestamp, message: event.message });
      }
      if (logEvents.length === 0) continue;
      this.counters.eventsMatched += logEvents.length;
      journaled.push(
        this.enqueue(laneKey(group.name, filter.name, stream.name), {
          header: {
            messageType: 'DATA_MESSAGE',
            owner: this.accountId,
            logGroup: group.name,
            logStream: stream.name,
            subscriptionFilters: [filter.name],
          },
          logEvents,
        }),
      );
    }
    await Promise.all(journaled);
  }

  private async enqueue(lane: string, job: DeliveryJob): Promise<void> {
    if (!this.journal) {
      this.queue.enqueue(lane, job);
      return;
    }
    const { entry, written } = this.journal.accepted(lane, job);
    // In flight from now: a compaction queued behind this write must keep it.
    this.inFlight.set(entry.id, entry);
    await written;
    this.queue.enqueue(lane, { ...job, journalId: entry.id });
  }

  private getLogEvents(input: unknown): unknown {
    const request = parseInput(GetLogEventsInput, input);
    const group = this.group(this.groupNameOf(request));
    const stream = group.streams.get(request.logStreamName);
    if (!stream) throw new AwsServiceError('ResourceNotFoundException', 'The specified log stream does not exist.');
    const ring = stream.events;
    const limit = request.limit ?? 10_000;
    const inRange = (event: StoredEvent): boolean =>
      (request.startTime === undefined || event.timestamp >= request.startTime) && (request.endTime === undefined || event.timestamp < request.endTime);

    const token = request.nextToken === undefined ? undefined : parseStreamToken(request.nextToken);
    const forward = token ? token.direction === 'f' : request.startFromHead === true;
    const picked: StoredEvent[] = [];
    let bytes = 0;
    const take = (event: StoredEvent): boolean => {
      const size = Buffer.byteLength(event.message, 'utf8');
      if (picked.length >= limit || (picked.length > 0 && bytes + size > MAX_RESPONSE_BYTES)) return false;
      picked.push(event);
      bytes += size;
      return true;
    };

    let nextForward: number;
    let nextBackward: number;
    if (forward) {
      const from = Math.max(token?.seq ?? ring.firstSeq, ring.firstSeq);
      let seq = from;
      for (; seq < ring.nextSeq; seq += 1) {
        const event = ring.at(seq);
        if (inRange(event) && !take(event)) break;
      }
      nextForward = seq;
      nextBackward = picked[0]?.seq ?? from;
    } else {
      const before = Math.min(token?.seq ?? ring.nextSeq, ring.nextSeq);
      let seq = before - 1;
      for (; seq >= ring.firstSeq; seq -= 1) {
        const event = ring.at(seq);
        if (inRange(event) && !take(event)) break;
      }
      picked.reverse();
      nextBackward = seq + 1;
      nextForward = picked.length > 0 ? picked.at(-1)!.seq + 1 : before;
    }
    return {
      events: picked.map((event) => ({ timestamp: event.timestamp, message: event.message, ingestionTime: event.ingestionTime })),
      nextForwardToken: streamToken('f', nextForward),
      nextBackwardToken: streamToken('b', nextBackward),
    };
  }

  private filterLogEvents(input: unknown): unknown {
    const request = parseInput(FilterLogEventsInput, input);
    if (request.logStreamNames !== undefined && request.logStreamNamePrefix !== undefined) {
      throw new AwsServiceError('InvalidParameterException', 'logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
    }
    const group = this.group(this.groupNameOf(request));
    const matches = compileFilterPattern(request.filterPattern ?? '');
    const after = request.nextToken === undefined ? undefined : parsePositionToken(request.nextToken);
    const wanted = request.logStreamNames === undefined ? undefined : new Set(request.logStreamNames);
    const prefix = request.logStreamNamePrefix ?? '';

    const found: Array<StoredEvent & { logStreamName: string }> = [];
    for (const stream of group.streams.values()) {
      if ((wanted && !wanted.has(stream.name)) || !stream.name.startsWith(prefix)) continue;
      for (const event of stream.events.all()) {
        if (request.startTime !== undefined && event.timestamp < request.startTime) continue;
        if (request.endTime !== undefined && event.timestamp >= request.endTime) continue;
        if (after && compareEventPosition(event, after) <= 0) continue;
        if (matches(event.message)) found.push({ ...event, logStreamName: stream.name });
      }
    }
    found.sort(compareEventPosition);

    const limit = request.limit ?? 10_000;
    const page: typeof found = [];
    let bytes = 0;
    for (const event of found) {
      const size = Buffer.byteLength(event.message, 'utf8');
      if (page.length >= limit || (page.length > 0 && bytes + size > MAX_RESPONSE_BYTES)) break;
      page.push(event);
      bytes += size;
    }
    const last = page.at(-1);
    return {
      events: page.map((event) => ({
        logStreamName: event.logStreamName,
        timestamp: event.timestamp,
        message: event.message,
        ingestionTime: event.ingestionTime,
        eventId: event.id,
      })),
      ...(last !== undefined && page.length < found.length ? { nextToken: positionToken(last) } : {}),
    };
  }

  // ---------------------------------------------------------------------------------------------------
  // Subscription filters

  private putSubscriptionFilter(input: unknown): Record<string, never> {
    const request = parseInput(PutSubscriptionFilterInput, input);
    const group = this.group(request.logGroupName);
    const matches = compileFilterPattern(request.filterPattern);
    const existing = group.filters.get(request.filterName);
    if (existing) {
      existing.pattern = request.filterPattern;
      existing.matches = matches;
      existing.destinationArn = request.destinationArn;
      if (request.roleArn === undefined) delete existing.roleArn;
      else existing.roleArn = request.roleArn;
      existing.distribution = request.distribution ?? 'ByLogStream';
      existing.applyOnTransformedLogs = request.applyOnTransformedLogs ?? false;
      return {};
    }
    if (group.filters.size >= MAX_SUBSCRIPTION_FILTERS_PER_GROUP) {
      throw new AwsServiceError('LimitExceededException', 'Resource limit exceeded.');
    }
    const now = this.now();
    group.filters.set(request.filterName, {
      name: request.filterName,
      creationTime: now,
      pattern: request.filterPattern,
      matches,
      destinationArn: request.destinationArn,
      ...(request.roleArn === undefined ? {} : { roleArn: request.roleArn }),
      distribution: request.distribution ?? 'ByLogStream',
      applyOnTransformedLogs: request.applyOnTransformedLogs ?? false,
    });
    // The real service probes a new destination once; handlers are expected to recognise and skip this.
    this.queue.enqueue(laneKey(group.name, request.filterName, ''), {
      header: { messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [] },
      logEvents: [{ id: '', timestamp: now, message: CONTROL_MESSAGE_TEXT }],
    });
    return {};
  }

  private describeSubscriptionFilters(input: unknown): unknown {
    const request = parseInput(DescribeSubscriptionFiltersInput, input);
    const group = this.group(request.logGroupName);
    const prefix = request.filterNamePrefix ?? '';
    const filters = [...group.filters.values()].filter((filter) => filter.name.startsWith(prefix)).sort((a, b) => compareStrings(a.name, b.name));
    const { page, nextToken } = paginate(filters, request.nextToken, request.limit ?? 50);
    return {
      subscriptionFilters: page.map((filter) => ({
        filterName: filter.name,
        logGroupName: group.name,
        filterPattern: filter.pattern,
        destinationArn: filter.destinationArn,
        ...(filter.roleArn === undefined ? {} : { roleArn: filter.roleArn }),
        distribution: filter.distribution,
        applyOnTransformedLogs: filter.applyOnTransformedLogs,
        creationTime: filter.creationTime,
      })),
      ...(nextToken === undefined ? {} : { nextToken }),
    };
  }

  private deleteSubscriptionFilter(input: unknown): Record<string, never> {
    const { logGroupName, filterName } = parseInput(DeleteSubscriptionFilterInput, input);
    const group = this.group(logGroupName);
    if (!group.filters.delete(filterName)) {
      throw new AwsServiceError('ResourceNotFoundException', 'The specified subscription filter does not exist.');
    }
    return {};
  }

  // ---------------------------------------------------------------------------------------------------

  private group(name: string): LogGroup {
    const group = this.groups.get(name);
    if (!group) throw new AwsServiceError('ResourceNotFoundException', 'The specified log group does not exist.');
    return group;
  }

  private groupNameOf(request: { logGroupName?: string | undefined; logGroupIdentifier?: string | undefined }): string {
    if (request.logGroupName !== undefined && request.logGroupIdentifier !== undefined) {
      throw new AwsServiceError('InvalidParameterException', 'LogGroup name and LogGroup ARN are mutually exclusive parameters.');
    }
    if (request.logGroupName !== undefined) return request.logGroupName;
    if (request.logGroupIdentifier === undefined) {
      throw new AwsServiceError('InvalidParameterException', 'Either logGroupName or logGroupIdentifier must be specified.');
    }
    const arn = /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:([^:]+)(:\*)?$/.exec(request.logGroupIdentifier);
    return arn ? arn[1]! : request.logGroupIdentifier;
  }

  private groupArn(name: string): string {
    return `arn:aws:logs:${this.region}:${this.accountId}:log-group:${name}`;
  }
}

function laneKey(group: string, filter: string, stream: string): string {
  return JSON.stringify([group, filter, stream]);
}

function sequenceToken(uploads: number): string {
  return String(uploads).padStart(56, '0');
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  return value;
}

function invalidToken(): never {
  throw new AwsServiceError('InvalidParameterException', 'The specified nextToken is invalid.');
}

// GetLogEvents tokens name a position in the stream: f/<seq>/s continues forward from it, b/<seq>/s goes back before it.
function streamToken(direction: 'f' | 'b', seq: number): string {
  return `${direction}/${String(seq).padStart(56, '0')}/s`;
}

function parseStreamToken(token: string): { direction: 'f' | 'b'; seq: number } {
  const match = /^([fb])\/(\d{56})\/s$/.exec(token);
  if (!match) return invalidToken();
  return { direction: match[1] as 'f' | 'b', seq: Number(match[2]) };
}

interface EventPosition {
  readonly timestamp: number;
  readonly id: string;
}

function compareEventPosition(a: EventPosition, b: EventPosition): number {
  return a.timestamp - b.timestamp || compareStrings(a.id, b.id);
}

function positionToken(position: EventPosition): string {
  return Buffer.from(JSON.stringify({ t: position.timestamp, i: position.id })).toString('base64url');
}

function parsePositionToken(token: string): EventPosition {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { t?: unknown; i?: unknown };
    if (typeof parsed.t === 'number' && typeof parsed.i === 'string') return { timestamp: parsed.t, id: parsed.i };
  } catch {
    // falls through to the service's own error
  }
  return invalidToken();
}

function paginate<T>(items: readonly T[], token: string | undefined, limit: number): { page: T[]; nextToken?: string } {
  let offset = 0;
  if (token !== undefined) {
    const decoded = /^o(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!decoded) invalidToken();
    offset = Number(decoded[1]);
  }
  const page = items.slice(offset, offset + limit);
  const next = offset + limit;
  return next < items.length ? { page, nextToken: Buffer.from(`o${next}`).toString('base64url') } : { page };
}

export type { SubscriptionEvent, SubscriptionLogEvent, SubscriptionMessage } from './delivery.js';
