import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startLocalStack } from '../src/local/runtime.js';
import { startJiraDouble } from '../test/helpers/jira-double/index.js';
import { percentile } from './run.js';
import type { BenchFigure } from './types.js';

const INCIDENTS = 60;
/** The first incidents pay for cold code paths (JIT, schema compilation in the double); steady state is what we report. */
const WARM_UP = 5;
const PER_SECOND = 5;

/**
 * Detection → analysis and analysis → ticket, read off each incident's timeline, with the local Step Functions runner,
 * the built-in analyzer and the Jira Cloud double (loopback). Each probe line carries its own code, so each is a new incident.
 */
export async function benchWorkflow(): Promise<BenchFigure[]> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'stacklens-bench-wf-'));
  const jira = await startJiraDouble({ email: 'bench@example.com', apiToken: 'bench-token', projects: ['OPS'] });
  const stack = await startLocalStack({
    dataDir,
    ports: { api: 0, pos: 0, edge: 0, dynamodb: 0 },
    pos: false,
    admin: { email: 'bench@example.com', password: 'bench password 1' },
    secretsKeyFile: `${dataDir}.key`,
    jira: { allowHosts: [new URL(jira.url).host] },
  });
  try {
    const call = async (method: string, route: string, body?: unknown, token?: string): Promise<unknown> => {
      const res = await fetch(`${stack.urls.api}${route}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const { token } = (await call('POST', '/auth/login', { email: 'bench@example.com', password: 'bench password 1' })) as { token: string };
    await call('PUT', '/integrations/jira', {
      baseUrl: jira.url,
      email: 'bench@example.com',
      apiToken: 'bench-token',
      projectKey: 'OPS',
      issueType: 'Bug',
      priorityMap: { critical: 'Highest', high: 'High', medium: 'Medium', low: 'Low' },
      enabled: true,
    }, token);
    await call('PUT', '/settings/automation', { autoTicket: true, minSeverity: 'low', maxTicketsPerHour: 1000, ticketRetryBudgetSeconds: 180 }, token);

    for (let i = 0; i < INCIDENTS; i++) {
      const code = `BENCH_WORKFLOW_PROBE_${i}`;
      await appendFile(stack.logFile, `[${new Date().toISOString()}] [ERROR] Workflow probe ${code} failed | {"code":"${code}","storeId":"store-001","kioskId":"kiosk-01"}\n`);
      await new Promise((r) => setTimeout(r, 1000 / PER_SECOND));
    }
    const deadline = Date.now() + 60_000;
    const toAnalysis: number[] = [];
    const toTicket: number[] = [];
    let ticketed = 0;
    while (Date.now() < deadline) {
      const page = (await call('GET', '/incidents?limit=100', undefined, token)) as { items: Array<{ id: string; ticket?: { status: string } }> };
      ticketed = page.items.filter((i) => i.ticket?.status === 'created').length;
      if (ticketed >= INCIDENTS) {
        // Newest first: the last WARM_UP items are the first incidents written.
        for (const { id } of page.items.slice(0, INCIDENTS - WARM_UP)) {
          const detail = (await call('GET', `/incidents/${id}`, undefined, token)) as { timeline: Array<{ step: string; at: string; status: string }> };
          const at = (step: string) => Date.parse(detail.timeline.find((t) => t.step === step && t.status === 'ok')?.at ?? '');
          toAnalysis.push(at('analysis') - at('detected'));
          toTicket.push(at('ticket') - at('analysis'));
        }
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return [
      { name: 'detection → analysis p50', value: percentile(toAnalysis, 50), unit: 'ms' },
      { name: 'detection → analysis p99', value: percentile(toAnalysis, 99), unit: 'ms', target: '<= 50' },
      { name: 'analysis → ticket p50 (Jira double)', value: percentile(toTicket, 50), unit: 'ms' },
      { name: 'analysis → ticket p99 (Jira double)', value: percentile(toTicket, 99), unit: 'ms', target: '<= 250' },
      { name: `workflow probes measured (after ${WARM_UP} warm-up)`, value: toAnalysis.length, unit: 'incidents' },
      { name: 'workflow probe incidents without a ticket', value: INCIDENTS - ticketed, unit: 'incidents', target: '0' },
    ];
  } finally {
    await stack.stop();
    await jira.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(`${dataDir}.key`, { force: true });
  }
}
