import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  buildSubscriptionPayloads,
  type EncodedPayload,
  MAX_LAMBDA_EVENT_BYTES,
  PayloadTooLargeError,
  type SubscriptionLogEvent,
} from '../../../src/local/cloudwatch-logs/delivery.js';
import { decode, GROUP, NOW, STREAM } from './helpers.js';

const header = {
  messageType: 'DATA_MESSAGE' as const,
  owner: '000000000000',
  logGroup: GROUP,
  logStream: STREAM,
  subscriptionFilters: ['stacklens-errors'],
};

function logEvents(count: number, messageOf: (i: number) => string): SubscriptionLogEvent[] {
  return Array.from({ length: count }, (_, i) => ({ id: String(10n ** 55n + BigInt(i)), timestamp: NOW + i, message: messageOf(i) }));
}

function delivered(payloads: Array<EncodedPayload | PayloadTooLargeError>): EncodedPayload[] {
  return payloads.filter((p): p is EncodedPayload => !(p instanceof PayloadTooLargeError));
}

describe('Function: buildSubscriptionPayloads', () => {
  it('round-trips events through base64 and gzip unchanged, with the message header', async () => {
    const events = logEvents(3, (i) => `[ERROR] order ${i} failed | {"code":"PAYMENT_TIMEOUT","note":"café ✓"}`);
    const [payload, ...rest] = await buildSubscriptionPayloads(header, events);
    expect(rest).toEqual([]);
    expect(decode((payload as EncodedPayload).event)).toEqual({ ...header, logEvents: events });
  });

  it('keeps a compressible 1 MB batch in a single invocation', async () => {
    const events = logEvents(1_000, (i) => `[ERROR] order ${i} could not be priced ${'x'.repeat(1_000)}`);
    const payloads = await buildSubscriptionPayloads(header, events);
    expect(payloads).toHaveLength(1);
    expect((payloads[0] as EncodedPayload).bytes).toBeLessThanOrEqual(MAX_LAMBDA_EVENT_BYTES);
  });

  it('splits a batch that does not fit into ordered payloads that each fit', async () => {
    const events = logEvents(64, (i) => `${i} ${randomBytes(200).toString('base64')}`);
    const limit = 4_096;
    const payloads = delivered(await buildSubscriptionPayloads(header, events, limit));
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) {
      expect(payload.bytes).toBe(Buffer.byteLength(JSON.stringify(payload.event)));
      expect(payload.bytes).toBeLessThanOrEqual(limit);
    }
    expect(payloads.flatMap((p) => decode(p.event).logEvents)).toEqual(events);
  });

  it('returns a PayloadTooLargeError in place of an event that cannot fit alone', async () => {
    const events = logEvents(3, (i) => (i === 1 ? randomBytes(3_000).toString('hex') : `small ${i}`));
    const payloads = await buildSubscriptionPayloads(header, events, 2_048);
    const tooLarge = payloads.filter((p): p is PayloadTooLargeError => p instanceof PayloadTooLargeError);
    expect(tooLarge).toHaveLength(1);
    expect(decode(tooLarge[0]!.payload.event).logEvents).toEqual([events[1]]);
    expect(delivered(payloads).flatMap((p) => decode(p.event).logEvents)).toEqual([events[0], events[2]]);
  });
});
