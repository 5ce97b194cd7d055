// Packs records into PutLogEvents batches that the service accepts as they are: every limit is checked before an
// event is added, so a batch is never split or rejected for size after the fact.

import type { Batch, FilePosition, LogEvent, LogRecord } from './types.js';
import { truncateUtf8 } from './utf8.js';

export const PUT_LOG_EVENTS_LIMITS = {
  maxBatchBytes: 1_048_576,
  perEventOverheadBytes: 26,
  maxBatchEvents: 10_000,
  maxBatchSpanMs: 24 * 60 * 60 * 1000,
  /** The older 256 KiB event cap (current docs say 1 MB); stays valid whichever the endpoint enforces. */
  maxEventBytes: 256 * 1024,
  maxFutureMs: 2 * 60 * 60 * 1000,
  maxAgeMs: 14 * 24 * 60 * 60 * 1000,
} as const;

export const DEFAULT_FLUSH_INTERVAL_MS = 1000;
const MAX_EVENT_MESSAGE_BYTES = PUT_LOG_EVENTS_LIMITS.maxEventBytes - PUT_LOG_EVENTS_LIMITS.perEventOverheadBytes;

export interface BatcherOptions {
  readonly onBatch: (batch: Batch) => void;
  /** Called for a record whose message had to be cut to the event cap. */
  readonly onEventTruncated?: (droppedBytes: number) => void;
  /** A non-empty batch is sealed at most this long after its first event arrived. */
  readonly flushIntervalMs?: number;
  readonly maxBatchBytes?: number;
  readonly maxBatchEvents?: number;
  readonly now?: () => number;
}

interface OpenBatch {
  events: LogEvent[];
  bytes: number;
  minTimestamp: number;
  maxTimestamp: number;
  through: FilePosition;
}

export class Batcher {
  private readonly options: BatcherOptions;
  private readonly flushIntervalMs: number;
  private readonly maxBatchBytes: number;
  private readonly maxBatchEvents: number;
  private readonly now: () => number;
  private open: OpenBatch | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastMessageBytes = 0;

  constructor(options: BatcherOptions) {
    this.options = options;
    this.flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.maxBatchBytes = options.maxBatchBytes ?? PUT_LOG_EVENTS_LIMITS.maxBatchBytes;
    this.maxBatchEvents = options.maxBatchEvents ?? PUT_LOG_EVENTS_LIMITS.maxBatchEvents;
    this.now = options.now ?? Date.now;
  }

  get pendingEvents(): number {
    return this.open?.events.length ?? 0;
  }

  get pendingBytes(): number {
    return this.open?.bytes ?? 0;
  }

  /** `id`: the record's stable id, shipped in front of its message (see event-id.ts). */
  add(record: LogRecord, id?: string): void {
    const event = this.toEvent(record, id);
    const eventBytes = this.lastMessageBytes + PUT_LOG_EVENTS_LIMITS.perEventOverheadBytes;
    const current = this.open;
    if (current !== undefined && !this.fits(current, event.timestamp, eventBytes)) this.flush();
    const target = this.open;
    if (target === undefined) {
      this.open = {
        events: [event],
        bytes: eventBytes,
        minTimestamp: event.timestamp,
        maxTimestamp: event.timestamp,
        through: record.position,
      };
      this.armTimer();
    } else {
      target.events.push(event);
      target.bytes += eventBytes;
      target.minTimestamp = Math.min(target.minTimestamp, event.timestamp);
      target.maxTimestamp = Math.max(target.maxTimestamp, event.timestamp);
      // File order, not timestamp order: the checkpoint may only pass data that is in this or an earlier batch.
      target.through = record.position;
    }
    if (this.open !== undefined && (this.open.events.length >= this.maxBatchEvents || this.open.bytes >= this.maxBatchBytes)) {
      this.flush();
    }
  }

  /** Seals the open batch (if any) and hands it to `onBatch`. */
  flush(): void {
    const current = this.open;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (current === undefined) return;
    this.open = undefined;
    // Array.prototype.sort is stable: records with equal timestamps keep their file order.
    const events = current.events.sort((a, b) => a.timestamp - b.timestamp);
    this.options.onBatch({ events, bytes: current.bytes, through: current.through });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fits(batch: OpenBatch, timestamp: number, eventBytes: number): boolean {
    if (batch.events.length + 1 > this.maxBatchEvents) return false;
    if (batch.bytes + eventBytes > this.maxBatchBytes) return false;
    const span = Math.max(batch.maxTimestamp, timestamp) - Math.min(batch.minTimestamp, timestamp);
    return span <= PUT_LOG_EVENTS_LIMITS.maxBatchSpanMs;
  }

  /** Also leaves the message's UTF-8 size in `lastMessageBytes`: measuring a message is a pass over it, done once. */
  private toEvent(record: LogRecord, id: string | undefined): LogEvent {
    const prefix = id === undefined ? '' : `${id} `;
    const textBytes = Buffer.byteLength(record.text, 'utf8');
    let message: string;
    if (textBytes <= MAX_EVENT_MESSAGE_BYTES - prefix.length) {
      message = prefix + record.text;
      this.lastMessageBytes = (prefix === '' ? 0 : Buffer.byteLength(prefix, 'utf8')) + textBytes;
    } else {
      const { text, droppedBytes } = truncateUtf8(record.text, MAX_EVENT_MESSAGE_BYTES - prefix.length);
      if (droppedBytes > 0) this.options.onEventTruncated?.(droppedBytes);
      message = prefix + text;
      this.lastMessageBytes = Buffer.byteLength(message, 'utf8');
    }
    return { timestamp: eventTimestamp(record.text, record.readAt, this.now()), message };
  }

  private armTimer(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.flushIntervalMs);
    this.timer.unref();
  }
}

// `2026-11-26T12:00:00.123Z`, `2026-11-26 12:00:00,123`, `[2026-11-26 12:00:00.123+01:00]`, JSON `"ts":"..."`.
const HEADER_TIMESTAMP = /(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s?(Z|[+-]\d{2}(?::?\d{2})?)?/;
/** Only the start of the header is searched: a date deeper in the message is not the record's time. */
const TIMESTAMP_SEARCH_CHARS = 80;

/**
 * The record's own time when its header carries one PutLogEvents will accept (not > 2 h ahead, not > 14 days old),
 * otherwise the time it was read. A header without a zone is taken as the kiosk's local time.
 */
export function eventTimestamp(text: string, readAt: number, now: number): number {
  const parsed = parseHeaderTimestamp(text.slice(0, TIMESTAMP_SEARCH_CHARS));
  if (parsed === undefined) return readAt;
  if (parsed > now + PUT_LOG_EVENTS_LIMITS.maxFutureMs) return readAt;
  if (parsed < now - PUT_LOG_EVENTS_LIMITS.maxAgeMs) return readAt;
  return parsed;
}

// Consecutive records mostly share their second, at the same place in the header. The last valid second is kept
// (its text, position and zone) with its epoch; a header that repeats it only has its fraction and zone read by hand,
// which is what HEADER_TIMESTAMP would capture there, and costs neither a match object nor any date arithmetic.
const SECOND_TEXT_LENGTH = 'YYYY-MM-DDTHH:MM:SS'.length;
let cachedSecondText = '';
let cachedAt = -1;
let cachedZone: string | undefined;
let cachedSecondEpoch = 0;

export function parseHeaderTimestamp(header: string): number | undefined {
  if (cachedAt !== -1 && header.startsWith(cachedSecondText, cachedAt) && !hasDigitBefore(header, cachedAt)) {
    const millis = repeatedSecondMillis(header, cachedAt + SECOND_TEXT_LENGTH);
    if (millis !== -1) return cachedSecondEpoch + millis;
  }
  const match = HEADER_TIMESTAMP.exec(header);
  if (match === null) return undefined;
  const epoch = parseTimestampMatch(match);
  if (epoch !== undefined) {
    cachedSecondText = header.slice(match.index, match.index + SECOND_TEXT_LENGTH);
    cachedAt = match.index;
    cachedZone = match[8];
    cachedSecondEpoch = epoch - fractionMillis(match[7]);
  }
  return epoch;
}

function fractionMillis(fraction: string | undefined): number {
  return fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
}

function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}

// A match starts with a digit: with none before `at`, the leftmost match cannot start earlier.
function hasDigitBefore(header: string, at: number): boolean {
  for (let i = 0; i < at; i++) if (isDigitCode(header.charCodeAt(i))) return true;
  return false;
}

/** What `\s` matches. */
function isRegExpSpace(code: number): boolean {
  return (
    (code >= 9 && code <= 13) ||
    code === 32 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * After the cached second at `from`: the milliseconds of `(?:[.,](\d{1,9}))?\s?(Z|[+-]\d{2}(?::?\d{2})?)?` as
 * HEADER_TIMESTAMP captures them, or -1 when the zone there differs from the cached one.
 */
function repeatedSecondMillis(header: string, from: number): number {
  let at = from;
  let millis = 0;
  const separator = header.charCodeAt(at);
  if ((separator === 46 || separator === 44) && isDigitCode(header.charCodeAt(at + 1))) {
    at += 1;
    let digits = 0;
    for (; digits < 9 && isDigitCode(header.charCodeAt(at)); digits++, at++) if (digits < 3) millis = millis * 10 + header.charCodeAt(at) - 48;
    if (digits === 1) millis *= 100;
    else if (digits === 2) millis *= 10;
  }
  if (isRegExpSpace(header.charCodeAt(at))) at += 1;
  let zoneLength = 0;
  const zoneStart = header.charCodeAt(at);
  if (zoneStart === 90) {
    zoneLength = 1;
  } else if ((zoneStart === 43 || zoneStart === 45) && isDigitCode(header.charCodeAt(at + 1)) && isDigitCode(header.charCodeAt(at + 2))) {
    zoneLength = 3;
    if (header.charCodeAt(at + 3) === 58 && isDigitCode(header.charCodeAt(at + 4)) && isDigitCode(header.charCodeAt(at + 5))) zoneLength = 6;
    else if (isDigitCode(header.charCodeAt(at + 3)) && isDigitCode(header.charCodeAt(at + 4))) zoneLength = 5;
  }
  const sameZone =
    zoneLength === 0 ? cachedZone === undefined : cachedZone !== undefined && cachedZone.length === zoneLength && header.startsWith(cachedZone, at);
  return sameZone ? millis : -1;
}

function parseTimestampMatch(match: RegExpExecArray): number | undefined {
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const parts = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const [y, mo, d, h, mi, s] = parts;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  let epoch: number;
  if (zone === undefined) {
    epoch = new Date(y, mo - 1, d, h, mi, s, millis).getTime();
  } else {
    epoch = Date.UTC(y, mo - 1, d, h, mi, s, millis);
    if (zone !== 'Z') {
      const sign = zone.startsWith('-') ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
      epoch -= sign * offsetMinutes * 60_000;
    }
  }
  // Date arithmetic silently rolls Feb 31 over to March: such a header is not a timestamp we trust.
  return Number.isNaN(epoch) || !dayMatches(y, mo, d) ? undefined : epoch;
}

function dayMatches(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
