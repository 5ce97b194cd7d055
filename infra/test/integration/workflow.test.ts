import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startJiraDouble, type JiraDouble } from '../helpers/jira-double/index.js';
import { connectLive, startTestStack, waitFor, type LiveClient, type TestStack } from '../helpers/stack.js';

interface IncidentView {
  id: string;
  code: string;
  occurrences: number;
  status: string;
  analysis?: { source: string; confidence: number; summary: string; fallbackReason?: string };
  ticket?: { status: string; key?: string; url?: string; error?: string; attempts: number };
  timeline?: Array<{ step: string; status: string; durationMs: number; detail?: Record<string, unknown> }>;
}

const JIRA_EMAIL = 'stacklens-bot@example.com';
const FIRST_TOKEN = 'first-token-Zx81qLmR4tVw9';
const SECOND_TOKEN = 'second-token-Pq27sNd0aKe3';
const PRIORITIES = { critical: 'Highest', high: 'High', medium: 'Medium', low: 'Low' };

describe('Workflow: analysis and exactly one Jira ticket per incident', () => {
  let jira: JiraDouble;
  let stack: TestStack;
  let live: LiveClient;
  const logs: string[] = [];
  const responses: string[] = [];

  const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await stack.api<T>(method, path, body);
    responses.push(JSON.stringify(res.body));
    return res;
  };

  const incidentByCode = async (code: string): Promise<IncidentView | undefined> => {
    const list = await api<{ items: IncidentView[] }>('GET', `/api/incidents?code=${code}`);
    const first = list.body.items[0];
    if (!first) return undefined;
    return (await api<IncidentView>('GET', `/api/incidents/${first.id}`)).body;
  };

  const trigger = async (scenario: string, count = 1): Promise<void> => {
    const res = await stack.pos('POST', `/api/scenarios/${scenario}/trigger`, { count });
    expect(res.status).toBe(202);
  };

  const creates = (): number => jira.requests.filter((r) => r.endpoint === 'create' && r.status === 201).length;

  const originalWrites = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };

  beforeAll(async () => {
    // Everything the handlers print (Powertools logger writes straight to stdout) is kept for the secret scan below.
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      logs.push(String(chunk));
      return originalWrites.out(chunk, ...rest);
    }) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      logs.push(String(chunk));
      return originalWrites.err(chunk, ...rest);
    }) as typeof process.stderr.write;
    jira = await startJiraDouble({ email: JIRA_EMAIL, apiToken: FIRST_TOKEN, projects: ['OPS'] });
    const jiraHost = new URL(jira.url).host;
    stack = await startTestStack({
      jira: { allowHosts: [jiraHost], timeoutMs: 1_000, reconcileDelayMs: 1_500 },
      dashboardUrl: 'http://127.0.0.1:3000',
      log: (line) => logs.push(line),
    });
    live = await connectLive(stack.urls.ws, await stack.token());
    const saved = await api<{ apiTokenSet: boolean }>('PUT', '/api/integrations/jira', {
      baseUrl: jira.url,
      email: JIRA_EMAIL,
      apiToken: FIRST_TOKEN,
      projectKey: 'OPS',
      issueType: 'Bug',
      priorityMap: PRIORITIES,
      enabled: true,
      commentWindowMinutes: 1,
    });
    expect(saved.status).toBe(200);
    expect(saved.body.apiTokenSet).toBe(true);
    const automation = await api('PUT', '/api/settings/automation', { autoTicket: true, minSeverity: 'medium', maxTicketsPerHour: 100, ticketRetryBudgetSeconds: 4 });
    expect(automation.status).toBe(200);
  });

  afterAll(async () => {
    process.stdout.write = originalWrites.out;
    process.stderr.write = originalWrites.err;
    await live?.close();
    await stack?.close();
    await jira?.close();
  });

  it('never returns the token from the settings API', async () => {
    const settings = await api<Record<string, unknown>>('GET', '/api/integrations/jira');
    expect(settings.body.apiTokenSet).toBe(true);
    expect(JSON.stringify(settings.body)).not.toContain(FIRST_TOKEN);
  });

  it('turns an order for product 999 into an analysed incident with one Jira ticket', async () => {
    const started = Date.now();
    await stack.pos('POST', '/api/orders', { storeId: 'store-001', kioskId: 'kiosk-01', items: [{ productId: '999', quantity: 1 }] });
    const incident = await waitFor(async () => {
      const found = await incidentByCode('MISSING_PRICE');
      const finished = found?.timeline?.some((t) => t.step === 'notified' && t.detail?.workflow === 'done');
      return found?.ticket?.status === 'created' && found.analysis && finished ? found : undefined;
    }, 'analysis, ticket and the workflow finished on MISSING_PRICE', 5_000);
    // The acceptance bound; the benchmark reports the real figures.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(incident.analysis!.source).toBe('builtin');
    expect(incident.analysis!.confidence).toBeGreaterThan(0.5);
    expect(incident.ticket!.key).toMatch(/^OPS-\d+$/);
    expect(incident.ticket!.url).toBe(`${jira.url}/browse/${incident.ticket!.key}`);
    expect(creates()).toBe(1);
    const issue = jira.issues.find((i) => i.key === incident.ticket!.key)!;
    expect(issue.labels).toContain(`stacklens-${incident.id}`);
    expect(JSON.stringify(issue.description)).toContain(`/incidents/${incident.id}`);
    expect(incident.timeline!.map((t) => t.step)).toEqual(expect.arrayContaining(['detected', 'analysis', 'ticket', 'notified']));
    await waitFor(() => live.messages.some((m) => m.data.id === incident.id && (m.data.ticket as { status?: string } | undefined)?.status === 'created'), 'the ticket pushed live');
    expect(jira.violations).toEqual([]);
  });

  it('waits out three 429s with Retry-After and still opens one ticket', async () => {
    const before = creates();
    jira.failNext(3, { status: 429, retryAfterSeconds: 1, endpoint: 'create' });
    await trigger('payment-gateway-timeout');
    const incident = await waitFor(async () => {
      const found = await incidentByCode('PAYMENT_TIMEOUT');
      return found?.ticket?.status === 'created' ? found : undefined;
    }, 'a ticket after the 429s', 30_000);
    expect(creates() - before).toBe(1);
    expect(jira.requests.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(3);
    expect(incident.ticket!.attempts).toBeGreaterThanOrEqual(3);
  });

  it('keeps one ticket when Jira creates the issue but the answer never arrives', async () => {
    const before = creates();
    jira.createThenHang(1);
    await trigger('receipt-printer-jam');
    const incident = await waitFor(async () => {
      const found = await incidentByCode('PRINTER_JAM');
      return found?.ticket?.status === 'created' ? found : undefined;
    }, 'the ticket reconciled by label', 30_000);
    expect(jira.issues.filter((i) => i.labels.includes(`stacklens-${incident.id}`))).toHaveLength(1);
    // The hung create was never answered, so it has no status; no second create was sent after it.
    expect(creates() - before).toBe(0);
    expect(jira.requests.filter((r) => r.endpoint === 'create' && r.status === undefined)).toHaveLength(1);
  });

  it('marks the ticket failed after the retry budget, then a manual retry opens exactly one', async () => {
    jira.failFor(60_000, { status: 500, endpoint: 'create' });
    await trigger('dns-resolution-failure');
    const failed = await waitFor(async () => {
      const found = await incidentByCode('DNS_RESOLUTION_FAIL');
      return found?.ticket?.status === 'failed' ? found : undefined;
    }, 'the ticket marked failed', 40_000);
    expect(failed.ticket!.error).toMatch(/500|budget/i);
    jira.clearFaults();
    const before = creates();
    const first = await api<{ ticket: { status: string } }>('POST', `/api/incidents/${failed.id}/ticket`);
    const second = await api<{ ticket: { status: string } }>('POST', `/api/incidents/${failed.id}/ticket`);
    expect([200, 202]).toContain(first.status);
    expect([200, 202]).toContain(second.status);
    const ticketed = await waitFor(async () => {
      const found = await incidentByCode('DNS_RESOLUTION_FAIL');
      return found?.ticket?.status === 'created' ? found : undefined;
    }, 'the manual ticket', 30_000);
    expect(creates() - before).toBe(1);
    const again = await api<{ ticket: { key: string } }>('POST', `/api/incidents/${ticketed.id}/ticket`);
    expect(again.status).toBe(200);
    expect(again.body.ticket.key).toBe(ticketed.ticket!.key);
  });

  it('uses a newly saved token on the very next Jira call, without a restart', async () => {
    jira.setToken(SECOND_TOKEN);
    const saved = await api('PUT', '/api/integrations/jira', {
      baseUrl: jira.url,
      email: JIRA_EMAIL,
      apiToken: SECOND_TOKEN,
      projectKey: 'OPS',
      issueType: 'Bug',
      priorityMap: PRIORITIES,
      enabled: true,
      commentWindowMinutes: 1,
    });
    expect(saved.status).toBe(200);
    const before = creates();
    await trigger('scanner-malfunction');
    await waitFor(async () => {
      const found = await incidentByCode('SCANNER_ERROR');
      return found?.ticket?.status === 'created' ? found : undefined;
    }, 'a ticket with the new token', 15_000);
    expect(creates() - before).toBe(1);
    expect(jira.requests.filter((r) => r.status === 401)).toHaveLength(0);
  });

  it('rejects settings Jira would refuse, naming the field', async () => {
    const bad = await api<{ error: { code: string; details: { fields: Array<{ field: string }> } } }>('PUT', '/api/integrations/jira', {
      baseUrl: jira.url,
      email: JIRA_EMAIL,
      projectKey: 'OPS',
      issueType: 'Spaceship',
      priorityMap: PRIORITIES,
      enabled: true,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields[0]!.field).toBe('issueType');
    const elsewhere = await api<{ error: { details: { fields: Array<{ field: string }> } } }>('PUT', '/api/integrations/jira', {
      baseUrl: 'https://evil.example.com',
      email: JIRA_EMAIL,
      projectKey: 'OPS',
      issueType: 'Bug',
      priorityMap: PRIORITIES,
      enabled: true,
    });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error.details.fields[0]!.field).toBe('baseUrl');
  });

  it('keeps a flood of 10,000 occurrences to one incident, one ticket and comments bounded by the window', async () => {
    const before = creates();
    const startedAt = Date.now();
    for (let i = 0; i < 10; i++) await trigger('cpu-overload', 1000);
    const incident = await waitFor(async () => {
      const found = await incidentByCode('CPU_OVERLOAD');
      return found && found.occurrences >= 10_000 ? found : undefined;
    }, '10,000 occurrences', 240_000);
    expect(incident.occurrences).toBe(10_000);
    expect((await api<{ items: IncidentView[] }>('GET', '/api/incidents?code=CPU_OVERLOAD')).body.items).toHaveLength(1);
    await waitFor(async () => ((await incidentByCode('CPU_OVERLOAD'))?.ticket?.status === 'created' ? true : undefined), 'the flood ticket');
    expect(creates() - before).toBe(1);
    const minutes = (Date.now() - startedAt) / 60_000;
    const comments = jira.issues.find((i) => i.labels.includes(`stacklens-${incident.id}`))!.comments.length;
    // One-minute window: at most one comment per started minute after the ticket.
    expect(comments).toBeLessThanOrEqual(Math.ceil(minutes) + 1);
    // Alone this takes ~40 s; beside other suites on two cores it has taken over a minute.
  }, 300_000);

  it('reopens a resolved incident that recurs as regressed and comments on its ticket', async () => {
    const incident = (await incidentByCode('MISSING_PRICE'))!;
    const key = incident.ticket!.key!;
    const resolved = await api<IncidentView>('PATCH', `/api/incidents/${incident.id}`, { status: 'resolved' });
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toBe('resolved');
    await stack.pos('POST', '/api/orders', { storeId: 'store-002', kioskId: 'kiosk-03', items: [{ productId: '999', quantity: 1 }] });
    const reopened = await waitFor(async () => {
      const found = await incidentByCode('MISSING_PRICE');
      return found?.status === 'open' && (found as { regressions?: number }).regressions === 1 ? found : undefined;
    }, 'the incident reopened as regressed');
    expect(reopened.ticket!.key).toBe(key);
    const comment = await waitFor(() => jira.issueByKey(key)?.comments[0], 'a regression comment on the ticket', 15_000);
    expect(JSON.stringify(comment)).toMatch(/recur|regress/i);
  });

  it('re-runs the analysis on request and records it on the timeline', async () => {
    const incident = (await incidentByCode('SCANNER_ERROR'))!;
    const before = incident.timeline!.filter((t) => t.step === 'analysis').length;
    const res = await api<{ execution: string }>('POST', `/api/incidents/${incident.id}/analyze`);
    expect(res.status).toBe(202);
    await waitFor(async () => ((await incidentByCode('SCANNER_ERROR'))!.timeline!.filter((t) => t.step === 'analysis').length > before ? true : undefined), 'a second analysis');
    expect((await api('POST', '/api/incidents/0000000000000000/analyze')).status).toBe(404);
  });

  it('never lets a Jira token into an API response, a WebSocket message or a log line', () => {
    const everything = [...responses, ...live.messages.map((m) => JSON.stringify(m)), ...logs].join('\n');
    for (const token of [FIRST_TOKEN, SECOND_TOKEN]) {
      expect(everything).not.toContain(token);
      expect(everything).not.toContain(Buffer.from(`${JIRA_EMAIL}:${token}`).toString('base64'));
    }
    expect(responses.length).toBeGreaterThan(10);
    expect(live.messages.length).toBeGreaterThan(5);
    // Every request this suite made Jira handle was valid against Jira's OpenAPI schemas and the ADF schema.
    expect(jira.violations).toEqual([]);
  });
});
