import { describe, expect, it } from '@jest/globals';
import { JiraClient, JiraError, issueUrl, parseRetryAfter, type JiraErrorKind } from '../../../src/adapters/jira/jira-client.js';
import { ValidationError } from '../../../src/domain/errors.js';
import { doc, paragraph } from '../../../src/domain/jira/adf.js';
import { registerSecret } from '../../../../infra/test/helpers/sweep.js';

const EMAIL = 'stacklens-bot@example.com';
const TOKEN = 'fake-jira-secret-token-value';
registerSecret(TOKEN, 'Jira API token');
const CREDENTIAL = Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64');
const NOW = Date.parse('2025-03-01T12:00:00Z');

interface SentRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | ((req: SentRequest, signal: AbortSignal | undefined) => Promise<Response>);

/** A fetch that answers scripted replies in order and records what the client sent. */
function fakeFetch(replies: Reply[]) {
  const sent: SentRequest[] = [];
  const impl = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const req: SentRequest = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers,
      body: init?.body === undefined ? undefined : JSON.parse(String(init.body)),
    };
    sent.push(req);
    const reply = replies.shift();
    if (!reply) throw new Error(`unexpected request ${req.method} ${req.url}`);
    if (typeof reply === 'function') return reply(req, init?.signal ?? undefined);
    const text = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    return new Response(reply.status === 204 ? null : text, {
      status: reply.status,
      headers: { 'content-type': typeof reply.body === 'string' ? 'text/plain' : 'application/json', ...reply.headers },
    });
  };
  return { fetch: impl as typeof fetch, sent };
}

function client(replies: Reply[], options: { timeoutMs?: number; token?: () => Promise<string> } = {}) {
  const fake = fakeFetch(replies);
  const jira = new JiraClient({
    baseUrl: 'https://acme.atlassian.net/',
    email: EMAIL,
    apiToken: options.token ?? (async () => TOKEN),
    fetch: fake.fetch,
    now: () => NOW,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  return { jira, sent: fake.sent };
}

async function failure(promise: Promise<unknown>): Promise<JiraError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof JiraError) return err;
    throw err;
  }
  throw new Error('expected a JiraError');
}

function expectNoSecret(err: unknown) {
  const views = [JSON.stringify(err), String(err), (err as Error).message, (err as Error).stack ?? '', JSON.stringify((err as JiraError).messages)];
  for (const view of views) {
    expect(view).not.toContain(TOKEN);
    expect(view).not.toContain(CREDENTIAL);
    expect(view).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/);
  }
}

describe('JiraClient requests', () => {
  it('calls the REST v3 paths with Basic auth, JSON headers and the body Jira expects', async () => {
    const { jira, sent } = client([
      { status: 200, body: { accountId: 'a1', displayName: 'Bot', emailAddress: EMAIL } },
      { status: 200, body: { id: '10000', key: 'PROJ', name: 'Project' } },
      { status: 200, body: [{ id: '1', name: 'Highest' }] },
      { status: 201, body: { id: '10001', key: 'PROJ-1', self: 'https://acme.atlassian.net/rest/api/3/issue/10001' } },
      { status: 201, body: { id: '20000', body: {} } },
    ]);
    expect(await jira.myself()).toEqual({ accountId: 'a1', displayName: 'Bot', emailAddress: EMAIL });
    expect(await jira.getProject('PROJ')).toEqual({ id: '10000', key: 'PROJ', name: 'Project' });
    expect(await jira.priorities()).toEqual([{ id: '1', name: 'Highest' }]);
    const fields = { project: { key: 'PROJ' }, issuetype: { name: 'Bug' }, summary: 's', description: doc([paragraph('d')]), labels: ['stacklens'] };
    expect(await jira.createIssue(fields)).toEqual({ id: '10001', key: 'PROJ-1', self: 'https://acme.atlassian.net/rest/api/3/issue/10001' });
    expect(await jira.addComment('PROJ-1', doc([paragraph('c')]))).toEqual({ id: '20000' });

    expect(sent.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET https://acme.atlassian.net/rest/api/3/myself',
      'GET https://acme.atlassian.net/rest/api/3/project/PROJ',
      'GET https://acme.atlassian.net/rest/api/3/priority',
      'POST https://acme.atlassian.net/rest/api/3/issue',
      'POST https://acme.atlassian.net/rest/api/3/issue/PROJ-1/comment',
    ]);
    for (const r of sent) {
      expect(r.headers['authorization']).toBe(`Basic ${CREDENTIAL}`);
      expect(r.headers['accept']).toBe('application/json');
    }
    expect(sent[3]!.headers['content-type']).toBe('application/json');
    expect(sent[3]!.body).toEqual({ fields });
    expect(sent[4]!.body).toEqual({ body: doc([paragraph('c')]) });
    expect(sent[0]!.headers['content-type']).toBeUndefined();
  });

  it('reads the token on every call, so a rotated token is used at once', async () => {
    const tokens = ['first-token-1', 'second-token-2'];
    let reads = 0;
    const { jira, sent } = client(
      [
        { status: 200, body: { accountId: 'a', displayName: 'b' } },
        { status: 200, body: { accountId: 'a', displayName: 'b' } },
      ],
      { token: async () => tokens[Math.min(reads++, 1)]! },
    );
    await jira.myself();
    await jira.myself();
    expect(sent.map((r) => Buffer.from(r.headers['authorization']!.slice(6), 'base64').toString())).toEqual([
      `${EMAIL}:first-token-1`,
      `${EMAIL}:second-token-2`,
    ]);
  });

  it('pages through the issue types of a project until the total is reached', async () => {
    const page = (start: number, count: number) => Array.from({ length: count }, (_, i) => ({ id: String(start + i), name: `T${start + i}`, subtask: false }));
    const { jira, sent } = client([
      { status: 200, body: { issueTypes: page(0, 200), startAt: 0, maxResults: 200, total: 250 } },
      { status: 200, body: { issueTypes: page(200, 50), startAt: 200, maxResults: 200, total: 250 } },
    ]);
    const types = await jira.issueTypesForProject('PROJ');
    expect(types).toHaveLength(250);
    expect(sent.map((r) => new URL(r.url).pathname + new URL(r.url).search)).toEqual([
      '/rest/api/3/issue/createmeta/PROJ/issuetypes?startAt=0&maxResults=200',
      '/rest/api/3/issue/createmeta/PROJ/issuetypes?startAt=200&maxResults=200',
    ]);
  });

  it('encodes path parameters so a key cannot change the path', async () => {
    const { jira, sent } = client([{ status: 404, body: { errorMessages: ['nope'] } }]);
    await failure(jira.addComment('../../myself', doc([paragraph('x')])));
    expect(new URL(sent[0]!.url).pathname).toBe('/rest/api/3/issue/..%2F..%2Fmyself/comment');
  });
});

describe('JiraClient.searchByLabel', () => {
  it('sends a project-bounded JQL with quotes and backslashes escaped', async () => {
    const { jira, sent } = client([{ status: 200, body: { issues: [], isLast: true } }]);
    await jira.searchByLabel('PROJ', 'a"b\\c');
    expect(sent[0]!.url).toBe('https://acme.atlassian.net/rest/api/3/search/jql');
    expect(sent[0]!.body).toEqual({ jql: 'project = "PROJ" AND labels = "a\\"b\\\\c"', fields: ['summary', 'status'], maxResults: 50 });
  });

  it('refuses a label Jira could not hold without sending anything', async () => {
    const { jira, sent } = client([]);
    await expect(jira.searchByLabel('PROJ', 'has space')).rejects.toThrow(ValidationError);
    await expect(jira.searchByLabel('PROJ', 'ctrl\u0000')).rejects.toThrow(ValidationError);
    await expect(jira.searchByLabel(' ', 'x')).rejects.toThrow(ValidationError);
    expect(sent).toHaveLength(0);
  });

  it('follows nextPageToken until the last page and returns key, summary and status', async () => {
    const issue = (id: string, key: string) => ({ id, key, fields: { summary: `s${id}`, status: { name: 'To Do', statusCategory: { key: 'new' } } } });
    const { jira, sent } = client([
      { status: 200, body: { issues: [issue('1', 'P-1'), issue('2', 'P-2')], isLast: false, nextPageToken: 'page-2' } },
      { status: 200, body: { issues: [issue('3', 'P-3')], isLast: true } },
    ]);
    const found = await jira.searchByLabel('PROJ', 'stacklens-abc', { maxResults: 2, reconcileIssues: [10001] });
    expect(found).toEqual([
      { id: '1', key: 'P-1', summary: 's1', status: 'To Do', statusCategory: 'new' },
      { id: '2', key: 'P-2', summary: 's2', status: 'To Do', statusCategory: 'new' },
      { id: '3', key: 'P-3', summary: 's3', status: 'To Do', statusCategory: 'new' },
    ]);
    expect(sent.map((r) => (r.body as { nextPageToken?: string }).nextPageToken)).toEqual([undefined, 'page-2']);
    expect((sent[0]!.body as { reconcileIssues?: number[] }).reconcileIssues).toEqual([10001]);
  });
});

describe('JiraError mapping', () => {
  const cases: Array<[number, JiraErrorKind, boolean]> = [
    [400, 'invalid', false],
    [401, 'auth', false],
    [403, 'forbidden', false],
    [404, 'not_found', false],
    [410, 'not_found', false],
    [413, 'invalid', false],
    [422, 'invalid', false],
    [429, 'rate_limited', true],
    [500, 'unavailable', true],
    [502, 'unavailable', true],
    [503, 'unavailable', true],
    [504, 'unavailable', true],
  ];
  it.each(cases)('maps HTTP %i to %s (retryable: %s)', async (status, kind, retryable) => {
    const { jira } = client([{ status, body: { errorMessages: ['Something Jira said'], errors: { priority: 'The priority selected is invalid.' } } }]);
    const err = await failure(jira.createIssue({ project: { key: 'PROJ' }, issuetype: { name: 'Bug' }, summary: 's', description: doc([]), labels: [] }));
    expect(err).toBeInstanceOf(JiraError);
    expect(err.code).toBe('DEPENDENCY_FAILED');
    expect(err.kind).toBe(kind);
    expect(err.status).toBe(status);
    expect(err.retryable).toBe(retryable);
    expect(err.messages).toEqual(['Something Jira said', 'priority: The priority selected is invalid.']);
    expect(err.message).toContain(`POST /rest/api/3/issue answered ${status}`);
    expect(err.message).toContain('priority: The priority selected is invalid.');
  });

  it('takes Retry-After in seconds from a 429', async () => {
    const { jira } = client([{ status: 429, body: 'Rate limit exceeded', headers: { 'retry-after': '7', 'x-ratelimit-reset': '2025-03-01T12:05:00Z' } }]);
    const err = await failure(jira.myself());
    expect(err).toMatchObject({ kind: 'rate_limited', retryAfterSeconds: 7, retryable: true, messages: ['Rate limit exceeded'] });
  });

  it('takes Retry-After as an HTTP-date, and X-RateLimit-Reset when Retry-After is missing', async () => {
    const { jira } = client([
      { status: 429, body: {}, headers: { 'retry-after': 'Sat, 01 Mar 2025 12:00:42 GMT' } },
      { status: 429, body: {}, headers: { 'x-ratelimit-reset': '2025-03-01T12:01:30.000Z' } },
      { status: 503, body: {}, headers: { 'retry-after': '12' } },
      { status: 500, body: {}, headers: { 'retry-after': '12' } },
    ]);
    expect((await failure(jira.myself())).retryAfterSeconds).toBe(42);
    expect((await failure(jira.myself())).retryAfterSeconds).toBe(90);
    expect(await failure(jira.myself())).toMatchObject({ kind: 'unavailable', retryAfterSeconds: 12, retryable: true });
    expect((await failure(jira.myself())).retryAfterSeconds).toBeUndefined();
  });

  it('parses Retry-After values defensively', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter(' 15 ', NOW)).toBe(15);
    expect(parseRetryAfter('Fri, 28 Feb 2025 12:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('-5', NOW)).toBeUndefined();
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter('1.5', NOW)).toBeUndefined();
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
  });

  it('reports a request that outlives the timeout as a retryable, ambiguous timeout', async () => {
    const hang = (_req: SentRequest, signal: AbortSignal | undefined) =>
      new Promise<Response>((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
    const { jira } = client([hang], { timeoutMs: 20 });
    const err = await failure(jira.createIssue({ project: { key: 'PROJ' }, issuetype: { name: 'Bug' }, summary: 's', description: doc([]), labels: [] }));
    expect(err).toMatchObject({ kind: 'timeout', retryable: true });
    expect(err.status).toBeUndefined();
    expect(err.message).toContain('may still have acted');
  });

  it('reports a refused connection as a retryable network error', async () => {
    const refuse = async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) });
    };
    const { jira } = client([refuse]);
    const err = await failure(jira.myself());
    expect(err).toMatchObject({ kind: 'network', retryable: true });
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('treats a 2xx body that is not Jira’s as a non-retryable failure rather than trusting it', async () => {
    const { jira } = client([{ status: 200, body: '<html>Sign in to your captive portal</html>', headers: { 'content-type': 'text/html' } }]);
    const err = await failure(jira.myself());
    expect(err).toMatchObject({ kind: 'unavailable', status: 200, retryable: false });
  });

  it('does not follow redirects, which would carry the credentials elsewhere', async () => {
    const { jira, sent } = client([{ status: 302, body: '', headers: { location: 'https://evil.example.com/' } }]);
    const err = await failure(jira.myself());
    expect(err).toMatchObject({ kind: 'invalid', status: 302, retryable: false });
    expect(sent).toHaveLength(1);
  });

  it('never puts the token or the Authorization header into an error, even when Jira echoes them', async () => {
    const echo = async (req: SentRequest) =>
      new Response(`Bad request. Headers were: authorization=${req.headers['authorization']}; token ${TOKEN}`, {
        status: 400,
        headers: { 'content-type': 'text/plain' },
      });
    const echoJson = async (req: SentRequest) =>
      new Response(JSON.stringify({ errorMessages: [`auth ${req.headers['authorization']}`], errors: { token: TOKEN } }), {
        status: 401,
        headers: { 'content-type': 'application/json' },
      });
    const refuse = async () => {
      throw new TypeError('fetch failed', { cause: new Error(`proxy said ${TOKEN}`) });
    };
    const hang = (_req: SentRequest, signal: AbortSignal | undefined) =>
      new Promise<Response>((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
    const { jira } = client([echo, echoJson, refuse, hang, { status: 429, body: { errorMessages: [TOKEN] }, headers: { 'retry-after': '1' } }], {
      timeoutMs: 20,
    });
    const errors = [
      await failure(jira.myself()),
      await failure(jira.myself()),
      await failure(jira.myself()),
      await failure(jira.myself()),
      await failure(jira.myself()),
    ];
    expect(errors.map((e) => e.kind)).toEqual(['invalid', 'auth', 'network', 'timeout', 'rate_limited']);
    for (const err of errors) expectNoSecret(err);
    expect(errors[0]!.messages[0]).toContain('[redacted]');
  });
});

describe('issueUrl', () => {
  it('points at the browse page of the key', () => {
    expect(issueUrl('https://acme.atlassian.net/', 'PROJ-12')).toBe('https://acme.atlassian.net/browse/PROJ-12');
  });
});
