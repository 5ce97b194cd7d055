import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { appendFile } from 'node:fs/promises';
import { connectLive, startTestStack, waitFor, type LiveClient, type TestStack } from '../helpers/stack.js';

interface IncidentView {
  id: string;
  code: string;
  severity: string;
  title: string;
  status: string;
  occurrences: number;
  storeCounts: Record<string, number>;
  firstSeen: string;
  lastSeen: string;
}

const order999 = (storeId: string, kioskId = 'kiosk-01') => ({ storeId, kioskId, items: [{ productId: '999', quantity: 1 }] });

describe('Local pipeline: a POS error becomes a live incident', () => {
  let stack: TestStack;
  let live: LiveClient;

  beforeAll(async () => {
    stack = await startTestStack();
    live = await connectLive(stack.urls.ws, await stack.token());
  });

  afterAll(async () => {
    await live?.close();
    await stack?.close();
  });

  const incidents = async (query = ''): Promise<IncidentView[]> => {
    const res = await stack.api<{ items: IncidentView[] }>('GET', `/api/incidents${query}`);
    expect(res.status).toBe(200);
    return res.body.items;
  };

  it('reports healthy once every component is up', async () => {
    const res = await stack.api<{ status: string; components: Record<string, { status: string }> }>('GET', '/api/health', undefined, null);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(Object.keys(res.body.components).sort()).toEqual(['agent', 'cloudwatchLogs', 'dynamodb', 'pos']);
  });

  it('turns one order for product 999 into exactly one MISSING_PRICE incident and pushes it live', async () => {
    const res = await stack.pos<{ error: { code: string } }>('POST', '/api/orders', order999('store-001'));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('MISSING_PRICE');

    const [incident] = await waitFor(async () => {
      const items = (await incidents()).filter((i) => i.code === 'MISSING_PRICE');
      return items.length > 0 && items[0]!.occurrences === 1 ? items : undefined;
    }, 'the MISSING_PRICE incident');
    expect(incident!.severity).toBe('high');
    expect(incident!.status).toBe('open');

    const pushed = await waitFor(() => live.messages.find((m) => m.type === 'incident.created' && m.data.code === 'MISSING_PRICE'), 'incident.created over the WebSocket');
    expect(pushed.data.id).toBe(incident!.id);
    expect(pushed.data.occurrences).toBe(1);
    expect(typeof pushed.seq).toBe('number');
  });

  it('keeps 20 more orders from 3 stores in that one incident with per-store counts', async () => {
    const stores = ['store-001', 'store-002', 'store-003'];
    for (let i = 0; i < 20; i++) {
      const res = await stack.pos('POST', '/api/orders', order999(stores[i % 3]!, `kiosk-0${(i % 4) + 1}`));
      expect(res.status).toBe(422);
    }
    const incident = await waitFor(async () => {
      const items = (await incidents('?code=MISSING_PRICE')).filter((i) => i.occurrences === 21);
      return items[0];
    }, '21 occurrences on the MISSING_PRICE incident');
    expect((await incidents('?code=MISSING_PRICE')).length).toBe(1);
    // store-001 had the first order plus 7 of the 20; the others 7 and 6.
    expect(incident.storeCounts).toEqual({ 'store-001': 8, 'store-002': 7, 'store-003': 6 });

    // The push can trail the API read by a few milliseconds; what matters is that the newest version says 21.
    await waitFor(() => live.messages.some((m) => m.type === 'incident.updated' && m.data.id === incident.id && m.data.occurrences === 21), 'the push with 21');
    const updates = live.messages.filter((m) => m.type === 'incident.updated' && m.data.id === incident.id);
    const newest = updates.reduce((a, b) => ((b.data.version as number) > (a.data.version as number) ? b : a));
    expect(newest.data.occurrences).toBe(21);
    const seqs = live.messages.map((m) => m.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs.slice().sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);

    const detail = await stack.api<IncidentView & { timeline: Array<{ step: string; status: string }>; recentOccurrences: unknown[]; kioskCounts: Record<string, number> }>('GET', `/api/incidents/${incident.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.timeline.map((t) => t.step)).toEqual(expect.arrayContaining(['detected', 'ingested', 'notified']));
    expect(detail.body.recentOccurrences.length).toBe(20);
    expect(Object.values(detail.body.kioskCounts).reduce((a, b) => a + b, 0)).toBe(21);
  });

  it('gives 10 different scenarios 10 distinct incidents with their codes and severities, and never splits one', async () => {
    const catalogue = await stack.pos<{ items: Array<{ name: string; code: string; severity: string }> }>('GET', '/api/scenarios');
    const codes = new Set<string>();
    const distinct = catalogue.body.items.filter((s) => s.code !== 'MISSING_PRICE' && !codes.has(s.code) && codes.add(s.code));
    const picked = distinct.filter((_, i) => i % 4 === 0).slice(0, 10);
    expect(picked).toHaveLength(10);
    for (const scenario of picked) {
      const res = await stack.pos('POST', `/api/scenarios/${scenario.name}/trigger`, { count: 3 });
      expect(res.status).toBe(202);
    }
    const found = await waitFor(async () => {
      const items = await incidents('?limit=100');
      const mine = picked.map((s) => items.filter((i) => i.code === s.code));
      return mine.every((m) => m.length === 1 && m[0]!.occurrences === 3) ? mine.map((m) => m[0]!) : undefined;
    }, '10 scenario incidents with 3 occurrences each');
    expect(new Set(found.map((i) => i.id)).size).toBe(10);
    found.forEach((incident, i) => expect(incident.severity).toBe(picked[i]!.severity));
  });

  it('skips malformed log content with a counted reason and keeps running', async () => {
    const before = (await incidents('?code=MISSING_PRICE'))[0]!.occurrences;
    const garbage = Buffer.alloc(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) % 256;
    await appendFile(stack.logFile, Buffer.concat([garbage, Buffer.from('\n')]));
    await appendFile(stack.logFile, `[${new Date().toISOString()}] [ERROR] ${'x'.repeat(2 * 1024 * 1024)}\n`);
    await stack.pos('POST', '/api/orders', order999('store-002'));
    await waitFor(async () => ((await incidents('?code=MISSING_PRICE'))[0]!.occurrences === before + 1 ? true : undefined), 'the order after the garbage to arrive');
    const stats = stack.agent!.stats();
    expect(stats.linesTruncated).toBeGreaterThanOrEqual(1);
    expect(Object.values(stats.linesSkipped).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
  });

  it('answers 401 without a token, and refuses a WebSocket without one', async () => {
    expect((await stack.api('GET', '/api/incidents', undefined, null)).status).toBe(401);
    expect((await stack.api('GET', '/api/incidents', undefined, 'not-a-token')).status).toBe(401);
    await expect(connectLive(stack.urls.ws, 'forged')).rejects.toThrow(/401/);
  });

  it('rejects bad API input with a clear 400', async () => {
    const badLimit = await stack.api<{ error: { code: string; message: string } }>('GET', '/api/incidents?limit=abc');
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.error.message).toMatch(/limit/);
    const badCursor = await stack.api<{ error: { code: string } }>('GET', '/api/incidents?cursor=%7Bnope');
    expect(badCursor.status).toBe(400);
    const badLogin = await stack.api<{ error: { code: string } }>('POST', '/api/auth/login', '{"email":', null);
    expect(badLogin.status).toBe(400);
    expect(badLogin.body.error.code).toBe('VALIDATION_FAILED');
    const wrongTypes = await stack.api<{ error: { code: string; message: string } }>('POST', '/api/auth/login', { email: 42, password: ['x'] }, null);
    expect(wrongTypes.status).toBe(400);
    expect(wrongTypes.body.error.message).toMatch(/email/);
    const huge = await stack.api('POST', '/api/auth/login', { email: 'a@b.co', password: 'x'.repeat(2 * 1024 * 1024) }, null);
    expect(huge.status).toBe(413);
    const wrongPassword = await stack.api('POST', '/api/auth/login', { email: 'ops@example.com', password: 'nope' }, null);
    expect(wrongPassword.status).toBe(401);
    expect((await stack.api('GET', '/api/incidents/ffffffffffffffff')).status).toBe(404);
  });
});
