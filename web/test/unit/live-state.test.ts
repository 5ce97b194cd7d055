import { describe, expect, it } from '@jest/globals';
import { backoffDelay } from '../../src/lib/backoff.js';
import { IncidentStore } from '../../src/lib/incident-store.js';
import { SeqTracker } from '../../src/lib/seq.js';
import { incident } from './fixtures.js';

describe('IncidentStore', () => {
  it('keeps the copy with the highest version whatever order copies arrive in', () => {
    const store = new IncidentStore();
    expect(store.upsert(incident({ id: 'a', version: 3, occurrences: 30 }), 'updated')).toBe(true);
    expect(store.upsert(incident({ id: 'a', version: 2, occurrences: 20 }), 'updated')).toBe(false);
    expect(store.upsert(incident({ id: 'a', version: 3, occurrences: 99 }))).toBe(false);
    expect(store.get('a')?.occurrences).toBe(30);
    expect(store.upsert(incident({ id: 'a', version: 4, occurrences: 40 }))).toBe(true);
    expect(store.get('a')?.occurrences).toBe(40);
  });

  it('notifies once per scheduled flush, however many incidents changed', () => {
    const flushes: Array<() => void> = [];
    const store = new IncidentStore({ schedule: (flush) => flushes.push(flush) });
    let notified = 0;
    store.subscribe(() => notified++);
    store.upsertMany([incident({ id: 'a' }), incident({ id: 'b' }), incident({ id: 'c' })]);
    expect(flushes).toHaveLength(1);
    flushes[0]!();
    expect(notified).toBe(1);
    expect(store.all().map((i) => i.id).sort()).toEqual(['a', 'b', 'c']);
  });

  it('returns the same array until something changes, so views can memoise on it', () => {
    const store = new IncidentStore();
    store.upsert(incident({ id: 'a' }));
    const first = store.all();
    store.upsert(incident({ id: 'a', version: 1 }));
    expect(store.all()).toBe(first);
    store.upsert(incident({ id: 'a', version: 2 }));
    expect(store.all()).not.toBe(first);
  });

  it('marks live-created incidents fresh for a few seconds, fetched ones never', () => {
    let now = 1_000;
    const store = new IncidentStore({ now: () => now });
    store.upsert(incident({ id: 'live' }), 'created');
    store.upsert(incident({ id: 'page' }));
    expect(store.isFresh('live')).toBe(true);
    expect(store.isFresh('page')).toBe(false);
    now += 10_000;
    expect(store.isFresh('live')).toBe(false);
  });
});

describe('SeqTracker', () => {
  it('reports nothing while messages arrive one after another', () => {
    const seq = new SeqTracker(500);
    for (let s = 10; s < 20; s++) seq.observe(s, 0);
    expect(seq.hasHoles).toBe(false);
    expect(seq.overdue(10_000)).toBe(false);
  });

  it('forgives a message that arrives late but within the grace period', () => {
    const seq = new SeqTracker(500);
    seq.observe(1, 0);
    seq.observe(3, 10);
    expect(seq.hasHoles).toBe(true);
    seq.observe(2, 100);
    expect(seq.hasHoles).toBe(false);
    expect(seq.overdue(1_000)).toBe(false);
  });

  it('declares a hole overdue once it outlasts the grace period', () => {
    const seq = new SeqTracker(500);
    seq.observe(1, 0);
    seq.observe(4, 100);
    expect(seq.overdue(400)).toBe(false);
    expect(seq.overdue(600)).toBe(true);
    seq.settle();
    expect(seq.overdue(10_000)).toBe(false);
    expect(seq.lastSeq).toBe(4);
  });

  it('asks for a refetch at once when the hole is too big to track', () => {
    const seq = new SeqTracker(500);
    seq.observe(1, 0);
    expect(seq.observe(1 + SeqTracker.MAX_TRACKED + 5, 1)).toBe(true);
    expect(seq.hasHoles).toBe(false);
  });

  it('starts over after a reset, so the first message of a new connection is no gap', () => {
    const seq = new SeqTracker(500);
    seq.observe(5, 0);
    seq.reset();
    seq.observe(50, 1);
    expect(seq.hasHoles).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('starts at about a second and doubles', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4].map((a) => backoffDelay(a, mid))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
  });

  it('never waits longer than 30 s, even after many attempts', () => {
    for (const r of [0, 0.5, 0.999]) expect(backoffDelay(50, () => r)).toBeLessThanOrEqual(30_000);
    expect(backoffDelay(50, () => 0)).toBe(24_000);
  });

  it('spreads retries by ±20 % so dashboards do not reconnect in lock-step', () => {
    expect(backoffDelay(2, () => 0)).toBe(3_200);
    expect(backoffDelay(2, () => 0.999)).toBeGreaterThan(4_790);
  });
});
