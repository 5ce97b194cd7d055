import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CloudWatchLogsClient, PutLogEventsCommand, type PutLogEventsCommandInput } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { luhnValid, truncatePan } from '../../../../functions/src/domain/redact.js';
import { PosAgent } from '../../../src/agent/agent.js';
import { AgentConfigError } from '../../../src/agent/errors.js';
import { createRedactor, CUSTOM_PLACEHOLDER } from '../../../src/agent/redaction.js';
import { makeTempDir, waitFor } from './helpers.js';

/** Appends the Luhn check digit, for brand ranges without a well-known public test number. */
function withCheckDigit(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(`${body}${d}`)) return `${body}${d}`;
  throw new Error('unreachable');
}

// Public test card numbers published by the schemes and payment processors (never real accounts), plus check-digit
// completions for the issuer ranges that have no published one.
const TEST_PANS: ReadonlyArray<readonly [brand: string, pan: string]> = [
  ['Visa 16', '4111111111111111'],
  ['Visa 16', '4242424242424242'],
  ['Visa 16', '4012888888881881'],
  ['Visa 16 debit', '4000056655665556'],
  ['Visa 13', '4222222222222'],
  ['Visa 19', '4000000000000000006'],
  ['Mastercard 51', '5105105105105100'],
  ['Mastercard 52', '5200828282828210'],
  ['Mastercard 53', withCheckDigit('530000000000000')],
  ['Mastercard 54', '5454545454545454'],
  ['Mastercard 55', '5555555555554444'],
  ['Mastercard 2221', withCheckDigit('222100000000000')],
  ['Mastercard 2223', '2223003122003222'],
  ['Mastercard 2720', '2720992720992729'],
  ['Amex 37', '378282246310005'],
  ['Amex 37', '371449635398431'],
  ['Amex 34', withCheckDigit('34000000000000')],
  ['Discover 6011', '6011111111111117'],
  ['Discover 6011', '6011000990139424'],
  ['Discover 644', withCheckDigit('644000000000000')],
  ['Discover 645', withCheckDigit('645564456445644')],
  ['Discover 646', withCheckDigit('646000000000000')],
  ['Discover 647', withCheckDigit('647000000000000')],
  ['Discover 648', withCheckDigit('648000000000000')],
  ['Discover 649', withCheckDigit('649000000000000')],
  ['Discover 65', withCheckDigit('650000000000000')],
  ['JCB', '3530111333300000'],
  ['JCB', '3566002020360505'],
  ['JCB', '3566111111111113'],
  ['Diners 300', withCheckDigit('3000000000000')],
  ['Diners 301', withCheckDigit('3010000000000')],
  ['Diners 302', withCheckDigit('3020000000000')],
  ['Diners 303', withCheckDigit('3030000000000')],
  ['Diners 304', withCheckDigit('3040000000000')],
  ['Diners 305', '30569309025904'],
  ['Diners 36', '36227206271667'],
  ['Diners 38', '38520000023237'],
  ['Diners 16', '3056930009020004'],
  ['UnionPay 16', '6200000000000005'],
  ['UnionPay 16', '6250941006528599'],
  ['UnionPay 19', '6205500000000000004'],
  ['Maestro 16', '6759649826438453'],
  ['Maestro 19', '6799990100000000019'],
  ['Maestro 50', withCheckDigit('501800000000000')],
];

/** The ways a card number is printed: plain, grouped by four with spaces, dashes or URL encoding; Amex 4-6-5; Diners 4-6-4. */
function printedForms(pan: string): string[] {
  const byFour = (joiner: string) => pan.replace(/(\d{4})(?=\d)/g, `$1${joiner}`);
  const forms = [pan, byFour(' '), byFour('-'), byFour('+'), byFour('%20')];
  if (pan.length === 15 || pan.length === 14)
    forms.push(`${pan.slice(0, 4)} ${pan.slice(4, 10)} ${pan.slice(10)}`, `${pan.slice(0, 4)}-${pan.slice(4, 10)}-${pan.slice(10)}`);
  return forms;
}

/** The places a card number turns up in POS logs. */
const CONTEXTS: ReadonlyArray<readonly [where: string, (printed: string) => string]> = [
  ['alone', (p) => p],
  ['at line start', (p) => `${p} declined by issuer`],
  ['at line end', (p) => `declined by issuer: ${p}`],
  ['key=value', (p) => `card=${p} exp=12/27`],
  ['snake key=value', (p) => `card_number=${p};store=store-001`],
  ['JSON string', (p) => `{"card":"${p}","amount":12.5}`],
  ['JSON number', (p) => `{"pan":${p},"amount":12.5}`],
  ['escaped JSON', (p) => `{"detail":"{\\"pan\\":\\"${p}\\"}"}`],
  ['URL query', (p) => `GET /v1/pay?pan=${p}&amount=12.50 HTTP/1.1`],
  ['URL query end', (p) => `https://psp.example.com/charge?order=ORD-20261126-000123&card=${p}`],
  ['URL-encoded space before', (p) => `/pay?card=%20${p}&cvv=***`],
  ['letters around', (p) => `card${p}x`],
  ['underscores around', (p) => `__${p}__`],
  ['parentheses', (p) => `(${p})`],
  ['brackets', (p) => `[${p}]`],
  ['angle brackets', (p) => `<${p}>`],
  ['single quotes', (p) => `pan='${p}'`],
  ['tabs', (p) => `card\t${p}\tdeclined`],
  ['sentence', (p) => `Customer paid with ${p}, then left.`],
  [
    'POS log line',
    (p) =>
      `[2026-11-26T10:00:00.000Z] [ERROR] PAYMENT_DECLINED Payment of $12.50 declined for order ORD-20261126-000123 | {"pan":"${p}","storeId":"store-001","kioskId":"kiosk-03"}`,
  ],
];

const digitsOnly = (text: string): string => text.replace(/\D/g, '');

describe('Function: createRedactor', () => {
  describe('card numbers', () => {
    it('has a valid Luhn check digit on every corpus number (a typo would make the corpus test vacuous)', () => {
      for (const [, pan] of TEST_PANS) expect(luhnValid(pan)).toBe(true);
    });

    it.each(TEST_PANS)('keeps only the first six and last four digits of %s %s in every shape and place', (_brand, pan) => {
      // Prepare
      const redact = createRedactor();
      for (const printed of printedForms(pan)) {
        for (const [, context] of CONTEXTS) {
          const line = context(printed);
          // Act
          const { text, counts } = redact(line);
          // Assess
          expect(text).toBe(context(truncatePan(pan)));
          expect(text).not.toContain(pan);
          expect(text).not.toContain(printed);
          expect(digitsOnly(text)).not.toContain(pan);
          expect(counts).toEqual({ pan: 1 });
        }
      }
    });

    it('counts every card number of a line and leaves the text between them alone', () => {
      const redact = createRedactor();
      const line = `first ${TEST_PANS.map(([, pan]) => pan).join(' and ')} last`;
      const { text, counts } = redact(line);
      expect(text).toBe(`first ${TEST_PANS.map(([, pan]) => truncatePan(pan)).join(' and ')} last`);
      expect(counts).toEqual({ pan: TEST_PANS.length });
    });

    it('masks a card number whose groups continue a date or another number as part of one truncated span', () => {
      // Prepare: the card's groups join their neighbours', so spans across both are card-like candidates too.
      const redact = createRedactor();
      const byFour = (pan: string, joiner: string) => pan.replace(/(\d{4})(?=\d)/g, `$1${joiner}`);
      for (const [, pan] of TEST_PANS) {
        for (const printed of [pan, byFour(pan, ' '), byFour(pan, '-')]) {
          for (const line of [
            `on 2026-11-26 ${printed} ok`,
            `qty 12 ${printed} ok`,
            `card ${printed}-1227 ok`,
            `card ${printed} 123 ok`,
            `ids 55-66-${printed} ok`,
          ]) {
            // Act
            const { text, counts } = redact(line);
            // Assess: one span that covers the whole printed card was replaced by its first six and last four digits.
            const stars = /(\d{6})\*+(\d{4})/.exec(text);
            expect(stars).not.toBeNull();
            const before = text.slice(0, stars?.index);
            const after = text.slice((stars?.index ?? 0) + (stars?.[0].length ?? 0));
            expect(line.startsWith(before) && line.endsWith(after)).toBe(true);
            const replaced = line.slice(before.length, line.length - after.length);
            expect(replaced).toContain(printed);
            expect(digitsOnly(replaced)).toBe(`${stars?.[1]}${digitsOnly(replaced).slice(6, -4)}${stars?.[2]}`);
            expect(counts).toEqual({ pan: 1 });
          }
        }
      }
    });
  });

  describe('numbers that are not card numbers', () => {
    it.each([
      ['order ids', 'Order ORD-20261126-000123 for customer C-00012345 completed'],
      ['epoch milliseconds', 'ts=1732622400123 next=1732622400130 {"time":1764151200000}'],
      ['ISO timestamps', '[2026-11-26T10:00:00.000Z] at 2026-11-26 12:00:00,123 and 2026-11-26T12:00:00+01:00'],
      ['amounts', 'total $1234567.89, tip 12.50, tax 1,234.56, refund -4111.11'],
      ['a non-Luhn 16-digit run', 'ref 4111111111111112 and 5555-5555-5555-4445'],
      ['Luhn-valid runs without a card prefix', 'trace 1234567890128 and 9999999999999995 and 7000000000000006'],
      ['a Luhn-valid card inside a longer digit run', 'trace 41111111111111111111 and 0004111111111111111'],
      ['phone-like numbers', 'call +1 (555) 123-4567 or +44 20 7946 0958 or 0800-123-4567'],
      ['UUIDs', 'request 550e8400-e29b-41d4-a716-446655440000 trace 4bf92f3577b34da6a3ce929d0e0e4736'],
      // All-digit segments that join into Luhn-valid, card-prefixed runs (6396700718150018, 453652054258074).
      ['UUIDs with all-digit segments', '{"requestId":"63967007-1815-0018-b2c1-cb76f965ea7f","other":"4d8ad748-fd45-3652-0542-58074be9a5dc"}'],
      ['IPs and ports', 'connect 10.12.250.4:8443 from 192.168.100.200 via [2001:db8::1]:443'],
      ['product ids and barcodes', 'sku=00012345 product 4711 ean 4006381333931 upc 012345678905 qty=3'],
      ['already truncated card numbers', 'card 411111******1111 and ****1111 and 378282*****0005'],
      ['a three-digit value not next to a security-code keyword', 'code=737 status 123 acid 456'],
      [
        'a POS log line without card data',
        '[2026-11-26T10:00:00.000Z] [ERROR] PAYMENT_DECLINED Payment of $12.50 declined for order ORD-20261126-000123 | {"code":"PAYMENT_DECLINED","orderId":"ORD-20261126-000123","storeId":"store-001","amount":12.5,"attempt":3}',
      ],
    ])('keeps %s byte-identical', (_what, line) => {
      const { text, counts } = createRedactor()(line);
      expect(text).toBe(line);
      expect(counts).toBeUndefined();
    });
  });

  describe('security codes, track data and e-mail addresses', () => {
    it.each([
      ['cvv=123', 'cvv=***'],
      ['cvc2=123', 'cvc2=***'],
      ['{"cvv":"123","amount":100}', '{"cvv":"***","amount":100}'],
      ['{\\"cvc\\":\\"737\\"}', '{\\"cvc\\":\\"***\\"}'],
      ['/pay?card=411111******1111&cvv=123&exp=1227', '/pay?card=411111******1111&cvv=***&exp=1227'],
      ['card_cvv: 4321', 'card_cvv: ***'],
      ['cvvCode=999', 'cvvCode=***'],
      ['CVV2/CVC2: 456', 'CVV2/CVC2: ***'],
      [':cvv => "123"', ':cvv => "***"'],
      ['cvv%3D123', 'cvv%3D***'],
    ])('masks %s', (line, expected) => {
      const { text, counts } = createRedactor()(line);
      expect(text).toBe(expected);
      expect(counts).toEqual({ cvv: 1 });
    });

    it('masks a security code next to a card number and the card number too', () => {
      const { text, counts } = createRedactor()('card 4111 1111 1111 1111 cvv 123 exp 12/27');
      expect(text).toBe('card 411111******1111 cvv *** exp 12/27');
      expect(counts).toEqual({ pan: 1, cvv: 1 });
    });

    it('treats a spaced card number after a security-code keyword as a card number', () => {
      const { text, counts } = createRedactor()('cvv: 4111 1111 1111 1111');
      expect(text).toBe('cvv: 411111******1111');
      expect(counts).toEqual({ pan: 1 });
    });

    it('masks a security code that is followed by a card number', () => {
      const { text, counts } = createRedactor()('cvv 123 4111111111111111');
      expect(text).toBe('cvv *** 411111******1111');
      expect(counts).toEqual({ pan: 1, cvv: 1 });
    });

    it('replaces track data and e-mail addresses and counts them', () => {
      const { text, counts } = createRedactor()('swipe %B4111111111111111^DOE/JOHN^27121010000000000000000? receipt to ann.lee@example.com');
      expect(text).toBe('swipe <track-data> receipt to <email>');
      expect(counts).toEqual({ track: 1, email: 1 });
    });

    it('returns a line without digits or @ unchanged and without counts', () => {
      const line = 'Receipt printer paper low | {"storeId":"store-one"}';
      expect(createRedactor()(line)).toEqual({ text: line });
    });
  });

  describe('extra patterns', () => {
    it('masks every match of each extra pattern and counts them as custom', () => {
      // Prepare
      const redact = createRedactor({ extraPatterns: ['LOY-\\d{6}', 'token=[A-Za-z0-9]+'] });
      // Act
      const result = redact('member LOY-123456 and LOY-654321 paid, token=abcDEF123 card 4111111111111111');
      // Assess
      expect(result.text).toBe(`member ${CUSTOM_PLACEHOLDER} and ${CUSTOM_PLACEHOLDER} paid, ${CUSTOM_PLACEHOLDER} card 411111******1111`);
      expect(result.counts).toEqual({ pan: 1, custom: 3 });
    });

    it('is reusable across lines (no state carried over between calls)', () => {
      const redact = createRedactor({ extraPatterns: ['secret-\\w+'] });
      for (let i = 0; i < 3; i++) expect(redact(`x secret-${i} y`)).toEqual({ text: `x ${CUSTOM_PLACEHOLDER} y`, counts: { custom: 1 } });
    });

    it('ignores empty matches instead of inserting placeholders between characters', () => {
      const result = createRedactor({ extraPatterns: ['x*'] })('abxxc');
      expect(result).toEqual({ text: `ab${CUSTOM_PLACEHOLDER}c`, counts: { custom: 1 } });
    });

    it('finishes a pattern that would backtrack catastrophically on a long line', () => {
      // (a+)+$ against "aaa…a!" takes exponential time with a backtracking engine; the linear engine just finds no match.
      const line = `${'a'.repeat(100_000)}!`;
      const result = createRedactor({ extraPatterns: ['(a+)+$'] })(line);
      expect(result).toEqual({ text: line });
    });

    it.each([
      ['a backreference', '(\\w)\\1', /redactPatterns\[1\].*backtracking/],
      ['a lookahead', 'pan(?=\\d)', /redactPatterns\[1\].*backtracking/],
      ['an invalid pattern', '(unclosed', /redactPatterns\[1\].*not a valid regular expression/],
    ])('rejects %s with an AgentConfigError naming the pattern', (_what, pattern, message) => {
      const create = () => createRedactor({ extraPatterns: ['ok-\\d+', pattern] });
      expect(create).toThrow(AgentConfigError);
      expect(create).toThrow(message);
    });
  });
});

describe('Acceptance: card data never leaves the agent', () => {
  const cwl = mockClient(CloudWatchLogsClient);
  let dir: string;
  let cleanup: () => Promise<void>;
  let shipped: string[];
  let logs: string[];
  let agent: PosAgent | undefined;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    shipped = [];
    logs = [];
    cwl.reset();
    cwl.on(PutLogEventsCommand).callsFake((input: PutLogEventsCommandInput) => {
      shipped.push(...(input.logEvents ?? []).map((event) => event.message ?? ''));
      return {};
    });
  });

  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
    cwl.reset();
    await cleanup();
  });

  it('buffers, ships and logs the whole card corpus with every card number truncated (redaction is on by default)', async () => {
    // Prepare: every card in every shape and place, one per line, with a header so each line is its own record; the
    // endpoint refuses at first, so everything sits in the disk buffer before it is shipped.
    const file = join(dir, 'pos.log');
    const stateDir = join(dir, 'state');
    const lines: string[] = [];
    for (const [, pan] of TEST_PANS)
      for (const printed of printedForms(pan)) for (const [, context] of CONTEXTS) lines.push(`[2026-11-26T10:00:00.000Z] ${context(printed)}`);
    await writeFile(file, `${lines.join('\n')}\n`);
    let reachable = false;
    cwl.on(PutLogEventsCommand).callsFake((input: PutLogEventsCommandInput) => {
      if (!reachable) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      shipped.push(...(input.logEvents ?? []).map((event) => event.message ?? ''));
      return {};
    });
    agent = new PosAgent(
      {
        file,
        storeId: 'store-1',
        kioskId: 'kiosk-1',
        stateDir,
        fromBeginning: true,
        flushIntervalMs: 20,
        multilineFlushMs: 20,
        pollIntervalMs: 10,
        retryBaseMs: 5,
        retryCapMs: 20,
      },
      {
        client: new CloudWatchLogsClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
        log: (msg) => logs.push(msg),
      },
    );

    // Act
    await agent.start();
    const running = agent;
    await waitFor(() => running.stats().bufferedRecords === lines.length, 'every corpus line in the disk buffer');
    const buffered = await Promise.all(
      (await readdir(stateDir, { recursive: true })).map((name) => readFile(join(stateDir, name)).catch(() => Buffer.alloc(0))),
    );
    const bufferedText = buffered.map((bytes) => bytes.toString('utf8')).join('\n');
    reachable = true;
    await waitFor(() => shipped.length === lines.length, 'every corpus line shipped');

    // Assess
    const everything = [...shipped, ...logs, bufferedText];
    const leaked = TEST_PANS.filter(([, pan]) => everything.some((text) => text.includes(pan) || digitsOnly(text).includes(pan)));
    expect(bufferedText.length).toBeGreaterThan(0);
    expect(leaked).toEqual([]);
    expect(agent.stats().redactions).toEqual({ pan: lines.length });
  });
});
