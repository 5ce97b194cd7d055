// Property-based tests of classification (classify.ts): whatever a record holds, the answer is a catalogue severity
// and category and a code that fits where codes go (UPPER_SNAKE, at most 64 characters, the API's `code` filter), and
// the documented order of authority holds: a known code in the details decides, a level decides without one.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CATEGORIES, KNOWN_CODES, SEVERITIES } from '../../../src/domain/catalog.js';
import { classify, codeFromTypeName, NO_CODE, UNCLASSIFIED_ERROR, type ClassifyInput } from '../../../src/domain/classify.js';
import { isErrorLevel, LEVELS, levelRank } from '../../../src/domain/levels.js';
import { hostileText } from './arbitraries.js';

/** What the API accepts as an incident code filter (GET /api/incidents?code=): every code must be findable with it. */
const API_CODE = /^[A-Z0-9_]{1,64}$/;

const knownCodeArb = fc.constantFrom(...KNOWN_CODES.keys());
// Random case alone rarely yields many words; names built from short capitalised words reach long UPPER_SNAKE codes.
const camelIdentifier = fc.oneof(
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,80}$/),
  fc.array(fc.stringMatching(/^[A-Z][a-z0-9]{0,5}$/), { minLength: 1, maxLength: 24 }).map((words) => words.join('')),
);
const typeNameArb = fc.oneof(
  camelIdentifier,
  fc
    .tuple(fc.array(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), { maxLength: 4 }), camelIdentifier, fc.constantFrom('.', '$', '+', ':'))
    .map(([pkg, simple, joiner]) => [...pkg, simple].join(joiner)),
  fc.constantFrom('Error', 'TypeError', 'java.sql.SQLTimeoutException', 'System.Net.WebException', 'HTTPError', 'panic', 'ERR_X', 'x'),
  hostileText(40),
);
const codeValueArb = fc.oneof(
  knownCodeArb,
  knownCodeArb.map((code) => code.toLowerCase()),
  fc.stringMatching(/^[A-Z][A-Z0-9]{0,6}(?:_[A-Z0-9]{1,6}){0,8}$/),
  camelIdentifier,
  hostileText(80),
);

const fieldsArb: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    code: codeValueArb,
    errorCode: codeValueArb,
    errorType: codeValueArb,
    err: fc.oneof(fc.record({ code: codeValueArb }), hostileText(40)),
    error: fc.oneof(fc.record({ code: codeValueArb, message: hostileText(40) }), hostileText(40)),
    storeId: fc.string(),
    other: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: [] },
);

const inputArb: fc.Arbitrary<ClassifyInput> = fc.record(
  {
    level: fc.constantFrom(...LEVELS),
    message: hostileText(300),
    fields: fieldsArb,
    exception: fc.record({ type: typeNameArb, message: hostileText(120), frames: fc.array(fc.string({ maxLength: 30 }), { maxLength: 5 }) }),
    logger: fc.string({ maxLength: 40 }),
    errorText: hostileText(120),
    hasStack: fc.boolean(),
  },
  { requiredKeys: ['message', 'fields'] },
);

describe('Property: classify', () => {
  it('never throws and answers a catalogue severity and category and an API-findable code consistent with isError', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = classify(input);
        expect(SEVERITIES).toContain(result.severity);
        expect(CATEGORIES).toContain(result.category);
        expect(result.code).toMatch(API_CODE);
        if (result.isError) expect(result.code).not.toBe(NO_CODE);
        else expect(result.code).not.toBe(UNCLASSIFIED_ERROR);
        // A record that is not an error is never rated above its level's medium.
        if (!result.isError) expect(['low', 'medium']).toContain(result.severity);
        expect(classify(input)).toEqual(result);
      }),
      { numRuns: 4_000 },
    );
  });

  it('lets a known code in the details decide code, severity and category whatever the level and message', () => {
    fc.assert(
      fc.property(inputArb, knownCodeArb, fc.constantFrom('code', 'errorCode', 'error_code'), fc.boolean(), (input, code, key, lower) => {
        const fields: Record<string, unknown> = { [key]: lower ? code.toLowerCase() : code };
        const result = classify({ ...input, fields });
        const known = KNOWN_CODES.get(code);
        expect(result).toEqual({ isError: true, code, severity: known?.severity, category: known?.category });
      }),
      { numRuns: 2_000 },
    );
  });

  it('makes every record at ERROR or above an error, and none below WARN without a code in its details', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        if (input.level === undefined) return;
        const withoutCodes = { ...input, fields: { storeId: 'S1', note: input.message } };
        const result = classify(withoutCodes);
        if (isErrorLevel(input.level)) expect(result.isError).toBe(true);
        if (levelRank(input.level) < levelRank('WARN')) {
          expect(result.isError).toBe(false);
          expect(result.severity).toBe('low');
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('Property: codeFromTypeName', () => {
  it('answers undefined or an UPPER_SNAKE code of at most 64 characters for any type name', () => {
    fc.assert(
      fc.property(typeNameArb, (type) => {
        const code = codeFromTypeName(type);
        if (code !== undefined) expect(code).toMatch(API_CODE);
      }),
      { numRuns: 4_000 },
    );
  });

  it('splits CamelCase words into UPPER_SNAKE and ignores the package or namespace', () => {
    const word = fc.stringMatching(/^[A-Z][a-z]{1,8}$/);
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 5 }),
        fc.array(fc.stringMatching(/^[a-z]{1,6}$/), { maxLength: 3 }),
        fc.constantFrom('.', '$', '+'),
        (words, pkg, joiner) => {
          const simple = words.join('');
          const expected = words.map((w) => w.toUpperCase()).join('_');
          expect(codeFromTypeName(simple)).toBe(expected);
          expect(codeFromTypeName([...pkg, simple].join(joiner))).toBe(expected);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
