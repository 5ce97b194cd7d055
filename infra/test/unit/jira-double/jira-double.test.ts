import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startJiraDouble, type JiraDouble, type JiraDoubleOptions } from '../../helpers/jira-double/index.js';
import { check, componentValidator, responseValidator } from '../../helpers/jira-double/schemas.js';

const EMAIL = 'bot@example.com';
const TOKEN = 'double-token-abc';

const DOC = { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'hello' }] }] };

function fields(overrides: Record<string, unknown> = {}) {
  return {
    project: { key: 'PROJ' },
    issuetype: { name: 'Bug' },
    summary: 'Price missing',
    description: DOC,
    labels: ['stacklens', 'stacklens-abc'],
    priority: { name: 'High' },
    ...overrides,
  };
}

let double: JiraDouble;

async function start(options: JiraDoubleOptions = {}) {
  double = await startJiraDouble({ email: EMAIL, apiToken: TOKEN, ...options });
}

afterEach(async () => {
  await double?.close();
});

interface CallOptions {
  token?: string | null;
  contentType?: string;
  rawBody?: string;
  signal?: AbortSignal;
}

async function call(method: string, path: string, body?: unknown, options: CallOptions = {}) {
  const token = options.token === undefined ? TOKEN : options.token;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token !== null) headers['authorization'] = `Basic ${Buffer.from(`${EMAIL}:${token}`).toString('base64')}`;
  if (body !== undefined || options.rawBody !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const res = await fetch(`${double.url}${path}`, {
    method,
    headers,
    ...(options.rawBody !== undefined ? { body: options.rawBody } : body !== undefined ? { body: JSON.stringify(body) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, body: json as Record<string, unknown> & unknown[] };
}

/** Checks an answer against the published response schema independently of the double's own bookkeeping. */
function expectSchemaValid(method: string, template: string, res: { status: number; body: unknown }) {
  const validator = responseValidator(method, template, res.status) ?? (res.status >= 400 ? componentValidator('ErrorCollection') : null);
  expect(validator).not.toBeNull();
  expect(check(validator, res.body).errors).toEqual([]);
}

describe('Jira double: reading', () => {
  beforeEach(() => start({ projects: ['PROJ', { key: 'OPS', name: 'Operations', issueTypes: ['Incident'] }] }));

  it('answers myself, project, issue types and priorities with bodies that match the published schemas', async () => {
    const me = await call('GET', '/rest/api/3/myself');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ emailAddress: EMAIL, accountType: 'atlassian', active: true });
    expectSchemaValid('get', '/rest/api/3/myself', me);

    const project = await call('GET', '/rest/api/3/project/OPS');
    expect(project.body).toMatchObject({ key: 'OPS', name: 'Operations' });
    expectSchemaValid('get', '/rest/api/3/project/{projectIdOrKey}', project);

    const types = await call('GET', '/rest/api/3/issue/createmeta/OPS/issuetypes');
    expect((types.body['issueTypes'] as Array<{ name: string; subtask: boolean }>).map((t) => [t.name, t.subtask])).toEqual([
      ['Incident', false],
      ['Subtask', true],
    ]);
    expectSchemaValid('get', '/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes', types);

    const paged = await call('GET', '/rest/api/3/issue/createmeta/PROJ/issuetypes?startAt=3&maxResults=1');
    expect(paged.body).toMatchObject({ startAt: 3, maxResults: 1, total: 5 });
    expect((paged.body['issueTypes'] as Array<{ name: string }>).map((t) => t.name)).toEqual(['Epic']);

    const priorities = await call('GET', '/rest/api/3/priority');
    expect((priorities.body as unknown as Array<{ name: string }>).map((p) => p.name)).toEqual(['Highest', 'High', 'Medium', 'Low', 'Lowest']);
    expectSchemaValid('get', '/rest/api/3/priority', priorities);
    expect(double.violations).toEqual([]);
  });

  it('answers an unknown project with 404 and Jira’s error collection', async () => {
    const res = await call('GET', '/rest/api/3/project/NOPE');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errorMessages: ["No project could be found with key 'NOPE'."], errors: {} });
    expect(double.violations).toEqual([]);
  });

  it('refuses a wrong or missing token with 401, and accepts only the new token after rotation', async () => {
    expect((await call('GET', '/rest/api/3/myself', undefined, { token: 'wrong' })).status).toBe(401);
    const anonymous = await call('GET', '/rest/api/3/myself', undefined, { token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ errorMessages: ['Client must be authenticated to access this resource.'], errors: {} });
    double.setToken('rotated-token');
    expect((await call('GET', '/rest/api/3/myself')).status).toBe(401);
    expect((await call('GET', '/rest/api/3/myself', undefined, { token: 'rotated-token' })).status).toBe(200);
    expect(double.requests.map((r) => r.authorized)).toEqual([false, false, false, true]);
  });

  it('records requests without their credentials', async () => {
    await call('GET', '/rest/api/3/myself');
    expect(JSON.stringify(double.requests)).not.toContain(TOKEN);
    expect(double.requests[0]).toMatchObject({ method: 'GET', path: '/rest/api/3/myself', endpoint: 'myself', status: 200 });
  });
});

describe('Jira double: creating issues', () => {
  beforeEach(() => start());

  it('creates PROJ-1, PROJ-2 with 201 { id, key, self } and keeps their fields, labels and priority', async () => {
    const first = await call('POST', '/rest/api/3/issue', { fields: fields() });
    const second = await call('POST', '/rest/api/3/issue', { fields: fields({ labels: ['other'] }) });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ id: '10000', key: 'PROJ-1', self: `${double.url}/rest/api/3/issue/10000` });
    expect(second.body['key']).toBe('PROJ-2');
    expectSchemaValid('post', '/rest/api/3/issue', first);
    expect(double.issues.map((i) => [i.key, i.labels, i.priority, i.issueType, i.summary])).toEqual([
      ['PROJ-1', ['stacklens', 'stacklens-abc'], 'High', 'Bug', 'Price missing'],
      ['PROJ-2', ['other'], 'High', 'Bug', 'Price missing'],
    ]);
    expect(double.issues[0]!.description).toEqual(DOC);

    const fetched = await call('GET', '/rest/api/3/issue/PROJ-1');
    expect(fetched.status).toBe(200);
    expectSchemaValid('get', '/rest/api/3/issue/{issueIdOrKey}', fetched);
    expect(double.violations).toEqual([]);
  });

  it('refuses an unknown issue type, priority or project with 400 field errors, without calling it a client violation', async () => {
    const type = await call('POST', '/rest/api/3/issue', { fields: fields({ issuetype: { name: 'Incident' } }) });
    expect(type.status).toBe(400);
    expect(type.body).toEqual({ errorMessages: [], errors: { issuetype: 'Specify a valid issue type' } });
    const priority = await call('POST', '/rest/api/3/issue', { fields: fields({ priority: { name: 'P1' } }) });
    expect(priority.body).toEqual({ errorMessages: [], errors: { priority: 'Specify the Priority (id or name) in the string format' } });
    const project = await call('POST', '/rest/api/3/issue', { fields: fields({ project: { key: 'NOPE' } }) });
    expect((project.body['errors'] as Record<string, string>)['project']).toBe('Specify a valid project ID or key');
    expectSchemaValid('post', '/rest/api/3/issue', priority);
    expect(double.issues).toHaveLength(0);
    expect(double.violations).toEqual([]);
  });

  it.each([
    ['a label with a space', { labels: ['has space'] }, 'labels', "The label 'has space' contains spaces which is invalid."],
    ['a summary of 255 characters', { summary: 'x'.repeat(255) }, 'summary', 'Summary must be less than 255 characters.'],
    ['a multi-line summary', { summary: 'a\nb' }, 'summary', 'The summary is invalid because it contains newline characters.'],
    [
      'a plain-text description',
      { description: 'plain text' },
      'description',
      'Operation value must be an Atlassian Document (see the Atlassian Document Format)',
    ],
    [
      'an empty text node',
      { description: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: '' }] }] } },
      'description',
      'Operation value must be an Atlassian Document (see the Atlassian Document Format)',
    ],
    [
      'a field not on the screen',
      { customfield_10010: 'x' },
      'customfield_10010',
      "Field 'customfield_10010' cannot be set. It is not on the appropriate screen, or unknown.",
    ],
  ])('answers %s with 400 like Jira', async (_what, override, field, message) => {
    const res = await call('POST', '/rest/api/3/issue', { fields: fields(override) });
    expect(res.status).toBe(400);
    expect((res.body['errors'] as Record<string, string>)[field]).toBe(message);
    expect(double.issues).toHaveLength(0);
  });

  it('records client mistakes as violations, but not a field that is merely off-screen', async () => {
    await call('POST', '/rest/api/3/issue', { fields: fields({ labels: ['has space'] }) });
    await call('POST', '/rest/api/3/issue', { fields: fields({ description: 'plain text' }) });
    expect(double.violations.map((v) => v.errors[0])).toEqual(['label with whitespace: "has space"', expect.stringMatching(/^description /)]);
  });

  it('validates the body against the OpenAPI request schema', async () => {
    const res = await call('POST', '/rest/api/3/issue', { fields: 'not an object' });
    expect(res.status).toBe(400);
    expect(double.violations).toEqual([{ method: 'POST', path: '/rest/api/3/issue', direction: 'request', errors: ['/fields must be object'] }]);
  });

  it('answers a POST without a JSON content type with 415 and one that is not JSON with 400', async () => {
    expect((await call('POST', '/rest/api/3/issue', undefined, { rawBody: '{}', contentType: 'text/plain' })).status).toBe(415);
    expect((await call('POST', '/rest/api/3/issue', undefined, { rawBody: '{nope' })).status).toBe(400);
    expect(double.violations).toHaveLength(2);
  });

  it('answers the endpoints the earlier attempt invented with 404 and records them', async () => {
    expect((await call('POST', '/rest/api/3/issues', { fields: fields() })).status).toBe(404);
    expect((await call('POST', '/rest/api/3/issue/PROJ-1/comments', { body: DOC })).status).toBe(404);
    expect(double.violations.map((v) => v.errors[0])).toEqual([
      'no such Jira Cloud REST endpoint: POST /rest/api/3/issues',
      'no such Jira Cloud REST endpoint: POST /rest/api/3/issue/PROJ-1/comments',
    ]);
  });
});

describe('Jira double: comments', () => {
  beforeEach(() => start());

  it('adds an ADF comment with 201 and keeps it on the issue', async () => {
    await call('POST', '/rest/api/3/issue', { fields: fields() });
    const res = await call('POST', '/rest/api/3/issue/PROJ-1/comment', { body: DOC });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: '10000', body: DOC, author: { accountType: 'atlassian' } });
    expectSchemaValid('post', '/rest/api/3/issue/{issueIdOrKey}/comment', res);
    expect(double.issueByKey('PROJ-1')!.comments.map((c) => c.body)).toEqual([DOC]);
    expect(double.violations).toEqual([]);
  });

  it('refuses a non-ADF comment with 400 and a comment on a missing issue with 404', async () => {
    await call('POST', '/rest/api/3/issue', { fields: fields() });
    const bad = await call('POST', '/rest/api/3/issue/PROJ-1/comment', { body: 'plain' });
    expect(bad.status).toBe(400);
    expect(double.violations).toHaveLength(1);
    const missing = await call('POST', '/rest/api/3/issue/PROJ-99/comment', { body: DOC });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} });
  });
});

describe('Jira double: search', () => {
  beforeEach(() => start({ projects: ['PROJ', 'OPS'] }));

  async function create(labels: string[], project = 'PROJ') {
    const res = await call('POST', '/rest/api/3/issue', { fields: fields({ labels, project: { key: project } }) });
    expect(res.status).toBe(201);
    return res.body as unknown as { id: string; key: string };
  }

  it('finds issues by exact label within a project', async () => {
    await create(['stacklens', 'stacklens-a']);
    await create(['stacklens', 'stacklens-b']);
    await create(['stacklens-a'], 'OPS');
    const res = await call('POST', '/rest/api/3/search/jql', { jql: 'project = "PROJ" AND labels = "stacklens-a"', fields: ['summary', 'status'] });
    expect(res.status).toBe(200);
    expectSchemaValid('post', '/rest/api/3/search/jql', res);
    expect(res.body).toMatchObject({
      isLast: true,
      issues: [{ key: 'PROJ-1', fields: { summary: 'Price missing', status: { name: 'To Do', statusCategory: { key: 'new' } } } }],
    });
    expect(res.body).not.toHaveProperty('nextPageToken');
    const get = await call('GET', `/rest/api/3/search/jql?jql=${encodeURIComponent('project = PROJ AND labels = stacklens')}&fields=summary`);
    expect((get.body['issues'] as unknown[]).length).toBe(2);
    expect(double.violations).toEqual([]);
  });

  it('returns only ids when no fields are asked for, as Jira does', async () => {
    await create(['x']);
    const res = await call('POST', '/rest/api/3/search/jql', { jql: 'project = PROJ' });
    expect(res.body['issues']).toEqual([{ id: '10000' }]);
  });

  it('pages with nextPageToken and refuses a token from another query', async () => {
    for (let i = 0; i < 5; i++) await create(['many']);
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await call('POST', '/rest/api/3/search/jql', {
        jql: 'project = PROJ AND labels = many',
        fields: ['summary'],
        maxResults: 2,
        ...(token ? { nextPageToken: token } : {}),
      });
      expectSchemaValid('post', '/rest/api/3/search/jql', res);
      keys.push(...(res.body['issues'] as Array<{ key: string }>).map((i) => i.key));
      token = res.body['nextPageToken'] as string | undefined;
      pages++;
      expect(res.body['isLast']).toBe(token === undefined);
    } while (token);
    expect(pages).toBe(3);
    expect(keys).toEqual(['PROJ-1', 'PROJ-2', 'PROJ-3', 'PROJ-4', 'PROJ-5']);

    const first = await call('POST', '/rest/api/3/search/jql', { jql: 'project = PROJ AND labels = many', maxResults: 2 });
    const other = await call('POST', '/rest/api/3/search/jql', { jql: 'project = OPS', nextPageToken: first.body['nextPageToken'] });
    expect(other.status).toBe(400);
  });

  it('hides a new issue from search until the lag has passed, unless it is reconciled by id', async () => {
    double.searchLagMs = 60_000;
    const created = await create(['lagging']);
    const jql = 'project = PROJ AND labels = lagging';
    expect((await call('POST', '/rest/api/3/search/jql', { jql })).body['issues']).toEqual([]);
    expect((await call('POST', '/rest/api/3/search/jql', { jql, reconcileIssues: [Number(created.id)] })).body['issues']).toEqual([{ id: created.id }]);
    double.searchLagMs = 0;
    expect((await call('POST', '/rest/api/3/search/jql', { jql })).body['issues']).toEqual([{ id: created.id }]);
  });

  it('refuses unbounded, unparsable and unknown-project queries with 400, and the removed /search with 410', async () => {
    const unbounded = await call('POST', '/rest/api/3/search/jql', { jql: 'order by key desc' });
    expect(unbounded.status).toBe(400);
    expect(unbounded.body['errorMessages']).toEqual(['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.']);
    expect((await call('POST', '/rest/api/3/search/jql', { jql: '' })).status).toBe(400);
    expect((await call('POST', '/rest/api/3/search/jql', { jql: 'summary ~ "price"' })).status).toBe(400);
    expect((await call('POST', '/rest/api/3/search/jql', { jql: 'project = PROJ OR labels = x' })).status).toBe(400);
    const unknown = await call('POST', '/rest/api/3/search/jql', { jql: 'project = NOPE' });
    expect(unknown.body['errorMessages']).toEqual(["The value 'NOPE' does not exist for the field 'project'."]);
    expect((await call('POST', '/rest/api/3/search/jql', { jql: 'project = PROJ', startAt: 0 })).status).toBe(400);

    const legacy = await call('POST', '/rest/api/3/search', { jql: 'project = PROJ' });
    expect(legacy.status).toBe(410);
    expect((await call('GET', '/rest/api/3/search?jql=project%3DPROJ')).status).toBe(410);
    expect(double.violations.map((v) => v.errors[0])).toEqual([
      'unbounded JQL: "order by key desc"',
      'unbounded JQL: ""',
      expect.stringContaining("Field 'summary' does not exist"),
      expect.stringContaining("Expecting either 'AND' or 'ORDER BY'"),
      '/ must NOT have additional properties (startAt)',
      expect.stringContaining('/rest/api/3/search was removed'),
      expect.stringContaining('/rest/api/3/search was removed'),
    ]);
  });

  it('matches status and negations, and reports statuses set by the test', async () => {
    await create(['s']);
    await create(['s']);
    double.setIssueStatus('PROJ-2', 'Done');
    const open = await call('POST', '/rest/api/3/search/jql', { jql: 'project = PROJ AND labels = s AND status != Done', fields: ['status'] });
    expect((open.body['issues'] as Array<{ key: string }>).map((i) => i.key)).toEqual(['PROJ-1']);
    const done = await call('POST', '/rest/api/3/search/jql', { jql: 'project in (PROJ, OPS) AND status = "Done"', fields: ['status'] });
    expect(done.body['issues']).toMatchObject([{ key: 'PROJ-2', fields: { status: { name: 'Done', statusCategory: { key: 'done' } } } }]);
  });
});

describe('Jira double: faults', () => {
  beforeEach(() => start());

  it('answers 429 with Jira’s rate-limit headers for the next n matching requests only', async () => {
    double.failNext(2, { status: 429, retryAfterSeconds: 3, endpoint: 'create' });
    expect((await call('GET', '/rest/api/3/myself')).status).toBe(200);
    const limited = await call('POST', '/rest/api/3/issue', { fields: fields() });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(limited.headers.get('x-ratelimit-limit')).toBe('100');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number.isNaN(Date.parse(limited.headers.get('x-ratelimit-reset') ?? ''))).toBe(false);
    expect(limited.headers.get('ratelimit-reason')).toBe('jira-per-issue-on-write');
    expect((await call('POST', '/rest/api/3/issue', { fields: fields() })).status).toBe(429);
    expect((await call('POST', '/rest/api/3/issue', { fields: fields() })).status).toBe(201);
    expect(double.issues).toHaveLength(1);
    expect(double.requestsTo('create').map((r) => r.status)).toEqual([429, 429, 201]);
  });

  it('answers 503 with Retry-After and a custom body when asked', async () => {
    double.failNext(1, { status: 503, retryAfterSeconds: 9, body: 'upstream maintenance' });
    const res = await call('GET', '/rest/api/3/myself');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('9');
    expect(res.body).toBe('upstream maintenance');
  });

  it('fails every request for a period, then recovers', async () => {
    double.failFor(60_000, { status: 500 });
    expect((await call('GET', '/rest/api/3/myself')).status).toBe(500);
    expect((await call('POST', '/rest/api/3/issue', { fields: fields() })).status).toBe(500);
    expect(double.issues).toHaveLength(0);

    await double.close();
    await start();
    double.failFor(20, { status: 500 });
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect((await call('GET', '/rest/api/3/myself')).status).toBe(200);
  });

  it('keeps working on a slow request after its client gave up, like Jira', async () => {
    double.delayNext(1, 300, 'create');
    await expect(call('POST', '/rest/api/3/issue', { fields: fields() }, { signal: AbortSignal.timeout(30) })).rejects.toThrow();
    await waitUntil(() => double.issues.length === 1);
    expect(double.issues[0]!.key).toBe('PROJ-1');
  });

  it('creates and then never answers when told to hang after creating', async () => {
    double.createThenHang(1);
    await expect(call('POST', '/rest/api/3/issue', { fields: fields() }, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    expect(double.issues).toHaveLength(1);
    expect(double.requestsTo('create')[0]!.fault).toBe('hang-after-create');
    expect(double.requestsTo('create')[0]!.status).toBeUndefined();
    expect((await call('POST', '/rest/api/3/issue', { fields: fields() })).status).toBe(201);
    expect(double.issues).toHaveLength(2);
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
