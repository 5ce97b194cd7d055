// Every route of the HTTP API, through the local gateway, as an attacker or a careless client would call it: no token,
// a forged or expired-looking token, a viewer writing, a body that is not JSON, a body past the size limit. The route
// list is the one the stack deploys (API_ROUTES), so a new route is covered the day it is added.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { API_ROUTES, PUBLIC_ROUTES } from '../../../functions/src/handlers/api.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { registerSecret } from '../helpers/sweep.js';

const SOME_INCIDENT = '0123456789abcdef';
const WRITES = API_ROUTES.filter((route) => !route.startsWith('GET ') && !PUBLIC_ROUTES.has(route));
const PROTECTED = API_ROUTES.filter((route) => !PUBLIC_ROUTES.has(route));
// Actions on an incident that take no body: whatever is sent is ignored, so only the size limit applies to them.
const WITH_BODY = [...WRITES, 'POST /api/auth/login' as const].filter((route) => !/\/(ticket|analyze)$/.test(route));

function split(route: string): { method: string; path: string } {
  const [method, template] = route.split(' ') as [string, string];
  return { method, path: template.replace('{id}', SOME_INCIDENT) };
}

describe('HTTP API against hostile callers', () => {
  let stack: TestStack;
  let origin: string;
  let viewer: string;

  beforeAll(async () => {
    stack = await startTestStack({ pos: false, agent: false });
    origin = stack.urls.api.replace(/\/api$/, '');
    const email = 'hostile-viewer@example.com';
    const password = 'a long viewer password';
    registerSecret(password, 'viewer password');
    expect((await stack.api('POST', '/api/users', { email, password, role: 'viewer' })).status).toBe(201);
    viewer = (await stack.api<{ token: string }>('POST', '/api/auth/login', { email, password }, null)).body.token;
  });

  afterAll(async () => {
    await stack.close();
  });

  async function call(route: string, init: { token?: string; body?: string; contentType?: string } = {}): Promise<{ status: number; text: string }> {
    const { method, path } = split(route);
    const res = await fetch(`${origin}${path}`, {
      method,
      headers: {
        ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
        ...(init.body === undefined ? {} : { 'content-type': init.contentType ?? 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    return { status: res.status, text: await res.text() };
  }

  it.each(PROTECTED)('%s answers 401 without a token', async (route) => {
    expect((await call(route)).status).toBe(401);
  });

  it.each(PROTECTED)('%s answers 401 to a token with a forged signature', async (route) => {
    // The admin's own token with its signature swapped for another's: same header and claims, wrong key.
    const [header, payload] = (await stack.token()).split('.');
    const forged = `${header}.${payload}.${viewer.split('.')[2]}`;
    expect((await call(route, { token: forged })).status).toBe(401);
  });

  it.each(WRITES)('%s answers 403 to a viewer and changes nothing', async (route) => {
    const before = await stack.api<{ items: unknown[] }>('GET', '/api/audit');
    const res = await call(route, { token: viewer, body: '{}' });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    expect((await stack.api<{ items: unknown[] }>('GET', '/api/audit')).body.items).toHaveLength(before.body.items.length);
  });

  it.each(WITH_BODY)('%s answers 400 with a code and a message to a body that is not JSON', async (route) => {
    const res = await call(route, { token: await stack.token(), body: '{"unterminated": ' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  it.each([...WRITES, 'POST /api/auth/login' as const])('%s answers 413 to a body past the size limit', async (route) => {
    const huge = JSON.stringify({ summary: 'x'.repeat(11 * 1024 * 1024) });
    expect((await call(route, { token: await stack.token(), body: huge })).status).toBe(413);
  });

  it('keeps markup and JQL in text fields as inert data', async () => {
    // Prepare: a Jira project key and issue type that try to break out of JQL and into HTML.
    const injected = {
      baseUrl: 'https://example.atlassian.net',
      email: 'ops@example.com',
      projectKey: 'OPS" OR project != "X',
      issueType: '<img src=x onerror=alert(1)>',
    };

    // Act
    const res = await stack.api<{ error?: { code: string } }>('PUT', '/api/integrations/jira', injected);

    // Assess: refused at the boundary with a clear error, nothing stored.
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('VALIDATION_FAILED');
    const stored = await stack.api<Record<string, unknown>>('GET', '/api/integrations/jira');
    expect(JSON.stringify(stored.body)).not.toContain('onerror');
    expect(JSON.stringify(stored.body)).not.toContain('OR project');
  });
});
