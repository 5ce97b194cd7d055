import { appendFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { pollUntil, sleep, startBenchStack, type BenchStack } from './bench-stack.js';
import { percentile } from './run.js';
import type { BenchFigure } from './types.js';

/** 1,000 and 5,000 lines: at least ten samples above each p99. */
const RATES: ReadonlyArray<{ perSecond: number; seconds: number; p99Target: number }> = [
  { perSecond: 50, seconds: 20, p99Target: 300 },
  { perSecond: 500, seconds: 10, p99Target: 1000 },
];
/** After the last write, how long a line may still take before it counts as not delivered. */
const DELIVERY_GRACE_MS = 10_000;
const SETTLE_TIMEOUT_MS = 60_000;

/**
 * Log write → WebSocket message, through the real local pipeline at `npm start`'s settings: the agent tails the file,
 * ships to the local CloudWatch Logs endpoint, which invokes ingest, which pushes to the dashboard socket.
 * Each rate writes its own probe code, so each is one fresh incident. Line i of it is delivered by the first message
 * whose `occurrences` reaches i: one agent ships the lines in order, and ingest counts each line once.
 */
export async function benchLatency(): Promise<BenchFigure[]> {
  const bench = await startBenchStack('latency');
  try {
    const socket = new WebSocket(`${bench.stack.urls.ws}?token=${await bench.token()}`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const figures: BenchFigure[] = [];
    let miscounted = 0;
    try {
      for (const rate of RATES) {
        const run = await measure(bench, socket, rate.perSecond, rate.seconds);
        // The matching above is only honest if the incident holds exactly the lines written: a line counted twice
        // would credit later lines too early, a line never counted would go unnoticed if another took its place.
        miscounted += Math.abs(run.stored - run.written);
        const label = `log write → WebSocket @ ${rate.perSecond} errors/s`;
        figures.push(
          { name: `${label} p50`, value: percentile(run.latencies, 50), unit: 'ms' },
          { name: `${label} p95`, value: percentile(run.latencies, 95), unit: 'ms' },
          { name: `${label} p99`, value: percentile(run.latencies, 99), unit: 'ms', target: `<= ${rate.p99Target}` },
          { name: `latency probe lines not delivered @ ${rate.perSecond} errors/s`, value: run.written - run.latencies.length, unit: 'lines', target: '0' },
        );
      }
    } finally {
      socket.close();
    }
    figures.push({ name: 'latency probe occurrences stored ≠ lines written (all rates)', value: miscounted, unit: 'lines', target: '0' });
    return figures;
  } finally {
    await bench.close();
  }
}

async function measure(
  bench: BenchStack,
  socket: WebSocket,
  perSecond: number,
  seconds: number,
): Promise<{ written: number; latencies: number[]; stored: number }> {
  const code = `BENCH_LATENCY_${perSecond}`;
  const written: number[] = [];
  const latencies: number[] = [];
  const onMessage = (raw: WebSocket.RawData): void => {
    const received = performance.now();
    const message = JSON.parse(String(raw)) as { data?: { code?: string; occurrences?: number } };
    if (message.data?.code !== code) return;
    const upTo = Math.min(message.data.occurrences ?? 0, written.length);
    while (latencies.length < upTo) latencies.push(received - written[latencies.length]!);
  };
  socket.on('message', onMessage);
  try {
    const total = perSecond * seconds;
    const start = performance.now();
    while (written.length < total) {
      const due = start + (written.length * 1000) / perSecond;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      // Every line already due goes out in one append, as a POS under load writes: a late timer does not delay
      // the lines behind it further, and each line's clock starts when it is written.
      const now = performance.now();
      let chunk = '';
      for (let i = written.length; i < total && start + (i * 1000) / perSecond <= now; i++) {
        chunk += `[${new Date().toISOString()}] [ERROR] Latency probe failed for order ORD-${i} | {"code":"${code}","orderId":"ORD-${i}","storeId":"store-001","kioskId":"kiosk-01"}\n`;
        written.push(now);
      }
      await appendFile(bench.stack.logFile, chunk);
    }
    await pollUntil(async () => (latencies.length >= total ? true : undefined), DELIVERY_GRACE_MS, 50);
    socket.off('message', onMessage);
    // Whatever the pipeline still holds settles before the count is read and the next rate starts; a pipeline that
    // cannot catch up at all shows as occurrences stored ≠ lines written.
    await bench.stack.logs.drain(SETTLE_TIMEOUT_MS).catch(() => undefined);
    const incident = (await bench.incidents()).find((i) => i.code === code);
    return { written: total, latencies: [...latencies], stored: incident?.occurrences ?? 0 };
  } finally {
    socket.off('message', onMessage);
  }
}
