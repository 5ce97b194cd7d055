// Property-based tests of the demo POS log format: whatever a record holds (newlines, " | {" in messages, stack lines
// starting with "[", odd details), formatRecord writes one header line plus continuation lines that parseRecords reads
// back as the same record, and a stream of records comes back as the same number of records.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DEFAULT_MULTILINE_START_PATTERN } from '../../../src/agent/multiline.js';
import { formatRecord, HEADER_PATTERN, LOG_LEVELS, parseRecords, type LogRecord } from '../../../src/demo-pos/log-format.js';

const textArb = fc.oneof(
  // U+2028/U+2029 included on purpose: `.` in a header pattern without the s flag stopped at them.
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('payment\u2028declined', 'a\u2029b'),
  fc
    .array(fc.constantFrom('boom', ' | {', ' | {"a":1}', '\n', '\r\n', '\r', '[', '[2026-11-26T12:00:00.000Z] [ERROR] x', ' ', '\t', '{', '}', '"', 'é'), {
      maxLength: 8,
    })
    .map((parts) => parts.join('')),
);

const recordArb: fc.Arbitrary<LogRecord> = fc.record(
  {
    // Four-digit years: the header format (and every tailer's start pattern) has no room for more.
    timestamp: fc.date({ min: new Date('0001-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }),
    level: fc.constantFrom(...LOG_LEVELS),
    message: textArb,
    details: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
    stack: fc.array(textArb, { maxLength: 5 }),
  },
  { requiredKeys: ['timestamp', 'level', 'message'] },
);

/** What the format promises to keep of a record: the message on one line, details as JSON, non-blank stack lines. */
function expectedOf(record: LogRecord) {
  const message = record.message
    .replace(/\r\n|\r|\n/g, ' ')
    .trim()
    .split(' | {')
    .join(' |{');
  const details =
    record.details !== undefined && Object.keys(record.details).length > 0
      ? (JSON.parse(JSON.stringify(record.details)) as Record<string, unknown>)
      : undefined;
  const stack = (record.stack ?? [])
    .map((line) => line.replace(/\r\n|\r|\n/g, ' '))
    .filter((line) => line.trim() !== '')
    .map((line) => (line.startsWith('[') ? `\t${line}` : line));
  return { timestamp: record.timestamp.toISOString(), level: record.level, message, ...(details === undefined ? {} : { details }), stack };
}

describe('Property: formatRecord and parseRecords', () => {
  it('write one header line that parseRecords reads back as the same record', () => {
    fc.assert(
      fc.property(recordArb, (record) => {
        const text = formatRecord(record);
        expect(text.endsWith('\n')).toBe(true);
        const [header, ...continuation] = text.slice(0, -1).split('\n');
        expect(HEADER_PATTERN.test(header!)).toBe(true);
        // Continuation lines never look like the start of a record, to this reader or to the agent's default pattern.
        for (const line of continuation) {
          expect(HEADER_PATTERN.test(line)).toBe(false);
          expect(DEFAULT_MULTILINE_START_PATTERN.test(line) && line.startsWith('[')).toBe(false);
        }
        expect(parseRecords(text)).toEqual([expectedOf(record)]);
      }),
      { numRuns: 3_000 },
    );
  });

  it('read a stream of records back as exactly those records, in order', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 12 }), (records) => {
        expect(parseRecords(records.map(formatRecord).join(''))).toEqual(records.map(expectedOf));
      }),
      { numRuns: 1_000 },
    );
  });
});
