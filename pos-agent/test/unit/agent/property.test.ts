// Property-based tests: random text, random bytes, huge lines and invalid UTF-8 thrown at the redactor and the reader.
// Run counts are modest so the file stays quick; a failure prints the seed and the shrunk input to replay.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { looksLikePan, luhnValid } from '../../../../functions/src/domain/redact.js';
import { createRedactor } from '../../../src/agent/redaction.js';
import { FileTailer, looksBinary } from '../../../src/agent/tailer.js';
import type { SkipReason, TailLine } from '../../../src/agent/types.js';
import { trimIncompleteUtf8Tail, truncationMarker } from '../../../src/agent/utf8.js';
import { makeTempDir } from './helpers.js';

const redact = createRedactor();

// ── Generators ─────────────────────────────────────────────────────────────────────────────────────────────────────

const CARD_PREFIXES = ['4', '51', '55', '2221', '2720', '34', '37', '6011', '644', '65', '3530', '300', '36', '38', '62', '6759', '5018'];

/** A Luhn-valid number of 13-19 digits with a card scheme's prefix. */
const panArb = fc
  .tuple(fc.constantFrom(...CARD_PREFIXES), fc.integer({ min: 13, max: 19 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 18, maxLength: 18 }))
  .map(([prefix, length, digits]) => {
    const body = (prefix + digits.join('')).slice(0, length - 1);
    for (let check = 0; check <= 9; check++) if (luhnValid(`${body}${check}`)) return `${body}${check}`;
    throw new Error('unreachable: one check digit always completes a Luhn-valid number');
  });

/** A card number printed plain or in groups joined by spaces, dashes, '+' or URL-encoded spaces. */
const printedPanArb = fc
  .tuple(panArb, fc.constantFrom('', ' ', '-', '+', '%20'), fc.integer({ min: 3, max: 6 }))
  .map(([pan, joiner, group]) => (joiner === '' ? pan : pan.replace(new RegExp(`(\\d{${group}})(?=\\d)`, 'g'), `$1${joiner}`)));

/** Fragments that meet in POS logs: digits and separators, keywords, e-mail, track and masking characters, any text. */
const fragmentArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9') },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      ' ',
      '-',
      '+',
      '%20',
      '%',
      '*',
      '******',
      '@',
      '.',
      '=',
      '^',
      ';',
      '?',
      '"',
      ':',
      '\\',
      '_',
      'x',
      'B',
      '%B',
      '\t',
      '\u0000',
      'é',
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom('cvv', 'cvc2=', 'CVV: ', '"cvv":"', 'security code ', 'card=', 'pan=', '^DOE/JOHN^', '=2712', 'ann@shop.example.com'),
  },
  { weight: 2, arbitrary: printedPanArb },
  { weight: 1, arbitrary: fc.stringMatching(/^[0-9]{1,22}$/) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
);

const cardishLineArb = fc.array(fragmentArb, { maxLength: 80 }).map((fragments) => fragments.join(''));

const anyLineArb = fc.oneof(cardishLineArb, fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ maxLength: 300 }));

/** Maximal runs of digits. */
const digitRuns = (text: string): string[] => text.match(/\d+/g) ?? [];

// ── The redactor ───────────────────────────────────────────────────────────────────────────────────────────────────

describe('Property: createRedactor', () => {
  it('never throws and always returns a string, whatever the text', () => {
    fc.assert(
      fc.property(anyLineArb, (line) => {
        const result = redact(line);
        expect(typeof result.text).toBe('string');
      }),
      { numRuns: 2_000 },
    );
  });

  it('leaves no card number that stood alone as a digit run in its output', () => {
    fc.assert(
      fc.property(cardishLineArb, (line) => {
        const { text } = redact(line);
        const runs = digitRuns(line);
        for (const run of runs) {
          // A run inside a longer run (a 20-digit trace id) is not a card number by itself.
          if (!looksLikePan(run) || runs.some((other) => other !== run && other.includes(run))) continue;
          expect(text).not.toContain(run);
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it('counts a card number for every card-length digit run it masked', () => {
    fc.assert(
      fc.property(fc.array(printedPanArb, { minLength: 1, maxLength: 5 }), fc.constantFrom(' | ', ' and ', '","', ' x '), (pans, glue) => {
        const { text, counts } = redact(`paid ${pans.join(glue)} ok`);
        expect(counts?.['pan']).toBe(pans.length);
        for (const pan of pans) expect(text).not.toContain(pan);
      }),
      { numRuns: 1_000 },
    );
  });

  it('is idempotent: redacting its own output changes nothing and counts nothing', () => {
    fc.assert(
      fc.property(anyLineArb, (line) => {
        const once = redact(line).text;
        expect(redact(once)).toEqual({ text: once });
      }),
      { numRuns: 3_000 },
    );
  });

  it('keeps text without card-shaped digit runs, security-code keywords, track data or @ byte-identical', () => {
    const wordArb = fc.stringMatching(/^[a-zA-Z]{1,8}$/);
    const numberArb = fc.stringMatching(/^[0-9]{1,11}$/);
    // No ' ', '-', '+' or '%' between numbers: those would join them into a card-length run.
    const punctuationArb = fc.constantFrom('.', ',', ':', '/', '(', ')', '[', ']', '{', '}', '"', '_', '#', '|', '=', 'T', 'Z');
    const lineArb = fc
      .array(fc.tuple(fc.oneof(wordArb, numberArb), punctuationArb), { maxLength: 40 })
      .map((parts) => parts.map(([token, punctuation]) => token + punctuation).join(''))
      .filter((line) => !/cv[vcn]|cav2|cid|csc|code|verification/i.test(line));
    fc.assert(
      fc.property(lineArb, (line) => {
        expect(redact(line)).toEqual({ text: line });
      }),
      { numRuns: 2_000 },
    );
  });

  it('processes lines of up to a megabyte without failing and masks every card in them', () => {
    fc.assert(
      fc.property(cardishLineArb, panArb, fc.integer({ min: 100_000, max: 1_000_000 }), (unit, pan, size) => {
        const block = `${unit} ${pan} `;
        const line = block.repeat(Math.max(1, Math.floor(size / block.length)));
        const { text } = redact(line);
        expect(text).not.toContain(pan);
      }),
      { numRuns: 8 },
    );
  });
});

// ── The reader ─────────────────────────────────────────────────────────────────────────────────────────────────────

interface Expected {
  readonly start: number;
  readonly offset: number;
  readonly line?: { readonly text: string; readonly truncatedBytes: number };
}

/** What the tailer must report for a file holding `bytes`, worked out from the whole content at once. */
function expectedLines(bytes: Buffer, maxLineBytes: number): Expected[] {
  const expected: Expected[] = [];
  let start = 0;
  for (let newline = bytes.indexOf(0x0a); newline !== -1; newline = bytes.indexOf(0x0a, start)) {
    const segment = bytes.subarray(start, newline);
    let decoded: string;
    let dropped = 0;
    if (segment.length <= maxLineBytes) {
      const end = segment.length > 0 && segment[segment.length - 1] === 0x0d ? segment.length - 1 : segment.length;
      decoded = segment.toString('utf8', 0, end);
    } else {
      const kept = segment.subarray(0, maxLineBytes);
      const end = trimIncompleteUtf8Tail(kept);
      dropped = segment.length - end;
      decoded = kept.toString('utf8', 0, end);
    }
    const text = dropped > 0 ? decoded + truncationMarker(dropped) : decoded;
    expected.push({ start, offset: newline + 1, ...(looksBinary(decoded) ? {} : { line: { text, truncatedBytes: dropped } }) });
    start = newline + 1;
  }
  return expected;
}

const NEWLINE = [0x0a];
const byteChunkArb = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 120 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }).map((text) => new Uint8Array(Buffer.from(text, 'utf8'))) },
  {
    weight: 4,
    // Newlines, lone CR, CRLF, NUL, truncated and invalid UTF-8 sequences, an encoded U+FFFD.
    arbitrary: fc
      .constantFrom(NEWLINE, NEWLINE, [0x0d], [0x0d, 0x0a], [0x00], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xff], [0xef, 0xbf, 0xbd])
      .map((b) => new Uint8Array(b)),
  },
  // A line far over the cap, ASCII or multi-byte, so cuts land inside characters too.
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 1, max: 900 }), fc.constantFrom('a', 'é', '€', '😀')).map(([n, ch]) => new Uint8Array(Buffer.from(ch.repeat(n)))),
  },
);

describe('Property: FileTailer reading random bytes', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let fileNumber = 0;

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir('stacklens-property-'));
  });

  afterAll(async () => {
    await cleanup();
  });

  /** Reads `content` from the beginning to its end with a fresh tailer; the redactor sees every emitted line. */
  async function readAll(
    content: Buffer,
    options: { maxLineBytes?: number; readBufferBytes?: number },
  ): Promise<{ lines: TailLine[]; skipped: { reason: SkipReason; offset: number }[]; position: number }> {
    const file = join(dir, `pos-${(fileNumber += 1)}.log`);
    await writeFile(file, content);
    const lines: TailLine[] = [];
    const skipped: { reason: SkipReason; offset: number }[] = [];
    const tailer = new FileTailer({
      path: file,
      startAt: () => ({ offset: 0, reason: 'beginning' }),
      onLine: (line) => {
        redact(line.text);
        lines.push(line);
      },
      onSkip: (reason, position) => skipped.push({ reason, offset: position.offset }),
      // No partial-line flush and no polls during the run: what is read is exactly the content written above.
      partialLineFlushMs: 60_000,
      pollIntervalMs: 60_000,
      ...options,
    });
    try {
      // The first pump reads to the end of the file before start() resolves.
      await tailer.start();
      return { lines, skipped, position: tailer.position };
    } finally {
      await tailer.stop();
    }
  }

  it('reads to the end, reports every newline-terminated line once, in order, capped, never throwing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(byteChunkArb, { maxLength: 50 }),
        fc.integer({ min: 8, max: 300 }),
        fc.integer({ min: 7, max: 2048 }),
        async (chunks, maxLineBytes, readBufferBytes) => {
          // Prepare
          const content = Buffer.concat(chunks);
          const expected = expectedLines(content, maxLineBytes);
          // Act
          const { lines, skipped, position } = await readAll(content, { maxLineBytes, readBufferBytes });
          // Assess
          expect(position).toBe(content.length);
          expect(lines.length + skipped.length).toBe(expected.length);
          expect(skipped.every((skip) => skip.reason === 'binary')).toBe(true);
          for (const line of lines) expect(line.text.length).toBeLessThanOrEqual(maxLineBytes + truncationMarker(line.truncatedBytes).length);
          const emitted = expected.filter((entry) => entry.line !== undefined);
          expect(lines.map((line) => ({ start: line.start, offset: line.position.offset, text: line.text, truncatedBytes: line.truncatedBytes }))).toEqual(
            emitted.map((entry) => ({ start: entry.start, offset: entry.offset, ...entry.line })),
          );
          expect(skipped.map((skip) => skip.offset)).toEqual(expected.filter((entry) => entry.line === undefined).map((entry) => entry.offset));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('cuts a line of several hundred kilobytes to the default cap while streaming it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 270_000, max: 600_000 }), fc.constantFrom('x', 'é', '😀'), async (size, character) => {
        const huge = Buffer.from(character.repeat(Math.ceil(size / Buffer.byteLength(character))));
        const content = Buffer.concat([Buffer.from('before\n'), huge, Buffer.from('\nafter\n')]);
        const { lines, position } = await readAll(content, {});
        expect(position).toBe(content.length);
        expect(lines.map((line) => line.text.slice(0, 6))).toEqual(['before', character.repeat(6).slice(0, 6), 'after']);
        const cut = lines[1];
        expect(cut?.truncatedBytes).toBeGreaterThan(0);
        expect(Buffer.byteLength(cut?.text ?? '') - Buffer.byteLength(truncationMarker(cut?.truncatedBytes ?? 0))).toBe(
          huge.length - (cut?.truncatedBytes ?? 0),
        );
      }),
      { numRuns: 4 },
    );
  });
});
