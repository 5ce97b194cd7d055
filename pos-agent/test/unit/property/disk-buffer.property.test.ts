// Property-based tests of the outage buffer's frame decoding: random damage to its segment files (flipped bits, torn
// tails, overwritten ranges), random bytes posing as segments and random cursor files. Opening and draining never
// throws, never hands out a frame whose checksum is wrong (every batch out is byte-for-byte one that went in), and
// never loses a frame the damage did not touch.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { DiskBuffer, type BufferedBatch } from '../../../src/agent/disk-buffer.js';
import type { LogEvent } from '../../../src/agent/types.js';
import { propertyTempDir } from './temp.js';

const HEADER = 16;
const MAGIC = 0x534c4231;

const eventArb: fc.Arbitrary<LogEvent> = fc.record({
  timestamp: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  message: fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('SLB1', 'SLB1SLB1', '\u0000SLB1\u0000', '')),
});
const batchArb = fc.array(eventArb, { minLength: 1, maxLength: 4 });

const bytesOf = (events: readonly LogEvent[]) => events.reduce((sum, event) => sum + Buffer.byteLength(event.message, 'utf8') + 26, 0);

interface Frame {
  readonly seq: number;
  readonly start: number;
  readonly end: number;
}

/** Where each frame sits, read from the files as written (before any damage): segments in order, frames in order. */
async function layout(dir: string): Promise<{ frames: Frame[]; sizes: Map<number, number> }> {
  const frames: Frame[] = [];
  const sizes = new Map<number, number>();
  for (const name of (await readdir(dir)).filter((file) => /^\d{16}\.seg$/.test(file)).sort()) {
    const seq = Number(name.slice(0, 16));
    const data = await readFile(join(dir, name));
    sizes.set(seq, data.length);
    for (let offset = 0; offset < data.length;) {
      expect(data.readUInt32BE(offset)).toBe(MAGIC);
      const end = offset + HEADER + data.readUInt32BE(offset + 4);
      expect(crc32(data.subarray(offset + HEADER, end))).toBe(data.readUInt32BE(offset + 8));
      frames.push({ seq, start: offset, end });
      offset = end;
    }
  }
  return { frames, sizes };
}

const segmentPath = (dir: string, seq: number) => join(dir, `${String(seq).padStart(16, '0')}.seg`);

async function fill(dir: string, batches: readonly LogEvent[][], segmentBytes: number): Promise<void> {
  const buffer = await DiskBuffer.open({ dir, maxBytes: 64 * 1024 * 1024, segmentBytes });
  for (const events of batches) await buffer.append(events, bytesOf(events));
  await buffer.close();
}

/** Opens and ships everything the buffer will hand out; the step cap turns a livelock into a failure, not a hang. */
async function drain(dir: string, segmentBytes: number, steps: number): Promise<{ out: BufferedBatch[]; corrupt: number }> {
  const buffer = await DiskBuffer.open({ dir, maxBytes: 64 * 1024 * 1024, segmentBytes });
  const out: BufferedBatch[] = [];
  for (let step = 0; ; step++) {
    if (step > steps) throw new Error(`the buffer still had batches after ${steps} acks`);
    const batch = await buffer.peek();
    if (batch === undefined) break;
    out.push(batch);
    await buffer.ack(batch);
  }
  const corrupt = buffer.corruptFrameCount;
  await buffer.close();
  return { out, corrupt };
}

/**
 * The batches handed out must be exactly the intact ones, in order, each byte-for-byte. Compared by content, not by
 * matching each batch back to an index: two written batches can be identical, and then an index match would credit
 * the first copy for the second.
 */
function expectIntactOut(out: readonly BufferedBatch[], batches: readonly LogEvent[][], intact: readonly number[]): void {
  for (const batch of out) expect(batch.bytes).toBe(bytesOf(batch.events));
  expect(out.map((batch) => JSON.stringify(batch.events))).toEqual(intact.map((index) => JSON.stringify(batches[index])));
}

type Damage =
  | { readonly kind: 'flip'; readonly frame: number; readonly at: number; readonly bit: number }
  | { readonly kind: 'overwrite'; readonly frame: number; readonly at: number; readonly length: number; readonly value: number }
  | { readonly kind: 'truncate'; readonly segment: number; readonly at: number };

const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), frame: fc.nat(), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    kind: fc.constant('overwrite' as const),
    frame: fc.nat(),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 40 }),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), segment: fc.nat(), at: fc.nat() }),
);

describe('Property: DiskBuffer reading damaged segments', () => {
  let root: { dir: string; cleanup: () => Promise<void> };
  let run = 0;
  beforeAll(async () => {
    root = await propertyTempDir('stacklens-buffer-prop-');
  });
  afterAll(async () => {
    await root.cleanup();
  });

  it('hands out exactly the frames the damage left intact, each byte-for-byte as written, in order, and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(batchArb, { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 600 }),
        fc.array(damageArb, { minLength: 1, maxLength: 3 }),
        async (batches, segmentBytes, damages) => {
          const dir = join(root.dir, `b${(run += 1)}`);
          await fill(dir, batches, segmentBytes);
          const { frames, sizes } = await layout(dir);
          expect(frames).toHaveLength(batches.length);

          // Damage, remembering which bytes of which segment changed (or were cut off).
          const touched = new Map<number, Array<[number, number]>>();
          const touch = (seq: number, start: number, end: number) => touched.set(seq, [...(touched.get(seq) ?? []), [start, end]]);
          for (const how of damages) {
            if (how.kind === 'truncate') {
              const seqs = [...sizes.keys()];
              const seq = seqs[how.segment % seqs.length]!;
              const size = sizes.get(seq)!;
              const at = size === 0 ? 0 : how.at % size;
              await truncate(segmentPath(dir, seq), at);
              sizes.set(seq, at);
              touch(seq, at, Number.MAX_SAFE_INTEGER);
              continue;
            }
            const frame = frames[how.frame % frames.length]!;
            const data = await readFile(segmentPath(dir, frame.seq));
            const start = frame.start + (how.at % (frame.end - frame.start));
            if (start >= data.length) continue;
            const end = how.kind === 'flip' ? start + 1 : Math.min(data.length, start + how.length);
            const before = Buffer.from(data.subarray(start, end));
            if (how.kind === 'flip') data[start] = data[start]! ^ (1 << how.bit);
            else data.fill(how.value, start, end);
            if (!before.equals(data.subarray(start, end))) touch(frame.seq, start, end);
            await writeFile(segmentPath(dir, frame.seq), data);
          }
          const intact = frames.flatMap((frame, index) =>
            (touched.get(frame.seq) ?? []).some(([start, end]) => start < frame.end && end > frame.start) ? [] : [index],
          );

          const { out } = await drain(dir, segmentBytes, batches.length + 5);
          expectIntactOut(out, batches, intact);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('never throws on random bytes posing as segments and a random cursor file, and hands out only well-formed batches', async () => {
    const segmentArb = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      // Plausible headers with random lengths and checksums in front of random payloads.
      fc
        .tuple(
          fc.integer({ min: 0, max: 0xffffffff }),
          fc.integer({ min: 0, max: 0xffffffff }),
          fc.integer({ min: 0, max: 0xffffffff }),
          fc.uint8Array({ maxLength: 120 }),
        )
        .map(([length, crc, count, payload]) => {
          const header = Buffer.alloc(HEADER);
          header.writeUInt32BE(MAGIC, 0);
          header.writeUInt32BE(length % 200, 4);
          header.writeUInt32BE(crc, 8);
          header.writeUInt32BE(count % 5, 12);
          return new Uint8Array(Buffer.concat([header, payload]));
        }),
      // A well-formed frame whose JSON payload has the wrong shape, with a correct checksum.
      fc.jsonValue({ maxDepth: 2 }).map((value) => {
        const payload = Buffer.from(JSON.stringify(value) ?? 'null');
        const header = Buffer.alloc(HEADER);
        header.writeUInt32BE(MAGIC, 0);
        header.writeUInt32BE(payload.length, 4);
        header.writeUInt32BE(crc32(payload), 8);
        header.writeUInt32BE(Array.isArray(value) ? value.length : 1, 12);
        return new Uint8Array(Buffer.concat([header, payload]));
      }),
    );
    const cursorArb = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc
        .record({ seq: fc.integer({ min: -2, max: 5 }), offset: fc.integer({ min: -1, max: 400 }), records: fc.integer({ min: -1, max: 10 }) })
        .map((cursor) => JSON.stringify(cursor)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(segmentArb, { maxLength: 3 }), { maxLength: 4 }),
        fc.option(cursorArb, { nil: undefined }),
        async (segments, cursor) => {
          const dir = join(root.dir, `g${(run += 1)}`);
          await mkdir(dir, { recursive: true });
          for (const [seq, parts] of segments.entries()) await writeFile(segmentPath(dir, seq), Buffer.concat(parts.map((part) => Buffer.from(part))));
          if (cursor !== undefined) await writeFile(join(dir, 'cursor.json'), cursor);

          const { out, corrupt } = await drain(dir, 256, 20);
          expect(corrupt).toBeGreaterThanOrEqual(0);
          for (const batch of out) {
            expect(batch.events.length).toBeGreaterThanOrEqual(0);
            for (const event of batch.events) expect(event).toEqual({ timestamp: expect.any(Number), message: expect.any(String) });
          }
          // The buffer stays usable: what is appended after the damage comes out whole.
          const buffer = await DiskBuffer.open({ dir, maxBytes: 1024 * 1024, segmentBytes: 256 });
          const fresh: LogEvent[] = [{ timestamp: 1, message: 'after the damage' }];
          await buffer.append(fresh, bytesOf(fresh));
          let last: BufferedBatch | undefined;
          for (let step = 0; step < 30; step++) {
            const batch = await buffer.peek();
            if (batch === undefined) break;
            last = batch;
            await buffer.ack(batch);
          }
          await buffer.close();
          expect(last?.events).toEqual(fresh);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('loses nothing after the position a random cursor file names, whatever numbers it holds', async () => {
    const cursorArb = fc.record({ seq: fc.integer({ min: 0, max: 6 }), offset: fc.integer({ min: 0, max: 700 }), records: fc.integer({ min: 0, max: 12 }) });
    await fc.assert(
      fc.asyncProperty(
        fc.array(batchArb, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 400 }),
        cursorArb,
        async (batches, segmentBytes, cursor) => {
          const dir = join(root.dir, `c${(run += 1)}`);
          await fill(dir, batches, segmentBytes);
          const { frames } = await layout(dir);
          await writeFile(join(dir, 'cursor.json'), JSON.stringify(cursor));

          // A cursor that contradicts the files may make the buffer send some batches twice (at-least-once: ingest
          // dedupes on the records' ids), so only content and completeness are checked here, not order.
          const { out } = await drain(dir, segmentBytes, 2 * batches.length + 5);
          const keys = batches.map((events) => JSON.stringify(events));
          const indexes = out.map((batch) => keys.indexOf(JSON.stringify(batch.events)));
          expect(indexes.filter((index) => index < 0)).toEqual([]);
          // Everything in a segment after the cursor's one is unshipped as far as any cursor can say.
          const mustShip = frames.flatMap((frame, index) => (frame.seq > cursor.seq ? [index] : []));
          expect(mustShip.filter((index) => !indexes.includes(index) && !indexes.some((other) => keys[other] === keys[index]))).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });
});
