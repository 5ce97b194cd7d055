// The soak: a fleet of kiosks, each a real bundled pos-agent process under the kiosk unit's Node options, writing
// errors at a steady total rate into their own POS logs, shipped through the local pipeline (CloudWatch Logs endpoint,
// subscription, ingest, DynamoDB, WebSocket) to a dashboard socket. Per window it records the write → WebSocket
// latency of every line and the RSS and CPU of every process; at the end every line must be counted exactly once.
//
// The stack runs as `stacklens start` in its own process, as a user runs it: sharing this process's event loop with
// the writer and the socket reader would slow the writer whenever the stack is busy, and measure that instead.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { kioskNodeOptions } from '../../pos-agent/bench/agent-throughput.js';
import { rssBytes, spawnAgent, type AgentProcess } from '../test/helpers/agent-process.js';
import { capture } from '../test/helpers/sweep.js';
import { median, percentile } from './run.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ADMIN = { email: 'soak@example.com', password: 'soak password 1' };

export interface SoakOptions {
  readonly durationMs: number;
  readonly errorsPerSecond: number;
  readonly kiosks: number;
  /** Latency and memory are reported per window of this length. */
  readonly windowMs: number;
  readonly log?: (line: string) => void;
}

export interface SoakWindow {
  readonly index: number;
  readonly lines: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  /** RSS in MB: the stack process, and the largest agent. */
  readonly stackRssMb: number;
  readonly maxAgentRssMb: number;
  /** CPU in percent of one core over the window: the stack process, and all agents together. */
  readonly stackCpuPercent: number;
  readonly agentsCpuPercent: number;
}

export interface SoakReport {
  readonly written: number;
  readonly counted: number;
  /** Lines whose incident never reached their occurrence number on the socket. */
  readonly undelivered: number;
  /** Kiosks whose incident count differs from what they wrote (lost if below, double-counted if above). */
  readonly mismatches: Array<{ kiosk: string; written: number; counted: number }>;
  readonly windows: SoakWindow[];
  /** Per process, growth of median RSS over the second half of the run (see memoryBaseline), in percent. */
  readonly rssGrowthPercent: { stack: number; agentsMax: number };
  readonly drainMs: number;
  /** Lines per second the writer achieved; below the asked rate when this process fell behind. */
  readonly achievedRate: number;
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => undefined);
  await promisify(execFile)('npm', ['run', '--silent', 'build', '-w', 'pos-agent'], { cwd: ROOT });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stacklens-soak-'));
  const stack = await startStackProcess(dir, log);
  const agents: AgentProcess[] = [];
  let socket: WebSocket | undefined;
  try {
    const nodeOptions = await kioskNodeOptions();
    const kiosks = Array.from({ length: options.kiosks }, (_, i) => {
      const n = String(i + 1).padStart(2, '0');
      return {
        name: `kiosk-${n}`,
        store: `store-${n}`,
        code: `SOAK_K${n}`,
        file: path.join(dir, 'logs', `pos-${n}.log`),
        written: [] as number[],
        delivered: 0,
        latencies: [] as Array<[number, number]>,
      };
    });
    await mkdir(path.join(dir, 'logs'));
    for (const kiosk of kiosks) {
      await writeFile(kiosk.file, '');
      agents.push(
        spawnAgent(
          [
            '--file',
            kiosk.file,
            '--store',
            kiosk.store,
            '--kiosk',
            kiosk.name,
            '--endpoint',
            stack.urls.edge,
            '--state-dir',
            path.join(dir, 'state', kiosk.name),
            '--status-interval-ms',
            '0',
          ],
          { script: path.join(ROOT, 'pos-agent/dist/pos-agent.mjs'), nodeOptions },
        ),
      );
    }
    const followDeadline = Date.now() + 120_000;
    while (!agents.every((a) => a.output.some((line) => line.includes('following '))) && Date.now() < followDeadline) await sleep(100);
    if (!agents.every((a) => a.output.some((line) => line.includes('following ')))) throw new Error('not every agent started following its log within 120 s');
    log(`${agents.length} agents following their logs`);

    const login = await fetch(`${stack.urls.api}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    const { token } = (await login.json()) as { token: string };
    socket = new WebSocket(`${stack.urls.ws}?token=${encodeURIComponent(token)}`);
    await new Promise((resolve, reject) => socket!.once('open', resolve).once('error', reject));
    const byCode = new Map(kiosks.map((k) => [k.code, k]));
    const started = performance.now();
    socket.on('message', (raw) => {
      const received = performance.now();
      const message = JSON.parse(String(raw)) as { data?: { code?: string; occurrences?: number } };
      const kiosk = byCode.get(message.data?.code ?? '');
      if (!kiosk) return;
      const upTo = Math.min(message.data!.occurrences ?? 0, kiosk.written.length);
      for (; kiosk.delivered < upTo; kiosk.delivered++) {
        const writtenAt = kiosk.written[kiosk.delivered]!;
        kiosk.latencies.push([Math.floor((writtenAt - started) / options.windowMs), received - writtenAt]);
      }
    });

    const rss: Array<{ window: number; stack: number; agents: number[] }> = [];
    const cpu: Array<{ window: number; stack: number; agents: number }> = [];
    const agentPids = agents.map((a) => a.child.pid!);
    let cpuBefore = { at: performance.now(), stack: cpuSeconds(stack.child.pid!), agents: sumCpuSeconds(agentPids) };
    const sampler = setInterval(() => {
      const now = performance.now();
      const window = Math.floor((now - started) / options.windowMs);
      rss.push({ window, stack: stack.rss() / 1e6, agents: agents.map((a) => a.rss() / 1e6) });
      const cpuNow = { at: now, stack: cpuSeconds(stack.child.pid!), agents: sumCpuSeconds(agentPids) };
      const seconds = (cpuNow.at - cpuBefore.at) / 1000;
      cpu.push({ window, stack: ((cpuNow.stack - cpuBefore.stack) / seconds) * 100, agents: ((cpuNow.agents - cpuBefore.agents) / seconds) * 100 });
      cpuBefore = cpuNow;
    }, 2_000);

    // Round-robin over kiosks at the total rate, so each kiosk writes errorsPerSecond / kiosks lines a second.
    const total = Math.round((options.errorsPerSecond * options.durationMs) / 1000);
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / options.errorsPerSecond;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const kiosk = kiosks[i % kiosks.length]!;
      const order = `S${kiosk.name.slice(-2)}-${kiosk.written.length + 1}`;
      kiosk.written.push(performance.now());
      await appendFile(
        kiosk.file,
        `[${new Date().toISOString()}] [ERROR] Soak probe failed for order ${order} | {"code":"${kiosk.code}","orderId":"${order}","storeId":"${kiosk.store}","kioskId":"${kiosk.name}"}\n`,
      );
      if (i > 0 && i % (options.errorsPerSecond * 60) === 0) log(`${Math.round((performance.now() - started) / 1000)} s: ${i} lines written`);
    }
    const writtenAll = performance.now();
    const achievedRate = total / ((writtenAll - started) / 1000);
    // Generous: a run that falls behind should report its figures, not time out without any.
    const deadline = Date.now() + 150_000;
    while (kiosks.some((k) => k.delivered < k.written.length) && Date.now() < deadline) await sleep(100);
    const drainMs = performance.now() - writtenAll;
    clearInterval(sampler);

    const list = await fetch(`${stack.urls.api}/incidents?limit=100`, { headers: { authorization: `Bearer ${token}` } });
    const incidents = ((await list.json()) as { items: Array<{ code: string; occurrences: number }> }).items;
    const countedByCode = new Map(incidents.map((i) => [i.code, i.occurrences]));
    const mismatches = kiosks
      .map((k) => ({ kiosk: k.name, written: k.written.length, counted: countedByCode.get(k.code) ?? 0 }))
      .filter((m) => m.written !== m.counted);

    const windowCount = Math.ceil(options.durationMs / options.windowMs);
    const windows: SoakWindow[] = Array.from({ length: windowCount }, (_, index) => {
      const latencies = kiosks.flatMap((k) => k.latencies.filter(([w]) => w === index).map(([, ms]) => ms));
      const samples = rss.filter((s) => s.window === index);
      const cpuSamples = cpu.filter((s) => s.window === index);
      return {
        index,
        lines: latencies.length,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        stackRssMb: samples.length ? median(samples.map((s) => s.stack)) : Number.NaN,
        maxAgentRssMb: samples.length ? Math.max(...agents.map((_, a) => median(samples.map((s) => s.agents[a]!)))) : Number.NaN,
        stackCpuPercent: cpuSamples.length ? mean(cpuSamples.map((s) => s.stack)) : Number.NaN,
        agentsCpuPercent: cpuSamples.length ? mean(cpuSamples.map((s) => s.agents)) : Number.NaN,
      };
    });
    const baseline = memoryBaseline(windows);
    const last = windows.at(-1)!;
    const growth = (from: number, to: number) => ((to - from) / from) * 100;
    const perAgentGrowth = agents.map((_, a) => {
      const at = (w: number) => median(rss.filter((s) => s.window === w).map((s) => s.agents[a]!));
      return growth(at(baseline.index), at(last.index));
    });
    return {
      written: total,
      counted: incidents.filter((i) => byCode.has(i.code)).reduce((sum, i) => sum + i.occurrences, 0),
      undelivered: kiosks.reduce((sum, k) => sum + (k.written.length - k.delivered), 0),
      mismatches,
      windows,
      rssGrowthPercent: { stack: growth(baseline.stackRssMb, last.stackRssMb), agentsMax: Math.max(...perAgentGrowth) },
      drainMs,
      achievedRate,
    };
  } finally {
    socket?.close();
    await Promise.all(agents.map((a) => (a.child.exitCode === null ? a.kill('SIGTERM') : undefined)));
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The window growth and drift are measured from: the second (the first holds start-up), unless it is also the last. */
function warmedUp(windows: readonly SoakWindow[]): SoakWindow {
  return windows[windows.length >= 3 ? 1 : 0]!;
}

/**
 * The window memory growth is measured from: the middle one. Bounded stores fill over the first minutes (the local
 * CloudWatch Logs' 8 MiB event window, V8 sizing its heap, LevelDB's caches) and then hold; a leak keeps growing
 * through the second half too. Measured from the second window, filling looked like leaking.
 */
function memoryBaseline(windows: readonly SoakWindow[]): SoakWindow {
  return windows.length >= 4 ? windows[Math.floor(windows.length / 2) - 1]! : warmedUp(windows);
}

/** Largest RSS growth over the second half of a soak that still counts as flat. */
export const MAX_RSS_GROWTH_PERCENT = 10;

/** The write → dashboard p99 every soak window must stay under: the flagship promise is "within seconds". */
export const MAX_P99_MS = 5_000;

/** What `npm run soak` holds the run to: nothing lost or doubled, memory flat once filled, latency as good at the end as after warm-up. */
export function soakVerdict(report: SoakReport, options: SoakOptions): string[] {
  const problems: string[] = [];
  if (report.counted !== report.written || report.mismatches.length > 0)
    problems.push(`counted ${report.counted} of ${report.written} lines (${report.mismatches.length} kiosks off)`);
  if (report.achievedRate < 0.95 * options.errorsPerSecond)
    problems.push(`the writer reached only ${report.achievedRate.toFixed(0)} of ${options.errorsPerSecond} lines/s`);
  if (report.undelivered > 0) problems.push(`${report.undelivered} lines never reached the dashboard socket`);
  if (report.rssGrowthPercent.stack > MAX_RSS_GROWTH_PERCENT)
    problems.push(`stack RSS grew ${report.rssGrowthPercent.stack.toFixed(1)}% over the second half of the run`);
  if (report.rssGrowthPercent.agentsMax > MAX_RSS_GROWTH_PERCENT)
    problems.push(`an agent's RSS grew ${report.rssGrowthPercent.agentsMax.toFixed(1)}% over the second half of the run`);
  const baseline = warmedUp(report.windows);
  const last = report.windows.at(-1)!;
  // A window is "as good" when its p99 is within twice the warmed-up one plus a quarter second of scheduling noise.
  if (last.p99 > 2 * baseline.p99 + 250) problems.push(`p99 latency went from ${baseline.p99.toFixed(0)} ms to ${last.p99.toFixed(0)} ms`);
  // Stable is not enough: a pipeline that is a steady minute behind is stable too. The product promises seconds.
  const slow = report.windows.filter((w) => w.lines > 0 && w.p99 > MAX_P99_MS);
  if (slow.length > 0)
    problems.push(`p99 latency above ${MAX_P99_MS / 1000} s in window(s) ${slow.map((w) => `${w.index + 1} (${(w.p99 / 1000).toFixed(1)} s)`).join(', ')}`);
  return problems;
}

export function formatSoak(report: SoakReport, options: SoakOptions): string {
  const rows = report.windows.map(
    (w) =>
      `| ${String(w.index + 1).padStart(6)} | ${String(w.lines).padStart(6)} | ${w.p50.toFixed(0).padStart(5)} | ${w.p95.toFixed(0).padStart(5)} | ${w.p99.toFixed(0).padStart(5)} | ${w.stackRssMb.toFixed(1).padStart(9)} | ${w.maxAgentRssMb.toFixed(1).padStart(12)} | ${w.stackCpuPercent.toFixed(0).padStart(11)} | ${w.agentsCpuPercent.toFixed(0).padStart(12)} |`,
  );
  return [
    `soak: ${options.errorsPerSecond} errors/s across ${options.kiosks} kiosks for ${(options.durationMs / 60_000).toFixed(1)} min, windows of ${options.windowMs / 1000} s`,
    '| window |  lines |   p50 |   p95 |   p99 |  stack MB | max agent MB | stack CPU % | agents CPU % |',
    '| ------ | ------ | ----- | ----- | ----- | --------- | ------------ | ----------- | ------------ |',
    ...rows,
    `writer reached ${report.achievedRate.toFixed(0)} lines/s of ${options.errorsPerSecond} asked`,
    `written ${report.written}, counted ${report.counted}, not delivered to the socket ${report.undelivered}, kiosks off ${report.mismatches.length}`,
    `RSS growth over the second half: stack ${report.rssGrowthPercent.stack.toFixed(1)}%, worst agent ${report.rssGrowthPercent.agentsMax.toFixed(1)}%; drained ${report.drainMs.toFixed(0)} ms after the last write`,
  ].join('\n');
}

/** `stacklens soak [--minutes 10] [--rate 200] [--kiosks 50]`: exits 1 when the verdict finds a problem. */
export async function soakCommand(argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  const { parseArgs } = await import('node:util');
  const { values } = parseArgs({ args: argv, options: { minutes: { type: 'string' }, rate: { type: 'string' }, kiosks: { type: 'string' } }, strict: true });
  const options: SoakOptions = {
    durationMs: Number(values.minutes ?? 10) * 60_000,
    errorsPerSecond: Number(values.rate ?? 200),
    kiosks: Number(values.kiosks ?? 50),
    windowMs: 60_000,
    log: (line) => io.stderr.write(`${line}\n`),
  };
  if (![options.durationMs, options.errorsPerSecond, options.kiosks].every((n) => Number.isFinite(n) && n > 0)) {
    io.stderr.write('soak: --minutes, --rate and --kiosks take positive numbers\n');
    return 2;
  }
  const report = await runSoak(options);
  io.stdout.write(`${formatSoak(report, options)}\n`);
  const problems = soakVerdict(report, options);
  io.stdout.write(problems.length === 0 ? 'soak: PASS\n' : `soak: FAIL\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  return problems.length === 0 ? 0 : 1;
}

/** The soak's stack runs with this old-space cap (MB); see startStackProcess. */
const STACK_HEAP_MB = 128;

interface StackProcess {
  readonly child: ChildProcess;
  readonly urls: { api: string; ws: string; edge: string };
  rss(): number;
  stop(): Promise<void>;
}

/** `stacklens start` without the demo POS and its agent, on free ports, in `dir`; resolves once it serves. */
async function startStackProcess(dir: string, log: (line: string) => void): Promise<StackProcess> {
  const [api, pos, edge, dynamodb] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/stacklens.mjs'), 'start', '--no-pos', '--no-agent'], {
    cwd: dir,
    env: {
      ...process.env,
      PORT: String(api),
      POS_PORT: String(pos),
      STACKLENS_EDGE_PORT: String(edge),
      STACKLENS_DYNAMODB_PORT: String(dynamodb),
      STACKLENS_DATA_DIR: path.join(dir, 'data'),
      STACKLENS_SECRETS_KEY_FILE: path.join(dir, 'master.key'),
      STACKLENS_ADMIN_EMAIL: ADMIN.email,
      STACKLENS_ADMIN_PASSWORD: ADMIN.password,
      // Without a cap V8 on a large machine lets the old space fill with garbage for minutes before it collects (the
      // stack's RSS rose ~60 MB a minute while its live heap grew ~8), which would hide a leak in the noise. At 256 MB
      // it still grew its committed heap from 89 to 130 MB over five minutes around a live old space of ~60 MB. About
      // twice the live size keeps RSS on what is live, and a real leak ends the process instead of passing as growth.
      NODE_OPTIONS: [process.env.NODE_OPTIONS, `--max-old-space-size=${STACK_HEAP_MB}`].filter(Boolean).join(' '),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const up = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      capture('stdout', chunk, undefined, 'soak-stack');
      output += chunk.toString('utf8');
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') log(`stack: ${line}`);
      if (output.includes('pos log')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`stacklens start exited with ${code} before serving:\n${output.slice(-2000)}`)));
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 120_000);
  try {
    await up;
  } finally {
    clearTimeout(timeout);
  }
  return {
    child,
    urls: { api: `http://127.0.0.1:${api}/api`, ws: `ws://127.0.0.1:${api}/ws`, edge: `http://127.0.0.1:${edge}` },
    rss: () => rssBytes(child.pid!),
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** User plus system CPU seconds of a live process, from /proc (0 once it has gone). */
function cpuSeconds(pid: number): number {
  try {
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

function sumCpuSeconds(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
}

/** Linux reports /proc CPU times in USER_HZ, 100 on every architecture Node runs on. */
const CLOCK_TICKS = 100;

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
