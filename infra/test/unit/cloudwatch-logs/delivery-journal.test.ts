import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { LocalCloudWatchLogs } from '../../../src/local/cloudwatch-logs/service.js';
import { decode, events, GROUP, NOW, STREAM, withStream } from './helpers.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function journalFile(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cwl-journal-'));
  dirs.push(dir);
  return path.join(dir, 'deliveries.jsonl');
}

/** A service whose data deliveries go to `deliver`; the probe sent to a new subscription is not recorded. */
async function service(file: string, deliver: (event: CloudWatchLogsEvent) => Promise<void>, warnings: string[] = [], redriveDelayMs = 60_000): Promise<LocalCloudWatchLogs> {
  const svc = new LocalCloudWatchLogs({
    now: () => NOW,
    deliveryRetryDelayMs: 1,
    redriveDelayMs,
    deliveryJournal: file,
    warn: (line) => warnings.push(line),
    deliver: async (event) => {
      if (decode(event).messageType === 'DATA_MESSAGE') await deliver(event);
    },
  });
  await withStream(svc);
  await svc.handle('PutSubscriptionFilter', { logGroupName: GROUP, filterName: 'errors', filterPattern: 'ERROR', destinationArn: 'arn:aws:lambda:us-east-1:000000000000:function:ingest' });
  // The probe's delivery ends in a compaction; let it happen before the test writes to the journal itself.
  await svc.drain();
  return svc;
}

function messages(delivered: CloudWatchLogsEvent[]): string[] {
  return delivered.flatMap((event) => decode(event).logEvents.map((e) => e.message));
}

describe('Class: LocalCloudWatchLogs — delivery journal', () => {
  it('delivers at the next start what a killed process had accepted and not yet delivered', async () => {
    // Prepare: the first process accepts two batches, then dies while its ingest is stuck (never settles)
    const file = await journalFile();
    const killed = await service(file, () => new Promise<void>(() => undefined));
    await killed.handle('PutLogEvents', { logGroupName: GROUP, logStreamName: STREAM, logEvents: events(['[ERROR] one', '[INFO] quiet']) });
    await killed.handle('PutLogEvents', { logGroupName: GROUP, logStreamName: STREAM, logEvents: events(['[ERROR] two'], NOW + 10) });

    // Act: a new process on the same journal
    const delivered: CloudWatchLogsEvent[] = [];
    const restarted = await service(file, async (event) => void delivered.push(event));
    const owed = restarted.resumeDeliveries();
    await restarted.close();

    // Assess: both batches, in order, with their original event ids and stream
    expect(owed).toBe(2);
    expect(messages(delivered)).toEqual(['[ERROR] one', '[ERROR] two']);
    expect(decode(delivered[0]!).logStream).toBe(STREAM);
    expect(await readFile(file, 'utf8')).toBe('');
  });

  it('does not deliver again what was delivered, and empties the journal once nothing is in flight', async () => {
    const file = await journalFile();
    const first: CloudWatchLogsEvent[] = [];
    const svc = await service(file, async (event) => void first.push(event));
    await svc.handle('PutLogEvents', { logGroupName: GROUP, logStreamName: STREAM, logEvents: events(['[ERROR] once']) });
    await svc.drain();
    await svc.close();

    const again: CloudWatchLogsEvent[] = [];
    const next = await service(file, async (event) => void again.push(event));
    expect(next.resumeDeliveries()).toBe(0);
    await next.close();
    expect(messages(first)).toEqual(['[ERROR] once']);
    expect(again).toEqual([]);
  });

  it('keeps a batch given up on after its retries and delivers it at the next start', async () => {
    const file = await journalFile();
    const warnings: string[] = [];
    let attempts = 0;
    const svc = await service(
      file,
      async () => {
        attempts += 1;
        throw new Error('DynamoDB unreachable');
      },
      warnings,
    );
    await svc.handle('PutLogEvents', { logGroupName: GROUP, logStreamName: STREAM, logEvents: events(['[ERROR] stubborn']) });
    await svc.drain();
    await svc.close();
    expect(attempts).toBe(3);
    expect(warnings.join('\n')).toContain('and at the next start');

    const delivered: CloudWatchLogsEvent[] = [];
    const next = await service(file, async (event) => void delivered.push(event));
    expect(next.resumeDeliveries()).toBe(1);
    await next.close();
    expect(messages(delivered)).toEqual(['[ERROR] stubborn']);
  });

  it('sends a batch given up on again after the redrive delay, in the same process', async () => {
    // Prepare: ingest fails for its first four invocations (the delivery and its two retries, then the redrive's first)
    const file = await journalFile();
    const warnings: string[] = [];
    const delivered: CloudWatchLogsEvent[] = [];
    let attempts = 0;
    const svc = await service(
      file,
      async (event) => {
        attempts += 1;
        if (attempts <= 4) throw new Error('DynamoDB restarting');
        delivered.push(event);
      },
      warnings,
      10,
    );

    // Act
    await svc.handle('PutLogEvents', { logGroupName: GROUP, logStreamName: STREAM, logEvents: events(['[ERROR] patient']) });
    const deadline = Date.now() + 5_000;
    while (delivered.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await svc.close();

    // Assess: delivered once, by a retry within the redrive; nothing owed any more
    expect(messages(delivered)).toEqual(['[ERROR] patient']);
    expect(attempts).toBe(5);
    expect(warnings.filter((w) => w.includes('sending 1 delivery job(s) again'))).toHaveLength(1);
    const next = await service(file, async () => undefined);
    expect(next.resumeDeliveries()).toBe(0);
    await next.close();
  });

  it('skips a line cut off by a kill and still delivers the complete ones', async () => {
    const file = await journalFile();
    const killed = await service(file, () => new Promise<void>(() => undefined));
    await killed.handle('PutLogEvents', { logGroupName: GROUP, logStreamName: STREAM, logEvents: events(['[ERROR] whole']) });
    await appendFile(file, '{"type":"job","id":"cut-off","lane":"x","job":{"header"');

    const warnings: string[] = [];
    const delivered: CloudWatchLogsEvent[] = [];
    const next = await service(file, async (event) => void delivered.push(event), warnings);
    expect(next.resumeDeliveries()).toBe(1);
    await next.close();
    expect(messages(delivered)).toEqual(['[ERROR] whole']);
    expect(warnings.join('\n')).toContain('skipped 1 unreadable line');
  });
});
