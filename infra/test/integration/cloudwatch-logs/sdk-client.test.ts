import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteSubscriptionFilterCommand,
  DescribeLogStreamsCommand,
  DescribeSubscriptionFiltersCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  InvalidParameterException,
  LimitExceededException,
  PutLogEventsCommand,
  PutSubscriptionFilterCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { handleLogsRequest, LOGS_TARGET_PREFIX, MAX_LOGS_REQUEST_BYTES } from '../../../src/local/cloudwatch-logs/http.js';
import { LocalCloudWatchLogs } from '../../../src/local/cloudwatch-logs/service.js';
import { ERROR_FILTER_PATTERN, LOG_GROUP_NAME, SUBSCRIPTION_FILTER_NAME } from '../../../src/pipeline.js';
import { recorder } from '../../unit/cloudwatch-logs/helpers.js';
import { type AwsJsonTestServer, localClientConfig, rejectionOf, startAwsJsonTestServer } from '../../helpers/aws-test-server.js';

const STREAM = 'store-12/kiosk-3';
const INGEST_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:stacklens-ingest';

describe('local CloudWatch Logs through @aws-sdk/client-cloudwatch-logs', () => {
  let delivered: ReturnType<typeof recorder>;
  let svc: LocalCloudWatchLogs;
  let server: AwsJsonTestServer;
  let client: CloudWatchLogsClient;

  beforeEach(async () => {
    delivered = recorder();
    svc = new LocalCloudWatchLogs({ deliver: delivered.deliver, deliveryRetryDelayMs: 1 });
    server = await startAwsJsonTestServer({
      targetPrefix: LOGS_TARGET_PREFIX,
      maxRequestBytes: MAX_LOGS_REQUEST_BYTES,
      handle: (op, body, res) => handleLogsRequest(svc, op, body, res),
    });
    client = new CloudWatchLogsClient(localClientConfig(server.endpoint));
    await client.send(new CreateLogGroupCommand({ logGroupName: LOG_GROUP_NAME }));
    await client.send(new CreateLogStreamCommand({ logGroupName: LOG_GROUP_NAME, logStreamName: STREAM }));
  });

  afterEach(async () => {
    await svc.drain();
    client.destroy();
    await server.close();
  });

  it('stores events and reads them back with GetLogEvents and DescribeLogStreams', async () => {
    const now = Date.now();
    const put = await client.send(
      new PutLogEventsCommand({
        logGroupName: LOG_GROUP_NAME,
        logStreamName: STREAM,
        logEvents: [
          { timestamp: now - 1, message: '[INFO] till opened' },
          { timestamp: now, message: '[ERROR] scanner offline | {"code":"SCANNER_ERROR"}' },
        ],
      }),
    );
    expect(put.nextSequenceToken).toMatch(/^\d{56}$/);
    expect(put.rejectedLogEventsInfo).toBeUndefined();

    const read = await client.send(new GetLogEventsCommand({ logGroupName: LOG_GROUP_NAME, logStreamName: STREAM, startFromHead: true }));
    expect(read.events?.map((e) => [e.timestamp, e.message])).toEqual([
      [now - 1, '[INFO] till opened'],
      [now, '[ERROR] scanner offline | {"code":"SCANNER_ERROR"}'],
    ]);

    const streams = await client.send(new DescribeLogStreamsCommand({ logGroupName: LOG_GROUP_NAME, logStreamNamePrefix: 'store-12/' }));
    expect(streams.logStreams).toEqual([
      expect.objectContaining({ logStreamName: STREAM, firstEventTimestamp: now - 1, lastEventTimestamp: now }),
    ]);
  });

  it('delivers the error lines selected by ERROR_FILTER_PATTERN as a CloudWatch Logs → Lambda event', async () => {
    await client.send(
      new PutSubscriptionFilterCommand({
        logGroupName: LOG_GROUP_NAME,
        filterName: SUBSCRIPTION_FILTER_NAME,
        filterPattern: ERROR_FILTER_PATTERN,
        destinationArn: INGEST_ARN,
      }),
    );
    const described = await client.send(new DescribeSubscriptionFiltersCommand({ logGroupName: LOG_GROUP_NAME }));
    expect(described.subscriptionFilters?.map((f) => [f.filterName, f.filterPattern, f.destinationArn])).toEqual([
      [SUBSCRIPTION_FILTER_NAME, ERROR_FILTER_PATTERN, INGEST_ARN],
    ]);

    const now = Date.now();
    await client.send(
      new PutLogEventsCommand({
        logGroupName: LOG_GROUP_NAME,
        logStreamName: STREAM,
        logEvents: [
          { timestamp: now, message: '[2026-11-26T12:00:00.000Z] [INFO] Order 1042 completed | {"orderId":"1042"}' },
          { timestamp: now + 1, message: '[2026-11-26T12:00:01.000Z] [ERROR] Gateway timeout | {"code":"PAYMENT_TIMEOUT","orderId":"1043"}' },
          { timestamp: now + 2, message: '[2026-11-26T12:00:02.000Z] [WARN] Paper low | {"kioskNumber":"K3"}' },
          { timestamp: now + 3, message: '[2026-11-26T12:00:03.000Z] [WARN] Printer jammed | {"code":"PRINTER_JAM"}' },
        ],
      }),
    );
    await svc.drain();

    const [control, ...rest] = delivered.messages();
    expect(control).toMatchObject({ messageType: 'CONTROL_MESSAGE' });
    expect(rest).toEqual([
      {
        messageType: 'DATA_MESSAGE',
        owner: '000000000000',
        logGroup: LOG_GROUP_NAME,
        logStream: STREAM,
        subscriptionFilters: [SUBSCRIPTION_FILTER_NAME],
        logEvents: [
          { id: expect.stringMatching(/^\d{56}$/), timestamp: now + 1, message: expect.stringContaining('[ERROR] Gateway timeout') },
          { id: expect.stringMatching(/^\d{56}$/), timestamp: now + 3, message: expect.stringContaining('[WARN] Printer jammed') },
        ],
      },
    ]);
    const filtered = await client.send(new FilterLogEventsCommand({ logGroupName: LOG_GROUP_NAME, filterPattern: ERROR_FILTER_PATTERN }));
    expect(filtered.events?.map((e) => e.eventId)).toEqual(rest[0]!.logEvents.map((e) => e.id));
  });

  it('accepts a batch of 10,000 events and rejects 10,001 with InvalidParameterException', async () => {
    const now = Date.now();
    const batch = Array.from({ length: 10_001 }, (_, i) => ({ timestamp: now, message: `[INFO] heartbeat ${i}` }));
    await client.send(new PutLogEventsCommand({ logGroupName: LOG_GROUP_NAME, logStreamName: STREAM, logEvents: batch.slice(0, 10_000) }));
    expect(svc.stats().eventsAccepted).toBe(10_000);

    const error = await rejectionOf(client.send(new PutLogEventsCommand({ logGroupName: LOG_GROUP_NAME, logStreamName: STREAM, logEvents: batch })));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect((error as InvalidParameterException).$metadata.httpStatusCode).toBe(400);
    expect(svc.stats().eventsAccepted).toBe(10_000);
  });

  it('reports events outside the accepted time window in rejectedLogEventsInfo', async () => {
    const now = Date.now();
    const result = await client.send(
      new PutLogEventsCommand({
        logGroupName: LOG_GROUP_NAME,
        logStreamName: STREAM,
        logEvents: [
          { timestamp: now, message: 'kept' },
          { timestamp: now + 3 * 60 * 60 * 1000, message: 'three hours ahead' },
        ],
      }),
    );
    expect(result.rejectedLogEventsInfo).toEqual({ tooNewLogEventStartIndex: 1 });
  });

  it('surfaces service errors as the SDK exception classes', async () => {
    const missingStream = await rejectionOf(
      client.send(new PutLogEventsCommand({ logGroupName: LOG_GROUP_NAME, logStreamName: 'no-such-stream', logEvents: [{ timestamp: Date.now(), message: 'x' }] })),
    );
    expect(missingStream).toBeInstanceOf(ResourceNotFoundException);
    expect((missingStream as ResourceNotFoundException).message).toBe('The specified log stream does not exist.');

    expect(await rejectionOf(client.send(new CreateLogGroupCommand({ logGroupName: LOG_GROUP_NAME })))).toBeInstanceOf(ResourceAlreadyExistsException);
    expect(await rejectionOf(client.send(new DescribeLogStreamsCommand({ logGroupName: '/no/such/group' })))).toBeInstanceOf(ResourceNotFoundException);
    expect(
      await rejectionOf(client.send(new PutSubscriptionFilterCommand({ logGroupName: LOG_GROUP_NAME, filterName: 'bad', filterPattern: 'ERROR:', destinationArn: INGEST_ARN }))),
    ).toBeInstanceOf(InvalidParameterException);
    expect(
      await rejectionOf(
        client.send(
          new PutLogEventsCommand({
            logGroupName: LOG_GROUP_NAME,
            logStreamName: STREAM,
            logEvents: [
              { timestamp: Date.now(), message: 'b' },
              { timestamp: Date.now() - 1000, message: 'a' },
            ],
          }),
        ),
      ),
    ).toBeInstanceOf(InvalidParameterException);

    for (const filterName of ['one', 'two']) {
      await client.send(new PutSubscriptionFilterCommand({ logGroupName: LOG_GROUP_NAME, filterName, filterPattern: '', destinationArn: INGEST_ARN }));
    }
    expect(
      await rejectionOf(client.send(new PutSubscriptionFilterCommand({ logGroupName: LOG_GROUP_NAME, filterName: 'three', filterPattern: '', destinationArn: INGEST_ARN }))),
    ).toBeInstanceOf(LimitExceededException);
    expect(await rejectionOf(client.send(new DeleteSubscriptionFilterCommand({ logGroupName: LOG_GROUP_NAME, filterName: 'three' })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  describe('raw AWS JSON protocol', () => {
    async function post(target: string, body: string | Buffer): Promise<{ status: number; contentType: string | null; json: { __type?: string; message?: string } }> {
      const response = await fetch(server.endpoint, {
        method: 'POST',
        headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
        body,
      });
      return { status: response.status, contentType: response.headers.get('content-type'), json: (await response.json()) as { __type?: string; message?: string } };
    }

    it('answers a body that is not JSON with 400 SerializationException', async () => {
      const response = await post('Logs_20140328.PutLogEvents', '{"logGroupName":');
      expect(response).toMatchObject({ status: 400, contentType: 'application/x-amz-json-1.1', json: { __type: 'SerializationException' } });
    });

    it('answers an unknown operation with UnknownOperationException', async () => {
      const response = await post('Logs_20140328.TagResource', '{}');
      expect(response).toMatchObject({ status: 400, json: { __type: 'UnknownOperationException' } });
    });

    it('refuses a request body above 5 MB with 413', async () => {
      const response = await post('Logs_20140328.PutLogEvents', Buffer.alloc(5 * 1024 * 1024 + 1, 0x20));
      expect(response).toMatchObject({ status: 413, json: { __type: 'RequestEntityTooLargeException' } });
    });
  });
});
