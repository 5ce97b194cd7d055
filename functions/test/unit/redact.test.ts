import { describe, expect, it } from '@jest/globals';
import { luhnValid, redact, redactText, truncatePan } from '../../src/domain/redact.js';

/** Appends the Luhn check digit, for brand ranges without a well-known public test number. */
function withCheckDigit(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(`${body}${d}`)) return `${body}${d}`;
  throw new Error('unreachable');
}

// Public test card numbers published by the schemes and payment processors (never real accounts).
const TEST_PANS: ReadonlyArray<readonly [brand: string, pan: string]> = [
  ['Visa 16', '4111111111111111'],
  ['Visa 16 (Stripe)', '4242424242424242'],
  ['Visa 13', '4222222222222'],
  ['Visa 19', '4000000000000000006'],
  ['Mastercard 5-series', '5555555555554444'],
  ['Mastercard 5-series', '5105105105105100'],
  ['Mastercard 2-series', '2223003122003222'],
  ['Amex', '378282246310005'],
  ['Amex', '371449635398431'],
  ['Discover', '6011111111111117'],
  ['Discover', '6011000990139424'],
  ['Discover 65', withCheckDigit('651000000000000')],
  ['Maestro', '6759649826438453'],
  ['JCB', '3530111333300000'],
  ['JCB', '3566002020360505'],
  ['Diners 36', '36227206271667'],
  ['Diners 30', '30569309025904'],
  ['UnionPay 16', '6200000000000005'],
  ['UnionPay 19', '6205500000000000004'],
];

/** The ways a card number is printed: plain, in groups of four with spaces or dashes, Amex 4-6-5. */
function printedForms(pan: string): string[] {
  const groupsOf4 = pan.replace(/(\d{4})(?=\d)/g, '$1 ');
  const dashed = pan.replace(/(\d{4})(?=\d)/g, '$1-');
  const forms = [pan, groupsOf4, dashed];
  if (pan.length === 15) forms.push(`${pan.slice(0, 4)} ${pan.slice(4, 10)} ${pan.slice(10)}`);
  return forms;
}

/** The places a card number turns up in POS logs. */
const CONTEXTS: ReadonlyArray<(printed: string) => string> = [
  (p) => p,
  (p) => `card=${p}`,
  (p) => `{"pan":"${p}","amount":12.5}`,
  (p) => `PAN:${p};`,
  (p) => `charged card ${p} for order ORD-20261126-000123`,
  (p) => `(${p})`,
  (p) => `pan=${p}&exp=1227`,
  (p) => `[2026-11-26T12:00:00.000Z] [ERROR] Declined ${p} | {"storeId":"store-001"}`,
];

describe('luhnValid', () => {
  it('accepts the public test PANs and rejects a one-digit change', () => {
    for (const [, pan] of TEST_PANS) {
      expect(luhnValid(pan)).toBe(true);
      const last = Number(pan.at(-1));
      expect(luhnValid(pan.slice(0, -1) + String((last + 1) % 10))).toBe(false);
    }
  });
});

describe('redactText: card numbers', () => {
  it.each(TEST_PANS)('leaves no %s number readable in any shape', (_brand, pan) => {
    expect(luhnValid(pan)).toBe(true);
    for (const printed of printedForms(pan)) {
      for (const context of CONTEXTS) {
        const { text, counts } = redactText(context(printed));
        expect(text).toBe(context(truncatePan(pan)));
        expect(counts.pan).toBe(1);
      }
    }
  });

  it('truncates to the first six and last four digits', () => {
    expect(redactText('card 4111 1111 1111 1111 approved').text).toBe('card 411111******1111 approved');
    expect(redactText('amex 3782-822463-10005.').text).toBe('amex 378282*****0005.');
  });

  it('finds several card numbers in one line', () => {
    const { text, counts } = redactText('first 4111111111111111 then 5555-5555-5555-4444 and 378282246310005');
    expect(counts.pan).toBe(3);
    expect(text).toBe('first 411111******1111 then 555555******4444 and 378282*****0005');
  });

  it('keeps a 3-digit number after the card that does not complete a longer card number', () => {
    expect(redactText('card 4111 1111 1111 1111 123').text).toBe('card 411111******1111 123');
  });
});

describe('redactText: numbers that are not card numbers', () => {
  it.each([
    ['order ids', 'order ORD-20261126-000123 for customer C-00012345'],
    ['ISO timestamps', 'at 2026-11-26T12:00:00.123Z and 2026-11-26 12:00:00'],
    ['epoch milliseconds', 'ts=1732622400123 next=1732622400130'],
    ['amounts', 'total 1234567.89 USD, tip 12.50, tax 1,234.56'],
    ['a non-Luhn 16-digit run', 'ref 4111111111111112'],
    ['a Luhn-valid run with no card prefix', 'ref 1234567890128 and 9999999999999995'],
    ['a 20-digit run', 'trace 41111111111111111111'],
    ['UPC barcodes', 'barcode 012345678905 scanned'],
    ['phone-like groups', 'call 555-123-4567 or +44 20 7946 0958'],
    ['UUIDs', 'request 550e8400-e29b-41d4-a716-446655440000'],
    ['already truncated PANs', 'card 411111******1111 and ****1111'],
  ])('keeps %s', (_what, line) => {
    const { text, counts } = redactText(line);
    expect(text).toBe(line);
    expect(counts).toEqual({ pan: 0, cvv: 0, track: 0, email: 0 });
  });
});

describe('redactText: security codes', () => {
  it.each([
    ['cvv=123', 'cvv=***'],
    ['CVV2: 1234', 'CVV2: ***'],
    ['{"cvc":"737","amount":100}', '{"cvc":"***","amount":100}'],
    ['security code 999 entered', 'security code *** entered'],
    ['cardCvv=456', 'cardCvv=***'],
    ["'cid': '4321'", "'cid': '***'"],
  ])('masks %s', (line, expected) => {
    const result = redactText(line);
    expect(result.text).toBe(expected);
    expect(result.counts.cvv).toBe(1);
  });

  it('does not take a number after an unrelated word ending in the same letters for a code', () => {
    expect(redactText('acid 123 and cvv 12345').text).toBe('acid 123 and cvv 12345');
  });
});

describe('redactText: track data', () => {
  it('replaces a whole track 1 including the discretionary data', () => {
    const line = 'swipe %B4111111111111111^DOE/JOHN^27121010000000000000000?';
    const { text, counts } = redactText(line);
    expect(text).toBe('swipe <track-data>');
    expect(counts.track).toBe(1);
  });

  it('replaces a whole track 2, with or without sentinels', () => {
    expect(redactText('t2 ;4111111111111111=27121010000012345678? ok').text).toBe('t2 <track-data> ok');
    expect(redactText('t2 4111111111111111=2712101000001234 ok').text).toBe('t2 <track-data> ok');
  });

  it('keeps an id=value pair whose left side is not a card number', () => {
    const line = 'ids 123456789012345=20261126';
    expect(redactText(line).text).toBe(line);
  });
});

describe('redactText: e-mail addresses', () => {
  it('masks addresses and keeps surrounding punctuation', () => {
    const { text, counts } = redactText('receipt to ann.lee+pos@example.co.uk. CC <bob@shop.example.com>');
    expect(text).toBe('receipt to <email>. CC <<email>>');
    expect(counts.email).toBe(2);
  });

  it('keeps things that only look a little like addresses', () => {
    for (const line of ['user@localhost', 'price @ 2.99', 'a@b', '@handle', 'x@y.1']) expect(redactText(line).text).toBe(line);
  });
});

describe('redactText: odd input', () => {
  it('returns empty text for empty input and ignores non-strings', () => {
    expect(redactText('')).toEqual({ text: '', counts: { pan: 0, cvv: 0, track: 0, email: 0 } });
    expect(redactText(undefined as unknown as string).text).toBe('');
  });

  it('processes a 1 MB line of digits, separators and @ signs correctly', () => {
    const unit = `order ${'9'.repeat(40)} 4111 1111 1111 1111 a@@b.c ${'7 '.repeat(20)}x `;
    const line = unit.repeat(Math.ceil(1_000_000 / unit.length));
    const { text, counts } = redactText(line);
    const repeats = Math.ceil(1_000_000 / unit.length);
    expect(counts.pan).toBe(repeats);
    expect(text).not.toContain('4111 1111 1111 1111');
    expect(text).toContain('9'.repeat(40));
  });

  it('has a plain string form for the kiosk agent', () => {
    expect(redact('card 4111111111111111')).toBe('card 411111******1111');
  });
});
