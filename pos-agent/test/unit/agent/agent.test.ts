import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { appendFile, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  ResourceNotFoundException,
  ServiceUnavailableException,
  type PutLogEventsCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { PosAgent, type AgentConfig, type AgentDeps } from '../../../src/agent/agent.js';
import { CheckpointStore } from '../../../src/agent/checkpoint.js';
import { AgentConfigError } from '../../../src/agent/errors.js';
import { makeTempDir, waitFor } from './helpers.js';

const cwl = mockClient(CloudWatchLogsClient);
// Every shipped record starts with its stable id (event-id.ts); the assertions below look at the record after it.
const STABLE_ID = /^(sl1:[0-9a-f]{12}:[0-9a-z]+) /;

describe('Class: PosAgent', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let file: string;
  let received: string[];
  let ids: string[];
  let puts: PutLogEventsCommandInput[];
  let logs: string[];
  let agents: PosAgent[];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    file = join(dir, 'pos.log');
    received = [];
    ids = [];
    puts = [];
    logs = [];
    agents = [];
    cwl.reset();
    cwl.on(PutLogEventsCommand).callsFake((input: PutLogEventsCommandInput) => {
      puts.push(input);
      record(input);
      return {};
    });
  });

  function record(input: PutLogEventsCommandInput): void {
    for (const event of input.logEvents ?? []) {
      const match = STABLE_ID.exec(event.message ?? '');
      ids.push(match?.[1] ?? 'missing');
      received.push(match === null ? (event.message ?? '') : (event.message ?? '').slice(match[0].length));
    }
  }

  afterEach(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    cwl.reset();
    await cleanup();
  });

  const client = () => new CloudWatchLogsClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });

  function makeAgent(overrides: Partial<AgentConfig> = {}, deps: AgentDeps = {}): PosAgent {
    const agent = new PosAgent(
      {
        file,
        storeId: 'store-7',
        kioskId: 'kiosk-3',
        stateDir: join(dir, 'state'),
        fromBeginning: true,
        flushIntervalMs: 20,
        multilineFlushMs: 20,
        partialLineFlushMs: 200,
        pollIntervalMs: 10,
        retryBaseMs: 1,
        retryCapMs: 5,
        stopTimeoutMs: 5_000,
        ...overrides,
      },
      { client: client(), log: (msg) => logs.push(msg), ...deps },
    );
    agents.push(agent);
    return agent;
  }

  const numbered = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `[${from + i}] sale completed`);
  const savedOffset = async (): Promise<number | undefined> => {
    const loaded = await new CheckpointStore(join(dir, 'state'), file).load();
    return loaded.status === 'found' ? loaded.checkpoint.offset : undefined;
  };

  describe('Method: start', () => {
    it('ships every record of the file once, in order, to {storeId}/{kioskId}, and checkpoints the shipped offset', async () => {
      // Prepare
      const lines = numbered(0, 50);
      await writeFile(file, `${lines.join('\n')}\n`);
      const agent = makeAgent();

      // Act
      await agent.start();
      await waitFor(() => received.length === 50, '50 records');
      await agent.stop();

      // Assess
      expect(received).toEqual(lines);
      expect(puts.every((put) => put.logGroupName === '/stacklens/pos' && put.logStreamName === 'store-7/kiosk-3')).toBe(true);
      expect(await savedOffset()).toBe(Buffer.byteLength(`${lines.join('\n')}\n`));
      expect(agent.stats()).toMatchObject({ linesRead: 50, recordsShipped: 50, lagBytes: 0 });
    });

    it('resumes from the checkpoint after a restart without re-sending what was accepted', async () => {
      // Prepare
      await writeFile(file, `${numbered(0, 3).join('\n')}\n`);
      const first = makeAgent();
      await first.start();
      await waitFor(() => received.length === 3, 'the first three records');
      await first.stop();

      // Act
      await appendFile(file, `${numbered(3, 5).join('\n')}\n`);
      const second = makeAgent();
      await second.start();
      await waitFor(() => received.length >= 5, 'the two new records');
      await second.stop();

      // Assess
      expect(received).toEqual(numbered(0, 5));
      expect(second.stats().linesRead).toBe(2);
    });

    it('records its starting point on a first run from the end, so lines written while it is down are not skipped', async () => {
      // Prepare
      await writeFile(file, 'history that is not shipped\n');
      const first = makeAgent({ fromBeginning: false });
      await first.start();
      await first.stop();

      // Act
      await appendFile(file, '[1] written while the agent was down\n');
      const second = makeAgent({ fromBeginning: false });
      await second.start();
      await waitFor(() => received.length === 1, 'the line written during the downtime');

      // Assess
      expect(received).toEqual(['[1] written while the agent was down']);
    });

    it('groups a stack trace into one event and counts truncated and binary lines', async () => {
      // Prepare
      const trace = ['2026-11-26 12:00:00,000 ERROR payment failed', 'java.lang.IllegalStateException: offline', '\tat Pay.charge(Pay.java:1)'];
      await writeFile(file, `${trace.join('\n')}\n\u0000\u0001\u0002\u0003\n[2] ${'y'.repeat(3000)}\n`);
      const agent = makeAgent({ maxLineBytes: 1024 });

      // Act
      await agent.start();
      await waitFor(() => received.length === 2, 'two events');

      // Assess
      expect(received[0]).toBe(trace.join('\n'));
      expect(received[1]).toMatch(/^\[2\] y+…\[truncated 1980 bytes\]$/);
      expect(agent.stats()).toMatchObject({ linesRead: 5, linesTruncated: 1, linesSkipped: { binary: 1, blank: 0, 'redact-failed': 0 } });
    });

    it('ships a record as soon as the file goes quiet instead of also waiting for the batch interval', async () => {
      // Prepare: a batch interval far longer than the test deadline.
      await writeFile(file, '');
      const agent = makeAgent({ flushIntervalMs: 60_000, multilineFlushMs: 20 });
      await agent.start();

      // Act
      await appendFile(file, '[1] order 42 failed\n    at pay (till.js:1:1)\n');
      await waitFor(() => received.length === 1, 'the record once the file is idle');

      // Assess
      expect(received).toEqual(['[1] order 42 failed\n    at pay (till.js:1:1)']);
    });

    it('creates the log stream on first use when it does not exist yet', async () => {
      // Prepare
      cwl
        .on(PutLogEventsCommand)
        .rejectsOnce(new ResourceNotFoundException({ message: 'The specified log stream does not exist.', $metadata: { httpStatusCode: 400 } }))
        .callsFake((input: PutLogEventsCommandInput) => {
          record(input);
          return {};
        });
      cwl.on(CreateLogStreamCommand).resolves({});
      await writeFile(file, '[1] first sale\n');
      const agent = makeAgent();

      // Act
      await agent.start();
      await waitFor(() => received.length === 1, 'the record after the stream was created');

      // Assess
      expect(cwl.commandCalls(CreateLogStreamCommand)[0]?.args[0].input).toEqual({ logGroupName: '/stacklens/pos', logStreamName: 'store-7/kiosk-3' });
    });
  });

  describe('Method: shipping failures', () => {
    it('keeps records in the disk buffer while PutLogEvents fails and ships them, with the same ids, on the next run', async () => {
      // Prepare
      cwl.on(PutLogEventsCommand).rejects(new ServiceUnavailableException({ message: 'down', $metadata: { httpStatusCode: 503 } }));
      await writeFile(file, `${numbered(0, 4).join('\n')}\n`);
      // One batch for all four: with a 20 ms batch interval racing the 20 ms multiline idle flush, a busy machine
      // sometimes sealed the first three alone, and the fourth (queued behind them) was never attempted.
      const failing = makeAgent({ stopTimeoutMs: 50, flushIntervalMs: 1_000 });
      await failing.start();
      await waitFor(() => failing.stats().retries >= 3 && failing.stats().bufferedRecords === 4, 'a few failed attempts with everything buffered');

      // Act
      await failing.stop();
      const offsetAfterFailure = await savedOffset();
      const attemptedIds = cwl.commandCalls(PutLogEventsCommand)[0]?.args[0].input.logEvents?.map((event) => STABLE_ID.exec(event.message ?? '')?.[1]);
      cwl.on(PutLogEventsCommand).callsFake((input: PutLogEventsCommandInput) => {
        record(input);
        return {};
      });
      const recovered = makeAgent();
      await recovered.start();
      await waitFor(() => received.length === 4, 'all four records after recovery');

      // Assess: the file checkpoint moved once the lines were safe on disk; nothing was read twice or lost.
      expect(offsetAfterFailure).toBe(Buffer.byteLength(`${numbered(0, 4).join('\n')}\n`));
      expect(failing.stats()).toMatchObject({ recordsShipped: 0, batchesSent: 0, bufferedRecords: 4 });
      expect(received).toEqual(numbered(0, 4));
      expect(ids).toEqual(attemptedIds);
      expect(recovered.stats()).toMatchObject({ linesRead: 0 });
    });

    it('keeps reading into the disk buffer during an outage with bounded memory, and catches up once shipping recovers', async () => {
      // Prepare: ~1 KB lines.
      let healthy = false;
      cwl.on(PutLogEventsCommand).callsFake((input: PutLogEventsCommandInput) => {
        if (!healthy) throw new ServiceUnavailableException({ message: 'down', $metadata: { httpStatusCode: 503 } });
        record(input);
        return {};
      });
      const lines = Array.from({ length: 1000 }, (_, i) => `[${i}] ${'p'.repeat(1000)}`);
      await writeFile(file, `${lines.join('\n')}\n`);
      const agent = makeAgent({ maxPendingRecords: 10 });
      await agent.start();
      await waitFor(() => agent.stats().bufferedRecords === 1000, 'every line in the disk buffer while shipping fails');

      // Act
      const whileDown = agent.stats();
      healthy = true;
      await waitFor(() => received.length === 1000, 'every record after recovery', 30_000);

      // Assess
      expect(whileDown.linesRead).toBe(1000);
      expect(whileDown.pendingRecords - whileDown.bufferedRecords).toBeLessThanOrEqual(10);
      expect(received).toEqual(lines);
      expect(new Set(ids).size).toBe(1000);
      await waitFor(() => agent.stats().bufferedRecords === 0, 'the buffer to empty');
    });

    it('drops the oldest buffered data at its bound, counts it, and ships a notice of the loss when the link returns', async () => {
      // Prepare: 3,000 lines of ~1 KB through a 1 MiB buffer while the endpoint is down.
      let healthy = false;
      cwl.on(PutLogEventsCommand).callsFake((input: PutLogEventsCommandInput) => {
        if (!healthy) throw new ServiceUnavailableException({ message: 'down', $metadata: { httpStatusCode: 503 } });
        record(input);
        return {};
      });
      const lines = Array.from({ length: 3000 }, (_, i) => `[${i}] ${'q'.repeat(1000)}`);
      await writeFile(file, `${lines.join('\n')}\n`);
      const agent = makeAgent({ bufferMaxBytes: 1024 * 1024, maxPendingRecords: 100 });
      await agent.start();
      await waitFor(() => agent.stats().linesRead === 3000 && agent.stats().pendingRecords === agent.stats().bufferedRecords, 'the whole file read');

      // Act
      const whileDown = agent.stats();
      healthy = true;
      await waitFor(() => agent.stats().bufferedRecords === 0 && received.length > 0, 'the buffer to drain');

      // Assess
      const notices = received.filter((message) => message.includes('AGENT_BUFFER_OVERFLOW'));
      const shippedLines = received.filter((message) => !message.includes('AGENT_BUFFER_OVERFLOW'));
      expect(whileDown.bufferDroppedRecords).toBeGreaterThan(0);
      expect(whileDown.bufferedBytes).toBeLessThanOrEqual(1024 * 1024);
      expect(shippedLines.length + whileDown.bufferDroppedRecords).toBe(3000);
      // What survived is in file order, without repeats, and ends with the newest line (the batch that was in flight
      // when its segment was discarded is still delivered, so the survivors need not be one contiguous tail).
      const numbers = shippedLines.map((message) => Number(/^\[(\d+)\]/.exec(message)?.[1]));
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
      expect(new Set(numbers).size).toBe(numbers.length);
      expect(numbers.at(-1)).toBe(2999);
      expect(notices.length).toBeGreaterThan(0);
      const dropped = notices.map((notice) => Number(/"droppedRecords":(\d+)/.exec(notice)?.[1])).reduce((sum, n) => sum + n, 0);
      expect(dropped).toBe(whileDown.bufferDroppedRecords);
      expect(logs.some((line) => line.includes('disk buffer full'))).toBe(true);
    });
  });

  describe('Method: file changes', () => {
    it('counts a truncation and ships what is written after it', async () => {
      // Prepare
      await writeFile(file, '[1] a long line before truncation\n');
      const agent = makeAgent();
      await agent.start();
      await waitFor(() => received.length === 1, 'the first record');

      // Act
      await truncate(file, 0);
      await appendFile(file, '[2] after\n');
      await waitFor(() => received.length === 2, 'the record after truncation');

      // Assess
      expect(received).toEqual(['[1] a long line before truncation', '[2] after']);
      expect(agent.stats().truncations).toBe(1);
    });
  });

  describe('Method: redact hook', () => {
    it('applies the redactor to every line before it is shipped', async () => {
      // Prepare
      await writeFile(file, '[1] card 4111111111111111 approved\n');
      const agent = makeAgent({}, { redact: (line) => ({ text: line.replace(/\d{13,19}/g, '[PAN]'), counts: { pan: 1 } }) });

      // Act
      await agent.start();
      await waitFor(() => received.length === 1, 'the redacted record');

      // Assess
      expect(received).toEqual(['[1] card [PAN] approved']);
      expect(agent.stats().redactions).toEqual({ pan: 1 });
    });

    it('skips a line the redactor fails on rather than shipping it unredacted', async () => {
      // Prepare
      await writeFile(file, '[1] secret\n[2] fine\n');
      const agent = makeAgent(
        {},
        {
          redact: (line) => {
            if (line.includes('secret')) throw new Error('redactor bug');
            return { text: line };
          },
        },
      );

      // Act
      await agent.start();
      await waitFor(() => received.length === 1, 'the safe record');

      // Assess
      expect(received).toEqual(['[2] fine']);
      expect(agent.stats().linesSkipped['redact-failed']).toBe(1);
    });
  });

  describe('Method: stop', () => {
    it('ships a record still being assembled and checkpoints past it', async () => {
      // Prepare
      await writeFile(file, '[1] error\n    at frame\n');
      const agent = makeAgent({ multilineFlushMs: 60_000, flushIntervalMs: 60_000 });
      await agent.start();
      await waitFor(() => agent.stats().linesRead === 2, 'both lines read');

      // Act
      await agent.stop();

      // Assess
      expect(received).toEqual(['[1] error\n    at frame']);
      expect(await savedOffset()).toBe(Buffer.byteLength('[1] error\n    at frame\n'));
    });

    it('leaves a partial last line for the next run instead of shipping half of it', async () => {
      // Prepare
      await writeFile(file, '[1] done\n[2] half');
      const agent = makeAgent({ partialLineFlushMs: 60_000 });
      await agent.start();
      await waitFor(() => received.length === 1, 'the complete record');

      // Act
      await agent.stop();
      await appendFile(file, ' and the rest\n');
      const next = makeAgent();
      await next.start();
      await waitFor(() => received.length === 2, 'the completed line');

      // Assess
      expect(received).toEqual(['[1] done', '[2] half and the rest']);
    });
  });

  describe('Method: constructor', () => {
    it('rejects a store id that cannot be part of a stream name', () => {
      expect(() => makeAgent({ storeId: 'store/1' })).toThrow(AgentConfigError);
      expect(() => makeAgent({ storeId: 'store/1' })).toThrow(/storeId/);
    });

    it('rejects an invalid multiline start pattern with a clear message', () => {
      expect(() => makeAgent({ multilineStartPattern: '([unclosed' })).toThrow(/multilineStartPattern[\s\S]*regular expression/);
    });

    it('rejects unknown options', () => {
      expect(() => makeAgent({ flushMs: 5 } as Partial<AgentConfig>)).toThrow(AgentConfigError);
    });
  });
});

describe('Checkpoint file format', () => {
  it('is JSON with file path, dev, ino, offset and updatedAt', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const store = new CheckpointStore(dir, join(dir, 'pos.log'));
      await store.save({ identity: { dev: '5', ino: '6' }, offset: 7 }, new Date(0));
      expect(JSON.parse(await readFile(store.path, 'utf8'))).toEqual({
        version: 1,
        file: join(dir, 'pos.log'),
        dev: '5',
        ino: '6',
        offset: 7,
        updatedAt: '1970-01-01T00:00:00.000Z',
      });
    } finally {
      await cleanup();
    }
  });
});
