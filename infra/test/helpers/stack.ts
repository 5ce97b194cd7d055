import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../src/local/runtime.js';

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
  const stack = await startLocalStack({
    dataDir: dir,
    ports: { api: 0, pos: 0, edge: 0, dynamodb: 0 },
    admin: ADMIN,
    agentFlushMs: 50,
    // A reused data dir (restart tests) needs the same key again: keep it beside the dir, not in it.
    secretsKeyFile: dataDir ? `${path.resolve(dataDir)}.key` : path.join(keyDir, 'master.key'),
    ...overrides,
  });
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
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as LiveClient['messages'][number]));
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
