// Property-based tests of the CloudWatch Logs subscription payload decoding (handlers/ingest.ts), through the real
// ingest handler: `awslogs.data` is base64 of gzip of JSON. Every payload of the documented shape is ingested event by
// event; anything else (not base64, not gzip, not JSON, not the shape) is skipped under its reason and counted, never
// thrown, and nothing from a refused payload is stored or logged with card data.

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { createIngestHandler } from '../../../src/handlers/ingest.js';
import { looksLikePan } from '../../../src/domain/redact.js';
import { MemoryStats, memoryIncidentStore, recordingNotifier, type Call } from './doubles.js';
import { anyJson, hostileText } from './arbitraries.js';

const REASONS = ['payload_missing', 'payload_not_gzip', 'payload_not_json', 'payload_invalid', 'payload_too_large'];

function harness() {
  const calls: Call[] = [];
  const { store, incidents, occurrences } = memoryIncidentStore(calls);
  const stats = new MemoryStats();
  const sent: Array<{ type: string; data: unknown }> = [];
  const handler = createIngestHandler({ incidents: store, stats, notifier: recordingNotifier(sent), now: () => new Date('2026-11-26T12:00:05.000Z') });
  return { handler, calls, incidents, occurrences, stats, sent };
}

/**
 * Runs `act` with stdout and stderr read instead of printed (Powertools writes ERROR lines to stderr, the rest to
 * stdout): the skip log of every refused payload is checked rather than scrolled past.
 */
async function withOutput<T>(act: () => Promise<T>): Promise<{ result: T; log: string }> {
  const written: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const writes = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof stream.write;
  }
  try {
    return { result: await act(), log: written.join('') };
  } finally {
    streams.forEach((stream, i) => (stream.write = writes[i] as typeof stream.write));
  }
}

/** No digit run in `log` is a card number. */
function expectNoCardNumber(log: string): void {
  for (const run of log.match(/\d{13,19}/g) ?? []) expect(looksLikePan(run)).toBe(false);
}

const awslogs = (json: string): CloudWatchLogsEvent => ({ awslogs: { data: gzipSync(Buffer.from(json, 'utf8')).toString('base64') } });

const message = fc.oneof(
  hostileText(200),
  fc.constantFrom(
    '[2026-11-26T12:00:00.000Z] [ERROR] Product 999 has no price | {"code":"MISSING_PRICE","storeId":"store-001"}',
    '[2026-11-26T12:00:00.000Z] [INFO] Basket opened',
    '{"level":"error","msg":"payment gateway timed out","code":"PAYMENT_TIMEOUT"}',
    'sl1:0123456789ab:1k [2026-11-26T12:00:00.000Z] [ERROR] Scanner offline | {"code":"SCANNER_ERROR"}',
    '   ',
  ),
);
const logEvent = fc.record({
  id: fc.string({ minLength: 1, maxLength: 60 }),
  timestamp: fc.oneof(fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }), fc.double({ noNaN: true, noDefaultInfinity: true })),
  message,
});
/** A DATA_MESSAGE of the documented shape; extra keys are allowed (the schema is not strict). */
const dataMessage = fc.record({
  messageType: fc.constant('DATA_MESSAGE'),
  owner: fc.string({ maxLength: 20 }),
  logGroup: fc.string({ minLength: 1, maxLength: 60 }),
  logStream: fc.oneof(fc.string({ minLength: 1, maxLength: 60 }), fc.constantFrom('store-001/kiosk-01', 'store-042/kiosk-07')),
  subscriptionFilters: fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
  logEvents: fc.array(logEvent, { maxLength: 15 }),
});

type Payload = Record<string, unknown>;
const outsideShape: fc.Arbitrary<(p: Payload) => unknown> = fc.oneof(
  fc
    .oneof(
      fc.string().filter((t) => t !== 'DATA_MESSAGE' && t !== 'CONTROL_MESSAGE'),
      fc.integer(),
    )
    .map((messageType) => (p: Payload) => ({ ...p, messageType })),
  fc
    .constantFrom('owner', 'logGroup', 'logStream', 'subscriptionFilters', 'logEvents')
    .map((key) => (p: Payload) => Object.fromEntries(Object.entries(p).filter(([k]) => k !== key))),
  fc.constantFrom('logGroup', 'logStream').map((key) => (p: Payload) => ({ ...p, [key]: '' })),
  fc
    .oneof(
      anyJson.filter((v) => !Array.isArray(v)),
      fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
    )
    .map((logEvents) => (p: Payload) => ({ ...p, logEvents })),
  fc.oneof(fc.integer(), fc.constant('filters')).map((subscriptionFilters) => (p: Payload) => ({ ...p, subscriptionFilters })),
  fc
    .tuple(
      fc.constantFrom('id', 'timestamp', 'message'),
      fc.oneof(
        fc.constant(''),
        fc.constant(null),
        fc.integer(),
        fc.string().map((s) => `t${s}`),
        fc.boolean(),
      ),
    )
    .filter(([key, value]) =>
      key === 'id' ? value === '' || typeof value !== 'string' : key === 'timestamp' ? typeof value !== 'number' : typeof value !== 'string',
    )
    .map(([key, value]) => (p: Payload) => ({
      ...p,
      logEvents: [...(p.logEvents as object[]), { id: 'e-x', timestamp: 1_764_158_400_000, message: 'm', [key]: value }],
    })),
  anyJson.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((value) => () => value),
);

describe('Property: CloudWatch Logs payload decoding', () => {
  it('ingests every DATA_MESSAGE of the documented shape, event by event, however its fields are filled', async () => {
    await fc.assert(
      fc.asyncProperty(
        dataMessage,
        fc.dictionary(
          fc.string().filter((k) => !['messageType', '__proto__'].includes(k)),
          anyJson,
          { maxKeys: 2 },
        ),
        async (payload, extra) => {
          const { handler, stats } = harness();
          const { result: outcome } = await withOutput(() => handler(awslogs(JSON.stringify({ ...extra, ...payload }))));
          expect(outcome.received).toBe(payload.logEvents.length);
          const skipped = outcome.skipped;
          for (const reason of REASONS) expect(skipped[reason]).toBeUndefined();
          expect(Object.values(skipped).reduce((sum, n) => sum + n, 0)).toBeLessThanOrEqual(payload.logEvents.length);
          expect(await stats.read('ingest.skipped')).toEqual(skipped);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('skips a payload outside the shape as payload_invalid, counts it once and stores nothing', async () => {
    await fc.assert(
      fc.asyncProperty(dataMessage, outsideShape, async (payload, breakIt) => {
        const { handler, calls, stats } = harness();
        const { result: outcome, log } = await withOutput(() => handler(awslogs(JSON.stringify(breakIt(payload)))));
        expect(outcome).toEqual({ received: 0, skipped: { payload_invalid: 1 } });
        expect(log).toContain('payload_invalid');
        expect(await stats.read('ingest.skipped')).toEqual({ payload_invalid: 1 });
        expect(calls).toEqual([]);
      }),
      { numRuns: 800 },
    );
  });

  it('never throws on any awslogs.data and answers either an ingest result or exactly one known skip reason', async () => {
    const data = fc.oneof(
      fc.constant(undefined),
      anyJson,
      hostileText(200),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('base64')),
      hostileText(200).map((text) => gzipSync(Buffer.from(text)).toString('base64')),
      anyJson.map((value) => gzipSync(Buffer.from(JSON.stringify(value) ?? 'null')).toString('base64')),
      fc.tuple(dataMessage, fc.nat()).map(([payload, cut]) => {
        const zipped = gzipSync(Buffer.from(JSON.stringify(payload)));
        return zipped.subarray(0, cut % (zipped.length + 1)).toString('base64');
      }),
    );
    await fc.assert(
      fc.asyncProperty(data, async (value) => {
        const { handler, stats } = harness();
        const { result: outcome, log } = await withOutput(() => handler({ awslogs: { data: value } } as unknown as CloudWatchLogsEvent));
        expectNoCardNumber(log);
        const reasons = Object.keys(outcome.skipped).filter((reason) => REASONS.includes(reason));
        if (outcome.received === 0 && reasons.length > 0) {
          expect(reasons).toHaveLength(1);
          expect(await stats.read('ingest.skipped')).toEqual({ [reasons[0] as string]: 1 });
        } else expect(reasons).toEqual([]);
      }),
      { numRuns: 1_500 },
    );
  });

  it('ignores a CONTROL_MESSAGE whatever else it carries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.string().filter((k) => k !== 'messageType' && k !== '__proto__'),
          anyJson,
          { maxKeys: 6 },
        ),
        async (rest) => {
          const { handler, calls } = harness();
          expect((await withOutput(() => handler(awslogs(JSON.stringify({ ...rest, messageType: 'CONTROL_MESSAGE' }))))).result).toEqual({
            received: 0,
            skipped: {},
          });
          expect(calls).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('logs the reason for an undecodable payload without repeating card data from it', async () => {
    // JSON.parse quotes a short input whole in its message, and that message was logged as the skip's detail.
    const pan = fc.constantFrom('4111111111111111', '5555555555554444', '378282246310005', '4000056655665556');
    const shortNonJson = fc.tuple(fc.constantFrom('x', 'card ', '=', 'pan:'), pan).map(([prefix, p]) => `${prefix}${p}`);
    await fc.assert(
      fc.asyncProperty(shortNonJson, async (text) => {
        const { handler } = harness();
        const { result, log } = await withOutput(() => handler(awslogs(text)));
        expect(result).toEqual({ received: 0, skipped: { payload_not_json: 1 } });
        expect(log).toContain('payload_not_json');
        expectNoCardNumber(log);
      }),
      { numRuns: 50 },
    );
  });
});
