// Property-based tests of timestamp and level normalisation (timestamps.ts, levels.ts): every accepted spelling of an
// instant comes back as that instant in canonical ISO form, impossible dates are refused rather than rolled over, and
// every level spelling lands on the one scale.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isErrorLevel, LEVELS, levelFromNumber, levelFromSyslogSeverity, levelRank, normalizeLevel } from '../../../src/domain/levels.js';
import { isoFromEpoch, isoFromParts, isoFromSyslogDate, parseTimestamp, timestampFromValue } from '../../../src/domain/timestamps.js';
import { anyJson, hostileText } from './arbitraries.js';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const MAX_MS = Date.UTC(10000, 0, 1) - 1;

function isCanonicalIso(value: string): boolean {
  const ms = Date.parse(value);
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value) && new Date(ms).toISOString() === value && ms >= 0 && ms <= MAX_MS;
}

/** Instants whose local rendering in any offset still has a four-digit year from 1970 on. */
const instant = fc.date({ min: new Date('1971-01-02T00:00:00Z'), max: new Date('9998-12-30T00:00:00Z'), noInvalidDate: true });
const offsetMinutes = fc.tuple(fc.integer({ min: -12, max: 14 }), fc.constantFrom(0, 30, 45)).map(([h, m]) => (h < 0 ? h * 60 - m : h * 60 + m));

/** `date` as the wall clock reads it at `offset` minutes from UTC. */
function localParts(date: Date, offset: number) {
  const local = new Date(date.getTime() + offset * 60_000);
  return {
    ymd: `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`,
    hms: `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`,
    ms: pad(local.getUTCMilliseconds(), 3),
  };
}

function zone(offset: number, colon: boolean): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${sign}${pad(Math.floor(abs / 60))}${colon ? ':' : ''}${pad(abs % 60)}`;
}

describe('Property: parseTimestamp', () => {
  it('never throws and answers undefined or a canonical UTC instant between 1970 and 9999', () => {
    fc.assert(
      fc.property(fc.oneof(hostileText(60), fc.stringMatching(/^[0-9TZ:.,+\- /]{8,40}$/)), (text) => {
        const iso = parseTimestamp(text);
        if (iso !== undefined) expect(isCanonicalIso(iso)).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });

  it('returns a canonical ISO timestamp unchanged', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(0), max: new Date(MAX_MS), noInvalidDate: true }), (date) => {
        expect(parseTimestamp(date.toISOString())).toBe(date.toISOString());
      }),
      { numRuns: 3_000 },
    );
  });

  it('reads the same instant from "date time,millis", "T" with a numeric offset, "/" dates and extra fraction digits', () => {
    fc.assert(
      fc.property(instant, offsetMinutes, fc.boolean(), fc.stringMatching(/^[0-9]{0,6}$/), (date, offset, colon, extraDigits) => {
        const expected = date.toISOString();
        const utc = localParts(date, 0);
        const local = localParts(date, offset);
        expect(parseTimestamp(`${utc.ymd} ${utc.hms},${utc.ms}`)).toBe(expected);
        expect(parseTimestamp(`${utc.ymd.replace(/-/g, '/')} ${utc.hms}.${utc.ms}${extraDigits}`)).toBe(expected);
        expect(parseTimestamp(`${local.ymd}T${local.hms}.${local.ms}${zone(offset, colon)}`)).toBe(expected);
        expect(parseTimestamp(`${utc.ymd}T${utc.hms}.${utc.ms} UTC`)).toBe(expected);
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('Property: isoFromParts', () => {
  it('accepts exactly the real calendar dates and clock times and never rolls an impossible one over', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1960, max: 10_010 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 61 }),
        (year, month, day, hour, minute, second) => {
          // Day 0 of the next month is the last day of this one (every year here is past 99, so Date.UTC takes it as is).
          const daysInMonth = month >= 1 && month <= 12 ? new Date(Date.UTC(year, month, 0)).getUTCDate() : 0;
          const valid =
            year >= 1970 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 60;
          const iso = isoFromParts(year, month, day, hour, minute, second);
          if (!valid) {
            expect(iso).toBeUndefined();
            return;
          }
          // A leap second is read as the last ordinary second of its minute.
          expect(iso).toBe(new Date(Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59))).toISOString());
        },
      ),
      { numRuns: 5_000 },
    );
  });
});

describe('Property: epoch values', () => {
  const epochRange = fc.date({ min: new Date('1974-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true });

  it('reads seconds, milliseconds, microseconds and nanoseconds since the epoch as the same instant, as numbers or digit strings', () => {
    fc.assert(
      fc.property(epochRange, (date) => {
        const ms = date.getTime();
        const expected = date.toISOString();
        const seconds = Math.floor(ms / 1000);
        expect(timestampFromValue(seconds)).toBe(new Date(seconds * 1000).toISOString());
        expect(timestampFromValue(ms)).toBe(expected);
        expect(timestampFromValue(String(ms))).toBe(expected);
        expect(timestampFromValue(ms * 1000)).toBe(expected);
        expect(timestampFromValue(`${ms}000`)).toBe(expected);
        expect(timestampFromValue(`${ms}000000`)).toBe(expected);
        expect(timestampFromValue(ms * 1e6)).toBe(expected);
      }),
      { numRuns: 3_000 },
    );
  });

  it('cuts a nanosecond count with a sub-millisecond part to its millisecond (read to 10 µs: doubles hold no more)', () => {
    fc.assert(
      fc.property(epochRange, fc.integer({ min: 0, max: 989_999 }), (date, nanos) => {
        expect(timestampFromValue(`${date.getTime()}${pad(nanos, 6)}`)).toBe(date.toISOString());
      }),
      { numRuns: 3_000 },
    );
  });

  it('never throws on any JSON value and answers a canonical instant or undefined', () => {
    fc.assert(
      fc.property(fc.oneof(anyJson, fc.double(), fc.bigInt().map(String)), (value) => {
        const iso = timestampFromValue(value);
        if (iso !== undefined) expect(isCanonicalIso(iso)).toBe(true);
        if (typeof value === 'number') expect(isoFromEpoch(value)).toBe(iso);
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('Property: isoFromSyslogDate', () => {
  it('places a year-less syslog date at most a day after now and less than a year and a day before it', () => {
    const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1972-01-01T00:00:00Z'), max: new Date('9998-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 11 }),
        fc.integer({ min: 1, max: 28 }),
        fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 })),
        fc.boolean(),
        (now, month, day, [h, m, s], lowerCase) => {
          const name = MONTHS[month] ?? 'Jan';
          const iso = isoFromSyslogDate(lowerCase ? name.toLowerCase() : name, day, h, m, s, now);
          expect(iso).toBeDefined();
          const at = Date.parse(iso ?? '');
          expect(at).toBeLessThanOrEqual(now.getTime() + 86_400_000);
          expect(at).toBeGreaterThan(now.getTime() - 367 * 86_400_000);
          const date = new Date(at);
          expect([date.getUTCMonth(), date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]).toEqual([month, day, h, m, s]);
        },
      ),
      { numRuns: 3_000 },
    );
  });
});

describe('Property: levels', () => {
  const ALIASES = [
    'trace',
    'verbose',
    'debug',
    'dbg',
    'info',
    'information',
    'notice',
    'warn',
    'warning',
    'error',
    'err',
    'fail',
    'severe',
    'critical',
    'crit',
    'fatal',
    'panic',
    'alert',
    'emergency',
    'emerg',
  ];

  it('never throws on any value and answers a level of the scale or undefined', () => {
    fc.assert(
      fc.property(fc.oneof(anyJson, hostileText(20), fc.double()), (value) => {
        const level = normalizeLevel(value);
        if (level !== undefined) expect(LEVELS).toContain(level);
      }),
      { numRuns: 3_000 },
    );
  });

  it('reads a level word in any letter case and with surrounding spaces as the same level', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALIASES),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        fc.stringMatching(/^[ \t]{0,3}$/),
        (word, upper, space) => {
          const mixed = [...word].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch)).join('');
          expect(normalizeLevel(`${space}${mixed}${space}`)).toBe(normalizeLevel(word));
          expect(normalizeLevel(word)).toBeDefined();
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('orders numeric levels: a higher pino/bunyan number is never a lower level, and digit strings read like numbers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 999 }), fc.integer({ min: 10, max: 999 }), (a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        const lowLevel = levelFromNumber(low);
        const highLevel = levelFromNumber(high);
        expect(lowLevel).toBeDefined();
        expect(levelRank(highLevel ?? 'TRACE')).toBeGreaterThanOrEqual(levelRank(lowLevel ?? 'TRACE'));
        expect(normalizeLevel(String(a))).toBe(levelFromNumber(a));
        expect(isErrorLevel(levelFromNumber(a) ?? 'TRACE')).toBe(a >= 50);
      }),
      { numRuns: 2_000 },
    );
  });

  it('maps syslog severities 0..7 onto a non-increasing scale (0 is the most severe)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 }), (a, b) => {
        const [moreSevere, lessSevere] = a <= b ? [a, b] : [b, a];
        expect(levelRank(levelFromSyslogSeverity(moreSevere))).toBeGreaterThanOrEqual(levelRank(levelFromSyslogSeverity(lessSevere)));
        expect(levelFromNumber(a)).toBe(levelFromSyslogSeverity(a));
      }),
      { numRuns: 500 },
    );
  });
});
