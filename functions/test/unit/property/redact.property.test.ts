// Property-based tests of the domain redactor (redact.ts) beyond those the kiosk agent runs through createRedactor
// (pos-agent/test/unit/agent/property.test.ts: never throws, no card number left, PAN counts, idempotence, clean text
// untouched, megabyte lines). Here: the Luhn and truncation primitives against a model, e-mail, CVV and track data
// masking, the counts, and a bound on the output size.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  CVV_PLACEHOLDER,
  EMAIL_PLACEHOLDER,
  luhnValid,
  redact,
  redactInto,
  redactText,
  TRACK_PLACEHOLDER,
  truncatePan,
  type RedactionCounts,
} from '../../../src/domain/redact.js';
import { anyJson, hostileText } from './arbitraries.js';

/** Luhn written the textbook way, as the model to compare against. */
function luhnModel(digits: string): boolean {
  const reversed = [...digits].reverse().map(Number);
  const sum = reversed.reduce((total, digit, i) => total + (i % 2 === 1 ? (digit * 2 > 9 ? digit * 2 - 9 : digit * 2) : digit), 0);
  return sum % 10 === 0;
}

const digitString = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));

/** A Luhn-valid Visa/Mastercard-style number of 13-19 digits. */
const panArb = fc
  .tuple(fc.constantFrom('4', '51', '55', '2221', '34', '6011'), fc.integer({ min: 13, max: 19 }), digitString(18, 18))
  .map(([prefix, length, digits]) => {
    const body = (prefix + digits).slice(0, length - 1);
    for (let check = 0; check <= 9; check++) if (luhnModel(`${body}${check}`)) return `${body}${check}`;
    throw new Error('unreachable: one check digit always completes a Luhn-valid number');
  });

/** Prose around the sensitive values: letters and punctuation, no digits and no '@', so it cannot hold anything itself. */
const prose = fc.array(fc.stringMatching(/^[A-Za-z]{1,9}$/), { maxLength: 6 }).map((words) => words.join(' '));

const emailArb = fc
  .tuple(
    fc.stringMatching(/^[a-z][a-z0-9._+-]{0,10}[a-z]$/).filter((local) => !local.includes('..')),
    fc.array(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/), { minLength: 1, maxLength: 3 }),
    fc.stringMatching(/^[a-z]{2,6}$/),
  )
  .map(([local, labels, tld]) => `${local}@${labels.join('.')}.${tld}`);

const zeroCounts = (): RedactionCounts => ({ pan: 0, cvv: 0, track: 0, email: 0 });

describe('Property: luhnValid and truncatePan', () => {
  it('agrees with the textbook Luhn check on any digit string', () => {
    fc.assert(
      fc.property(digitString(0, 25), (digits) => {
        expect(luhnValid(digits)).toBe(luhnModel(digits));
      }),
      { numRuns: 5_000 },
    );
  });

  it('detects every single-digit change to a valid card number', () => {
    fc.assert(
      fc.property(panArb, fc.nat(), fc.integer({ min: 1, max: 9 }), (pan, at, delta) => {
        const i = at % pan.length;
        const changed = `${pan.slice(0, i)}${(Number(pan[i]) + delta) % 10}${pan.slice(i + 1)}`;
        expect(luhnValid(pan)).toBe(true);
        expect(luhnValid(changed)).toBe(false);
      }),
      { numRuns: 3_000 },
    );
  });

  it('keeps exactly the first six and last four digits, at the same length, and the result is no card number', () => {
    fc.assert(
      fc.property(panArb, (pan) => {
        const truncated = truncatePan(pan);
        expect(truncated).toHaveLength(pan.length);
        expect(truncated.slice(0, 6)).toBe(pan.slice(0, 6));
        expect(truncated.slice(-4)).toBe(pan.slice(-4));
        expect(truncated.slice(6, -4)).toMatch(/^\*+$/);
        expect(redact(truncated)).toBe(truncated);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('Property: what redactText masks', () => {
  it('replaces every e-mail address in prose by the placeholder and counts each one', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(prose, emailArb), { minLength: 1, maxLength: 5 }), prose, fc.constantFrom(' ', ', ', ' <', ' ('), (parts, tail, glue) => {
        const text = parts.map(([words, email]) => `${words}${glue}${email}`).join(' ') + ` ${tail}`;
        const { text: out, counts } = redactText(text);
        expect(counts.email).toBe(parts.length);
        for (const [, email] of parts) expect(out).not.toContain(email);
        expect(out.split(EMAIL_PLACEHOLDER)).toHaveLength(parts.length + 1);
      }),
      { numRuns: 2_000 },
    );
  });

  it('masks a CVV next to its keyword in every spelling and separator, keeping the keyword', () => {
    const keyword = fc.constantFrom(
      'cvv',
      'CVV',
      'cvv2',
      'cvc',
      'CVC2',
      'cvn',
      'card_cvv',
      'cardCvv',
      'security code',
      'securityCode',
      'cvvCode',
      'verification value',
    );
    const separator = fc.constantFrom(': ', '=', ' ', '":"', '": "', '\\":\\"', ' => ', '%3D', '%22%3A%22');
    fc.assert(
      fc.property(prose, keyword, separator, digitString(3, 4), prose, (before, key, sep, value, after) => {
        const { text, counts } = redactText(`${before} ${key}${sep}${value} ${after}`);
        expect(text).toBe(`${before} ${key}${sep}${CVV_PLACEHOLDER} ${after}`);
        expect(counts.cvv).toBe(1);
      }),
      { numRuns: 2_000 },
    );
  });

  it('replaces magnetic-stripe track 1 and track 2 data whole', () => {
    const name = fc.stringMatching(/^[A-Z]{1,10}\/[A-Z]{1,10}$/);
    fc.assert(
      fc.property(
        prose,
        panArb,
        name,
        digitString(4, 4),
        digitString(3, 3),
        digitString(0, 20),
        prose,
        fc.boolean(),
        (before, pan, holder, expiry, service, discretionary, after, track1) => {
          const track = track1 ? `%B${pan}^${holder}^${expiry}${service}${discretionary}?` : `;${pan}=${expiry}${service}${discretionary}?`;
          const { text, counts } = redactText(`${before} ${track} ${after}`);
          expect(text).toBe(`${before} ${TRACK_PLACEHOLDER} ${after}`);
          expect(counts.track).toBe(1);
          expect(text).not.toContain(pan);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe('Property: redaction output and counts', () => {
  it('never makes a text longer than one character per e-mail address replaced', () => {
    const sensitive = fc.oneof(
      panArb,
      emailArb,
      panArb.map((pan) => pan.replace(/(\d{4})(?=\d)/g, '$1 ')),
      digitString(3, 4).map((v) => `cvv=${v}`),
    );
    const textArb = fc.oneof(
      hostileText(300),
      fc.array(fc.oneof(sensitive, prose, hostileText(20)), { maxLength: 12 }).map((parts) => parts.join(' ')),
    );
    fc.assert(
      fc.property(textArb, (text) => {
        const { text: out, counts } = redactText(text);
        expect(out.length).toBeLessThanOrEqual(text.length + counts.email);
        expect(out).toBe(redact(text));
      }),
      { numRuns: 4_000 },
    );
  });

  it('adds up counts across calls into one accumulator exactly as separate calls count them', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            hostileText(100),
            panArb.map((pan) => `paid ${pan} by ann@shop.example.com cvv 123`),
          ),
          { maxLength: 8 },
        ),
        (texts) => {
          const total = zeroCounts();
          const outputs = texts.map((text) => redactInto(text, total));
          const separate = texts.map((text) => redactText(text));
          expect(outputs).toEqual(separate.map((result) => result.text));
          const summed = separate.reduce(
            (sum, { counts }) => ({ pan: sum.pan + counts.pan, cvv: sum.cvv + counts.cvv, track: sum.track + counts.track, email: sum.email + counts.email }),
            zeroCounts(),
          );
          expect(total).toEqual(summed);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('answers an empty string, and counts nothing, for a value that is not a string', () => {
    fc.assert(
      fc.property(
        anyJson.filter((value) => typeof value !== 'string'),
        (value) => {
          const counts = zeroCounts();
          expect(redactInto(value as unknown as string, counts)).toBe('');
          expect(counts).toEqual(zeroCounts());
        },
      ),
      { numRuns: 500 },
    );
  });
});
