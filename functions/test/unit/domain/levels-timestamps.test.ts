import { describe, expect, it } from '@jest/globals';
import { isErrorLevel, normalizeLevel } from '../../../src/domain/levels.js';
import { isoFromEpoch, isoFromSyslogDate, parseTimestamp, timestampFromValue } from '../../../src/domain/timestamps.js';

describe('normalizeLevel', () => {
  it('folds the spellings of many loggers onto one scale', () => {
    const cases: Array<[unknown, string | undefined]> = [
      ['warning', 'WARN'], ['WRN', 'WARN'], ['err', 'ERROR'], ['fail', 'ERROR'], ['SEVERE', 'ERROR'], ['crit', 'CRITICAL'],
      ['Information', 'INFO'], ['dbug', 'DEBUG'], ['trce', 'TRACE'], ['Verbose', 'TRACE'], ['emerg', 'EMERGENCY'],
      ['panic', 'FATAL'], [50, 'ERROR'], [60, 'FATAL'], [45, 'WARN'], ['30', 'INFO'], [3, 'ERROR'], [0, 'EMERGENCY'], ['loud', undefined], [null, undefined],
    ];
    expect(cases.map(([raw]) => normalizeLevel(raw))).toEqual(cases.map(([, level]) => level));
  });

  it('counts ERROR and above as errors', () => {
    expect(['WARN', 'ERROR', 'CRITICAL', 'FATAL', 'ALERT', 'EMERGENCY'].map((level) => isErrorLevel(level as never))).toEqual([false, true, true, true, true, true]);
  });
});

describe('timestamps', () => {
  it('normalises ISO and log-style text to ISO 8601 UTC', () => {
    expect(parseTimestamp('2026-11-26T12:00:00.123Z')).toBe('2026-11-26T12:00:00.123Z');
    expect(parseTimestamp('2026-11-26 12:00:00,123')).toBe('2026-11-26T12:00:00.123Z');
    expect(parseTimestamp('2026-11-26T13:00:00+01:00')).toBe('2026-11-26T12:00:00.000Z');
    expect(parseTimestamp('2026-11-26T12:00:00.1234567Z')).toBe('2026-11-26T12:00:00.123Z');
    expect(parseTimestamp('2026/11/26 12:00:00')).toBe('2026-11-26T12:00:00.000Z');
  });

  it('rejects impossible dates instead of rolling them over', () => {
    expect(parseTimestamp('2026-02-30T00:00:00.000Z')).toBeUndefined();
    expect(parseTimestamp('2026-11-26T25:00:00Z')).toBeUndefined();
    expect(parseTimestamp('1')).toBeUndefined();
    expect(parseTimestamp('2028-02-29T00:00:00.000Z')).toBe('2028-02-29T00:00:00.000Z');
  });

  it('tells epoch seconds, milliseconds and nanoseconds apart', () => {
    expect(isoFromEpoch(1795694400)).toBe('2026-11-26T12:00:00.000Z');
    expect(isoFromEpoch(1795694400123)).toBe('2026-11-26T12:00:00.123Z');
    expect(isoFromEpoch(1795694400123000000)).toBe('2026-11-26T12:00:00.123Z');
    expect(timestampFromValue('1795694400.5')).toBe('2026-11-26T12:00:00.500Z');
    expect(isoFromEpoch(Number.MAX_VALUE)).toBeUndefined();
  });

  it('gives year-less syslog dates the year that is not in the future', () => {
    const now = new Date('2027-01-02T00:00:00Z');
    expect(isoFromSyslogDate('Dec', 31, 23, 59, 0, now)).toBe('2026-12-31T23:59:00.000Z');
    expect(isoFromSyslogDate('Jan', 1, 10, 0, 0, now)).toBe('2027-01-01T10:00:00.000Z');
    expect(isoFromSyslogDate('Foo', 1, 10, 0, 0, now)).toBeUndefined();
  });
});
