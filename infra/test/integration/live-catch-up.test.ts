import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { appendFile } from 'node:fs/promises';
import { connectLive, startTestStack, waitFor, type TestStack } from '../helpers/stack.js';

interface IncidentView {
  id: string;
  code: string;
  status: string;
  occurrences: number;
  lastSeen: string;
  updatedAt: string;
  version: number;
  recent: { start: string; counts: number[] };
}

const MINUTE = 60_000;

describe('Live dashboard data: catch-up by updatedAt and per-incident sparklines', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });

  afterAll(async () => {
    await stack?.close();
  });

  const list = async (query = ''): Promise<IncidentView[]> => {
    const res = await stack.api<{ items: IncidentView[] }>('GET', `/api/incidents${query}`);
    expect(res.status).toBe(200);
    return res.body.items;
  };
  const byCode = async (code: string) => (await list(`?code=${code}`))[0];

  it('returns, through updatedSince, a status change made on an older incident while a client was disconnected', async () => {
    // Prepare: an older incident and a newer one, and a client that follows them live and then drops.
    await stack.pos('POST', '/api/orders', { storeId: 'store-001', kioskId: 'kiosk-01', items: [{ productId: '999', quantity: 1 }] });
    const older = await waitFor(() => byCode('MISSING_PRICE'), 'the MISSING_PRICE incident');
    await stack.pos('POST', '/api/scenarios/receipt-printer-jam/trigger', { count: 1 });
    await waitFor(() => byCode('PRINTER_JAM'), 'the PRINTER_JAM incident');
    const client = await connectLive(stack.urls.ws, await stack.token());
    const seenOnConnect = await list('?status=open');
    await client.close();
    const seen = [...seenOnConnect.map((i) => i.updatedAt), ...client.messages.map((m) => String(m.data.updatedAt))];
    const newestSeen = seen.reduce((a, b) => (a > b ? a : b));

    // Act: while it is away, someone acknowledges the older incident.
    const patched = await stack.api<IncidentView>('PATCH', `/api/incidents/${older.id}`, { status: 'acknowledged' });
    expect(patched.status).toBe(200);
    const since = new Date(Date.parse(newestSeen) - 15_000).toISOString();
    const changed = await list(`?updatedSince=${encodeURIComponent(since)}`);

    // Assess: the change is there, though the newest-seen page no longer starts with that incident.
    expect(changed.find((i) => i.id === older.id)).toMatchObject({ status: 'acknowledged', version: patched.body.version });
    expect((await list('?limit=1'))[0]?.id).not.toBe(older.id);
    expect(changed.map((i) => i.updatedAt)).toEqual([...changed.map((i) => i.updatedAt)].sort().reverse());
  });

  it('refuses an updatedSince that is not a timestamp with a 400 naming the parameter', async () => {
    const res = await stack.api<{ error: { code: string; message: string } }>('GET', '/api/incidents?updatedSince=yesterday');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.message).toMatch(/updatedSince.*ISO 8601/);
  });

  it('counts occurrences per minute for the sparkline, in the list and in what is pushed live', async () => {
    // Prepare: six log lines spread over three past minutes (2, 1 and 3 occurrences).
    const client = await connectLive(stack.urls.ws, await stack.token());
    const base = Math.floor(Date.now() / MINUTE) * MINUTE - 3 * MINUTE;
    const offsets = [5_000, 30_000, 65_000, 125_000, 130_000, 135_000];
    const details = JSON.stringify({ code: 'SPARKLINE_PROBE', storeId: 'store-002', kioskId: 'kiosk-03' });

    // Act
    for (const offset of offsets) {
      await appendFile(stack.logFile, `[${new Date(base + offset).toISOString()}] [ERROR] Sparkline probe failed | ${details}\n`);
    }
    const incident = await waitFor(async () => {
      const found = await byCode('SPARKLINE_PROBE');
      return found?.occurrences === offsets.length ? found : undefined;
    }, 'six SPARKLINE_PROBE occurrences');
    const pushed = await waitFor(
      () => client.messages.find((m) => m.data.code === 'SPARKLINE_PROBE' && m.data.occurrences === offsets.length),
      'the incident with six occurrences pushed live',
    );
    await client.close();

    // Assess
    expect(incident.recent.counts).toHaveLength(60);
    expect(incident.recent.counts.slice(-3)).toEqual([2, 1, 3]);
    expect(incident.recent.counts.reduce((a, b) => a + b, 0)).toBe(6);
    expect(incident.recent.start).toBe(new Date(base + 2 * MINUTE - 59 * MINUTE).toISOString().slice(0, 16));
    expect(pushed.data.recent).toEqual(incident.recent);
  });
});
