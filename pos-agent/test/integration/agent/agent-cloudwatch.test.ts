import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PosAgent, type AgentConfig } from '../../../src/agent/agent.js';
import { runAgentCli } from '../../../src/agent/cli.js';
import { makeTempDir, waitFor } from '../../unit/agent/helpers.js';
import { FakeCloudWatchLogs } from './fake-cloudwatch-logs.js';

const GROUP = '/stacklens/pos';
const STREAM = 'store-12/kiosk-4';

describe('PosAgent against a CloudWatch Logs endpoint over HTTP', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let cloudwatch: FakeCloudWatchLogs;
  let endpoint: string;
  let logs: string[];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('stacklens-agent-it-'));
    cloudwatch = new FakeCloudWatchLogs();
    endpoint = await cloudwatch.start();
    logs = [];
  });

  afterEach(async () => {
    await cloudwatch.stop();
    await cleanup();
  });

  function agentConfig(file: string): AgentConfig {
    return {
      file,
      storeId: 'store-12',
      kioskId: 'kiosk-4',
      stateDir: join(dir, 'state'),
      endpoint,
      region: 'us-east-1',
      fromBeginning: true,
      flushIntervalMs: 50,
      multilineFlushMs: 50,
      pollIntervalMs: 25,
      retryBaseMs: 5,
      retryCapMs: 50,
    };
  }

  // Every 100th record carries a two-line stack trace, so record boundaries are exercised too.
  function recordText(seq: number): string {
    const header = `[${new Date().toISOString()}] [${seq % 100 === 0 ? 'ERROR' : 'INFO'}] seq=${String(seq).padStart(5, '0')} order processed`;
    return seq % 100 === 0 ? `${header}\nError: terminal timeout\n    at charge (/pos/payment.js:12:5)` : header;
  }

  it('delivers 5,000 records written while it runs exactly once and in order, across a stop and restart', async () => {
    // Prepare: no log group yet (the agent must create it), and throttling plus 5xx injected along the way.
    const file = join(dir, 'pos.log');
    await writeFile(file, '');
    cloudwatch.failEvery = [FakeCloudWatchLogs.throttling(5), FakeCloudWatchLogs.internalError(7)];
    const total = 5_000;
    const expectedSeq = (message: string): string => /seq=(\d{5})/.exec(message)?.[1] ?? 'none';
    let written = 0;
    const writer = (async () => {
      while (written < total) {
        const count = Math.min(total - written, 1 + (written % 37));
        let chunk = '';
        for (let i = 0; i < count; i += 1) chunk += `${recordText(written + i)}\n`;
        await appendFile(file, chunk);
        written += count;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    let agent = new PosAgent(agentConfig(file), { log: (msg) => logs.push(msg) });
    await agent.start();

    // Act: restart the agent while the writer is mid-way.
    await waitFor(() => written >= total / 2, 'half of the records to be written', 60_000);
    await agent.stop();
    const firstRun = agent.stats();
    agent = new PosAgent(agentConfig(file), { log: (msg) => logs.push(msg) });
    await agent.start();
    await writer;
    await waitFor(() => cloudwatch.events(GROUP, STREAM).length >= total, 'all records to arrive', 60_000);
    await agent.stop();

    // Assess
    const events = cloudwatch.events(GROUP, STREAM);
    const seqs = events.map((event) => expectedSeq(event.message));
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => String(i).padStart(5, '0')));
    expect(events[100]?.message.split('\n')).toHaveLength(3);
    expect(events[100]?.message).toContain('    at charge (/pos/payment.js:12:5)');
    expect(firstRun.recordsShipped).toBeGreaterThan(0);
    expect(firstRun.retries + agent.stats().retries).toBeGreaterThan(0);
    expect(cloudwatch.calls).toContain('CreateLogGroup');
    expect(agent.stats()).toMatchObject({ eventsRejected: 0, eventsDropped: 0, lagBytes: 0 });
  }, 120_000);

  it('runs from the CLI with --endpoint and stops on request', async () => {
    // Prepare
    const file = join(dir, 'till.log');
    await writeFile(file, '[2026-11-26T12:00:00.000Z] [ERROR] Mystery Product has no price | {"productId":999}\n');
    const controller = new AbortController();
    let stdout = '';
    const io = {
      stdout: { write: (chunk: string) => (stdout += chunk) },
      stderr: { write: (chunk: string) => logs.push(chunk) },
      env: {},
      signal: controller.signal,
    };

    // Act
    const exited = runAgentCli(
      ['--file', file, '--store', 'store-12', '--kiosk', 'kiosk-4', '--endpoint', endpoint, '--region', 'us-east-1', '--state-dir', join(dir, 'cli-state'), '--from-beginning', '--flush-ms', '50', '--multiline-flush-ms', '50'],
      io,
    );
    await waitFor(() => cloudwatch.events(GROUP, STREAM).length === 1, 'the record to arrive');
    await appendFile(file, '[2026-11-26T12:00:01.000Z] [INFO] Order saved\n');
    await waitFor(() => cloudwatch.events(GROUP, STREAM).length === 2, 'the appended record to arrive');
    controller.abort();

    // Assess
    expect(await exited).toBe(0);
    const first = '[2026-11-26T12:00:00.000Z] [ERROR] Mystery Product has no price | {"productId":999}';
    const messages = cloudwatch.events(GROUP, STREAM).map((event) => event.message);
    // Each record leads with its stable id: the file's key and the offset (base 36) where the record starts.
    expect(messages).toEqual([
      expect.stringMatching(/^sl1:[0-9a-f]{12}:0 \[2026-11-26T12:00:00\.000Z\] \[ERROR\] Mystery Product has no price/),
      expect.stringMatching(new RegExp(`^sl1:[0-9a-f]{12}:${(Buffer.byteLength(first) + 1).toString(36)} \\[2026-11-26T12:00:01\\.000Z\\] \\[INFO\\] Order saved$`)),
    ]);
    expect(messages[0]?.slice(0, 16)).toBe(messages[1]?.slice(0, 16));
    expect(stdout).toContain('shipped 2 records');
  });
});
