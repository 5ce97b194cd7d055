// Timestamps in log records come as ISO text, "date time,millis" text, epoch numbers, or syslog's year-less
// "Nov 26 12:00:00". Everything becomes ISO 8601 UTC; anything invalid becomes undefined rather than a guess.

const ISO_LIKE =
  /^(\d{4})[-/](\d{2})[-/](\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s?(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/;

const MONTHS: ReadonlyMap<string, number> = new Map([
  ['jan', 1], ['feb', 2], ['mar', 3], ['apr', 4], ['may', 5], ['jun', 6],
  ['jul', 7], ['aug', 8], ['sep', 9], ['oct', 10], ['nov', 11], ['dec', 12],
]);

const MIN_YEAR = 1970;
const MAX_YEAR = 9999;
const DAY_MS = 86_400_000;
const MIN_MS = 0;
const MAX_MS = Date.UTC(MAX_YEAR + 1, 0, 1) - 1;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
// Already canonical (what toISOString prints): returned as is once its calendar fields are checked.
const CANONICAL_ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{3}Z$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

function validCalendar(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  return (
    year >= MIN_YEAR && year <= MAX_YEAR && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) &&
    hour <= 23 && minute <= 59 && second <= 60
  );
}

function offsetMinutes(zone: string | undefined): number {
  if (!zone || zone === 'Z' || zone === 'z' || zone === 'UTC' || zone === 'GMT') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes);
}

/** Builds an ISO string from calendar parts, rejecting impossible dates (Feb 30, 25:00) instead of rolling them over. */
export function isoFromParts(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  fraction = '',
  zone?: string,
): string | undefined {
  if (!validCalendar(year, month, day, hour, minute, second)) return undefined;
  const millis = fraction === '' ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  const local = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), millis);
  const utc = local - offsetMinutes(zone) * 60_000;
  return isoFromEpochMillis(utc);
}

function isoFromEpochMillis(ms: number): string | undefined {
  if (!(ms >= MIN_MS && ms <= MAX_MS)) return undefined;
  return new Date(ms).toISOString();
}

/** Epoch in seconds, milliseconds, microseconds or nanoseconds, told apart by magnitude. */
export function isoFromEpoch(value: number): string | undefined {
  if (!Number.isFinite(value) || value <= 0) return undefined;
  if (value < 1e11) return isoFromEpochMillis(value * 1000);
  if (value < 1e14) return isoFromEpochMillis(value);
  if (value < 1e17) return isoFromEpochMillis(value / 1000);
  // Nanosecond counts are past 2^53: the double holding one is off by up to a microsecond, and dividing it straight to
  // milliseconds can land just below the right one (…009000000 ns read as …008.99999 ms). Round to 10 µs first.
  return isoFromEpochMillis(Math.round(value / 1e4) / 100);
}

/** ISO 8601 and the common "2026-11-26 12:00:00,123" shapes; a zone-less time is taken as UTC. */
export function parseTimestamp(raw: string): string | undefined {
  if (raw.length < 10 || raw.length > 40) return undefined;
  if (raw.length === 24) {
    const c = CANONICAL_ISO.exec(raw);
    if (c) {
      const valid = validCalendar(Number(c[1]), Number(c[2]), Number(c[3]), Number(c[4]), Number(c[5]), Number(c[6]));
      if (valid && c[6] !== '60') return raw;
    }
  }
  const m = ISO_LIKE.exec(raw);
  if (m) {
    return isoFromParts(
      Number(m[1]), Number(m[2]), Number(m[3]),
      m[4] === undefined ? 0 : Number(m[4]),
      m[5] === undefined ? 0 : Number(m[5]),
      m[6] === undefined ? 0 : Number(m[6]),
      m[7] ?? '',
      m[8],
    );
  }
  // RFC 2822 and similar: only when it carries a 4-digit year and a clock, because Date.parse accepts nonsense like "1".
  if (/\b\d{4}\b/.test(raw) && raw.includes(':')) {
    return isoFromEpochMillis(Date.parse(raw));
  }
  return undefined;
}

/** Any JSON timestamp value: ISO-ish string, numeric string or epoch number. */
export function timestampFromValue(value: unknown): string | undefined {
  if (typeof value === 'number') return isoFromEpoch(value);
  if (typeof value !== 'string') return undefined;
  if (/^\d{9,19}(?:\.\d+)?$/.test(value)) return isoFromEpoch(Number(value));
  return parseTimestamp(value);
}

/**
 * RFC 3164 timestamps have no year. Like rsyslog, take the current year unless that puts the record more than a
 * day in the future (a December record read in January), then take the previous year.
 */
export function isoFromSyslogDate(monthName: string, day: number, hour: number, minute: number, second: number, now: Date = new Date()): string | undefined {
  const month = MONTHS.get(monthName.toLowerCase());
  if (month === undefined) return undefined;
  const year = now.getUTCFullYear();
  const thisYear = isoFromParts(year, month, day, hour, minute, second);
  if (thisYear !== undefined && Date.parse(thisYear) <= now.getTime() + DAY_MS) return thisYear;
  return isoFromParts(year - 1, month, day, hour, minute, second) ?? thisYear;
}

export function isMonthName(word: string): boolean {
  return MONTHS.has(word.toLowerCase());
}
