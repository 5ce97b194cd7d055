import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseRecords, type ParsedRecord } from '../../../src/demo-pos/log-format.js';
import { SCENARIOS } from '../../../src/demo-pos/scenarios.js';
import { startDemoPos, type DemoPos } from '../../../src/demo-pos/server.js';

let dir: string;
let logFile: string;
let pos: DemoPos;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'demo-pos-it-'));
  logFile = join(dir, 'logs', 'pos-application.log');
  pos = await startDemoPos({ port: 0, logFile });
});

afterAll(async () => {
  await pos.close();
  await rm(dir, { recursive: true, force: true });
});

async function records(): Promise<ParsedRecord[]> {
  return parseRecords(await readFile(logFile, 'utf8'));
}

async function post(path: string, body: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${pos.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

const forOrder = (all: ParsedRecord[], orderId: string): ParsedRecord[] => all.filter((r) => r.details?.orderId === orderId);

describe('demo POS HTTP API', () => {
  it('binds to loopback on the ephemeral port, logs its start and reports health', async () => {
    expect(pos.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const [first] = await records();
    expect(first).toMatchObject({ level: 'INFO', message: expect.stringMatching(/^Demo POS till listening on http:\/\/127\.0\.0\.1:\d+ with 13 products and \d+ scenarios$/) });
    const response = await fetch(`${pos.url}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('lists the products, with product 999 unpriced', async () => {
    const body = (await (await fetch(`${pos.url}/api/products`)).json()) as { items: { id: string; name: string; priceCents: number | null; stock: number }[] };
    expect(body.items.length).toBeGreaterThanOrEqual(12);
    expect(body.items.find((p) => p.id === '999')).toEqual({ id: '999', name: 'Mystery Product', priceCents: null, stock: 5 });
    for (const product of body.items.filter((p) => p.id !== '999')) {
      expect(Number.isInteger(product.priceCents)).toBe(true);
      expect(product.stock).toBeGreaterThan(0);
    }
  });

  it('completes a good order and logs it received, paid and completed at INFO', async () => {
    const { status, json } = await post('/api/orders', { storeId: 'store-002', kioskId: 'kiosk-04', items: [{ productId: '103', quantity: 2 }, { productId: '109', quantity: 3 }] });
    expect(status).toBe(201);
    expect(json.order).toMatchObject({ storeId: 'store-002', kioskId: 'kiosk-04', totalCents: 2 * 499 + 3 * 179 });
    expect(json.order.id).toMatch(/^ORD-\d{8}-\d{6}$/);
    const logged = forOrder(await records(), json.order.id);
    expect(logged.map((r) => r.level)).toEqual(['INFO', 'INFO', 'INFO']);
    expect(logged.map((r) => r.message)).toEqual([
      `Order ${json.order.id} received: 2 line(s)`,
      expect.stringMatching(new RegExp(`^Payment authorised for order ${json.order.id}: 15\\.35 USD, auth [0-9A-F]{6} \\(txn TXN-[0-9A-F]{8}\\)$`)),
      `Order ${json.order.id} completed: 2 line(s), total 15.35`,
    ]);
    expect(logged[2]?.details).toMatchObject({ storeId: 'store-002', kioskId: 'kiosk-04', totalCents: 1535 });
    const stock = (await (await fetch(`${pos.url}/api/products`)).json()) as { items: { id: string; stock: number }[] };
    expect(stock.items.find((p) => p.id === '103')?.stock).toBe(58);
  });

  it('refuses product 999 with 422 MISSING_PRICE and logs exactly one error record for it', async () => {
    const { status, json } = await post('/api/orders', { storeId: 'store-001', kioskId: 'kiosk-02', items: [{ productId: '101', quantity: 1 }, { productId: '999', quantity: 1 }] });
    expect(status).toBe(422);
    expect(json.error).toMatchObject({ code: 'MISSING_PRICE', message: 'Product 999 (Mystery Product) has no price' });
    const orderId = json.error.details.orderId as string;
    const logged = forOrder(await records(), orderId);
    const errors = logged.filter((r) => ['WARN', 'ERROR', 'FATAL'].includes(r.level));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.level).toBe('ERROR');
    expect(errors[0]?.message).toMatch(/^Product 999 has no price/);
    expect(errors[0]?.details).toMatchObject({ code: 'MISSING_PRICE', orderId, storeId: 'store-001', kioskId: 'kiosk-02', productId: '999' });
    expect(logged.some((r) => r.message.includes('completed'))).toBe(false);
  });

  it('gives every order a fresh id, including refused ones', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i += 1) {
      const { json } = await post('/api/orders', { storeId: 'store-003', kioskId: 'kiosk-01', items: [{ productId: '999', quantity: 1 }] });
      ids.add(json.error.details.orderId);
    }
    expect(ids.size).toBe(5);
  });

  it('refuses an unknown product with BARCODE_NOT_FOUND and an order beyond stock with INVENTORY_MISMATCH', async () => {
    const unknown = await post('/api/orders', { storeId: 'store-001', kioskId: 'kiosk-01', items: [{ productId: '555', quantity: 1 }] });
    expect(unknown.status).toBe(422);
    expect(unknown.json.error.code).toBe('BARCODE_NOT_FOUND');
    const tooMany = await post('/api/orders', { storeId: 'store-001', kioskId: 'kiosk-01', items: [{ productId: '111', quantity: 99 }] });
    expect(tooMany.status).toBe(422);
    expect(tooMany.json.error).toEqual({ code: 'INVENTORY_MISMATCH', message: 'Only 15 of product 111 (AA Batteries, 8 pack) in stock; 99 requested', details: { orderId: expect.any(String), productId: '111' } });
    const all = await records();
    expect(forOrder(all, unknown.json.error.details.orderId).find((r) => r.level !== 'INFO')?.details?.code).toBe('BARCODE_NOT_FOUND');
    expect(forOrder(all, tooMany.json.error.details.orderId).find((r) => r.level !== 'INFO')?.details).toMatchObject({ code: 'INVENTORY_MISMATCH', requested: 99, onHand: 15 });
  });

  it('answers invalid input with 400 VALIDATION_FAILED naming the field, logging it at DEBUG only', async () => {
    const before = (await records()).length;
    const badJson = await post('/api/orders', '{"storeId": ');
    expect(badJson.status).toBe(400);
    expect(badJson.json.error.code).toBe('VALIDATION_FAILED');
    expect(badJson.json.error.message).toMatch(/^Request body is not valid JSON/);
    const badTypes = await post('/api/orders', { storeId: 'store-001', kioskId: 7, items: [{ productId: '101', quantity: 'two' }] });
    expect(badTypes.status).toBe(400);
    expect(badTypes.json.error).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'kioskId must be a string; items.0.quantity must be a number',
      details: [
        { field: 'kioskId', message: 'must be a string' },
        { field: 'items.0.quantity', message: 'must be a number' },
      ],
    });
    const empty = await post('/api/orders', '');
    expect(empty.status).toBe(400);
    expect(empty.json.error.message).toBe('Request body is empty; send a JSON object');
    const added = (await records()).slice(before);
    expect(added.map((r) => r.level)).toEqual(['DEBUG', 'DEBUG', 'DEBUG']);
    expect(added[1]?.message).toBe('Order request rejected (400 VALIDATION_FAILED): kioskId must be a string; items.0.quantity must be a number');
    expect(added.every((r) => r.details === undefined)).toBe(true);
  });

  it('refuses a body over 64 KB with 413', async () => {
    const big = JSON.stringify({ storeId: 'store-001', kioskId: 'kiosk-01', items: [], pad: 'x'.repeat(70 * 1024) });
    const { status, json } = await post('/api/orders', big);
    expect(status).toBe(413);
    expect(json.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses an oversized body sent without a content-length (chunked) with 413', async () => {
    const url = new URL(`${pos.url}/api/orders`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 9; i += 1) req.write('x'.repeat(8 * 1024));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('answers an unknown route with 404 JSON and a wrong method with 405 and Allow', async () => {
    const missing = await fetch(`${pos.url}/api/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No route for GET /api/nothing-here' } });
    const wrong = await fetch(`${pos.url}/api/orders`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('METHOD_NOT_ALLOWED');
    const getTrigger = await fetch(`${pos.url}/api/scenarios/missing-price/trigger`);
    expect(getTrigger.status).toBe(405);
  });

  it('serves the web till with a restrictive CSP', async () => {
    const response = await fetch(`${pos.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await response.text()).toContain('<title>Demo POS till</title>');
  });
});

describe('demo POS scenarios API', () => {
  it('lists every scenario with code, title, category and severity', async () => {
    const body = (await (await fetch(`${pos.url}/api/scenarios`)).json()) as { items: { name: string; code: string; title: string; category: string; severity: string }[] };
    expect(body.items).toHaveLength(SCENARIOS.length);
    expect(body.items.find((s) => s.name === 'missing-price')).toEqual({ name: 'missing-price', code: 'MISSING_PRICE', title: 'Product 999 has no price', category: 'inventory', severity: 'high' });
  });

  it('writes one record per triggered occurrence, each with a fresh order id, for the given store and kiosk', async () => {
    const { status, json } = await post('/api/scenarios/payment-gateway-timeout/trigger', { storeId: 'store-042', kioskId: 'kiosk-09', count: 7 });
    expect(status).toBe(202);
    expect(json).toEqual({ triggered: 7, name: 'payment-gateway-timeout' });
    const logged = (await records()).filter((r) => r.details?.code === 'PAYMENT_TIMEOUT' && r.details.storeId === 'store-042');
    expect(logged).toHaveLength(7);
    expect(new Set(logged.map((r) => r.details?.orderId)).size).toBe(7);
    expect(new Set(logged.map((r) => r.details?.txnId)).size).toBe(7);
    for (const record of logged) {
      expect(record.level).toBe('ERROR');
      expect(record.details).toMatchObject({ kioskId: 'kiosk-09' });
      expect(record.stack[0]).toMatch(/^com\.acme\.pos\.payment\.GatewayTimeoutException: /);
      expect(record.stack.some((line) => line.startsWith('Caused by: java.net.SocketTimeoutException'))).toBe(true);
    }
  });

  it('defaults to one occurrence at store-001/kiosk-01 when the body is empty', async () => {
    const response = await fetch(`${pos.url}/api/scenarios/license-expired/trigger`, { method: 'POST' });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ triggered: 1, name: 'license-expired' });
    const logged = (await records()).filter((r) => r.details?.code === 'LICENSE_EXPIRED');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'FATAL', details: { storeId: 'store-001', kioskId: 'kiosk-01' } });
  });

  it('answers an unknown scenario with 404 and a bad body with 400', async () => {
    const unknown = await post('/api/scenarios/printer-on-fire/trigger', {});
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toBe(`Unknown scenario "printer-on-fire"; GET /api/scenarios lists the ${SCENARIOS.length} available names`);
    const tooMany = await post('/api/scenarios/missing-price/trigger', { count: 1001 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.message).toBe('count must be at most 1000');
    const notJson = await post('/api/scenarios/missing-price/trigger', 'count=3');
    expect(notJson.status).toBe(400);
  });

  it('keeps every record intact when many triggers and orders run concurrently', async () => {
    const names = SCENARIOS.slice(0, 20).map((s) => s.name);
    const before = (await records()).length;
    await Promise.all([
      ...names.map((name) => post(`/api/scenarios/${name}/trigger`, { storeId: 'store-777', kioskId: 'kiosk-01', count: 10 })),
      ...Array.from({ length: 10 }, () => post('/api/orders', { storeId: 'store-777', kioskId: 'kiosk-02', items: [{ productId: '104', quantity: 1 }] })),
    ]);
    const text = await readFile(logFile, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const all = parseRecords(text);
    // 20 scenarios x 10 occurrences + 10 orders x 3 INFO records.
    expect(all.length - before).toBe(230);
    for (const line of text.split('\n').filter(Boolean)) {
      if (line.startsWith('[')) expect(line).toMatch(/^\[\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\] \[(DEBUG|INFO|WARN|ERROR|FATAL)\] /);
    }
    for (const name of names) {
      const scenario = SCENARIOS.find((s) => s.name === name);
      expect(all.filter((r) => r.details?.storeId === 'store-777' && r.details.code === scenario?.code)).toHaveLength(10);
    }
  });
});

describe('demo POS with an unwritable log', () => {
  it('keeps serving orders and reports the disk problem on stderr', async () => {
    const blockerDir = await mkdtemp(join(tmpdir(), 'demo-pos-it-'));
    const blocker = join(blockerDir, 'file-not-dir');
    await writeFile(blocker, 'x');
    const chunks: string[] = [];
    const stderr = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString());
        callback();
      },
    });
    const broken = await startDemoPos({ port: 0, logFile: join(blocker, 'pos-application.log'), stderr });
    try {
      const response = await fetch(`${broken.url}/api/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ storeId: 'store-001', kioskId: 'kiosk-01', items: [{ productId: '101', quantity: 1 }] }),
      });
      expect(response.status).toBe(201);
      const health = await fetch(`${broken.url}/api/health`);
      expect(health.status).toBe(200);
      expect(chunks.join('')).toContain('demo-pos: cannot append to');
    } finally {
      await broken.close();
      await rm(blockerDir, { recursive: true, force: true });
    }
  });
});
