import { parseArgs } from 'node:util';
import os from 'node:os';
import type { BenchFigure } from './types.js';

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const SUITES: Record<string, () => Promise<BenchFigure[]>> = {
  parse: async () => (await import('../../functions/bench/parse.bench.js')).benchParse(),
  latency: async () => (await import('./latency.bench.js')).benchLatency(),
  ingest: async () => (await import('./ingest.bench.js')).benchIngest(),
  flood: async () => (await import('./flood.bench.js')).benchFlood(),
  workflow: async () => (await import('./workflow.bench.js')).benchWorkflow(),
  agent: async () => (await import('../../pos-agent/bench/agent-throughput.js')).benchAgentThroughput(),
  'agent-process': async () => (await import('./agent-process.bench.js')).benchAgentProcess(),
  peer: async () => (await import('./peer.bench.js')).benchPeer(),
  bundle: async () => (await import('../../web/bench/bundle.bench.js')).benchBundle(),
};

/** `stacklens bench [--only parse,latency]`: runs each suite in turn and prints one table of figures. */
export async function runBenchmarks(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { only: { type: 'string' } }, strict: true });
  const names = values.only ? values.only.split(',') : Object.keys(SUITES);
  const unknown = names.filter((n) => !(n in SUITES));
  if (unknown.length > 0) {
    io.stderr.write(`bench: unknown suite(s) ${unknown.join(', ')}; known: ${Object.keys(SUITES).join(', ')}\n`);
    return 2;
  }
  io.stdout.write(
    `StackLens benchmarks on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`,
  );
  // Timings are only as good as the machine was quiet: other work on the cores shows up here, not in the figures.
  io.stdout.write(`load average at start: ${loadAverage()}\n\n`);
  const started = performance.now();
  const figures: BenchFigure[] = [];
  for (const name of names) {
    io.stderr.write(`running ${name}…\n`);
    const suiteStarted = performance.now();
    figures.push(...(await SUITES[name]!()));
    io.stderr.write(`${name} took ${((performance.now() - suiteStarted) / 1000).toFixed(0)} s (load average now ${loadAverage()})\n`);
  }
  io.stdout.write(formatTable(figures));
  io.stdout.write(`\n${names.length} suite(s) in ${((performance.now() - started) / 1000).toFixed(0)} s; load average at end: ${loadAverage()}\n`);
  return 0;
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' / ');
}

export function formatTable(figures: readonly BenchFigure[]): string {
  const rows = figures.map((f) => [
    f.name,
    formatNumber(f.value),
    f.unit,
    f.runs && f.runs.length > 1 ? formatNumber(Math.min(...f.runs)) : '',
    f.runs && f.runs.length > 1 ? formatNumber(Math.max(...f.runs)) : '',
    f.runs ? String(f.runs.length) : '1',
    f.target ?? '',
  ]);
  const header = ['figure', 'median', 'unit', 'min', 'max', 'runs', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |\n`;
  return line(header) + line(widths.map((w) => '-'.repeat(w))) + rows.map(line).join('');
}

function formatNumber(n: number): string {
  // A figure that could not be measured (a peer that is not installed, a drain that timed out) says so.
  if (!Number.isFinite(n)) return 'n/a';
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
