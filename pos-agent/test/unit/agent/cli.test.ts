import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudWatchLogsClient, PutLogEventsCommand, type PutLogEventsCommandInput } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { AgentConfigSchema, type PosAgent } from '../../../src/agent/agent.js';
import { loadCliSettings, parseByteSize, runAgentCli, statusLine, type AgentCliIo, type CliSettings } from '../../../src/agent/cli.js';
import { makeTempDir, waitFor } from './helpers.js';
import { makeStats } from './stats-fixture.js';

const cwl = mockClient(CloudWatchLogsClient);

const fakeCredentials = { accessKeyId: 'x', secretAccessKey: 'y' };

function capture(
  env: Record<string, string> = {},
  extra: Partial<AgentCliIo> = {},
): { io: AgentCliIo; out: () => string; err: () => string; signals: EventEmitter; exits: number[] } {
  let out = '';
  let err = '';
  // The tests' own signal source and exit: a test must never stop or kill the jest worker.
  const signals = new EventEmitter();
  const exits: number[] = [];
  return {
    io: {
      stdout: { write: (chunk: string) => (out += chunk) },
      stderr: { write: (chunk: string) => (err += chunk) },
      env,
      signals,
      exit: (code) => exits.push(code),
      ...extra,
    },
    out: () => out,
    err: () => err,
    signals,
    exits,
  };
}

async function settingsFor(argv: string[], env: Record<string, string> = {}): Promise<CliSettings> {
  const settings = await loadCliSettings(argv, env);
  if (settings === 'help') throw new Error('unexpected help');
  return settings;
}

describe('Function: runAgentCli', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    cwl.reset();
  });

  /** Follows `file` from its start with short flush timers, as store s1 kiosk k1. */
  const quickShipping = (file: string, ...extra: string[]): string[] => [
    ...['--file', file, '--store', 's1', '--kiosk', 'k1', '--state-dir', join(dir, 'state'), '--from-beginning'],
    ...['--flush-ms', '20', '--multiline-flush-ms', '20', ...extra],
  ];

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
    expect(err()).toContain('Missing --file (or STACKLENS_AGENT_FILE, or "file" in the config file)');
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
    const { io, err } = capture({}, { client: new CloudWatchLogsClient({ region: 'us-east-1', credentials: fakeCredentials }) });

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
        client: new CloudWatchLogsClient({ region: 'us-east-1', credentials: fakeCredentials }),
      },
    );

    // Act
    const exited = runAgentCli(['--flush-ms', '20'], io);
    await waitFor(() => received.length === 1, 'the record to be shipped');
    controller.abort();
    const code = await exited;

    // Assess
    expect(code).toBe(0);
    // The message may carry the agent's record-id prefix; the stream and the line are what this test is about.
    expect(received).toEqual([expect.stringMatching(/^store-9\/kiosk-1 (.* )?\[1\] hello from the till$/)]);
    expect(out()).toContain('pos-agent: read 1 lines, shipped 1 records (1 batches), buffered 0 records (0 bytes), lag 0 bytes\n');
  });

  it('serves /metrics while running, prints periodic status lines, and closes the endpoint when it stops', async () => {
    // Prepare
    cwl.on(PutLogEventsCommand).resolves({});
    const file = join(dir, 'pos.log');
    await writeFile(file, '[1] sale with a marker-do-not-echo value\n');
    const controller = new AbortController();
    const { io, out, err } = capture(
      {},
      { signal: controller.signal, client: new CloudWatchLogsClient({ region: 'us-east-1', credentials: fakeCredentials }) },
    );

    // Act
    const exited = runAgentCli(quickShipping(file, '--metrics-port', '0', '--status-interval-ms', '5'), io);
    await waitFor(() => /metrics on \S+/.test(out()), 'the metrics address');
    const url = /metrics on (\S+)/.exec(out())?.[1] as string;
    await waitFor(
      async () => (await (await fetch(url)).text()).includes('stacklens_agent_records_shipped_total{store="s1",kiosk="k1"} 1\n'),
      'the shipped record to show in /metrics',
    );
    await waitFor(
      () =>
        out()
          .split('\n')
          .filter((line) => line.startsWith('pos-agent: read 1 lines')).length >= 2,
      'periodic status lines',
    );
    controller.abort();
    const code = await exited;

    // Assess
    expect(code).toBe(0);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    await expect(fetch(url)).rejects.toThrow();
    expect(out() + err()).not.toContain('do-not-echo');
  });

  it('ships card numbers and --redact-pattern matches masked, and its own output carries neither', async () => {
    // Prepare
    const shipped: string[] = [];
    cwl.on(PutLogEventsCommand).callsFake((input: PutLogEventsCommandInput) => {
      shipped.push(...(input.logEvents ?? []).map((event) => event.message ?? ''));
      return {};
    });
    const file = join(dir, 'pos.log');
    await writeFile(file, '[1] paid with 4111 1111 1111 1111 loyalty LOY-123456\n');
    const controller = new AbortController();
    const { io, out, err } = capture(
      {},
      { signal: controller.signal, client: new CloudWatchLogsClient({ region: 'us-east-1', credentials: fakeCredentials }) },
    );

    // Act
    const exited = runAgentCli(quickShipping(file, '--redact-pattern', 'LOY-\\d{6}'), io);
    await waitFor(() => shipped.length === 1, 'the record to be shipped');
    controller.abort();
    const code = await exited;

    // Assess
    expect(code).toBe(0);
    for (const message of shipped) expect(message.replace(/\D/g, '')).not.toContain('4111111111111111');
    for (const text of [...shipped, out(), err()]) {
      expect(text).not.toContain('4111 1111 1111 1111');
      expect(text).not.toContain('LOY-123456');
    }
    expect(out()).toContain(', redacted 2\n');
  });

  it('exits 2 for a --redact-pattern that cannot run in linear time', async () => {
    const { io, err } = capture();

    expect(await runAgentCli(['--file', 'pos.log', '--store', 's1', '--kiosk', 'k1', '--redact-pattern', '(a)\\1'], io)).toBe(2);
    expect(err()).toContain('redactPatterns[0] cannot be used');
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('exits at once with %s twice (code %i) while the stop is still shipping', async (signal, expectedCode) => {
    // Prepare: PutLogEvents hangs until released, so the graceful stop cannot finish by itself.
    let release: () => void = () => undefined;
    let calls = 0;
    cwl.on(PutLogEventsCommand).callsFake(() => {
      calls += 1;
      return new Promise((resolve) => {
        release = () => resolve({});
      });
    });
    const file = join(dir, 'pos.log');
    await writeFile(file, '[1] one record\n');
    let agent: PosAgent | undefined;
    const { io, out, err, signals, exits } = capture(
      {},
      { client: new CloudWatchLogsClient({ region: 'us-east-1', credentials: fakeCredentials }), onAgent: (built) => (agent = built) },
    );
    const exited = runAgentCli(quickShipping(file), io);
    await waitFor(() => calls === 1, 'PutLogEvents to be called');

    // Act
    signals.emit(signal, signal);
    await waitFor(() => out().includes(`stopping (${signal})`), 'the graceful stop to begin');
    signals.emit(signal, signal);
    const code = await exited;

    // Assess
    expect(code).toBe(expectedCode);
    expect(exits).toEqual([expectedCode]);
    expect(err()).toContain(`${signal} while stopping`);
    expect(signals.listenerCount(signal)).toBe(0);

    // Let the abandoned stop finish before the temp dir goes.
    release();
    await agent?.stop();
  });

  it('exits 1 naming the address when the metrics port is taken', async () => {
    // Prepare
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    const { io, err } = capture({}, { client: new CloudWatchLogsClient({ region: 'us-east-1', credentials: fakeCredentials }) });

    try {
      // Act
      const code = await runAgentCli(
        ['--file', join(dir, 'pos.log'), '--store', 's1', '--kiosk', 'k1', '--state-dir', join(dir, 'state'), '--metrics-port', String(port)],
        io,
      );

      // Assess
      expect(code).toBe(1);
      expect(err()).toContain(`Cannot serve metrics on 127.0.0.1:${port}`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('exits 2 naming the unknown key of a config file', async () => {
    const config = join(dir, 'agent.json');
    await writeFile(config, JSON.stringify({ file: 'pos.log', storeId: 's1', kioskId: 'k1', flushMs: 100 }));
    const { io, err } = capture();

    expect(await runAgentCli(['--config', config], io)).toBe(2);
    expect(err()).toContain(`Config file ${config} is invalid`);
    expect(err()).toContain('Unrecognized key: "flushMs"');
  });

  it('exits 2 naming the field of a config file value of the wrong type', async () => {
    const config = join(dir, 'agent.json');
    await writeFile(config, JSON.stringify({ bufferMaxBytes: '64MiB' }));
    const { io, err } = capture();

    expect(await runAgentCli(['--config', config, '--file', 'pos.log', '--store', 's1', '--kiosk', 'k1'], io)).toBe(2);
    expect(err()).toContain('bufferMaxBytes');
  });

  it('exits 2 when the config file does not exist', async () => {
    const config = join(dir, 'missing.json');
    const { io, err } = capture({ STACKLENS_AGENT_CONFIG: config });

    expect(await runAgentCli([], io)).toBe(2);
    expect(err()).toContain(`Cannot read config file ${config}: no such file`);
  });

  it('exits 2 when the config file is not JSON', async () => {
    const config = join(dir, 'agent.json');
    await writeFile(config, 'file = "pos.log"\n');
    const { io, err } = capture();

    expect(await runAgentCli(['--config', config], io)).toBe(2);
    expect(err()).toContain(`Config file ${config} is not valid JSON`);
  });

  it('exits 2 for a metrics port out of range', async () => {
    const { io, err } = capture();

    expect(await runAgentCli(['--file', 'pos.log', '--store', 's1', '--kiosk', 'k1', '--metrics-port', '70000'], io)).toBe(2);
    expect(err()).toContain('metricsPort must be a port number');
  });

  it('exits 2 naming the variable when a boolean variable is not a boolean', async () => {
    const { io, err } = capture({ STACKLENS_AGENT_FROM_BEGINNING: 'maybe' });

    expect(await runAgentCli(['--file', 'pos.log', '--store', 's1', '--kiosk', 'k1'], io)).toBe(2);
    expect(err()).toContain('STACKLENS_AGENT_FROM_BEGINNING must be');
  });
});

describe('Function: loadCliSettings', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const required = ['--file', 'pos.log', '--store', 's1', '--kiosk', 'k1'];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
  });

  afterEach(async () => {
    await cleanup();
  });

  async function configFile(content: unknown): Promise<string> {
    const path = join(dir, 'agent.json');
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  }

  it('takes each setting from the flag, else the environment, else the config file', async () => {
    // Prepare
    const config = await configFile({
      file: 'file.log',
      storeId: 'file-store',
      kioskId: 'file-kiosk',
      flushIntervalMs: 100,
      logGroup: '/from/file',
      bufferMaxBytes: 1_048_576,
    });
    const env = { STACKLENS_AGENT_CONFIG: config, STACKLENS_AGENT_FLUSH_MS: '200', STACKLENS_AGENT_STORE: 'env-store' };

    // Act
    const allThree = await settingsFor(['--flush-ms', '300'], env);
    const envAndFile = await settingsFor([], env);
    const fileOnly = await settingsFor([], { STACKLENS_AGENT_CONFIG: config });

    // Assess
    expect(allThree.agent).toMatchObject({
      flushIntervalMs: 300,
      storeId: 'env-store',
      kioskId: 'file-kiosk',
      file: 'file.log',
      logGroup: '/from/file',
      bufferMaxBytes: 1_048_576,
    });
    expect(envAndFile.agent).toMatchObject({ flushIntervalMs: 200, storeId: 'env-store' });
    expect(fileOnly.agent).toMatchObject({ flushIntervalMs: 100, storeId: 'file-store' });
    expect(allThree.configFile).toBe(config);
  });

  it('leaves unset settings to the defaults', async () => {
    const settings = await settingsFor(required);

    expect(settings.agent).toEqual({ file: 'pos.log', storeId: 's1', kioskId: 'k1', stateDir: expect.stringContaining('agent-state') });
    expect(settings.statusIntervalMs).toBe(10_000);
    expect(settings.metrics).toBeUndefined();
    expect(settings.configFile).toBeUndefined();
  });

  it('reads --config over STACKLENS_AGENT_CONFIG', async () => {
    const config = await configFile({ kioskId: 'from-flag-file' });

    const settings = await settingsFor(['--config', config, '--file', 'pos.log', '--store', 's1'], { STACKLENS_AGENT_CONFIG: join(dir, 'missing.json') });

    expect(settings.agent.kioskId).toBe('from-flag-file');
  });

  it('lets STACKLENS_AGENT_FROM_BEGINNING=0 switch off fromBeginning from the config file', async () => {
    const config = await configFile({ fromBeginning: true });

    const settings = await settingsFor([...required, '--config', config], { STACKLENS_AGENT_FROM_BEGINNING: '0' });

    expect(settings.agent.fromBeginning).toBe(false);
  });

  it('ranks the config file region above AWS_REGION and STACKLENS_AGENT_REGION above both', async () => {
    const config = await configFile({ region: 'eu-west-1' });

    const fileOverSdk = await settingsFor([...required, '--config', config], { AWS_REGION: 'us-east-1' });
    const envOverFile = await settingsFor([...required, '--config', config], { AWS_REGION: 'us-east-1', STACKLENS_AGENT_REGION: 'ap-south-1' });
    const sdkOnly = await settingsFor(required, { AWS_DEFAULT_REGION: 'us-west-2' });

    expect([fileOverSdk.agent.region, envOverFile.agent.region, sdkOnly.agent.region]).toEqual(['eu-west-1', 'ap-south-1', 'us-west-2']);
  });

  it('adds redaction patterns from every source instead of replacing them', async () => {
    const config = await configFile({ redactPatterns: ['EMP-\\d{6}', 'LOY-\\d{8}'] });

    const settings = await settingsFor([...required, '--config', config, '--redact-pattern', 'GIFT-\\d{10}', '--redact-pattern', 'EMP-\\d{6}'], {
      STACKLENS_AGENT_REDACT_PATTERN: 'VOUCHER-[A-Z0-9]{12}',
    });

    expect(settings.agent.redactPatterns).toEqual(['EMP-\\d{6}', 'LOY-\\d{8}', 'VOUCHER-[A-Z0-9]{12}', 'GIFT-\\d{10}']);
  });

  it('reads the metrics and status settings from the config file, the environment and flags', async () => {
    const config = await configFile({ metricsPort: 9464, metricsHost: '0.0.0.0', statusIntervalMs: 0 });

    const fromFile = await settingsFor([...required, '--config', config]);
    const overridden = await settingsFor([...required, '--config', config, '--metrics-host', '127.0.0.1'], { STACKLENS_AGENT_METRICS_PORT: '9100' });

    expect([fromFile.metrics, fromFile.statusIntervalMs]).toEqual([{ host: '0.0.0.0', port: 9464 }, 0]);
    expect(overridden.metrics).toEqual({ host: '127.0.0.1', port: 9100 });
  });

  it('reads --buffer-max-bytes with a binary unit', async () => {
    const settings = await settingsFor([...required, '--buffer-max-bytes', '64MiB']);

    expect(settings.agent.bufferMaxBytes).toBe(64 * 1024 * 1024);
  });

  it('accepts the example config file in pos-agent/deploy', async () => {
    const example = fileURLToPath(new URL('../../../deploy/pos-agent.example.json', import.meta.url));

    const settings = await settingsFor(['--config', example]);

    expect(settings.agent).toMatchObject({ storeId: 'store-12', kioskId: 'kiosk-4', redactPatterns: ['LOY-\\d{8}'] });
    expect(settings.metrics).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(AgentConfigSchema.safeParse(settings.agent).error).toBeUndefined();
  });

  it('accepts a config file that starts with a UTF-8 byte order mark', async () => {
    const config = await configFile(`\uFEFF${JSON.stringify({ kioskId: 'k-bom' })}`);

    const settings = await settingsFor(['--file', 'pos.log', '--store', 's1', '--config', config]);

    expect(settings.agent.kioskId).toBe('k-bom');
  });
});

describe('Function: parseByteSize', () => {
  it.each([
    ['1048576', 1_048_576],
    ['64K', 65_536],
    ['64kib', 65_536],
    ['128MiB', 134_217_728],
    ['2 G', 2_147_483_648],
  ])('reads %s as %i bytes', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(['', '1.5M', '12X', '-5', '64MB'])('refuses "%s"', (text) => {
    expect(() => parseByteSize(text, '--buffer-max-bytes')).toThrow('--buffer-max-bytes must be a number of bytes');
  });
});

describe('Function: statusLine', () => {
  it('states reads, shipments, the disk buffer and the lag', () => {
    const line = statusLine(makeStats({ retries: 0, redactions: {} }));

    expect(line).toBe('pos-agent: read 120 lines, shipped 100 records (7 batches), buffered 2 records (300 bytes), lag 512 bytes');
  });

  it('adds drops by cause, retries and redactions only when there are any', () => {
    const stats = makeStats({
      eventsRejected: 1,
      eventsDropped: 2,
      bufferDroppedRecords: 30,
      linesSkipped: { binary: 0, blank: 0, 'redact-failed': 4 },
      retries: 5,
      redactions: { pan: 6, custom: 1 },
    });

    expect(statusLine(stats)).toBe(
      'pos-agent: read 120 lines, shipped 100 records (7 batches), buffered 2 records (300 bytes), lag 512 bytes, ' +
        'dropped 37 (1 rejected, 2 refused, 30 buffer full, 4 unredactable), retries 5, redacted 7',
    );
  });
});
