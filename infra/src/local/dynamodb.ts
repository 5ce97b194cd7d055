import { mkdir } from 'node:fs/promises';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { TableNames } from '../../../functions/src/config.js';
import { TABLES, type TableSpec } from '../tables.js';

/** dynalite persisted under `dir` (in memory without one), listening on loopback. */
export async function startDynalite(opts: { dir?: string; port: number; host: string }): Promise<{ endpoint: string; port: number; close(): Promise<void> }> {
  if (opts.dir) await mkdir(opts.dir, { recursive: true });
  const server = dynalite({ ...(opts.dir ? { path: opts.dir } : {}), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) ;
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

/** Creates every table from the shared declarations; tables that already exist (a restart) are left as they are. */
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
      await client.send(new DescribeTableCommand({ TableName }));
    }
  } finally {
    client.destroy();
  }
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
