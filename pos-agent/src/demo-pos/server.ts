// The demo POS: a small till (web page + JSON API) that writes realistic POS logs for StackLens to pick up.
// node:http only. Every failure path answers with `{ error: { code, message } }` and no request can crash the process.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import type { LogRecord } from './log-format.js';
import { createPosLogWriter, type PosLogWriter } from './log-writer.js';
import { createOrderIdSource, describeIssues, orderRequestSchema, StoreInventory, triggerRequestSchema, type Order, type OrderFailure } from './orders.js';
import { DEMO_PRODUCTS } from './products.js';
import { formatCents, hex, intBetween, type Rand } from './random.js';
import { findScenario, SCENARIOS, scenarioRecord, summarizeScenario, type ScenarioContext } from './scenarios.js';
import { TILL_CSP, TILL_HTML } from './till-page.js';

export const MAX_BODY_BYTES = 64 * 1024;

export interface DemoPosOptions {
  readonly port: number;
  /** Defaults to 127.0.0.1: the demo till is never meant to be reachable from the network. */
  readonly host?: string;
  readonly logFile: string;
  readonly now?: () => Date;
  /** Source of variation for generated ids and scenario values; Math.random by default. */
  readonly rand?: Rand;
  /** Where log-writer failures are reported; process.stderr by default. */
  readonly stderr?: NodeJS.WritableStream;
}

export interface DemoPos {
  readonly url: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, error: HttpError): void {
  const body = { error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } };
  sendJson(res, error.status, body, error.headers);
}

/** Reads at most MAX_BODY_BYTES; a larger body is refused without buffering the rest. */
function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        refused = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!refused) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (error) => {
      if (!refused) reject(error);
    });
  });
}

function tooLarge(): HttpError {
  return new HttpError(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${MAX_BODY_BYTES} bytes`, undefined, { connection: 'close' });
}

/** `emptyBody` is what an empty body means (e.g. `{}` for optional settings); undefined makes an empty body an error. */
async function readJson<T>(req: IncomingMessage, schema: z.ZodType<T>, emptyBody: unknown): Promise<T> {
  const text = await readBody(req);
  let value: unknown = emptyBody;
  if (text.trim() === '' && emptyBody === undefined) throw new HttpError(400, 'VALIDATION_FAILED', 'Request body is empty; send a JSON object');
  if (text.trim() !== '') {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new HttpError(400, 'VALIDATION_FAILED', `Request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const { message, issues } = describeIssues(parsed.error);
    throw new HttpError(400, 'VALIDATION_FAILED', message, issues);
  }
  return parsed.data;
}

type Handler = (req: IncomingMessage, res: ServerResponse, params: string[]) => Promise<void> | void;

interface Route {
  readonly pattern: RegExp;
  readonly methods: Partial<Record<'GET' | 'POST', Handler>>;
}

export async function startDemoPos(opts: DemoPosOptions): Promise<DemoPos> {
  const now = opts.now ?? (() => new Date());
  const rand = opts.rand ?? Math.random;
  const writer: PosLogWriter = createPosLogWriter(opts.logFile, opts.stderr === undefined ? {} : { stderr: opts.stderr });
  const inventory = new StoreInventory(DEMO_PRODUCTS);
  const nextOrderId = createOrderIdSource(now, rand);
  const scenarioSummaries = SCENARIOS.map(summarizeScenario);

  const info = (message: string, details: Record<string, unknown>): Promise<void> =>
    writer.write({ timestamp: now(), level: 'INFO', message, details });

  function failureRecord(failure: OrderFailure, storeId: string, kioskId: string, orderId: string): LogRecord {
    const scenario = findScenario(failure.code === 'MISSING_PRICE' ? 'missing-price' : failure.code === 'BARCODE_NOT_FOUND' ? 'barcode-not-found' : 'insufficient-stock');
    if (scenario === undefined) throw new Error(`No scenario describes order failure ${failure.code}`);
    const ctx: ScenarioContext = {
      storeId,
      kioskId,
      orderId,
      now: now(),
      rand,
      productId: failure.productId,
      quantity: failure.quantity,
      ...(failure.productName === undefined ? {} : { productName: failure.productName }),
      ...(failure.stockOnHand === undefined ? {} : { stockOnHand: failure.stockOnHand }),
    };
    return scenarioRecord(scenario, ctx);
  }

  async function logCompletedOrder(order: Order): Promise<void> {
    const authCode = hex(rand, 6);
    const txnId = `TXN-${hex(rand, 8)}`;
    const ids = { storeId: order.storeId, kioskId: order.kioskId, orderId: order.id };
    const authorised = info(`Payment authorised for order ${order.id}: ${formatCents(order.totalCents)} USD, auth ${authCode} (txn ${txnId})`, {
      ...ids,
      txnId,
      authCode,
      amountCents: order.totalCents,
      cardLast4: `****${String(intBetween(rand, 0, 9999)).padStart(4, '0')}`,
      gatewayLatencyMs: intBetween(rand, 180, 1_400),
    });
    const completed = info(`Order ${order.id} completed: ${order.items.length} line(s), total ${formatCents(order.totalCents)}`, {
      ...ids,
      lines: order.items.length,
      units: order.items.reduce((sum, line) => sum + line.quantity, 0),
      totalCents: order.totalCents,
    });
    await Promise.all([authorised, completed]);
  }

  const routes: Route[] = [
    {
      pattern: /^\/$/,
      methods: {
        GET: (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': TILL_CSP, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
          res.end(TILL_HTML);
        },
      },
    },
    { pattern: /^\/api\/health$/, methods: { GET: (_req, res) => sendJson(res, 200, { status: 'ok' }) } },
    { pattern: /^\/api\/products$/, methods: { GET: (_req, res) => sendJson(res, 200, { items: inventory.list().map(({ id, name, priceCents, stock }) => ({ id, name, priceCents, stock })) }) } },
    {
      pattern: /^\/api\/orders$/,
      methods: {
        POST: async (req, res) => {
          let request: z.infer<typeof orderRequestSchema>;
          try {
            request = await readJson(req, orderRequestSchema, undefined);
          } catch (error) {
            // A malformed request is the client's bug, not a till failure: DEBUG, and no code, so it is never an incident.
            if (error instanceof HttpError && error.status === 400) {
              await writer.write({ timestamp: now(), level: 'DEBUG', message: `Order request rejected (400 ${error.code}): ${error.message}` });
            }
            throw error;
          }
          const orderId = nextOrderId();
          const ids = { storeId: request.storeId, kioskId: request.kioskId, orderId };
          const received = info(`Order ${orderId} received: ${request.items.length} line(s)`, { ...ids, lines: request.items.length });
          const outcome = inventory.place(request, orderId, now());
          if (!outcome.ok) {
            // Exactly one record per failed order: one failure must become one detection downstream.
            await Promise.all([received, writer.write(failureRecord(outcome.failure, request.storeId, request.kioskId, orderId))]);
            sendJson(res, 422, { error: { code: outcome.failure.code, message: outcome.failure.message, details: { orderId, productId: outcome.failure.productId } } });
            return;
          }
          await Promise.all([received, logCompletedOrder(outcome.order)]);
          sendJson(res, 201, { order: outcome.order });
        },
      },
    },
    { pattern: /^\/api\/scenarios$/, methods: { GET: (_req, res) => sendJson(res, 200, { items: scenarioSummaries }) } },
    {
      pattern: /^\/api\/scenarios\/([^/]+)\/trigger$/,
      methods: {
        POST: async (req, res, params) => {
          const name = safeDecode(params[0] ?? '');
          const scenario = findScenario(name);
          if (scenario === undefined) {
            req.resume();
            throw new HttpError(404, 'NOT_FOUND', `Unknown scenario "${name}"; GET /api/scenarios lists the ${SCENARIOS.length} available names`);
          }
          const body = await readJson(req, triggerRequestSchema, {});
          const count = body.count ?? 1;
          const writes: Promise<void>[] = [];
          for (let i = 0; i < count; i += 1) {
            const ctx: ScenarioContext = { storeId: body.storeId ?? 'store-001', kioskId: body.kioskId ?? 'kiosk-01', orderId: nextOrderId(), now: now(), rand };
            writes.push(writer.write(scenarioRecord(scenario, ctx)));
          }
          await Promise.all(writes);
          sendJson(res, 202, { triggered: count, name: scenario.name });
        },
      },
    },
  ];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://demo-pos.local').pathname;
    for (const route of routes) {
      const match = route.pattern.exec(path);
      if (match === null) continue;
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      const handler = method === 'GET' || method === 'POST' ? route.methods[method] : undefined;
      if (handler === undefined) {
        req.resume();
        const allowed = Object.keys(route.methods);
        if (allowed.includes('GET')) allowed.push('HEAD');
        throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method ?? 'This method'} is not allowed on ${path}; use ${allowed.join(', ')}`, undefined, { allow: allowed.join(', ') });
      }
      await handler(req, res, match.slice(1));
      return;
    }
    req.resume();
    throw new HttpError(404, 'NOT_FOUND', `No route for ${req.method ?? 'GET'} ${path}`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) {
        sendError(res, error);
        return;
      }
      try {
        (opts.stderr ?? process.stderr).write(`demo-pos: unexpected error on ${req.method} ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      } catch {
        // Reporting is best effort.
      }
      sendError(res, new HttpError(500, 'INTERNAL', 'The till hit an unexpected error; see its stderr'));
    });
  });
  // Malformed HTTP should cost the client its connection, not cost us the process.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });

  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  await info(`Demo POS till listening on http://${hostForUrl}:${address.port} with ${DEMO_PRODUCTS.length} products and ${SCENARIOS.length} scenarios`, {
    port: address.port,
    products: DEMO_PRODUCTS.length,
    scenarios: SCENARIOS.length,
  });
  let closing: Promise<void> | undefined;

  return {
    url: `http://${hostForUrl}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }).then(() => writer.flush());
      return closing;
    },
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
