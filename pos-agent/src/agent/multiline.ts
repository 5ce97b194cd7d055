// Groups lines into records: a record starts on a line matching the start pattern and takes every following line
// that does not (stack frames, "Caused by:", Python tracebacks, .NET indented message lines). This is the
// CloudWatch agent's `multi_line_start_pattern` model; a pending record is flushed when idle or when it is full.

import type { FileIdentity, FilePosition, LogRecord, SkipReason, TailLine } from './types.js';

/**
 * Lines that begin a new record:
 * - `[` + digit: `[2026-11-26T12:00:00.123Z] [ERROR] ...` (the demo POS), `[12:00:00] ...`
 * - an ISO-like date: `2026-11-26 12:00:00,123 ERROR ...` (log4j, Python logging, Serilog)
 * - `{`: one JSON object per line
 * - `<13>`: an RFC 5424/3164 syslog priority
 * - a syslog month: `Nov 26 12:00:00 kiosk pos[42]: ...`
 * - .NET console logger prefixes: `fail: Namespace.Type[0]`, `crit:`, `info:`, `warn:`, `dbug:`, `trce:`
 */
export const DEFAULT_MULTILINE_START_PATTERN =
  /^(?:\[\d|\d{4}-\d{2}-\d{2}|\{|<\d{1,3}>|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d |(?:fail|crit|info|warn|dbug|trce): )/;

// `text.trim() === ''` without trim()'s copy of every line: blank means no character outside `\s`, the same set trim()
// removes.
const NON_BLANK = /\S/;

function isBlank(text: string): boolean {
  return !NON_BLANK.test(text);
}

export const DEFAULT_MULTILINE_FLUSH_MS = 1000;
export const DEFAULT_MAX_RECORD_LINES = 1000;
/** The event message cap (256 KiB minus PutLogEvents' 26-byte per-event overhead). */
export const DEFAULT_MAX_RECORD_BYTES = 256 * 1024 - 26;

/** What ended a record: the next record's first line, the idle timeout, a size limit, or an explicit flush(). */
export type RecordEnd = 'next-record' | 'idle' | 'limit' | 'flush';

export interface MultilineOptions {
  readonly onRecord: (record: LogRecord, endedBy: RecordEnd) => void;
  readonly onSkip?: (reason: SkipReason, position: FilePosition) => void;
  readonly startPattern?: RegExp;
  /** A pending record is emitted once no line has arrived for this long. */
  readonly flushAfterMs?: number;
  readonly maxLines?: number;
  readonly maxBytes?: number;
  readonly now?: () => number;
}

interface PendingRecord {
  lines: string[];
  bytes: number;
  identity: FileIdentity;
  offset: number;
  origin: FilePosition;
  readAt: number;
}

export class MultilineAssembler {
  private readonly options: MultilineOptions;
  private readonly startPattern: RegExp;
  private readonly flushAfterMs: number;
  private readonly maxLines: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private pending: PendingRecord | undefined;
  private lastLineAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options: MultilineOptions) {
    this.options = options;
    // A global or sticky RegExp keeps lastIndex between test() calls and would then miss every other match.
    const pattern = options.startPattern ?? DEFAULT_MULTILINE_START_PATTERN;
    this.startPattern = pattern.global || pattern.sticky ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')) : pattern;
    this.flushAfterMs = options.flushAfterMs ?? DEFAULT_MULTILINE_FLUSH_MS;
    this.maxLines = options.maxLines ?? DEFAULT_MAX_RECORD_LINES;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.now = options.now ?? Date.now;
  }

  /** Lines currently held in the pending record. */
  get pendingLines(): number {
    return this.pending?.lines.length ?? 0;
  }

  get pendingBytes(): number {
    return this.pending?.bytes ?? 0;
  }

  push(line: TailLine): void {
    const lineBytes = Buffer.byteLength(line.text, 'utf8');
    const startsRecord = this.startPattern.test(line.text);
    const current = this.pending;
    if (current !== undefined && !startsRecord) {
      // `+ 1` for the joining newline.
      if (current.lines.length < this.maxLines && current.bytes + 1 + lineBytes <= this.maxBytes) {
        current.lines.push(line.text);
        current.bytes += 1 + lineBytes;
        current.identity = line.position.identity;
        current.offset = line.position.offset;
        this.touch();
        return;
      }
    }
    this.emitPending(startsRecord ? 'next-record' : 'limit');
    if (isBlank(line.text)) {
      // A record cannot start with (or be) a blank line: PutLogEvents rejects empty messages.
      this.options.onSkip?.('blank', line.position);
      return;
    }
    this.pending = {
      lines: [line.text],
      bytes: lineBytes,
      identity: line.position.identity,
      offset: line.position.offset,
      origin: { identity: line.position.identity, offset: line.start },
      readAt: line.readAt,
    };
    this.touch();
  }

  /** Emits the pending record now (e.g. on shutdown). */
  flush(): void {
    this.emitPending('flush');
  }

  private emitPending(endedBy: RecordEnd): void {
    const current = this.pending;
    if (current === undefined) return;
    this.pending = undefined;
    // Blank lines between a record and the next header belong to neither.
    let lineCount = current.lines.length;
    while (lineCount > 1 && isBlank(current.lines[lineCount - 1] ?? '')) lineCount -= 1;
    const lines = lineCount === current.lines.length ? current.lines : current.lines.slice(0, lineCount);
    const record: LogRecord = {
      // Most records are one line: join() would copy it.
      text: lines.length === 1 ? (lines[0] as string) : lines.join('\n'),
      lineCount: current.lines.length,
      position: { identity: current.identity, offset: current.offset },
      origin: current.origin,
      readAt: current.readAt,
    };
    this.options.onRecord(record, endedBy);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  // One timer re-armed lazily instead of reset on every line: cheap at thousands of lines per second.
  private touch(): void {
    this.lastLineAt = this.now();
    if (this.timer !== undefined || this.stopped) return;
    this.arm(this.flushAfterMs);
  }

  private arm(delayMs: number): void {
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        if (this.pending === undefined || this.stopped) return;
        const idleFor = this.now() - this.lastLineAt;
        if (idleFor >= this.flushAfterMs) this.emitPending('idle');
        else this.arm(this.flushAfterMs - idleFor);
      },
      Math.max(1, delayMs),
    );
    this.timer.unref();
  }
}
