// `stacklens scenario list|run`: the shell side of the scenario catalogue. `run` asks a running demo POS to log
// occurrences (so records land in the file the agent tails) and, with --rate, spreads them out as steady load.
// Exit codes: 0 done, 1 bad usage / unknown scenario / request refused, 2 POS unreachable or failing, 130 interrupted.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { idSchema } from './orders.js';
import { posUrlFromEnv } from './paths.js';
import { findScenario, SCENARIOS, summarizeScenario, type ScenarioSummary } from './scenarios.js';

export interface ScenarioCommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  /** Stops a running `run` like Ctrl-C does (SIGINT is also honoured). */
  readonly signal?: AbortSignal;
}

export const EXIT_OK = 0;
export const EXIT_USAGE = 1;
export const EXIT_POS_UNAVAILABLE = 2;
export const EXIT_INTERRUPTED = 130;

const MAX_COUNT = 1_000_000;
const MAX_RATE = 10_000;
/** The POS accepts at most this many occurrences per trigger request. */
const MAX_PER_REQUEST = 1_000;
const REQUEST_TIMEOUT_MS = 15_000;
const ROTATION_STORES = ['store-001', 'store-002', 'store-003'] as const;
const ROTATION_KIOSKS = ['kiosk-01', 'kiosk-02', 'kiosk-03', 'kiosk-04'] as const;

const USAGE = `Usage:
  stacklens scenario list
  stacklens scenario run NAME [--count N] [--store S] [--kiosk K] [--rate R]

  --count N   occurrences to log (1-${MAX_COUNT}, default 1)
  --store S   store id (default: rotate store-001..store-003)
  --kiosk K   kiosk id (default: rotate kiosk-01..kiosk-04)
  --rate R    spread the occurrences at R per second (load generation; Ctrl-C stops)

The demo POS is reached at $STACKLENS_POS_URL (default http://127.0.0.1:$POS_PORT, port 3001).
`;

// Duck-typed on purpose: errors from Node internals may come from another realm (e.g. under a test VM),
// where `instanceof Error` is false although they carry a message, a name and a cause.
function field(error: unknown, key: 'message' | 'name' | 'code' | 'cause'): unknown {
  return typeof error === 'object' && error !== null && key in error ? (error as Record<string, unknown>)[key] : undefined;
}

function messageOf(error: unknown): string {
  const message = field(error, 'message');
  return typeof message === 'string' ? message : String(error);
}

class CliFailure extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

export async function runScenarioCommand(argv: string[], io: ScenarioCommandIo): Promise<number> {
  const [subcommand, ...rest] = argv;
  try {
    switch (subcommand) {
      case 'list':
        return listScenarios(rest, io);
      case 'run':
        return await runScenario(rest, io);
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(USAGE);
        return EXIT_OK;
      case undefined:
        io.stderr.write(`stacklens scenario: a subcommand is required\n\n${USAGE}`);
        return EXIT_USAGE;
      default:
        io.stderr.write(`stacklens scenario: unknown subcommand "${subcommand}"\n\n${USAGE}`);
        return EXIT_USAGE;
    }
  } catch (error) {
    if (error instanceof CliFailure) {
      io.stderr.write(`stacklens scenario: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr.write(`stacklens scenario: unexpected error: ${messageOf(error)}\n`);
    return EXIT_POS_UNAVAILABLE;
  }
}

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>): { values: Record<string, unknown>; positionals: string[] } {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliFailure(EXIT_USAGE, `${messageOf(error)}\n\n${USAGE}`);
  }
}

export function formatScenarioTable(summaries: readonly ScenarioSummary[]): string {
  const header = ['NAME', 'CODE', 'CATEGORY', 'SEVERITY'];
  const rows = summaries.map((s) => [s.name, s.code, s.category, s.severity]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

function listScenarios(args: string[], io: ScenarioCommandIo): number {
  const { positionals } = parse(args, {});
  if (positionals.length > 0) throw new CliFailure(EXIT_USAGE, `"list" takes no arguments, got "${positionals.join(' ')}"`);
  const summaries = SCENARIOS.map(summarizeScenario);
  io.stdout.write(formatScenarioTable(summaries));
  io.stdout.write(`\n${summaries.length} scenarios in ${new Set(summaries.map((s) => s.category)).size} categories\n`);
  return EXIT_OK;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function suggestions(name: string): string[] {
  const lower = name.toLowerCase();
  return SCENARIOS.map((s) => s.name)
    .map((candidate) => ({ candidate, score: candidate.includes(lower) || lower.includes(candidate) ? 0 : editDistance(lower, candidate) }))
    .filter(({ candidate, score }) => score <= Math.max(2, Math.floor(candidate.length / 4)))
    .sort((a, b) => a.score - b.score)
    .slice(0, 3)
    .map(({ candidate }) => candidate);
}

function positiveNumber(raw: string | undefined, flag: string, max: number, integer: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0 || value > max || (integer && !Number.isInteger(value))) {
    const range = integer ? `a whole number from 1 to ${max}` : `a number above 0 and at most ${max}`;
    throw new CliFailure(EXIT_USAGE, `${flag} must be ${range}, got "${raw}"`);
  }
  return value;
}

function checkedId(raw: string | undefined, flag: string): string | undefined {
  if (raw === undefined) return undefined;
  const parsed = idSchema.safeParse(raw);
  if (!parsed.success) throw new CliFailure(EXIT_USAGE, `${flag} ${parsed.error.issues[0]?.message ?? 'is invalid'}, got "${raw}"`);
  return parsed.data;
}

interface Target {
  readonly storeId: string;
  readonly kioskId: string;
}

/** The store/kiosk for the i-th occurrence: fixed when given, otherwise rotating so load spreads over a small fleet. */
function targetFor(index: number, store: string | undefined, kiosk: string | undefined): Target {
  return {
    storeId: store ?? ROTATION_STORES[index % ROTATION_STORES.length] ?? 'store-001',
    kioskId: kiosk ?? ROTATION_KIOSKS[index % ROTATION_KIOSKS.length] ?? 'kiosk-01',
  };
}

/** Occurrences [from, to) grouped into as few trigger requests as the rotation allows. */
function batchesFor(from: number, to: number, store: string | undefined, kiosk: string | undefined): { target: Target; count: number }[] {
  const grouped = new Map<string, { target: Target; count: number }>();
  for (let i = from; i < to; i += 1) {
    const target = targetFor(i, store, kiosk);
    const key = `${target.storeId}\u0000${target.kioskId}`;
    const entry = grouped.get(key);
    if (entry === undefined) grouped.set(key, { target, count: 1 });
    else entry.count += 1;
  }
  const batches: { target: Target; count: number }[] = [];
  for (const { target, count } of grouped.values()) {
    for (let left = count; left > 0; left -= MAX_PER_REQUEST) batches.push({ target, count: Math.min(left, MAX_PER_REQUEST) });
  }
  return batches;
}

function networkCause(error: unknown): string {
  const cause = field(error, 'cause') ?? error;
  const code = field(cause, 'code');
  return typeof code === 'string' ? code : messageOf(cause);
}

class Interrupted extends Error {}

async function trigger(baseUrl: string, name: string, target: Target, count: number, signal: AbortSignal): Promise<number> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl}/api/scenarios/${encodeURIComponent(name)}/trigger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ storeId: target.storeId, kioskId: target.kioskId, count }),
      signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
    });
  } catch (error) {
    if (signal.aborted) throw new Interrupted();
    if (field(error, 'name') === 'TimeoutError') {
      throw new CliFailure(EXIT_POS_UNAVAILABLE, `the demo POS at ${baseUrl} did not answer within ${REQUEST_TIMEOUT_MS / 1000}s`);
    }
    throw new CliFailure(
      EXIT_POS_UNAVAILABLE,
      `cannot reach the demo POS at ${baseUrl} (${networkCause(error)}). Is it running? Start it with "stacklens start", or point STACKLENS_POS_URL at it.`,
    );
  }
  let payload: unknown;
  try {
    payload = await response.json();
  } catch {
    payload = undefined;
  }
  const error = (payload as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const serverMessage = typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`;
  if (response.status === 202) {
    const triggered = (payload as { triggered?: unknown } | undefined)?.triggered;
    return typeof triggered === 'number' ? triggered : count;
  }
  if (response.status === 404) throw new CliFailure(EXIT_USAGE, `the demo POS at ${baseUrl} does not know scenario "${name}": ${serverMessage}`);
  if (response.status >= 400 && response.status < 500) throw new CliFailure(EXIT_USAGE, `the demo POS refused the request: ${serverMessage}`);
  throw new CliFailure(EXIT_POS_UNAVAILABLE, `the demo POS at ${baseUrl} failed: ${serverMessage}`);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function runScenario(args: string[], io: ScenarioCommandIo): Promise<number> {
  const { values, positionals } = parse(args, {
    count: { type: 'string', short: 'n' },
    store: { type: 'string' },
    kiosk: { type: 'string' },
    rate: { type: 'string' },
  });
  const [name, ...extra] = positionals;
  if (name === undefined) throw new CliFailure(EXIT_USAGE, `"run" needs a scenario name; "stacklens scenario list" shows them\n\n${USAGE}`);
  if (extra.length > 0) throw new CliFailure(EXIT_USAGE, `unexpected arguments "${extra.join(' ')}"; run takes one scenario name`);
  const scenario = findScenario(name);
  if (scenario === undefined) {
    const close = suggestions(name);
    throw new CliFailure(EXIT_USAGE, `unknown scenario "${name}".${close.length > 0 ? ` Did you mean ${close.join(', ')}?` : ''} "stacklens scenario list" shows all ${SCENARIOS.length}.`);
  }
  const text = (key: string): string | undefined => {
    const value = values[key];
    return typeof value === 'string' ? value : undefined;
  };
  const count = positiveNumber(text('count'), '--count', MAX_COUNT, true) ?? 1;
  const rate = positiveNumber(text('rate'), '--rate', MAX_RATE, false);
  const store = checkedId(text('store'), '--store');
  const kiosk = checkedId(text('kiosk'), '--kiosk');
  const baseUrl = posUrlFromEnv(io.env);

  const stop = new AbortController();
  const onSigint = (): void => stop.abort();
  const onExternalAbort = (): void => stop.abort();
  process.once('SIGINT', onSigint);
  io.signal?.addEventListener('abort', onExternalAbort, { once: true });
  if (io.signal?.aborted) stop.abort();

  const started = performance.now();
  let sent = 0;
  try {
    if (rate === undefined) {
      for (const batch of batchesFor(0, count, store, kiosk)) {
        if (stop.signal.aborted) throw new Interrupted();
        sent += await trigger(baseUrl, scenario.name, batch.target, batch.count, stop.signal);
      }
      const pairs = new Set(Array.from({ length: Math.min(count, 12) }, (_, i) => JSON.stringify(targetFor(i, store, kiosk)))).size;
      io.stdout.write(`Triggered ${sent} x ${scenario.name} (${scenario.code}) across ${pairs} store/kiosk pair(s) in ${Math.round(performance.now() - started)}ms\n`);
      return EXIT_OK;
    }

    io.stdout.write(`Triggering ${count} x ${scenario.name} (${scenario.code}) at ${rate}/s against ${baseUrl}; Ctrl-C stops\n`);
    let lastProgress = started;
    while (sent < count) {
      if (stop.signal.aborted) throw new Interrupted();
      const elapsedMs = performance.now() - started;
      // Occurrence i is due at i / rate seconds; everything due is sent now, so a slow POS is caught up in batches.
      const due = Math.min(count, Math.floor((elapsedMs / 1000) * rate) + 1);
      if (due > sent) {
        for (const batch of batchesFor(sent, due, store, kiosk)) {
          sent += await trigger(baseUrl, scenario.name, batch.target, batch.count, stop.signal);
        }
      } else {
        await sleep((sent / rate) * 1000 - elapsedMs, stop.signal);
      }
      const nowMs = performance.now();
      if (nowMs - lastProgress >= 1000 && sent < count) {
        lastProgress = nowMs;
        io.stdout.write(`  ${sent}/${count} sent, ${((sent * 1000) / (nowMs - started)).toFixed(1)}/s\n`);
      }
    }
    io.stdout.write(summary(sent, count, started, rate));
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof Interrupted)) throw error;
    io.stdout.write(`Interrupted. ${summary(sent, count, started, rate)}`);
    return EXIT_INTERRUPTED;
  } finally {
    process.off('SIGINT', onSigint);
    io.signal?.removeEventListener('abort', onExternalAbort);
  }
}

function summary(sent: number, count: number, startedMs: number, rate: number | undefined): string {
  const seconds = (performance.now() - startedMs) / 1000;
  const achieved = seconds > 0 ? sent / seconds : sent;
  return `Sent ${sent}/${count} in ${seconds.toFixed(2)}s: achieved ${achieved.toFixed(1)}/s${rate === undefined ? '' : ` (target ${rate}/s)`}\n`;
}
