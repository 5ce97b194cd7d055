// The whole kiosk agent as a kiosk runs it: the bundled dist/pos-agent.mjs under the systemd unit's NODE_OPTIONS,
// shipping a steady 1,000 lines/s (2% errors) to the local CloudWatch Logs endpoint. The throughput bench in
// pos-agent/bench measures the read path alone; this one adds the SDK, the disk buffer and the network.

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { kioskNodeOptions } from '../../pos-agent/bench/agent-throughput.js';
import { startLocalStack } from '../src/local/runtime.js';
import { PosLogWriter, spawnAgent } from '../test/helpers/agent-process.js';
import { median } from './run.js';
import type { BenchFigure } from './types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LINES_PER_SECOND = 1_000;
const WARM_UP_MS = 15_000;
const MEASURE_MS = 45_000;

export async function benchAgentProcess(): Promise<BenchFigure[]> {
  await promisify(execFile)('npm', ['run', '--silent', 'build', '-w', 'pos-agent'], { cwd: ROOT });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stacklens-bench-agent-'));
  const stack = await startLocalStack({
    dataDir: path.join(dir, 'data'),
    ports: { api: 0, pos: 0, edge: 0, dynamodb: 0 },
    pos: false,
    agent: false,
    secretsKeyFile: path.join(dir, 'master.key'),
  });
  const nodeOptions = await kioskNodeOptions();
  const file = path.join(dir, 'pos.log');
  await writeFile(file, '');
  const agent = spawnAgent(
    ['--file', file, '--store', 'bench', '--kiosk', 'k1', '--endpoint', stack.urls.edge, '--state-dir', path.join(dir, 'state'), '--status-interval-ms', '0'],
    { script: path.join(ROOT, 'pos-agent/dist/pos-agent.mjs'), nodeOptions },
  );
  const writer = new PosLogWriter(file, { linesPerSecond: LINES_PER_SECOND, errorEvery: 50, store: 'bench', kiosk: 'k1' });
  try {
    const deadline = Date.now() + 30_000;
    while (!agent.output.some((line) => line.includes('following ')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const total = ((WARM_UP_MS + MEASURE_MS) / 1000) * LINES_PER_SECOND;
    const writing = writer.run(total);
    await new Promise((r) => setTimeout(r, WARM_UP_MS));
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(agent.rss() / 1e6), 500);
    await writing;
    clearInterval(sampler);
    const accepted = stack.logs.stats().eventsAccepted;
    return [
      { name: `agent process steady RSS, bundled, ${LINES_PER_SECOND} lines/s to the local endpoint (NODE_OPTIONS=${nodeOptions || '(none)'})`, value: median(samples), unit: 'MB', runs: samples, target: '<= 64' },
      { name: 'agent process lines accepted by the endpoint during the RSS run', value: accepted, unit: 'lines', target: `~${total}` },
    ];
  } finally {
    writer.stop();
    if (agent.child.exitCode === null) await agent.kill('SIGTERM');
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
