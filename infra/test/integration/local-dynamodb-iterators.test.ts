// dynalite reads every Query and Scan through a Level iterator. An iterator that is never closed stays attached to the
// database with the LevelDB memory it pins: the ten-minute soak grew the stack by about 400 MB a minute that way. Each
// request here must close every iterator it opened, whether it read to the end or stopped at its Limit.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { AbstractIterator, AbstractKeyIterator, AbstractValueIterator } from 'abstract-level';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { startDynalite } from '../../src/local/dynamodb.js';

const TABLE = 'iterator-probe';

describe.each([
  ['on disk (LevelDB)', true],
  ['in memory', false],
])('dynalite %s closes the iterators of its queries and scans', (_label, onDisk) => {
  let dir: string | undefined;
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  let client: DynamoDBClient;
  let db: DynamoDBDocumentClient;
  const opened = new Set<object>();
  const closed = new Set<object>();

  beforeAll(async () => {
    dir = onDisk ? await mkdtemp(path.join(os.tmpdir(), 'stacklens-iterators-')) : undefined;
    dynamo = await startDynalite({ port: 0, host: '127.0.0.1', ...(dir ? { dir } : {}) });
    client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    db = DynamoDBDocumentClient.from(client);
    await client.send(
      new CreateTableCommand({
        TableName: TABLE,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    for (let batch = 0; batch < 4; batch++) {
      const items = Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { pk: 'p', sk: `s${String(batch * 25 + i).padStart(3, '0')}` } } }));
      await db.send(new BatchWriteCommand({ RequestItems: { [TABLE]: items } }));
    }
    // Every iterator of the three kinds dynalite can open is recorded as it reads, and as it closes.
    for (const kind of [AbstractIterator, AbstractKeyIterator, AbstractValueIterator]) {
      const next = kind.prototype.next;
      jest.spyOn(kind.prototype, 'next').mockImplementation(function (this: object, ...args: never[]) {
        opened.add(this);
        return (next as (...a: never[]) => Promise<unknown>).apply(this, args);
      } as never);
      const close = kind.prototype.close;
      jest.spyOn(kind.prototype, 'close').mockImplementation(function (this: object) {
        closed.add(this);
        return close.apply(this);
      } as never);
    }
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    client?.destroy();
    await dynamo?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('closes one iterator per request, for reads to the end and reads cut short by Limit', async () => {
    // Act: queries that read to the end, queries and scans stopped by Limit, and a full scan.
    for (let i = 0; i < 10; i++) {
      const all = await db.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'p' } }));
      expect(all.Items).toHaveLength(100);
      const page = await db.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'p' }, Limit: 5 }));
      expect(page.Items).toHaveLength(5);
      const scanPage = await db.send(new ScanCommand({ TableName: TABLE, Limit: 3 }));
      expect(scanPage.Items).toHaveLength(3);
    }
    const scan = await db.send(new ScanCommand({ TableName: TABLE }));
    expect(scan.Items).toHaveLength(100);

    // Assess: a close may trail the response by a tick; give it a moment, then every opened iterator must be closed.
    for (let wait = 0; wait < 50 && [...opened].some((it) => !closed.has(it)); wait++) await new Promise((r) => setTimeout(r, 20));
    expect(opened.size).toBeGreaterThanOrEqual(31);
    expect({ opened: opened.size, leftOpen: [...opened].filter((iterator) => !closed.has(iterator)).length }).toEqual({ opened: opened.size, leftOpen: 0 });
  });
});
