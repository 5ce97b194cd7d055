// Property-based tests of the small validators on the ingest path: the agent's stable id prefix (event-id.ts), the
// per-minute sparkline window (recent.ts) and the store/kiosk dimensions and sample cap (incident.ts). Each round-trips
// what it should read, and answers something well-formed for anything else.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { splitStableId } from '../../../src/domain/event-id.js';
import { cleanDimension, dimensionsFromStream, MAX_SAMPLE_CHARS, truncateSample } from '../../../src/domain/incident.js';
import { minutesWorthKeeping, recentOccurrences, RECENT_MINUTES, recentWindowStart, staleMinutes } from '../../../src/domain/recent.js';
import { anyJson, hostileText } from './arbitraries.js';

const STABLE_ID = /^sl1:(?:[0-9a-f]{12}|agent-[a-z]{1,16}):[0-9a-z]{1,13}$/;
const fileKey = fc.oneof(fc.stringMatching(/^[0-9a-f]{12}$/), fc.stringMatching(/^agent-[a-z]{1,16}$/));
const offset = fc.stringMatching(/^[0-9a-z]{1,13}$/);

describe('Property: splitStableId', () => {
  it('round-trips the stable id and the record behind it, whatever the record', () => {
    fc.assert(
      fc.property(fileKey, offset, hostileText(200), (key, at, record) => {
        expect(splitStableId(`sl1:${key}:${at} ${record}`)).toEqual({ stableId: `sl1:${key}:${at}`, message: record });
      }),
      { numRuns: 2_000 },
    );
  });

  it('either leaves any text whole or splits it into a well-formed id, a space and the rest', () => {
    const near = fc.tuple(fc.constantFrom('sl1:', 'sl1:agent-', 'SL1:', 'sl2:', ''), hostileText(40)).map(([prefix, rest]) => prefix + rest);
    fc.assert(
      fc.property(fc.oneof(hostileText(200), near), (text) => {
        const split = splitStableId(text);
        if (split.stableId === undefined) expect(split.message).toBe(text);
        else {
          expect(split.stableId).toMatch(STABLE_ID);
          expect(`${split.stableId} ${split.message}`).toBe(text);
        }
      }),
      { numRuns: 3_000 },
    );
  });
});

const MINUTE_MS = 60_000;
const keyOf = (ms: number) => new Date(ms).toISOString().slice(0, 16);
const lastSeenArb = fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
/** A stored minute map around lastSeen: minutes inside the window, before it, after it, malformed keys and odd values. */
function storedAround(lastSeen: string): fc.Arbitrary<Record<string, unknown>> {
  const end = Date.parse(`${lastSeen.slice(0, 16)}:00.000Z`);
  const minute = fc.integer({ min: -3 * RECENT_MINUTES, max: 5 }).map((delta) => keyOf(end + delta * MINUTE_MS));
  const key = fc.oneof({ weight: 5, arbitrary: minute }, { weight: 1, arbitrary: hostileText(20) });
  const value = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 10_000 }) }, { weight: 1, arbitrary: anyJson });
  return fc.dictionary(key, value, { maxKeys: 40 });
}
const windowCase = lastSeenArb.chain((lastSeen) => fc.tuple(fc.constant(lastSeen), storedAround(lastSeen)));

describe('Property: the recent-occurrences window', () => {
  it('always answers sixty finite buckets, each the stored count of its minute (model comparison)', () => {
    fc.assert(
      fc.property(windowCase, ([lastSeen, stored]) => {
        const { start, counts } = recentOccurrences(stored, lastSeen);
        expect(counts).toHaveLength(RECENT_MINUTES);
        expect(start).toBe(recentWindowStart(lastSeen));
        const startMs = Date.parse(`${start}:00.000Z`);
        const model = counts.map((_, slot) => {
          const value = stored[keyOf(startMs + slot * MINUTE_MS)];
          return typeof value === 'number' && Number.isFinite(value) ? value : 0;
        });
        expect(counts).toEqual(model);
      }),
      { numRuns: 1_000 },
    );
  });

  it('keeps only positive counts of minutes inside the window and marks as stale exactly what is outside it', () => {
    fc.assert(
      fc.property(windowCase, ([lastSeen, stored]) => {
        const numeric = Object.fromEntries(Object.entries(stored).map(([k, v]) => [k, typeof v === 'number' ? v : 0]));
        const kept = minutesWorthKeeping(numeric, lastSeen);
        const stale = staleMinutes(stored, lastSeen);
        const start = recentWindowStart(lastSeen);
        const end = lastSeen.slice(0, 16);
        expect(kept.filter(([minute, count]) => !(minute >= start && minute <= end && count > 0))).toEqual([]);
        expect(kept.length).toBeLessThanOrEqual(RECENT_MINUTES);
        const keptKeys = new Set(kept.map(([minute]) => minute));
        expect(stale.filter((minute) => keptKeys.has(minute))).toEqual([]);
        // Nothing in the window is ever called stale, so a sparkline never loses a bucket it still shows.
        expect(stale.filter((minute) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(minute) && minute >= start)).toEqual([]);
      }),
      { numRuns: 2_000 },
    );
  });

  it('never throws on any lastSeen text or stored value, and answers an empty window for a lastSeen that is no timestamp', () => {
    fc.assert(
      fc.property(hostileText(40), fc.option(fc.dictionary(hostileText(20), anyJson, { maxKeys: 10 }), { nil: undefined }), (lastSeen, stored) => {
        const recent = recentOccurrences(stored, lastSeen);
        expect(recent.counts).toHaveLength(RECENT_MINUTES);
        expect(recent.counts.filter((count) => !Number.isFinite(count))).toEqual([]);
        if (!Number.isFinite(Date.parse(`${lastSeen.slice(0, 16)}:00.000Z`))) {
          expect(recent.start).toBe('');
          expect(staleMinutes(stored, lastSeen)).toEqual([]);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

const DIMENSION = /^[A-Za-z0-9._:-]{1,64}$/;
const dimensionArb = fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/);

describe('Property: store and kiosk dimensions', () => {
  it('keeps a valid dimension as it is and refuses anything else, idempotently', () => {
    fc.assert(
      fc.property(fc.oneof(dimensionArb, hostileText(80), anyJson, fc.double()), (value) => {
        const clean = cleanDimension(value);
        if (clean !== undefined) expect(clean).toMatch(DIMENSION);
        if (typeof value === 'string') expect(clean).toBe(DIMENSION.test(value) ? value : undefined);
        expect(cleanDimension(clean)).toBe(clean);
      }),
      { numRuns: 3_000 },
    );
  });

  it('reads `store/kiosk` stream names back and never answers a dimension that is not one', () => {
    fc.assert(
      fc.property(dimensionArb, dimensionArb, hostileText(100), (store, kiosk, any) => {
        expect(dimensionsFromStream(`${store}/${kiosk}`)).toEqual({ storeId: store, kioskId: kiosk });
        const dims = dimensionsFromStream(any);
        for (const value of [dims.storeId, dims.kioskId]) expect(value === 'unknown' || DIMENSION.test(value)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('Property: truncateSample', () => {
  it('keeps short samples whole and cuts long ones to their first MAX_SAMPLE_CHARS characters plus a note of what was cut', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          hostileText(200),
          fc.integer({ min: 1, max: 100_000 }).map((n) => 'x'.repeat(MAX_SAMPLE_CHARS - 50 + n)),
        ),
        (text) => {
          const sample = truncateSample(text);
          if (text.length <= MAX_SAMPLE_CHARS) expect(sample).toBe(text);
          else expect(sample).toBe(`${text.slice(0, MAX_SAMPLE_CHARS)}…[truncated ${text.length - MAX_SAMPLE_CHARS} chars]`);
          expect(sample.length).toBeLessThanOrEqual(MAX_SAMPLE_CHARS + 40);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
