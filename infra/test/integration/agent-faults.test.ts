// Fault tests of the kiosk agent as a real process against the real local pipeline (CloudWatch Logs endpoint,
// subscription filter, ingest into dynalite): crashes, rotations and a full disk buffer must neither lose an error
// line nor count one twice.

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PosLogWriter, SwitchableLink, spawnAgent, storedMessages as storedMessagesOf, tally, type AgentProcess } from '../helpers/agent-process.js';
import { startTestStack, waitFor, type TestStack } from '../helpers/stack.js';

const GROUP = '/stacklens/pos';
const STORE = 'store-001';
const KIOSK = 'kiosk-01';

/** A seeded generator, so a failing schedule can be replayed from the seed in the test output. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('pos-agent faults on the real local pipeline', () => {
  let stack: TestStack;
  let dir: string;
  let agents: AgentProcess[];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'stacklens-faults-'));
    stack = await startTestStack({ pos: false, agent: false, logRetainBytes: 512 * 1024 * 1024 });
    agents = [];
  });

  afterEach(async () => {
    await Promise.all(agents.map((agent) => (agent.child.exitCode === null ? agent.kill('SIGKILL') : undefined)));
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function agentArgs(file: string, endpoint: string, extra: Record<string, unknown> = {}): Promise<string[]> {
    const config = path.join(dir, 'agent.json');
    await writeFile(config, JSON.stringify({ flushIntervalMs: 200, pollIntervalMs: 50, retryBaseMs: 50, retryCapMs: 500, ...extra }));
    return [
      '--file',
      file,
      '--store',
      STORE,
      '--kiosk',
      KIOSK,
      '--endpoint',
      endpoint,
      '--state-dir',
      path.join(dir, 'state'),
      '--from-beginning',
      '--config',
      config,
    ];
  }

  function start(args: readonly string[]): AgentProcess {
    const agent = spawnAgent(args);
    agents.push(agent);
    return agent;
  }

  /** The agent needs about a second to load; rotations before it follows the file are not what these tests are about. */
  async function following(agent: AgentProcess): Promise<AgentProcess> {
    await waitFor(() => agent.output.some((line) => line.includes('following ')), 'the agent to follow the file', 30_000);
    return agent;
  }

  const storedMessages = (): Promise<string[]> => storedMessagesOf(stack.logs, GROUP, `${STORE}/${KIOSK}`);

  async function occurrences(): Promise<number> {
    const { items } = await stack.services.incidents.list({ limit: 50 });
    return items.filter((incident) => incident.code === 'MISSING_PRICE').reduce((sum, incident) => sum + incident.occurrences, 0);
  }

  it('(a) SIGKILLed 10 times while 100,000 lines are written, every error line becomes exactly one occurrence', async () => {
    // Prepare
    const file = path.join(dir, 'pos.log');
    const args = await agentArgs(file, stack.urls.edge);
    const writer = new PosLogWriter(file, { linesPerSecond: 5_000, errorEvery: 50, store: STORE, kiosk: KIOSK });
    const seed = Date.now() % 100_000;
    const random = seeded(seed);
    await writeFile(file, '');
    let agent = await following(start(args));

    // Act: kill at random moments (0.5-2.5 s apart) while the writer runs, restarting each time.
    const writing = writer.run(100_000);
    let kills = 0;
    while (kills < 10) {
      await new Promise((resolve) => setTimeout(resolve, 500 + random() * 2_000));
      await agent.kill('SIGKILL');
      kills += 1;
      agent = start(args);
    }
    const written = await writing;
    await waitFor(
      async () => (await occurrences()) >= written.errors && stack.logs.stats().pending === 0,
      `all ${written.errors} error occurrences (seed ${seed})`,
      120_000,
    );
    // A late duplicate would arrive within a flush or two: give it the chance to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await waitFor(() => stack.logs.stats().pending === 0, 'deliveries to settle');

    // Assess
    const { seqs, copies, withoutId } = tally(await storedMessages());
    expect(written).toEqual({ total: 100_000, errors: 2_000 });
    expect(await occurrences()).toBe(2_000);
    expect(seqs.size).toBe(100_000);
    expect(withoutId).toBe(0);
    process.stdout.write(`fault (a): seed ${seed}, 10 SIGKILLs, ${copies} line(s) re-sent by the agent and dropped by ingest\n`);
    expect(await agent.kill('SIGTERM')).toBe(0);
  }, 240_000);

  it('(b) 5 rename and 5 copytruncate rotations under 2,000 lines/s lose no line and count none twice', async () => {
    // Prepare
    const file = path.join(dir, 'pos.log');
    const args = await agentArgs(file, stack.urls.edge);
    const writer = new PosLogWriter(file, { linesPerSecond: 2_000, errorEvery: 50, store: STORE, kiosk: KIOSK });
    await writeFile(file, '');
    const agent = await following(start(args));

    // Act: rotate every 600 ms, alternating rename and copytruncate.
    const rotations: string[] = [];
    const writing = writer.run(14_000);
    for (let rotation = 0; rotation < 10; rotation += 1) {
      await new Promise((resolve) => setTimeout(resolve, 600));
      if (rotation % 2 === 0) writer.rotateByRename(`${file}.${rotation}`);
      else writer.rotateByCopyTruncate(`${file}.ct${rotation}`);
      rotations.push(`${rotation} at line ${writer.written.total}`);
    }
    const written = await writing;
    await waitFor(
      async () => (await occurrences()) >= written.errors && stack.logs.stats().pending === 0,
      `all ${written.errors} error occurrences`,
      60_000,
    ).catch(async (err: unknown) => {
      const { seqs } = tally(await storedMessages());
      const missing = Array.from({ length: written.total }, (_, i) => i).filter((i) => !seqs.has(i));
      throw new Error(
        `${String(err)}\noccurrences ${await occurrences()}, missing ${missing.length}: ${missing.slice(0, 5).join(',')}…${missing.slice(-5).join(',')}\nlog: ${rotations.join(' | ')}\nagent:\n${agent.output.join('\n')}`,
      );
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    // Assess
    const messages = await storedMessages();
    const { seqs, copies } = tally(messages);
    expect(seqs.size).toBe(written.total);
    expect(messages).toHaveLength(written.total);
    expect(copies).toBe(0);
    expect(await occurrences()).toBe(written.errors);
    expect(await agent.kill('SIGTERM')).toBe(0);
    const log = agent.output.join('\n');
    expect(log.match(/was replaced \(rotation\)/g)?.length).toBe(5);
    expect(log.match(/was truncated/g)?.length).toBe(5);
  }, 120_000);

  it('(d) a disk buffer filled past its bound drops the oldest data, reports the drop, and keeps running', async () => {
    // Prepare: a 1 MiB buffer behind a link that is down.
    const file = path.join(dir, 'pos.log');
    const link = await SwitchableLink.open(stack.urls.edge);
    const args = await agentArgs(file, link.url, { bufferMaxBytes: 1024 * 1024 });
    await writeFile(file, '');
    await link.down();
    const agent = await following(start(args));
    const writer = new PosLogWriter(file, { linesPerSecond: 10_000, errorEvery: 50, store: STORE, kiosk: KIOSK });

    // Act: ~4 MB of log while the link is down, then restore it.
    const written = await writer.run(20_000);
    await waitFor(() => agent.output.some((line) => line.includes('disk buffer full')), 'the agent to report a full buffer', 30_000);
    await link.up();
    await waitFor(
      async () => {
        const { items } = await stack.services.incidents.list({ limit: 50 });
        return items.some((incident) => incident.code === 'AGENT_BUFFER_OVERFLOW' || incident.sample.includes('AGENT_BUFFER_OVERFLOW'));
      },
      'the drop notice to arrive as an incident',
      60_000,
    );
    await waitFor(async () => (await storedMessages()).some((message) => message.includes(`"orderId":"F-${written.total - 1}"`)), 'the newest line', 60_000);

    // Assess
    expect(agent.child.exitCode).toBeNull();
    const messages = await storedMessages();
    const notices = messages.filter((message) => message.includes('AGENT_BUFFER_OVERFLOW'));
    const dropped = notices.reduce((sum, notice) => sum + Number(/"droppedRecords":(\d+)/.exec(notice)?.[1]), 0);
    const { seqs } = tally(messages.filter((message) => !message.includes('AGENT_BUFFER_OVERFLOW')));
    expect(dropped).toBeGreaterThan(0);
    expect(seqs.size + dropped).toBe(written.total);
    expect(await agent.kill('SIGTERM')).toBe(0);
    await link.down();
  }, 120_000);
});
