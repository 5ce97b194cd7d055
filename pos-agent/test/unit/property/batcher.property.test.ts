// Property-based tests of the batcher: whatever records arrive (huge, multi-byte, with header times all over the
// calendar), every batch it seals is one PutLogEvents accepts as it is (≤ 1 MiB counting 26 bytes per event, ≤ 10,000
// events, ≤ 24 h span, sorted), and every record is in exactly one batch. Also the header-timestamp parser, whose
// per-second cache must answer exactly what an uncached parse answers.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Batcher, eventTimestamp, parseHeaderTimestamp } from '../../../src/agent/batcher.js';
import type { Batch, FileIdentity, LogRecord } from '../../../src/agent/types.js';
import { truncationMarker } from '../../../src/agent/utf8.js';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const IDENTITY: FileIdentity = { dev: '1', ino: '42' };

// What the PutLogEvents documentation says, written out rather than imported from the batcher.
const MAX_BATCH_BYTES = 1_048_576;
const OVERHEAD = 26;
const MAX_EVENTS = 10_000;
const MAX_EVENT_BYTES = 256 * 1024;
const MAX_SPAN = 24 * HOUR;
const MAX_FUTURE = 2 * HOUR;
const MAX_AGE = 14 * DAY;

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

interface RecordSpec {
  /** Header time relative to NOW, or none. */
  readonly header?: number;
  readonly fill: { readonly bytes: number; readonly char: string };
  readonly readAgo: number;
}

const recordSpecArb: fc.Arbitrary<RecordSpec> = fc.record(
  {
    header: fc.oneof(
      fc.integer({ min: -MAX_AGE - HOUR, max: MAX_FUTURE + HOUR }),
      fc.constantFrom(-MAX_AGE - 1, -MAX_AGE, MAX_FUTURE, MAX_FUTURE + 1, 0, -MAX_SPAN, -MAX_SPAN - 1, -30 * DAY, 5 * HOUR),
    ),
    fill: fc.record({
      bytes: fc.oneof(
        { weight: 8, arbitrary: fc.integer({ min: 0, max: 300 }) },
        { weight: 2, arbitrary: fc.integer({ min: 100_000, max: 300_000 }) },
        { weight: 1, arbitrary: fc.constantFrom(262_100, 262_117, 262_118, 262_119) },
      ),
      char: fc.constantFrom('x', 'é', '€', '😀', ' '),
    }),
    readAgo: fc.integer({ min: 0, max: 3 * HOUR }),
  },
  { requiredKeys: ['fill', 'readAgo'] },
);

function textOf(spec: RecordSpec): string {
  const header = spec.header === undefined ? '' : `[${new Date(NOW + spec.header).toISOString()}] [ERROR] `;
  const width = utf8(spec.fill.char);
  return header + spec.fill.char.repeat(Math.floor(spec.fill.bytes / width)) + 'x'.repeat(spec.fill.bytes % width);
}

/** Records as the multiline stage hands them over: ids from their file offsets, positions increasing. */
function recordsOf(specs: readonly RecordSpec[]): Array<{ record: LogRecord; id: string; text: string }> {
  let offset = 0;
  return specs.map((spec, index) => {
    const text = textOf(spec);
    const origin = { identity: IDENTITY, offset };
    offset += utf8(text) + 1;
    const record: LogRecord = { text, lineCount: 1, position: { identity: IDENTITY, offset }, origin, readAt: NOW - spec.readAgo };
    return { record, id: `sl1:0123456789ab:${index.toString(36)}`, text };
  });
}

/** The time the docs say an event should carry: its header's, when PutLogEvents would accept that, else the read time. */
function expectedTimestamp(spec: RecordSpec): number {
  if (spec.header === undefined || spec.header > MAX_FUTURE || spec.header < -MAX_AGE) return NOW - spec.readAgo;
  return NOW + spec.header;
}

function run(specs: readonly RecordSpec[], maxBatchEvents?: number): { batches: Batch[]; records: ReturnType<typeof recordsOf>; truncations: number[] } {
  const batches: Batch[] = [];
  const truncations: number[] = [];
  const batcher = new Batcher({
    onBatch: (batch) => batches.push(batch),
    onEventTruncated: (dropped) => truncations.push(dropped),
    flushIntervalMs: 60_000,
    now: () => NOW,
    ...(maxBatchEvents === undefined ? {} : { maxBatchEvents }),
  });
  const records = recordsOf(specs);
  for (const { record, id } of records) batcher.add(record, id);
  batcher.flush();
  batcher.stop();
  return { batches, records, truncations };
}

/** Every way the batches break the rules, as readable lines (one expect at the end keeps 25,000-record runs quick). */
function batchProblems(specs: readonly RecordSpec[], maxEvents: number, result: ReturnType<typeof run>): string[] {
  const { batches, records } = result;
  const problems: string[] = [];
  const seen: number[] = [];
  for (const [number, batch] of batches.entries()) {
    const where = `batch ${number}`;
    // Accepted by PutLogEvents as it is.
    if (batch.events.length === 0 || batch.events.length > maxEvents) problems.push(`${where}: ${batch.events.length} events`);
    const sizes = batch.events.map((event) => utf8(event.message) + OVERHEAD);
    const total = sizes.reduce((sum, size) => sum + size, 0);
    if (batch.bytes !== total) problems.push(`${where}: says ${batch.bytes} bytes, holds ${total}`);
    if (total > MAX_BATCH_BYTES) problems.push(`${where}: ${total} bytes`);
    for (const size of sizes) if (size > MAX_EVENT_BYTES) problems.push(`${where}: an event of ${size} bytes`);
    const times = batch.events.map((event) => event.timestamp);
    if (Math.max(...times) - Math.min(...times) > MAX_SPAN) problems.push(`${where}: spans ${Math.max(...times) - Math.min(...times)} ms`);

    const indexes = batch.events.map((event) => parseInt(/^sl1:0123456789ab:([0-9a-z]+) /.exec(event.message)?.[1] ?? 'NaN', 36));
    // Sorted by time; records with equal times keep file order.
    for (let i = 1; i < batch.events.length; i++) {
      if (!(times[i]! > times[i - 1]! || (times[i] === times[i - 1] && indexes[i]! > indexes[i - 1]!)))
        problems.push(`${where}: events ${i - 1} and ${i} out of order`);
    }
    // A batch holds a run of consecutive records, and the checkpoint may move to the end of the last of them.
    const inFileOrder = [...indexes].sort((a, b) => a - b);
    if (inFileOrder.some((index, i) => index !== inFileOrder[0]! + i)) problems.push(`${where}: records ${inFileOrder.join(',')} are not consecutive`);
    const last = records[inFileOrder.at(-1)!];
    if (last === undefined || batch.through !== last.record.position) problems.push(`${where}: through is not the end of its last record`);
    seen.push(...inFileOrder);

    for (const [at, index] of indexes.entries()) {
      const event = batch.events[at]!;
      const entry = records[index];
      if (entry === undefined) {
        problems.push(`${where}: event ${at} names no record`);
        continue;
      }
      const { id, text } = entry;
      if (event.timestamp !== expectedTimestamp(specs[index]!))
        problems.push(`record ${index}: time ${event.timestamp}, expected ${expectedTimestamp(specs[index]!)}`);
      const prefix = `${id} `;
      if (!event.message.startsWith(prefix)) problems.push(`record ${index}: message does not start with its id`);
      const body = event.message.slice(prefix.length);
      if (body === text) continue;
      // Cut: a prefix of whole characters of the original, then the marker counting exactly the bytes left out.
      const marker = /…\[truncated (\d+) bytes\]$/.exec(body);
      const kept = marker === null ? body : body.slice(0, body.length - marker[0].length);
      if (marker === null || !text.startsWith(kept) || Number(marker[1]) !== utf8(text) - utf8(kept) || !body.endsWith(truncationMarker(Number(marker[1])))) {
        problems.push(`record ${index}: changed other than by a marked cut at a character boundary`);
      }
    }
  }
  // Every record exactly once, batches in file order.
  if (seen.length !== records.length || seen.some((index, i) => index !== i))
    problems.push(`records seen in order ${seen.slice(0, 20).join(',')}…, expected 0..${records.length - 1}`);
  return problems;
}

describe('Property: Batcher', () => {
  it('seals only batches PutLogEvents accepts as they are, with every record exactly once and correct times', () => {
    fc.assert(
      fc.property(fc.array(recordSpecArb, { maxLength: 40 }), fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }), (specs, maxBatchEvents) => {
        const result = run(specs, maxBatchEvents);
        expect(batchProblems(specs, maxBatchEvents ?? MAX_EVENTS, result)).toEqual([]);
        expect(result.truncations.length).toBe(
          result.batches.flatMap((batch) => batch.events).filter((event) => event.message.includes('…[truncated ')).length,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('keeps to 10,000 events per batch with the default limits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 9_990, max: 25_000 }), fc.integer({ min: 0, max: 300 }), (count, bytes) => {
        const specs = Array.from({ length: count }, (): RecordSpec => ({ fill: { bytes: bytes + 1, char: 'x' }, readAgo: 0 }));
        expect(batchProblems(specs, MAX_EVENTS, run(specs))).toEqual([]);
      }),
      { numRuns: 4 },
    );
  });
});

// ── Header timestamps ──────────────────────────────────────────────────────────────────────────────────────────────

interface HeaderSpec {
  readonly prefix: string;
  readonly epochSecond: number;
  readonly separator: 'T' | ' ';
  readonly fraction: string;
  readonly space: boolean;
  readonly zone: string;
  readonly suffix: string;
}

const ZONE_MINUTES: Readonly<Record<string, number | undefined>> = {
  '': undefined,
  Z: 0,
  '+01': 60,
  '-05': -300,
  '+0530': 330,
  '-03:30': -210,
  '+14:00': 840,
  '-00:00': 0,
};

const headerSpecArb: fc.Arbitrary<HeaderSpec> = fc.record({
  prefix: fc.constantFrom('', '[', '<13>', 'x ', '7[', 'Nov 26 ', 'ts='),
  // A handful of seconds, so consecutive headers often repeat one and take the cached path.
  epochSecond: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(NOW / 1000, NOW / 1000 + 1, NOW / 1000 - 3600) },
    { weight: 1, arbitrary: fc.integer({ min: 946_684_800, max: 4_102_444_799 }) },
  ),
  separator: fc.constantFrom<'T' | ' '>('T', ' '),
  // Up to nine digits (nanoseconds); a tenth digit would stand where the zone is looked for.
  fraction: fc.constantFrom('', '.1', ',12', '.123', ',1234', '.1234567', '.123456789', '.'),
  space: fc.boolean(),
  zone: fc.constantFrom(...Object.keys(ZONE_MINUTES)),
  suffix: fc.constantFrom('', ' [ERROR] boom', '] x', 'x9', ' 12:30'),
});

function renderHeader(spec: HeaderSpec): string {
  const iso = new Date(spec.epochSecond * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  return `${spec.prefix}${iso.slice(0, 10)}${spec.separator}${iso.slice(11, 19)}${spec.fraction}${spec.space && spec.zone !== '' ? ' ' : ''}${spec.zone}${spec.suffix}`;
}

/**
 * The instant a header names, worked out without the parser: the wall-clock fields are those of the UTC ISO string, read
 * in the stated zone or, with none, in the kiosk's local time; fractions count to the millisecond, truncated.
 */
function headerModel(spec: HeaderSpec): number {
  const digits = /^[.,](\d{1,9})/.exec(spec.fraction)?.[1];
  const millis = digits === undefined ? 0 : Number(digits.slice(0, 3).padEnd(3, '0'));
  const fields = new Date(spec.epochSecond * 1000);
  const [y, mo, d, h, mi, s] = [
    fields.getUTCFullYear(),
    fields.getUTCMonth(),
    fields.getUTCDate(),
    fields.getUTCHours(),
    fields.getUTCMinutes(),
    fields.getUTCSeconds(),
  ];
  // A fraction with no digit is not part of the timestamp, and then neither is a zone after it.
  const zoneMinutes = spec.fraction === '.' ? undefined : ZONE_MINUTES[spec.zone];
  if (zoneMinutes === undefined) return new Date(y, mo, d, h, mi, s, millis).getTime();
  return Date.UTC(y, mo, d, h, mi, s, millis) - zoneMinutes * 60_000;
}

/** Forgets the parser's cached second by parsing a header no generated one can share a second with. */
function uncached(header: string): number | undefined {
  parseHeaderTimestamp('1970-01-01T00:00:00Z');
  return parseHeaderTimestamp(header);
}

describe('Property: parseHeaderTimestamp', () => {
  it('reads the instant the header names, in its zone or the local one, to the millisecond', () => {
    fc.assert(
      fc.property(headerSpecArb, (spec) => {
        expect(uncached(renderHeader(spec))).toBe(headerModel(spec));
      }),
      { numRuns: 3_000 },
    );
  });

  it('answers through its per-second cache exactly what an uncached parse answers, for any sequence of headers', () => {
    const anyHeaderArb = fc.oneof(
      headerSpecArb.map(renderHeader),
      fc.string({ maxLength: 40 }),
      fc.constantFrom('2026-02-30T10:00:00Z', '2026-13-01 10:00:00', '2026-11-26T24:00:00Z', '2026-11-26T12:00:61'),
    );
    fc.assert(
      fc.property(fc.array(anyHeaderArb, { minLength: 1, maxLength: 30 }), (headers) => {
        const expected = headers.map(uncached);
        parseHeaderTimestamp('1970-01-01T00:00:00Z');
        expect(headers.map((header) => parseHeaderTimestamp(header))).toEqual(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses a date that does not exist rather than rolling it over', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 2100 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 29, max: 31 }), (year, month, day) => {
        const exists = new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
        const header = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T10:00:00Z`;
        expect(uncached(header) !== undefined).toBe(exists);
      }),
      { numRuns: 500 },
    );
  });

  it('never gives an event a time PutLogEvents would refuse: outside [now - 14 days, now + 2 h] it falls back to the read time', () => {
    fc.assert(
      fc.property(headerSpecArb, fc.integer({ min: -400 * DAY, max: 400 * DAY }), (spec, readOffset) => {
        const header = renderHeader(spec);
        const readAt = NOW + readOffset;
        const parsed = uncached(header);
        const time = eventTimestamp(header, readAt, NOW);
        if (parsed !== undefined && parsed <= NOW + MAX_FUTURE && parsed >= NOW - MAX_AGE) expect(time).toBe(parsed);
        else expect(time).toBe(readAt);
      }),
      { numRuns: 2_000 },
    );
  });
});
