// Property-based tests of the multi-line assembler against a model of the CloudWatch agent's `multi_line_start_pattern`
// rule (a record starts on a matching line and takes every following line that does not match), with its size caps and
// blank-line handling; plus invariants that hold whatever the model says: no line lost, duplicated or reordered.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DEFAULT_MULTILINE_START_PATTERN, MultilineAssembler, type RecordEnd } from '../../../src/agent/multiline.js';
import type { FileIdentity, LogRecord, SkipReason, TailLine } from '../../../src/agent/types.js';

const IDENTITY: FileIdentity = { dev: '7', ino: '99', fp: 'abc' };

const lineTextArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      '[2026-11-26T12:00:00.123Z] [ERROR] PAYMENT_DECLINED card declined',
      '[12:00:00] tick',
      '2026-11-26 12:00:00,123 ERROR com.pos.Till - boom',
      '{"level":"error","msg":"x"}',
      '<13>Nov 26 12:00:00 kiosk pos[42]: restart',
      'Nov 26 12:00:00 kiosk pos[42]: restart',
      'fail: Pos.Payments[0]',
      'info: ok',
      '\tat com.pos.Till.pay(Till.java:42)',
      '    at process (/app/pos.js:10:5)',
      'Caused by: java.io.IOException: reset',
      'Traceback (most recent call last):',
      '  File "pos.py", line 3, in <module>',
      '# BEGIN',
      'BEGIN block',
      '',
      '   ',
      '\t',
      'plain text',
      'é€😀 multi-byte',
      '[not a digit',
      '2026-11-2 not a date',
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }).map((text) => text.replace(/[\r\n]/g, ' ')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((text) => text.replace(/[\r\n]/g, ' ')) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 400 }).map((n) => `\t${'x'.repeat(n)}`) },
);

const optionsArb = fc.record({
  startPattern: fc.constantFrom<RegExp | undefined>(undefined, /^BEGIN/, /^#/g, /^\S/y, /^(?:\[|\d)/),
  maxLines: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
  maxBytes: fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
});

type MultilineCase = { startPattern: RegExp | undefined; maxLines: number | undefined; maxBytes: number | undefined };

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');
const isBlank = (text: string) => !/\S/.test(text);

function tailLines(texts: readonly string[]): TailLine[] {
  let offset = 0;
  return texts.map((text, index) => {
    const start = offset;
    offset += utf8(text) + 1;
    return { text, position: { identity: IDENTITY, offset }, start, truncatedBytes: 0, readAt: 1_000 + index };
  });
}

interface Emitted {
  readonly record: LogRecord;
  readonly endedBy: RecordEnd;
}

function assemble(lines: readonly TailLine[], options: MultilineCase): { emitted: Emitted[]; skipped: Array<{ reason: SkipReason; offset: number }> } {
  const emitted: Emitted[] = [];
  const skipped: Array<{ reason: SkipReason; offset: number }> = [];
  const assembler = new MultilineAssembler({
    onRecord: (record, endedBy) => emitted.push({ record, endedBy }),
    onSkip: (reason, position) => skipped.push({ reason, offset: position.offset }),
    flushAfterMs: 3_600_000,
    ...(options.startPattern === undefined ? {} : { startPattern: options.startPattern }),
    ...(options.maxLines === undefined ? {} : { maxLines: options.maxLines }),
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
  });
  for (const line of lines) assembler.push(line);
  assembler.flush();
  assembler.stop();
  return { emitted, skipped };
}

/**
 * The rule as documented: a line matching the start pattern begins a record, any other line joins the open one while
 * the record stays within maxLines and maxBytes (counting a newline between lines); a record never begins with a blank
 * line (PutLogEvents refuses empty messages), and blank lines at its end belong to no record's text.
 */
function model(lines: readonly TailLine[], options: MultilineCase) {
  const pattern = new RegExp((options.startPattern ?? DEFAULT_MULTILINE_START_PATTERN).source);
  const maxLines = options.maxLines ?? 1000;
  const maxBytes = options.maxBytes ?? 256 * 1024 - 26;
  const emitted: Array<{ text: string; lineCount: number; origin: number; position: number; readAt: number; endedBy: RecordEnd }> = [];
  const skipped: Array<{ reason: SkipReason; offset: number }> = [];
  let open: TailLine[] = [];
  const close = (endedBy: RecordEnd) => {
    if (open.length === 0) return;
    const texts = open.map((line) => line.text);
    while (texts.length > 1 && isBlank(texts.at(-1)!)) texts.pop();
    emitted.push({
      text: texts.join('\n'),
      lineCount: open.length,
      origin: open[0]!.start,
      position: open.at(-1)!.position.offset,
      readAt: open[0]!.readAt,
      endedBy,
    });
    open = [];
  };
  for (const line of lines) {
    const starts = pattern.test(line.text);
    const bytes = open.reduce((sum, l, i) => sum + utf8(l.text) + (i > 0 ? 1 : 0), 0);
    if (open.length > 0 && !starts && open.length < maxLines && bytes + 1 + utf8(line.text) <= maxBytes) {
      open.push(line);
      continue;
    }
    close(starts ? 'next-record' : 'limit');
    if (isBlank(line.text)) {
      skipped.push({ reason: 'blank', offset: line.position.offset });
      continue;
    }
    open = [line];
  }
  close('flush');
  return { emitted, skipped };
}

describe('Property: MultilineAssembler', () => {
  it('groups lines into exactly the records the start-pattern model gives, with their origins, positions and end reasons', () => {
    fc.assert(
      fc.property(fc.array(lineTextArb, { maxLength: 40 }), optionsArb, (texts, options) => {
        const lines = tailLines(texts);
        const actual = assemble(lines, options);
        const expected = model(lines, options);
        expect(
          actual.emitted.map(({ record, endedBy }) => ({
            text: record.text,
            lineCount: record.lineCount,
            origin: record.origin.offset,
            position: record.position.offset,
            readAt: record.readAt,
            endedBy,
          })),
        ).toEqual(expected.emitted);
        expect(actual.skipped).toEqual(expected.skipped);
      }),
      { numRuns: 2_000 },
    );
  });

  it('loses, repeats or reorders no line with text, keeps each record within its caps and never starts one blank', () => {
    fc.assert(
      fc.property(fc.array(lineTextArb, { maxLength: 60 }), optionsArb, (texts, options) => {
        const { emitted } = assemble(tailLines(texts), options);
        const shipped = emitted.flatMap(({ record }) => record.text.split('\n')).filter((text) => !isBlank(text));
        expect(shipped).toEqual(texts.filter((text) => !isBlank(text)));
        for (const { record } of emitted) {
          expect(isBlank(record.text.split('\n')[0]!)).toBe(false);
          if (options.maxLines !== undefined) expect(record.lineCount).toBeLessThanOrEqual(options.maxLines);
          // One line alone may exceed the byte cap (the tailer caps lines); a joined record never does.
          if (options.maxBytes !== undefined && record.lineCount > 1) expect(utf8(record.text)).toBeLessThanOrEqual(options.maxBytes);
          expect(record.origin.identity).toBe(IDENTITY);
        }
        const origins = emitted.map(({ record }) => record.origin.offset);
        expect(origins).toEqual([...origins].sort((a, b) => a - b));
        expect(new Set(origins).size).toBe(origins.length);
      }),
      { numRuns: 2_000 },
    );
  });
});
