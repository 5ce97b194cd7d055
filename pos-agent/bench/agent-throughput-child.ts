// The measured side of the agent throughput benchmark (see agent-throughput.ts), bundled and run in a process of its
// own so that its RSS is the agent pipeline's alone: `node agent-throughput-child.mjs <log file> <measured runs>`.
// Reads the file from the beginning through the agent's stages as the agent wires them, minus the network:
// FileTailer → createRedactor → MultilineAssembler → Batcher. Prints one JSON object on stdout.

import { stat } from 'node:fs/promises';
import { Batcher } from '../src/agent/batcher.js';
import { eventId } from '../src/agent/event-id.js';
import { MultilineAssembler } from '../src/agent/multiline.js';
import { createRedactor } from '../src/agent/redaction.js';
import { FileTailer } from '../src/agent/tailer.js';

export interface ChildRun {
  readonly lines: number;
  /** Wall-clock time of the run. */
  readonly seconds: number;
  /** CPU time (user + system, all threads) the process spent on the run: what the run costs on one core. */
  readonly cpuSeconds: number;
  readonly records: number;
  readonly batches: number;
  readonly skipped: number;
  readonly redactions: Record<string, number>;
}

export interface ChildReport {
  readonly runs: readonly ChildRun[];
  /** Highest RSS sampled during the measured runs (after the warm-up run), in bytes. */
  readonly peakRssBytes: number;
  readonly rssSamples: number;
}

const RSS_SAMPLE_MS = 20;

async function readThrough(file: string, size: number): Promise<ChildRun> {
  const redact = createRedactor();
  const redactions: Record<string, number> = {};
  let lines = 0;
  let records = 0;
  let batches = 0;
  let skipped = 0;
  const batcher = new Batcher({
    onBatch: (batch) => {
      batches += 1;
      records += batch.events.length;
    },
  });
  const multiline = new MultilineAssembler({
    // As PosAgent does: every record is named by where it starts.
    onRecord: (record) => batcher.add(record, eventId(record.origin)),
    onSkip: () => {
      skipped += 1;
    },
  });
  const tailer = new FileTailer({
    path: file,
    startAt: () => ({ offset: 0, reason: 'beginning' }),
    // The same per-line work as PosAgent.onLine.
    onLine: (line) => {
      lines += 1;
      const redacted = redact(line.text);
      if (redacted.counts !== undefined) {
        for (const kind in redacted.counts) redactions[kind] = (redactions[kind] ?? 0) + (redacted.counts[kind] ?? 0);
      }
      multiline.push(redacted.text === line.text ? line : { ...line, text: redacted.text });
    },
    onSkip: () => {
      lines += 1;
      skipped += 1;
    },
    pollIntervalMs: 60_000,
    partialLineFlushMs: 60_000,
  });
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  // The first pump reads to the end of the file before start() resolves.
  await tailer.start();
  if (tailer.position !== size) throw new Error(`tailer stopped at byte ${tailer.position} of ${size}`);
  multiline.flush();
  batcher.flush();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  await tailer.stop();
  multiline.stop();
  batcher.stop();
  return { lines, seconds, cpuSeconds, records, batches, skipped, redactions };
}

async function main(): Promise<void> {
  const [file, runsArg] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: agent-throughput-child <log file> [measured runs]');
  const measuredRuns = Number(runsArg ?? 3);
  const { size } = await stat(file);

  // Warm-up: lets the JIT settle and the heap reach its working size before anything is recorded.
  await readThrough(file, size);

  let peakRssBytes = 0;
  let rssSamples = 0;
  const sample = (): void => {
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
    rssSamples += 1;
  };
  const sampler = setInterval(sample, RSS_SAMPLE_MS);
  const runs: ChildRun[] = [];
  try {
    for (let i = 0; i < measuredRuns; i++) {
      runs.push(await readThrough(file, size));
      sample();
    }
  } finally {
    clearInterval(sampler);
  }
  const report: ChildReport = { runs, peakRssBytes, rssSamples };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`agent-throughput-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
