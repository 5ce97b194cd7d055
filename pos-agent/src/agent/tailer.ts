// Follows one log file by path the way a kiosk needs it: from a saved byte offset, through a held file descriptor,
// surviving the file not existing yet, being truncated, or being renamed away and recreated.
//
// Change detection: `fs.watch` on the parent directory is only a hint (it is unreliable on network and container
// filesystems); an fstat/stat poll is the fallback that guarantees progress. All reads go through one reused buffer,
// and a line longer than `maxLineBytes` is cut while it streams, so a runaway line never sits in memory whole.
//
// The file operations (open, fstat, read, stat) are synchronous: each pump is a few microsecond syscalls on a local
// file, and through the thread pool each one cost more CPU in wake-ups than the I/O itself (see sync-io.ts). Only
// a read that fills the whole buffer (catching up on a backlog) yields to the event loop before the next one, so a
// large backlog cannot hold up shipping and timers; directory listings stay asynchronous.

import { createHash } from 'node:crypto';
import { constants, fstatSync, openSync, readSync, statSync, watch, type FSWatcher } from 'node:fs';
import { readdir, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describeError } from './errors.js';
import { closeQuietly, isNotFound } from './sync-io.js';
import { sameFile, sameIdentity, type FileIdentity, type FilePosition, type SkipReason, type TailLine } from './types.js';
import { trimIncompleteUtf8Tail, truncationMarker } from './utf8.js';

/** 256 KiB (the event cap we respect) minus room for the truncation marker and a multiline header. */
export const DEFAULT_MAX_LINE_BYTES = 256 * 1024 - 1024;
// The watch wakes the tailer as each line lands; the poll only catches what a watch misses (network filesystems,
// a watch that failed). Each poll is an fstat, a fingerprint read, a read and a stat: when those went through the
// thread pool, four polls a second were a fifth of an otherwise idle agent's CPU.
export const DEFAULT_POLL_INTERVAL_MS = 1000;
export const DEFAULT_PARTIAL_LINE_FLUSH_MS = 1000;
// Each read has a fixed cost (a thread-pool round trip when this was measured; now a syscall and, while catching up,
// a yield to the event loop): at 64 KiB they cost a noticeable share of a core while catching up on a large file;
// 256 KiB cuts that by three quarters for 192 KiB more memory.
export const DEFAULT_READ_BUFFER_BYTES = 256 * 1024;
/** A line where more than this share of characters are control or replacement characters is binary garbage. */
export const BINARY_LINE_RATIO = 0.3;
/** A file's fingerprint covers its first bytes: with a timestamped first line, enough to tell two files apart. */
export const FINGERPRINT_BYTES = 64;
// Rotated copies that were compressed cannot be read back as text.
const COMPRESSED_SUFFIX = /\.(gz|bz2|xz|zst|lz4|zip|Z)$/;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export interface StartDecision {
  readonly offset: number;
  /** Why this offset: reported to the owner, and `truncated`/`rotated` are counted like live events. */
  readonly reason: 'resume' | 'beginning' | 'end' | 'new-file' | 'truncated' | 'rotated' | 'recovered';
  /**
   * The file (and offset) we stopped in, when it is no longer the one at our path: the tailer looks for it among the
   * path's rotated siblings (`pos.log.1`, `pos.log-20261126`, a copytruncate copy) and reads its rest first.
   */
  readonly recover?: FilePosition;
}

export interface TailerOptions {
  readonly path: string;
  /**
   * Where to start in the first file found at `path` when it already existed at start.
   * A file that appears later, or replaces a rotated one, is always read from 0.
   */
  readonly startAt: (identity: FileIdentity, size: number) => StartDecision;
  readonly onLine: (line: TailLine) => void;
  readonly onSkip?: (reason: SkipReason, position: FilePosition) => void;
  readonly onOpen?: (position: FilePosition, decision: StartDecision) => void;
  /** `recoveredFrom`: the rotated copy the unread rest of the old content was read from (copytruncate). */
  readonly onTruncate?: (info: { identity: FileIdentity; previousOffset: number; size: number; recoveredFrom?: string }) => void;
  readonly onRotate?: (info: { from: FileIdentity; to: FileIdentity }) => void;
  readonly onError?: (err: unknown) => void;
  /** Checked before every read: while it returns true nothing more is read (the file is the buffer). */
  readonly isPaused?: () => boolean;
  readonly pollIntervalMs?: number;
  readonly partialLineFlushMs?: number;
  readonly maxLineBytes?: number;
  readonly readBufferBytes?: number;
  readonly now?: () => number;
}

export class FileTailer {
  private readonly path: string;
  private readonly options: TailerOptions;
  private readonly pollIntervalMs: number;
  private readonly partialLineFlushMs: number;
  private readonly maxLineBytes: number;
  private readonly now: () => number;
  private readonly buffer: Buffer;

  /** Descriptor of the followed file (or of the rotated copy being drained). */
  private handle: number | undefined;
  private currentIdentity: FileIdentity | undefined;
  private readPosition = 0;
  private knownSize = 0;
  private everOpened = false;
  private waitedForFile = false;

  // The line being assembled: kept bytes (at most maxLineBytes) plus a count of bytes discarded beyond the cap.
  private lineChunks: Buffer[] = [];
  private lineBytes = 0;
  private lineDroppedBytes = 0;
  private lineStart = 0;
  private lastDataAt = 0;
  // The held descriptor is a rotated or copied sibling holding data we had not read yet: read it to its end, then
  // open the path afresh from 0.
  private draining = false;
  private openFresh = false;
  // After a partial line was flushed on timeout, its late newline must not produce an empty line.
  private swallowNextNewline = false;
  private peakLineBytes = 0;
  // Only a line that sits at EOF can be declared finished by the idle timeout; one behind a pause cannot.
  private atEndOfFile = false;

  private pumping: Promise<void> | undefined;
  private pumpRequested = false;
  private stopped = false;
  private started = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private partialTimer: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private lastErrorText: string | undefined;

  constructor(options: TailerOptions) {
    this.options = options;
    this.path = options.path;
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.partialLineFlushMs = options.partialLineFlushMs ?? DEFAULT_PARTIAL_LINE_FLUSH_MS;
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.now = options.now ?? Date.now;
    this.buffer = Buffer.allocUnsafe(options.readBufferBytes ?? DEFAULT_READ_BUFFER_BYTES);
  }

  /** Identity of the file currently held open (undefined while waiting for the file to appear). */
  get identity(): FileIdentity | undefined {
    return this.currentIdentity;
  }

  /** Next byte to read in the held file. */
  get position(): number {
    return this.readPosition;
  }

  /** Last known size of the held file. */
  get fileSize(): number {
    return Math.max(this.knownSize, this.readPosition);
  }

  /** Largest number of bytes ever held for one unfinished line: bounded by `maxLineBytes`. */
  get peakLineBufferBytes(): number {
    return this.peakLineBytes;
  }

  /** Opens the file if it exists and reads what is there; then keeps following it until stop(). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.ensureWatcher();
    this.pollTimer = setInterval(() => {
      this.ensureWatcher();
      this.poke();
    }, this.pollIntervalMs);
    this.pollTimer.unref();
    await this.pump();
  }

  /** Asks for a read soon (after a watch event, or when the owner stops being back-pressured). */
  poke(): void {
    if (!this.stopped && this.started) void this.pump();
  }

  /**
   * Stops following and closes the file. A partial last line is NOT emitted: it was not acknowledged, so the
   * checkpoint stays before it and the next run reads it again once complete.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer !== undefined) clearInterval(this.pollTimer);
    if (this.partialTimer !== undefined) clearTimeout(this.partialTimer);
    this.pollTimer = undefined;
    this.partialTimer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
    await this.pumping;
    await this.closeHandle();
  }

  // One pump at a time; requests arriving meanwhile make it loop once more instead of running concurrently.
  private pump(): Promise<void> {
    // Also keeps the loop below from finishing synchronously (its `finally` must run after the assignment).
    if (this.stopped) return Promise.resolve();
    this.pumpRequested = true;
    if (this.pumping !== undefined) return this.pumping;
    this.pumping = (async () => {
      try {
        while (this.pumpRequested && !this.stopped) {
          this.pumpRequested = false;
          try {
            await this.step();
            this.lastErrorText = undefined;
          } catch (err) {
            this.reportError(err);
            // A failing descriptor is reopened on the next poll; same identity resumes at the same position.
            await this.closeHandle();
          }
          this.flushPartialLineIfIdle();
        }
      } finally {
        this.pumping = undefined;
        this.armPartialTimer();
      }
    })();
    return this.pumping;
  }

  private async step(): Promise<void> {
    if (this.handle === undefined && !(await this.openAtPath())) return;
    const handle = this.handle;
    if (handle === undefined) return;
    const size = Number(fstatSync(handle, { bigint: true }).size);
    this.knownSize = size;
    if (!this.draining) {
      const current = this.currentIdentity;
      if (current === undefined) return;
      const fp = fingerprintOf(handle, size);
      // Shorter than our offset, or different first bytes: truncated (copytruncate), possibly already rewritten past
      // where we were. Either way the bytes we have not read are gone from this file.
      if (size < this.readPosition || (current.fp !== undefined && fp !== current.fp)) {
        await this.restartAfterTruncation(size, fp);
        return;
      }
      if (current.fp === undefined && fp !== undefined) this.currentIdentity = { ...current, fp };
    }
    if (!(await this.readToEnd())) return;
    if (this.draining) {
      await this.finishDrain();
      return;
    }
    await this.followRotation();
  }

  /** Reads until EOF. Returns false when it stopped early (paused or stopping). */
  private async readToEnd(): Promise<boolean> {
    const handle = this.handle;
    if (handle === undefined) return false;
    while (!this.stopped) {
      if (this.options.isPaused?.() === true) return false;
      // A bare descriptor, unlike a FileHandle, may be reused by another open once closed: read only the one we hold.
      if (this.handle !== handle) return false;
      const bytesRead = readSync(handle, this.buffer, 0, this.buffer.length, this.readPosition);
      if (bytesRead === 0) {
        this.atEndOfFile = true;
        return true;
      }
      this.atEndOfFile = false;
      this.consume(bytesRead);
      // A full buffer means a backlog: let the event loop ship, flush and take stop() between chunks.
      if (bytesRead === this.buffer.length) await yieldToEventLoop();
    }
    return false;
  }

  private consume(bytesRead: number): void {
    const chunk = this.buffer.subarray(0, bytesRead);
    const base = this.readPosition;
    let start = 0;
    if (this.swallowNextNewline) {
      this.swallowNextNewline = false;
      if (chunk[0] === NEWLINE) start = 1;
    }
    while (start < bytesRead) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) {
        if (!this.hasPartialLine()) this.lineStart = base + start;
        this.appendToLine(chunk, start, bytesRead);
        break;
      }
      const positionAfter = base + newline + 1;
      if (!this.hasPartialLine() && newline - start <= this.maxLineBytes) {
        // Common case: the whole line is inside this chunk; decode straight from the read buffer.
        this.lineStart = base + start;
        this.emit(chunk, start, newline, 0, positionAfter);
      } else {
        if (!this.hasPartialLine()) this.lineStart = base + start;
        this.appendToLine(chunk, start, newline);
        this.emitPendingLine(positionAfter);
      }
      start = newline + 1;
    }
    this.readPosition = base + bytesRead;
    this.knownSize = Math.max(this.knownSize, this.readPosition);
    this.lastDataAt = this.now();
  }

  private appendToLine(chunk: Buffer, from: number, to: number): void {
    const length = to - from;
    if (length <= 0) return;
    const keep = Math.min(Math.max(this.maxLineBytes - this.lineBytes, 0), length);
    if (keep > 0) {
      // Copy: the read buffer is reused by the next read.
      this.lineChunks.push(Buffer.from(chunk.subarray(from, from + keep)));
      this.lineBytes += keep;
      this.peakLineBytes = Math.max(this.peakLineBytes, this.lineBytes);
    }
    this.lineDroppedBytes += length - keep;
  }

  private hasPartialLine(): boolean {
    return this.lineBytes > 0 || this.lineDroppedBytes > 0;
  }

  private emitPendingLine(positionAfter: number): void {
    const bytes = this.lineChunks.length === 1 ? (this.lineChunks[0] as Buffer) : Buffer.concat(this.lineChunks, this.lineBytes);
    const dropped = this.lineDroppedBytes;
    this.lineChunks = [];
    this.lineBytes = 0;
    this.lineDroppedBytes = 0;
    this.emit(bytes, 0, bytes.length, dropped, positionAfter);
  }

  /** Emits the line in `bytes[from, to)`: a range, not a subarray, so the common case allocates no Buffer per line. */
  private emit(bytes: Buffer, from: number, to: number, droppedBytes: number, offset: number): void {
    const identity = this.currentIdentity;
    if (identity === undefined) return;
    const position: FilePosition = { identity, offset };
    let end = to;
    let dropped = droppedBytes;
    if (dropped > 0) {
      // Cut at a character boundary so the kept part does not end in a replacement character.
      end = from + trimIncompleteUtf8Tail(bytes.subarray(from, to));
      dropped += to - end;
    } else if (end > from && bytes[end - 1] === CARRIAGE_RETURN) {
      end -= 1;
    }
    // Invalid UTF-8 decodes to U+FFFD: never throws, whatever the bytes.
    const text = bytes.toString('utf8', from, end);
    if (looksBinary(text)) {
      this.options.onSkip?.('binary', position);
      return;
    }
    this.options.onLine({
      text: dropped > 0 ? text + truncationMarker(dropped) : text,
      position,
      start: this.lineStart,
      truncatedBytes: dropped,
      readAt: this.now(),
    });
  }

  private flushPartialLineIfIdle(): void {
    if (!this.hasPartialLine() || this.stopped || !this.atEndOfFile) return;
    if (this.now() - this.lastDataAt < this.partialLineFlushMs) return;
    this.emitPendingLine(this.readPosition);
    this.swallowNextNewline = true;
  }

  private armPartialTimer(): void {
    if (this.stopped || !this.hasPartialLine() || !this.atEndOfFile || this.partialTimer !== undefined) return;
    const wait = Math.max(0, this.partialLineFlushMs - (this.now() - this.lastDataAt));
    this.partialTimer = setTimeout(() => {
      this.partialTimer = undefined;
      this.poke();
    }, wait + 1);
    this.partialTimer.unref();
  }

  private async restartAfterTruncation(size: number, fp: string | undefined): Promise<void> {
    const old = this.currentIdentity;
    if (old === undefined) return;
    const previousOffset = this.readPosition;
    const unreadFrom = this.hasPartialLine() ? this.lineStart : this.readPosition;
    // copytruncate copies the file before truncating it: the copy holds what we had not read yet, at the same offsets.
    const copy = old.fp === undefined ? undefined : await this.findSibling(old, unreadFrom, { contentOnly: true });
    if (copy !== undefined) {
      // A line flushed on timeout whose newline we have not read yet: that newline is the copy's first unread byte.
      const swallow = this.swallowNextNewline && !this.hasPartialLine();
      this.resetLine();
      this.swallowNextNewline = swallow;
      await this.closeHandle();
      this.handle = copy.handle;
      this.readPosition = unreadFrom;
      this.draining = true;
      this.pumpRequested = true;
      this.options.onTruncate?.({ identity: old, previousOffset, size, recoveredFrom: copy.path });
      return;
    }
    // No copy to finish from: ship the held bytes (written before the truncation) rather than lose them.
    if (this.hasPartialLine()) this.emitPendingLine(previousOffset);
    this.swallowNextNewline = false;
    this.readPosition = 0;
    this.currentIdentity = { dev: old.dev, ino: old.ino, ...(fp === undefined ? {} : { fp }) };
    this.options.onTruncate?.({ identity: old, previousOffset, size });
  }

  private async finishDrain(): Promise<void> {
    // Nothing will ever complete the copy's last unterminated line.
    if (this.hasPartialLine()) this.emitPendingLine(this.readPosition);
    this.swallowNextNewline = false;
    const from = this.currentIdentity;
    await this.closeHandle();
    this.draining = false;
    this.openFresh = true;
    if (await this.openAtPath()) {
      const to = this.currentIdentity;
      // A copytruncate copy drained back into its own (truncated) file is not a rotation.
      if (from !== undefined && to !== undefined && !sameIdentity(from, to)) this.options.onRotate?.({ from, to });
      this.pumpRequested = true;
    }
  }

  /**
   * A file beside ours whose name extends our file's name (`pos.log.1`, `pos.log-20261126`) holding `target`'s data
   * beyond `minSize`: the same inode renamed away, or (contentOnly, for copytruncate) a copy with the same first bytes.
   */
  private async findSibling(
    target: FileIdentity,
    minSize: number,
    { contentOnly }: { contentOnly: boolean },
  ): Promise<{ path: string; handle: number } | undefined> {
    const dir = dirname(this.path);
    const name = basename(this.path);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return undefined;
    }
    let best: { path: string; sameInode: boolean } | undefined;
    for (const candidate of names) {
      if (candidate === name || !candidate.startsWith(name) || COMPRESSED_SUFFIX.test(candidate)) continue;
      const path = join(dir, candidate);
      const found = inspect(path);
      if (found === undefined || found.size <= minSize) continue;
      const sameInode = found.identity.dev === target.dev && found.identity.ino === target.ino;
      if (contentOnly && sameInode) continue;
      const matches = target.fp !== undefined ? found.identity.fp === target.fp : sameInode;
      if (!matches) continue;
      if (best === undefined || (sameInode && !best.sameInode)) best = { path, sameInode };
    }
    if (best === undefined) return undefined;
    try {
      return { path: best.path, handle: openSync(best.path, 'r') };
    } catch {
      return undefined;
    }
  }

  // A different file at our path means rename rotation: drain the old descriptor, then follow the new file from 0.
  private async followRotation(): Promise<void> {
    // Renamed away and not recreated yet (undefined): keep the old descriptor, the writer may still append to it.
    const stats = statSync(this.path, { bigint: true, throwIfNoEntry: false });
    if (stats === undefined) return;
    const atPath = identityOf(stats, undefined);
    const from = this.currentIdentity;
    if (from === undefined || sameIdentity(atPath, from)) return;
    if (!(await this.readToEnd())) return;
    // Nothing will ever complete the old file's last unterminated line.
    if (this.hasPartialLine()) this.emitPendingLine(this.readPosition);
    this.swallowNextNewline = false;
    await this.closeHandle();
    if (await this.openAtPath()) {
      const to = this.currentIdentity;
      if (to !== undefined) this.options.onRotate?.({ from, to });
      this.pumpRequested = true;
    }
  }

  private async openAtPath(): Promise<boolean> {
    let handle: number;
    try {
      handle = openSync(this.path, 'r');
    } catch (err) {
      if (isNotFound(err)) {
        if (!this.everOpened) this.waitedForFile = true;
        return false;
      }
      throw err;
    }
    try {
      const stats = fstatSync(handle, { bigint: true });
      const size = Number(stats.size);
      const identity = identityOf(stats, fingerprintOf(handle, size));
      let decision: StartDecision;
      if (this.openFresh) {
        this.openFresh = false;
        decision = { offset: 0, reason: 'new-file' };
      } else if (!this.everOpened) {
        decision = this.waitedForFile ? { offset: 0, reason: 'new-file' } : this.options.startAt(identity, size);
        const recover = decision.recover;
        const rest = recover === undefined ? undefined : await this.findSibling(recover.identity, recover.offset, { contentOnly: false });
        if (recover !== undefined && rest !== undefined) {
          // Stopped inside a file that has since been rotated away: finish it first, then come back to the path.
          closeQuietly(handle);
          this.handle = rest.handle;
          this.draining = true;
          this.atEndOfFile = false;
          this.currentIdentity = recover.identity;
          this.readPosition = recover.offset;
          this.knownSize = recover.offset;
          this.everOpened = true;
          this.options.onOpen?.(recover, { offset: recover.offset, reason: 'recovered' });
          return true;
        }
      } else if (sameFile(identity, this.currentIdentity)) {
        // Reopened after an I/O error: same file, same place (unless it shrank meanwhile).
        decision = this.readPosition <= size ? { offset: this.readPosition, reason: 'resume' } : { offset: 0, reason: 'truncated' };
      } else {
        decision = { offset: 0, reason: 'new-file' };
      }
      const offset = Math.min(Math.max(0, decision.offset), size);
      if (!sameFile(identity, this.currentIdentity)) this.resetLine();
      this.handle = handle;
      this.atEndOfFile = false;
      this.currentIdentity = identity;
      this.readPosition = offset;
      this.knownSize = size;
      this.everOpened = true;
      this.options.onOpen?.({ identity, offset }, decision);
      return true;
    } catch (err) {
      closeQuietly(handle);
      throw err;
    }
  }

  private resetLine(): void {
    this.lineChunks = [];
    this.lineBytes = 0;
    this.lineDroppedBytes = 0;
    this.swallowNextNewline = false;
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (handle !== undefined) closeQuietly(handle);
  }

  private ensureWatcher(): void {
    if (this.watcher !== undefined || this.stopped) return;
    const name = basename(this.path);
    try {
      const watcher = watch(dirname(this.path), { persistent: false }, (_event, filename) => {
        if (filename === null || filename === name) this.poke();
      });
      watcher.on('error', () => {
        // Watching is only a hint; the poll keeps going and the next tick tries to watch again.
        watcher.close();
        if (this.watcher === watcher) this.watcher = undefined;
      });
      this.watcher = watcher;
    } catch {
      // The directory may not exist yet, or the platform cannot watch it: the poll covers both.
    }
  }

  private reportError(err: unknown): void {
    // A persistent failure would otherwise repeat on every poll.
    const text = describeError(err);
    if (text === this.lastErrorText) return;
    this.lastErrorText = text;
    this.options.onError?.(err);
  }
}

// The characters looksBinary counts. Testing for any of them first is a native scan: almost every log line has none,
// and then the per-character count below is not needed.
const SUSPICIOUS_CHARACTER = /[\x00-\x08\x0a-\x1a\x1c-\x1f\x7f-\x9f\ufffd]/;

/** True for decoded lines that are mostly control characters or replacement characters (binary written to a log). */
export function looksBinary(text: string): boolean {
  if (text.length === 0 || !SUSPICIOUS_CHARACTER.test(text)) return false;
  let suspicious = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x1b) || code === 0x7f || (code >= 0x80 && code <= 0x9f) || code === 0xfffd) {
      suspicious += 1;
    }
  }
  return suspicious / text.length > BINARY_LINE_RATIO;
}

function identityOf(stats: { dev: bigint; ino: bigint }, fp: string | undefined): FileIdentity {
  return { dev: stats.dev.toString(), ino: stats.ino.toString(), ...(fp === undefined ? {} : { fp }) };
}

/** Hash of the first FINGERPRINT_BYTES bytes; undefined while the file is shorter than that. */
export async function readFingerprint(handle: FileHandle, size: number): Promise<string | undefined> {
  return fingerprintOf(handle.fd, size);
}

// One buffer for every fingerprint: fingerprintOf is synchronous, so no two calls can share it at once.
const fingerprintHead = Buffer.alloc(FINGERPRINT_BYTES);

function fingerprintOf(fd: number, size: number): string | undefined {
  if (size < FINGERPRINT_BYTES) return undefined;
  const bytesRead = readSync(fd, fingerprintHead, 0, FINGERPRINT_BYTES, 0);
  if (bytesRead < FINGERPRINT_BYTES) return undefined;
  return createHash('sha256').update(fingerprintHead).digest('hex').slice(0, 16);
}

// Non-blocking so that a FIFO among the siblings cannot hang the (synchronous) open waiting for a writer; regular
// files ignore the flag. Where the platform lacks it (Windows, no FIFOs to open by path) it is undefined and ORs as 0.
const OPEN_SIBLING_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

function inspect(path: string): { identity: FileIdentity; size: number } | undefined {
  let handle: number;
  try {
    handle = openSync(path, OPEN_SIBLING_FLAGS);
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(handle, { bigint: true });
    if (!stats.isFile()) return undefined;
    const size = Number(stats.size);
    return { identity: identityOf(stats, fingerprintOf(handle, size)), size };
  } catch {
    return undefined;
  } finally {
    closeQuietly(handle);
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
