import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestStack, waitFor, type TestStack } from '../helpers/stack.js';
import { registerSecret } from '../helpers/sweep.js';

for (const password of ['a long viewer password', 'another long password']) registerSecret(password, 'user password');

describe('Admin API: overview, users and roles, audit log', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
    await stack.pos('POST', '/api/orders', { storeId: 'store-007', kioskId: 'kiosk-02', items: [{ productId: '999', quantity: 1 }] });
    await stack.pos('POST', '/api/scenarios/receipt-printer-jam/trigger', { count: 3, storeId: 'store-008', kioskId: 'kiosk-01' });
    await waitFor(async () => ((await stack.api<{ items: unknown[] }>('GET', '/api/incidents')).body.items.length === 2 ? true : undefined), 'two incidents');
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('summarises errors per minute, open incidents, top stores and kiosks, and the fleet', async () => {
    type Overview = {
      errorsPerMinute: Array<{ count: number }>;
      openBySeverity: Record<string, number>;
      topStores: Array<{ storeId: string; occurrences: number }>;
      topKiosks: Array<{ kiosk: string; occurrences: number }>;
      fleet: Array<{ logStream: string; silent: boolean; lastShipAt?: string }>;
      automation: { jiraConfigured: boolean };
    };
    // The fleet counters are written after the incidents, at the end of each ingest: wait for the last batch's.
    const res = await waitFor(async () => {
      const overview = await stack.api<Overview>('GET', '/api/overview');
      return overview.body.errorsPerMinute.reduce((sum, m) => sum + m.count, 0) >= 4 ? overview : undefined;
    }, 'the overview to count all four errors');
    expect(res.status).toBe(200);
    expect(res.body.errorsPerMinute).toHaveLength(60);
    expect(res.body.errorsPerMinute.reduce((sum, m) => sum + m.count, 0)).toBe(4);
    expect(res.body.openBySeverity).toEqual({ critical: 0, high: 1, medium: 1, low: 0 });
    expect(res.body.topStores).toEqual([
      { storeId: 'store-008', occurrences: 3 },
      { storeId: 'store-007', occurrences: 1 },
    ]);
    expect(res.body.topKiosks[0]).toEqual({ kiosk: 'store-008/kiosk-01', occurrences: 3 });
    // The built-in agent ships on one stream; it shipped just now, so it is not silent.
    expect(res.body.fleet).toEqual([expect.objectContaining({ logStream: 'store-001/kiosk-01', silent: false })]);
    expect(res.body.automation.jiraConfigured).toBe(false);
  });

  it('returns an occurrence series with each incident', async () => {
    const list = await stack.api<{ items: Array<{ id: string; code: string }> }>('GET', '/api/incidents?code=PRINTER_JAM');
    const detail = await stack.api<{ series: Array<{ minute: string; count: number }> }>('GET', `/api/incidents/${list.body.items[0]!.id}`);
    expect(detail.body.series.reduce((sum, m) => sum + m.count, 0)).toBe(3);
  });

  it('lets an admin create a viewer who can read but not change anything', async () => {
    const created = await stack.api<{ email: string; role: string }>('POST', '/api/users', { email: 'Viewer@Example.com', password: 'a long viewer password', role: 'viewer' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'viewer@example.com', role: 'viewer' });
    expect((await stack.api('POST', '/api/users', { email: 'viewer@example.com', password: 'a long viewer password', role: 'viewer' })).status).toBe(409);
    expect((await stack.api('POST', '/api/users', { email: 'short@example.com', password: 'short', role: 'viewer' })).status).toBe(400);

    const login = await stack.api<{ token: string }>('POST', '/api/auth/login', { email: 'viewer@example.com', password: 'a long viewer password' }, null);
    const viewer = login.body.token;
    expect((await stack.api('GET', '/api/incidents', undefined, viewer)).status).toBe(200);
    expect((await stack.api('GET', '/api/settings/automation', undefined, viewer)).status).toBe(200);
    const forbidden = await stack.api<{ error: { code: string } }>('PUT', '/api/settings/automation', { autoTicket: false, minSeverity: 'low', maxTicketsPerHour: 1 }, viewer);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('FORBIDDEN');
    expect((await stack.api('POST', '/api/users', { email: 'x@example.com', password: 'another long password', role: 'admin' }, viewer)).status).toBe(403);

    const users = await stack.api<{ items: Array<Record<string, unknown>> }>('GET', '/api/users');
    expect(users.body.items.map((u) => u.email)).toEqual(['ops@example.com', 'viewer@example.com']);
    expect(JSON.stringify(users.body)).not.toMatch(/scrypt|passwordHash/);
  });

  it('records who changed what in the audit log, newest first', async () => {
    const list = await stack.api<{ items: Array<{ id: string }> }>('GET', '/api/incidents');
    await stack.api('PATCH', `/api/incidents/${list.body.items[0]!.id}`, { status: 'acknowledged' });
    await stack.api('PUT', '/api/settings/automation', { autoTicket: false, minSeverity: 'critical', maxTicketsPerHour: 5 });
    const audit = await stack.api<{ items: Array<{ actor: string; action: string; target: string }> }>('GET', '/api/audit?limit=10');
    expect(audit.body.items.map((e) => e.action)).toEqual(['automation.settings.saved', 'incident.status.changed', 'user.created']);
    expect(audit.body.items.every((e) => e.actor === 'ops@example.com')).toBe(true);
    const page = await stack.api<{ items: unknown[]; nextCursor?: string }>('GET', '/api/audit?limit=2');
    expect(page.body.items).toHaveLength(2);
    const rest = await stack.api<{ items: Array<{ action: string }> }>('GET', `/api/audit?limit=2&cursor=${encodeURIComponent(page.body.nextCursor!)}`);
    expect(rest.body.items.map((e) => e.action)).toEqual(['user.created']);
  });
});
