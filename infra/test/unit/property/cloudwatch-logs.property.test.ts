// Property-based tests of the local CloudWatch Logs request validation and subscription delivery: PutLogEvents accepts a
// batch exactly when AWS's documented limits say it may (and then keeps exactly the events inside the time window),
// every operation answers arbitrary input with a result or the service's own error, and subscription payloads carry
// every matching event once, in order, within Lambda's limit.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { countRejectedEvents } from '../../../../pos-agent/src/agent/shipper.js';
import { AwsServiceError } from '../../../src/local/aws-error.js';
import { outcome } from './outcome.js';
import { DeliveryJournal, type JournaledJob } from '../../../src/local/cloudwatch-logs/delivery-journal.js';
import {
  buildSubscriptionPayloads,
  PayloadTooLargeError,
  type SubscriptionLogEvent,
  type SubscriptionMessage,
} from '../../../src/local/cloudwatch-logs/delivery.js';
import { EventIdSequence } from '../../../src/local/cloudwatch-logs/event-ids.js';
import { LocalCloudWatchLogs } from '../../../src/local/cloudwatch-logs/service.js';
import { propertyTempDir } from './temp.js';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const GROUP = '/stacklens/pos';
const STREAM = 'store-12/kiosk-3';

// What the API reference and ../shared/reference/aws.md say, written out here rather than imported from the service.
const MAX_BATCH_BYTES = 1_048_576;
const EVENT_OVERHEAD = 26;
const MAX_EVENT_BYTES = 262_144;
const MAX_EVENTS = 10_000;
const MAX_SPAN_MS = 24 * HOUR;
const MAX_AGE_MS = 14 * DAY;
const MAX_FUTURE_MS = 2 * HOUR;

const services: LocalCloudWatchLogs[] = [];

function newService(): LocalCloudWatchLogs {
  const svc = new LocalCloudWatchLogs({ deliver: async () => undefined, now: () => NOW, deliveryRetryDelayMs: 1 });
  services.push(svc);
  return svc;
}

afterAll(async () => {
  await Promise.all(services.map((svc) => svc.drain(10_000)));
});

async function withStream(svc: LocalCloudWatchLogs): Promise<void> {
  await svc.handle('CreateLogGroup', { logGroupName: GROUP });
  await svc.handle('CreateLogStream', { logGroupName: GROUP, logStreamName: STREAM });
}

function expectValidationMessageConsistent(error: AwsServiceError): void {
  const counted = /^(\d+) validation errors? detected: /.exec(error.message);
  if (counted === null) return;
  const count = Number(counted[1]);
  expect(count).toBeGreaterThanOrEqual(1);
  expect(error.message.split('failed to satisfy constraint').length - 1).toBe(Math.min(count, 10));
}

// ── PutLogEvents limits ────────────────────────────────────────────────────────────────────────────────────────────

/**
 * A message of exactly `bytes` UTF-8 bytes, built from characters of `width` bytes (and ASCII to fill up). Batches are
 * generated as these descriptions, so a counterexample prints as sizes rather than as megabytes of text.
 */
interface MessageSpec {
  readonly bytes: number;
  readonly width: 1 | 2 | 3 | 4;
}

function messageOf({ bytes, width }: MessageSpec): string {
  const char = { 1: 'x', 2: 'é', 3: '€', 4: '😀' }[width];
  return char.repeat(Math.floor(bytes / width)) + 'x'.repeat(bytes % width);
}

const widthArb = fc.constantFrom<1 | 2 | 3 | 4>(1, 2, 3, 4);
const smallMessageArb = fc.record({ bytes: fc.integer({ min: 1, max: 400 }), width: widthArb });
/** Sizes at and around the per-event cap (262,118 message bytes + 26 = 256 KiB): four of the largest make exactly 1 MiB. */
const largeMessageArb = fc.record({ bytes: fc.constantFrom(262_117, 262_118, 262_119, 200_000, 300_000), width: widthArb });
const anyMessageArb = fc.oneof(
  { weight: 6, arbitrary: smallMessageArb },
  { weight: 3, arbitrary: largeMessageArb },
  { weight: 1, arbitrary: fc.record({ bytes: fc.constant(0), width: widthArb }) },
);

const startArb = fc.tuple(
  fc.constantFrom(-15 * DAY, -MAX_AGE_MS - 1, -MAX_AGE_MS, -20 * HOUR, -HOUR, 0, MAX_FUTURE_MS, MAX_FUTURE_MS + 1, 3 * HOUR),
  fc.integer({ min: -3, max: 3 }),
);
const orderedStepArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 3 }) },
  { weight: 2, arbitrary: fc.constantFrom(HOUR, 12 * HOUR, MAX_SPAN_MS, MAX_SPAN_MS + 1, DAY + HOUR) },
);
const anyStepArb = fc.oneof({ weight: 9, arbitrary: orderedStepArb }, { weight: 1, arbitrary: fc.integer({ min: -5, max: -1 }) });

/** `badPercent`: how often one timestamp is replaced by one the schema refuses (negative, fractional). */
function timestampsArb(count: number, stepArb: fc.Arbitrary<number>, badPercent: number): fc.Arbitrary<number[]> {
  const badArb = fc.oneof({ weight: 100 - badPercent, arbitrary: fc.constant(null) }, { weight: badPercent, arbitrary: fc.constantFrom(-1, 1.5) });
  return fc.tuple(startArb, fc.array(stepArb, { minLength: count, maxLength: count }), badArb, fc.nat()).map(([[start, jitter], steps, bad, at]) => {
    let timestamp = NOW + start + jitter;
    const timestamps = steps.map((step, index) => (index === 0 ? timestamp : (timestamp += step)));
    if (bad !== null && timestamps.length > 0) timestamps[at % timestamps.length] = bad;
    return timestamps;
  });
}

function batchOf(countArb: fc.Arbitrary<number>, messageArb: fc.Arbitrary<MessageSpec>, stepArb: fc.Arbitrary<number>, badPercent: number) {
  return countArb
    .chain((count) => fc.tuple(fc.array(messageArb, { minLength: count, maxLength: count }), timestampsArb(count, stepArb, badPercent)))
    .map(([messages, timestamps]) => messages.map((message, index) => ({ timestamp: timestamps[index]!, message })));

  const toEvents = (batch: ReadonlyArray<{ timestamp: number; message: MessageSpec }>) =>
    batch.map(({ timestamp, message }) => ({ timestamp, message: messageOf(message) }));
}

/** Batches aimed at each limit in turn: the time window and span, the byte caps, and anything at all. */
const batchArb = fc.oneof(
  { weight: 4, arbitrary: batchOf(fc.integer({ min: 1, max: 7 }), smallMessageArb, orderedStepArb, 0) },
  { weight: 3, arbitrary: batchOf(fc.integer({ min: 1, max: 5 }), largeMessageArb, fc.integer({ min: 0, max: 3 }), 0) },
  { weight: 3, arbitrary: batchOf(fc.integer({ min: 0, max: 7 }), anyMessageArb, anyStepArb, 10) },
);

const toEvents = (batch: ReadonlyArray<{ timestamp: number; message: MessageSpec }>) =>
  batch.map(({ timestamp, message }) => ({ timestamp, message: messageOf(message) }));

interface Expected {
  readonly accepted: boolean;
  readonly tooOld: number;
  readonly tooNew: number;
}

function putModel(batch: ReadonlyArray<{ timestamp: number; message: string }>): Expected {
  const rejected = { accepted: false, tooOld: 0, tooNew: 0 };
  if (batch.length < 1 || batch.length > MAX_EVENTS) return rejected;
  if (batch.some((event) => event.message.length === 0 || !Number.isInteger(event.timestamp) || event.timestamp < 0)) return rejected;
  const sizes = batch.map((event) => Buffer.byteLength(event.message, 'utf8') + EVENT_OVERHEAD);
  if (sizes.some((size) => size > MAX_EVENT_BYTES)) return rejected;
  if (sizes.reduce((sum, size) => sum + size, 0) > MAX_BATCH_BYTES) return rejected;
  if (batch.some((event, index) => index > 0 && event.timestamp < batch[index - 1]!.timestamp)) return rejected;
  if (batch.at(-1)!.timestamp - batch[0]!.timestamp > MAX_SPAN_MS) return rejected;
  return {
    accepted: true,
    tooOld: batch.filter((event) => event.timestamp < NOW - MAX_AGE_MS).length,
    tooNew: batch.filter((event) => event.timestamp > NOW + MAX_FUTURE_MS).length,
  };
}

type PutResult = { nextSequenceToken?: string; rejectedLogEventsInfo?: { tooOldLogEventEndIndex?: number; tooNewLogEventStartIndex?: number } };
type GetResult = { events: Array<{ timestamp: number; message: string }> };

describe('Property: PutLogEvents against the documented limits', () => {
  it('accepts a batch exactly when size, count, order and span allow it, and keeps exactly the events inside the time window', async () => {
    await fc.assert(
      fc.asyncProperty(batchArb, async (specs) => {
        const batch = toEvents(specs);
        const svc = newService();
        await withStream(svc);
        const expected = putModel(batch);

        const result = await outcome(svc.handle('PutLogEvents', { logGroupName: GROUP, logStreamName: STREAM, logEvents: batch }));

        expect(result.ok).toBe(expected.accepted);
        const stored = (await svc.handle('GetLogEvents', { logGroupName: GROUP, logStreamName: STREAM, startFromHead: true })) as GetResult;
        if (!result.ok) {
          expect(result.error.type).toBe('InvalidParameterException');
          expectValidationMessageConsistent(result.error);
          expect(stored.events).toEqual([]);
          return;
        }
        const kept = batch.slice(expected.tooOld, batch.length - expected.tooNew);
        expect(stored.events.map(({ timestamp, message }) => ({ timestamp, message }))).toEqual(kept);
        expect(svc.stats()).toMatchObject({ eventsAccepted: kept.length, eventsRejected: { tooOld: expected.tooOld, tooNew: expected.tooNew } });
        // The agent reads rejectedLogEventsInfo to count what the service dropped: both sides must agree on the indexes.
        const info = (result.value as PutResult).rejectedLogEventsInfo;
        expect(countRejectedEvents(info, batch.length)).toBe(expected.tooOld + expected.tooNew);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts at most 10,000 events in one batch', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: MAX_EVENTS - 2, max: MAX_EVENTS + 2 }), async (count) => {
        const svc = newService();
        await withStream(svc);
        const batch = Array.from({ length: count }, (_, index) => ({ timestamp: NOW, message: `e${index}` }));
        const result = await outcome(svc.handle('PutLogEvents', { logGroupName: GROUP, logStreamName: STREAM, logEvents: batch }));
        expect(result.ok).toBe(count <= MAX_EVENTS);
        expect(svc.stats().eventsAccepted).toBe(result.ok ? count : 0);
      }),
      { numRuns: 10 },
    );
  });
});

// ── Any input to any operation ─────────────────────────────────────────────────────────────────────────────────────

const OPERATIONS: Record<string, Record<string, unknown>> = {
  CreateLogGroup: { logGroupName: '/g' },
  DescribeLogGroups: {},
  CreateLogStream: { logGroupName: '/g', logStreamName: 's' },
  DescribeLogStreams: { logGroupName: '/g' },
  PutLogEvents: { logGroupName: '/g', logStreamName: 's', logEvents: [{ timestamp: NOW, message: 'ERROR m' }] },
  GetLogEvents: { logGroupName: '/g', logStreamName: 's' },
  FilterLogEvents: { logGroupName: '/g', filterPattern: 'ERROR' },
  PutSubscriptionFilter: { logGroupName: '/g', filterName: 'f', filterPattern: '', destinationArn: 'arn:aws:lambda:us-east-1:000000000000:function:x' },
  DescribeSubscriptionFilters: { logGroupName: '/g' },
  DeleteSubscriptionFilter: { logGroupName: '/g', filterName: 'f' },
};
const MEMBERS = [
  ...new Set(Object.values(OPERATIONS).flatMap((request) => Object.keys(request))),
  'nextToken',
  'limit',
  'startTime',
  'endTime',
  'startFromHead',
  'logGroupIdentifier',
  'logStreamNames',
  'logStreamNamePrefix',
  'logGroupNamePrefix',
  'logGroupNamePattern',
  'orderBy',
  'descending',
  'interleaved',
  'filterNamePrefix',
  'distribution',
  'tags',
  'logGroupClass',
  '__proto__',
  'constructor',
];

const base64url = (text: string) => Buffer.from(text).toString('base64url');
const hostileValueArb = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    '',
    '/g',
    's',
    '*',
    ':',
    'arn:aws:logs:us-east-1:000000000000:log-group:/g:*',
    'f/00000000000000000000000000000000000000000000000000000000/s',
    `b/${'9'.repeat(56)}/s`,
    `f/${'0'.repeat(55)}1/s`,
    base64url('o3'),
    base64url(`o${'9'.repeat(400)}`),
    base64url('{"t":1,"i":"x"}'),
    base64url('null'),
    base64url('[]'),
    'x'.repeat(600),
    -1,
    0,
    1.5,
    2 ** 53,
    Number.MAX_SAFE_INTEGER,
    1e308,
    -0,
    true,
    null,
    [],
    {},
    [{ timestamp: NOW, message: '' }],
    [{}],
    { $ne: 1 },
    'LogStreamName',
    'LastEventTime',
    'ByLogStream',
    '{ $.a = 1 }',
    '[a, ...]',
    '%ERROR%',
    '%(%',
    '"',
    ['s', 's'],
  ),
);
const requestArb = fc
  .tuple(
    fc.constantFrom(...Object.keys(OPERATIONS), 'UnknownOperation', '__proto__', ''),
    fc.array(fc.tuple(fc.constantFrom(...MEMBERS), fc.oneof(hostileValueArb, fc.constant(undefined))), { maxLength: 4 }),
    fc.boolean(),
  )
  .map(([operation, changes, fromScratch]) => {
    const request: Record<string, unknown> = fromScratch ? {} : { ...(OPERATIONS[operation] ?? {}) };
    for (const [member, value] of changes) {
      if (value === undefined) delete request[member];
      else Object.defineProperty(request, member, { value, enumerable: true, writable: true, configurable: true });
    }
    return { operation, request };
  });

describe('Property: every operation on arbitrary input', () => {
  it('answers with a result or a typed error naming the problem, and a validation message counts its own errors', async () => {
    const svc = newService();
    await fc.assert(
      fc.asyncProperty(fc.array(requestArb, { minLength: 1, maxLength: 12 }), async (requests) => {
        for (const { operation, request } of requests) {
          const result = await outcome(svc.handle(operation, request));
          if (!result.ok) expectValidationMessageConsistent(result.error);
          // Every answer goes out as JSON: a result must survive serialisation.
          if (result.ok) expect(() => JSON.stringify(result.value)).not.toThrow();
        }
      }),
      { numRuns: 600 },
    );
  });
});

// ── Subscription payloads ──────────────────────────────────────────────────────────────────────────────────────────

const HEADER: Omit<SubscriptionMessage, 'logEvents'> = {
  messageType: 'DATA_MESSAGE',
  owner: '000000000000',
  logGroup: GROUP,
  logStream: STREAM,
  subscriptionFilters: ['errors'],
};

const logEventArb: fc.Arbitrary<SubscriptionLogEvent> = fc.record({
  id: fc.stringMatching(/^[0-9]{56}$/),
  timestamp: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  message: fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 300 }),
    // Incompressible: random bytes as base64 defeat gzip, so payloads split for real.
    fc.uint8Array({ minLength: 100, maxLength: 3_000 }).map((bytes) => Buffer.from(bytes).toString('base64')),
    fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 500 })).map(([unit, times]) => unit.repeat(times)),
  ),
});

function decodeData(data: string): SubscriptionMessage {
  return JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as SubscriptionMessage;
}

describe('Property: buildSubscriptionPayloads', () => {
  it('carries every event exactly once, in order, in payloads within the limit that decode to the input', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(logEventArb, { maxLength: 40 }), fc.integer({ min: 400, max: 20_000 }), async (logEvents, maxBytes) => {
        const payloads = await buildSubscriptionPayloads(HEADER, logEvents, maxBytes);

        const carried: SubscriptionLogEvent[] = [];
        for (const payload of payloads) {
          if (payload instanceof PayloadTooLargeError) {
            // Only a single event too large on its own may come back refused, and only when it really is too large.
            const decoded = decodeData(payload.payload.event.awslogs.data);
            expect(decoded.logEvents).toHaveLength(1);
            expect(payload.payload.bytes).toBeGreaterThan(maxBytes);
            carried.push(...decoded.logEvents);
            continue;
          }
          expect(payload.bytes).toBeLessThanOrEqual(maxBytes);
          expect(payload.bytes).toBe(Buffer.byteLength(JSON.stringify(payload.event)));
          const { logEvents: inPayload, ...header } = decodeData(payload.event.awslogs.data);
          expect(header).toEqual(HEADER);
          expect(inPayload.length).toBeGreaterThan(0);
          expect(payload.eventCount).toBe(inPayload.length);
          carried.push(...inPayload);
        }
        expect(carried).toEqual(logEvents);
      }),
      { numRuns: 300 },
    );
  });

  it('sends a batch that fits the limit as one payload', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(logEventArb, { minLength: 1, maxLength: 10 }), async (logEvents) => {
        const [whole] = await buildSubscriptionPayloads(HEADER, logEvents, Number.MAX_SAFE_INTEGER);
        if (whole === undefined || whole instanceof PayloadTooLargeError) throw new Error('an unlimited batch must encode as one payload');
        const payloads = await buildSubscriptionPayloads(HEADER, logEvents, whole.bytes);
        expect(payloads).toHaveLength(1);
        expect(payloads[0]).toMatchObject({ eventCount: logEvents.length, bytes: whole.bytes });
      }),
      { numRuns: 200 },
    );
  });
});

// ── Event ids ──────────────────────────────────────────────────────────────────────────────────────────────────────

describe('Property: EventIdSequence', () => {
  it('hands out 56-digit ids that strictly increase as numbers and as strings, whatever the clock does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -1_000, max: 4_102_444_800_000 }), fc.double({ min: -10, max: 4e12, noNaN: true })), {
          minLength: 1,
          maxLength: 50,
        }),
        (clock) => {
          const sequence = new EventIdSequence();
          const ids = clock.map((nowMs) => sequence.next(nowMs));
          for (const id of ids) expect(id).toMatch(/^3\d{55}$/);
          for (let index = 1; index < ids.length; index += 1) {
            expect(BigInt(ids[index]!) > BigInt(ids[index - 1]!)).toBe(true);
            expect(ids[index]! > ids[index - 1]!).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ── The subscription delivery journal ──────────────────────────────────────────────────────────────────────────────

type JournalOp = { readonly kind: 'accept'; readonly lane: string; readonly messages: string[] } | { readonly kind: 'settle'; readonly which: number };

const journalOpArb: fc.Arbitrary<JournalOp> = fc.oneof(
  fc.record({
    kind: fc.constant('accept' as const),
    lane: fc.constantFrom('["g","f","s1"]', '["g","f","s2"]'),
    messages: fc.array(fc.string({ unit: 'binary', maxLength: 30 }), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ kind: fc.constant('settle' as const), which: fc.nat() }),
);

type JournalDamage =
  | { readonly kind: 'none' }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'garble'; readonly line: number }
  | { readonly kind: 'flip'; readonly at: number[]; readonly bit: number };

const journalDamageArb: fc.Arbitrary<JournalDamage> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('garble' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), bit: fc.integer({ min: 0, max: 7 }) }),
);

describe('Property: DeliveryJournal.open after a crash', () => {
  let dir: string;
  beforeAll(async () => {
    dir = propertyTempDir('stacklens-cwl-journal-').dir;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('owes exactly the accepted jobs no intact line settled, never throws on damage, and reads its own rewrite back unchanged', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(journalOpArb, { maxLength: 14 }), journalDamageArb, async (ops, how) => {
        const file = path.join(dir, `deliveries-${(run += 1)}.jsonl`);
        const { journal } = DeliveryJournal.open(file, () => undefined);
        // Each line as written, with what it means, to replay whichever lines survive.
        const lines: Array<{ text: string; job?: JournaledJob; settles?: string }> = [];
        const accepted: JournaledJob[] = [];
        for (const op of ops) {
          if (op.kind === 'accept') {
            const job = {
              header: { messageType: 'DATA_MESSAGE' as const, owner: '000000000000', logGroup: GROUP, logStream: STREAM, subscriptionFilters: ['errors'] },
              logEvents: op.messages.map((message, index) => ({ id: `3${String(index).padStart(55, '0')}`, timestamp: NOW + index, message })),
            };
            const { entry, written } = journal.accepted(op.lane, job);
            await written;
            accepted.push(entry);
            lines.push({ text: JSON.stringify({ type: 'job', ...entry }) + '\n', job: entry });
          } else if (accepted.length > 0) {
            const id = accepted[op.which % accepted.length]!.id;
            await journal.settled(id);
            lines.push({ text: JSON.stringify({ type: 'settled', id }) + '\n', settles: id });
          }
        }
        await journal.close();

        // Which lines survive the damage exactly as written; undefined when flipped bits make that unknowable.
        let surviving: typeof lines | undefined = lines;
        const bytes = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
        if (how.kind === 'truncate' && bytes.length > 0) {
          const at = how.at % bytes.length;
          truncateSync(file, at);
          let end = 0;
          surviving = lines.filter((line) => (end += Buffer.byteLength(line.text)) - 1 <= at);
        } else if (how.kind === 'garble' && lines.length > 0) {
          const victim = how.line % lines.length;
          writeFileSync(file, lines.map((line, index) => (index === victim ? `${line.text.slice(0, line.text.length >> 1)}\u0000\n` : line.text)).join(''));
          surviving = lines.filter((_, index) => index !== victim);
        } else if (how.kind === 'flip' && bytes.length > 0) {
          for (const at of how.at) bytes[at % bytes.length] = bytes[at % bytes.length]! ^ (1 << how.bit);
          writeFileSync(file, bytes);
          surviving = undefined;
        }

        const { journal: reopened, unsettled } = DeliveryJournal.open(file, () => undefined);
        await reopened.close();
        if (surviving !== undefined) {
          const owed = new Map<string, JournaledJob>();
          for (const line of surviving) {
            if (line.job) owed.set(line.job.id, line.job);
            if (line.settles) owed.delete(line.settles);
          }
          expect(unsettled).toEqual([...owed.values()]);
        }
        const warnings: string[] = [];
        const { journal: third, unsettled: again } = DeliveryJournal.open(file, (line) => warnings.push(line));
        await third.close();
        expect(again).toEqual(unsettled);
        expect(warnings).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
