// Test plumbing shared by the local AWS JSON-protocol emulators: a loopback stand-in for the edge server that
// routes one `X-Amz-Target` prefix to one request adapter, the SDK client settings that reach it, and ways to
// catch the error a call is expected to fail with.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendAwsJson, AwsServiceError } from '../../src/local/aws-error.js';

export interface AwsJsonRoute {
  readonly targetPrefix: string;
  readonly maxRequestBytes: number;
  readonly handle: (operation: string, body: Buffer, res: http.ServerResponse) => Promise<void>;
}

/** One request as it went over the wire, to check what the SDK sent and what came back. */
export interface AwsJsonExchange {
  readonly target: string | undefined;
  readonly contentType: string | undefined;
  /** Undefined when the request matched no route. */
  readonly operation: string | undefined;
  readonly status: number;
  readonly body: string;
}

export interface AwsJsonTestServer {
  readonly endpoint: string;
  readonly exchanges: AwsJsonExchange[];
  close(): Promise<void>;
}

export async function startAwsJsonTestServer(route: AwsJsonRoute): Promise<AwsJsonTestServer> {
  const exchanges: AwsJsonExchange[] = [];
  const server = http.createServer((req, res) => {
    void (async () => {
      const target = typeof req.headers['x-amz-target'] === 'string' ? req.headers['x-amz-target'] : undefined;
      const operation = req.method === 'POST' && target?.startsWith(route.targetPrefix) ? target.slice(route.targetPrefix.length) : undefined;
      record(res, (status, body) => exchanges.push({ target, contentType: req.headers['content-type'], operation, status, body }));
      // One byte past the limit is enough for the adapter's own 413.
      const body = await readCapped(req, route.maxRequestBytes + 1);
      if (operation === undefined) {
        sendAwsJson(res, 404, { __type: 'UnknownOperationException', message: `No route for ${req.method ?? ''} ${String(target)}` });
        return;
      }
      await route.handle(operation, body, res);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    exchanges,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function record(res: http.ServerResponse, onEnd: (status: number, body: string) => void): void {
  const end = res.end.bind(res) as (chunk?: unknown) => http.ServerResponse;
  res.end = ((chunk?: unknown) => {
    onEnd(res.statusCode, Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '');
    return end(chunk);
  }) as typeof res.end;
}

/** Keeps at most `cap` bytes but drains the rest, so an oversized body still gets an answer instead of a reset. */
async function readCapped(req: http.IncomingMessage, cap: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let kept = 0;
  for await (const chunk of req) {
    const slice = (chunk as Buffer).subarray(0, Math.max(0, cap - kept));
    chunks.push(slice);
    kept += slice.length;
  }
  return Buffer.concat(chunks);
}

/** Settings for any @aws-sdk client pointed at a loopback emulator: fixed region and credentials, no retries. */
export function localClientConfig(endpoint: string) {
  return { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 };
}

/** Resolves to whatever the promise rejects with; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** Resolves to the AwsServiceError the promise rejects with; any other rejection fails the test as it is. */
export async function failure(promise: Promise<unknown>): Promise<AwsServiceError> {
  const err = await rejectionOf(promise);
  if (err instanceof AwsServiceError) return err;
  throw err;
}
