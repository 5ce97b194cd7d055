// Wiring: tailer → redactor → multiline → batcher → disk buffer (+ file checkpoint) → shipper. Each stage is its own
// module; this class owns their lifecycle, the back-pressure rule and the counters.
//
// Delivery guarantee: at-least-once, and exactly one occurrence downstream. A batch is fsynced into the disk buffer
// before the file checkpoint moves past its lines, and leaves the buffer only after PutLogEvents accepted it, so a
// crash at any point re-sends (never loses) at most the batches in between. Every record carries a stable id (file
// identity + offset, see event-id.ts) that ingest deduplicates on.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { z } from 'zod';
import { Batcher, DEFAULT_FLUSH_INTERVAL_MS } from './batcher.js';
import { CheckpointStore, decideStart, type Checkpoint } from './checkpoint.js';
import { DiskBuffer, DropNoticeStore, type BufferDrop, type BufferedBatch, type UnreportedDrop } from './disk-buffer.js';
import { agentEventId, eventId } from './event-id.js';
import { AgentAbortedError, AgentConfigError, AgentError, describeError } from './errors.js';
import { DEFAULT_MULTILINE_FLUSH_MS, MultilineAssembler } from './multiline.js';
import { createRedactor } from './redaction.js';
import { CloudWatchShipper, DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_CAP_MS, abortableSleep, createCloudWatchLogsClient, type ShipOutcome } from './shipper.js';
import { DEFAULT_MAX_LINE_BYTES, DEFAULT_PARTIAL_LINE_FLUSH_MS, DEFAULT_POLL_INTERVAL_MS, FileTailer, type StartDecision } from './tailer.js';
import { sameIdentity, type Batch, type FilePosition, type LogEvent, type Redactor, type SkipReason, type TailLine } from './types.js';

export const DEFAULT_LOG_GROUP = '/stacklens/pos';
export const DEFAULT_MAX_PENDING_RECORDS = 50_000;
export const DEFAULT_MAX_PENDING_BYTES = 16 * 1024 * 1024;
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;
export const DEFAULT_BUFFER_MAX_BYTES = 128 * 1024 * 1024;

// Store and kiosk ids become the stream name `{storeId}/{kioskId}`: no `/`, `:` or `*` inside an id.
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const ID_MESSAGE = 'must be 1-128 characters: letters, digits, ".", "_" or "-", starting with a letter or digit';

const startPatternSchema = z.union([z.string().min(1), z.instanceof(RegExp)]).transform((value, ctx) => {
  if (value instanceof RegExp) return value;
  try {
    return new RegExp(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `multilineStartPattern is not a valid regular expression: ${(err as Error).message}` });
    return z.NEVER;
  }
});

const positiveMs = (max: number) => z.number().int().min(1).max(max);

export const AgentConfigSchema = z
  .object({
    /** The POS log file to follow. It may not exist yet. */
    file: z.string().min(1),
    storeId: z.string().regex(ID_PATTERN, `storeId ${ID_MESSAGE}`),
    kioskId: z.string().regex(ID_PATTERN, `kioskId ${ID_MESSAGE}`),
    /** @default '/stacklens/pos' */
    logGroup: z
      .string()
      .regex(/^[.\-_/#A-Za-z0-9]{1,512}$/, 'logGroup must be 1-512 characters: letters, digits, ".", "-", "_", "/" or "#"')
      .default(DEFAULT_LOG_GROUP),
    /** Directory for the checkpoint file (created if missing). */
    stateDir: z.string().min(1),
    /** CloudWatch Logs endpoint override, e.g. the local emulator. */
    endpoint: z.url({ protocol: /^https?$/, error: 'endpoint must be an http(s) URL' }).optional(),
    region: z
      .string()
      .regex(/^[a-z0-9-]{1,32}$/, 'region must look like us-east-1')
      .optional(),
    /** Without a checkpoint: ship the whole file (true) or only what is written from now on. @default false */
    fromBeginning: z.boolean().default(false),
    /** @default 1000 */
    flushIntervalMs: positiveMs(60_000).default(DEFAULT_FLUSH_INTERVAL_MS),
    /** Longer lines are cut with a `…[truncated N bytes]` marker. At most (and by default) 261120 = 256 KiB - 1 KiB. */
    maxLineBytes: z.number().int().min(1024).max(DEFAULT_MAX_LINE_BYTES).default(DEFAULT_MAX_LINE_BYTES),
    /** A line matching this starts a new record; others continue the current one. @default DEFAULT_MULTILINE_START_PATTERN */
    multilineStartPattern: startPatternSchema.optional(),
    /** @default 1000 */
    multilineFlushMs: positiveMs(60_000).default(DEFAULT_MULTILINE_FLUSH_MS),
    /** @default 1000 */
    partialLineFlushMs: positiveMs(60_000).default(DEFAULT_PARTIAL_LINE_FLUSH_MS),
    /** @default 250 */
    pollIntervalMs: positiveMs(60_000).default(DEFAULT_POLL_INTERVAL_MS),
    /** Reading pauses while more records than this wait to be shipped. @default 50000 */
    maxPendingRecords: z.number().int().min(1).default(DEFAULT_MAX_PENDING_RECORDS),
    /** Reading pauses while more bytes than this wait to be shipped. @default 16 MiB */
    maxPendingBytes: z.number().int().min(1024).default(DEFAULT_MAX_PENDING_BYTES),
    /** How long stop() keeps trying to ship what is pending. @default 10000 */
    stopTimeoutMs: z.number().int().min(0).max(600_000).default(DEFAULT_STOP_TIMEOUT_MS),
    /** @default 200 */
    retryBaseMs: positiveMs(60_000).default(DEFAULT_RETRY_BASE_MS),
    /** @default 30000 */
    retryCapMs: positiveMs(600_000).default(DEFAULT_RETRY_CAP_MS),
    /** Bound of the on-disk outage buffer; at the bound the oldest data is dropped (and counted). @default 128 MiB */
    bufferMaxBytes: z
      .number()
      .int()
      .min(1024 * 1024, 'bufferMaxBytes must be at least 1 MiB (one full PutLogEvents batch)')
      .default(DEFAULT_BUFFER_MAX_BYTES),
    /** Extra regular expressions whose matches are masked like card data, on top of the built-in redaction. */
    redactPatterns: z.array(z.string().min(1)).max(64).default([]),
  })
  .strict();

export type AgentConfig = z.input<typeof AgentConfigSchema>;
export type ResolvedAgentConfig = z.output<typeof AgentConfigSchema>;

export function parseAgentConfig(input: unknown): ResolvedAgentConfig {
  const parsed = AgentConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new AgentConfigError(`Invalid agent configuration:\n${z.prettifyError(parsed.error)}`, parsed.error.issues);
  }
  return parsed.data;
}

export interface AgentDeps {
  readonly client?: CloudWatchLogsClient;
  readonly now?: () => number;
  readonly redact?: Redactor;
  readonly log?: (msg: string) => void;
  /** Jitter source for retries, in [0, 1). */
  readonly random?: () => number;
}

export interface AgentStats {
  /** Lines read from the file, including skipped ones. */
  linesRead: number;
  /** Events PutLogEvents accepted. */
  recordsShipped: number;
  batchesSent: number;
  /** Bytes accepted, counted as PutLogEvents counts them (UTF-8 message + 26 per event). */
  bytesShipped: number;
  linesTruncated: number;
  linesSkipped: Record<SkipReason, number>;
  /** Times the file shrank below the read offset (copytruncate or overwrite). */
  truncations: number;
  /** Times a new file replaced the followed one at the same path. */
  rotations: number;
  retries: number;
  /** Events PutLogEvents reported in rejectedLogEventsInfo (too old / too new / expired). */
  eventsRejected: number;
  /** Batches the service refused as invalid; their events are counted in eventsDropped. */
  batchesDropped: number;
  eventsDropped: number;
  checkpointFailures: number;
  lastShipAt?: number;
  /** Frames in the disk buffer found damaged and skipped. */
  bufferCorruptFrames: number;
  /** Appends to the disk buffer that failed (disk full, I/O error) and were retried. */
  bufferWriteFailures: number;
  /** Bytes in the followed file not yet safely in the disk buffer. */
  lagBytes: number;
  /** Records read but not yet acknowledged (in memory or in the disk buffer). */
  pendingRecords: number;
  pendingBytes: number;
  /** Values replaced before anything left the redactor, by kind ('pan', 'cvv', 'track', 'email', 'custom'). */
  redactions: Record<string, number>;
  /** Unshipped data held in the on-disk buffer. */
  bufferedRecords: number;
  bufferedBytes: number;
  /** Records (and their bytes) the disk buffer discarded, oldest first, because it reached bufferMaxBytes. */
  bufferDroppedRecords: number;
  bufferDroppedBytes: number;
}

type AgentState = 'new' | 'running' | 'stopping' | 'stopped';

export class PosAgent {
  readonly config: ResolvedAgentConfig;
  readonly logStream: string;
  private readonly now: () => number;
  private readonly redact: Redactor;
  private readonly log: (msg: string) => void;
  private readonly multiline: MultilineAssembler;
  private readonly batcher: Batcher;
  private readonly shipper: CloudWatchShipper;
  private readonly checkpoints: CheckpointStore;
  private tailer: FileTailer | undefined;
  private buffer: DiskBuffer | undefined;

  // Sealed batches waiting to be written to the disk buffer (normally for milliseconds).
  private readonly queue: Batch[] = [];
  private queuedEvents = 0;
  private queuedBytes = 0;
  private appending: Promise<void> | undefined;
  private unreportedDrop: UnreportedDrop | undefined;
  private readonly dropNotices: DropNoticeStore;
  private shipping: Promise<void> | undefined;
  private shipAgain = false;
  private readonly abort = new AbortController();
  private acknowledged: FilePosition | undefined;
  private openedOnce = false;
  private state: AgentState = 'new';
  private stopping: Promise<void> | undefined;
  private readonly counters: Omit<AgentStats, 'lagBytes' | 'pendingRecords' | 'pendingBytes' | 'bufferedRecords' | 'bufferedBytes' | 'bufferCorruptFrames'> = {
    linesRead: 0,
    recordsShipped: 0,
    batchesSent: 0,
    bytesShipped: 0,
    linesTruncated: 0,
    linesSkipped: { binary: 0, blank: 0, 'redact-failed': 0 },
    truncations: 0,
    rotations: 0,
    retries: 0,
    eventsRejected: 0,
    batchesDropped: 0,
    eventsDropped: 0,
    checkpointFailures: 0,
    redactions: {},
    bufferDroppedRecords: 0,
    bufferDroppedBytes: 0,
    bufferWriteFailures: 0,
  };

  constructor(cfg: AgentConfig, deps: AgentDeps = {}) {
    this.config = parseAgentConfig(cfg);
    this.logStream = `${this.config.storeId}/${this.config.kioskId}`;
    this.now = deps.now ?? Date.now;
    // Card data never leaves the kiosk: redaction is on unless a caller brings its own redactor.
    this.redact = deps.redact ?? createRedactor({ extraPatterns: this.config.redactPatterns });
    this.log = deps.log ?? ((msg) => process.stderr.write(`[pos-agent] ${msg}\n`));
    const client = deps.client ?? createCloudWatchLogsClient({ endpoint: this.config.endpoint, region: this.config.region });

    this.batcher = new Batcher({
      flushIntervalMs: this.config.flushIntervalMs,
      now: this.now,
      onBatch: (batch) => this.enqueue(batch),
      // Only a record over the event cap gets here (lines are capped lower): counted with the truncated lines.
      onEventTruncated: () => {
        this.counters.linesTruncated += 1;
      },
    });
    this.multiline = new MultilineAssembler({
      ...(this.config.multilineStartPattern === undefined ? {} : { startPattern: this.config.multilineStartPattern }),
      flushAfterMs: this.config.multilineFlushMs,
      now: this.now,
      onRecord: (record, endedBy) => {
        this.batcher.add(record, eventId(record.origin));
        // The file has gone quiet: nothing else will join this batch soon, so waiting flushIntervalMs on top of
        // the idle timeout would only add latency. Under steady load records end by 'next-record' and batch up.
        if (endedBy === 'idle') this.batcher.flush();
      },
      onSkip: (reason) => {
        this.counters.linesSkipped[reason] += 1;
      },
    });
    this.shipper = new CloudWatchShipper({
      client,
      logGroup: this.config.logGroup,
      logStream: this.logStream,
      retryBaseMs: this.config.retryBaseMs,
      retryCapMs: this.config.retryCapMs,
      ...(deps.random === undefined ? {} : { random: deps.random }),
      onRetry: ({ operation, attempt, delayMs, error }) => {
        this.counters.retries += 1;
        // First retry and then every power of two: visible without flooding the log during a long outage.
        if ((attempt & (attempt - 1)) === 0) {
          this.log(`${operation} failed (${describeError(error)}); retry ${attempt + 1} in ${delayMs} ms`);
        }
      },
      onCreated: (resource) => this.log(`created ${resource} ${resource === 'log-group' ? this.config.logGroup : this.logStream}`),
    });
    this.checkpoints = new CheckpointStore(this.config.stateDir, this.config.file);
    this.dropNotices = new DropNoticeStore(join(this.config.stateDir, `drops-${this.checkpoints.key}.json`));
  }

  /** Loads the checkpoint and starts following the file. Resolves once the first read pass is done. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new AgentError('INTERNAL', `start() was already called (agent is ${this.state}); create a new PosAgent to restart`);
    this.state = 'running';
    try {
      await mkdir(this.config.stateDir, { recursive: true });
    } catch (err) {
      this.state = 'stopped';
      throw new AgentError('CHECKPOINT_FAILED', `Cannot create state directory ${this.config.stateDir}: ${describeError(err)}`, { cause: err });
    }
    try {
      this.buffer = await DiskBuffer.open({
        dir: join(this.config.stateDir, `buffer-${this.checkpoints.key}`),
        maxBytes: this.config.bufferMaxBytes,
        log: this.log,
      });
    } catch (err) {
      this.state = 'stopped';
      throw err;
    }
    this.unreportedDrop = await this.dropNotices.load();
    // Whatever an earlier run buffered but could not ship goes first.
    if (this.buffer.bufferedRecords > 0) this.log(`resuming with ${this.buffer.bufferedRecords} buffered record(s) to ship`);
    this.kickShipping();
    const loaded = await this.checkpoints.load();
    let checkpoint: Checkpoint | undefined;
    if (loaded.status === 'found') {
      checkpoint = loaded.checkpoint;
      this.acknowledged = { identity: { dev: checkpoint.dev, ino: checkpoint.ino }, offset: checkpoint.offset };
    } else if (loaded.status === 'invalid') {
      this.log(`ignoring checkpoint: ${loaded.problem}`);
    }
    // stop() may have been called while the checkpoint was loading.
    if (this.state !== 'running') return;
    this.tailer = new FileTailer({
      path: this.checkpoints.file,
      startAt: (identity, size) => decideStart(checkpoint, this.config.fromBeginning, identity, size),
      maxLineBytes: this.config.maxLineBytes,
      pollIntervalMs: this.config.pollIntervalMs,
      partialLineFlushMs: this.config.partialLineFlushMs,
      now: this.now,
      isPaused: () => this.isBackpressured(),
      onLine: (line) => this.onLine(line),
      onSkip: (reason) => {
        this.counters.linesRead += 1;
        this.counters.linesSkipped[reason] += 1;
      },
      onOpen: (position, decision) => this.onOpen(position, decision),
      onTruncate: ({ previousOffset, size, recoveredFrom }) => {
        this.counters.truncations += 1;
        this.log(
          `${this.config.file} was truncated (${previousOffset} → ${size} bytes): ` +
            (recoveredFrom === undefined ? 'reading it from 0' : `finishing the unread rest from its copy ${recoveredFrom}, then reading it from 0`),
        );
      },
      onRotate: () => {
        this.counters.rotations += 1;
        this.log(`${this.config.file} was replaced (rotation): finished the old file, reading the new one from 0`);
      },
      onError: (err) => this.log(`reading ${this.config.file} failed: ${describeError(err)}; will retry`),
    });
    await this.tailer.start();
  }

  /**
   * Stops reading, flushes pending records into batches and keeps shipping them for up to `stopTimeoutMs`.
   * The checkpoint is written after every accepted batch, so it ends at the last accepted one; what could not be
   * shipped in time is read again on the next start.
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopNow();
    return this.stopping;
  }

  stats(): AgentStats {
    const tailer = this.tailer;
    let lagBytes = 0;
    if (tailer?.identity !== undefined) {
      const acked = this.acknowledged;
      lagBytes = Math.max(0, tailer.fileSize - (acked !== undefined && sameIdentity(acked.identity, tailer.identity) ? acked.offset : 0));
    }
    return {
      ...this.counters,
      linesSkipped: { ...this.counters.linesSkipped },
      redactions: { ...this.counters.redactions },
      lagBytes,
      bufferedRecords: this.buffer?.bufferedRecords ?? 0,
      bufferedBytes: this.buffer?.bufferedBytes ?? 0,
      bufferCorruptFrames: this.buffer?.corruptFrameCount ?? 0,
      pendingRecords: this.pendingRecords(),
      pendingBytes: this.pendingBytes(),
    };
  }

  private async stopNow(): Promise<void> {
    if (this.state === 'new') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    await this.tailer?.stop();
    this.multiline.flush();
    this.multiline.stop();
    this.batcher.flush();
    this.batcher.stop();
    const drained = await this.drain(this.config.stopTimeoutMs);
    if (!drained) this.abort.abort();
    // The loops may still be finishing the batch they hold (an fsync, a checkpoint write).
    await this.appending;
    await this.shipping;
    await this.checkpoints.settled();
    const buffered = this.buffer?.bufferedRecords ?? 0;
    await this.buffer?.close().catch(() => undefined);
    if (!drained) {
      this.log(`stopped with ${buffered} record(s) in the disk buffer and ${this.queuedEvents} not yet buffered; ` + 'they are sent on the next start');
    }
    this.state = 'stopped';
  }

  private async drain(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const emptied = (async () => {
      while (this.queue.length > 0 || this.appending !== undefined) {
        this.kickAppending();
        await this.appending;
      }
      // One pass ships until the buffer reads empty (or the deadline aborts it); nothing is appended any more.
      this.kickShipping();
      while (this.shipping !== undefined) await this.shipping;
      return (this.buffer?.bufferedRecords ?? 0) === 0 && this.unreportedDrop === undefined;
    })();
    try {
      return await Promise.race([emptied, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private onOpen(position: FilePosition, decision: StartDecision): void {
    if (decision.reason === 'truncated') this.counters.truncations += 1;
    if (decision.reason === 'rotated') this.counters.rotations += 1;
    if (this.openedOnce) return;
    this.openedOnce = true;
    this.log(`following ${this.config.file} from byte ${position.offset} (${decision.reason}) → ${this.config.logGroup} ${this.logStream}`);
    // Record the starting point now: otherwise a first run that starts at the end and ships nothing would, after a
    // restart, start at the (new) end again and skip whatever was written in between.
    if (decision.reason !== 'resume') void this.saveCheckpoint(position);
  }

  private onLine(line: TailLine): void {
    this.counters.linesRead += 1;
    if (line.truncatedBytes > 0) this.counters.linesTruncated += 1;
    let text: string;
    try {
      const redacted = this.redact(line.text);
      text = redacted.text;
      if (redacted.counts !== undefined) {
        for (const kind in redacted.counts) {
          const n = redacted.counts[kind] ?? 0;
          if (n > 0) this.counters.redactions[kind] = (this.counters.redactions[kind] ?? 0) + n;
        }
      }
    } catch (err) {
      // Never ship a line the redactor could not vouch for.
      this.counters.linesSkipped['redact-failed'] += 1;
      if (this.counters.linesSkipped['redact-failed'] === 1) this.log(`redactor failed, line skipped: ${describeError(err)}`);
      return;
    }
    this.multiline.push(text === line.text ? line : { ...line, text });
  }

  private enqueue(batch: Batch): void {
    this.queue.push(batch);
    this.queuedEvents += batch.events.length;
    this.queuedBytes += batch.bytes;
    this.kickAppending();
  }

  private kickAppending(): void {
    if (this.appending !== undefined || this.abort.signal.aborted || this.queue.length === 0) return;
    this.appending = this.appendQueue().finally(() => {
      this.appending = undefined;
      if (this.queue.length > 0) this.kickAppending();
    });
  }

  // Batches reach the buffer in file order, and the file checkpoint follows each one only once it is on disk.
  private async appendQueue(): Promise<void> {
    const buffer = this.buffer;
    if (buffer === undefined) return;
    let failures = 0;
    while (this.queue.length > 0 && !this.abort.signal.aborted) {
      const batch = this.queue[0] as Batch;
      let drop: BufferDrop | undefined;
      try {
        drop = await buffer.append(batch.events, batch.bytes);
      } catch (err) {
        // Disk full or an I/O error: keep the batch (reading pauses behind it, the data stays in the file) and retry.
        this.counters.bufferWriteFailures += 1;
        if ((failures & (failures - 1)) === 0) this.log(`writing to the disk buffer failed (${describeError(err)}); retrying`);
        failures += 1;
        await abortableSleep(Math.min(this.config.retryCapMs, this.config.retryBaseMs * 2 ** Math.min(failures, 10)), this.abort.signal);
        continue;
      }
      failures = 0;
      this.queue.shift();
      this.queuedEvents -= batch.events.length;
      this.queuedBytes -= batch.bytes;
      if (drop !== undefined) await this.reportDrop(drop);
      await this.saveCheckpoint(batch.through);
      this.kickShipping();
      this.tailer?.poke();
    }
  }

  // The loss is counted and logged now, and shipped as an error record of its own when the link returns (so it
  // reaches the dashboard). It is kept outside the ring, and on disk, so a later drop or a restart cannot lose it.
  private async reportDrop(drop: BufferDrop): Promise<void> {
    this.counters.bufferDroppedRecords += drop.records;
    this.counters.bufferDroppedBytes += drop.bytes;
    this.log(
      `disk buffer full (${this.config.bufferMaxBytes} bytes): dropped the oldest ${drop.records} unshipped record(s), ` +
        `${drop.bytes} bytes (${this.counters.bufferDroppedRecords} dropped in total)`,
    );
    const previous = this.unreportedDrop;
    this.unreportedDrop = {
      records: (previous?.records ?? 0) + drop.records,
      bytes: (previous?.bytes ?? 0) + drop.bytes,
      firstAt: previous?.firstAt ?? this.now(),
      lastAt: this.now(),
      seq: drop.lastSeq,
    };
    await this.dropNotices.save(this.unreportedDrop).catch((err: unknown) => this.log(`could not save the drop notice: ${describeError(err)}`));
  }

  private dropNoticeEvent(drop: UnreportedDrop): LogEvent {
    const details = {
      errorType: 'AGENT_BUFFER_OVERFLOW',
      storeNumber: this.config.storeId,
      kioskNumber: this.config.kioskId,
      droppedRecords: drop.records,
      droppedBytes: drop.bytes,
      bufferMaxBytes: this.config.bufferMaxBytes,
      firstDropAt: new Date(drop.firstAt).toISOString(),
      lastDropAt: new Date(drop.lastAt).toISOString(),
    };
    const message =
      `${agentEventId('drop', drop.seq)} [${new Date(drop.lastAt).toISOString()}] [ERROR] AGENT_BUFFER_OVERFLOW pos-agent dropped ${drop.records} ` +
      `unshipped log record(s) because its disk buffer reached ${this.config.bufferMaxBytes} bytes | ${JSON.stringify(details)}`;
    return { timestamp: drop.lastAt, message };
  }

  private async shipDropNotice(drop: UnreportedDrop): Promise<void> {
    const outcome = await this.shipper.send({ events: [this.dropNoticeEvent(drop)] }, this.abort.signal);
    if (outcome.status === 'accepted') this.counters.recordsShipped += outcome.acceptedEvents;
    // Only what this notice covered is cleared: drops that happened while it was in flight stay for the next one.
    const current = this.unreportedDrop;
    this.unreportedDrop =
      current === undefined || current.seq === drop.seq
        ? undefined
        : { ...current, records: current.records - drop.records, bytes: current.bytes - drop.bytes, firstAt: drop.lastAt };
    await this.dropNotices.save(this.unreportedDrop).catch((err: unknown) => this.log(`could not save the drop notice: ${describeError(err)}`));
  }

  private kickShipping(): void {
    if (this.abort.signal.aborted || this.buffer === undefined) return;
    if (this.shipping !== undefined) {
      // The loop may already have found the buffer empty: a batch appended meanwhile must not wait for the next one.
      this.shipAgain = true;
      return;
    }
    this.shipAgain = false;
    // Re-kicked only when asked to, never because a counter says there is more: a miscount must not spin the CPU.
    this.shipping = this.shipBuffer().finally(() => {
      this.shipping = undefined;
      if (this.shipAgain && this.state !== 'stopped') this.kickShipping();
    });
  }

  // Strictly one batch at a time, oldest first: the stream receives batches in file order.
  private async shipBuffer(): Promise<void> {
    const buffer = this.buffer;
    if (buffer === undefined) return;
    while (!this.abort.signal.aborted) {
      const drop = this.unreportedDrop;
      if (drop !== undefined) {
        try {
          await this.shipDropNotice(drop);
        } catch (err) {
          if (err instanceof AgentAbortedError) return;
          this.log(`unexpected shipping failure: ${describeError(err)}`);
          await abortableSleep(this.config.retryCapMs, this.abort.signal);
        }
        continue;
      }
      let batch: BufferedBatch | undefined;
      try {
        batch = await buffer.peek();
      } catch (err) {
        this.log(`reading the disk buffer failed: ${describeError(err)}`);
        await abortableSleep(this.config.retryCapMs, this.abort.signal);
        continue;
      }
      if (batch === undefined) return;
      let outcome: ShipOutcome;
      try {
        outcome = await this.shipper.send(batch, this.abort.signal);
      } catch (err) {
        if (err instanceof AgentAbortedError) return;
        this.log(`unexpected shipping failure: ${describeError(err)}`);
        await abortableSleep(this.config.retryCapMs, this.abort.signal);
        continue;
      }
      if (outcome.status === 'accepted') {
        this.counters.batchesSent += 1;
        this.counters.recordsShipped += outcome.acceptedEvents;
        this.counters.bytesShipped += batch.bytes;
        this.counters.eventsRejected += outcome.rejectedEvents;
        this.counters.lastShipAt = this.now();
        if (outcome.rejectedEvents > 0) {
          this.log(`PutLogEvents rejected ${outcome.rejectedEvents} event(s) as outside the accepted time window: ${JSON.stringify(outcome.rejectedInfo)}`);
        }
      } else {
        this.counters.batchesDropped += 1;
        this.counters.eventsDropped += batch.events.length;
        this.log(`PutLogEvents refused a batch of ${batch.events.length} event(s) (${describeError(outcome.error)}); dropped it`);
      }
      try {
        await buffer.ack(batch);
      } catch (err) {
        // The batch will be sent again: a duplicate that ingest drops by id, never a loss.
        this.log(`could not advance the disk buffer cursor: ${describeError(err)}`);
      }
    }
  }

  private async saveCheckpoint(position: FilePosition): Promise<void> {
    this.acknowledged = position;
    try {
      await this.checkpoints.save(position, new Date(this.now()));
    } catch (err) {
      this.counters.checkpointFailures += 1;
      this.log(describeError(err));
    }
  }

  private pendingRecords(): number {
    return this.memoryRecords() + (this.buffer?.bufferedRecords ?? 0);
  }

  private pendingBytes(): number {
    return this.memoryBytes() + (this.buffer?.bufferedBytes ?? 0);
  }

  private memoryRecords(): number {
    return this.multiline.pendingLines + this.batcher.pendingEvents + this.queuedEvents;
  }

  private memoryBytes(): number {
    return this.multiline.pendingBytes + this.batcher.pendingBytes + this.queuedBytes;
  }

  // Only what is held in memory pauses reading: an outage fills the disk buffer (bounded), not the heap.
  private isBackpressured(): boolean {
    return this.memoryRecords() >= this.config.maxPendingRecords || this.memoryBytes() >= this.config.maxPendingBytes;
  }
}
