// Property-based tests of the HTTP API's boundary schemas (handlers/api.ts, api-admin.ts, api-automation.ts, http.ts),
// driven through the real handler: for each body and query string, everything inside the documented shape gets past
// validation (the dependency behind it is reached, with the parsed value) and everything outside it is refused with
// 400 VALIDATION_FAILED naming the field, before any dependency is touched. Both sides are generated.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { SEVERITIES } from '../../../src/domain/catalog.js';
import { INCIDENT_STATUSES } from '../../../src/domain/incident.js';
import { createApiHandler, type ApiDeps } from '../../../src/handlers/api.js';
import type { ApiEvent } from '../../../src/handlers/http.js';
import { Reached, recorder, recordingNotifier, type Call } from './doubles.js';
import { hostileText } from './arbitraries.js';

// ── Harness ────────────────────────────────────────────────────────────────────────────────────────────────────────

type Answers = Record<string, (...args: unknown[]) => unknown>;
const reach = (method: string) => () => {
  throw new Reached(method);
};

/** The real API handler over recording doubles; `answers` per dependency say where a request stops. */
function harness(answers: { incidents?: Answers; users?: Answers; config?: Answers; audit?: Answers; now?: () => Date } = {}) {
  const calls: Call[] = [];
  const deps: ApiDeps = {
    incidents: recorder(calls, answers.incidents),
    stats: recorder(calls, { read: () => ({}) }),
    users: recorder(calls, answers.users),
    tokens: recorder(calls),
    health: {},
    automation: {
      audit: recorder(calls, answers.audit),
      incidents: recorder(calls, answers.incidents),
      config: recorder(calls, answers.config),
      jiraTokens: recorder(calls),
      workflow: recorder(calls),
      notifier: () => recordingNotifier([]),
      jiraAllowHosts: [],
    },
    admin: {
      incidents: recorder(calls, answers.incidents),
      stats: recorder(calls, { readMany: () => ({}) }),
      config: recorder(calls, answers.config),
      users: recorder(calls, answers.users),
      audit: recorder(calls, answers.audit),
      ...(answers.now ? { now: answers.now } : {}),
    },
  };
  return { handler: createApiHandler(deps), calls };
}

function apiEvent(routeKey: string, init: { body?: string; query?: Record<string, string>; id?: string; base64?: boolean }): ApiEvent {
  const [method] = routeKey.split(' ');
  return {
    version: '2.0',
    routeKey,
    rawPath: '/',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: init.base64 ?? false,
    ...(init.body === undefined ? {} : { body: init.base64 ? Buffer.from(init.body, 'utf8').toString('base64') : init.body }),
    ...(init.query ? { queryStringParameters: init.query } : {}),
    ...(init.id === undefined ? {} : { pathParameters: { id: init.id } }),
    requestContext: { requestId: 'req-1', http: { method }, authorizer: { jwt: { claims: { role: 'admin', email: 'admin@example.com' }, scopes: [] } } },
  } as unknown as ApiEvent;
}

interface ErrorBody {
  error: { code: string; message: string; details?: { fields?: Array<{ field: string; message: string }> } };
}

function errorOf(response: APIGatewayProxyStructuredResultV2): ErrorBody['error'] {
  return (JSON.parse(response.body ?? '{}') as ErrorBody).error;
}

/** A refusal at the boundary: 400, the typed code, a message naming where, and nothing behind validation touched. */
function expectRefused(response: APIGatewayProxyStructuredResultV2, calls: readonly Call[], where: 'body' | 'query'): void {
  expect(response.statusCode).toBe(400);
  const error = errorOf(response);
  expect(error.code).toBe('VALIDATION_FAILED');
  expect(error.message.startsWith(`Invalid ${where}: `)).toBe(true);
  expect(error.details?.fields?.length).toBeGreaterThan(0);
  expect(calls).toEqual([]);
}

/** Got past validation: the sentinel dependency answered 409 `reached <method>`. */
function expectReached(response: APIGatewayProxyStructuredResultV2, method: string): void {
  expect({ status: response.statusCode, error: errorOf(response) }).toEqual({ status: 409, error: { code: 'CONFLICT', message: `reached ${method}` } });
}

// ── Generators ─────────────────────────────────────────────────────────────────────────────────────────────────────

const pad = fc.constantFrom('', ' ', '  ', '\t', '\n ');
/** Non-blank text that trim() leaves as it is, of `min`..`max` characters. */
const trimmed = (min: number, max: number) =>
  fc
    .string({ unit: fc.oneof(fc.constantFrom(...'abcXYZ019 _-.:/@é😀"\\<>'), fc.string({ minLength: 1, maxLength: 1 })), minLength: min, maxLength: max })
    .filter((s) => s.trim() === s && s.length >= min && s.length <= max);
/** An address of the shape the e-mail check accepts (zod's: dotted atoms of A-Z a-z 0-9 _ ' + -, then a dotted domain). */
const email = fc
  .tuple(
    fc.array(fc.stringMatching(/^[A-Za-z0-9_'+-]{1,8}$/), { minLength: 1, maxLength: 3 }),
    fc.stringMatching(/^[A-Za-z0-9_+-]$/),
    fc.array(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,10}$/), { minLength: 1, maxLength: 3 }),
    fc.stringMatching(/^[A-Za-z]{2,6}$/),
  )
  .map(([atoms, last, labels, tld]) => `${atoms.join('.')}${last}@${labels.join('.')}.${tld}`);
const badEmail = fc.oneof(
  email.map((e) => e.replace('@', '')),
  email.map((e) => e.replace('@', ' @')),
  email.map((e) => `.${e}`),
  email.map((e) => e.replace(/\.[A-Za-z]+$/, '.c')),
  email.map((e) => e.replace(/\.([A-Za-z]+)$/, '.$11')),
  email.map((e) => e.replace('@', '@.')),
  email.map((e) => `${'a'.repeat(250)}${e}`),
  fc.constantFrom('', '@', 'a@b', 'a@@b.cd', 'ann@example..com', '<ann@example.com>'),
);
const notAString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
const notAnObjectBody = fc.oneof(fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)));
const notJson = hostileText(80).filter((text) => {
  try {
    JSON.parse(text);
    return false;
  } catch {
    return text.length > 0;
  }
});

type Mutation = (body: Record<string, unknown>) => Record<string, unknown>;
/** Mutations that take a valid body outside its schema; `fields` maps a field to values it must refuse. */
function mutations(required: readonly string[], fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Mutation> {
  const drop = (keys: readonly string[]) =>
    fc.constantFrom(...keys).map(
      (key): Mutation =>
        (body) =>
          Object.fromEntries(Object.entries(body).filter(([k]) => k !== key)),
    );
  const extra = fc
    .tuple(
      fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !(k in fields) && k !== '__proto__'),
      fc.jsonValue({ maxDepth: 1 }),
    )
    .map(([key, value]): Mutation => (body) => ({ ...body, [key]: value }));
  const bad = fc.oneof(...Object.entries(fields).map(([key, arb]) => arb.map((value): Mutation => (body) => ({ ...body, [key]: value }))));
  return fc.oneof(...(required.length > 0 ? [drop(required)] : []), extra, bad);
}

// ── POST /api/auth/login ───────────────────────────────────────────────────────────────────────────────────────────

describe('Property: POST /api/auth/login body', () => {
  const valid = fc.record({ email: fc.tuple(pad, email, pad).map((parts) => parts.join('')), password: fc.string({ minLength: 1, maxLength: 1024 }) });

  it('passes every {email, password} of the documented shape on, with the e-mail trimmed, plain or base64-encoded', async () => {
    await fc.assert(
      fc.asyncProperty(valid, fc.boolean(), async (body, base64) => {
        const { handler, calls } = harness({ users: { get: reach('users.get') } });
        const response = await handler(apiEvent('POST /api/auth/login', { body: JSON.stringify(body), base64 }));
        expectReached(response, 'users.get');
        expect(calls).toEqual([{ method: 'get', args: [body.email.trim()] }]);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses anything else with 400 before looking a user up', async () => {
    const invalid = fc.oneof(
      fc
        .tuple(
          valid,
          mutations(['email', 'password'], {
            email: fc.oneof(badEmail, notAString),
            password: fc.oneof(fc.constant(''), fc.string({ minLength: 1025, maxLength: 1100 }), notAString),
          }),
        )
        .map(([body, mutate]) => JSON.stringify(mutate(body))),
      notAnObjectBody.map((value) => JSON.stringify(value)),
    );
    await fc.assert(
      fc.asyncProperty(invalid, async (body) => {
        const { handler, calls } = harness({ users: { get: reach('users.get') } });
        expectRefused(await handler(apiEvent('POST /api/auth/login', { body })), calls, 'body');
      }),
      { numRuns: 800 },
    );
  });

  it('refuses a body that is not JSON, or none, with 400 and never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.option(notJson, { nil: undefined }), fc.boolean(), async (body, base64) => {
        const { handler, calls } = harness({ users: { get: reach('users.get') } });
        const response = await handler(apiEvent('POST /api/auth/login', body === undefined ? {} : { body, base64 }));
        expect(response.statusCode).toBe(400);
        expect(errorOf(response).code).toBe('VALIDATION_FAILED');
        expect(calls).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });
});

// ── GET /api/incidents ─────────────────────────────────────────────────────────────────────────────────────────────

const pad2 = (n: number, width = 2) => String(n).padStart(width, '0');
/** An ISO 8601 date-time with seconds and a Z or ±HH:MM offset, and the instant it names. */
const isoWithOffset = fc
  .tuple(
    fc.date({ min: new Date('1970-01-02T00:00:00Z'), max: new Date('9999-12-30T00:00:00Z'), noInvalidDate: true }),
    fc.option(fc.tuple(fc.integer({ min: -23, max: 23 }), fc.integer({ min: 0, max: 59 })), { nil: undefined }),
    fc.stringMatching(/^[0-9]{0,6}$/),
  )
  .map(([instant, offset, extraDigits]) => {
    const minutes = offset === undefined ? 0 : Math.sign(offset[0] || 1) * (Math.abs(offset[0]) * 60 + offset[1]);
    const local = new Date(instant.getTime() + minutes * 60_000);
    const zone = offset === undefined ? 'Z' : `${minutes < 0 ? '-' : '+'}${pad2(Math.floor(Math.abs(minutes) / 60))}:${pad2(Math.abs(minutes) % 60)}`;
    const text = `${local.toISOString().slice(0, 19)}.${pad2(local.getUTCMilliseconds(), 3)}${extraDigits}${zone}`;
    return { text, instant: instant.toISOString() };
  });

describe('Property: GET /api/incidents query', () => {
  const valid = fc.record(
    {
      status: fc.constantFrom(...INCIDENT_STATUSES),
      code: fc.stringMatching(/^[A-Z0-9_]{1,64}$/),
      storeId: fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/),
      updatedSince: isoWithOffset,
      limit: fc.integer({ min: 1, max: 100 }),
      cursor: fc.string({ maxLength: 2048 }),
    },
    { requiredKeys: [] },
  );

  it('lists with exactly the parsed query: offsets converted to UTC, limit a number defaulting to 50', async () => {
    await fc.assert(
      fc.asyncProperty(valid, async (query) => {
        const { handler, calls } = harness({ incidents: { list: () => ({ items: [] }) } });
        const { updatedSince, limit, ...rest } = query;
        const params: Record<string, string> = {
          ...rest,
          ...(updatedSince ? { updatedSince: updatedSince.text } : {}),
          ...(limit === undefined ? {} : { limit: String(limit) }),
        };
        const response = await handler(apiEvent('GET /api/incidents', { query: params }));
        expect(response.statusCode).toBe(200);
        expect(calls).toEqual([{ method: 'list', args: [{ ...rest, ...(updatedSince ? { updatedSince: updatedSince.instant } : {}), limit: limit ?? 50 }] }]);
      }),
      { numRuns: 1_000 },
    );
  });

  it('refuses any parameter outside its shape with 400 before listing', async () => {
    const bad = {
      status: fc.string().filter((s) => !(INCIDENT_STATUSES as readonly string[]).includes(s)),
      code: fc.oneof(fc.constant(''), fc.stringMatching(/^[A-Z0-9_]{65,80}$/), fc.stringMatching(/^[A-Z_]{0,5}[a-z -][A-Z_]{0,5}$/)),
      storeId: fc.oneof(fc.constant(''), fc.stringMatching(/^[A-Za-z0-9]{65,70}$/), fc.stringMatching(/^[A-Za-z0-9]{0,5}[ /#?é][A-Za-z0-9]{0,5}$/)),
      updatedSince: fc.oneof(
        fc.constantFrom(
          'yesterday',
          '2026-11-26',
          '2026-11-26T12:00Z',
          '2026-11-26 12:00:00Z',
          '2026-11-26T12:00:00+0200',
          '2026-11-26T12:00:00+02',
          '2026-02-30T12:00:00Z',
          '2026-11-26T24:00:00Z',
          '1764158400000',
        ),
        isoWithOffset.map(({ text }) => text.replace('T', ' ')),
      ),
      limit: fc.oneof(fc.constantFrom('0', '101', '1.5', 'abc', '-1', '', '1e3'), fc.integer({ min: 101, max: 1_000_000 }).map(String)),
      cursor: fc.string({ minLength: 2049, maxLength: 2100 }),
    } satisfies Record<string, fc.Arbitrary<unknown>>;
    const invalid = fc.tuple(valid, mutations([], bad)).map(([query, mutate]) => {
      const params = { ...query, updatedSince: query.updatedSince?.text, limit: query.limit === undefined ? undefined : String(query.limit) };
      return Object.fromEntries(
        Object.entries(mutate(params))
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      );
    });
    await fc.assert(
      fc.asyncProperty(invalid, async (params) => {
        const { handler, calls } = harness({ incidents: { list: () => ({ items: [] }) } });
        expectRefused(await handler(apiEvent('GET /api/incidents', { query: params })), calls, 'query');
      }),
      { numRuns: 1_000 },
    );
  });
});

// ── Path ids ───────────────────────────────────────────────────────────────────────────────────────────────────────

describe('Property: incident ids in paths', () => {
  const validId = fc.stringMatching(/^[0-9a-f]{16}$/);
  const invalidId = fc
    .oneof(
      hostileText(40),
      fc.stringMatching(/^[0-9A-F]{16}$/).filter((id) => /[A-F]/.test(id)),
      fc.stringMatching(/^[0-9a-f]{15}$/),
      fc.stringMatching(/^[0-9a-f]{17}$/),
      validId.map((id) => `${id}\n`),
    )
    .filter((id) => !/^[0-9a-f]{16}$/.test(id));

  it('looks up exactly a 16-hex id and answers 404 NOT_FOUND for anything else without touching the store', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(validId, invalidId),
        fc.constantFrom('GET /api/incidents/{id}', 'POST /api/incidents/{id}/ticket', 'POST /api/incidents/{id}/analyze'),
        async (id, route) => {
          const { handler, calls } = harness({ incidents: { get: reach('incidents.get') } });
          const response = await handler(apiEvent(route, { id }));
          if (/^[0-9a-f]{16}$/.test(id)) {
            expectReached(response, 'incidents.get');
            expect(calls).toEqual([{ method: 'get', args: [id] }]);
          } else {
            expect(response.statusCode).toBe(404);
            expect(errorOf(response).code).toBe('NOT_FOUND');
            expect(calls).toEqual([]);
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

// ── GET /api/audit, POST /api/users ────────────────────────────────────────────────────────────────────────────────

describe('Property: admin schemas', () => {
  it('GET /api/audit lists with the parsed limit (default 50) and cursor, and refuses anything else with 400', async () => {
    const valid = fc.record({ limit: fc.integer({ min: 1, max: 100 }).map(String), cursor: fc.string({ maxLength: 100 }) }, { requiredKeys: [] });
    const invalid = fc
      .tuple(valid, mutations([], { limit: fc.constantFrom('0', '101', '2.5', 'x', ''), cursor: fc.string({ minLength: 101, maxLength: 120 }) }))
      .map(([q, mutate]) => Object.fromEntries(Object.entries(mutate(q)).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          valid.map((q) => ({ q, ok: true })),
          invalid.map((q) => ({ q, ok: false })),
        ),
        async ({ q, ok }) => {
          const { handler, calls } = harness({ audit: { list: () => ({ items: [] }) } });
          const response = await handler(apiEvent('GET /api/audit', { query: q }));
          if (!ok) return expectRefused(response, calls, 'query');
          expect(response.statusCode).toBe(200);
          expect(calls).toEqual([{ method: 'list', args: [q.limit === undefined ? 50 : Number(q.limit), q.cursor] }]);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('POST /api/users takes {email, password of 12+, role} and refuses anything else with 400', async () => {
    const valid = fc.record({
      email: fc.tuple(pad, email, pad).map((parts) => parts.join('')),
      password: fc.string({ minLength: 12, maxLength: 1024 }),
      role: fc.constantFrom('admin', 'viewer'),
    });
    const invalid = fc
      .tuple(
        valid,
        mutations(['email', 'password', 'role'], {
          email: fc.oneof(badEmail, notAString),
          password: fc.oneof(fc.string({ maxLength: 11 }), fc.string({ minLength: 1025, maxLength: 1050 }), notAString),
          role: fc.oneof(fc.constantFrom('Admin', 'root', ''), notAString),
        }),
      )
      .map(([body, mutate]) => mutate(body));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          valid.map((b) => ({ b, ok: true })),
          invalid.map((b) => ({ b, ok: false })),
        ),
        async ({ b, ok }) => {
          // The clock is read right after validation and before the (slow) password hash: it is the sentinel here.
          const { handler, calls } = harness({ now: reach('now') });
          const response = await handler(apiEvent('POST /api/users', { body: JSON.stringify(b) }));
          if (ok) expectReached(response, 'now');
          else expectRefused(response, calls, 'body');
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

// ── Automation routes ──────────────────────────────────────────────────────────────────────────────────────────────

describe('Property: automation schemas', () => {
  const automation = fc.record(
    {
      autoTicket: fc.boolean(),
      minSeverity: fc.constantFrom(...SEVERITIES),
      maxTicketsPerHour: fc.integer({ min: 0, max: 1000 }),
      ticketRetryBudgetSeconds: fc.integer({ min: 1, max: 3600 }),
    },
    { requiredKeys: ['autoTicket', 'minSeverity', 'maxTicketsPerHour'] },
  );

  it('PUT /api/settings/automation saves exactly the parsed settings (retry budget defaulting to 180 s)', async () => {
    await fc.assert(
      fc.asyncProperty(automation, async (body) => {
        const { handler, calls } = harness({ config: { putAutomation: reach('putAutomation') } });
        expectReached(await handler(apiEvent('PUT /api/settings/automation', { body: JSON.stringify(body) })), 'putAutomation');
        expect(calls[0]?.args[0]).toEqual({ ticketRetryBudgetSeconds: 180, ...body });
      }),
      { numRuns: 800 },
    );
  });

  it('PUT /api/settings/automation refuses anything else with 400 and saves nothing', async () => {
    const notInt = fc.oneof(
      fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }),
      fc.integer().map(String),
      notAString.filter((v) => typeof v !== 'number'),
    );
    const invalid = fc.tuple(
      automation,
      mutations(['autoTicket', 'minSeverity', 'maxTicketsPerHour'], {
        autoTicket: fc.oneof(fc.constantFrom('true', 1, 0, 'yes'), fc.constant(null)),
        minSeverity: fc.oneof(fc.constantFrom('High', 'urgent', ''), notAString),
        maxTicketsPerHour: fc.oneof(fc.integer({ min: 1001, max: 1e6 }), fc.integer({ min: -1e6, max: -1 }), notInt),
        ticketRetryBudgetSeconds: fc.oneof(fc.constantFrom(0, 3601, -5), notInt),
      }),
    );
    await fc.assert(
      fc.asyncProperty(invalid, async ([body, mutate]) => {
        const { handler, calls } = harness({ config: { putAutomation: reach('putAutomation') } });
        expectRefused(await handler(apiEvent('PUT /api/settings/automation', { body: JSON.stringify(mutate(body)) })), calls, 'body');
      }),
      { numRuns: 1_000 },
    );
  });

  it('PATCH /api/incidents/{id} takes exactly {status} of the three statuses', async () => {
    const valid = fc.record({ status: fc.constantFrom(...INCIDENT_STATUSES) });
    const invalid = fc
      .tuple(valid, mutations(['status'], { status: fc.oneof(fc.constantFrom('closed', 'Open', 'OPEN', ''), notAString) }))
      .map(([b, mutate]) => mutate(b));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          valid.map((b) => ({ b, ok: true })),
          invalid.map((b) => ({ b, ok: false })),
        ),
        async ({ b, ok }) => {
          const { handler, calls } = harness({ incidents: { get: reach('incidents.get') } });
          const response = await handler(apiEvent('PATCH /api/incidents/{id}', { id: '0123456789abcdef', body: JSON.stringify(b) }));
          if (ok) expectReached(response, 'incidents.get');
          else expectRefused(response, calls, 'body');
        },
      ),
      { numRuns: 600 },
    );
  });

  const priorityName = fc.tuple(pad, trimmed(1, 56), pad).map((parts) => parts.join(''));
  const jira = fc.record(
    {
      // Never a Jira Cloud site or an allow-listed host: a complete body must not make the test call out.
      baseUrl: fc
        .tuple(pad, trimmed(1, 290), pad)
        .map((parts) => parts.join(''))
        .filter((url) => !/atlassian/i.test(url)),
      email: fc.tuple(pad, email, pad).map((parts) => parts.join('')),
      apiToken: fc.tuple(pad, trimmed(1, 200), pad).map((parts) => parts.join('')),
      projectKey: fc.tuple(pad, fc.stringMatching(/^[A-Z][A-Z0-9_]{0,9}$/), pad).map((parts) => parts.join('')),
      issueType: fc.tuple(pad, trimmed(1, 56), pad).map((parts) => parts.join('')),
      priorityMap: fc.record({ critical: priorityName, high: priorityName, medium: priorityName, low: priorityName }),
      enabled: fc.boolean(),
      commentWindowMinutes: fc.integer({ min: 1, max: 1440 }),
    },
    { requiredKeys: ['baseUrl', 'email', 'projectKey', 'issueType', 'priorityMap', 'enabled'] },
  );
  const badJiraFields = {
    baseUrl: fc.oneof(
      fc.constantFrom('', '   '),
      fc.string({ minLength: 301, maxLength: 320 }).filter((s) => s.trim().length > 300),
      notAString,
    ),
    email: fc.oneof(badEmail, notAString),
    apiToken: fc.oneof(fc.constantFrom('', ' \t '), fc.stringMatching(/^[a-z]{4097,4100}$/), notAString),
    projectKey: fc.oneof(fc.constantFrom('', 'ops', '1OPS', 'OPS-1', 'ABCDEFGHIJK', 'O PS'), notAString),
    issueType: fc.oneof(fc.constantFrom('', '  '), fc.stringMatching(/^[a-z]{61,70}$/), notAString),
    priorityMap: fc.oneof(
      fc.constant({ critical: 'Highest', high: 'High', medium: 'Medium' }),
      fc.constant({ critical: 'Highest', high: 'High', medium: 'Medium', low: 'Low', extra: 'x' }),
      fc.constant({ critical: '', high: 'High', medium: 'Medium', low: 'Low' }),
      notAString,
    ),
    enabled: fc.oneof(fc.constantFrom('true', 1, 'false'), fc.constant(null)),
    commentWindowMinutes: fc.oneof(fc.constantFrom(0, 1441, 1.5, '60'), fc.constant(null)),
  } satisfies Record<string, fc.Arbitrary<unknown>>;

  it('PUT /api/integrations/jira passes every body of the documented shape on and refuses anything else with 400', async () => {
    const invalid = fc
      .tuple(jira, mutations(['baseUrl', 'email', 'projectKey', 'issueType', 'priorityMap', 'enabled'], badJiraFields))
      .map(([b, mutate]) => mutate(b));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          jira.map((b) => ({ b, ok: true })),
          invalid.map((b) => ({ b, ok: false })),
        ),
        async ({ b, ok }) => {
          const { handler, calls } = harness({ config: { getJira: reach('getJira') } });
          const response = await handler(apiEvent('PUT /api/integrations/jira', { body: JSON.stringify(b) }));
          if (ok) expectReached(response, 'getJira');
          else expectRefused(response, calls, 'body');
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('POST /api/integrations/jira/test takes any part of the settings and refuses a part outside its shape with 400', async () => {
    const partial = jira.chain((b) => fc.subarray(Object.keys(b)).map((keys) => Object.fromEntries(keys.map((k) => [k, (b as Record<string, unknown>)[k]]))));
    const invalid = fc.tuple(partial, mutations([], badJiraFields)).map(([b, mutate]) => mutate(b));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          partial.map((b) => ({ b, ok: true })),
          invalid.map((b) => ({ b, ok: false })),
        ),
        async ({ b, ok }) => {
          const { handler, calls } = harness({ config: { getJira: () => undefined } });
          const response = await handler(apiEvent('POST /api/integrations/jira/test', { body: JSON.stringify(b) }));
          const read = calls.filter((call) => call.method !== 'getJira');
          if (!ok) return expectRefused(response, read, 'body');
          // Through validation: either nothing complete to test, or a test of a base URL that is not a Jira site.
          if (response.statusCode === 400) expect(errorOf(response).message).toMatch(/^Nothing complete to test/);
          else
            expect({ status: response.statusCode, reason: (JSON.parse(response.body ?? '{}') as { reason?: string }).reason }).toEqual({
              status: 200,
              reason: 'invalid_base_url',
            });
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
