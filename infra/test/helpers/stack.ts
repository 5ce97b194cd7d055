import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient, ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import WebSocket from 'ws';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../src/local/runtime.js';
import { capture, noteSweepEvent, registerSecret, STACKS_DUMPED_FILE, STACKS_STARTED_FILE, sweepDir } from './sweep.js';

export const ADMIN = { email: 'ops@example.com', password: 'correct horse battery staple' };

export interface TestStack extends LocalStack {
  readonly dataDir: string;
  token(): Promise<string>;
  api<T = unknown>(method: string, pathname: string, body?: unknown, token?: string | null): Promise<{ status: number; body: T }>;
  pos<T = unknown>(method: string, pathname: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export async function startTestStack(overrides: Partial<LocalStackOptions> = {}, dataDir?: string): Promise<TestStack> {
  const dir = dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'stacklens-it-')));
  // The secrets master key lives outside the data dir, as in real use; here in its own temp dir.
  const keyDir = await mkdtemp(path.join(os.tmpdir(), 'stacklens-key-'));
  const secretsKeyFile = overrides.secretsKeyFile ?? (dataDir ? `${path.resolve(dataDir)}.key` : path.join(keyDir, 'master.key'));
  const stack = await startLocalStack({
    dataDir: dir,
    ports: { api: 0, pos: 0, edge: 0, dynamodb: 0 },
    admin: ADMIN,
    agentFlushMs: 50,
    // A reused data dir (restart tests) needs the same key again: keep it beside the dir, not in it.
    secretsKeyFile,
    ...overrides,
    // The runtime's log lines go to the secrets/PAN sweep, and still to a logger the test passes.
    log: (line) => {
      capture('log', line);
      overrides.log?.(line);
    },
  });
  const sweepId = randomUUID();
  if (sweepDir() !== undefined) {
    noteSweepEvent(STACKS_STARTED_FILE, sweepId);
    registerStackSecrets(stack, ('admin' in overrides ? overrides.admin : ADMIN)?.password);
  }
  let cachedToken: string | undefined;
  const request = async <T>(base: string, method: string, pathname: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${pathname}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const origin = stack.urls.api.replace(/\/api$/, '');
  const token = async (): Promise<string> => {
    if (!cachedToken) {
      const res = await request<{ token: string }>(origin, 'POST', '/api/auth/login', ADMIN);
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
      cachedToken = res.body.token;
    }
    return cachedToken;
  };
  return {
    ...stack,
    dataDir: dir,
    token,
    api: async (method, pathname, body, explicitToken) => {
      const bearer = explicitToken === undefined ? await token() : explicitToken;
      return request(origin, method, pathname, body, bearer === null ? {} : { authorization: `Bearer ${bearer}` });
    },
    pos: (method, pathname, body) => request(stack.urls.pos!, method, pathname, body),
    close: async () => {
      if (sweepDir() !== undefined) {
        await registerMasterKey(secretsKeyFile);
        await dumpTables(stack, sweepId);
        await captureStoredFiles(dir);
      }
      await stack.stop();
      await rm(keyDir, { recursive: true, force: true });
      if (!dataDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface LiveClient {
  readonly messages: Array<{ type: string; seq: number; at: string; data: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function connectLive(wsUrl: string, token: string): Promise<LiveClient> {
  const socket = new WebSocket(`${wsUrl}?token=${encodeURIComponent(token)}`);
  const messages: LiveClient['messages'] = [];
  socket.on('message', (data) => {
    capture('ws', String(data), 'ws message');
    messages.push(JSON.parse(String(data)) as LiveClient['messages'][number]);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket refused with HTTP ${res.statusCode}`)));
  });
  return {
    messages,
    close: () =>
      new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.close();
      }),
  };
}

/** What no output may contain: the admin's password and the token signing key. */
function registerStackSecrets(stack: LocalStack, adminPassword: string | undefined): void {
  if (adminPassword !== undefined) registerSecret(adminPassword, 'test stack admin password');
  if (stack.generatedAdminPassword !== undefined) registerSecret(stack.generatedAdminPassword, 'generated admin password');
  if (stack.config.authKey !== undefined) registerSecret(stack.config.authKey, 'local token signing key');
}

/** The secret store's master key, once the store has created it. */
async function registerMasterKey(file: string): Promise<void> {
  try {
    registerSecret(await readFile(file), 'secret store master key');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * Every item of every table, as DynamoDB returns it (binary attributes as base64), into the sweep. A test that took
 * the database down still closes: the dump is then missing, which the sweep's summary shows.
 */
async function dumpTables(stack: LocalStack, sweepId: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint: stack.urls.dynamodb,
    region: stack.config.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 10_000 },
  });
  // A Buffer reaches the replacer already turned into { type: 'Buffer', data: [...] } by its toJSON.
  const binaryAsBase64 = (_key: string, value: unknown) => {
    if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    const json = value as { type?: unknown; data?: unknown } | null;
    return json?.type === 'Buffer' && Array.isArray(json.data) ? Buffer.from(json.data as number[]).toString('base64') : value;
  };
  try {
    for (const table of Object.values(stack.config.tables)) {
      let startKey: ScanCommandOutput['LastEvaluatedKey'];
      do {
        const page = await client.send(new ScanCommand({ TableName: table, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
        capture('items', (page.Items ?? []).map((item) => JSON.stringify(item, binaryAsBase64)).join('\n'), `table ${table}`);
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
    noteSweepEvent(STACKS_DUMPED_FILE, sweepId);
  } catch (error) {
    capture('items', `table dump failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    client.destroy();
  }
}

/**
 * What the runtime keeps on disk besides the tables: the secret store (the Jira token must be in it encrypted only),
 * workflow executions and the agent's spool. Not the token signing key's own file, nor the POS log (the input).
 */
async function captureStoredFiles(dataDir: string): Promise<void> {
  for (const sub of ['secrets/secretsmanager.json', 'stepfunctions', 'agent']) {
    for (const file of await filesUnder(path.join(dataDir, sub))) capture('stored', await readFile(file), path.relative(dataDir, file));
  }
}

async function filesUnder(target: string): Promise<string[]> {
  try {
    const entries = await readdir(target, { withFileTypes: true });
    const nested = await Promise.all(
      entries.map((entry) => (entry.isDirectory() ? filesUnder(path.join(target, entry.name)) : [path.join(target, entry.name)])),
    );
    return nested.flat();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'ENOTDIR') return [target];
    throw error;
  }
}

/** Polls until `check` returns a value other than undefined/false, or fails with the last value seen. */
export async function waitFor<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
}
