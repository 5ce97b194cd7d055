// The secrets/PAN sweep passes only if its scanner can fail: planted card numbers and secrets, in every encoding the
// sweep claims to cover, must be found, and the numbers that fill ordinary output (epoch times, ids, UUIDs, hashes,
// floats, truncated PANs) must not be.

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { luhnValid } from '../../../../functions/src/domain/redact.js';
import { CAPTURED_DIR, META_DIR, registerSecret, SECRETS_FILE, STACKS_DUMPED_FILE, STACKS_STARTED_FILE } from '../../helpers/sweep.js';
import { findPans, findSecrets, maskedExcerpt, prepareSecrets, scanDirectory, scanText } from '../../sweep/scanner.js';
import { sweep } from '../../sweep/sweep-run.js';

const VISA = '4111111111111111';
const AMEX = '378282246310005';
const SECRET = 'a "quoted" pass/word+with spaces & more';

const secrets = prepareSecrets([{ bytes: Buffer.from(SECRET, 'utf8'), label: 'test secret' }]);
const panDigits = (text: string) => findPans(text).map((hit) => text.slice(hit.offset, hit.offset + hit.length).replace(/%20|\D/g, ''));

/** A Luhn-valid number of 13-19 digits with a card scheme's prefix. */
const panArb = fc
  .tuple(
    fc.constantFrom('4', '51', '55', '2221', '2720', '34', '37', '6011', '65', '3530', '36', '62'),
    fc.integer({ min: 13, max: 19 }),
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 18, maxLength: 18 }),
  )
  .map(([prefix, length, digits]) => {
    const body = (prefix + digits.join('')).slice(0, length - 1);
    for (let check = 0; check <= 9; check++) if (luhnValid(`${body}${check}`)) return `${body}${check}`;
    throw new Error('unreachable: one check digit always completes a Luhn-valid number');
  });

describe('Function: findPans', () => {
  it('finds a card number printed plain, in groups, form- or URL-encoded, in JSON, after an escape or an encoded "="', () => {
    // Prepare
    const printed = [
      VISA,
      '4111 1111 1111 1111',
      '4111-1111-1111-1111',
      '4111+1111+1111+1111',
      '4111%201111%201111%201111',
      `{"card":"${VISA}"}`,
      `line one\\n${VISA}`,
      `card%3D${VISA}`,
      `amount 100 ${VISA} ok`,
      AMEX,
    ];

    // Act
    const found = printed.map(panDigits);

    // Assess
    expect(found).toEqual([[VISA], [VISA], [VISA], [VISA], [VISA], [VISA], [VISA], [VISA], [VISA], [AMEX]]);
  });

  it('finds every Luhn-valid card number with an issuer prefix, whatever joins its groups and whatever surrounds it', () => {
    fc.assert(
      fc.property(
        panArb,
        fc.constantFrom('', ' ', '-', '+', '%20'),
        fc.integer({ min: 3, max: 6 }),
        fc.constantFrom('', ' ', '"', 'card=', '\\n', ': ', '(', '%3D'),
        fc.constantFrom('', ' ', '"', ',', ')', '\\n', '.'),
        (pan, joiner, group, before, after) => {
          const printed = joiner === '' ? pan : pan.replace(new RegExp(`(\\d{${group}})(?=\\d)`, 'g'), `$1${joiner}`);
          expect(panDigits(`x ${before}${printed}${after} y`)).toContain(pan);
        },
      ),
    );
  });

  it('does not flag epoch times, order ids, UUIDs, hex digests, floats, truncated card numbers or long digit runs', () => {
    // Prepare: every one of these holds a Luhn-valid run with a card prefix, or is a number of card length.
    const ordinary = [
      '1718000000000',
      '1718000000000123',
      'order ORD-20240115-000123 F-4111',
      '41111111-1111-1111-1111-111111111111',
      `sha256 ab${VISA}cd`,
      `score 0.${VISA}`,
      '411111******1111',
      `${VISA}0000000`,
      '2024-01-15 12:00:00.123',
    ];

    // Act
    const found = ordinary.flatMap((text) => findPans(text));

    // Assess
    expect(found).toEqual([]);
  });

  it('flags no epoch millisecond time and no UUID', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000_000_000_000, max: 1_999_999_999_999 }), fc.uuid(), (epochMs, uuid) => {
        expect(findPans(`{"at":${epochMs},"id":"${uuid}","ids":"${uuid} ${uuid}"}`)).toEqual([]);
      }),
    );
  });
});

describe('Function: findSecrets', () => {
  it('finds a secret raw, JSON-escaped, URL- and form-encoded, as hex, and as base64 or base64url at any offset', () => {
    // Prepare
    const bytes = Buffer.from(SECRET, 'utf8');
    const base64At = (lead: string) => Buffer.from(`${lead}${SECRET}`, 'utf8').toString('base64');
    const encodings = {
      raw: `password ${SECRET} rejected`,
      json: JSON.stringify({ password: SECRET }),
      url: `/login?p=${encodeURIComponent(SECRET)}`,
      form: new URLSearchParams({ p: SECRET }).toString(),
      hex: `key=${bytes.toString('hex')}`,
      base64: `Basic ${base64At('')}`,
      base64Lead1: `Basic ${base64At('x')}`,
      base64Lead2: `Basic ${base64At('ops@example.com:')}`,
      base64url: Buffer.from(`xy${SECRET}?>`, 'utf8').toString('base64url'),
    };

    // Act
    const found = Object.fromEntries(Object.entries(encodings).map(([name, text]) => [name, findSecrets(text, secrets).length > 0]));

    // Assess
    expect(found).toEqual(Object.fromEntries(Object.keys(encodings).map((name) => [name, true])));
  });

  it('does not find a secret that is not there, nor one that is one character short', () => {
    // Act
    const found = findSecrets(`password ${SECRET.slice(0, -1)}! ${Buffer.from(SECRET.slice(1)).toString('base64')}`, secrets);

    // Assess
    expect(found).toEqual([]);
  });

  it('refuses to register a secret too short to mean anything', () => {
    // Act / Assess
    expect(() => registerSecret('abc')).toThrow(/3 bytes would match ordinary text/);
  });
});

describe('Function: maskedExcerpt', () => {
  it('shows where a hit is without the secret or the whole card number', () => {
    // Prepare
    const text = `user ops said ${SECRET} and paid with ${VISA} today`;
    const hits = scanText(text, secrets);

    // Act
    const excerpts = hits.map((hit) => maskedExcerpt(text, hit, hits));

    // Assess
    expect(excerpts).toHaveLength(2);
    for (const excerpt of excerpts) {
      expect(excerpt).not.toContain(SECRET);
      expect(excerpt).not.toContain(VISA);
    }
    expect(excerpts.join(' ')).toContain('PAN 411111******1111');
    expect(excerpts.join(' ')).toContain('secret #1 (test secret) as raw');
  });
});

describe('Function: scanDirectory and sweep', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sweep-test-'));
    mkdirSync(path.join(dir, CAPTURED_DIR));
    mkdirSync(path.join(dir, META_DIR));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds a card number across the boundary of two read chunks exactly once', () => {
    // Prepare: the scanner reads 8 MiB chunks; the number straddles the first boundary.
    const boundary = 8 * 1024 * 1024;
    const content = Buffer.alloc(boundary + 1024, 'x');
    content.write(` ${VISA} `, boundary - 8, 'latin1');
    writeFileSync(path.join(dir, CAPTURED_DIR, 'big.log.1.txt'), content);

    // Act
    const scan = scanDirectory(path.join(dir, CAPTURED_DIR), []);

    // Assess
    expect(scan.hits.map((hit) => [hit.kind, hit.offset])).toEqual([['pan', boundary - 7]]);
  });

  it('fails on a planted secret, reports file and offset, and never scans the registered secrets themselves', () => {
    // Prepare
    writeFileSync(path.join(dir, META_DIR, SECRETS_FILE), `${Buffer.from(SECRET).toString('base64')}\tplanted\n`);
    writeFileSync(path.join(dir, META_DIR, STACKS_STARTED_FILE), 'one\n');
    writeFileSync(path.join(dir, META_DIR, STACKS_DUMPED_FILE), 'one\n');
    writeFileSync(path.join(dir, CAPTURED_DIR, 'a.test.ts.response.42.txt'), `### GET /x -> 200\n{"echo":${JSON.stringify(SECRET)}}\n`);

    // Act
    const report = sweep(dir);

    // Assess
    expect(report.summary).toMatch(/^sweep: 1 files, \d+ bytes scanned; 0 PANs, 1 secrets$/);
    expect(report.failures).toHaveLength(1);
    expect(report.details.join('\n')).toMatch(/secret #1 \(planted\) as json in a\.test\.ts\.response\.42\.txt at byte 27/);
    expect(report.details.join('\n')).not.toContain(SECRET);
  });

  it('fails when stacks were started but no table dump was captured, and passes clean output', () => {
    // Prepare
    writeFileSync(path.join(dir, META_DIR, STACKS_STARTED_FILE), 'one\n');
    writeFileSync(path.join(dir, CAPTURED_DIR, 'a.test.ts.log.1.txt'), 'agent: shipped 3 records at 1718000000000\n');
    const vacuous = sweep(dir);
    writeFileSync(path.join(dir, META_DIR, STACKS_DUMPED_FILE), 'one\n');

    // Act
    const clean = sweep(dir);

    // Assess
    expect(vacuous.failures).toEqual([expect.stringMatching(/no table dump was captured/)]);
    expect(clean.failures).toEqual([]);
    expect(clean.summary).toMatch(/; 0 PANs, 0 secrets$/);
  });
});
