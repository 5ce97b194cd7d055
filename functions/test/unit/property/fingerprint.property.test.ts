// Property-based tests of grouping (fingerprint.ts): one problem seen with different numbers, ids, uuids, timestamps,
// addresses or durations gets one fingerprint; different codes or different wording get different ones; the masking
// is idempotent and its output bounded whatever the input.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { FINGERPRINT_FRAMES, fingerprintRecord, foldPlaceholders, hashFingerprint, maskMessage, MAX_TEMPLATE_INPUT } from '../../../src/domain/fingerprint.js';
import { hostileText, plainWord, VARIABLE_KINDS, type VariableKind } from './arbitraries.js';

type Slot = { readonly word: string } | { readonly kind: VariableKind };

const kindArb = fc.constantFrom(...(Object.keys(VARIABLE_KINDS) as VariableKind[]));
/** A message shape: fixed words with variable values in between, at least one of each. */
const shapeArb: fc.Arbitrary<Slot[]> = fc
  .array(
    fc.oneof(
      plainWord.map((word) => ({ word })),
      kindArb.map((kind) => ({ kind })),
    ),
    { minLength: 2, maxLength: 12 },
  )
  .filter((slots) => slots.some((slot) => 'word' in slot) && slots.some((slot) => 'kind' in slot));

/** One rendering of a shape: every variable slot filled with a fresh value of its kind. */
function render(shape: readonly Slot[]): fc.Arbitrary<string> {
  return fc.tuple(...shape.map((slot) => ('word' in slot ? fc.constant(slot.word) : VARIABLE_KINDS[slot.kind]))).map((parts) => parts.join(' '));
}

const codeArb = fc.stringMatching(/^[A-Z][A-Z0-9]{0,8}(?:_[A-Z0-9]{1,8}){0,4}$/);

describe('Property: fingerprintRecord groups what Sentry would group', () => {
  it('gives one fingerprint and one template to every rendering of a message with different variable values', () => {
    const twoRenderings = shapeArb.chain((shape) => fc.tuple(fc.constant(shape), render(shape), render(shape)));
    fc.assert(
      fc.property(codeArb, twoRenderings, (code, [, first, second]) => {
        const a = fingerprintRecord({ code, message: first });
        const b = fingerprintRecord({ code, message: second });
        expect(b.template).toBe(a.template);
        expect(b.fingerprint).toBe(a.fingerprint);
        expect(a.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      }),
      { numRuns: 3_000 },
    );
  });

  it('gives the same fingerprint when a number becomes a float, a hex value or a prefixed id at the same place', () => {
    const numericValue = fc.oneof(VARIABLE_KINDS.int, VARIABLE_KINDS.float, VARIABLE_KINDS.hex, VARIABLE_KINDS.prefixedId);
    // Beside a currency code a number is an amount and a hex value is not, on purpose (`SEK 0` vs `SEK 0x0000`).
    const notCurrency = plainWord.filter((word) => !/^(?:USD|EUR|GBP|CAD|AUD|NZD|JPY|CHF|SEK|NOK|DKK|PLN|CZK|HUF|MXN|BRL|INR|CNY|ZAR)$/.test(word));
    fc.assert(
      fc.property(codeArb, fc.array(notCurrency, { minLength: 1, maxLength: 6 }), fc.nat(6), numericValue, numericValue, (code, words, at, a, b) => {
        const withValue = (value: string) => [...words.slice(0, at), value, ...words.slice(at)].join(' ');
        expect(fingerprintRecord({ code, message: withValue(b) }).fingerprint).toBe(fingerprintRecord({ code, message: withValue(a) }).fingerprint);
      }),
      { numRuns: 1_000 },
    );
  });

  it('ignores how much whitespace separates the words', () => {
    const gap = fc.stringMatching(/^[ \t\n\r]{1,4}$/);
    fc.assert(
      fc.property(codeArb, fc.array(fc.tuple(fc.oneof(plainWord, VARIABLE_KINDS.int), gap), { minLength: 1, maxLength: 10 }), (code, parts) => {
        const spaced = parts.map(([word, space]) => word + space).join('');
        const single = parts.map(([word]) => word).join(' ');
        expect(fingerprintRecord({ code, message: spaced })).toEqual(fingerprintRecord({ code, message: single }));
      }),
      { numRuns: 1_000 },
    );
  });

  it('gives different fingerprints to different codes with the same message', () => {
    fc.assert(
      fc.property(codeArb, codeArb, hostileText(200), (codeA, codeB, message) => {
        fc.pre(codeA !== codeB);
        expect(fingerprintRecord({ code: codeA, message }).fingerprint).not.toBe(fingerprintRecord({ code: codeB, message }).fingerprint);
      }),
      { numRuns: 2_000 },
    );
  });

  it('gives different fingerprints to messages whose fixed words differ', () => {
    fc.assert(
      fc.property(codeArb, fc.array(plainWord, { minLength: 1, maxLength: 8 }), fc.array(plainWord, { minLength: 1, maxLength: 8 }), (code, wordsA, wordsB) => {
        fc.pre(wordsA.join(' ') !== wordsB.join(' '));
        expect(fingerprintRecord({ code, message: wordsA.join(' ') }).fingerprint).not.toBe(fingerprintRecord({ code, message: wordsB.join(' ') }).fingerprint);
      }),
      { numRuns: 2_000 },
    );
  });

  it('hashes an exception with its top frames only: frames past the third change nothing, the first three do', () => {
    const frame = fc.stringMatching(/^[a-z]{1,8}\.[A-Z][a-z]{1,8}\.[a-z]{1,8}$/);
    fc.assert(
      fc.property(
        codeArb,
        hostileText(100),
        fc.array(frame, { minLength: FINGERPRINT_FRAMES, maxLength: 8 }),
        fc.array(frame, { maxLength: 5 }),
        frame,
        (code, message, frames, tail, other) => {
          const exception = { type: 'com.acme.PosException', message, frames };
          const base = fingerprintRecord({ code, message: 'ignored', exception }).fingerprint;
          const top = frames.slice(0, FINGERPRINT_FRAMES);
          expect(fingerprintRecord({ code, message: 'other', exception: { ...exception, frames: [...top, ...tail] } }).fingerprint).toBe(base);
          fc.pre(other !== frames[0]);
          expect(fingerprintRecord({ code, message, exception: { ...exception, frames: [other, ...frames.slice(1)] } }).fingerprint).not.toBe(base);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

/**
 * The longest template `length` input characters can give: the worst word is a two-character duration ("1m" becomes
 * "<duration>"), so n characters of "1m 1m …" become about 11n/3; a lone digit becomes "<int>".
 */
function maxTemplateLength(length: number): number {
  return 4 * length + 6;
}

describe('Property: maskMessage', () => {
  it('is idempotent: masking a template again changes nothing', () => {
    const realistic = shapeArb.chain(render);
    fc.assert(
      fc.property(fc.oneof(realistic, hostileText(300)), (message) => {
        const once = maskMessage(message);
        expect(maskMessage(once)).toBe(once);
      }),
      { numRuns: 4_000 },
    );
  });

  it('reads only the first MAX_TEMPLATE_INPUT characters and stays within four times that', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('1 ', '1m ', '1,', 'a@b.cd ', '0x1 ', 'x=1 ', ':"" ', '😀', '"', '://a '),
        fc.integer({ min: MAX_TEMPLATE_INPUT, max: 200_000 }),
        hostileText(50),
        (unit, size, tail) => {
          const message = unit.repeat(Math.ceil(size / unit.length)) + tail;
          const template = maskMessage(message);
          expect(template).toBe(maskMessage(message.slice(0, MAX_TEMPLATE_INPUT)));
          expect(template.length).toBeLessThanOrEqual(maxTemplateLength(MAX_TEMPLATE_INPUT));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('never throws, never leaves whitespace runs, and never grows a message more than fourfold', () => {
    fc.assert(
      fc.property(hostileText(500), (message) => {
        const template = maskMessage(message);
        expect(/\s{2,}/.test(template)).toBe(false);
        expect(template).toBe(template.trim());
        expect(template.length).toBeLessThanOrEqual(maxTemplateLength(Math.min(message.length, MAX_TEMPLATE_INPUT)));
      }),
      { numRuns: 4_000 },
    );
  });
});

describe('Property: foldPlaceholders and hashFingerprint', () => {
  it('folds idempotently and hashes to 16 lowercase hex characters', () => {
    fc.assert(
      fc.property(codeArb, hostileText(200), fc.array(fc.string({ maxLength: 20 }), { maxLength: 6 }), (code, template, frames) => {
        const folded = foldPlaceholders(template);
        expect(foldPlaceholders(folded)).toBe(folded);
        expect(hashFingerprint(code, template, frames)).toMatch(/^[0-9a-f]{16}$/);
        expect(hashFingerprint(code, folded, frames)).toBe(hashFingerprint(code, template, frames));
      }),
      { numRuns: 2_000 },
    );
  });
});
