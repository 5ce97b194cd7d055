import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CloudWatchLogsClient, PutLogEventsCommand, type PutLogEventsCommandInput } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { runAgentCli, type AgentCliIo } from '../../../src/agent/cli.js';
import { makeTempDir, waitFor } from './helpers.js';

const cwl = mockClient(CloudWatchLogsClient);

function capture(env: Record<string, string> = {}, extra: Partial<AgentCliIo> = {}): { io: AgentCliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (chunk: string) => (out += chunk) },
      stderr: { write: (chunk: string) => (err += chunk) },
      env,
      ...extra,
    },
    out: () => out,
    err: () => err,
  };
}

describe('Function: runAgentCli', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    cwl.reset();
  });

  afterEach(async () => {
    cwl.reset();
    await cleanup();
  });

  it('prints usage and exits 0 for --help', async () => {
    const { io, out } = capture();

    expect(await runAgentCli(['--help'], io)).toBe(0);
    expect(out()).toContain('--from-beginning');
  });

  it('exits 2 and names the missing option when --file is not given', async () => {
    const { io, err } = capture();

    expect(await runAgentCli(['--store', 's1', '--kiosk', 'k1'], io)).toBe(2);
    expect(err()).toContain('Missing --file (or STACKLENS_AGENT_FILE)');
  });

  it('exits 2 for a flush interval that is not a number', async () => {
    const { io, err } = capture();

    expect(await runAgentCli(['--file', 'x.log', '--store', 's1', '--kiosk', 'k1', '--flush-ms', 'soon'], io)).toBe(2);
    expect(err()).toContain('--flush-ms must be a whole number');
  });

  it('exits 2 with the validation message for an id that cannot be a stream name', async () => {
    const { io, err } = capture();

    expect(await runAgentCli(['--file', 'x.log', '--store', 'a:b', '--kiosk', 'k1', '--state-dir', dir], io)).toBe(2);
    expect(err()).toContain('storeId must be');
  });

  it('exits 2 for an unknown flag', async () => {
    const { io } = capture();

    expect(await runAgentCli(['--file', 'x.log', '--verbose'], io)).toBe(2);
  });

  it('exits 1 with the reason when the state directory cannot be created', async () => {
    // Prepare: a regular file where the state directory should be.
    const blocker = join(dir, 'not-a-dir');
    await writeFile(blocker, 'x');
    const { io, err } = capture({}, { client: new CloudWatchLogsClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }) });

    // Act
    const code = await runAgentCli(['--file', join(dir, 'pos.log'), '--store', 's1', '--kiosk', 'k1', '--state-dir', join(blocker, 'state')], io);

    // Assess
    expect(code).toBe(1);
    expect(err()).toContain('Cannot create state directory');
  });

  it('takes its settings from STACKLENS_AGENT_* variables, ships, and stops cleanly when signalled', async () => {
    // Prepare
    const received: string[] = [];
    cwl.on(PutLogEventsCommand).callsFake((input: PutLogEventsCommandInput) => {
      received.push(...(input.logEvents ?? []).map((event) => `${input.logStreamName} ${event.message}`));
      return {};
    });
    const file = join(dir, 'pos.log');
    await writeFile(file, '[1] hello from the till\n');
    const controller = new AbortController();
    const { io, out } = capture(
      {
        STACKLENS_AGENT_FILE: file,
        STACKLENS_AGENT_STORE: 'store-9',
        STACKLENS_AGENT_KIOSK: 'kiosk-1',
        STACKLENS_AGENT_STATE_DIR: join(dir, 'state'),
        STACKLENS_AGENT_FROM_BEGINNING: '1',
      },
      {
        signal: controller.signal,
        client: new CloudWatchLogsClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
      },
    );

    // Act
    const exited = runAgentCli(['--flush-ms', '20'], io);
    await waitFor(() => received.length === 1, 'the record to be shipped');
    controller.abort();
    const code = await exited;

    // Assess
    expect(code).toBe(0);
    expect(received).toEqual(['store-9/kiosk-1 [1] hello from the till']);
    expect(out()).toContain('pos-agent: lines read 1, shipped 1 records in 1 batches, lag 0 bytes');
  });
});
