import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { emittedMetrics, lambdaContext, LAMBDA_LIKE_ENV, summary, withEnv } from './emf.js';

// The Lambda entry as Lambda calls it: the real decode and ingest use case, with DynamoDB answered by a double.
const dynamo = mockClient(DynamoDBDocumentClient);
let handler: (typeof import('../../../src/handlers/ingest.js'))['handler'];
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = withEnv(LAMBDA_LIKE_ENV);
  ({ handler } = await import('../../../src/handlers/ingest.js'));
});

afterAll(() => {
  dynamo.restore();
  restoreEnv();
});

function awslogs(data: unknown): CloudWatchLogsEvent {
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(data))).toString('base64') } };
}

describe('Lambda entry: ingest handler', () => {
  it('publishes a cold start and the batch counts as EMF, skip reasons as dimensions', async () => {
    // Prepare
    dynamo.reset();
    dynamo.on(UpdateCommand).resolves({});
    const event = awslogs({
      messageType: 'DATA_MESSAGE',
      owner: '123456789012',
      logGroup: '/stacklens/pos',
      logStream: 'store-0042/kiosk-03',
      subscriptionFilters: ['stacklens-errors'],
      logEvents: [
        { id: 'e1', timestamp: Date.parse('2026-11-26T12:00:00Z'), message: '[2026-11-26T12:00:00.000Z] [INFO] Basket opened' },
        { id: 'e2', timestamp: Date.parse('2026-11-26T12:00:01Z'), message: '   ' },
      ],
    });

    // Act
    let outcome: unknown;
    const metrics = await emittedMetrics(async () => {
      outcome = await handler(event, lambdaContext('stacklens-ingest-dev'));
    });

    // Assess
    expect(outcome).toEqual({ received: 2, recorded: 0, skipped: { not_error: 1, empty: 1 }, created: [], updated: [] });
    expect(summary(metrics)).toEqual([
      'ColdStart{function_name=stacklens-ingest-dev}=1',
      'EventsSkipped{reason=not_error}=1',
      'EventsSkipped{reason=empty}=1',
      'OccurrencesIngested=0',
      'IncidentsCreated=0',
      'DuplicatesDropped=0',
      'EventsSkipped=2',
    ]);
    expect(new Set(metrics.map((m) => m.namespace))).toEqual(new Set(['StackLensTest']));
  });

  it('counts an undecodable payload as a skipped event under its reason, without a second cold start', async () => {
    // Prepare
    dynamo.reset();
    dynamo.on(UpdateCommand).resolves({});

    // Act
    const metrics = await emittedMetrics(() => handler({ awslogs: { data: 'bm90IGd6aXA=' } }, lambdaContext('stacklens-ingest-dev')));

    // Assess
    expect(summary(metrics)).toEqual([
      'EventsSkipped{reason=payload_not_gzip}=1',
      'OccurrencesIngested=0',
      'IncidentsCreated=0',
      'DuplicatesDropped=0',
      'EventsSkipped=1',
    ]);
  });
});
