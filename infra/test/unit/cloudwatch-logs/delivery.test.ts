import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  buildSubscriptionPayloads,
  type DeliveryJob,
  DeliveryQueue,
  type EncodedPayload,
  MAX_MERGED_EVENTS,
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

describe('Class: DeliveryQueue', () => {
  function blockedQueue() {
    const invocations: Array<ReturnType<typeof decode>> = [];
    const finished: Array<[DeliveryJob, boolean]> = [];
    let release: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => (release = resolve));
    const queue = new DeliveryQueue({
      concurrency: 1,
      retries: 0,
      retryDelayMs: 0,
      deliver: async (event) => {
        invocations.push(decode(event));
        if (invocations.length === 1) await firstHeld;
      },
      onJobFinished: (job, settled) => finished.push([job, settled]),
    });
    return { queue, invocations, finished, release };
  }

  it('sends the data jobs a busy lane queued as one invocation, in order, and finishes each of them', async () => {
    const { queue, invocations, finished, release } = blockedQueue();
    const jobs = [0, 1, 2, 3].map((n) => ({ header, logEvents: logEvents(2, (i) => `job ${n} event ${i}`).map((e, i) => ({ ...e, id: `${n}-${i}` })) }));
    for (const job of jobs) queue.enqueue('lane', job);
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.pending).toBe(4);
    release();
    await queue.whenIdle(5_000);
    expect(invocations.map((m) => m.logEvents.map((e: SubscriptionLogEvent) => e.id))).toEqual([
      ['0-0', '0-1'],
      ['1-0', '1-1', '2-0', '2-1', '3-0', '3-1'],
    ]);
    expect(finished.map(([job, settled]) => [job, settled])).toEqual(jobs.map((job) => [job, true]));
    expect(queue.pending).toBe(0);
  });

  it('merges no control message and no more than MAX_MERGED_EVENTS events into one invocation', async () => {
    const { queue, invocations, release } = blockedQueue();
    const control = { header: { ...header, messageType: 'CONTROL_MESSAGE' as const }, logEvents: logEvents(1, () => 'CWL CONTROL MESSAGE') };
    queue.enqueue('lane', { header, logEvents: logEvents(1, () => 'first') });
    queue.enqueue('lane', control);
    queue.enqueue('lane', { header, logEvents: logEvents(MAX_MERGED_EVENTS - 1, () => 'bulk') });
    queue.enqueue('lane', { header, logEvents: logEvents(1, () => 'fits') });
    queue.enqueue('lane', { header, logEvents: logEvents(1, () => 'over') });
    queue.enqueue('other', { header: { ...header, logStream: 'store-12/kiosk-4' }, logEvents: logEvents(1, () => 'other lane') });
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await queue.whenIdle(5_000);
    expect(invocations.map((m) => [m.messageType, m.logStream, m.logEvents.length, m.logEvents.at(-1)?.message])).toEqual([
      ['DATA_MESSAGE', STREAM, 1, 'first'],
      ['DATA_MESSAGE', 'store-12/kiosk-4', 1, 'other lane'],
      ['CONTROL_MESSAGE', STREAM, 1, 'CWL CONTROL MESSAGE'],
      ['DATA_MESSAGE', STREAM, MAX_MERGED_EVENTS, 'fits'],
      ['DATA_MESSAGE', STREAM, 1, 'over'],
    ]);
  });

  it('stops: drops queued jobs, lets the running one end, and retries nothing after', async () => {
    const attempts: string[] = [];
    let fail: (err: Error) => void = () => undefined;
    const queue = new DeliveryQueue({
      concurrency: 1,
      retries: 2,
      retryDelayMs: 0,
      deliver: (event) => {
        attempts.push(decode(event).logStream);
        return new Promise<void>((_, reject) => (fail = reject));
      },
    });
    for (const stream of ['a/1', 'b/2', 'c/3']) queue.enqueue(stream, { header: { ...header, logStream: stream }, logEvents: logEvents(1, () => stream) });
    while (attempts.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(queue.stop()).toBe(2);
    fail(new Error('DynamoDB is closed'));
    await queue.whenIdle(5_000);
    expect(attempts).toEqual(['a/1']);
    expect(queue.pending).toBe(0);
    expect(queue.failures).toBe(0);
  });
});
