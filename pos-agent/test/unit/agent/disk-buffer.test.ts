import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { appendFile, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DiskBuffer, DropNoticeStore, type BufferDrop, type BufferedBatch } from '../../../src/agent/disk-buffer.js';
import type { LogEvent } from '../../../src/agent/types.js';
import { makeTempDir } from './helpers.js';

// Every batch built here has the same shape, so every frame has the same size and segment boundaries are predictable.
function eventsFor(index: number, count = 2): LogEvent[] {
  return Array.from({ length: count }, (_, j) => ({ timestamp: 1_700_000_000_000 + index, message: `record ${String(index).padStart(4, '0')}.${j}` }));
}

/** PutLogEvents size of the events, as the caller of append() passes it. */
function logBytes(events: readonly LogEvent[]): number {
  return events.reduce((sum, event) => sum + Buffer.byteLength(event.message, 'utf8') + 26, 0);
}

/** On-disk size of one frame, from the documented format: 16-byte header + JSON [[timestamp, message], ...]. */
function frameBytes(events: readonly LogEvent[]): number {
  return 16 + Buffer.byteLength(JSON.stringify(events.map((event) => [event.timestamp, event.message])), 'utf8');
}

const FRAME = frameBytes(eventsFor(0));
const RECORDS_PER_FRAME = eventsFor(0).length;

function messagesOf(batch: BufferedBatch | undefined): string[] {
  return batch?.events.map((event) => event.message) ?? [];
}

describe('Class: DiskBuffer', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const opened: DiskBuffer[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('stacklens-buffer-'));
  });

  afterEach(async () => {
    for (const buffer of opened.splice(0)) await buffer.close();
    await cleanup();
  });

  async function openBuffer(options: { maxBytes?: number; segmentBytes?: number; log?: (msg: string) => void } = {}): Promise<DiskBuffer> {
    const buffer = await DiskBuffer.open({ dir, maxBytes: options.maxBytes ?? 1024 * 1024, segmentBytes: options.segmentBytes ?? 2 * FRAME, log: options.log });
    opened.push(buffer);
    return buffer;
  }

  async function appendBatches(buffer: DiskBuffer, from: number, to: number): Promise<Array<BufferDrop | undefined>> {
    const drops: Array<BufferDrop | undefined> = [];
    for (let index = from; index < to; index += 1) {
      const events = eventsFor(index);
      drops.push(await buffer.append(events, logBytes(events)));
    }
    return drops;
  }

  /** Ships everything: peek and ack until empty, returning the first message of every batch in delivery order. */
  async function drain(buffer: DiskBuffer): Promise<string[]> {
    const delivered: string[] = [];
    for (let batch = await buffer.peek(); batch !== undefined; batch = await buffer.peek()) {
      delivered.push(messagesOf(batch)[0] ?? '');
      await buffer.ack(batch);
    }
    return delivered;
  }

  const firstMessages = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `record ${String(from + i).padStart(4, '0')}.0`);

  async function segmentFiles(): Promise<string[]> {
    return (await readdir(dir)).filter((name) => name.endsWith('.seg')).sort();
  }

  async function segmentSizes(): Promise<number[]> {
    return Promise.all((await segmentFiles()).map(async (name) => (await stat(join(dir, name))).size));
  }

  describe('Method: append / peek / ack', () => {
    it('delivers batches in append order across several segments and accounts records and bytes as they are acked', async () => {
      // Prepare
      const buffer = await openBuffer();
      await appendBatches(buffer, 0, 7);
      expect(await segmentFiles()).toHaveLength(4);
      expect(buffer.bufferedRecords).toBe(7 * RECORDS_PER_FRAME);
      expect(buffer.bufferedBytes).toBe(7 * FRAME);

      // Act
      const delivered: BufferedBatch[] = [];
      const accounting: Array<{ records: number; bytes: number }> = [];
      for (let batch = await buffer.peek(); batch !== undefined; batch = await buffer.peek()) {
        delivered.push(batch);
        await buffer.ack(batch);
        accounting.push({ records: buffer.bufferedRecords, bytes: buffer.bufferedBytes });
      }

      // Assess
      expect(delivered.map((batch) => messagesOf(batch)[0])).toEqual(firstMessages(0, 7));
      expect(delivered[3]?.events).toEqual(eventsFor(3));
      expect(delivered.map((batch) => batch.bytes)).toEqual(Array.from({ length: 7 }, (_, i) => logBytes(eventsFor(i))));
      expect(delivered.map((batch) => batch.nextOffset - batch.offset)).toEqual(Array(7).fill(FRAME));
      expect(accounting).toEqual(Array.from({ length: 7 }, (_, i) => ({ records: (6 - i) * RECORDS_PER_FRAME, bytes: (6 - i) * FRAME })));
      // Shipped segments are deleted; only the one still being written stays.
      expect(await segmentFiles()).toHaveLength(1);
    });

    it('returns the same batch from repeated peeks until it is acked', async () => {
      // Prepare
      const buffer = await openBuffer();
      await appendBatches(buffer, 0, 2);

      // Act
      const first = await buffer.peek();
      const again = await buffer.peek();
      await buffer.ack(again as BufferedBatch);
      const second = await buffer.peek();

      // Assess
      expect(messagesOf(again)).toEqual(messagesOf(first));
      expect(messagesOf(second)).toEqual(['record 0001.0', 'record 0001.1']);
      expect(buffer.bufferedRecords).toBe(RECORDS_PER_FRAME);
    });

    it('recreates its directory for the cursor when it was removed while running, instead of failing the ack', async () => {
      // Prepare
      const buffer = await openBuffer();
      await appendBatches(buffer, 0, 2);
      const batch = (await buffer.peek()) as BufferedBatch;
      await rm(dir, { recursive: true });

      // Act
      await buffer.ack(batch);

      // Assess
      expect(JSON.parse(await readFile(join(dir, 'cursor.json'), 'utf8'))).toEqual({ seq: batch.seq, offset: FRAME, records: RECORDS_PER_FRAME });
    });

    it('returns undefined from peek when the buffer is empty', async () => {
      // Prepare
      const buffer = await openBuffer();

      // Act
      const batch = await buffer.peek();

      // Assess
      expect(batch).toBeUndefined();
      expect(buffer.bufferedRecords).toBe(0);
      expect(buffer.bufferedBytes).toBe(0);
    });
  });

  describe('Method: open (restart)', () => {
    it('resumes at the saved cursor after close: acked batches are not returned again, un-acked ones are', async () => {
      // Prepare: 7 batches in 4 segments; 3 acked, so the cursor sits inside the second segment.
      const first = await openBuffer();
      await appendBatches(first, 0, 7);
      for (let i = 0; i < 3; i += 1) await first.ack((await first.peek()) as BufferedBatch);
      await first.close();

      // Act
      const reopened = await openBuffer();
      const records = reopened.bufferedRecords;
      const bytes = reopened.bufferedBytes;
      const delivered = await drain(reopened);

      // Assess
      expect(records).toBe(4 * RECORDS_PER_FRAME);
      expect(bytes).toBe(4 * FRAME);
      expect(delivered).toEqual(firstMessages(3, 7));
    });

    it('keeps appending after a restart, delivering the old rest before the new batches', async () => {
      // Prepare
      const first = await openBuffer();
      await appendBatches(first, 0, 3);
      await first.ack((await first.peek()) as BufferedBatch);
      await first.close();

      // Act
      const reopened = await openBuffer();
      await appendBatches(reopened, 3, 5);
      const delivered = await drain(reopened);

      // Assess
      expect(delivered).toEqual(firstMessages(1, 5));
      expect(reopened.bufferedRecords).toBe(0);
    });

    it('re-delivers from the start of the oldest segment when the cursor file was lost (at-least-once)', async () => {
      // Prepare: 3 acked, so segment 0 is deleted and batch 2 (acked) opens the oldest remaining segment.
      const first = await openBuffer();
      await appendBatches(first, 0, 7);
      for (let i = 0; i < 3; i += 1) await first.ack((await first.peek()) as BufferedBatch);
      await first.close();
      await rm(join(dir, 'cursor.json'));

      // Act
      const reopened = await openBuffer();
      const records = reopened.bufferedRecords;
      const delivered = await drain(reopened);

      // Assess
      expect(records).toBe(5 * RECORDS_PER_FRAME);
      expect(delivered).toEqual(firstMessages(2, 7));
    });

    it('treats an unreadable cursor file like a lost one', async () => {
      // Prepare
      const first = await openBuffer();
      await appendBatches(first, 0, 3);
      await first.ack((await first.peek()) as BufferedBatch);
      await first.close();
      await writeFile(join(dir, 'cursor.json'), '{"seq": "not a number"');

      // Act
      const reopened = await openBuffer();
      const delivered = await drain(reopened);

      // Assess
      expect(delivered).toEqual(firstMessages(0, 3));
    });

    it('sees every appended batch when a second buffer opens the directory of one that never closed (crash)', async () => {
      // Prepare: the first buffer keeps its segment open, as a process killed mid-run would.
      const crashed = await openBuffer();
      await appendBatches(crashed, 0, 9);

      // Act
      const recovered = await DiskBuffer.open({ dir, maxBytes: 1024 * 1024, segmentBytes: 2 * FRAME });
      opened.push(recovered);
      const records = recovered.bufferedRecords;
      const delivered = await drain(recovered);

      // Assess
      expect(records).toBe(9 * RECORDS_PER_FRAME);
      expect(delivered).toEqual(firstMessages(0, 9));
      expect(recovered.corruptFrameCount).toBe(0);
    });
  });

  describe('Method: open (damaged segments)', () => {
    it('cuts a torn last frame off the newest segment and keeps appending after it', async () => {
      // Prepare
      const first = await openBuffer({ segmentBytes: 3 * FRAME });
      await appendBatches(first, 0, 5);
      await first.close();
      const newest = join(dir, (await segmentFiles()).at(-1) as string);
      await truncate(newest, 2 * FRAME - 5);

      // Act
      const reopened = await openBuffer({ segmentBytes: 3 * FRAME });
      const records = reopened.bufferedRecords;
      const newestSize = (await stat(newest)).size;
      await appendBatches(reopened, 5, 7);
      const delivered = await drain(reopened);

      // Assess
      expect(records).toBe(4 * RECORDS_PER_FRAME);
      expect(newestSize).toBe(FRAME);
      expect(delivered).toEqual([...firstMessages(0, 4), ...firstMessages(5, 7)]);
      expect(reopened.corruptFrameCount).toBe(0);
    });

    it('cuts garbage appended after the last whole frame and delivers every whole frame', async () => {
      // Prepare
      const first = await openBuffer({ segmentBytes: 3 * FRAME });
      await appendBatches(first, 0, 5);
      await first.close();
      const newest = join(dir, (await segmentFiles()).at(-1) as string);
      await appendFile(newest, Buffer.from('SLB1\u0000\u0000\u0000\u0009garbage that never got its checksum'));

      // Act
      const reopened = await openBuffer({ segmentBytes: 3 * FRAME });
      const newestSize = (await stat(newest)).size;
      await appendBatches(reopened, 5, 6);
      const delivered = await drain(reopened);

      // Assess
      expect(newestSize).toBe(2 * FRAME);
      expect(delivered).toEqual(firstMessages(0, 6));
    });

    it('reuses a newest segment left empty by cutting its only, torn frame', async () => {
      // Prepare
      const first = await openBuffer();
      await appendBatches(first, 0, 3);
      await first.close();
      const filesBefore = await segmentFiles();
      await truncate(join(dir, filesBefore.at(-1) as string), FRAME - 1);

      // Act
      const reopened = await openBuffer();
      await appendBatches(reopened, 3, 4);
      const filesAfter = await segmentFiles();
      const delivered = await drain(reopened);

      // Assess
      expect(filesAfter).toEqual(filesBefore);
      expect(delivered).toEqual([...firstMessages(0, 2), 'record 0003.0']);
    });

    it('keeps the intact frames after a damaged one in the newest segment instead of cutting them off as a torn write', async () => {
      // Prepare: one segment of 5 frames; flip a payload byte of the first.
      const first = await openBuffer();
      await appendBatches(first, 0, 5);
      await first.close();
      const newest = join(dir, (await segmentFiles())[0] as string);
      const bytes = await readFile(newest);
      bytes[16 + 3] = (bytes[16 + 3] as number) ^ 0x01;
      await writeFile(newest, bytes);

      // Act
      const reopened = await openBuffer();
      const delivered = await drain(reopened);

      // Assess
      expect(reopened.corruptFrameCount).toBe(1);
      expect(delivered).toEqual(firstMessages(1, 5));
    });

    it('does not lose unshipped frames behind damage in a frame that was already shipped', async () => {
      // Prepare: segment 0 holds frames 0-2, segment 1 frame 3; frames 0 and 1 shipped; then frame 0 is damaged.
      const first = await openBuffer({ segmentBytes: 3 * FRAME });
      await appendBatches(first, 0, 4);
      for (let i = 0; i < 2; i += 1) await first.ack((await first.peek()) as BufferedBatch);
      await first.close();
      const oldest = join(dir, (await segmentFiles())[0] as string);
      const bytes = await readFile(oldest);
      bytes[16 + 3] = (bytes[16 + 3] as number) ^ 0x01;
      await writeFile(oldest, bytes);

      // Act
      const reopened = await openBuffer({ segmentBytes: 3 * FRAME });
      const delivered = await drain(reopened);

      // Assess
      expect(delivered).toEqual(firstMessages(2, 4));
    });

    it('skips a frame that fails its checksum in an older segment, keeps the frames after it, and counts it once', async () => {
      // Prepare: segments of 3 frames; flip one payload byte of the middle frame of the oldest segment.
      const first = await openBuffer({ segmentBytes: 3 * FRAME });
      await appendBatches(first, 0, 7);
      await first.close();
      const oldest = join(dir, (await segmentFiles())[0] as string);
      const bytes = await readFile(oldest);
      const flipAt = FRAME + 16 + 5;
      bytes[flipAt] = (bytes[flipAt] as number) ^ 0x01;
      await writeFile(oldest, bytes);
      const logged: string[] = [];

      // Act
      const reopened = await openBuffer({ segmentBytes: 3 * FRAME, log: (msg) => logged.push(msg) });
      const records = reopened.bufferedRecords;
      const delivered = await drain(reopened);

      // Assess
      expect(reopened.corruptFrameCount).toBe(1);
      expect(records).toBe(6 * RECORDS_PER_FRAME);
      expect(delivered).toEqual([...firstMessages(0, 1), ...firstMessages(2, 7)]);
      expect(logged).toHaveLength(1);
      expect(await segmentFiles()).toHaveLength(1);
    });
  });

  describe('Method: append (bound)', () => {
    it('discards whole oldest segments past maxBytes and reports exactly the un-acked records and bytes it lost', async () => {
      // Prepare: room for 6 frames in segments of 2; one batch of the oldest segment already shipped.
      const buffer = await openBuffer({ maxBytes: 6 * FRAME, segmentBytes: 2 * FRAME });
      const fillDrops = await appendBatches(buffer, 0, 6);
      await buffer.ack((await buffer.peek()) as BufferedBatch);
      const before = { records: buffer.bufferedRecords, bytes: buffer.bufferedBytes };

      // Act
      const [drop] = await appendBatches(buffer, 6, 7);

      // Assess
      expect(fillDrops.every((d) => d === undefined)).toBe(true);
      expect(drop).toEqual({ records: RECORDS_PER_FRAME, bytes: FRAME, segments: 1, lastSeq: 0 });
      expect(buffer.bufferedRecords).toBe(before.records + RECORDS_PER_FRAME - (drop?.records ?? 0));
      expect(buffer.bufferedBytes).toBe(before.bytes + FRAME - (drop?.bytes ?? 0));
      expect(await drain(buffer)).toEqual(firstMessages(2, 7));
    });

    it('reports a drop of several segments at once for a batch bigger than one segment', async () => {
      // Prepare
      const buffer = await openBuffer({ maxBytes: 6 * FRAME, segmentBytes: 2 * FRAME });
      await appendBatches(buffer, 0, 6);
      const big = eventsFor(100, 7);
      const bigFrame = frameBytes(big);
      expect(bigFrame).toBeGreaterThan(2 * FRAME);
      expect(bigFrame).toBeLessThanOrEqual(4 * FRAME);

      // Act
      const drop = await buffer.append(big, logBytes(big));

      // Assess
      expect(drop).toEqual({ records: 4 * RECORDS_PER_FRAME, bytes: 4 * FRAME, segments: 2, lastSeq: 1 });
      expect(buffer.bufferedBytes).toBe(2 * FRAME + bigFrame);
      expect(buffer.bufferedRecords).toBe(2 * RECORDS_PER_FRAME + big.length);
      expect(await drain(buffer)).toEqual([...firstMessages(4, 6), 'record 0100.0']);
    });

    it('keeps a single frame bigger than the whole bound, discarding everything older', async () => {
      // Prepare
      const buffer = await openBuffer({ maxBytes: 4 * FRAME, segmentBytes: 2 * FRAME });
      await appendBatches(buffer, 0, 3);
      const huge = [{ timestamp: 1, message: 'x'.repeat(5 * FRAME) }];

      // Act
      const drop = await buffer.append(huge, logBytes(huge));

      // Assess
      expect(drop).toEqual({ records: 3 * RECORDS_PER_FRAME, bytes: 3 * FRAME, segments: 2, lastSeq: 1 });
      expect(buffer.bufferedBytes).toBe(frameBytes(huge));
      expect(buffer.bufferedRecords).toBe(1);
      expect(messagesOf(await buffer.peek())).toEqual([huge[0]?.message]);
    });

    it('does not count the batch handed out by peek as dropped when its segment is discarded, and ignores its late ack', async () => {
      // Prepare
      const buffer = await openBuffer({ maxBytes: 6 * FRAME, segmentBytes: 2 * FRAME });
      await appendBatches(buffer, 0, 6);
      const inFlight = (await buffer.peek()) as BufferedBatch;

      // Act
      const [drop] = await appendBatches(buffer, 6, 7);
      const afterDrop = { records: buffer.bufferedRecords, bytes: buffer.bufferedBytes };
      await buffer.ack(inFlight);
      const afterLateAck = { records: buffer.bufferedRecords, bytes: buffer.bufferedBytes };
      const delivered = await drain(buffer);

      // Assess
      expect(messagesOf(inFlight)[0]).toBe('record 0000.0');
      expect(drop).toEqual({ records: RECORDS_PER_FRAME, bytes: FRAME, segments: 1, lastSeq: 0 });
      expect(afterDrop).toEqual({ records: 5 * RECORDS_PER_FRAME, bytes: 5 * FRAME });
      expect(afterLateAck).toEqual(afterDrop);
      expect(delivered).toEqual(firstMessages(2, 7));
    });

    it('reports no drop when the discarded segment held only shipped batches and the one in flight', async () => {
      // Prepare: the segment being written is larger than the bound, so the bound discards it while everything in it
      // is shipped (each batch is acked right after its append) or on its way out (the last one, peeked).
      const buffer = await openBuffer({ maxBytes: 4 * FRAME, segmentBytes: 10 * FRAME });
      const drops: Array<BufferDrop | undefined> = [];

      // Act
      for (let index = 0; index < 12; index += 1) {
        const inFlight = await buffer.peek();
        drops.push(...(await appendBatches(buffer, index, index + 1)));
        if (inFlight !== undefined) await buffer.ack(inFlight);
      }

      // Assess
      expect(drops).toEqual(Array(12).fill(undefined));
      expect((await segmentSizes()).reduce((sum, size) => sum + size, 0)).toBeLessThanOrEqual(4 * FRAME);
      expect(await drain(buffer)).toEqual(['record 0011.0']);
    });

    it('never holds more than maxBytes on disk and accounts every record as delivered, dropped or still buffered', async () => {
      // Prepare: batches of varying size, with a shipper that peeks, lets an append happen, then acks.
      const maxBytes = 12 * FRAME;
      const buffer = await openBuffer({ maxBytes, segmentBytes: 2 * FRAME });
      let seed = 7;
      const nextCount = (): number => {
        seed = (seed * 48_271) % 2_147_483_647;
        return 1 + (seed % 5);
      };
      let appendedRecords = 0;
      let appendedFrameBytes = 0;
      let droppedRecords = 0;
      let droppedBytes = 0;
      let deliveredFrameBytes = 0;
      let deliveredRecords = 0;
      const deliveredBatches: number[] = [];
      const sizesSeen: number[] = [];
      const bufferedSeen: number[] = [];

      // Act
      for (let index = 0; index < 150; index += 1) {
        const inFlight = index % 3 === 0 ? await buffer.peek() : undefined;
        const events = eventsFor(index, nextCount());
        const drop = await buffer.append(events, logBytes(events));
        appendedRecords += events.length;
        appendedFrameBytes += frameBytes(events);
        droppedRecords += drop?.records ?? 0;
        droppedBytes += drop?.bytes ?? 0;
        if (inFlight !== undefined) {
          deliveredBatches.push(inFlight.events[0]?.timestamp ?? -1);
          deliveredRecords += inFlight.events.length;
          deliveredFrameBytes += inFlight.nextOffset - inFlight.offset;
          await buffer.ack(inFlight);
        }
        sizesSeen.push((await segmentSizes()).reduce((sum, size) => sum + size, 0));
        bufferedSeen.push(buffer.bufferedBytes);
      }
      const remainingRecords = buffer.bufferedRecords;
      const remainingBytes = buffer.bufferedBytes;

      // Assess
      expect(droppedRecords).toBeGreaterThan(0);
      expect(Math.max(...sizesSeen)).toBeLessThanOrEqual(maxBytes);
      expect(Math.max(...bufferedSeen)).toBeLessThanOrEqual(maxBytes);
      expect(deliveredRecords + droppedRecords + remainingRecords).toBe(appendedRecords);
      expect(deliveredFrameBytes + droppedBytes + remainingBytes).toBe(appendedFrameBytes);
      // Oldest first and never twice: a batch's timestamp grows with its index.
      expect(deliveredBatches.every((timestamp, i) => i === 0 || timestamp > (deliveredBatches[i - 1] as number))).toBe(true);
    });
  });
});

describe('Class: DropNoticeStore', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('stacklens-drops-'));
  });

  afterEach(async () => {
    await cleanup();
  });

  it('loads back what it saved', async () => {
    // Prepare
    const store = new DropNoticeStore(join(dir, 'drops.json'));
    const drop = { records: 120, bytes: 9_876, firstAt: 1_700_000_000_000, lastAt: 1_700_000_060_000, seq: 4 };

    // Act
    await store.save(drop);
    const loaded = await new DropNoticeStore(join(dir, 'drops.json')).load();

    // Assess
    expect(loaded).toEqual(drop);
  });

  it('removes the notice file when saved as undefined (cleared)', async () => {
    // Prepare
    const store = new DropNoticeStore(join(dir, 'drops.json'));
    await store.save({ records: 1, bytes: 10, firstAt: 1, lastAt: 2, seq: 0 });

    // Act
    await store.save(undefined);

    // Assess
    expect(await store.load()).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });

  it('loads nothing from a missing or malformed file', async () => {
    // Prepare
    const missing = new DropNoticeStore(join(dir, 'missing.json'));
    await writeFile(join(dir, 'bad.json'), '{"records": -1, "bytes": 0, "firstAt": 0, "lastAt": 0, "seq": 0}');
    const malformed = new DropNoticeStore(join(dir, 'bad.json'));

    // Act
    const results = [await missing.load(), await malformed.load()];

    // Assess
    expect(results).toEqual([undefined, undefined]);
  });
});
