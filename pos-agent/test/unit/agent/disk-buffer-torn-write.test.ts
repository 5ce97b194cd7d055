// A disk that fills up mid-write: the frame is half on disk when the write fails, and the agent retries the batch.
// Needs its own file: the write is made to fail through a module mock, which must be in place before the import.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogEvent } from '../../../src/agent/types.js';
import { makeTempDir } from './helpers.js';

const realIo = await import('../../../src/agent/sync-io.js');
let tearNextWrite = false;
jest.unstable_mockModule('../../../src/agent/sync-io.js', () => ({
  ...realIo,
  writeAllSync: (fd: number, data: Uint8Array, position?: number): void => {
    if (!tearNextWrite) return realIo.writeAllSync(fd, data, position);
    tearNextWrite = false;
    realIo.writeAllSync(fd, data.subarray(0, Math.floor(data.length / 2)), position);
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  },
}));
const { DiskBuffer } = await import('../../../src/agent/disk-buffer.js');

const eventsFor = (index: number): LogEvent[] => [{ timestamp: 1_700_000_000_000 + index, message: `record ${index}` }];
const frameBytes = (events: readonly LogEvent[]): number => 16 + Buffer.byteLength(JSON.stringify(events.map((e) => [e.timestamp, e.message])), 'utf8');

describe('Class: DiskBuffer — a write that fails partway', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('stacklens-buffer-torn-'));
  });

  afterEach(async () => {
    await cleanup();
  });

  it('leaves no torn bytes before the retried frame, so the segment reads back whole after a restart', async () => {
    // Prepare: one batch in, then a write that dies halfway, then the retry of the same batch
    const buffer = await DiskBuffer.open({ dir, maxBytes: 1024 * 1024 });
    await buffer.append(eventsFor(0), 40);
    tearNextWrite = true;
    await expect(buffer.append(eventsFor(1), 40)).rejects.toThrow('ENOSPC');
    await buffer.append(eventsFor(1), 40);
    await buffer.append(eventsFor(2), 40);
    await buffer.close();

    // Act: a restart reads the segment from disk
    const reopened = await DiskBuffer.open({ dir, maxBytes: 1024 * 1024 });
    const delivered: string[] = [];
    for (let batch = await reopened.peek(); batch !== undefined; batch = await reopened.peek()) {
      delivered.push(...batch.events.map((e) => e.message));
      await reopened.ack(batch);
    }
    await reopened.close();

    // Assess: every batch once, nothing counted as damaged, and the file holds exactly the three frames
    expect(delivered).toEqual(['record 0', 'record 1', 'record 2']);
    expect(reopened.corruptFrameCount).toBe(0);
    const segments = (await readdir(dir)).filter((name) => name.endsWith('.seg'));
    const sizes = await Promise.all(segments.map(async (name) => (await stat(join(dir, name))).size));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe([0, 1, 2].reduce((sum, i) => sum + frameBytes(eventsFor(i)), 0));
  });
});
