import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { appendFile, rename, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileTailer, looksBinary, type StartDecision, type TailerOptions } from '../../../src/agent/tailer.js';
import type { FileIdentity, SkipReason, TailLine } from '../../../src/agent/types.js';
import { makeTempDir, waitFor } from './helpers.js';

describe('Class: FileTailer', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let file: string;
  let tailer: FileTailer | undefined;
  let lines: TailLine[];
  let skipped: SkipReason[];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    file = join(dir, 'pos.log');
    lines = [];
    skipped = [];
  });

  afterEach(async () => {
    await tailer?.stop();
    tailer = undefined;
    await cleanup();
  });

  function startTailer(overrides: Partial<TailerOptions> = {}): FileTailer {
    tailer = new FileTailer({
      path: file,
      startAt: (): StartDecision => ({ offset: 0, reason: 'beginning' }),
      onLine: (line) => lines.push(line),
      onSkip: (reason) => skipped.push(reason),
      pollIntervalMs: 10,
      partialLineFlushMs: 60_000,
      ...overrides,
    });
    return tailer;
  }

  const texts = (): string[] => lines.map((line) => line.text);

  describe('Method: start', () => {
    it('reads only the lines after the saved offset and reports the offset after each line', async () => {
      // Prepare
      await writeFile(file, 'one\ntwo\nthree\n');
      const t = startTailer({ startAt: () => ({ offset: 4, reason: 'resume' }) });

      // Act
      await t.start();
      await waitFor(() => lines.length === 2, 'two lines');

      // Assess
      expect(texts()).toEqual(['two', 'three']);
      expect(lines.map((line) => line.position.offset)).toEqual([8, 14]);
    });

    it('waits for a file that does not exist yet and reads it from the start', async () => {
      // Prepare
      const t = startTailer({ startAt: () => ({ offset: Number.MAX_SAFE_INTEGER, reason: 'end' }) });
      await t.start();

      // Act
      await writeFile(file, 'first\nsecond\n');
      await waitFor(() => lines.length === 2, 'both lines of the new file');

      // Assess
      expect(texts()).toEqual(['first', 'second']);
      expect(t.identity).toBeDefined();
    });

    it('starts at the end of an existing file when told to, shipping only new lines', async () => {
      // Prepare
      await writeFile(file, 'old history\n');
      const t = startTailer({ startAt: (_identity, size) => ({ offset: size, reason: 'end' }) });
      await t.start();

      // Act
      await appendFile(file, 'fresh\n');
      await waitFor(() => lines.length === 1, 'the appended line');

      // Assess
      expect(texts()).toEqual(['fresh']);
    });
  });

  describe('Method: line assembly', () => {
    it('holds a partial last line until its newline arrives', async () => {
      // Prepare
      await writeFile(file, 'complete\nhalf a li');
      const t = startTailer();
      await t.start();
      await waitFor(() => t.position === 18, 'the partial bytes to be read');
      expect(texts()).toEqual(['complete']);

      // Act
      await appendFile(file, 'ne\n');
      await waitFor(() => lines.length === 2, 'the completed line');

      // Assess
      expect(texts()).toEqual(['complete', 'half a line']);
      expect(lines[1]?.position.offset).toBe(21);
    });

    it('emits a partial line after the idle flush timeout and does not turn its late newline into an empty line', async () => {
      // Prepare
      await writeFile(file, 'no newline yet');
      const t = startTailer({ partialLineFlushMs: 30 });

      // Act
      await t.start();
      await waitFor(() => lines.length === 1, 'the flushed partial line');
      await appendFile(file, '\nnext\n');
      await waitFor(() => lines.length === 2, 'the following line');

      // Assess
      expect(texts()).toEqual(['no newline yet', 'next']);
      expect(lines[0]?.position.offset).toBe(14);
    });

    it('strips the carriage return of CRLF line endings', async () => {
      // Prepare
      await writeFile(file, 'windows line\r\nnext\r\n');
      const t = startTailer();

      // Act
      await t.start();
      await waitFor(() => lines.length === 2, 'two lines');

      // Assess
      expect(texts()).toEqual(['windows line', 'next']);
    });

    it('truncates a 2 MB line with a marker and never holds more than maxLineBytes of it', async () => {
      // Prepare
      const maxLineBytes = 256 * 1024 - 1024;
      const hugeLength = 2 * 1024 * 1024;
      await writeFile(file, `${'x'.repeat(hugeLength)}\nafter\n`);
      const t = startTailer({ maxLineBytes });

      // Act
      await t.start();
      await waitFor(() => lines.length === 2, 'the huge line and the next one');

      // Assess
      const [huge, after] = lines;
      expect(huge?.truncatedBytes).toBe(hugeLength - maxLineBytes);
      expect(huge?.text).toBe(`${'x'.repeat(maxLineBytes)}…[truncated ${hugeLength - maxLineBytes} bytes]`);
      expect(huge?.position.offset).toBe(hugeLength + 1);
      expect(after?.text).toBe('after');
      expect(t.peakLineBufferBytes).toBeLessThanOrEqual(maxLineBytes);
    });

    it('cuts a truncated line at a character boundary', async () => {
      // Prepare: 3-byte characters that do not divide the cap evenly.
      await writeFile(file, `${'€'.repeat(1000)}\n`);
      const t = startTailer({ maxLineBytes: 1024 });

      // Act
      await t.start();
      await waitFor(() => lines.length === 1, 'the truncated line');

      // Assess
      expect(lines[0]?.text).toBe(`${'€'.repeat(341)}…[truncated ${3000 - 1023} bytes]`);
    });

    it('skips binary garbage lines and reports them as binary', async () => {
      // Prepare
      const garbage = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 37) % 32).filter((b) => b !== 0x0a));
      await writeFile(file, Buffer.concat([garbage, Buffer.from('\nreadable line\n')]));
      const t = startTailer();

      // Act
      await t.start();
      await waitFor(() => lines.length === 1 && skipped.length === 1, 'one line and one skip');

      // Assess
      expect(texts()).toEqual(['readable line']);
      expect(skipped).toEqual(['binary']);
    });

    it('decodes invalid UTF-8 to replacement characters instead of failing', async () => {
      // Prepare
      await writeFile(file, Buffer.from([0x6f, 0x72, 0x64, 0x65, 0x72, 0x20, 0xff, 0xc3, 0x28, 0x20, 0x6f, 0x6b, 0x0a]));
      const t = startTailer();

      // Act
      await t.start();
      await waitFor(() => lines.length === 1, 'the decoded line');

      // Assess
      expect(lines[0]?.text).toBe('order \uFFFD\uFFFD( ok');
    });
  });

  describe('Method: file changes', () => {
    it('restarts at offset 0 when the file shrinks below the read offset', async () => {
      // Prepare
      const truncations: { previousOffset: number; size: number }[] = [];
      await writeFile(file, 'first line\nsecond line\n');
      const t = startTailer({ onTruncate: ({ previousOffset, size }) => truncations.push({ previousOffset, size }) });
      await t.start();
      await waitFor(() => lines.length === 2, 'the original lines');

      // Act
      await truncate(file, 0);
      await appendFile(file, 'after\n');
      await waitFor(() => lines.length === 3, 'the line written after truncation');

      // Assess
      expect(texts()).toEqual(['first line', 'second line', 'after']);
      expect(lines[2]?.position.offset).toBe(6);
      expect(truncations).toHaveLength(1);
      expect(truncations[0]?.previousOffset).toBe(23);
    });

    it('finishes the renamed file before following its replacement from the start', async () => {
      // Prepare
      const rotations: { from: FileIdentity; to: FileIdentity }[] = [];
      await writeFile(file, 'old 1\n');
      const t = startTailer({ onRotate: (info) => rotations.push(info) });
      await t.start();
      await waitFor(() => lines.length === 1, 'the first line');
      const oldInode = (await stat(file)).ino.toString();

      // Act: the writer appends to the old file, then rotates it away and starts a new one.
      await appendFile(file, 'old 2\nold 3 without newline');
      await rename(file, `${file}.1`);
      await writeFile(file, 'new 1\n');
      await waitFor(() => lines.length === 4, 'the rest of the old file and the new file');

      // Assess
      expect(texts()).toEqual(['old 1', 'old 2', 'old 3 without newline', 'new 1']);
      expect(rotations).toHaveLength(1);
      expect(rotations[0]?.from.ino).toBe(oldInode);
      expect(lines[3]?.position).toEqual({ identity: rotations[0]?.to, offset: 6 });
    });

    it('lets timers run between reads while catching up on a backlog, and still reads all of it', async () => {
      // Prepare: 2,000 lines through a 1 KiB read buffer, so catching up takes over a hundred reads.
      const backlog = Array.from({ length: 2_000 }, (_, i) => `backlog line ${String(i).padStart(5, '0')}`);
      await writeFile(file, `${backlog.join('\n')}\n`);
      let linesWhenTimerFired: number | undefined;
      const t = startTailer({ readBufferBytes: 1024 });

      // Act
      setTimeout(() => {
        linesWhenTimerFired = lines.length;
      }, 0);
      await t.start();
      await waitFor(() => lines.length === backlog.length, 'the whole backlog');

      // Assess
      expect(texts()).toEqual(backlog);
      expect(linesWhenTimerFired).toBeDefined();
      expect(linesWhenTimerFired).toBeLessThan(backlog.length);
    });

    it('reads nothing while paused and catches up when resumed', async () => {
      // Prepare
      let paused = true;
      await writeFile(file, 'a\nb\n');
      const t = startTailer({ isPaused: () => paused });
      await t.start();
      expect(lines).toHaveLength(0);

      // Act
      paused = false;
      t.poke();
      await waitFor(() => lines.length === 2, 'both lines after resuming');

      // Assess
      expect(texts()).toEqual(['a', 'b']);
    });
  });
});

describe('Function: looksBinary', () => {
  it('treats ordinary log text, tabs and ANSI colours as text', () => {
    expect(looksBinary('\u001b[31mERROR\u001b[0m\tpayment failed for order 42')).toBe(false);
  });

  it('treats a line of mostly control and replacement characters as binary', () => {
    expect(looksBinary('\u0000\u0001\u0002\uFFFD\uFFFDab')).toBe(true);
  });
});
