import { describe, expect, it } from '@jest/globals';
import { minutesWorthKeeping, RECENT_MINUTES, recentOccurrences, recentWindowStart, staleMinutes } from '../../../src/domain/recent.js';

describe('recentWindowStart', () => {
  it('starts the window 59 minutes before the minute of lastSeen, across an hour and a day boundary', () => {
    expect(recentWindowStart('2026-11-26T12:30:45.123Z')).toBe('2026-11-26T11:31');
    expect(recentWindowStart('2026-11-27T00:10:00.000Z')).toBe('2026-11-26T23:11');
  });

  it('has no window for a lastSeen that is not a timestamp', () => {
    expect(recentWindowStart('never')).toBe('');
    expect(recentOccurrences({ '2026-11-26T12:00': 3 }, 'never').counts.every((n) => n === 0)).toBe(true);
  });
});

describe('minutesWorthKeeping', () => {
  it('keeps the minutes of the hour ending at the delta, drops older ones, later ones and malformed keys', () => {
    // Prepare
    const counts = { '2026-11-26T12:30': 2, '2026-11-26T11:31': 1, '2026-11-26T11:30': 5, '2026-11-26T12:31': 9, 'store-001': 4, '2026-11-26T12:00': 0 };

    // Act
    const kept = minutesWorthKeeping(counts, '2026-11-26T12:30:10.000Z');

    // Assess
    expect(Object.fromEntries(kept)).toEqual({ '2026-11-26T12:30': 2, '2026-11-26T11:31': 1 });
  });

  it('names at most one key per minute of the window however many hours a catching-up batch covers', () => {
    const counts = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [new Date(Date.UTC(2026, 10, 26, 2, i)).toISOString().slice(0, 16), 1]));
    expect(minutesWorthKeeping(counts, '2026-11-26T11:59:59.000Z')).toHaveLength(RECENT_MINUTES);
  });
});

describe('staleMinutes', () => {
  it('names the stored keys that have left the hour before lastSeen, and nothing inside it', () => {
    const stored = { '2026-11-26T11:30': 1, '2026-11-26T11:31': 1, '2026-11-26T12:30': 1, '2026-11-25T09:00': 7 };
    expect(staleMinutes(stored, '2026-11-26T12:30:00.000Z').sort()).toEqual(['2026-11-25T09:00', '2026-11-26T11:30']);
    expect(staleMinutes(undefined, '2026-11-26T12:30:00.000Z')).toEqual([]);
  });
});

describe('recentOccurrences', () => {
  it('lays stored minutes into sixty buckets ending at lastSeen, zero where nothing happened, ignoring stale keys', () => {
    // Prepare
    const stored = { '2026-11-26T12:30': 4, '2026-11-26T12:28': 2, '2026-11-26T11:31': 1, '2026-11-26T11:00': 50 };

    // Act
    const recent = recentOccurrences(stored, '2026-11-26T12:30:59.999Z');

    // Assess
    expect(recent.start).toBe('2026-11-26T11:31');
    expect(recent.counts).toHaveLength(RECENT_MINUTES);
    expect(recent.counts[0]).toBe(1);
    expect(recent.counts[57]).toBe(2);
    expect(recent.counts[59]).toBe(4);
    expect(recent.counts.reduce((a, b) => a + b, 0)).toBe(7);
  });
});
