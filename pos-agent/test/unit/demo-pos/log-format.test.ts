import { describe, expect, it } from '@jest/globals';
import { formatRecord, HEADER_PATTERN, parseRecords } from '../../../src/demo-pos/log-format.js';

const timestamp = new Date('2026-11-26T12:00:00.123Z');

describe('formatRecord', () => {
  it('writes the header as [timestamp] [LEVEL] message | {json} with a trailing newline', () => {
    const text = formatRecord({ timestamp, level: 'ERROR', message: 'Product 999 has no price', details: { code: 'MISSING_PRICE', productId: '999' } });
    expect(text).toBe('[2026-11-26T12:00:00.123Z] [ERROR] Product 999 has no price | {"code":"MISSING_PRICE","productId":"999"}\n');
  });

  it('omits the details part when there are no details', () => {
    expect(formatRecord({ timestamp, level: 'INFO', message: 'Till opened' })).toBe('[2026-11-26T12:00:00.123Z] [INFO] Till opened\n');
    expect(formatRecord({ timestamp, level: 'INFO', message: 'Till opened', details: {} })).toBe('[2026-11-26T12:00:00.123Z] [INFO] Till opened\n');
  });

  it('flattens newlines in the message and in detail strings so the header stays one line', () => {
    const text = formatRecord({ timestamp, level: 'WARN', message: 'first\nsecond\r\nthird', details: { note: 'a\nb' } });
    const lines = text.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('[2026-11-26T12:00:00.123Z] [WARN] first second third | {"note":"a\\nb"}');
  });

  it('keeps a message containing " | {" from being mistaken for the details separator', () => {
    const text = formatRecord({ timestamp, level: 'ERROR', message: 'bad payload | {"x":1}', details: { code: 'DATA_CORRUPTION' } });
    const [record] = parseRecords(text);
    expect(record?.details).toEqual({ code: 'DATA_CORRUPTION' });
    expect(record?.message).toBe('bad payload |{"x":1}');
  });

  it('writes stack lines after the header, indents any that start with [ and drops blank ones', () => {
    const text = formatRecord({
      timestamp,
      level: 'ERROR',
      message: 'boom',
      stack: ['java.lang.IllegalStateException: boom', '\tat com.acme.pos.A.b(A.java:1)', '', '[not a record]', '    at f (/x.js:1:2)'],
    });
    expect(text).toBe(
      '[2026-11-26T12:00:00.123Z] [ERROR] boom\njava.lang.IllegalStateException: boom\n\tat com.acme.pos.A.b(A.java:1)\n\t[not a record]\n    at f (/x.js:1:2)\n',
    );
  });

  it('serialises bigint details instead of throwing', () => {
    const text = formatRecord({ timestamp, level: 'INFO', message: 'big', details: { bytes: 12345678901234567890n } });
    expect(text).toContain('{"bytes":"12345678901234567890"}');
  });

  it('replaces details that cannot be serialised rather than throwing', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const text = formatRecord({ timestamp, level: 'INFO', message: 'cyclic', details: cyclic });
    expect(text).toBe('[2026-11-26T12:00:00.123Z] [INFO] cyclic | {"detailsError":"details could not be serialised"}\n');
  });

  it('produces headers that match the documented pattern', () => {
    for (const level of ['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const) {
      const header = formatRecord({ timestamp, level, message: 'x', details: { a: 1 } }).split('\n')[0] ?? '';
      expect(HEADER_PATTERN.exec(header)?.slice(1, 3)).toEqual(['2026-11-26T12:00:00.123Z', level]);
    }
  });
});

describe('parseRecords', () => {
  it('groups continuation lines with the record above them', () => {
    const text = [
      '[2026-11-26T12:00:00.000Z] [INFO] Order ORD-20261126-000001 received | {"orderId":"ORD-20261126-000001"}',
      '[2026-11-26T12:00:00.100Z] [ERROR] Payment failed | {"code":"PAYMENT_TIMEOUT"}',
      'com.acme.pos.payment.GatewayTimeoutException: x',
      '\tat com.acme.pos.payment.Gateway.authorize(Gateway.java:1)',
      '[2026-11-26T12:00:00.200Z] [WARN] plain message',
      '',
    ].join('\n');
    const records = parseRecords(text);
    expect(records.map((r) => [r.level, r.message, r.stack.length])).toEqual([
      ['INFO', 'Order ORD-20261126-000001 received', 0],
      ['ERROR', 'Payment failed', 2],
      ['WARN', 'plain message', 0],
    ]);
    expect(records[1]?.details).toEqual({ code: 'PAYMENT_TIMEOUT' });
  });

  it('leaves an unparseable JSON part inside the message', () => {
    const [record] = parseRecords('[2026-11-26T12:00:00.000Z] [ERROR] weird | {not json\n');
    expect(record?.message).toBe('weird | {not json');
    expect(record?.details).toBeUndefined();
  });
});
