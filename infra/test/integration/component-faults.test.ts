// Components killed under load, as processes: the DynamoDB emulator on its own, and the `npm start` process (the
// workflow runner, the gateway, the CloudWatch Logs endpoint and the built-in agent all live in it). After each
// restart nothing accepted may be missing, nothing may be counted twice, every incident keeps exactly one ticket, and a
// dashboard client that reconnects and catches up the way the web app does ends with what the API holds.
import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startJiraDouble, type JiraDouble } from '../helpers/jira-double/index.js';
import { waitFor } from '../helpers/stack.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const ADMIN = { email: 'ops@example.com', password: 'fault test password 1' };
const JIRA = { email: 'stacklens-bot@example.com', apiToken: 'fault-test-token-Hq82mZ' };

interface IncidentView {
  id: string;
  code: string;
  occurrences: number;
  version: number;
  updatedAt: string;
  ticket?: { status: string; key?: string };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Proc {
  readonly child: ChildProcess;
  readonly output: string[];
}

function launch(args: string[], env: NodeJS.ProcessEnv = process.env): Proc {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(String(d)));
  child.stderr!.on('data', (d: Buffer) => output.push(String(d)));
  return { child, output };
}

async function kill(proc: Proc): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.child.once('exit', resolve));
  proc.child.kill('SIGKILL');
  await exited;
}

/** The DynamoDB emulator as its own process, persisted in `dir`, always on the same port. */
function startDynalite(port: number, dir: string): Proc {
  return launch([path.join(ROOT, 'node_modules/dynalite/cli.js'), '--host', '127.0.0.1', '--port', String(port), '--path', dir, '--createTableMs', '0', '--deleteTableMs', '0', '--updateTableMs', '0']);
}

async function waitForOutput(proc: Proc, text: string, what: string): Promise<void> {
  await waitFor(() => proc.output.join('').includes(text), `${what} (output so far: ${proc.output.join('').slice(-2000)})`, 60_000);
}

/** What the dashboard does: applies pushed incidents, and after every reconnect asks for what changed while it was away. */
class DashboardClient {
  readonly incidents = new Map<string, IncidentView>();
  reconnects = 0;
  private socket: WebSocket | undefined;
  private stopped = false;
  private newestSeen = '';

  constructor(
    private readonly base: () => { api: string; ws: string },
    private readonly token: string,
  ) {}

  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.socket?.terminate();
  }

  private apply(incident: IncidentView): void {
    const known = this.incidents.get(incident.id);
    if (!known || incident.version > known.version) this.incidents.set(incident.id, incident);
    if (incident.updatedAt > this.newestSeen) this.newestSeen = incident.updatedAt;
  }

  private async connect(): Promise<void> {
    while (!this.stopped) {
      try {
        const socket = new WebSocket(`${this.base().ws}?token=${encodeURIComponent(this.token)}`);
        await new Promise<void>((resolve, reject) => {
          socket.once('open', () => resolve());
          socket.once('error', reject);
          socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
        });
        this.socket = socket;
        socket.on('message', (raw) => {
          const message = JSON.parse(String(raw)) as { data?: IncidentView };
          if (message.data?.id && typeof message.data.occurrences === 'number') this.apply(message.data);
        });
        socket.once('close', () => {
          if (this.stopped) return;
          this.reconnects += 1;
          void this.connect();
        });
        await this.catchUp();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  private async catchUp(): Promise<void> {
    // The same margin as the web app: clocks of the writers may differ a little from the one that stamped newestSeen.
    const since = this.newestSeen ? `&updatedSince=${encodeURIComponent(new Date(Date.parse(this.newestSeen) - 15_000).toISOString())}` : '';
    const res = await fetch(`${this.base().api}/incidents?limit=100${since}`, { headers: { authorization: `Bearer ${this.token}` } });
    if (res.status !== 200) throw new Error(`catch-up answered ${res.status}`);
    for (const incident of ((await res.json()) as { items: IncidentView[] }).items) this.apply(incident);
  }
}

/** Error lines at a steady rate across `codes`, each with a unique order id; counts what it wrote per code. */
class LoadWriter {
  readonly written = new Map<string, number>();
  private sequence = 0;

  constructor(
    private readonly file: string,
    private readonly codes: readonly string[],
  ) {}

  async run(linesPerSecond: number, seconds: number, during: (elapsedMs: number) => Promise<void> | void = () => undefined): Promise<void> {
    const started = performance.now();
    const total = linesPerSecond * seconds;
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / linesPerSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      // Codes come in one at a time, so new incidents (and their workflows) keep starting throughout the run.
      const code = this.codes[Math.min(this.codes.length - 1, Math.floor((i / total) * this.codes.length * 1.5)) % this.codes.length]!;
      const order = `ORD-${++this.sequence}`;
      const store = `store-${String((i % 7) + 1).padStart(3, '0')}`;
      await appendFile(this.file, `[${new Date().toISOString()}] [ERROR] Fault probe ${code} on order ${order} | ${JSON.stringify({ code, orderId: order, storeId: store, kioskId: 'kiosk-01' })}\n`);
      this.written.set(code, (this.written.get(code) ?? 0) + 1);
      await during(performance.now() - started);
    }
  }

  get total(): number {
    return [...this.written.values()].reduce((a, b) => a + b, 0);
  }
}

interface Stack {
  readonly api: string;
  readonly ws: string;
  readonly logFile: string;
  readonly proc: Proc;
}

describe('Components killed under load', () => {
  const procs: Proc[] = [];
  const dashboards: DashboardClient[] = [];
  const dirs: string[] = [];
  let jira: JiraDouble | undefined;

  afterEach(async () => {
    for (const dashboard of dashboards.splice(0)) await dashboard.stop();
    for (const proc of procs.splice(0)) await kill(proc);
    await jira?.close();
    jira = undefined;
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  async function setup(options: { externalDynamo: boolean }) {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'stacklens-faults-'));
    dirs.push(dataDir, `${dataDir}.key`);
    const [api, edge, dynamodb] = await Promise.all([freePort(), freePort(), freePort()]);
    jira = await startJiraDouble({ email: JIRA.email, apiToken: JIRA.apiToken, projects: ['OPS'] });
    const dynamoDir = path.join(dataDir, 'external-dynamodb');
    await mkdir(dynamoDir, { recursive: true });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(api),
      STACKLENS_EDGE_PORT: String(edge),
      STACKLENS_DYNAMODB_PORT: String(dynamodb),
      STACKLENS_DATA_DIR: dataDir,
      STACKLENS_SECRETS_KEY_FILE: `${dataDir}.key`,
      STACKLENS_ADMIN_EMAIL: ADMIN.email,
      STACKLENS_ADMIN_PASSWORD: ADMIN.password,
      STACKLENS_JIRA_ALLOW_HOSTS: new URL(jira.url).host,
      ...(options.externalDynamo ? { STACKLENS_DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynamodb}` } : {}),
    };
    const startDynamo = async (): Promise<Proc> => {
      const proc = startDynalite(dynamodb, dynamoDir);
      procs.push(proc);
      await waitForOutput(proc, 'Dynalite listening', 'dynalite to listen');
      return proc;
    };
    const startStack = async (): Promise<Stack> => {
      const proc = launch([path.join(ROOT, 'bin/stacklens.mjs'), 'start', '--no-pos'], env);
      procs.push(proc);
      await waitForOutput(proc, 'pos log', 'StackLens to start');
      return { api: `http://127.0.0.1:${api}/api`, ws: `ws://127.0.0.1:${api}/ws`, logFile: path.join(dataDir, 'logs', 'pos-application.log'), proc };
    };
    return { startDynamo, startStack };
  }

  async function login(stack: Stack): Promise<string> {
    const res = await fetch(`${stack.api}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { token: string }).token;
  }

  async function call<T>(stack: Stack, token: string, method: string, pathname: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${stack.api}${pathname}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async function incidents(stack: Stack, token: string): Promise<IncidentView[]> {
    const res = await call<{ items: IncidentView[] }>(stack, token, 'GET', '/incidents?limit=100');
    expect(res.status).toBe(200);
    return res.body.items;
  }

  async function settled(stack: Stack, token: string, writer: LoadWriter, check: (items: IncidentView[]) => boolean = () => true): Promise<IncidentView[]> {
    return waitFor(
      async () => {
        const items = await incidents(stack, token);
        const total = items.reduce((sum, i) => sum + i.occurrences, 0);
        return total >= writer.total && check(items) ? items : undefined;
      },
      `all ${writer.total} occurrences counted`,
      90_000,
    );
  }

  function expectExactCounts(items: IncidentView[], writer: LoadWriter): void {
    const counted = Object.fromEntries(items.map((i) => [i.code, i.occurrences]));
    expect(counted).toEqual(Object.fromEntries(writer.written));
  }

  async function expectDashboardCaughtUp(dashboard: DashboardClient, items: IncidentView[]): Promise<void> {
    await waitFor(
      () => items.every((i) => dashboard.incidents.get(i.id)?.occurrences === i.occurrences) && dashboard.incidents.size === items.length,
      'the dashboard client to hold what the API holds',
      30_000,
    );
  }

  it('loses and double-counts nothing while the DynamoDB process is SIGKILLed and restarted three times', async () => {
    // Prepare
    const { startDynamo, startStack } = await setup({ externalDynamo: true });
    let dynamo = await startDynamo();
    const stack = await startStack();
    const token = await login(stack);
    const dashboard = new DashboardClient(() => stack, token);
    dashboards.push(dashboard);
    await dashboard.start();
    const writer = new LoadWriter(stack.logFile, ['DB_FAULT_A', 'DB_FAULT_B', 'DB_FAULT_C', 'DB_FAULT_D']);
    const kills = [3_000, 6_500, 10_000];

    // Act: 100 errors/s for 13 s; each kill leaves the database down for 1 s
    let restarting: Promise<void> = Promise.resolve();
    await writer.run(100, 13, (elapsed) => {
      if (kills.length > 0 && elapsed >= kills[0]!) {
        kills.shift();
        restarting = restarting.then(async () => {
          await kill(dynamo);
          await new Promise((r) => setTimeout(r, 1_000));
          dynamo = await startDynamo();
        });
      }
    });
    await restarting;
    const items = await settled(stack, token, writer);
    // A late duplicate would show up after the counts first match: give redelivery a moment, then read again.
    await new Promise((r) => setTimeout(r, 3_000));

    // Assess
    expect(kills).toEqual([]);
    expectExactCounts(await incidents(stack, token), writer);
    expect(writer.total).toBe(1_300);
    await expectDashboardCaughtUp(dashboard, items);
  }, 180_000);

  it('loses and double-counts nothing, and opens exactly one ticket per incident, while the whole stack process is SIGKILLed twice', async () => {
    // Prepare: automation on, so incidents appearing during the run start workflows that the kills interrupt
    const { startStack } = await setup({ externalDynamo: false });
    let stack = await startStack();
    const token = await login(stack);
    const jiraSettings = await call(stack, token, 'PUT', '/integrations/jira', {
      baseUrl: jira!.url,
      email: JIRA.email,
      apiToken: JIRA.apiToken,
      projectKey: 'OPS',
      issueType: 'Bug',
      priorityMap: { critical: 'Highest', high: 'High', medium: 'Medium', low: 'Low' },
      enabled: true,
    });
    expect(jiraSettings.status).toBe(200);
    expect((await call(stack, token, 'PUT', '/settings/automation', { autoTicket: true, minSeverity: 'low', maxTicketsPerHour: 100, ticketRetryBudgetSeconds: 30 })).status).toBe(200);
    let current = stack;
    const dashboard = new DashboardClient(() => current, token);
    dashboards.push(dashboard);
    await dashboard.start();
    const codes = Array.from({ length: 12 }, (_, i) => `PROC_FAULT_${String.fromCharCode(65 + i)}`);
    const writer = new LoadWriter(stack.logFile, codes);
    const kills = [4_000, 9_000];

    // Act: 100 errors/s for 14 s; the log keeps growing while the process is down, as the POS does not stop
    let restarting: Promise<void> = Promise.resolve();
    await writer.run(100, 14, (elapsed) => {
      if (kills.length > 0 && elapsed >= kills[0]!) {
        kills.shift();
        restarting = restarting.then(async () => {
          await kill(stack.proc);
          stack = await startStack();
          current = stack;
        });
      }
    });
    await restarting;
    const items = await settled(stack, token, writer, (all) => all.length === codes.length && all.every((i) => i.ticket?.status === 'created'));
    await new Promise((r) => setTimeout(r, 3_000));

    // Assess
    expect(kills).toEqual([]);
    const final = await incidents(stack, token);
    expectExactCounts(final, writer);
    const keys = final.map((i) => i.ticket?.key);
    expect(new Set(keys).size).toBe(codes.length);
    expect(jira!.issues).toHaveLength(codes.length);
    expect(jira!.issues.map((issue) => issue.key).sort()).toEqual([...keys].sort());
    expect(dashboard.reconnects).toBeGreaterThanOrEqual(2);
    await expectDashboardCaughtUp(dashboard, final);
  }, 180_000);
});
