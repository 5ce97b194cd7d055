// Property-based tests of the record parser (parse.ts) and the parse → classify → fingerprint pipeline (analyze.ts):
// any text parses without throwing into a bounded, well-formed record, and records written in each supported format
// parse back to what was written. A failure prints the seed and the shrunk input to replay.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { analyzeRecord, MAX_TITLE_CHARS } from '../../../src/domain/analyze.js';
import { CATEGORIES, SEVERITIES } from '../../../src/domain/catalog.js';
import { LEVELS, levelFromSyslogSeverity, type Level } from '../../../src/domain/levels.js';
import { MAX_FIELD_DEPTH, MAX_MESSAGE_CHARS, parseJsonObject, parseRecord, type ParsedRecord } from '../../../src/domain/parse.js';
import { MAX_STACK_LINES } from '../../../src/domain/stack.js';
import { anyJson, hostileText, isoValue, logFragment } from './arbitraries.js';

const FORMATS = ['stacklens-pos', 'logback', 'json', 'python', 'syslog3164', 'syslog5424', 'dotnet', 'plain'];
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** Nesting depth of a JSON-like value: 0 for a primitive, 1 + the deepest child for an object or array. */
function depth(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depth(child));
  return 1 + deepest;
}

function isCanonicalIso(value: string): boolean {
  const ms = Date.parse(value);
  return Number.isFinite(ms) && new Date(ms).toISOString() === value && ms >= 0 && ms < Date.UTC(10000, 0, 1);
}

/** Everything a parsed record promises whatever the input. */
function expectWellFormed(record: ParsedRecord): void {
  expect(FORMATS).toContain(record.format);
  expect(typeof record.message).toBe('string');
  expect(record.message.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
  expect(CONTROL.test(record.message)).toBe(false);
  expect(record.message).toBe(record.message.trim());
  if (record.timestamp !== undefined) expect(isCanonicalIso(record.timestamp)).toBe(true);
  if (record.level !== undefined) expect(LEVELS).toContain(record.level);
  expect(typeof record.hasStack).toBe('boolean');
  if (record.exception) {
    expect(record.exception.type.length).toBeGreaterThan(0);
    expect(record.exception.type.length).toBeLessThanOrEqual(256);
    expect(record.exception.message.length).toBeLessThanOrEqual(8192);
    expect(record.exception.frames.length).toBeLessThanOrEqual(MAX_STACK_LINES);
    expect(record.exception.frames.filter((frame) => typeof frame !== 'string')).toEqual([]);
  }
  // A `__proto__` key in log content must stay data, never become the fields object's prototype.
  expect(Object.getPrototypeOf(record.fields)).toBe(Object.prototype);
  expect(Object.prototype.hasOwnProperty.call(record.fields, '__proto__')).toBe(false);
  expect(depth(record.fields)).toBeLessThanOrEqual(MAX_FIELD_DEPTH);
}

/** Printable text on one line without the `message | {json}` tail: what a message written by a POS looks like. */
const messageText = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?()[]{}<>=+-_/#@$%&*"\'|\\'),
      fc.constantFrom('é', '価', '😀'),
    ),
    maxLength: 200,
  })
  .map((text) => text.trim())
  .filter((text) => !text.includes(' | {'));

const LEVEL_WORDS: ReadonlyArray<readonly [string, Level]> = [
  ['TRACE', 'TRACE'],
  ['DEBUG', 'DEBUG'],
  ['INFO', 'INFO'],
  ['WARN', 'WARN'],
  ['WARNING', 'WARN'],
  ['ERROR', 'ERROR'],
  ['CRITICAL', 'CRITICAL'],
  ['FATAL', 'FATAL'],
  ['Error', 'ERROR'],
  ['warn', 'WARN'],
];
const levelWord = fc.constantFrom(...LEVEL_WORDS);

/** JSON object keys the parser does not interpret: they must come back in `fields` unchanged. */
const RESERVED_JSON_KEYS = new Set([
  ...['level', 'severity', 'levelname', 'lvl', 'loglevel', 'log_level', 'log.level', '@l', 'Level', 'Severity'],
  ...['msg', 'message', 'event', '@m', '@mt', 'Message', 'short_message'],
  ...['time', 'timestamp', '@timestamp', 'ts', '@t', 'datetime', 'Timestamp', 'date'],
  ...['err', 'error', 'exception', 'exc_info', '@x', 'Exception', 'stack', 'stack_trace', 'log', '__proto__'],
]);
const extraJsonFields = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 12 }).filter((key) => !RESERVED_JSON_KEYS.has(key)),
  fc.jsonValue({ maxDepth: 3 }),
  { maxKeys: 6 },
);

describe('Property: parseRecord on any input', () => {
  it('never throws and always returns a bounded, well-formed record', () => {
    fc.assert(
      fc.property(hostileText(600), (text) => {
        expectWellFormed(parseRecord(text));
      }),
      { numRuns: 4_000 },
    );
  });

  it('never throws on multi-line records of any length and keeps at most the capped number of frames', () => {
    const lineArb = fc.oneof(logFragment, hostileText(80), fc.constantFrom('    at a.B.c(D.java:1)', '    at f (/x.js:1:2)', '  File "/x.py", line 1, in f'));
    fc.assert(
      fc.property(hostileText(120), fc.array(lineArb, { maxLength: 200 }), (first, rest) => {
        expectWellFormed(parseRecord([first, ...rest].join('\n')));
      }),
      { numRuns: 800 },
    );
  });

  it('never lets a JSON line replace the prototype of fields or of Object', () => {
    fc.assert(
      fc.property(anyJson, fc.constantFrom('__proto__', 'constructor', 'prototype'), (value, key) => {
        const line = `{"level":"error","msg":"x","${key}":${JSON.stringify(value)},"nested":{"${key}":{"polluted":true}}}`;
        expectWellFormed(parseRecord(line));
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it('cuts JSON nested to any depth to MAX_FIELD_DEPTH without overflowing the stack', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5_000 }), fc.constantFrom('{"a":', '[', '{"b":[', '{"__proto__":'), (levels, opener) => {
        const closer = (open: string) => (open === '[' ? ']' : open === '{"b":[' ? ']}' : '}');
        const value = `${opener.repeat(levels)}1${closer(opener).repeat(levels)}`;
        const record = parseRecord(`{"level":"error","msg":"deep","data":${value}}`);
        expectWellFormed(record);
        expect(record.message).toBe('deep');
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the message bounded for lines of up to a megabyte', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('[2026-11-26T12:00:00.000Z] [ERROR] ', '{"msg":"', 'level=error msg=', '<11>', ''),
        fc.integer({ min: 9_000, max: 1_000_000 }),
        fc.constantFrom('x', ' 1', '"', '\\', '😀'),
        (head, size, unit) => {
          const record = parseRecord(head + unit.repeat(Math.ceil(size / unit.length)));
          expectWellFormed(record);
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe('Property: parseRecord round-trips the formats it reads', () => {
  it('reads back timestamp, level and message of a StackLens POS line, and the details JSON into fields', () => {
    const detailsArb = fc.option(
      extraJsonFields.filter((details) => Object.keys(details).length > 0),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        isoValue,
        levelWord,
        messageText.filter((m) => m.length > 0),
        detailsArb,
        (iso, [word, level], message, details) => {
          const line = `[${iso}] [${word}] ${message}${details ? ` | ${JSON.stringify(details)}` : ''}`;
          const record = parseRecord(line);
          expect(record.format).toBe('stacklens-pos');
          expect(record.timestamp).toBe(iso);
          expect(record.level).toBe(level);
          expect(record.message).toBe(message);
          // Compared with what JSON carries: it has no -0, for one.
          if (details) expect(record.fields).toEqual(JSON.parse(JSON.stringify(details)));
        },
      ),
      { numRuns: 1_500 },
    );
  });

  it('reads back level, message, timestamp and every other field of a JSON line', () => {
    fc.assert(
      fc.property(isoValue, levelWord, messageText, extraJsonFields, (iso, [word, level], message, extra) => {
        const line = JSON.stringify({ level: word.toLowerCase(), time: iso, msg: message, ...extra });
        const record = parseRecord(line);
        expect(record.format).toBe('json');
        expect(record.level).toBe(level);
        expect(record.timestamp).toBe(iso);
        expect(record.message).toBe(message);
        expect(record.fields).toEqual(JSON.parse(JSON.stringify(extra)));
      }),
      { numRuns: 1_500 },
    );
  });

  it('reads back level, quoted message and every key=value pair of a logfmt line', () => {
    const RESERVED = new Set(['level', 'lvl', 'severity', 'loglevel', 'msg', 'message', 'time', 'ts', 'timestamp', 'logger', 'source', 'category']);
    const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/).filter((k) => !RESERVED.has(k));
    const quote = (value: string) => `"${value.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
    fc.assert(
      fc.property(levelWord, messageText, fc.dictionary(key, messageText, { maxKeys: 5 }), ([word, level], message, pairs) => {
        const line = [`level=${word.toLowerCase()}`, `msg=${quote(message)}`, ...Object.entries(pairs).map(([k, v]) => `${k}=${quote(v)}`)].join(' ');
        const record = parseRecord(line);
        expect(record.format).toBe('plain');
        expect(record.level).toBe(level);
        expect(record.message).toBe(message);
        expect(record.fields).toEqual(pairs);
      }),
      { numRuns: 1_500 },
    );
  });

  it('reads back priority, header fields, structured data and message of an RFC 5424 syslog line', () => {
    const token = fc.stringMatching(/^[A-Za-z0-9._]{1,20}$/);
    const sdName = fc.stringMatching(/^[a-z]{1,8}$/).filter((name) => !['host', 'app', 'pid', 'msgid', 'facility'].includes(name));
    // RFC 5424 escapes '"', '\' and ']' inside a parameter value with a backslash.
    const sdEscape = (value: string) => value.replace(/[\\"\]]/g, (ch) => `\\${ch}`);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 191 }),
        isoValue,
        fc.tuple(token, token, token, token),
        fc.option(fc.tuple(sdName, messageText), { nil: undefined }),
        messageText,
        (pri, iso, [host, app, pid, msgId], sd, message) => {
          const structured = sd ? `[meta@32473 ${sd[0]}="${sdEscape(sd[1])}"]` : '-';
          const record = parseRecord(`<${pri}>1 ${iso} ${host} ${app} ${pid} ${msgId} ${structured} ${message}`);
          expect(record.format).toBe('syslog5424');
          expect(record.level).toBe(levelFromSyslogSeverity(pri % 8));
          expect(record.timestamp).toBe(iso);
          expect(record.logger).toBe(app);
          expect(record.message).toBe(message);
          expect(record.fields).toEqual({ facility: pri >> 3, host, app, pid, msgId, ...(sd ? { [sd[0]]: sd[1] } : {}) });
        },
      ),
      { numRuns: 1_500 },
    );
  });
});

describe('Property: parseJsonObject', () => {
  it('never throws, answers only plain objects, and returns shallow objects exactly as JSON.parse does', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyJson.map((value) => JSON.stringify(value)),
          hostileText(200),
        ),
        (text) => {
          const parsed = parseJsonObject(text);
          let reference: unknown;
          try {
            reference = JSON.parse(text);
          } catch {
            expect(parsed).toBeUndefined();
            return;
          }
          const isObject = typeof reference === 'object' && reference !== null && !Array.isArray(reference);
          if (!isObject) expect(parsed).toBeUndefined();
          else expect(parsed).toEqual(reference);
        },
      ),
      { numRuns: 3_000 },
    );
  });
});

describe('Property: analyzeRecord', () => {
  it('never throws, and always yields a 16-hex fingerprint, a bounded title and catalogue severity and category', () => {
    fc.assert(
      fc.property(hostileText(600), (text) => {
        const record = analyzeRecord(text);
        expect(record.fingerprint).toMatch(/^[0-9a-f]{16}$/);
        expect(record.title.length).toBeLessThanOrEqual(MAX_TITLE_CHARS);
        expect(SEVERITIES).toContain(record.severity);
        expect(CATEGORIES).toContain(record.category);
        expect(typeof record.isError).toBe('boolean');
        if (record.storeId !== undefined) expect(typeof record.storeId).toBe('string');
        if (record.kioskId !== undefined) expect(typeof record.kioskId).toBe('string');
        // Deterministic: the classifier's memo must not change a second answer.
        expect(analyzeRecord(text)).toEqual(record);
      }),
      { numRuns: 3_000 },
    );
  });
});
