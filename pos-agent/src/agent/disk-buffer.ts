// The agent's outage buffer: a write-ahead log of PutLogEvents-ready batches on local disk.
//
// Every sealed batch is appended here (and fsynced) before the file checkpoint moves past it, and shipped from here,
// so a record is always either still in the POS log after the checkpoint or in this buffer: a power cut loses
// neither. The buffer is bounded: at `maxBytes` whole segments are discarded oldest first and the loss is reported
// (Fluent Bit's `storage.total_limit_size` behaves the same way; blocking the reader instead would only move the loss
// to log rotation, which deletes files we have not read).
//
// Layout: `<dir>/<16-digit sequence>.seg` files of frames, plus `cursor.json` naming the next frame to ship.
// Frame: 'SLB1' | payload length u32 | CRC-32 of payload u32 | record count u32 | payload (JSON [[timestamp, message], ...]).
// A torn frame at the end of the newest segment (a crash mid-append) is cut off on open; a frame that fails its
// checksum elsewhere ends its segment (counted as corrupt). The cursor is written without fsync: losing its last
// update only re-sends batches, which carry stable ids that ingest deduplicates.
//
// Everything after open() (append, peek, ack, the cursor, the drop notice) uses synchronous fs calls: a handful of
// small local-disk operations per batch whose thread-pool round trips cost more CPU than the I/O (see sync-io.ts).
// The methods still return promises, run in call order, and reject with the same errors.

import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync } from 'node:fs';
import { mkdir, readdir, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { z } from 'zod';
import { AgentError, describeError } from './errors.js';
import { isNotFound, writeAllSync, writeFileQuickSync } from './sync-io.js';
import type { LogEvent } from './types.js';

const MAGIC = 0x534c4231; // 'SLB1'
const HEADER_BYTES = 16;
const SEGMENT_NAME = /^(\d{16})\.seg$/;
const MIN_SEGMENT_BYTES = 64 * 1024;
const MAX_SEGMENT_BYTES = 8 * 1024 * 1024;
/** Frames appended recently are also kept in memory so a healthy agent never reads its own writes back from disk. */
const CACHE_MAX_BYTES = 1024 * 1024;

const CursorSchema = z.object({ seq: z.number().int().nonnegative(), offset: z.number().int().nonnegative(), records: z.number().int().nonnegative() });
type Cursor = z.infer<typeof CursorSchema>;

const PayloadSchema = z.array(z.tuple([z.number(), z.string()]));

export interface BufferedBatch {
  readonly events: readonly LogEvent[];
  /** As PutLogEvents counts it: UTF-8 message bytes + 26 per event. */
  readonly bytes: number;
  readonly seq: number;
  readonly offset: number;
  readonly nextOffset: number;
}

/** What the bound made the buffer discard in one append. */
export interface BufferDrop {
  readonly records: number;
  readonly bytes: number;
  readonly segments: number;
  /** Sequence of the newest discarded segment: names the drop for its notice. */
  readonly lastSeq: number;
}

export interface DiskBufferOptions {
  readonly dir: string;
  readonly maxBytes: number;
  readonly segmentBytes?: number;
  readonly log?: (msg: string) => void;
}

interface Segment {
  readonly seq: number;
  size: number;
  records: number;
}

interface CachedFrame {
  readonly batch: BufferedBatch;
  readonly records: number;
  readonly diskBytes: number;
}

export class DiskBuffer {
  private readonly dir: string;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly log: (msg: string) => void;
  private readonly segments: Segment[] = [];
  private cursor: Cursor = { seq: 0, offset: 0, records: 0 };
  /** Descriptor of the newest segment, open for appending. */
  private writer: number | undefined;
  private cache: CachedFrame[] = [];
  private cacheBytes = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private corruptFrames = 0;
  // The batch handed out by peek() and not yet acknowledged: it is on its way out, so discarding its segment does
  // not lose it.
  private inFlight: BufferedBatch | undefined;
  private readonly knownDamage = new Set<string>();

  private constructor(options: DiskBufferOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.segmentBytes = options.segmentBytes ?? Math.min(MAX_SEGMENT_BYTES, Math.max(MIN_SEGMENT_BYTES, Math.floor(options.maxBytes / 8)));
    this.log = options.log ?? (() => undefined);
  }

  /** Opens (creating if needed) the buffer in `dir`, repairing a torn last frame. */
  static async open(options: DiskBufferOptions): Promise<DiskBuffer> {
    const buffer = new DiskBuffer(options);
    try {
      await mkdir(options.dir, { recursive: true });
      await buffer.load();
    } catch (err) {
      throw new AgentError('BUFFER_FAILED', `Cannot open the disk buffer in ${options.dir}: ${describeError(err)}`, { cause: err });
    }
    return buffer;
  }

  /** Unshipped records on disk. */
  get bufferedRecords(): number {
    let total = 0;
    for (const segment of this.segments) total += segment.records;
    return total - this.headAcked().records;
  }

  /** Unshipped bytes on disk (frame headers included). */
  get bufferedBytes(): number {
    return this.diskBytes() - this.headAcked().offset;
  }

  /** Frames found damaged (bad checksum or shape) and skipped since open. */
  get corruptFrameCount(): number {
    return this.corruptFrames;
  }

  /**
   * Appends one batch durably (fsync before resolving). When the buffer would exceed its bound, the oldest segments
   * are discarded first and reported.
   */
  append(events: readonly LogEvent[], bytes: number): Promise<BufferDrop | undefined> {
    return this.exclusive(() => this.appendNow(events, bytes));
  }

  /** The oldest unshipped batch, or undefined when everything was shipped. */
  peek(): Promise<BufferedBatch | undefined> {
    return this.exclusive(() => this.peekNow());
  }

  /** Marks `batch` shipped: the cursor moves past it and fully shipped segments are deleted. */
  ack(batch: BufferedBatch): Promise<void> {
    return this.exclusive(() => this.ackNow(batch));
  }

  async close(): Promise<void> {
    await this.exclusive(() => this.sealWriter());
  }

  private exclusive<T>(task: () => T): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<void> {
    const names = (await readdir(this.dir)).filter((name) => SEGMENT_NAME.test(name)).sort();
    let saved = await this.readCursorFile();
    for (const [index, name] of names.entries()) {
      const seq = Number(SEGMENT_NAME.exec(name)?.[1]);
      const data = await readFile(this.segmentPath(seq));
      // Frames before the cursor were shipped already: damage there must not cost the unshipped frames after it.
      let from = saved !== undefined && saved.seq === seq ? saved.offset : 0;
      if (from > data.length || (from > 0 && from < data.length && decodeFrame(data, from) === undefined)) {
        // The cursor does not point at a frame boundary: re-deliver the segment from its start (ids dedupe it).
        from = 0;
        saved = { seq, offset: 0, records: 0 };
      }
      const scan = scanFrames(data, from);
      let size = scan.end;
      if (scan.tornAt !== undefined && index === names.length - 1) {
        // A crash mid-append: the torn frame was never acknowledged to anyone, so cutting it loses nothing.
        await truncate(this.segmentPath(seq), scan.tornAt);
        size = scan.tornAt;
      } else if (scan.damaged.length > 0 || scan.tornAt !== undefined) {
        const count = scan.damaged.length + (scan.tornAt === undefined ? 0 : 1);
        this.corruptFrames += count;
        for (const offset of scan.damaged) this.knownDamage.add(`${seq}:${offset}`);
        this.log(`disk buffer segment ${name} holds ${count} damaged frame(s); skipped them, kept the rest`);
      }
      const acked = from > 0 && saved !== undefined ? saved.records : 0;
      this.segments.push({ seq, size, records: acked + scan.records });
    }
    this.cursor = this.resolveCursor(saved);
  }

  private async readCursorFile(): Promise<Cursor | undefined> {
    try {
      const parsed = CursorSchema.safeParse(JSON.parse(await readFile(this.cursorPath(), 'utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  private resolveCursor(saved: Cursor | undefined): Cursor {
    const oldest = this.segments[0];
    const start: Cursor = { seq: oldest?.seq ?? 0, offset: 0, records: 0 };
    if (saved === undefined) return start;
    const segment = this.segments.find((candidate) => candidate.seq === saved.seq);
    // Past the newest segment the cursor contradicts the files (the buffer never moves it there while segments
    // remain): trusting it would strand every batch appended from now on behind it. Re-deliver instead (ids dedupe).
    const newest = this.segments.at(-1);
    if (segment === undefined) {
      return saved.seq < start.seq || newest === undefined || saved.seq > newest.seq ? start : { seq: saved.seq, offset: 0, records: 0 };
    }
    if (saved.offset > segment.size || saved.records > segment.records) return { seq: segment.seq, offset: 0, records: 0 };
    return saved;
  }

  private appendNow(events: readonly LogEvent[], bytes: number): BufferDrop | undefined {
    const payload = Buffer.from(JSON.stringify(events.map((event) => [event.timestamp, event.message])), 'utf8');
    const frame = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
    frame.writeUInt32BE(MAGIC, 0);
    frame.writeUInt32BE(payload.length, 4);
    frame.writeUInt32BE(crc32(payload), 8);
    frame.writeUInt32BE(events.length, 12);
    payload.copy(frame, HEADER_BYTES);

    const drop = this.makeRoom(frame.length);
    let segment = this.segments.at(-1);
    if (segment === undefined || this.writer === undefined || segment.size >= this.segmentBytes) segment = this.startSegment();
    const writer = this.writer as number;
    const offset = segment.size;
    try {
      writeAllSync(writer, frame, offset);
      fsyncSync(writer);
    } catch (err) {
      // A write that failed partway (disk full) left part of the frame behind, and the segment appends: the retry would
      // land after those bytes, where no offset expects it. Cut them off; if even that fails, retry in a new segment.
      try {
        ftruncateSync(writer, offset);
      } catch {
        this.sealWriter();
      }
      throw err;
    }
    segment.size += frame.length;
    segment.records += events.length;
    this.remember({ batch: { events, bytes, seq: segment.seq, offset, nextOffset: segment.size }, records: events.length, diskBytes: frame.length });
    return drop;
  }

  private makeRoom(incoming: number): BufferDrop | undefined {
    if (this.diskBytes() + incoming <= this.maxBytes) return undefined;
    let records = 0;
    let bytes = 0;
    let dropped = 0;
    let lastSeq = 0;
    // The segment being written can only be dropped once sealed: the next append then starts a new one.
    const writing = this.segments.at(-1);
    if (writing !== undefined && writing.size > 0) this.sealWriter();
    while (this.segments.length > 0 && this.diskBytes() + incoming > this.maxBytes) {
      const oldest = this.segments.shift() as Segment;
      const acked = oldest.seq === this.cursor.seq ? this.cursor : { offset: 0, records: 0 };
      records += oldest.records - acked.records;
      bytes += oldest.size - acked.offset;
      const sending = this.inFlight;
      if (sending !== undefined && sending.seq === oldest.seq && sending.offset >= acked.offset) {
        records -= sending.events.length;
        bytes -= sending.nextOffset - sending.offset;
      }
      dropped += 1;
      lastSeq = oldest.seq;
      this.forget(oldest.seq);
      rmSync(this.segmentPath(oldest.seq), { force: true });
    }
    const next = this.segments[0];
    if (this.cursor.seq <= lastSeq) this.saveCursor({ seq: next?.seq ?? lastSeq + 1, offset: 0, records: 0 });
    return records === 0 && bytes === 0 ? undefined : { records, bytes, segments: dropped, lastSeq };
  }

  private peekNow(): BufferedBatch | undefined {
    for (;;) {
      const index = this.segments.findIndex((segment) => segment.seq >= this.cursor.seq);
      const segment = this.segments[index];
      if (segment === undefined) return undefined;
      if (segment.seq !== this.cursor.seq) this.cursor = { seq: segment.seq, offset: 0, records: 0 };
      if (this.cursor.offset < segment.size) {
        const cached = this.cache.find((entry) => entry.batch.seq === segment.seq && entry.batch.offset === this.cursor.offset);
        const batch = cached?.batch ?? this.readFrame(segment);
        if (batch !== undefined) {
          this.inFlight = batch;
          return batch;
        }
        // Damaged: resume at the next valid frame of the segment (counted once, when it was first found).
        const known = this.knownDamage.delete(`${segment.seq}:${this.cursor.offset}`);
        const next = nextFrameAfter(readFileSync(this.segmentPath(segment.seq)), this.cursor.offset);
        const resumeAt = next === undefined || next >= segment.size ? segment.size : next;
        if (!known) {
          this.corruptFrames += 1;
          this.log(`disk buffer frame at ${segment.seq}:${this.cursor.offset} is damaged; skipped ${resumeAt - this.cursor.offset} byte(s)`);
        }
        this.cursor = { seq: segment.seq, offset: resumeAt, records: resumeAt === segment.size ? segment.records : this.cursor.records };
        continue;
      }
      const isWriting = index === this.segments.length - 1;
      if (isWriting) return undefined;
      this.retireHead(segment);
    }
  }

  private readFrame(segment: Segment): BufferedBatch | undefined {
    const fd = openSync(this.segmentPath(segment.seq), 'r');
    try {
      const header = Buffer.alloc(HEADER_BYTES);
      readSync(fd, header, 0, HEADER_BYTES, this.cursor.offset);
      if (header.readUInt32BE(0) !== MAGIC) return undefined;
      const length = header.readUInt32BE(4);
      if (this.cursor.offset + HEADER_BYTES + length > segment.size) return undefined;
      const frame = Buffer.alloc(HEADER_BYTES + length);
      header.copy(frame);
      readSync(fd, frame, HEADER_BYTES, length, this.cursor.offset + HEADER_BYTES);
      const decoded = decodeFrame(frame, 0);
      if (decoded === undefined) return undefined;
      return { ...decoded.batch, seq: segment.seq, offset: this.cursor.offset, nextOffset: this.cursor.offset + decoded.nextOffset };
    } finally {
      closeSync(fd);
    }
  }

  private ackNow(batch: BufferedBatch): void {
    if (this.inFlight === batch) this.inFlight = undefined;
    // The bound may have discarded the segment while the batch was in flight: the cursor has already moved on.
    if (batch.seq !== this.cursor.seq || batch.offset !== this.cursor.offset) return;
    const segment = this.segments.find((candidate) => candidate.seq === batch.seq);
    if (segment === undefined) return;
    const cached = this.cache[0];
    if (cached !== undefined && cached.batch.seq === batch.seq && cached.batch.offset === batch.offset) {
      this.cache.shift();
      this.cacheBytes -= cached.diskBytes;
    }
    const next: Cursor = { seq: batch.seq, offset: batch.nextOffset, records: this.cursor.records + batch.events.length };
    const isWriting = segment === this.segments.at(-1);
    if (next.offset >= segment.size && !isWriting) {
      this.cursor = next;
      this.retireHead(segment);
      return;
    }
    this.saveCursor(next);
  }

  private retireHead(segment: Segment): void {
    const index = this.segments.indexOf(segment);
    if (index !== -1) this.segments.splice(index, 1);
    this.forget(segment.seq);
    rmSync(this.segmentPath(segment.seq), { force: true });
    const next = this.segments[0];
    this.saveCursor({ seq: next?.seq ?? segment.seq + 1, offset: 0, records: 0 });
  }

  private startSegment(): Segment {
    this.sealWriter();
    const last = this.segments.at(-1);
    let segment: Segment;
    if (last !== undefined && last.size === 0) {
      segment = last;
    } else {
      segment = { seq: (last?.seq ?? this.cursor.seq - 1) + 1, size: 0, records: 0 };
      this.segments.push(segment);
    }
    this.writer = openSync(this.segmentPath(segment.seq), 'a+');
    segment.size = fstatSync(this.writer).size;
    return segment;
  }

  private sealWriter(): void {
    const writer = this.writer;
    this.writer = undefined;
    if (writer !== undefined) closeSync(writer);
  }

  private saveCursor(cursor: Cursor): void {
    this.cursor = cursor;
    const temp = `${this.cursorPath()}.tmp`;
    const data = Buffer.from(`${JSON.stringify(cursor)}\n`, 'utf8');
    try {
      replaceFileSync(temp, this.cursorPath(), data);
    } catch (err) {
      // The directory only goes missing if someone removed it: recreate it then, instead of on every ack.
      if (!isNotFound(err)) throw err;
      mkdirSync(this.dir, { recursive: true });
      replaceFileSync(temp, this.cursorPath(), data);
    }
  }

  private remember(entry: CachedFrame): void {
    this.cache.push(entry);
    this.cacheBytes += entry.diskBytes;
    while (this.cacheBytes > CACHE_MAX_BYTES && this.cache.length > 0) {
      const evicted = this.cache.shift() as CachedFrame;
      this.cacheBytes -= evicted.diskBytes;
    }
  }

  private forget(seq: number): void {
    const kept = this.cache.filter((entry) => entry.batch.seq !== seq);
    if (kept.length === this.cache.length) return;
    this.cache = kept;
    this.cacheBytes = kept.reduce((sum, entry) => sum + entry.diskBytes, 0);
  }

  private headAcked(): { offset: number; records: number } {
    const head = this.segments[0];
    return head !== undefined && head.seq === this.cursor.seq ? this.cursor : { offset: 0, records: 0 };
  }

  private diskBytes(): number {
    let total = 0;
    for (const segment of this.segments) total += segment.size;
    return total;
  }

  private segmentPath(seq: number): string {
    return join(this.dir, `${String(seq).padStart(16, '0')}.seg`);
  }

  private cursorPath(): string {
    return join(this.dir, 'cursor.json');
  }
}

const MAGIC_BYTES = Buffer.from([0x53, 0x4c, 0x42, 0x31]);

/** The next offset after `offset` where a whole, valid frame starts: where reading resumes after damage. */
function nextFrameAfter(data: Buffer, offset: number): number | undefined {
  let candidate = data.indexOf(MAGIC_BYTES, offset + 1);
  while (candidate !== -1) {
    if (decodeFrame(data, candidate) !== undefined) return candidate;
    candidate = data.indexOf(MAGIC_BYTES, candidate + 1);
  }
  return undefined;
}

/**
 * Valid frames from `from` on, skipping damaged ones (a bad checksum, a flipped length) to the next valid frame.
 * `tornAt`: where trailing bytes that hold no valid frame begin (a write cut short by a crash), if any.
 */
function scanFrames(data: Buffer, from: number): { end: number; records: number; damaged: number[]; tornAt?: number } {
  let offset = from;
  let records = 0;
  const damaged: number[] = [];
  while (offset < data.length) {
    const frame = decodeFrame(data, offset);
    if (frame !== undefined) {
      records += frame.records;
      offset = frame.nextOffset;
      continue;
    }
    const next = nextFrameAfter(data, offset);
    if (next === undefined) return { end: data.length, records, damaged, tornAt: offset };
    damaged.push(offset);
    offset = next;
  }
  return { end: offset, records, damaged };
}

function decodeFrame(
  data: Buffer,
  offset: number,
): { batch: Omit<BufferedBatch, 'seq' | 'offset' | 'nextOffset'>; records: number; nextOffset: number } | undefined {
  if (offset + HEADER_BYTES > data.length || data.readUInt32BE(offset) !== MAGIC) return undefined;
  const length = data.readUInt32BE(offset + 4);
  const end = offset + HEADER_BYTES + length;
  if (end > data.length) return undefined;
  const payload = data.subarray(offset + HEADER_BYTES, end);
  if (crc32(payload) !== data.readUInt32BE(offset + 8)) return undefined;
  let parsed: Array<[number, string]>;
  try {
    const result = PayloadSchema.safeParse(JSON.parse(payload.toString('utf8')));
    if (!result.success) return undefined;
    parsed = result.data;
  } catch {
    return undefined;
  }
  if (parsed.length !== data.readUInt32BE(offset + 12)) return undefined;
  let bytes = 0;
  const events = parsed.map(([timestamp, message]) => {
    bytes += Buffer.byteLength(message, 'utf8') + 26;
    return { timestamp, message };
  });
  return { batch: { events, bytes }, records: events.length, nextOffset: end };
}

/** Replaces `path` through `temp` and a rename, without fsync (see the header: losing the update is harmless). */
function replaceFileSync(temp: string, path: string, data: Buffer): void {
  writeFileQuickSync(temp, data, { durable: false });
  renameSync(temp, path);
}

const UnreportedDropSchema = z.object({
  records: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  firstAt: z.number(),
  lastAt: z.number(),
  seq: z.number().int().nonnegative(),
});

/** Data the bound discarded that has not been reported upstream yet. */
export type UnreportedDrop = z.infer<typeof UnreportedDropSchema>;

/** Keeps the unreported drop totals across restarts (an outage can outlast the agent process). */
export class DropNoticeStore {
  constructor(private readonly path: string) {}

  async load(): Promise<UnreportedDrop | undefined> {
    try {
      const parsed = UnreportedDropSchema.safeParse(JSON.parse(await readFile(this.path, 'utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  // Synchronous like the buffer's own writes; still a promise, rejecting on failure as before.
  async save(drop: UnreportedDrop | undefined): Promise<void> {
    if (drop === undefined) {
      rmSync(this.path, { force: true });
      return;
    }
    replaceFileSync(`${this.path}.tmp`, this.path, Buffer.from(`${JSON.stringify(drop)}\n`, 'utf8'));
  }
}
