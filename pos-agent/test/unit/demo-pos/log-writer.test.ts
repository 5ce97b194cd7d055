import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseRecords } from '../../../src/demo-pos/log-format.js';
import { createPosLogWriter } from '../../../src/demo-pos/log-writer.js';

function captureStream(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}

const timestamp = new Date('2026-11-26T12:00:00.000Z');

describe('createPosLogWriter', () => {
  it('creates the log directory and appends records in the order they were queued, never interleaved', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'demo-pos-writer-'));
    const file = join(dir, 'nested', 'logs', 'pos-application.log');
    const writer = createPosLogWriter(file);
    const pending = Array.from({ length: 300 }, (_, i) =>
      writer.write({
        timestamp,
        level: i % 3 === 0 ? 'ERROR' : 'INFO',
        message: `record ${i}`,
        details: { i },
        stack: i % 3 === 0 ? [`Error: failure ${i}`, `    at handler (/srv/app.js:${i}:1)`] : undefined,
      }),
    );
    await Promise.all(pending);
    const records = parseRecords(await readFile(file, 'utf8'));
    expect(records.map((r) => r.details?.i)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    for (const record of records) {
      const i = Number(record.details?.i);
      expect(record.stack).toEqual(i % 3 === 0 ? [`Error: failure ${i}`, `    at handler (/srv/app.js:${i}:1)`] : []);
    }
    expect(writer.stats()).toEqual({ written: 300, failed: 0 });
    await rm(dir, { recursive: true, force: true });
  });

  it('counts and reports a disk error instead of rejecting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'demo-pos-writer-'));
    const blocker = join(dir, 'not-a-directory');
    await writeFile(blocker, 'x');
    const stderr = captureStream();
    const writer = createPosLogWriter(join(blocker, 'pos-application.log'), { stderr: stderr.stream });
    await expect(writer.write({ timestamp, level: 'ERROR', message: 'lost' })).resolves.toBeUndefined();
    await writer.write({ timestamp, level: 'ERROR', message: 'lost again' });
    expect(writer.stats()).toMatchObject({ written: 0, failed: 2 });
    expect(stderr.text()).toContain(`cannot append to ${join(blocker, 'pos-application.log')}`);
    // The same cause repeated is reported once, not once per record.
    expect(stderr.text().split('\n').filter(Boolean)).toHaveLength(1);
    await rm(dir, { recursive: true, force: true });
  });

  it('recreates the log directory if it is removed while running', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'demo-pos-writer-'));
    const file = join(dir, 'logs', 'pos-application.log');
    const writer = createPosLogWriter(file);
    await writer.write({ timestamp, level: 'INFO', message: 'before' });
    await rm(join(dir, 'logs'), { recursive: true });
    await writer.write({ timestamp, level: 'INFO', message: 'after' });
    expect(parseRecords(await readFile(file, 'utf8')).map((r) => r.message)).toEqual(['after']);
    expect(writer.stats()).toEqual({ written: 2, failed: 0 });
    await rm(dir, { recursive: true, force: true });
  });

  it('flush resolves once everything queued so far is on disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'demo-pos-writer-'));
    const file = join(dir, 'pos.log');
    const writer = createPosLogWriter(file);
    for (let i = 0; i < 20; i += 1) void writer.write({ timestamp, level: 'INFO', message: `n${i}` });
    await writer.flush();
    expect(parseRecords(await readFile(file, 'utf8'))).toHaveLength(20);
    await rm(dir, { recursive: true, force: true });
  });
});
