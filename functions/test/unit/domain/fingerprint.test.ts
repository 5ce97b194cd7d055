import { describe, expect, it } from '@jest/globals';
import { analyzeRecord } from '../../../src/domain/analyze.js';
import { KNOWN_CODES } from '../../../src/domain/catalog.js';
import { createHash } from 'node:crypto';
import { foldPlaceholders, hashFingerprint, maskMessage } from '../../../src/domain/fingerprint.js';
import { fixture } from './fixtures.js';

const pos = (level: string, message: string, details?: Record<string, unknown>, ts = '2026-11-26T12:00:00.000Z'): string =>
  `[${ts}] [${level}] ${message}${details ? ` | ${JSON.stringify(details)}` : ''}`;

const fp = (text: string): string => analyzeRecord(text).fingerprint;

describe('maskMessage', () => {
  const cases: Array<[string, string]> = [
    ['Product 999 has no price', 'Product <int> has no price'],
    ['Receipt email to ann.lee+pos@example.com bounced', 'Receipt email to <email> bounced'],
    ['GET https://api.pay.example/v1/charges/ch_1?retry=2 failed', 'GET <url> failed'],
    ['peer 10.0.0.1:443 or fe80::1ff:fe23:4567:890a or ::1', 'peer <ip> or <ip> or <ip>'],
    ['request 123e4567-e89b-12d3-a456-426614174000 replayed', 'request <uuid> replayed'],
    ['blob 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b at 0x7ffe1234', 'blob <hex> at <hex>'],
    ['since 2026-11-26T12:00:00.123Z or 2026-11-26 12:00:00,123 or 26/11/2026 or 08:30', 'since <ts> or <ts> or <ts> or <ts>'],
    ['took 1500ms, then 2.5s', 'took <duration>, then <duration>'],
    ['charged $12.34 or 12.34 EUR or EUR 7.00 or 9,99€', 'charged <amount> or <amount> or <amount> or <amount>'],
    ['txn TXN_aedacc and req-fbadec0 but not point-of-sale', 'txn <id> and <id> but not point-of-sale'],
    ['settled TXN-CBBEFCCB and TXN-842FBF1A, not CARD_DECLINED_NSF', 'settled <id> and <id>, not CARD_DECLINED_NSF'],
    ['order ORD-20261126-000123 txn TXN_9f8e7d at store-042 on kiosk-07', 'order <id> txn <id> at <id> on <id>'],
    ['user="Ann Lee" role=\'admin\' count=5', 'user="<*>" role="<*>" count=<int>'],
    ['open /var/spool/pos/receipt-1.pdf and C:\\pos\\data\\x.db', 'open <path> and <path>'],
    ['Items 1, 2, 3 out of stock', 'Items <int> out of stock'],
    ['peers 10.0.0.1, 10.0.0.2, 10.0.0.3 down', 'peers <ip> down'],
    ['ids 12, 3f9, 7.5 rejected', 'ids <int> rejected'],
    ['order #1231 at 12% load, ratio 0.75', 'order #<int> at <int>% load, ratio <float>'],
    ['{"sku":"A-1","qty":3}', '{"sku":"<*>","qty":<int>}'],
    ['  lots   of\tspace\n here ', 'lots of space here'],
    ['encode utf8 via sha256 over http2', 'encode utf8 via sha256 over http2'],
    ['pid bead, vid 736d, paper feed added', 'pid <hex>, vid <id>, paper feed added'],
  ];
  it.each(cases)('masks %j', (input, expected) => {
    expect(maskMessage(input)).toBe(expected);
  });

  it('reads only the first 8 KiB', () => {
    expect(maskMessage(`${'a '.repeat(4096)}tail`).includes('tail')).toBe(false);
  });
});

describe('fingerprint shape', () => {
  it('is 16 lowercase hex characters of sha256(code \\n template [\\n frames])', () => {
    const record = analyzeRecord(fixture('pos-missing-price.log'));
    expect(record.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(record.fingerprint).toBe(hashFingerprint('MISSING_PRICE', 'Product <int> has no price'));
  });

  it('folds the placeholders one value can render as (<int>, <float>, <hex>, <id>) before hashing', () => {
    expect(foldPlaceholders('pid <int> vid <hex> sku <id> ratio <float> at <ts> for <amount>')).toBe('pid <*> vid <*> sku <*> ratio <*> at <ts> for <amount>');
    const expected = createHash('sha256').update('X_CODE\nchecksum <*> vs <*>\nf1\nf2').digest('hex').slice(0, 16);
    expect(hashFingerprint('X_CODE', 'checksum <int> vs <hex>', ['f1', 'f2'])).toBe(expected);
  });

  it('hashes the exception template with the top three frames only', () => {
    const record = analyzeRecord(fixture('logback-caused-by.log'));
    const frames = record.exception?.frames ?? [];
    expect(record.template).toBe('java.sql.SQLTimeoutException: Query timed out after <int> ms on connection <int>');
    expect(record.fingerprint).toBe(hashFingerprint(record.code, record.template, frames.slice(0, 3)));
    expect(record.fingerprint).toBe(hashFingerprint(record.code, record.template, [...frames.slice(0, 3), 'anything.else']));
  });

  it('keeps the template free of the code', () => {
    expect(analyzeRecord(fixture('pos-missing-price.log')).template).toBe('Product <int> has no price');
  });
});

// Pairs that are the same problem: variable parts differ, so must the fingerprint not.
const SAME: Array<[string, string, string]> = [
  ['POS: different product, order, store, kiosk and time',
    pos('ERROR', 'Product 999 has no price', { code: 'MISSING_PRICE', orderId: 'ORD-20261126-000123', storeId: 'store-001', kioskId: 'kiosk-01', productId: '999' }),
    pos('ERROR', 'Product 12 has no price', { code: 'MISSING_PRICE', orderId: 'ORD-20261127-999999', storeId: 'store-042', kioskId: 'kiosk-11', productId: '12' }, '2026-12-01T08:30:00.999Z')],
  ['POS: ERROR and FATAL of the same code', pos('ERROR', 'Gateway timeout', { code: 'PAYMENT_TIMEOUT' }), pos('FATAL', 'Gateway timeout', { code: 'PAYMENT_TIMEOUT' })],
  ['POS: code given as errorType or as code', pos('ERROR', 'Jam', { errorType: 'PRINTER_JAM' }), pos('ERROR', 'Jam', { code: 'PRINTER_JAM' })],
  ['amounts with and without thousands separators', pos('ERROR', 'Payment of $12.34 declined'), pos('ERROR', 'Payment of $1,234.56 declined')],
  ['amounts in currency codes', pos('ERROR', 'Refund of 12.34 EUR failed'), pos('ERROR', 'Refund of 7 USD failed')],
  ['durations', pos('ERROR', 'Gateway answered after 1500ms'), pos('ERROR', 'Gateway answered after 2.5s')],
  ['kiosk names in the message', pos('ERROR', 'Terminal kiosk-07 went offline'), pos('ERROR', 'Terminal kiosk-12 went offline')],
  ['store names in the message', pos('ERROR', 'Price file for store-001 is stale'), pos('ERROR', 'Price file for store-042 is stale')],
  ['order ids', pos('ERROR', 'Order ORD-20261126-000123 stuck'), pos('ERROR', 'Order ORD-20261231-999999 stuck')],
  ['transaction ids', pos('ERROR', 'Txn TXN_9f8e7d not settled'), pos('ERROR', 'Txn TXN_0a1b2c not settled')],
  ['uuids', pos('ERROR', 'Session 123e4567-e89b-12d3-a456-426614174000 expired'), pos('ERROR', 'Session 9b2f0c4e-1111-4abc-8def-0123456789ab expired')],
  ['emails', pos('ERROR', 'Receipt to ann@example.com bounced'), pos('ERROR', 'Receipt to bob.smith@shop.co.uk bounced')],
  ['IPv4 with ports', 'ERROR connection refused by 10.0.0.1:5432', 'ERROR connection refused by 192.168.10.77:6543'],
  ['IPv6', pos('ERROR', 'No route to fe80::1ff:fe23:4567:890a'), pos('ERROR', 'No route to 2001:db8::8a2e:370:7334')],
  ['URLs', pos('ERROR', 'POST https://psp.example/v1/charges/ch_1?x=1 failed'), pos('ERROR', 'POST https://psp.example/v1/charges/ch_99?x=2 failed')],
  ['timestamps inside the message', pos('ERROR', 'Batch from 2026-11-26T12:00:00Z rejected'), pos('ERROR', 'Batch from 2025-01-01 08:30:15 rejected')],
  ['hex values', pos('ERROR', 'EMV status 0x6A82 on read'), pos('ERROR', 'EMV status 0x9000 on read')],
  ['hashes', pos('ERROR', 'Config checksum 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b mismatch'), pos('ERROR', 'Config checksum e3b0c44298fc1c149afbf4c8996fb92427ae41e4 mismatch')],
  ['quoted values after =', pos('ERROR', 'Login failed user="Ann Lee"'), pos('ERROR', 'Login failed user="Bob"')],
  ['file paths', pos('ERROR', 'Cannot write /var/spool/pos/receipt-1.pdf'), pos('ERROR', 'Cannot write /var/spool/pos/receipt-2.pdf')],
  ['lists of numbers', pos('ERROR', 'Items 1, 2, 3 out of stock'), pos('ERROR', 'Items 4, 5 out of stock')],
  ['percentages', pos('ERROR', 'Disk at 91% on /data'), pos('ERROR', 'Disk at 99% on /data')],
  ['version numbers', pos('ERROR', 'Version mismatch: terminal 2.3.1, server 2.4.0'), pos('ERROR', 'Version mismatch: terminal 3.0.0, server 3.1.2')],
  ['whitespace', pos('ERROR', 'Scale  not   calibrated'), pos('ERROR', 'Scale not calibrated')],
  ['logback: same root cause behind different wrappers, threads and line numbers',
    fixture('logback-caused-by.log'),
    fixture('logback-caused-by.log')
      .replace('B-20261126-0042 for customer Ann Lee', 'B-20261127-0001 for customer Bob')
      .replace('http-nio-8080-exec-7', 'http-nio-8080-exec-2')
      .replace(/\.java:\d+/g, '.java:1')
      .replace('30000 ms on connection 17', '5000 ms on connection 3')],
  ['logback: JVM-generated proxy and lambda names',
    fixture('logback-caused-by.log'),
    fixture('logback-caused-by.log').replace('GeneratedMethodAccessor112', 'GeneratedMethodAccessor7').replace('$$Lambda$1432/0x0000000801a4c7d8', '$$Lambda$88/0x00000008000a1000').replace('4f1e2a7b', '00ff00aa')],
  ['python: different wrapper message and line numbers',
    fixture('python-traceback.log'),
    fixture('python-traceback.log').replace('ORD-20261126-000123', 'ORD-1').replace(/line \d+/g, 'line 1').replace('12:00:00,123', '13:14:15,999')],
  ['python: variable quoted host inside the exception message',
    "ERROR x\nTraceback (most recent call last):\n  File \"/a.py\", line 1, in f\nrequests.exceptions.ConnectionError: HTTPSConnectionPool(host='psp-1.example', port=443): Max retries exceeded",
    "ERROR y\nTraceback (most recent call last):\n  File \"/a.py\", line 2, in f\nrequests.exceptions.ConnectionError: HTTPSConnectionPool(host='psp-2.example', port=8443): Max retries exceeded"],
  ['pino: different request, host, pid, time and stack positions',
    fixture('pino-err.log'),
    fixture('pino-err.log').replace('"pid":4312', '"pid":9').replace('req-8812', 'req-1').replace('1795694400123', '1795780800000').replace(/10\.0\.4\.12:8443/g, '10.0.9.1:8443').replace('1555:16', '1:1').replace(/kiosk-07/g, 'kiosk-02')],
  ['winston: different timestamps and emails', fixture('winston.log'), fixture('winston.log').replace('ann@example.com', 'z@x.io').replace('12:00:00.123', '18:00:00.000')],
  ['syslog 3164: different hosts, pids, devices and times',
    fixture('syslog3164.log'), '<11>Dec  1 08:00:01 kiosk-11 posd[99]: scanner on /dev/ttyUSB3 not responding after 120ms'],
  ['syslog 5424: different structured data', fixture('syslog5424.log'), fixture('syslog5424.log').replace('store-001', 'store-099').replace('2 failed', '1 failed').replace('ID47', 'ID9')],
  ['.NET: different request ids and source lines', fixture('dotnet-console.log'), fixture('dotnet-console.log').replace('88123', '1').replace(/line \d+/g, 'line 9')],
  ['Node: different columns and install paths in frames',
    'ERROR boom\nTypeError: x is not a function\n    at run (/app/dist/a.js:10:5)\n    at async main (/app/dist/b.js:3:1)',
    'ERROR boom\nTypeError: x is not a function\n    at run (/var/task/dist/a.js:11:9)\n    at async main (/var/task/dist/b.js:4:2)'],
  ['hex values that happen to be all digits or all letters',
    pos('ERROR', 'USB device blocked (vid 0951 pid 0394, checksum 25066487)'), pos('ERROR', 'USB device blocked (vid 13fe pid bead, checksum c90b60d3)')],
  ['integral and fractional quantities', pos('ERROR', 'Scale reading 12 exceeds tare'), pos('ERROR', 'Scale reading 12.75 exceeds tare')],
  ['python: migration file names with revision numbers in the frames',
    'ERROR x\nTraceback (most recent call last):\n  File "/opt/db/versions/0054_add_tier.py", line 21, in upgrade\nProgrammingError: column exists',
    'ERROR x\nTraceback (most recent call last):\n  File "/opt/db/versions/0061_add_tier.py", line 21, in upgrade\nProgrammingError: column exists'],
  ['Node: bundle file names with build hashes in anonymous frames',
    'ERROR x\nTypeError: boom\n    at /app/static/main.3f2a1b9c.js:1:2000',
    'ERROR x\nTypeError: boom\n    at /app/static/main.77e0aa01.js:1:1999'],
  ['ANSI colours', '\x1b[31mERROR\x1b[0m drawer jammed', 'ERROR drawer jammed'],
  ['CRLF and LF line ends', 'ERROR boom\r\njava.lang.IllegalStateException: bad\r\n\tat com.acme.A.b(A.java:1)', 'ERROR boom\njava.lang.IllegalStateException: bad\n\tat com.acme.A.b(A.java:2)'],
];

// Pairs that are different problems.
const DIFFERENT: Array<[string, string, string]> = [
  ['different known codes, same text', pos('ERROR', 'Lookup failed', { code: 'PRICE_NOT_FOUND' }), pos('ERROR', 'Lookup failed', { code: 'BARCODE_NOT_FOUND' })],
  ['same code, different message', pos('ERROR', 'Scanner not responding', { code: 'SCANNER_ERROR' }), pos('ERROR', 'Scanner lens dirty', { code: 'SCANNER_ERROR' })],
  ['different unknown explicit codes', pos('ERROR', 'Gateway said no', { code: 'GATEWAY_DOWN' }), pos('ERROR', 'Gateway said no', { code: 'GATEWAY_SLOW' })],
  ['different exception types, same message',
    'ERROR x\njava.sql.SQLTimeoutException: query failed\n\tat com.acme.Repo.find(Repo.java:1)',
    'ERROR x\njava.sql.SQLSyntaxErrorException: query failed\n\tat com.acme.Repo.find(Repo.java:1)'],
  ['same exception type, different message',
    'ERROR x\njava.net.SocketException: Connection reset\n\tat com.acme.Gw.call(Gw.java:1)',
    'ERROR x\njava.net.SocketException: Broken pipe\n\tat com.acme.Gw.call(Gw.java:1)'],
  ['same exception, different call sites',
    'ERROR x\njava.lang.NullPointerException\n\tat com.acme.Basket.add(Basket.java:1)',
    'ERROR x\njava.lang.NullPointerException\n\tat com.acme.Refund.issue(Refund.java:1)'],
  ['same wrapper, different root causes',
    'ERROR x\njava.lang.RuntimeException: failed\n\tat com.acme.A.b(A.java:1)\nCaused by: java.sql.SQLTimeoutException: timed out\n\tat c.D.e(D.java:1)',
    'ERROR x\njava.lang.RuntimeException: failed\n\tat com.acme.A.b(A.java:1)\nCaused by: java.net.SocketTimeoutException: timed out\n\tat c.D.e(D.java:1)'],
  ['python KeyError vs ValueError',
    'ERROR x\nTraceback (most recent call last):\n  File "/a.py", line 1, in f\nKeyError: \'sku\'',
    'ERROR x\nTraceback (most recent call last):\n  File "/a.py", line 1, in f\nValueError: \'sku\''],
  ['python chained: different final exceptions',
    fixture('python-chained.log'),
    fixture('python-chained.log').replace('psycopg2.OperationalError: could not connect to server: Connection refused', 'psycopg2.InterfaceError: connection already closed')],
  ['Node: reading different properties',
    "ERROR x\nTypeError: Cannot read properties of undefined (reading 'price')\n    at f (/a.js:1:1)",
    "ERROR x\nTypeError: Cannot read properties of undefined (reading 'qty')\n    at f (/a.js:1:1)"],
  ['pino: different error types', fixture('pino-err.log'), fixture('pino-err.log').replace('"type":"Error"', '"type":"AbortError"').replace('Error: connect', 'AbortError: connect')],
  ['.NET: TimeoutException vs TaskCanceledException', fixture('dotnet-console.log'), fixture('dotnet-console.log').replace('System.TimeoutException', 'System.Threading.Tasks.TaskCanceledException')],
  ['keyword codes: connection refused vs connection reset', 'ERROR connection refused by 10.0.0.1:80', 'ERROR connection reset by 10.0.0.1:80'],
  ['error vs informational record of the same text', pos('ERROR', 'Printer offline'), pos('INFO', 'Printer offline')],
  ['different keys before the same value', pos('ERROR', 'Bad value orderId=17'), pos('ERROR', 'Bad value storeId=17')],
  ['open vs close', pos('ERROR', 'Drawer failed to open'), pos('ERROR', 'Drawer failed to close')],
  ['different devices', '<11>Nov 26 12:00:00 k posd[1]: scanner not responding', '<11>Nov 26 12:00:00 k posd[1]: printer not responding'],
  ['different HTTP methods on the same path', pos('ERROR', 'GET /api/orders/17 returned 500'), pos('ERROR', 'POST /api/orders/17 returned 500')],
  ['different known codes as message tokens', pos('ERROR', 'Gateway answered PAYMENT_TIMEOUT'), pos('ERROR', 'Gateway answered DUPLICATE_CHARGE')],
  ['structlog events', '{"event":"payment declined","level":"error"}', '{"event":"payment voided","level":"error"}'],
  ['placeholder kinds: an amount vs a count', pos('ERROR', 'Refund $12.50 rejected'), pos('ERROR', 'Refund 12 rejected')],
  ['warnings with different meaning', pos('WARN', 'Payment slow'), pos('WARN', 'Payment declined')],
];

describe('grouping', () => {
  it(`has at least 30 same-problem pairs and 20 different-problem pairs`, () => {
    expect(SAME.length).toBeGreaterThanOrEqual(30);
    expect(DIFFERENT.length).toBeGreaterThanOrEqual(20);
  });

  it.each(SAME)('groups %s', (_name, a, b) => {
    expect(a).not.toBe(b);
    expect(fp(a)).toBe(fp(b));
  });

  it.each(DIFFERENT)('separates %s', (_name, a, b) => {
    expect(fp(a)).not.toBe(fp(b));
  });
});

describe('grouping properties over generated values', () => {
  // Deterministic generator so a failure is reproducible.
  let seed = 42;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const int = (max: number): number => Math.floor(next() * max);
  const hex = (length: number): string => Array.from({ length }, () => '0123456789abcdef'[int(16)]).join('');

  it('ignores ids, amounts, timestamps, stores and kiosks for every known code', () => {
    for (const code of KNOWN_CODES.keys()) {
      const fingerprints = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const ts = new Date(Date.UTC(2026, int(12), 1 + int(28), int(24), int(60), int(60), int(1000))).toISOString();
        const store = `store-${String(1 + int(999)).padStart(3, '0')}`;
        const kiosk = `kiosk-${String(1 + int(99)).padStart(2, '0')}`;
        const order = `ORD-2026${String(1 + int(12)).padStart(2, '0')}${String(1 + int(28)).padStart(2, '0')}-${String(int(1e6)).padStart(6, '0')}`;
        const message = `Order ${order} failed at ${kiosk} for $${(int(100000) / 100).toFixed(2)} after ${int(60000)}ms (txn TXN_${hex(6)}, session ${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)})`;
        fingerprints.add(fp(pos(['ERROR', 'WARN', 'FATAL'][int(3)]!, message, { code, orderId: order, storeId: store, kioskId: kiosk, amount: int(1000) }, ts)));
      }
      expect({ code, groups: fingerprints.size }).toEqual({ code, groups: 1 });
    }
  });

  it('gives every known code its own group for the same message', () => {
    const fingerprints = new Set([...KNOWN_CODES.keys()].map((code) => fp(pos('ERROR', 'Something failed', { code }))));
    expect(fingerprints.size).toBe(KNOWN_CODES.size);
  });

  it('keeps distinct messages apart even when values vary', () => {
    const templates = ['Drawer failed to open on lane', 'Scale reported negative weight on lane', 'Printer cover open on lane', 'PIN pad rebooted on lane'];
    const groups = templates.map((template) => new Set(Array.from({ length: 10 }, () => fp(pos('ERROR', `${template} ${int(30)} at 10.0.${int(255)}.${int(255)}`)))));
    expect(groups.map((group) => group.size)).toEqual([1, 1, 1, 1]);
    expect(new Set(groups.map((group) => [...group][0])).size).toBe(templates.length);
  });
});
