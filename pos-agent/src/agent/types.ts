// Shapes passed between the agent's stages: tailer → multiline → batcher → shipper → checkpoint.
// Every stage carries the file position reached, because the checkpoint may only advance to data that was accepted.

/**
 * A file's identity on disk: device + inode (strings, because 64-bit inode numbers do not fit a JS number exactly)
 * plus a fingerprint of its first bytes, so a reused inode or a file truncated and rewritten in place is not taken
 * for the file we followed before. `fp` is undefined until the file holds a first line (or 64 bytes).
 */
export interface FileIdentity {
  readonly dev: string;
  readonly ino: string;
  readonly fp?: string;
}

/** A byte offset inside one specific file (identity), i.e. where reading would resume. */
export interface FilePosition {
  readonly identity: FileIdentity;
  readonly offset: number;
}

/** One decoded line from the tailed file, without its line terminator. */
export interface TailLine {
  readonly text: string;
  /** Position just after this line's newline (or after the bytes of a partial line flushed on timeout). */
  readonly position: FilePosition;
  /** Offset of the line's first byte in the same file: with the identity, what makes the line's stable id. */
  readonly start: number;
  /** Bytes of the original line discarded because it exceeded `maxLineBytes` (0 when intact). */
  readonly truncatedBytes: number;
  /** Wall-clock time (ms) the line was read: the fallback event timestamp. */
  readonly readAt: number;
}

/** One log record: a header line plus its continuation lines (stack traces), joined with `\n`. */
export interface LogRecord {
  readonly text: string;
  readonly lineCount: number;
  /** Position just after the record's last line. */
  readonly position: FilePosition;
  /** Where the record's first line starts: stable across restarts, so it names the record (see event-id.ts). */
  readonly origin: FilePosition;
  /** Read time of the record's first line. */
  readonly readAt: number;
}

export interface LogEvent {
  readonly timestamp: number;
  readonly message: string;
}

/** A PutLogEvents-ready batch. `through` is the position the checkpoint may advance to once the batch is accepted. */
export interface Batch {
  /** Sorted chronologically (stable, so records with equal timestamps keep file order). */
  readonly events: readonly LogEvent[];
  /** Size as PutLogEvents counts it: UTF-8 message bytes + 26 per event. */
  readonly bytes: number;
  readonly through: FilePosition;
}

/** What a redactor did to one line: the text to ship, and how many of each kind of value it replaced. */
export interface RedactedLine {
  readonly text: string;
  /** Replacements by kind ('pan', 'cvv', 'track', 'email', 'custom'); undefined or empty when nothing was replaced. */
  readonly counts?: Readonly<Record<string, number>>;
}

/**
 * Applied to every line before it is buffered or shipped. A redactor that throws makes the line be skipped (never
 * shipped unredacted).
 */
export type Redactor = (line: string) => RedactedLine;

/** Why a line was read but not shipped. */
export type SkipReason = 'binary' | 'blank' | 'redact-failed';

/** Same inode on the same device (what `stat` can tell without reading the file). */
export function sameIdentity(a: FileIdentity | undefined, b: FileIdentity | undefined): boolean {
  return a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino;
}

/**
 * Is `now` still the file we knew as `before`: same inode and the same first bytes. A file that had no fingerprint yet
 * (under 64 bytes) may have grown one; one that had a fingerprint and lost it was truncated.
 */
export function sameFile(now: FileIdentity | undefined, before: FileIdentity | undefined): boolean {
  return sameIdentity(now, before) && (before?.fp === undefined || now?.fp === before.fp);
}
