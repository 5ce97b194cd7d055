import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { appendFile, copyFile, link, open, rename, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decideStart, type Checkpoint } from '../../../src/agent/checkpoint.js';
import { FINGERPRINT_BYTES, FileTailer, readFingerprint, type StartDecision, type TailerOptions } from '../../../src/agent/tailer.js';
import type { FileIdentity, FilePosition, TailLine } from '../../../src/agent/types.js';
import { makeTempDir, waitFor } from './helpers.js';

// Lines start with their own timestamp, as POS logs do, so two files' first 64 bytes (their fingerprint) differ.
function oldLine(i: number): string {
  return `2026-11-26T10:00:${String(i).padStart(2, '0')}.000Z [INFO] order ${1000 + i} paid at till 3`;
}

function newLine(i: number): string {
  return `2026-11-27T00:00:${String(i).padStart(2, '0')}.000Z [INFO] till 3 opened, session ${i}`;
}

const joined = (lines: readonly string[]): string => lines.map((line) => `${line}\n`).join('');

/** Offset of each line's first byte when `lines` are written one after another starting at `base`. */
function startsOf(lines: readonly string[], base = 0): number[] {
  const starts: number[] = [];
  let offset = base;
  for (const line of lines) {
    starts.push(offset);
    offset += Buffer.byteLength(line, 'utf8') + 1;
  }
  return starts;
}

async function fingerprintOf(path: string): Promise<string | undefined> {
  const handle = await open(path, 'r');
  try {
    return await readFingerprint(handle, (await handle.stat()).size);
  } finally {
    await handle.close();
  }
}

describe('Class: FileTailer (recovery of unread data)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let file: string;
  const tailers: FileTailer[] = [];
  let lines: TailLine[];
  let opens: Array<{ position: FilePosition; decision: StartDecision }>;
  let truncations: Array<{ identity: FileIdentity; previousOffset: number; size: number; recoveredFrom?: string }>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('stacklens-recovery-'));
    file = join(dir, 'pos.log');
    lines = [];
    opens = [];
    truncations = [];
  });

  afterEach(async () => {
    for (const tailer of tailers.splice(0)) await tailer.stop();
    await cleanup();
  });

  function startTailer(overrides: Partial<TailerOptions> = {}): FileTailer {
    const tailer = new FileTailer({
      path: file,
      startAt: (): StartDecision => ({ offset: 0, reason: 'beginning' }),
      onLine: (line) => lines.push(line),
      onOpen: (position, decision) => opens.push({ position, decision }),
      onTruncate: (info) => truncations.push(info),
      pollIntervalMs: 10,
      partialLineFlushMs: 60_000,
      ...overrides,
    });
    tailers.push(tailer);
    return tailer;
  }

  const texts = (from = 0): string[] => lines.slice(from).map((line) => line.text);

  /**
   * Appends a last line and waits for it: once it arrived, everything written before it was read, so an exact
   * comparison of the lines cannot miss a late duplicate.
   */
  async function settle(expectedTotal: number): Promise<void> {
    await appendFile(file, 'sentinel\n');
    await waitFor(() => lines.some((line) => line.text === 'sentinel'), 'the sentinel line');
    expect(lines).toHaveLength(expectedTotal + 1);
  }

  describe('copytruncate', () => {
    it('reads the unread rest from the rotated copy, with the old identity and offsets, then the truncated file from 0', async () => {
      // Prepare: the tailer has read three lines, then falls behind (paused) while three more are written.
      const before = [0, 1, 2].map(oldLine);
      const unread = [3, 4, 5].map(oldLine);
      const after = [0, 1].map(newLine);
      await writeFile(file, joined(before));
      let paused = false;
      const tailer = startTailer({ isPaused: () => paused });
      await tailer.start();
      await waitFor(() => lines.length === 3, 'the first three lines');
      const oldIdentity = tailer.identity as FileIdentity;
      paused = true;
      await appendFile(file, joined(unread));

      // Act: logrotate's copytruncate, then the POS keeps writing into the emptied file.
      await copyFile(file, `${file}.1`);
      await truncate(file, 0);
      await appendFile(file, joined(after));
      paused = false;
      tailer.poke();
      await settle(8);

      // Assess
      expect(texts()).toEqual([...before, ...unread, ...after, 'sentinel']);
      expect(oldIdentity.fp).toBeDefined();
      expect(lines.slice(0, 6).map((line) => line.position.identity)).toEqual(Array(6).fill(oldIdentity));
      expect(lines.slice(0, 6).map((line) => line.start)).toEqual(startsOf([...before, ...unread]));
      expect(lines[5]?.position.offset).toBe(Buffer.byteLength(joined([...before, ...unread])));
      const newIdentity = lines[6]?.position.identity;
      expect(newIdentity).toMatchObject({ dev: oldIdentity.dev, ino: oldIdentity.ino });
      expect(newIdentity?.fp).not.toBe(oldIdentity.fp);
      expect(lines.slice(6, 8).map((line) => line.start)).toEqual(startsOf(after));
      expect(truncations).toEqual([
        { identity: oldIdentity, previousOffset: Buffer.byteLength(joined(before)), size: expect.any(Number), recoveredFrom: `${file}.1` },
      ]);
    });

    it('detects a file rewritten past the old offset by its first bytes, and reads it from 0', async () => {
      // Prepare
      const before = [0, 1].map(oldLine);
      const rewritten = [0, 1, 2, 3].map(newLine);
      await writeFile(file, joined(before));
      const tailer = startTailer();
      await tailer.start();
      await waitFor(() => lines.length === 2, 'the original lines');
      const oldIdentity = tailer.identity as FileIdentity;

      // Act: truncated and rewritten longer before the tailer looked (in one write, so it never sees the file shorter).
      const handle = await open(file, 'r+');
      await handle.write(joined(rewritten), 0, 'utf8');
      await handle.close();
      await waitFor(() => lines.length === 6, 'the rewritten lines');
      await settle(6);

      // Assess
      expect(texts()).toEqual([...before, ...rewritten, 'sentinel']);
      expect(lines.slice(2, 6).map((line) => line.start)).toEqual(startsOf(rewritten));
      expect(lines[2]?.position.identity.fp).toBe(await fingerprintOf(file));
      expect(lines[2]?.position.identity.fp).not.toBe(oldIdentity.fp);
      // The file never looked shorter than the offset (a poll may still see the old size next to the new first bytes).
      expect(truncations).toEqual([{ identity: oldIdentity, previousOffset: Buffer.byteLength(joined(before)), size: expect.any(Number) }]);
      expect(truncations[0]?.size).toBeGreaterThanOrEqual(Buffer.byteLength(joined(before)));
    });

    it('recovers from the copy when the truncated file was already rewritten past the old offset', async () => {
      // Prepare
      const before = [0, 1].map(oldLine);
      const unread = [2, 3].map(oldLine);
      const after = [0, 1, 2, 3, 4, 5].map(newLine);
      await writeFile(file, joined(before));
      let paused = false;
      const tailer = startTailer({ isPaused: () => paused });
      await tailer.start();
      await waitFor(() => lines.length === 2, 'the original lines');
      paused = true;
      await appendFile(file, joined(unread));

      // Act
      await copyFile(file, `${file}.1`);
      const handle = await open(file, 'r+');
      await handle.write(joined(after), 0, 'utf8');
      await handle.close();
      paused = false;
      tailer.poke();
      await settle(10);

      // Assess
      expect(texts()).toEqual([...before, ...unread, ...after, 'sentinel']);
      expect(lines.slice(2, 4).map((line) => line.start)).toEqual(startsOf(unread, Buffer.byteLength(joined(before))));
      expect(truncations.map((truncation) => truncation.recoveredFrom)).toEqual([`${file}.1`]);
    });

    it('re-reads a line it held unfinished at the truncation whole from the copy', async () => {
      // Prepare: the tailer holds the first half of a line when the writer is paused.
      const before = [0, 1].map(oldLine);
      await writeFile(file, `${joined(before)}2026-11-26T10:00:02.000Z [WARN] printer `);
      let paused = false;
      const tailer = startTailer({ isPaused: () => paused });
      await tailer.start();
      await waitFor(() => tailer.position === tailer.fileSize && lines.length === 2, 'the partial line to be read');
      paused = true;
      await appendFile(file, `out of paper\n${oldLine(3)}\n`);

      // Act
      await copyFile(file, `${file}.1`);
      await truncate(file, 0);
      await appendFile(file, joined([newLine(0), newLine(1)]));
      paused = false;
      tailer.poke();
      await settle(6);

      // Assess
      expect(texts()).toEqual([...before, '2026-11-26T10:00:02.000Z [WARN] printer out of paper', oldLine(3), newLine(0), newLine(1), 'sentinel']);
      expect(lines[2]?.start).toBe(Buffer.byteLength(joined(before)));
    });

    it('does not take a compressed rotated copy, or a file whose name does not extend the path, for the copy', async () => {
      // Prepare
      const before = [0, 1].map(oldLine);
      const unread = [2, 3].map(oldLine);
      await writeFile(file, joined(before));
      let paused = false;
      const tailer = startTailer({ isPaused: () => paused });
      await tailer.start();
      await waitFor(() => lines.length === 2, 'the original lines');
      paused = true;
      await appendFile(file, joined(unread));

      // Act: same first bytes, but names the tailer must not read as text of this file.
      await copyFile(file, `${file}.1.gz`);
      await copyFile(file, join(dir, 'old-pos.log'));
      await truncate(file, 0);
      await appendFile(file, joined([newLine(0), newLine(1)]));
      paused = false;
      tailer.poke();
      await settle(4);

      // Assess
      expect(texts()).toEqual([...before, newLine(0), newLine(1), 'sentinel']);
      expect(truncations).toHaveLength(1);
      expect(truncations[0]?.recoveredFrom).toBeUndefined();
    });
  });

  describe('restart after rotation', () => {
    it('reads the rest of the renamed file from the saved offset, then the new file from 0, nothing lost or repeated', async () => {
      // Prepare: a first run acknowledged two of three lines, then stopped.
      const first = [0, 1, 2].map(oldLine);
      await writeFile(file, joined(first));
      const firstRun = startTailer();
      await firstRun.start();
      await waitFor(() => lines.length === 3, 'the first run lines');
      const acked = lines[1]?.position as FilePosition;
      await firstRun.stop();
      const { ino, dev } = await stat(file);
      const checkpoint: Checkpoint = {
        version: 1,
        file,
        dev: String(dev),
        ino: String(ino),
        fp: acked.identity.fp,
        offset: acked.offset,
        updatedAt: '2026-11-26T10:01:00.000Z',
      };
      // While the agent is down: more lines, then rename rotation and a fresh file.
      const later = [3, 4].map(oldLine);
      const fresh = [0, 1].map(newLine);
      await appendFile(file, joined(later));
      await rename(file, `${file}.1`);
      await writeFile(file, joined(fresh));
      lines = [];
      opens = [];

      // Act
      const secondRun = startTailer({ startAt: (identity, size) => decideStart(checkpoint, false, identity, size) });
      await secondRun.start();
      await settle(5);

      // Assess
      expect(texts()).toEqual([oldLine(2), ...later, ...fresh, 'sentinel']);
      expect(lines.slice(0, 3).map((line) => line.position.identity)).toEqual(Array(3).fill(acked.identity));
      expect(lines.slice(0, 3).map((line) => line.start)).toEqual(startsOf([oldLine(2), ...later], acked.offset));
      expect(lines.slice(3, 5).map((line) => line.start)).toEqual(startsOf(fresh));
      expect(opens.map(({ position, decision }) => [decision.reason, position.offset])).toEqual([
        ['recovered', acked.offset],
        ['new-file', 0],
      ]);
      expect(opens[0]?.position.identity).toEqual(acked.identity);
    });

    it('recovers a file copytruncated while the agent was down from its copy, found by first bytes', async () => {
      // Prepare
      const first = [0, 1, 2].map(oldLine);
      await writeFile(file, joined(first));
      const firstRun = startTailer();
      await firstRun.start();
      await waitFor(() => lines.length === 3, 'the first run lines');
      const acked = lines[0]?.position as FilePosition;
      await firstRun.stop();
      const checkpoint: Checkpoint = {
        version: 1,
        file,
        dev: acked.identity.dev,
        ino: acked.identity.ino,
        fp: acked.identity.fp,
        offset: acked.offset,
        updatedAt: 'x',
      };
      await copyFile(file, `${file}.1`);
      await truncate(file, 0);
      await appendFile(file, joined([newLine(0), newLine(1)]));
      lines = [];
      opens = [];

      // Act
      const secondRun = startTailer({ startAt: (identity, size) => decideStart(checkpoint, false, identity, size) });
      await secondRun.start();
      await settle(4);

      // Assess
      expect(texts()).toEqual([oldLine(1), oldLine(2), newLine(0), newLine(1), 'sentinel']);
      expect(opens.map(({ decision }) => decision.reason)).toEqual(['recovered', 'new-file']);
    });

    it('does not resume a different file found at the checkpointed device and inode (other first bytes): reads it from 0', async () => {
      // Prepare: the inode was reused for a new file; a hard link gives it a rotated-looking name too.
      const content = [0, 1, 2].map(newLine);
      await writeFile(file, joined(content));
      await link(file, `${file}.1`);
      const { ino, dev } = await stat(file);
      const checkpoint: Checkpoint = { version: 1, file, dev: String(dev), ino: String(ino), fp: '0123456789abcdef', offset: 20, updatedAt: 'x' };

      // Act
      const tailer = startTailer({ startAt: (identity, size) => decideStart(checkpoint, false, identity, size) });
      await tailer.start();
      await settle(3);

      // Assess
      expect(texts()).toEqual([...content, 'sentinel']);
      expect(lines.map((line) => line.start).slice(0, 3)).toEqual(startsOf(content));
      expect(opens.map(({ decision }) => decision.reason)).toEqual(['truncated']);
    });

    it('resumes at the checkpointed offset when device, inode and first bytes all match', async () => {
      // Prepare
      const content = [0, 1, 2].map(oldLine);
      await writeFile(file, joined(content));
      const { ino, dev } = await stat(file);
      const fp = await fingerprintOf(file);
      const offset = Buffer.byteLength(joined(content.slice(0, 2)));
      const checkpoint: Checkpoint = { version: 1, file, dev: String(dev), ino: String(ino), fp, offset, updatedAt: 'x' };

      // Act
      const tailer = startTailer({ startAt: (identity, size) => decideStart(checkpoint, false, identity, size) });
      await tailer.start();
      await settle(1);

      // Assess
      expect(texts()).toEqual([oldLine(2), 'sentinel']);
      expect(opens.map(({ decision }) => decision.reason)).toEqual(['resume']);
      expect(lines[0]?.start).toBe(offset);
    });
  });

  describe('line start offsets', () => {
    it('reports the first byte of lines split across small read chunks, with multi-byte characters and CRLF', async () => {
      // Prepare
      const content = ['short', '', 'a line much longer than the sixteen byte read buffer', 'café ☕ crème brûlée €€€ total', 'x', 'windows\r'];
      await writeFile(file, joined(content));
      const tailer = startTailer({ readBufferBytes: 16 });

      // Act
      await tailer.start();
      await waitFor(() => lines.length === content.length, 'every line');

      // Assess
      expect(texts()).toEqual([...content.slice(0, 5), 'windows']);
      expect(lines.map((line) => line.start)).toEqual(startsOf(content));
      expect(lines.map((line) => line.position.offset)).toEqual(startsOf(content).map((start, i) => start + Buffer.byteLength(content[i] as string) + 1));
    });

    it('reports the first byte of a partial line flushed on timeout, and of the line after its late newline', async () => {
      // Prepare
      await writeFile(file, 'complete line\na partial line spanning chunks');
      const tailer = startTailer({ readBufferBytes: 16, partialLineFlushMs: 30 });

      // Act
      await tailer.start();
      await waitFor(() => lines.length === 2, 'the flushed partial line');
      await appendFile(file, '\nnext line\n');
      await waitFor(() => lines.length === 3, 'the line after the late newline');

      // Assess
      expect(texts()).toEqual(['complete line', 'a partial line spanning chunks', 'next line']);
      expect(lines.map((line) => line.start)).toEqual([0, 14, 45]);
      expect(lines.map((line) => line.position.offset)).toEqual([14, 44, 55]);
    });
  });
});

describe('Function: readFingerprint', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
  });

  afterEach(async () => {
    await cleanup();
  });

  async function fingerprintOfBytes(name: string, bytes: Buffer): Promise<string | undefined> {
    await writeFile(join(dir, name), bytes);
    return fingerprintOf(join(dir, name));
  }

  it('is undefined until the file holds FINGERPRINT_BYTES bytes', async () => {
    expect(await fingerprintOfBytes('short', Buffer.alloc(FINGERPRINT_BYTES - 1, 0x61))).toBeUndefined();
    expect(await fingerprintOfBytes('exact', Buffer.alloc(FINGERPRINT_BYTES, 0x61))).toMatch(/^[0-9a-f]{16}$/);
  });

  it('depends on the first FINGERPRINT_BYTES bytes only', async () => {
    // Prepare
    const base = Buffer.from(oldLine(0).repeat(3));
    const tailChanged = Buffer.from(base);
    tailChanged[FINGERPRINT_BYTES] = 0x21;
    const headChanged = Buffer.from(base);
    headChanged[FINGERPRINT_BYTES - 1] = 0x21;

    // Act
    const [original, sameHead, otherHead] = [
      await fingerprintOfBytes('a', base),
      await fingerprintOfBytes('b', tailChanged),
      await fingerprintOfBytes('c', headChanged),
    ];

    // Assess
    expect(sameHead).toBe(original);
    expect(otherHead).not.toBe(original);
  });
});
