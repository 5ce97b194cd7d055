// The local stack as the end-to-end benchmarks run it: `npm start`'s pipeline in this process, on free ports, in a
// temp dir that is removed afterwards, with an admin to call the API as and a DynamoDB client to count what was stored.

import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../src/local/runtime.js';

const ADMIN = { email: 'bench@example.com', password: 'bench password 1' };

export interface BenchStack {
  readonly stack: LocalStack;
  readonly dir: string;
  /** Calls the API as the admin; throws on anything but 2xx. */
  api<T>(method: string, route: string, body?: unknown): Promise<T>;
  token(): Promise<string>;
  /** Every incident, paged through the API (newest first). */
  incidents(): Promise<IncidentSummary[]>;
  /** Occurrence items in the occurrences table: all of them, and those the ingest marked counted. */
  storedOccurrences(): Promise<{ items: number; counted: number }>;
  close(): Promise<void>;
}

export interface IncidentSummary {
  readonly id: string;
  readonly code: string;
  readonly occurrences: number;
  readonly ticket?: { readonly status: string; readonly key?: string };
}

export async function startBenchStack(name: string, options: Partial<LocalStackOptions> = {}): Promise<BenchStack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `stacklens-bench-${name}-`));
  const stack = await startLocalStack({
    dataDir: path.join(dir, 'data'),
    ports: { api: 0, pos: 0, edge: 0, dynamodb: 0 },
    pos: false,
    admin: ADMIN,
    secretsKeyFile: path.join(dir, 'master.key'),
    ...options,
  });
  const dynamo = new DynamoDBClient({ endpoint: stack.urls.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  let cachedToken: string | undefined;
  const call = async <T>(method: string, route: string, body?: unknown, bearer?: string): Promise<T> => {
    const res = await fetch(`${stack.urls.api}${route}`, {
      method,
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const token = async (): Promise<string> => (cachedToken ??= (await call<{ token: string }>('POST', '/auth/login', ADMIN)).token);
  return {
    stack,
    dir,
    token,
    api: async (method, route, body) => call(method, route, body, await token()),
    incidents: async () => {
      const all: IncidentSummary[] = [];
      let cursor: string | undefined;
      do {
        const page = await call<{ items: IncidentSummary[]; nextCursor?: string }>(
          'GET',
          `/incidents?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          undefined,
          await token(),
        );
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return all;
    },
    storedOccurrences: async () => {
      let items = 0;
      let counted = 0;
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await dynamo.send(
          new ScanCommand({
            TableName: stack.config.tables.occurrences,
            // The table also holds per-kiosk and per-minute counters of each incident under other prefixes.
            FilterExpression: 'begins_with(sk, :occurrence)',
            ExpressionAttributeValues: { ':occurrence': { S: 'occ#' } },
            ProjectionExpression: 'counted',
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) {
          items += 1;
          if (item.counted?.BOOL === true) counted += 1;
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return { items, counted };
    },
    close: async () => {
      dynamo.destroy();
      await stack.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value or `timeoutMs` passes (then undefined). */
export async function pollUntil<T>(check: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 250): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined || Date.now() >= deadline) return value;
    await sleep(intervalMs);
  }
}
