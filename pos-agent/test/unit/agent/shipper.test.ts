import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  InvalidParameterException,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  ServiceUnavailableException,
  ThrottlingException,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { AgentAbortedError } from '../../../src/agent/errors.js';
import { CloudWatchShipper, classifyError, countRejectedEvents, type RetryNotice } from '../../../src/agent/shipper.js';
import type { Batch } from '../../../src/agent/types.js';
import { TEST_IDENTITY } from './helpers.js';

const cwl = mockClient(CloudWatchLogsClient);

function batchOf(...messages: string[]): Batch {
  return {
    events: messages.map((message, i) => ({ timestamp: 1_000 + i, message })),
    bytes: messages.reduce((sum, message) => sum + Buffer.byteLength(message) + 26, 0),
    through: { identity: TEST_IDENTITY, offset: 100 },
  };
}

const notFound = (what: string) => new ResourceNotFoundException({ message: `The specified log ${what} does not exist.`, $metadata: { httpStatusCode: 400 } });
const throttled = () => new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });

describe('Class: CloudWatchShipper', () => {
  let sleeps: number[];
  let retries: RetryNotice[];
  let created: string[];

  beforeEach(() => {
    cwl.reset();
    sleeps = [];
    retries = [];
    created = [];
  });

  afterEach(() => {
    cwl.reset();
  });

  function shipper(random = () => 0.5): CloudWatchShipper {
    return new CloudWatchShipper({
      client: new CloudWatchLogsClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
      logGroup: '/stacklens/pos',
      logStream: 'store-1/kiosk-2',
      random,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      onRetry: (notice) => retries.push(notice),
      onCreated: (resource) => created.push(resource),
    });
  }

  describe('Method: send', () => {
    it('puts the batch events into the stream {storeId}/{kioskId} of the log group', async () => {
      // Prepare
      cwl.on(PutLogEventsCommand).resolves({});

      // Act
      const outcome = await shipper().send(batchOf('a', 'b'));

      // Assess
      expect(outcome).toEqual({ status: 'accepted', acceptedEvents: 2, rejectedEvents: 0 });
      const [call] = cwl.commandCalls(PutLogEventsCommand);
      expect(call?.args[0].input).toEqual({
        logGroupName: '/stacklens/pos',
        logStreamName: 'store-1/kiosk-2',
        logEvents: [
          { timestamp: 1_000, message: 'a' },
          { timestamp: 1_001, message: 'b' },
        ],
      });
    });

    it('creates the missing stream and retries when PutLogEvents reports ResourceNotFoundException', async () => {
      // Prepare
      cwl.on(PutLogEventsCommand).rejectsOnce(notFound('stream')).resolves({});
      cwl.on(CreateLogStreamCommand).resolves({});

      // Act
      const outcome = await shipper().send(batchOf('a'));

      // Assess
      expect(outcome.status).toBe('accepted');
      expect(cwl.commandCalls(CreateLogStreamCommand)[0]?.args[0].input).toEqual({ logGroupName: '/stacklens/pos', logStreamName: 'store-1/kiosk-2' });
      expect(cwl.commandCalls(CreateLogGroupCommand)).toHaveLength(0);
      expect(cwl.commandCalls(PutLogEventsCommand)).toHaveLength(2);
      expect(created).toEqual(['log-stream']);
    });

    it('creates the missing group, then the stream, when the group does not exist either', async () => {
      // Prepare
      cwl.on(PutLogEventsCommand).rejectsOnce(notFound('group')).resolves({});
      cwl.on(CreateLogStreamCommand).rejectsOnce(notFound('group')).resolves({});
      cwl.on(CreateLogGroupCommand).resolves({});

      // Act
      const outcome = await shipper().send(batchOf('a'));

      // Assess
      expect(outcome.status).toBe('accepted');
      expect(created).toEqual(['log-group', 'log-stream']);
      expect(cwl.commandCalls(CreateLogGroupCommand)[0]?.args[0].input).toEqual({ logGroupName: '/stacklens/pos' });
    });

    it('tolerates ResourceAlreadyExistsException when another kiosk created the group or stream first', async () => {
      // Prepare
      const exists = () => new ResourceAlreadyExistsException({ message: 'exists', $metadata: { httpStatusCode: 400 } });
      cwl.on(PutLogEventsCommand).rejectsOnce(notFound('group')).resolves({});
      cwl.on(CreateLogStreamCommand).rejectsOnce(notFound('group')).rejects(exists());
      cwl.on(CreateLogGroupCommand).rejects(exists());

      // Act
      const outcome = await shipper().send(batchOf('a'));

      // Assess
      expect(outcome.status).toBe('accepted');
      expect(created).toEqual([]);
      expect(retries).toEqual([]);
    });

    it('backs off with full jitter on ThrottlingException, doubling the ceiling each retry', async () => {
      // Prepare
      cwl.on(PutLogEventsCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({});

      // Act
      const outcome = await shipper(() => 0.5).send(batchOf('a'));

      // Assess: random 0.5 of 200, 400, 800 ms.
      expect(outcome.status).toBe('accepted');
      expect(sleeps).toEqual([100, 200, 400]);
      expect(retries.map((notice) => [notice.operation, notice.attempt])).toEqual([
        ['PutLogEvents', 0],
        ['PutLogEvents', 1],
        ['PutLogEvents', 2],
      ]);
    });

    it('retries 5xx and network errors the same way', async () => {
      // Prepare
      const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
      cwl
        .on(PutLogEventsCommand)
        .rejectsOnce(new ServiceUnavailableException({ message: 'down', $metadata: { httpStatusCode: 503 } }))
        .rejectsOnce(refused)
        .resolves({});

      // Act
      const outcome = await shipper().send(batchOf('a'));

      // Assess
      expect(outcome.status).toBe('accepted');
      expect(retries).toHaveLength(2);
    });

    it('counts the events PutLogEvents rejected as too old or too new', async () => {
      // Prepare
      cwl.on(PutLogEventsCommand).resolves({ rejectedLogEventsInfo: { tooOldLogEventEndIndex: 2, tooNewLogEventStartIndex: 4 } });

      // Act
      const outcome = await shipper().send(batchOf('a', 'b', 'c', 'd', 'e'));

      // Assess
      expect(outcome).toMatchObject({ status: 'accepted', acceptedEvents: 2, rejectedEvents: 3 });
    });

    it('drops a batch the service refuses as invalid instead of retrying it forever', async () => {
      // Prepare
      cwl.on(PutLogEventsCommand).rejects(new InvalidParameterException({ message: 'bad batch', $metadata: { httpStatusCode: 400 } }));

      // Act
      const outcome = await shipper().send(batchOf('a'));

      // Assess
      expect(outcome).toMatchObject({ status: 'dropped', reason: 'InvalidParameterException' });
      expect(cwl.commandCalls(PutLogEventsCommand)).toHaveLength(1);
    });

    it('keeps one batch in flight: a second send waits until the first is accepted', async () => {
      // Prepare
      const order: string[] = [];
      let releaseFirst: () => void = () => undefined;
      cwl.on(PutLogEventsCommand).callsFake(async (input: { logEvents: { message: string }[] }) => {
        const first = input.logEvents[0]?.message ?? '';
        order.push(`start ${first}`);
        if (first === 'one') await new Promise<void>((resolve) => (releaseFirst = resolve));
        order.push(`end ${first}`);
        return {};
      });
      const ship = shipper();

      // Act
      const firstSent = ship.send(batchOf('one'));
      const secondSent = ship.send(batchOf('two'));
      await new Promise((resolve) => setImmediate(resolve));
      const startedBeforeRelease = [...order];
      releaseFirst();
      await Promise.all([firstSent, secondSent]);

      // Assess
      expect(startedBeforeRelease).toEqual(['start one']);
      expect(order).toEqual(['start one', 'end one', 'start two', 'end two']);
    });

    it('gives up waiting with AgentAbortedError when its signal aborts', async () => {
      // Prepare
      cwl.on(PutLogEventsCommand).rejects(throttled());
      const controller = new AbortController();
      const ship = new CloudWatchShipper({
        client: new CloudWatchLogsClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
        logGroup: 'g',
        logStream: 's/k',
        sleep: async () => controller.abort(),
      });

      // Act
      const sent = ship.send(batchOf('a'), controller.signal);

      // Assess
      await expect(sent).rejects.toBeInstanceOf(AgentAbortedError);
    });
  });

  describe('Method: backoffDelay', () => {
    it('caps the ceiling at 30 seconds', () => {
      const ship = shipper(() => 0.999999);

      expect(ship.backoffDelay(0)).toBe(199);
      expect(ship.backoffDelay(7)).toBe(25_599);
      expect(ship.backoffDelay(8)).toBe(29_999);
      expect(ship.backoffDelay(500)).toBe(29_999);
    });
  });
});

describe('Function: classifyError', () => {
  it.each([
    [throttled(), 'retryable'],
    [new ServiceUnavailableException({ message: 'x', $metadata: { httpStatusCode: 503 } }), 'retryable'],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'retryable'],
    [notFound('stream'), 'missing-resource'],
    [new InvalidParameterException({ message: 'x', $metadata: { httpStatusCode: 400 } }), 'rejected'],
  ])('classifies %p as %s', (error, kind) => {
    expect(classifyError(error)).toBe(kind);
  });
});

describe('Function: countRejectedEvents', () => {
  it('treats the old and expired indices as exclusive prefix ends without double counting', () => {
    expect(countRejectedEvents({ tooOldLogEventEndIndex: 3, expiredLogEventEndIndex: 1 }, 10)).toBe(3);
  });

  it('counts nothing when no info is returned', () => {
    expect(countRejectedEvents(undefined, 10)).toBe(0);
  });
});
