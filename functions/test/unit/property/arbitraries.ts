// Generators shared by the property tests: hostile text of every kind, and the variable values Sentry-style grouping
// parameterises (numbers, ids, uuids, timestamps). Kept small and composable so each test reads as its invariant.

import fc from 'fast-check';

/** Any UTF-16 code unit, lone surrogates included: what a broken device or a bad decoder can hand us. */
export const utf16Char = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

/** Characters that matter to parsers: quotes, brackets, separators, escapes, controls, bidi overrides, BOM. */
export const trickyChar = fc.constantFrom(
  '"',
  "'",
  '\\',
  '[',
  ']',
  '{',
  '}',
  '<',
  '>',
  '|',
  '=',
  ':',
  ' ',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '\u0000',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u2028',
  '\u202e',
  '\u2066',
  '\ufeff',
  '\ud83d',
  '\ude00',
  '😀',
  'é',
  '%',
  '@',
  '.',
  '-',
  '_',
  '/',
  '0',
  '9',
);

/** Pieces that look like log syntax, so random strings reach the deep branches of the parsers, not just their first check. */
export const logFragment = fc.constantFrom(
  '[2026-11-26T12:00:00.000Z] ',
  '2026-11-26 12:00:00,123 ',
  '12:00:00.123 ',
  '[ERROR] ',
  'ERROR ',
  'WARN ',
  'INFO ',
  'fail: ',
  'crit: ',
  '<11>',
  '<191>',
  '<999>',
  '<34>1 ',
  'Nov 26 12:00:00 ',
  'host app[123]: ',
  ' | {"code":"MISSING_PRICE"}',
  ' | {"a":',
  '{"level":"error","msg":"x"}',
  '{"level":50,',
  '"err":{"type":"TypeError","stack":"TypeError: x\\n    at f (a.js:1:2)"}',
  'level=error msg="x" ',
  'Level=Error Message="',
  '[x@1 a="b\\"c"] ',
  '\n    at com.acme.Foo.bar(Foo.java:42)',
  '\n    at Object.<anonymous> (/app/index.js:10:5)',
  '\n  File "/app/x.py", line 3, in main',
  '\nTraceback (most recent call last):',
  '\nCaused by: java.io.IOException: boom',
  '\n ---> System.Exception: inner',
  '\nValueError: bad',
  'java.lang.NullPointerException: ',
  'Traceback',
  '__proto__',
  '"__proto__":{"polluted":1}',
  'constructor',
  'MISSING_PRICE',
  'PAYMENT_TIMEOUT',
  'sl1:0123456789ab:1k ',
  '4111 1111 1111 1111',
  'ann@example.com',
  'https://x.example/a?b=1',
  '0x7f',
  '550e8400-e29b-41d4-a716-446655440000',
);

/** Any text: random code units, full Unicode, tricky characters and log-shaped fragments mixed. */
export const hostileText = (maxLength = 400): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.string({ maxLength }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength }) },
    { weight: 2, arbitrary: fc.string({ unit: utf16Char, maxLength }) },
    { weight: 2, arbitrary: fc.string({ unit: trickyChar, maxLength: Math.ceil(maxLength / 2) }) },
    {
      weight: 4,
      arbitrary: fc
        .array(fc.oneof(logFragment, fc.string({ maxLength: 12 }), trickyChar), { maxLength: Math.max(1, Math.ceil(maxLength / 12)) })
        .map((parts) => parts.join('')),
    },
  );

/** Any JSON value, depth bounded: what a JSON log line or an API body can carry. */
export const anyJson = fc.jsonValue({ maxDepth: 4 });

// ── The variable parts of a message ───────────────────────────────────────────────────────────────────────────────

const hexString = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: min, maxLength: max });

export const intValue = fc.integer({ min: -1_000_000_000, max: 2_000_000_000 }).map(String);
export const floatValue = fc.tuple(fc.integer({ min: 0, max: 99_999 }), fc.integer({ min: 0, max: 9999 })).map(([a, b]) => `${a}.${b}`);
export const uuidValue = fc.uuid();
export const isoValue = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
export const hexValue = hexString(4, 12).map((hex) => `0x${hex}`);
export const ipValue = fc.ipV4();
/** An id with a letter prefix and digits: ORD-1234, txn_98a7. */
export const prefixedIdValue = fc
  .tuple(fc.constantFrom('ORD', 'TXN', 'ord', 'cust', 'SKU'), fc.constantFrom('-', '_'), fc.integer({ min: 1, max: 99_999_999 }))
  .map(([prefix, joiner, n]) => `${prefix}${joiner}${n}`);
export const durationValue = fc.tuple(fc.integer({ min: 1, max: 99_999 }), fc.constantFrom('ms', 's', 'min')).map(([n, unit]) => `${n}${unit}`);

/** Kinds of variable value; grouping must not care which value of a kind a message carries. */
export const VARIABLE_KINDS = {
  int: intValue,
  float: floatValue,
  uuid: uuidValue,
  iso: isoValue,
  hex: hexValue,
  ip: ipValue,
  prefixedId: prefixedIdValue,
  duration: durationValue,
} as const;
export type VariableKind = keyof typeof VARIABLE_KINDS;

/** A word that stays as it is in a template: letters only, starting outside a-f so it never reads as hex. */
export const plainWord = fc.stringMatching(/^[g-zG-Z][a-zA-Z]{0,9}$/);
