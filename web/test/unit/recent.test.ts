import { describe, expect, it } from '@jest/globals';
import { lastHourCounts, lastHourLabel, parseMinute, SPARK_MINUTES } from '../../src/lib/recent.js';
import { IncidentStore } from '../../src/lib/incident-store.js';
import { incident } from './fixtures.js';

/** The server's shape: 60 counts from `start`, the last one in the minute of lastSeen. */
function recent(start: string, tail: number[]) {
  const counts = new Array<number>(SPARK_MINUTES - tail.length).fill(0).concat(tail);
  return { start, counts };
}

const at = (iso: string) => Date.parse(iso);

describe('lastHourCounts', () => {
  it('lines the server buckets up with the hour ending now when lastSeen is this minute', () => {
    const counts = lastHourCounts(recent('2026-11-26T11:01', [3, 0, 2]), at('2026-11-26T12:00:30Z'));
    expect(counts).toHaveLength(SPARK_MINUTES);
    expect(counts.slice(-3)).toEqual([3, 0, 2]);
  });

  it('slides the counts left as the clock moves on, until an incident quiet for an hour is flat', () => {
    const data = recent('2026-11-26T11:01', [3, 0, 2]);
    expect(lastHourCounts(data, at('2026-11-26T12:10:00Z')).slice(-13, -10)).toEqual([3, 0, 2]);
    expect(lastHourCounts(data, at('2026-11-26T13:00:00Z')).every((n) => n === 0)).toBe(true);
  });

  it('ends the hour at lastSeen when that is ahead of this clock, so a count just received is not cut off', () => {
    const counts = lastHourCounts(recent('2026-11-26T11:02', [1, 4]), at('2026-11-26T12:00:50Z'));
    expect(counts.slice(-2)).toEqual([1, 4]);
  });

  it('draws nothing but zeros for an incident without counts or with a start it cannot read', () => {
    expect(lastHourCounts(undefined, Date.now()).every((n) => n === 0)).toBe(true);
    expect(lastHourCounts({ start: 'soon', counts: [1, 2] }, Date.now()).every((n) => n === 0)).toBe(true);
  });
});

describe('lastHourLabel', () => {
  it('says how many occurrences the line shows, in words a screen reader can read out', () => {
    const format = (n: number) => n.toLocaleString('en-US');
    expect(lastHourLabel(0, format)).toBe('No occurrences in the last hour');
    expect(lastHourLabel(1, format)).toBe('1 occurrence in the last hour');
    expect(lastHourLabel(1200, format)).toBe('1,200 occurrences in the last hour');
  });
});

describe('parseMinute', () => {
  it('reads a zoneless server minute as UTC, whatever the browser time zone', () => {
    expect(parseMinute('2026-11-26T12:00')).toBe(at('2026-11-26T12:00:00Z'));
    expect(parseMinute('2026-11-26T12:00:00.000Z')).toBe(at('2026-11-26T12:00:00Z'));
  });
});

describe('IncidentStore.newestUpdatedAt', () => {
  it('remembers the newest updatedAt of any incident seen, whatever order copies arrive in, until cleared', () => {
    const store = new IncidentStore();
    store.upsert(incident({ id: 'a', version: 2, updatedAt: '2026-11-26T12:05:00.000Z' }));
    store.upsert(incident({ id: 'b', version: 1, updatedAt: '2026-11-26T12:01:00.000Z' }));
    store.upsert(incident({ id: 'a', version: 1, updatedAt: '2026-11-26T12:03:00.000Z' }));
    expect(store.newestUpdatedAt).toBe(at('2026-11-26T12:05:00.000Z'));
    store.clear();
    expect(store.newestUpdatedAt).toBeUndefined();
  });
});
