import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTables, startDynalite } from '../../src/local/dynamodb.js';
import { localTableNames } from '../../src/tables.js';

describe('ensureTables on a data dir from before an index was declared', () => {
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  let client: DynamoDBClient;

  beforeAll(async () => {
    dynamo = await startDynalite({ port: 0, host: '127.0.0.1' });
    client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  });
  afterAll(async () => {
    client?.destroy();
    await dynamo?.close();
  });

  it('rebuilds the incidents table with the missing index and keeps every item', async () => {
    // Prepare: the incidents table as it was declared before byUpdatedAt, holding 30 incidents (more than one batch write).
    const names = localTableNames('legacy');
    await client.send(
      new CreateTableCommand({
        TableName: names.incidents,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [
          { AttributeName: 'id', AttributeType: 'S' },
          { AttributeName: 'kind', AttributeType: 'S' },
          { AttributeName: 'lastSeen', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byLastSeen',
            KeySchema: [
              { AttributeName: 'kind', KeyType: 'HASH' },
              { AttributeName: 'lastSeen', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
    const db = DynamoDBDocumentClient.from(client);
    for (let i = 0; i < 30; i++) {
      const at = new Date(Date.UTC(2026, 10, 26, 12, i)).toISOString();
      await db.send(
        new PutCommand({ TableName: names.incidents, Item: { id: `incident-${i}`, kind: 'incident', lastSeen: at, updatedAt: at, occurrences: i } }),
      );
    }

    // Act
    await ensureTables(dynamo.endpoint, names);

    // Assess
    const described = await client.send(new DescribeTableCommand({ TableName: names.incidents }));
    expect((described.Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort()).toEqual(['byLastSeen', 'byUpdatedAt']);
    const changed = await db.send(
      new QueryCommand({
        TableName: names.incidents,
        IndexName: 'byUpdatedAt',
        KeyConditionExpression: '#kind = :kind AND #updatedAt >= :since',
        ExpressionAttributeNames: { '#kind': 'kind', '#updatedAt': 'updatedAt' },
        ExpressionAttributeValues: { ':kind': 'incident', ':since': '2026-11-26T12:00:00.000Z' },
      }),
    );
    expect(changed.Items?.map((item) => item.occurrences).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('leaves a table that already has its indexes alone', async () => {
    const names = localTableNames('current');
    await ensureTables(dynamo.endpoint, names);
    const db = DynamoDBDocumentClient.from(client);
    await db.send(new PutCommand({ TableName: names.incidents, Item: { id: 'kept', kind: 'incident', lastSeen: 'x', updatedAt: 'x' } }));
    const created = (await client.send(new DescribeTableCommand({ TableName: names.incidents }))).Table?.CreationDateTime;

    await ensureTables(dynamo.endpoint, names);

    expect((await client.send(new DescribeTableCommand({ TableName: names.incidents }))).Table?.CreationDateTime).toEqual(created);
    expect((await db.send(new GetCommand({ TableName: names.incidents, Key: { id: 'kept' } }))).Item).toBeDefined();
  });
});
