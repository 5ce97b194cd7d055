// The client against the Jira Cloud test double: a real HTTP exchange on 127.0.0.1, with every request body checked
// against Atlassian's OpenAPI schemas and the ADF schema by the double.

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JiraClient, JiraError, testConnection } from '../../../src/adapters/jira/jira-client.js';
import { buildIssueFields, buildRecurrenceComment, incidentLabel } from '../../../src/domain/jira/issue-content.js';
import type { JiraSettings } from '../../../src/domain/jira/settings.js';
import { startJiraDouble, type JiraDouble } from '../../../../infra/test/helpers/jira-double/index.js';
import { makeAnalysis, makeIncident, SETTINGS } from './fixtures.js';

const EMAIL = 'stacklens-bot@example.com';
const TOKEN = 'double-secret-token-7f3a';

let double: JiraDouble;
let token: string;

function newClient(options: { timeoutMs?: number; baseUrl?: string } = {}) {
  return new JiraClient({
    baseUrl: options.baseUrl ?? double.url,
    email: EMAIL,
    apiToken: async () => token,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
}

function settings(overrides: Partial<JiraSettings> = {}): JiraSettings {
  return { ...SETTINGS, baseUrl: double.url, email: EMAIL, ...overrides };
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

beforeEach(async () => {
  token = TOKEN;
  double = await startJiraDouble({ email: EMAIL, apiToken: TOKEN });
});

afterEach(async () => {
  await double.close();
});

describe('JiraClient against the Jira double', () => {
  it('creates a ticket from an incident, finds it by its label and comments on it, with nothing Jira would refuse', async () => {
    const client = newClient();
    const incident = makeIncident();
    const fields = buildIssueFields({
      incident,
      analysis: makeAnalysis(),
      samples: [incident.sample, '<script>x</script>'],
      kioskCounts: { 'S001/K01': 30, 'S002/K04': 12 },
      settings: settings(),
      dashboardUrl: 'http://127.0.0.1:5173',
    });

    const created = await client.createIssue(fields);
    expect(created).toEqual({ id: '10000', key: 'PROJ-1', self: `${double.url}/rest/api/3/issue/10000` });

    const found = await client.searchByLabel('PROJ', incidentLabel(incident.id));
    expect(found).toEqual([{ id: '10000', key: 'PROJ-1', summary: '[HIGH] MISSING_PRICE: Product Has No Price', status: 'To Do', statusCategory: 'new' }]);

    const comment = buildRecurrenceComment({ incident, newOccurrences: 5, windowMinutes: 15, storeCounts: { S001: 5 }, regressed: true });
    await client.addComment(created.key, comment);

    expect(double.issues).toHaveLength(1);
    expect(double.issues[0]!.labels).toEqual(['stacklens', 'stacklens-3f9a1c0de4b27a51', 'sev-high', 'code-missing_price']);
    expect(double.issues[0]!.priority).toBe('High');
    expect(double.issues[0]!.comments.map((c) => c.body)).toEqual([comment]);
    expect(double.violations).toEqual([]);
  });

  it('creates valid tickets for hostile incidents', async () => {
    const client = newClient();
    const texts = ['<script>alert(1)</script>', 'x'.repeat(100_000), '"\\'.repeat(20_000), 'tab\there\nnewline\u0000nul\u202Ebidi', '🧾'.repeat(300)];
    for (const [i, text] of texts.entries()) {
      const incident = makeIncident({ id: `hostile${i}`, title: text, template: text, code: text.slice(0, 30) });
      await client.createIssue(
        buildIssueFields({
          incident,
          analysis: makeAnalysis({ summary: text, suggestions: [text] }),
          samples: [text],
          kioskCounts: { [text.slice(0, 20)]: 1 },
          settings: settings(),
        }),
      );
    }
    expect(double.issues).toHaveLength(texts.length);
    expect(double.violations).toEqual([]);
  });

  it('pages through label search results', async () => {
    const client = newClient();
    const incident = makeIncident();
    const fields = buildIssueFields({ incident, samples: [], kioskCounts: {}, settings: settings() });
    for (let i = 0; i < 5; i++) await client.createIssue(fields);
    const found = await client.searchByLabel('PROJ', incidentLabel(incident.id), { maxResults: 2 });
    expect(found.map((f) => f.key)).toEqual(['PROJ-1', 'PROJ-2', 'PROJ-3', 'PROJ-4', 'PROJ-5']);
    expect(double.requestsTo('search')).toHaveLength(3);
    expect(double.violations).toEqual([]);
  });

  it('reports Jira’s 429 with the Retry-After it sent', async () => {
    double.failNext(1, { status: 429, retryAfterSeconds: 3, endpoint: 'create' });
    const err = await failure(newClient().createIssue(buildIssueFields({ incident: makeIncident(), samples: [], kioskCounts: {}, settings: settings() })));
    expect(err).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterSeconds: 3, retryable: true, messages: ['Rate limit exceeded.'] });
  });

  it('reports a create that hangs after Jira created the issue as a timeout, and the label search then finds that issue', async () => {
    double.createThenHang(1);
    const incident = makeIncident();
    const client = newClient({ timeoutMs: 150 });
    const err = await failure(client.createIssue(buildIssueFields({ incident, samples: [], kioskCounts: {}, settings: settings() })));
    expect(err).toMatchObject({ kind: 'timeout', retryable: true });
    expect(double.issues).toHaveLength(1);
    expect((await client.searchByLabel('PROJ', incidentLabel(incident.id))).map((f) => f.key)).toEqual(['PROJ-1']);
  });

  it('uses a rotated token on the very next call', async () => {
    const client = newClient();
    await client.myself();
    double.setToken('rotated-token-2');
    expect((await failure(client.myself())).kind).toBe('auth');
    token = 'rotated-token-2';
    await expect(client.myself()).resolves.toMatchObject({ displayName: 'StackLens Bot' });
  });

  it('does not follow a redirect, so the credentials never reach its target', async () => {
    let targetHits = 0;
    const target = await listen((_req, res) => {
      targetHits++;
      res.end('{}');
    });
    const redirector = await listen((_req, res) => {
      res.writeHead(302, { location: `${urlOf(target)}/rest/api/3/myself` });
      res.end();
    });
    try {
      const err = await failure(newClient({ baseUrl: urlOf(redirector) }).myself());
      expect(err).toMatchObject({ kind: 'invalid', status: 302 });
      expect(targetHits).toBe(0);
    } finally {
      await Promise.all([close(target), close(redirector)]);
    }
  });

  it('never leaks the token through any failure against a real server', async () => {
    const client = newClient({ timeoutMs: 150 });
    const errors: JiraError[] = [];
    token = 'wrong-token-value';
    errors.push(await failure(client.myself()));
    token = TOKEN;
    double.failNext(1, { status: 503, retryAfterSeconds: 2 });
    errors.push(await failure(client.myself()));
    double.createThenHang(1);
    errors.push(await failure(client.createIssue(buildIssueFields({ incident: makeIncident(), samples: [], kioskCounts: {}, settings: settings() }))));
    errors.push(
      await failure(
        client.createIssue(
          buildIssueFields({
            incident: makeIncident(),
            samples: [],
            kioskCounts: {},
            settings: settings({ priorityMap: { ...SETTINGS.priorityMap, high: 'P1' } }),
          }),
        ),
      ),
    );
    const closed = await startJiraDouble();
    await closed.close();
    errors.push(await failure(newClient({ baseUrl: closed.url }).myself()));

    expect(errors.map((e) => e.kind)).toEqual(['auth', 'unavailable', 'timeout', 'invalid', 'network']);
    for (const err of errors) {
      for (const view of [JSON.stringify(err), String(err), err.stack ?? '']) {
        expect(view).not.toContain(TOKEN);
        expect(view).not.toContain('wrong-token-value');
        expect(view).not.toContain(Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64'));
      }
    }
  });
});

describe('testConnection', () => {
  it('answers the account, the project and what it offers when everything is configured right', async () => {
    const result = await testConnection(newClient(), settings());
    expect(result).toEqual({
      ok: true,
      accountId: '5b10ac8d82e05b22cc7d4ef5',
      displayName: 'StackLens Bot',
      project: { key: 'PROJ', name: 'PROJ project' },
      issueTypes: ['Bug', 'Task', 'Story', 'Epic'],
      priorities: ['Highest', 'High', 'Medium', 'Low', 'Lowest'],
    });
    expect(double.requests.map((r) => r.endpoint).sort()).toEqual(['issuetypes', 'myself', 'priorities', 'project']);
    expect(double.violations).toEqual([]);
  });

  it('says bad_credentials for a refused token', async () => {
    token = 'expired';
    expect(await testConnection(newClient(), settings())).toMatchObject({ ok: false, reason: 'bad_credentials' });
  });

  it('says unknown_project for a project Jira does not know', async () => {
    const result = await testConnection(newClient(), settings({ projectKey: 'NOPE' }));
    expect(result).toMatchObject({ ok: false, reason: 'unknown_project' });
    if (!result.ok) expect(result.message).toContain('NOPE');
  });

  it('says no_permission when Jira answers 403', async () => {
    double.failNext(1, { status: 403, endpoint: 'project' });
    expect(await testConnection(newClient(), settings())).toMatchObject({ ok: false, reason: 'no_permission' });
  });

  it('says unreachable when nothing listens, when Jira is down and when it does not answer in time', async () => {
    const closed = await startJiraDouble();
    await closed.close();
    expect(await testConnection(newClient({ baseUrl: closed.url }), settings())).toMatchObject({ ok: false, reason: 'unreachable' });
    double.failNext(1, { status: 503 });
    expect(await testConnection(newClient(), settings())).toMatchObject({ ok: false, reason: 'unreachable' });
    double.delayNext(1, 500, 'myself');
    expect(await testConnection(newClient({ timeoutMs: 50 }), settings())).toMatchObject({ ok: false, reason: 'unreachable' });
  });

  it('says rate_limited with the wait Jira asked for', async () => {
    double.failNext(1, { status: 429, retryAfterSeconds: 30 });
    const result = await testConnection(newClient(), settings());
    expect(result).toMatchObject({ ok: false, reason: 'rate_limited' });
    if (!result.ok) expect(result.message).toContain('30 s');
  });

  it('says invalid_issue_type for a type the project lacks or a sub-task type, suggesting the right case', async () => {
    const wrongCase = await testConnection(newClient(), settings({ issueType: 'bug' }));
    expect(wrongCase).toMatchObject({ ok: false, reason: 'invalid_issue_type' });
    if (!wrongCase.ok) expect(wrongCase.message).toContain('did you mean "Bug"');
    expect(await testConnection(newClient(), settings({ issueType: 'Subtask' }))).toMatchObject({ ok: false, reason: 'invalid_issue_type' });
  });

  it('says invalid_priority naming every mapped priority Jira lacks', async () => {
    const result = await testConnection(newClient(), settings({ priorityMap: { critical: 'Blocker', high: 'high', medium: 'Medium', low: 'Trivial' } }));
    expect(result).toMatchObject({ ok: false, reason: 'invalid_priority' });
    if (!result.ok) {
      expect(result.message).toContain('"Blocker"');
      expect(result.message).toContain('"high" (did you mean "High"?)');
      expect(result.message).toContain('"Trivial"');
      expect(result.message).not.toContain('"Medium"');
    }
  });
});

function listen(handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
