// Kiosk agent throughput on one core: lines per second through read (FileTailer from the beginning of the file) +
// redact (createRedactor) + multiline (MultilineAssembler) + batch (Batcher), no network; and the steady RSS of a
// process doing only that. The measuring side runs bundled in a child process (as a kiosk runs the agent), so neither
// this process's heap nor the TypeScript loader is counted.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchFigure } from '../../infra/bench/types.js';
import { formatRecord, type LogRecord } from '../src/demo-pos/log-format.js';
import { formatCents, hex, intBetween, pick, seededRandom, type Rand } from '../src/demo-pos/random.js';
import { SCENARIOS, scenarioRecord } from '../src/demo-pos/scenarios.js';
import type { ChildReport } from './agent-throughput-child.js';

const TARGET_LINES = 1_000_000;
const MEASURED_RUNS = 3;
const SEED = 0x5eed;
/** Share of records that carry a full card number (a payment plugin dumping its request). */
const CARD_RECORD_SHARE = 0.01;
/** Share of records that are failures from the demo POS scenario catalogue (many with stack traces). */
const FAILURE_RECORD_SHARE = 0.12;

// Public test card numbers, printed the ways a careless plugin prints them.
const TEST_PANS = ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '3530111333300000', '36227206271667', '6200000000000005'];

function printedPan(rand: Rand, pan: string): string {
  switch (intBetween(rand, 0, 2)) {
    case 0:
      return pan;
    case 1:
      return pan.replace(/(\d{4})(?=\d)/g, '$1 ');
    default:
      return pan.replace(/(\d{4})(?=\d)/g, '$1-');
  }
}

interface Corpus {
  readonly lines: number;
  readonly cardRecords: number;
  readonly bytes: number;
}

/**
 * Writes a demo-POS-format log of about `targetLines` lines: INFO order traffic, failures from the scenario catalogue
 * (JSON details, Java/Node/Python stack traces) and ~1% records with a card number. Timestamps are recent, so the
 * batcher takes the header time (the realistic path) rather than falling back to the read time.
 */
export async function writeCorpus(file: string, targetLines = TARGET_LINES, seed = SEED): Promise<Corpus> {
  const rand = seededRandom(seed);
  const out = createWriteStream(file);
  const storeId = 'store-042';
  const kioskId = 'kiosk-07';
  let clock = Date.now() - 6 * 60 * 60 * 1000;
  let sequence = 100_000;
  let lines = 0;
  let cardRecords = 0;
  let bytes = 0;
  let chunk = '';
  while (lines < targetLines) {
    clock += intBetween(rand, 1, 40);
    const now = new Date(clock);
    const orderId = `ORD-${now.toISOString().slice(0, 10).replaceAll('-', '')}-${String((sequence += 1)).padStart(6, '0')}`;
    const ids = { storeId, kioskId, orderId };
    const roll = rand();
    let record: LogRecord;
    if (roll < CARD_RECORD_SHARE) {
      cardRecords += 1;
      const pan = printedPan(rand, pick(rand, TEST_PANS));
      record = {
        timestamp: now,
        level: 'ERROR',
        message: `PAYMENT_PLUGIN_DUMP Payment plugin rejected request for order ${orderId}`,
        details: {
          code: 'PAYMENT_DECLINED',
          ...ids,
          request: { pan, expiry: '12/27', amountCents: intBetween(rand, 199, 48_000) },
          attempt: intBetween(rand, 1, 3),
        },
      };
    } else if (roll < CARD_RECORD_SHARE + FAILURE_RECORD_SHARE) {
      record = scenarioRecord(pick(rand, SCENARIOS), { ...ids, now, rand });
    } else if (roll < 0.6) {
      const totalCents = intBetween(rand, 199, 48_000);
      record = {
        timestamp: now,
        level: 'INFO',
        message: `Payment authorised for order ${orderId}: ${formatCents(totalCents)} USD, auth ${hex(rand, 6)} (txn TXN-${hex(rand, 8)})`,
        details: {
          ...ids,
          amountCents: totalCents,
          cardLast4: `****${String(intBetween(rand, 0, 9999)).padStart(4, '0')}`,
          gatewayLatencyMs: intBetween(rand, 180, 1_400),
        },
      };
    } else {
      const items = intBetween(rand, 1, 12);
      record = {
        timestamp: now,
        level: 'INFO',
        message: `Order ${orderId} completed: ${items} line(s), total ${formatCents(intBetween(rand, 199, 48_000))}`,
        details: { ...ids, lines: items, units: items + intBetween(rand, 0, 6), totalCents: intBetween(rand, 199, 48_000) },
      };
    }
    const text = formatRecord(record);
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines += 1;
    chunk += text;
    if (chunk.length >= 1 << 20) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  bytes += Buffer.byteLength(chunk);
  out.end(chunk);
  await once(out, 'finish');
  return { lines, cardRecords, bytes };
}

/** The child as a single ESM file: esbuild is the bundler a kiosk build uses, and already installed with tsx. */
/** Bundles the measuring child (the agent's read path, as the kiosk build ships it) into `outfile`. */
export async function bundleChild(outfile: string): Promise<void> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [fileURLToPath(new URL('./agent-throughput-child.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
  });
}

/**
 * The Node options the kiosk runs the agent with: `Environment=NODE_OPTIONS=…` of the systemd unit in pos-agent/deploy,
 * so that the RSS measured here is the RSS a kiosk sees (V8's heap sizes decide most of it). Empty without the unit.
 */
export async function kioskNodeOptions(unitFile = fileURLToPath(new URL('../deploy/stacklens-pos-agent.service', import.meta.url))): Promise<string> {
  let unit: string;
  try {
    unit = await readFile(unitFile, 'utf8');
  } catch {
    return '';
  }
  return (
    /^Environment=NODE_OPTIONS=(.*)$/m
      .exec(unit)?.[1]
      ?.trim()
      .replace(/^"(.*)"$/, '$1') ?? ''
  );
}

async function runChild(bundle: string, logFile: string, nodeOptions: string): Promise<ChildReport> {
  // taskset pins the child to one core where available, so "on one core" holds even with a multi-core runner.
  const pin = process.platform === 'linux' ? await hasCommand('taskset') : false;
  const command = pin ? 'taskset' : process.execPath;
  const args = pin ? ['-c', '0', process.execPath, bundle, logFile, String(MEASURED_RUNS)] : [bundle, logFile, String(MEASURED_RUNS)];
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: nodeOptions } });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (data: string) => {
    stdout += data;
  });
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`agent throughput child exited with ${code}`);
  return JSON.parse(stdout) as ChildReport;
}

async function hasCommand(name: string): Promise<boolean> {
  const child = spawn(name, ['--version'], { stdio: 'ignore' });
  try {
    const [code] = (await once(child, 'close')) as [number | null];
    return code === 0;
  } catch {
    return false;
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function benchAgentThroughput(): Promise<BenchFigure[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stacklens-agent-bench-'));
  try {
    const logFile = path.join(dir, 'pos.log');
    const bundle = path.join(dir, 'agent-throughput-child.mjs');
    const [corpus, nodeOptions] = await Promise.all([writeCorpus(logFile), kioskNodeOptions(), bundleChild(bundle)]);
    const report = await runChild(bundle, logFile, nodeOptions);
    for (const run of report.runs) {
      // A benchmark of a redactor that misses cards, or a reader that drops lines, would measure the wrong thing.
      if (run.lines !== corpus.lines) throw new Error(`agent bench read ${run.lines} lines, the corpus has ${corpus.lines}`);
      if ((run.redactions['pan'] ?? 0) !== corpus.cardRecords)
        throw new Error(`agent bench redacted ${run.redactions['pan'] ?? 0} card numbers of ${corpus.cardRecords}`);
    }
    // CPU time is what the pipeline costs one core; wall-clock time also counts whatever else the machine runs.
    const perCpuSecond = report.runs.map((run) => Math.round(run.lines / run.cpuSeconds));
    const perSecond = report.runs.map((run) => Math.round(run.lines / run.seconds));
    const corpusName = `${(corpus.lines / 1e6).toFixed(1)}M lines, ${Math.round(corpus.bytes / 2 ** 20)} MB`;
    return [
      {
        name: `agent read+redact+multiline+batch per CPU-second (${corpusName})`,
        value: median(perCpuSecond),
        unit: 'lines/s',
        runs: perCpuSecond,
        target: '>= 150000',
      },
      { name: 'agent read+redact+multiline+batch, wall clock on 1 core', value: median(perSecond), unit: 'lines/s', runs: perSecond },
      {
        name: `agent steady RSS, max after warm-up (NODE_OPTIONS=${nodeOptions === '' ? '(none)' : nodeOptions})`,
        value: report.peakRssBytes / 2 ** 20,
        unit: 'MB',
        target: '<= 64',
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
