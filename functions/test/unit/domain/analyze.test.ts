import { describe, expect, it } from '@jest/globals';
import { analyzeParsed, analyzeRecord, MAX_TITLE_CHARS, type AnalyzedRecord } from '../../../src/domain/analyze.js';
import { MAX_MESSAGE_CHARS, parseRecord } from '../../../src/domain/parse.js';
import { MAX_STACK_LINES } from '../../../src/domain/stack.js';
import { fixture } from './fixtures.js';

function expectWellFormed(record: AnalyzedRecord): void {
  expect(record.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  expect(record.title.length).toBeLessThanOrEqual(MAX_TITLE_CHARS);
  expect(record.message.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
  expect(record.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
  expect(['critical', 'high', 'medium', 'low']).toContain(record.severity);
  expect(record.exception?.frames.length ?? 0).toBeLessThanOrEqual(MAX_STACK_LINES);
}

/** Runs the unguarded pipeline too, so the catch-all in analyzeRecord cannot hide a parser bug from these tests. */
function analyzeStrict(text: string): AnalyzedRecord {
  const strict = analyzeParsed(parseRecord(text));
  expect(analyzeRecord(text)).toEqual(strict);
  return strict;
}

describe('analyzeRecord', () => {
  it('returns the full analysis of a POS record', () => {
    expect(analyzeRecord(fixture('pos-missing-price.log'))).toEqual({
      format: 'stacklens-pos',
      timestamp: '2026-11-26T12:00:00.123Z',
      level: 'ERROR',
      message: 'Product 999 has no price',
      fields: { code: 'MISSING_PRICE', orderId: 'ORD-20261126-000123', storeId: 'store-001', kioskId: 'kiosk-01', productId: '999' },
      isError: true,
      severity: 'high',
      code: 'MISSING_PRICE',
      category: 'inventory',
      fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
      template: 'Product <int> has no price',
      title: 'MISSING_PRICE: Product <int> has no price',
      storeId: 'store-001',
      kioskId: 'kiosk-01',
    });
  });

  it('titles exception-derived codes with the short exception name', () => {
    expect(analyzeRecord(fixture('logback-caused-by.log')).title).toBe('SQLTimeoutException: Query timed out after <int> ms on connection <int>');
  });

  it('titles unclassified errors with the template alone', () => {
    expect(analyzeRecord(fixture('syslog5424.log')).title).toBe('cash drawer <int> failed to open');
  });

  it('caps the title at 200 characters', () => {
    const record = analyzeRecord(`[2026-11-26T12:00:00.000Z] [ERROR] ${'word '.repeat(100)} | {"code":"MISSING_PRICE"}`);
    expect(record.title.length).toBe(MAX_TITLE_CHARS);
    expect(record.title.startsWith('MISSING_PRICE: word word')).toBe(true);
  });

  it('finds store and kiosk under their common spellings', () => {
    expect(analyzeRecord(fixture('winston.log'))).toMatchObject({ storeId: 'store-003', kioskId: 'T-12' });
    expect(analyzeRecord(fixture('dotnet-keyvalue.log')).storeId).toBe('42');
    expect(analyzeRecord('[2026-11-26T12:00:00.000Z] [ERROR] x | {"store":17,"kiosk_id":"k-2"}')).toMatchObject({ storeId: '17', kioskId: 'k-2' });
    const none = analyzeRecord('[2026-11-26T12:00:00.000Z] [ERROR] x');
    expect(none.storeId).toBeUndefined();
    expect(none.kioskId).toBeUndefined();
  });

  it('analyses every fixture into a well-formed record', () => {
    const names = [
      'pos-missing-price.log', 'pos-node-stack.log', 'logback-caused-by.log', 'logback-thread-first.log', 'spring-boot.log', 'python-traceback.log',
      'python-chained.log', 'pino-err.log', 'winston.log', 'bunyan.log', 'structlog.log', 'syslog3164.log', 'syslog5424.log', 'dotnet-console.log', 'dotnet-keyvalue.log',
    ];
    for (const name of names) expectWellFormed(analyzeStrict(fixture(name)));
  });
});

describe('analyzeRecord on hostile input', () => {
  const twoMegabytes = 2 * 1024 * 1024;
  const hostile: Array<[string, string]> = [
    ['an empty string', ''],
    ['only whitespace and newlines', ' \n\t\n \r\n'],
    ['a 2 MB line of letters', 'a'.repeat(twoMegabytes)],
    ['a 2 MB line of digits and dots', '1.'.repeat(twoMegabytes / 2)],
    ['a 2 MB POS line', `[2026-11-26T12:00:00.000Z] [ERROR] ${'x'.repeat(twoMegabytes)} | {"code":"MISSING_PRICE"}`],
    ['a 2 MB JSON message', JSON.stringify({ level: 'error', msg: 'y '.repeat(twoMegabytes / 2) })],
    ['2 MB of "{"', '{'.repeat(twoMegabytes)],
    ['2 MB of "["', '['.repeat(twoMegabytes)],
    ['2 MB of " | {" ending in }', `[2026-11-26T12:00:00.000Z] [ERROR] ${' | {'.repeat(twoMegabytes / 4)}}`],
    ['deeply nested JSON objects', `{"msg":"x","a":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`],
    ['deeply nested JSON arrays', `{"msg":"x","a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`],
    ['NUL bytes', `[2026-11-26T12:00:00.000Z] [ERROR] bad\u0000byte\u0000 here`],
    ['replacement characters from invalid UTF-8', Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1]).toString('utf8').repeat(1000)],
    ['binary garbage', Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 7919 + 13) % 256)).toString('latin1')],
    ['a 100,000-line stack', `ERROR boom\njava.lang.Error: x\n${'\tat a.B.c(B.java:1)\n'.repeat(100_000)}`],
    ['a 100,000-line Python traceback', `ERROR boom\nTraceback (most recent call last):\n${'  File "a.py", line 1, in f\n'.repeat(100_000)}ValueError: end`],
    ['many Caused-by lines', `ERROR boom\n${'Caused by: a.B: c\n'.repeat(50_000)}`],
    ['a long run of colons', ':'.repeat(200_000)],
    ['a long run of quotes after =', `ERROR ${'="'.repeat(100_000)}`],
    ['a long unterminated logfmt quote', `level=error msg="${'z'.repeat(100_000)}`],
    ['syslog with an absurd PRI', '<999>Nov 26 12:00:00 h a: x'],
    ['syslog 5424 with broken structured data', `<11>1 2026-11-26T12:00:00Z h a 1 m [x${' y="'.repeat(10_000)}`],
    ['a long exception header', `ERROR x\n${'A'.repeat(100_000)}Exception: ${'m'.repeat(100_000)}\n\tat a.B.c(B.java:1)`],
    ['a long frame line', `ERROR x\njava.lang.Error: e\n\tat ${'a.'.repeat(100_000)}(B.java:1)`],
    ['a long email-like word', `ERROR ${'a@'.repeat(100_000)}.com`],
    ['a long hex-like word', `ERROR ${'ab12'.repeat(50_000)}`],
    ['a JSON record with a huge err.stack', JSON.stringify({ level: 50, msg: 'x', err: { type: 'Error', message: 'm', stack: `Error: m\n${'    at f (a.js:1:1)\n'.repeat(100_000)}` } })],
    ['a JSON string literal', '"just a string"'],
    ['JSON null', 'null'],
  ];

  it.each(hostile)('does not throw on %s', (_name, text) => {
    expectWellFormed(analyzeStrict(text));
  });

  it('does not throw when handed a non-string at runtime', () => {
    expectWellFormed(analyzeRecord(undefined as unknown as string));
    expectWellFormed(analyzeRecord(12 as unknown as string));
  });

  it('survives generated random records built from format fragments', () => {
    let seed = 7;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const fragments = [
      '[', ']', '{', '}', '"', "'", '\\', ':', '=', ' | ', '\n', '\r\n', '\t', '<11>', '<14>1 ', 'Nov 26 12:00:00 ', '2026-11-26 12:00:00,123 ',
      'ERROR', 'WARN', 'fail: ', 'Level=', 'level=', 'msg=', '"level":50', '"msg":', 'Traceback (most recent call last):', 'Caused by: ', '---> ',
      '    at ', '(', ')', 'File "', '", line 3, in f', 'java.lang.X', 'Exception', ': ', '0x1f', '12.5', 'ORD-1', '@', '/', 'é', '\u0000', '\uFFFD', ' ',
    ];
    const malformed: string[] = [];
    for (let i = 0; i < 3000; i++) {
      let text = '';
      const parts = 1 + Math.floor(next() * 25);
      for (let p = 0; p < parts; p++) text += fragments[Math.floor(next() * fragments.length)];
      const record = analyzeParsed(parseRecord(text));
      if (!/^[0-9a-f]{16}$/.test(record.fingerprint) || record.title.length > MAX_TITLE_CHARS || !/^[A-Z][A-Z0-9_]*$/.test(record.code)) malformed.push(text);
    }
    expect(malformed).toEqual([]);
  });
});
