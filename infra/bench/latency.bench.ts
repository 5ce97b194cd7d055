import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startLocalStack } from '../src/local/runtime.js';
import { percentile } from './run.js';
import type { BenchFigure } from './types.js';

const RATE_PER_SECOND = 50;
const DURATION_SECONDS = 20;

/**
 * Log write → WebSocket message, through the real local pipeline at `npm start`'s settings: the agent tails the file,
 * ships to the local CloudWatch Logs endpoint, which invokes ingest, which pushes to the dashboard socket.
 * Line i of a fresh incident is delivered by the first message whose `occurrences` reaches i.
 */
export async function benchLatency(): Promise<BenchFigure[]> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'stacklens-bench-'));
  const stack = await startLocalStack({
    dataDir,
    ports: { api: 0, pos: 0, edge: 0, dynamodb: 0 },
    pos: false,
    admin: { email: 'bench@example.com', password: 'bench password 1' },
    secretsKeyFile: `${dataDir}.key`,
  });
  try {
    const login = await fetch(`${stack.urls.api}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@example.com', password: 'bench password 1' }) });
    const { token } = (await login.json()) as { token: string };
    const socket = new WebSocket(`${stack.urls.ws}?token=${token}`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));

    const written: number[] = [];
    const latencies: number[] = [];
    let delivered = 0;
    socket.on('message', (raw) => {
      const received = performance.now();
      const message = JSON.parse(String(raw)) as { data?: { code?: string; occurrences?: number } };
      if (message.data?.code !== 'BENCH_LATENCY_PROBE') return;
      const upTo = Math.min(message.data.occurrences ?? 0, written.length);
      for (; delivered < upTo; delivered++) latencies.push(received - written[delivered]!);
    });

    const total = RATE_PER_SECOND * DURATION_SECONDS;
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / RATE_PER_SECOND;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const line = `[${new Date().toISOString()}] [ERROR] Latency probe failed for order ORD-${i} | {"code":"BENCH_LATENCY_PROBE","orderId":"ORD-${i}","storeId":"store-001","kioskId":"kiosk-01"}\n`;
      written.push(performance.now());
      await appendFile(stack.logFile, line);
    }
    const deadline = Date.now() + 10_000;
    while (delivered < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    socket.close();
    const lost = total - delivered;
    return [
      { name: `log write → WebSocket p50 @ ${RATE_PER_SECOND} errors/s`, value: percentile(latencies, 50), unit: 'ms' },
      { name: `log write → WebSocket p95 @ ${RATE_PER_SECOND} errors/s`, value: percentile(latencies, 95), unit: 'ms' },
      { name: `log write → WebSocket p99 @ ${RATE_PER_SECOND} errors/s`, value: percentile(latencies, 99), unit: 'ms', target: '<= 300' },
      { name: 'latency probe lines not delivered', value: lost, unit: 'lines', target: '0' },
    ];
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(`${dataDir}.key`, { force: true });
  }
}
