import { mkdir } from 'node:fs/promises';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
  type AttributeValue,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { AbstractIterator, AbstractKeyIterator, AbstractValueIterator } from 'abstract-level';
import dynalite from 'dynalite';
import type { TableNames } from '../../../functions/src/config.js';
import { TABLES, type TableSpec } from '../tables.js';

/**
 * dynalite 4 ends every Query and Scan stream by calling `iterator.return()` on its Level iterator, a method abstract-level
 * 3 iterators do not have (they close with `close()`); so it skipped the close, and each iterator stayed attached to the
 * database with the LevelDB memory it pins. The ten-minute soak found it: the stack's RSS grew by about 400 MB a minute
 * at 200 errors/s while its JS heap stayed near 50 MB. Giving the iterators the method dynalite calls closes them.
 */
function closeLevelIteratorsOnReturn(): void {
  for (const { prototype } of [AbstractIterator, AbstractKeyIterator, AbstractValueIterator]) {
    if ('return' in prototype) continue;
    Object.defineProperty(prototype, 'return', {
      configurable: true,
      writable: true,
      value(this: { close(): Promise<void> }): Promise<void> {
        return this.close();
      },
    });
  }
}

/** dynalite persisted under `dir` (in memory without one), listening on loopback. */
export async function startDynalite(opts: { dir?: string; port: number; host: string }): Promise<{ endpoint: string; port: number; close(): Promise<void> }> {
  if (opts.dir) await mkdir(opts.dir, { recursive: true });
  closeLevelIteratorsOnReturn();
  const server = dynalite({ ...(opts.dir ? { path: opts.dir } : {}), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://${opts.host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/**
 * Creates every table from the shared declarations. Tables that already exist (a restart) keep their data; one that
 * lacks a global index declared since it was created is rebuilt with it (see rebuildWithIndexes).
 */
export async function ensureTables(endpoint: string, names: TableNames, region = 'us-east-1'): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    for (const spec of TABLES) {
      const TableName = names[spec.id];
      try {
        await client.send(new CreateTableCommand({ TableName, ...createTableInput(spec) }));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
      const described = await client.send(new DescribeTableCommand({ TableName }));
      const present = new Set((described.Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
      if ((spec.globalIndexes ?? []).some((index) => !present.has(index.name))) await rebuildWithIndexes(client, TableName, spec);
    }
  } finally {
    client.destroy();
  }
}

/**
 * dynalite cannot add a global index to an existing table (UpdateTable ignores GlobalSecondaryIndexUpdates), so a data
 * dir from before an index was declared has its table copied out, recreated from the declaration and filled again.
 * Only ever local, and only the first start after such a change; the copy is held in memory, which the incidents table
 * (one item per fingerprint) easily fits.
 */
async function rebuildWithIndexes(client: DynamoDBClient, TableName: string, spec: TableSpec): Promise<void> {
  const items: Array<Record<string, AttributeValue>> = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  await client.send(new DeleteTableCommand({ TableName }));
  await until(async () => {
    try {
      await client.send(new DescribeTableCommand({ TableName }));
      return false;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return true;
      throw error;
    }
  }, `${TableName} to be deleted`);
  await client.send(new CreateTableCommand({ TableName, ...createTableInput(spec) }));
  await until(async () => (await client.send(new DescribeTableCommand({ TableName }))).Table?.TableStatus === 'ACTIVE', `${TableName} to be created`);
  for (let i = 0; i < items.length; i += 25) {
    let requests: WriteRequest[] | undefined = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests && requests.length > 0) {
      const out: { UnprocessedItems?: Record<string, WriteRequest[]> } = await client.send(
        new BatchWriteItemCommand({ RequestItems: { [TableName]: requests } }),
      );
      requests = out.UnprocessedItems?.[TableName];
    }
  }
}

async function until(done: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

function createTableInput(spec: TableSpec) {
  const attributes = new Map<string, 'S' | 'N'>();
  const keys = (pk: TableSpec['partitionKey'], sk?: TableSpec['sortKey']) => {
    attributes.set(pk.name, pk.type);
    if (sk) attributes.set(sk.name, sk.type);
    return [{ AttributeName: pk.name, KeyType: 'HASH' as const }, ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : [])];
  };
  const KeySchema = keys(spec.partitionKey, spec.sortKey);
  const GlobalSecondaryIndexes = spec.globalIndexes?.map((index) => ({
    IndexName: index.name,
    KeySchema: keys(index.partitionKey, index.sortKey),
    Projection: { ProjectionType: 'ALL' as const },
  }));
  return {
    KeySchema,
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    BillingMode: 'PAY_PER_REQUEST' as const,
    ...(GlobalSecondaryIndexes ? { GlobalSecondaryIndexes } : {}),
  };
}
