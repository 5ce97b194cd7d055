import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { PayloadTooLargeError } from '../../../src/local/cloudwatch-logs/delivery.js';
import { LocalCloudWatchLogs } from '../../../src/local/cloudwatch-logs/service.js';
import { decode, events, failure, GROUP, newService, NOW, STREAM, withStream } from './helpers.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

type PutResult = { nextSequenceToken?: string; rejectedLogEventsInfo?: { tooOldLogEventEndIndex?: number; tooNewLogEventStartIndex?: number } };
type GetResult = { events: Array<{ timestamp: number; message: string; ingestionTime: number }>; nextForwardToken: string; nextBackwardToken: string };
type FilterResult = { events: Array<{ logStreamName: string; timestamp: number; message: string; eventId: string }>; nextToken?: string };

function put(svc: LocalCloudWatchLogs, logEvents: Array<{ timestamp: number; message: string }>, stream = STREAM): Promise<PutResult> {
  return svc.handle('PutLogEvents', { logGroupName: GROUP, logStreamName: stream, logEvents }) as Promise<PutResult>;
}

function subscribe(svc: LocalCloudWatchLogs, filterName: string, filterPattern: string): Promise<unknown> {
  return svc.handle('PutSubscriptionFilter', {
    logGroupName: GROUP,
    filterName,
    filterPattern,
    destinationArn: 'arn:aws:lambda:us-east-1:000000000000:function:stacklens-ingest',
  });
}

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('Class: LocalCloudWatchLogs', () => {
  describe('Method: handle — log groups and streams', () => {
    it('refuses to create a log group twice', async () => {
      const { svc } = newService();
      await svc.handle('CreateLogGroup', { logGroupName: GROUP });
      const error = await failure(svc.handle('CreateLogGroup', { logGroupName: GROUP }));
      expect(error.type).toBe('ResourceAlreadyExistsException');
    });

    it('validates names against the service constraints with its validation message', async () => {
      const { svc } = newService();
      const badGroup = await failure(svc.handle('CreateLogGroup', { logGroupName: 'pos logs' }));
      expect(badGroup.type).toBe('InvalidParameterException');
      expect(badGroup.message).toBe(
        "1 validation error detected: Value 'pos logs' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
      );
      expect((await failure(svc.handle('CreateLogGroup', { logGroupName: 'x'.repeat(513) }))).type).toBe('InvalidParameterException');
      expect((await failure(svc.handle('CreateLogGroup', {}))).message).toContain("Value null at 'logGroupName'");
      await svc.handle('CreateLogGroup', { logGroupName: GROUP });
      for (const logStreamName of ['a:b', 'a*', '']) {
        expect((await failure(svc.handle('CreateLogStream', { logGroupName: GROUP, logStreamName }))).type).toBe('InvalidParameterException');
      }
    });

    it('reports a missing group or stream as ResourceNotFoundException', async () => {
      const { svc } = newService();
      expect((await failure(svc.handle('CreateLogStream', { logGroupName: GROUP, logStreamName: STREAM }))).type).toBe('ResourceNotFoundException');
      await svc.handle('CreateLogGroup', { logGroupName: GROUP });
      expect((await failure(put(svc, events(['x'])))).message).toBe('The specified log stream does not exist.');
      expect((await failure(svc.handle('DescribeLogStreams', { logGroupName: '/other' }))).type).toBe('ResourceNotFoundException');
    });

    it('lists streams by prefix, page by page', async () => {
      const { svc } = newService();
      await svc.handle('CreateLogGroup', { logGroupName: GROUP });
      for (const name of ['store-1/k1', 'store-1/k2', 'store-1/k3', 'store-2/k1']) {
        await svc.handle('CreateLogStream', { logGroupName: GROUP, logStreamName: name });
      }
      const first = (await svc.handle('DescribeLogStreams', { logGroupName: GROUP, logStreamNamePrefix: 'store-1/', limit: 2 })) as {
        logStreams: Array<{ logStreamName: string; arn: string }>;
        nextToken?: string;
      };
      expect(first.logStreams.map((s) => s.logStreamName)).toEqual(['store-1/k1', 'store-1/k2']);
      expect(first.logStreams[0]!.arn).toBe('arn:aws:logs:us-east-1:000000000000:log-group:/stacklens/pos:log-stream:store-1/k1');
      const second = (await svc.handle('DescribeLogStreams', {
        logGroupName: GROUP,
        logStreamNamePrefix: 'store-1/',
        limit: 2,
        nextToken: first.nextToken,
      })) as {
        logStreams: Array<{ logStreamName: string }>;
        nextToken?: string;
      };
      expect(second.logStreams.map((s) => s.logStreamName)).toEqual(['store-1/k3']);
      expect(second.nextToken).toBeUndefined();
    });

    it('accepts a log group ARN as logGroupIdentifier', async () => {
      const { svc } = newService();
      await withStream(svc);
      const result = (await svc.handle('DescribeLogStreams', { logGroupIdentifier: `arn:aws:logs:us-east-1:000000000000:log-group:${GROUP}` })) as {
        logStreams: Array<{ logStreamName: string }>;
      };
      expect(result.logStreams.map((s) => s.logStreamName)).toEqual([STREAM]);
    });

    it('answers an operation it does not implement with UnknownOperationException', async () => {
      const { svc } = newService();
      expect((await failure(svc.handle('DeleteLogGroup', { logGroupName: GROUP }))).type).toBe('UnknownOperationException');
    });
  });

  describe('Method: handle — PutLogEvents validation', () => {
    it('accepts 10,000 events in one batch and rejects 10,001', async () => {
      const { svc } = newService();
      await withStream(svc);
      const batch = events(Array.from({ length: 10_001 }, (_, i) => `line ${i}`));
      expect(await put(svc, batch.slice(0, 10_000))).toEqual({ nextSequenceToken: expect.any(String) });
      const error = await failure(put(svc, batch));
      expect(error.type).toBe('InvalidParameterException');
      expect(error.message).toContain('Member must have length less than or equal to 10000');
    });

    it('counts the batch size as UTF-8 message bytes plus 26 per event, up to 1,048,576', async () => {
      const { svc } = newService();
      await withStream(svc);
      const biggestMessage = 'x'.repeat(262_144 - 26);
      const full = events([biggestMessage, biggestMessage, biggestMessage, biggestMessage]);
      await expect(put(svc, full)).resolves.toBeDefined();
      const error = await failure(put(svc, events([...full.map((e) => e.message), 'y'])));
      expect(error.message).toBe('Upload too large: 1048603 bytes exceeds limit of 1048576');
    });

    it('rejects an event above 256 KiB measured in UTF-8 bytes, not characters', async () => {
      const { svc } = newService();
      await withStream(svc);
      await expect(put(svc, events(['é'.repeat((262_144 - 26) / 2)]))).resolves.toBeDefined();
      const error = await failure(put(svc, events(['é'.repeat((262_144 - 26) / 2 + 1)])));
      expect(error.message).toBe('Log event too large: 262146 bytes exceeds limit of 262144');
    });

    it('requires chronological order within a batch', async () => {
      const { svc } = newService();
      await withStream(svc);
      const error = await failure(
        put(svc, [
          { timestamp: NOW, message: 'b' },
          { timestamp: NOW - 1, message: 'a' },
        ]),
      );
      expect(error.message).toBe('Log events in a single PutLogEvents request must be in chronological order.');
      await expect(
        put(svc, [
          { timestamp: NOW, message: 'a' },
          { timestamp: NOW, message: 'same millisecond' },
        ]),
      ).resolves.toBeDefined();
    });

    it('rejects a batch spanning more than 24 hours and accepts exactly 24 hours', async () => {
      const { svc } = newService();
      await withStream(svc);
      await expect(
        put(svc, [
          { timestamp: NOW - DAY, message: 'a' },
          { timestamp: NOW, message: 'b' },
        ]),
      ).resolves.toBeDefined();
      const error = await failure(
        put(svc, [
          { timestamp: NOW - DAY - 1, message: 'a' },
          { timestamp: NOW, message: 'b' },
        ]),
      );
      expect(error.message).toBe('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
    });

    it('rejects empty batches and empty messages', async () => {
      const { svc } = newService();
      await withStream(svc);
      expect((await failure(put(svc, []))).type).toBe('InvalidParameterException');
      expect((await failure(put(svc, events([''])))).message).toContain("at 'logEvents.0.message'");
    });

    it('stores the rest of a batch and reports events too old or too new in rejectedLogEventsInfo', async () => {
      const { svc } = newService();
      await withStream(svc);
      const old = await put(svc, [
        { timestamp: NOW - 14 * DAY - 2, message: 'too old 1' },
        { timestamp: NOW - 14 * DAY - 1, message: 'too old 2' },
        { timestamp: NOW - 14 * DAY, message: 'oldest kept' },
      ]);
      expect(old.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 2 });
      const fresh = await put(svc, [
        { timestamp: NOW + 2 * HOUR, message: 'newest kept' },
        { timestamp: NOW + 2 * HOUR + 1, message: 'too new 1' },
        { timestamp: NOW + 3 * HOUR, message: 'too new 2' },
      ]);
      expect(fresh.rejectedLogEventsInfo).toEqual({ tooNewLogEventStartIndex: 1 });

      const stored = (await svc.handle('GetLogEvents', { logGroupName: GROUP, logStreamName: STREAM, startFromHead: true })) as GetResult;
      expect(stored.events.map((e) => e.message)).toEqual(['oldest kept', 'newest kept']);
      expect(svc.stats()).toMatchObject({ eventsAccepted: 2, eventsRejected: { tooOld: 2, tooNew: 2 } });
    });

    it('ignores sequence tokens but still returns one', async () => {
      const { svc } = newService();
      await withStream(svc);
      const first = await put(svc, events(['a']));
      const second = (await svc.handle('PutLogEvents', {
        logGroupName: GROUP,
        logStreamName: STREAM,
        logEvents: events(['b']),
        sequenceToken: 'not-a-token',
      })) as PutResult;
      expect(first.nextSequenceToken).toMatch(/^\d{56}$/);
      expect(second.nextSequenceToken).not.toBe(first.nextSequenceToken);
    });
  });

  describe('Method: handle — reading events', () => {
    it('pages forward from the head and returns the same token once the stream is exhausted', async () => {
      const { svc } = newService();
      await withStream(svc);
      await put(svc, events(['a', 'b', 'c', 'd', 'e']));
      const request = { logGroupName: GROUP, logStreamName: STREAM, startFromHead: true, limit: 2 };
      const pages: string[][] = [];
      let token: string | undefined;
      for (;;) {
        const page = (await svc.handle('GetLogEvents', { ...request, ...(token ? { nextToken: token } : {}) })) as GetResult;
        if (page.nextForwardToken === token) break;
        pages.push(page.events.map((e) => e.message));
        token = page.nextForwardToken;
      }
      expect(pages).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    });

    it('returns the newest events without startFromHead and pages backwards from them', async () => {
      const { svc } = newService();
      await withStream(svc);
      await put(svc, events(['a', 'b', 'c', 'd', 'e']));
      const latest = (await svc.handle('GetLogEvents', { logGroupName: GROUP, logStreamName: STREAM, limit: 2 })) as GetResult;
      expect(latest.events.map((e) => e.message)).toEqual(['d', 'e']);
      const earlier = (await svc.handle('GetLogEvents', {
        logGroupName: GROUP,
        logStreamName: STREAM,
        limit: 2,
        nextToken: latest.nextBackwardToken,
      })) as GetResult;
      expect(earlier.events.map((e) => e.message)).toEqual(['b', 'c']);
    });

    it('keeps the newest retainBytes of events across streams, dropping the oldest anywhere first', async () => {
      // Each event costs its UTF-8 bytes + 26, so 3 events of 1,000 bytes fit in 3,078 bytes and a fourth does not.
      const kb = (c: string) => c.repeat(1_000);
      const { svc } = newService({ retainBytes: 3_078, maxEventBytes: 1_026 });
      await withStream(svc);
      await svc.handle('CreateLogStream', { logGroupName: GROUP, logStreamName: 'store-12/kiosk-4' });
      await put(svc, events([kb('a'), kb('b')]));
      await put(svc, [{ timestamp: NOW + 5, message: kb('x') }], 'store-12/kiosk-4');
      await put(svc, events([kb('c')], NOW + 10));
      const first = (await svc.handle('GetLogEvents', { logGroupName: GROUP, logStreamName: STREAM, startFromHead: true })) as GetResult;
      expect(first.events.map((e) => e.message[0])).toEqual(['b', 'c']);
      const other = (await svc.handle('GetLogEvents', { logGroupName: GROUP, logStreamName: 'store-12/kiosk-4', startFromHead: true })) as GetResult;
      expect(other.events.map((e) => e.message[0])).toEqual(['x']);
      await put(svc, events([kb('d'), kb('e')], NOW + 20));
      const later = (await svc.handle('FilterLogEvents', { logGroupName: GROUP })) as FilterResult;
      expect(later.events.map((e) => e.message[0])).toEqual(['c', 'd', 'e']);
      // A backward token from before the drop still pages to what is left, not into dropped slots.
      const back = (await svc.handle('GetLogEvents', { logGroupName: GROUP, logStreamName: STREAM, nextToken: first.nextBackwardToken })) as GetResult;
      expect(back.events).toEqual([]);
    });

    it('refuses a retainBytes smaller than one event could be', () => {
      expect(() => newService({ retainBytes: 1_000 })).toThrow(/retainBytes \(1000\) must be at least maxEventBytes/);
    });

    it('filters events across streams by pattern, in timestamp order, with unique increasing 56-digit ids', async () => {
      const { svc } = newService();
      await withStream(svc);
      await svc.handle('CreateLogStream', { logGroupName: GROUP, logStreamName: 'store-12/kiosk-4' });
      await put(svc, [
        { timestamp: NOW, message: '[ERROR] first' },
        { timestamp: NOW + 2, message: '[INFO] ok' },
        { timestamp: NOW + 4, message: '[ERROR] third' },
      ]);
      await put(
        svc,
        [
          { timestamp: NOW + 1, message: '[ERROR] second' },
          { timestamp: NOW + 3, message: '[DEBUG] x' },
        ],
        'store-12/kiosk-4',
      );

      const found = (await svc.handle('FilterLogEvents', { logGroupName: GROUP, filterPattern: '"[ERROR]"' })) as FilterResult;
      expect(found.events.map((e) => [e.logStreamName, e.message])).toEqual([
        [STREAM, '[ERROR] first'],
        ['store-12/kiosk-4', '[ERROR] second'],
        [STREAM, '[ERROR] third'],
      ]);
      const ids = found.events.map((e) => e.eventId);
      expect(ids.every((id) => /^\d{56}$/.test(id))).toBe(true);
      expect(new Set(ids).size).toBe(3);

      const oneStream = (await svc.handle('FilterLogEvents', { logGroupName: GROUP, logStreamNames: ['store-12/kiosk-4'] })) as FilterResult;
      expect(oneStream.events.map((e) => e.message)).toEqual(['[ERROR] second', '[DEBUG] x']);
    });

    it('pages FilterLogEvents with nextToken until every match was returned once', async () => {
      const { svc } = newService();
      await withStream(svc);
      await put(svc, events(Array.from({ length: 7 }, (_, i) => `[ERROR] ${i}`)));
      const seen: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = (await svc.handle('FilterLogEvents', {
          logGroupName: GROUP,
          filterPattern: 'ERROR',
          limit: 3,
          ...(nextToken ? { nextToken } : {}),
        })) as FilterResult;
        seen.push(...page.events.map((e) => e.message));
        nextToken = page.nextToken;
      } while (nextToken);
      expect(seen).toEqual(Array.from({ length: 7 }, (_, i) => `[ERROR] ${i}`));
    });

    it('rejects an invalid filter pattern and a forged nextToken', async () => {
      const { svc } = newService();
      await withStream(svc);
      expect((await failure(svc.handle('FilterLogEvents', { logGroupName: GROUP, filterPattern: 'ERROR:' }))).type).toBe('InvalidParameterException');
      expect((await failure(svc.handle('FilterLogEvents', { logGroupName: GROUP, nextToken: 'forged' }))).message).toBe('The specified nextToken is invalid.');
      expect((await failure(svc.handle('GetLogEvents', { logGroupName: GROUP, logStreamName: STREAM, nextToken: 'f/1' }))).type).toBe(
        'InvalidParameterException',
      );
    });
  });

  describe('Method: handle — subscription filters', () => {
    it('allows two filters per log group and refuses a third with LimitExceededException', async () => {
      const { svc } = newService();
      await withStream(svc);
      await subscribe(svc, 'errors', '"[ERROR]"');
      await subscribe(svc, 'fatal', '"[FATAL]"');
      await subscribe(svc, 'errors', '"[ERROR]" "code"');
      const error = await failure(subscribe(svc, 'warnings', '"[WARN]"'));
      expect(error.type).toBe('LimitExceededException');
      const listed = (await svc.handle('DescribeSubscriptionFilters', { logGroupName: GROUP })) as {
        subscriptionFilters: Array<{ filterName: string; filterPattern: string }>;
      };
      expect(listed.subscriptionFilters.map((f) => [f.filterName, f.filterPattern])).toEqual([
        ['errors', '"[ERROR]" "code"'],
        ['fatal', '"[FATAL]"'],
      ]);
    });

    it('deletes a filter, and reports deleting a missing one as ResourceNotFoundException', async () => {
      const { svc } = newService();
      await withStream(svc);
      await subscribe(svc, 'errors', '');
      await svc.handle('DeleteSubscriptionFilter', { logGroupName: GROUP, filterName: 'errors' });
      expect((await failure(svc.handle('DeleteSubscriptionFilter', { logGroupName: GROUP, filterName: 'errors' }))).type).toBe('ResourceNotFoundException');
      await subscribe(svc, 'a', '');
      await subscribe(svc, 'b', '');
    });

    it('rejects an invalid pattern and a group that does not exist', async () => {
      const { svc } = newService();
      await withStream(svc);
      expect((await failure(subscribe(svc, 'errors', '{ $.level = '))).type).toBe('InvalidParameterException');
      expect((await failure(subscribe(svc, 'errors', `"${'x'.repeat(1024)}"`))).type).toBe('InvalidParameterException');
      const missing = await failure(svc.handle('PutSubscriptionFilter', { logGroupName: '/nope', filterName: 'f', filterPattern: '', destinationArn: 'arn' }));
      expect(missing.type).toBe('ResourceNotFoundException');
    });

    it('sends one CONTROL_MESSAGE when a filter is created, none when it is updated', async () => {
      const { svc, delivered } = newService();
      await withStream(svc);
      await subscribe(svc, 'errors', '"[ERROR]"');
      await subscribe(svc, 'errors', '"[FATAL]"');
      await svc.drain();
      const messages = delivered.messages();
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({ messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [] });
      expect(messages[0]!.logEvents[0]!.message).toMatch(/^CWL CONTROL MESSAGE/);
    });

    it('delivers only matching events, as a DATA_MESSAGE naming the group, stream and filter', async () => {
      const { svc, delivered } = newService({ accountId: '123456789012' });
      await withStream(svc);
      await subscribe(svc, 'errors', '?"[ERROR]" ?"[FATAL]"');
      await put(svc, events(['[INFO] ok', '[ERROR] payment timeout', '[DEBUG] x', '[FATAL] disk']));
      await svc.drain();

      const [message, ...more] = delivered.data();
      expect(more).toEqual([]);
      expect(message).toEqual({
        messageType: 'DATA_MESSAGE',
        owner: '123456789012',
        logGroup: GROUP,
        logStream: STREAM,
        subscriptionFilters: ['errors'],
        logEvents: [
          { id: expect.stringMatching(/^\d{56}$/), timestamp: NOW + 1, message: '[ERROR] payment timeout' },
          { id: expect.stringMatching(/^\d{56}$/), timestamp: NOW + 3, message: '[FATAL] disk' },
        ],
      });
      const stored = (await svc.handle('FilterLogEvents', { logGroupName: GROUP, filterPattern: '?"[ERROR]" ?"[FATAL]"' })) as FilterResult;
      expect(message!.logEvents.map((e) => e.id)).toEqual(stored.events.map((e) => e.eventId));
      expect(svc.stats()).toMatchObject({ putRequests: 1, eventsAccepted: 4, eventsMatched: 2, deliveries: 2, deliveryFailures: 0, pending: 0 });
    });

    it('invokes each filter separately with the events it selects', async () => {
      const { svc, delivered } = newService();
      await withStream(svc);
      await subscribe(svc, 'errors', '"[ERROR]"');
      await subscribe(svc, 'all', '');
      await put(svc, events(['[INFO] ok', '[ERROR] bad']));
      await svc.drain();
      const byFilter = Object.fromEntries(delivered.data().map((m) => [m.subscriptionFilters[0], m.logEvents.map((e) => e.message)]));
      expect(byFilter).toEqual({ errors: ['[ERROR] bad'], all: ['[INFO] ok', '[ERROR] bad'] });
    });

    it('returns from PutLogEvents before the delivery has finished', async () => {
      const blocked = gate();
      const delivered: CloudWatchLogsEvent[] = [];
      const svc = new LocalCloudWatchLogs({
        now: () => NOW,
        deliver: async (event) => {
          if (decode(event).messageType === 'DATA_MESSAGE') await blocked.promise;
          delivered.push(event);
        },
      });
      await withStream(svc);
      await subscribe(svc, 'errors', '');
      await svc.drain();
      await put(svc, events(['[ERROR] x']));
      expect(svc.stats().pending).toBe(1);
      blocked.open();
      await svc.drain();
      expect(svc.stats().pending).toBe(0);
      expect(delivered.map((e) => decode(e).messageType)).toEqual(['CONTROL_MESSAGE', 'DATA_MESSAGE']);
    });

    it('keeps the order of batches put to one stream', async () => {
      const { svc, delivered } = newService();
      await withStream(svc);
      await subscribe(svc, 'errors', '');
      for (let batch = 0; batch < 20; batch += 1) await put(svc, events([`batch ${batch}`], NOW + batch));
      await svc.drain();
      const messages = delivered.data().flatMap((m) => m.logEvents.map((e) => e.message));
      expect(messages).toEqual(Array.from({ length: 20 }, (_, batch) => `batch ${batch}`));
      const ids = delivered.data().flatMap((m) => m.logEvents.map((e) => e.id));
      expect([...ids].sort()).toEqual(ids);
    });

    it('retries a failed invocation twice with the same payload before giving up on it', async () => {
      const attempts: CloudWatchLogsEvent[] = [];
      const failures: Array<{ err: unknown; event: CloudWatchLogsEvent }> = [];
      const svc = new LocalCloudWatchLogs({
        now: () => NOW,
        deliveryRetryDelayMs: 1,
        deliver: async (event) => {
          if (decode(event).messageType === 'CONTROL_MESSAGE') return;
          attempts.push(event);
          throw new Error('ingest handler crashed');
        },
        onDeliveryFailed: (err, event) => failures.push({ err, event }),
      });
      await withStream(svc);
      await subscribe(svc, 'errors', '');
      await put(svc, events(['[ERROR] x']));
      await svc.drain();
      expect(attempts).toHaveLength(3);
      expect(new Set(attempts.map((e) => e.awslogs.data)).size).toBe(1);
      expect(failures).toHaveLength(1);
      expect((failures[0]!.err as Error).message).toBe('ingest handler crashed');
      expect(decode(failures[0]!.event).logEvents[0]!.message).toBe('[ERROR] x');
      expect(svc.stats()).toMatchObject({ deliveries: 1, deliveryFailures: 1, pending: 0 });
    });

    it('counts a delivery that succeeds on a retry as delivered', async () => {
      let calls = 0;
      const svc = new LocalCloudWatchLogs({
        now: () => NOW,
        deliveryRetryDelayMs: 1,
        deliveryRetries: 1,
        deliver: async (event) => {
          if (decode(event).messageType === 'CONTROL_MESSAGE') return;
          calls += 1;
          if (calls === 1) throw new Error('cold start timeout');
        },
      });
      await withStream(svc);
      await subscribe(svc, 'errors', '');
      await put(svc, events(['[ERROR] x']));
      await svc.drain();
      expect(calls).toBe(2);
      expect(svc.stats()).toMatchObject({ deliveries: 2, deliveryFailures: 0 });
    });

    it('splits a large batch into invocations within 256 KB, each event delivered once and in order', async () => {
      const { svc, delivered } = newService();
      await withStream(svc);
      await subscribe(svc, 'all', '');
      // Random hex barely compresses, so 1 MB of it cannot fit one invocation.
      const messages = Array.from({ length: 100 }, (_, i) => `[ERROR] ${i} ${randomBytes(4_000).toString('hex')}`);
      await put(svc, events(messages));
      await svc.drain();

      const data = delivered.events.filter((event) => decode(event).messageType === 'DATA_MESSAGE');
      expect(data.length).toBeGreaterThan(1);
      for (const event of data) expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(262_144);
      expect(data.flatMap((event) => decode(event).logEvents.map((e) => e.message))).toEqual(messages);
      expect(svc.stats()).toMatchObject({ eventsMatched: 100, deliveries: data.length + 1, deliveryFailures: 0 });
    });

    it('reports an event too large for any invocation as a failed delivery without invoking', async () => {
      const failures: unknown[] = [];
      const { svc, delivered } = newService({ maxEventBytes: 1_000_000, onDeliveryFailed: (err) => failures.push(err) });
      await withStream(svc);
      await subscribe(svc, 'all', '');
      await put(svc, events(['small', randomBytes(300_000).toString('hex')]));
      await svc.drain();
      expect(delivered.data().flatMap((m) => m.logEvents.map((e) => e.message))).toEqual(['small']);
      expect(failures).toHaveLength(1);
      expect(failures[0]).toBeInstanceOf(PayloadTooLargeError);
      expect(svc.stats().deliveryFailures).toBe(1);
    });
  });
});
