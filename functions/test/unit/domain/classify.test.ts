import { describe, expect, it } from '@jest/globals';
import { analyzeRecord } from '../../../src/domain/analyze.js';
import { classify, codeFromTypeName } from '../../../src/domain/classify.js';
import { fixture } from './fixtures.js';

const pos = (level: string, message: string, details?: Record<string, unknown>): string =>
  `[2026-11-26T12:00:00.000Z] [${level}] ${message}${details ? ` | ${JSON.stringify(details)}` : ''}`;

describe('isError', () => {
  it('is true at ERROR and above and false below for records without a known code', () => {
    const results = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].map((level) => analyzeRecord(pos(level, 'Receipt printer offline')).isError);
    expect(results).toEqual([false, false, false, true, true]);
  });

  it('makes a WARN record with a known POS code in its details an error', () => {
    const record = analyzeRecord(pos('WARN', 'Email receipt could not be queued', { code: 'EMAIL_SERVICE_DOWN' }));
    expect(record).toMatchObject({ isError: true, code: 'EMAIL_SERVICE_DOWN', severity: 'low', category: 'integration' });
  });

  it('makes even an INFO record with a known code in its details an error', () => {
    expect(analyzeRecord(pos('INFO', 'Declined', { code: 'CARD_DECLINED_NSF' })).isError).toBe(true);
  });

  it('counts a known code mentioned in the message at WARN but not at INFO', () => {
    expect(analyzeRecord(pos('WARN', 'Gateway answered PAYMENT_TIMEOUT for order 12')).isError).toBe(true);
    const info = analyzeRecord(pos('INFO', 'Retry succeeded after PAYMENT_TIMEOUT'));
    expect(info.isError).toBe(false);
    expect(info.code).toBe('PAYMENT_TIMEOUT');
    expect(info.severity).toBe('low');
  });

  it('does not make an unknown explicit code an error by itself', () => {
    expect(analyzeRecord(pos('INFO', 'Cache refreshed', { code: 'CACHE_REFRESHED' }))).toMatchObject({ isError: false, code: 'CACHE_REFRESHED' });
  });

  it('uses strong signals for records without a level', () => {
    const errors = [
      'Unhandled rejection in basket worker',
      'panic: runtime error: index out of range [3] with length 3',
      'java.lang.IllegalStateException: drawer already open',
      'error: could not open /dev/ttyUSB0',
      'FATAL cannot start printer service',
      'connection refused by 10.0.0.1:5432',
      'upload to s3 timed out',
      'write failed: No space left on device',
    ];
    const fine = ['cache warmed with 1200 entries', 'retry timeout set to 30s', '0 errors found during self-test', 'user opened the error report screen'];
    expect(errors.map((line) => analyzeRecord(line).isError)).toEqual(errors.map(() => true));
    expect(fine.map((line) => analyzeRecord(line).isError)).toEqual(fine.map(() => false));
  });

  it('treats a level-less record with a stack trace as an error', () => {
    expect(analyzeRecord('something happened\n    at run (/app/a.js:1:1)').isError).toBe(true);
  });
});

describe('severity', () => {
  it('takes the catalogue severity of a known code over the level', () => {
    expect(analyzeRecord(pos('ERROR', 'Tax table missing', { code: 'TAX_TABLE_MISSING' })).severity).toBe('critical');
    expect(analyzeRecord(pos('FATAL', 'Display flicker', { code: 'DISPLAY_ERROR' })).severity).toBe('low');
  });

  it('falls back to the level: FATAL/CRITICAL/EMERGENCY/ALERT critical, ERROR high, WARN medium, else low', () => {
    const bySyslog = [0, 1, 2, 3, 4, 5, 6, 7].map((sev) => analyzeRecord(`<${16 + sev}>Nov 26 12:00:00 h app: thing broke`).severity);
    expect(bySyslog).toEqual(['critical', 'critical', 'critical', 'high', 'medium', 'low', 'low', 'low']);
    expect(analyzeRecord(pos('FATAL', 'kernel gone')).severity).toBe('critical');
  });

  it('rates a level-less error high', () => {
    expect(analyzeRecord('Unhandled exception in worker').severity).toBe('high');
  });

  it('never gives a non-error a catalogue severity', () => {
    expect(analyzeRecord(pos('INFO', 'Retry succeeded after PAYMENT_TIMEOUT')).severity).toBe('low');
    expect(analyzeRecord(pos('DEBUG', 'Resolved DUPLICATE_CHARGE for order 1')).severity).toBe('low');
    expect(analyzeRecord(pos('WARN', 'Gateway slow, DNS lookup for api.pay.example could not resolve')).severity).toBe('medium');
  });
});

describe('code', () => {
  it('prefers a known code in the details (code or errorType)', () => {
    expect(analyzeRecord(pos('ERROR', 'x', { code: 'MISSING_PRICE' })).code).toBe('MISSING_PRICE');
    expect(analyzeRecord(pos('ERROR', 'x', { errorType: 'SCANNER_ERROR' })).code).toBe('SCANNER_ERROR');
    expect(analyzeRecord(pos('ERROR', 'x', { error_code: 'db_deadlock' })).code).toBe('DB_DEADLOCK');
  });

  it('finds a known code written as a token in the message', () => {
    expect(analyzeRecord(pos('ERROR', 'Checkout aborted: SCALE_CALIBRATION_ERR on lane 4')).code).toBe('SCALE_CALIBRATION_ERR');
  });

  it('prefers a known code over an unknown explicit one', () => {
    expect(analyzeRecord(pos('ERROR', 'PRINTER_JAM while printing', { code: 'HW_FAULT' })).code).toBe('PRINTER_JAM');
  });

  it('keeps an unknown UPPER_SNAKE code from the details, including err.code', () => {
    expect(analyzeRecord(pos('ERROR', 'gateway said no', { code: 'GATEWAY_REJECTED' })).code).toBe('GATEWAY_REJECTED');
    expect(analyzeRecord(fixture('pino-err.log')).code).toBe('ECONNREFUSED');
  });

  it('derives a code from the exception type', () => {
    expect(analyzeRecord(fixture('logback-caused-by.log')).code).toBe('SQL_TIMEOUT_EXCEPTION');
    expect(analyzeRecord(fixture('python-traceback.log')).code).toBe('CONNECTION_ERROR');
    expect(analyzeRecord(fixture('dotnet-console.log')).code).toBe('TIMEOUT_EXCEPTION');
  });

  it('prefers message keywords over a generic exception type', () => {
    const record = analyzeRecord('2026-11-26 12:00:00,000 - pos.fs - ERROR - save failed\nTraceback (most recent call last):\n  File "/srv/a.py", line 1, in save\nOSError: [Errno 28] No space left on device');
    expect(record.code).toBe('DISK_FULL');
    expect(record.category).toBe('performance');
  });

  it('derives codes from a keyword table for common failures', () => {
    const cases: Array<[string, string]> = [
      ['ERROR connection refused by 10.0.0.1:5432', 'CONNECTION_REFUSED'],
      ['ERROR read ECONNRESET', 'CONNECTION_RESET'],
      ['ERROR connect timed out after 5s', 'CONNECTION_TIMEOUT'],
      ['ERROR getaddrinfo ENOTFOUND api.pay.example', 'DNS_RESOLUTION_FAIL'],
      ['ERROR JavaScript heap out of memory', 'OUT_OF_MEMORY'],
      ['ERROR open /var/pos/x: permission denied', 'PERMISSION_DENIED'],
      ['ERROR write failed: no space left on device', 'DISK_FULL'],
      ['ERROR null pointer while reading basket', 'NULL_REFERENCE'],
      ['ERROR Deadlock found when trying to get lock', 'DB_DEADLOCK'],
      ['ERROR certificate has expired', 'SSL_CERT_EXPIRED'],
      ['ERROR 429 Too Many Requests from loyalty API', 'RATE_LIMIT_EXCEEDED'],
      ['ERROR upstream request timed out', 'TIMEOUT'],
      ['ERROR Segmentation fault (core dumped)', 'SEGFAULT'],
    ];
    expect(cases.map(([line]) => analyzeRecord(line).code)).toEqual(cases.map(([, code]) => code));
  });

  it('falls back to UNCLASSIFIED_ERROR for errors and NONE for the rest', () => {
    expect(analyzeRecord(pos('ERROR', 'Drawer failed to open')).code).toBe('UNCLASSIFIED_ERROR');
    expect(analyzeRecord(pos('INFO', 'Drawer opened')).code).toBe('NONE');
  });

  it('turns type names into UPPER_SNAKE codes', () => {
    expect(codeFromTypeName('java.sql.SQLTimeoutException')).toBe('SQL_TIMEOUT_EXCEPTION');
    expect(codeFromTypeName('ConnectionError')).toBe('CONNECTION_ERROR');
    expect(codeFromTypeName('TypeError')).toBe('TYPE_ERROR');
    expect(codeFromTypeName('java.io.IOException')).toBe('IO_EXCEPTION');
    expect(codeFromTypeName('com.acme.Checkout$PaymentDeclinedException')).toBe('PAYMENT_DECLINED_EXCEPTION');
    expect(codeFromTypeName('System.Net.Http.HttpRequestException')).toBe('HTTP_REQUEST_EXCEPTION');
    expect(codeFromTypeName('not a type!')).toBeUndefined();
  });
});

describe('category', () => {
  it('uses the catalogue category of a known code', () => {
    expect(analyzeRecord(pos('ERROR', 'printer says hello', { code: 'NEGATIVE_STOCK' })).category).toBe('inventory');
  });

  it('falls back to keyword heuristics, business areas first', () => {
    const cases: Array<[string, string]> = [
      ['ERROR Payment gateway connection reset', 'payment'],
      ['ERROR card reader returned 0x6A82', 'payment'],
      ['ERROR SQL error 1205 on orders table', 'database'],
      ['ERROR receipt printer offline', 'hardware'],
      ['ERROR cash drawer did not open', 'hardware'],
      ['ERROR DNS lookup for api.example failed', 'network'],
      ['ERROR TLS handshake failed with upstream', 'network'],
      ['ERROR invalid token for user 7', 'security'],
      ['ERROR CPU at 99% for 5 minutes', 'performance'],
      ['ERROR loyalty webhook returned 500', 'integration'],
      ['ERROR malformed record in import batch', 'data'],
      ['ERROR config file missing key', 'system'],
      ['ERROR something odd', 'application'],
    ];
    expect(cases.map(([line]) => analyzeRecord(line).category)).toEqual(cases.map(([, category]) => category));
  });

  it('reads the exception type and logger for the category', () => {
    expect(analyzeRecord(fixture('logback-caused-by.log')).category).toBe('database');
    expect(classify({ level: 'ERROR', message: 'failed', fields: {}, logger: 'pos.printer' }).category).toBe('hardware');
  });
});
