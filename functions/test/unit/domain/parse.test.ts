import { describe, expect, it } from '@jest/globals';
import { MAX_FIELD_DEPTH, parseRecord } from '../../../src/domain/parse.js';
import { fixture } from './fixtures.js';

describe('parseRecord: StackLens POS format', () => {
  it('splits timestamp, level, message and the JSON details', () => {
    const record = parseRecord(fixture('pos-missing-price.log'));
    expect(record).toMatchObject({
      format: 'stacklens-pos',
      timestamp: '2026-11-26T12:00:00.123Z',
      level: 'ERROR',
      message: 'Product 999 has no price',
      fields: { code: 'MISSING_PRICE', orderId: 'ORD-20261126-000123', storeId: 'store-001', kioskId: 'kiosk-01', productId: '999' },
    });
    expect(record.exception).toBeUndefined();
  });

  it('accepts a line without details', () => {
    const record = parseRecord('[2026-11-26T12:00:00.000Z] [WARN] Receipt printer paper low');
    expect(record).toMatchObject({ format: 'stacklens-pos', level: 'WARN', message: 'Receipt printer paper low', fields: {} });
  });

  it('reads a header whose message holds a Unicode line or paragraph separator', () => {
    const record = parseRecord('[2026-11-26T12:00:00.000Z] [ERROR] payment\u2028declined\u2029twice');
    expect(record).toMatchObject({ format: 'stacklens-pos', level: 'ERROR', message: 'payment\u2028declined\u2029twice' });
  });

  it('keeps a " | " inside the message when the tail is not JSON', () => {
    const record = parseRecord('[2026-11-26T12:00:00.000Z] [INFO] menu A | menu B {not json}');
    expect(record.message).toBe('menu A | menu B {not json}');
    expect(record.fields).toEqual({});
  });

  it('reads following lines as a Node stack trace', () => {
    const record = parseRecord(fixture('pos-node-stack.log'));
    expect(record.message).toBe('Unhandled error while adding item to basket');
    expect(record.fields.errorType).toBe('PRICE_NOT_FOUND');
    expect(record.exception).toEqual({
      type: 'TypeError',
      message: "Cannot read properties of undefined (reading 'price')",
      frames: ['lookupPrice', 'Basket.addItem', 'scan.js', 'Promise.all'],
    });
  });

  it('normalises every POS level', () => {
    const levels = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].map((level) => parseRecord(`[2026-11-26T12:00:00.000Z] [${level}] x`).level);
    expect(levels).toEqual(['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']);
  });

  it('treats a bracketed line whose second bracket is not a level as plain text', () => {
    expect(parseRecord('[2026-11-26T12:00:00.000Z] [main] started').format).toBe('plain');
  });
});

describe('parseRecord: logback / log4j', () => {
  it('parses the level-first layout and reports the root cause of a Caused-by chain', () => {
    const record = parseRecord(fixture('logback-caused-by.log'));
    expect(record).toMatchObject({
      format: 'logback',
      timestamp: '2026-11-26T12:00:00.123Z',
      level: 'ERROR',
      logger: 'com.acme.pos.checkout.CheckoutService',
      message: 'Failed to price basket B-20261126-0042 for customer Ann Lee',
      fields: { thread: 'http-nio-8080-exec-7' },
    });
    expect(record.exception?.type).toBe('java.sql.SQLTimeoutException');
    expect(record.exception?.message).toBe('Query timed out after 30000 ms on connection 17');
  });

  it('keeps frame names without line numbers, JPMS module prefixes or JVM-generated counters', () => {
    const frames = parseRecord(fixture('logback-caused-by.log')).exception?.frames ?? [];
    expect(frames.slice(0, 3)).toEqual([
      'org.springframework.jdbc.support.SQLStateSQLExceptionTranslator.doTranslate',
      'org.springframework.jdbc.core.JdbcTemplate.execute',
      'com.acme.pos.pricing.PriceRepository.findPrice',
    ]);
    expect(frames).toContain('com.acme.pos.pricing.PriceRepository$$EnhancerBySpringCGLIB.findPrice');
    expect(frames).toContain('jdk.internal.reflect.GeneratedMethodAccessor.invoke');
    expect(frames).toContain('java.lang.Thread.run');
    expect(frames).toContain('com.acme.pos.checkout.CheckoutService$$Lambda.apply');
    expect(frames.some((frame) => /\d{2,}|\.java/.test(frame))).toBe(false);
  });

  it('parses the thread-first layout with padded level', () => {
    expect(parseRecord(fixture('logback-thread-first.log'))).toMatchObject({
      format: 'logback',
      level: 'WARN',
      logger: 'com.acme.pos.sync.PriceSync',
      message: 'Price sync for store-042 retried 3 times',
      fields: { thread: 'pool-3-thread-1' },
      timestamp: '2026-11-26T08:15:42.007Z',
    });
  });

  it('parses Spring Boot 3 console lines and converts the offset to UTC', () => {
    const record = parseRecord(fixture('spring-boot.log'));
    expect(record).toMatchObject({
      format: 'logback',
      timestamp: '2026-11-26T11:00:00.123Z',
      level: 'ERROR',
      logger: 'c.a.pos.payment.PaymentController',
      message: 'Payment authorisation failed for order ORD-20261126-000777',
      fields: { pid: 48213, thread: 'nio-8080-exec-2' },
    });
    expect(record.exception).toEqual({
      type: 'java.net.SocketTimeoutException',
      message: 'Read timed out',
      frames: ['sun.nio.ch.NioSocketImpl.timedRead', 'com.acme.pos.payment.GatewayClient.authorize'],
    });
  });

  it('accepts a time-only timestamp but reports no timestamp for it', () => {
    const record = parseRecord('12:00:00.123 [main] ERROR com.acme.pos.Boot - Startup failed');
    expect(record).toMatchObject({ format: 'logback', level: 'ERROR', message: 'Startup failed' });
    expect(record.timestamp).toBeUndefined();
  });
});

describe('parseRecord: JSON lines', () => {
  it('reads pino: numeric level, epoch-ms time, err.type/message/stack', () => {
    const record = parseRecord(fixture('pino-err.log'));
    expect(record).toMatchObject({
      format: 'json',
      level: 'ERROR',
      timestamp: '2026-11-26T12:00:00.123Z',
      logger: 'pos-api',
      message: 'loyalty lookup failed',
    });
    expect(record.exception).toEqual({ type: 'Error', message: 'connect ECONNREFUSED 10.0.4.12:8443', frames: ['TCPConnectWrap.afterConnect'] });
    expect(record.fields).not.toHaveProperty('level');
    expect(record.fields).not.toHaveProperty('msg');
    expect(record.fields).not.toHaveProperty('time');
    expect(record.fields).toMatchObject({ pid: 4312, hostname: 'kiosk-07', reqId: 'req-8812' });
  });

  it('maps pino numeric levels 10..60', () => {
    const levels = [10, 20, 30, 40, 50, 60].map((level) => parseRecord(JSON.stringify({ level, msg: 'x' })).level);
    expect(levels).toEqual(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']);
  });

  it('reads winston: string level, message, ISO timestamp', () => {
    expect(parseRecord(fixture('winston.log'))).toMatchObject({
      format: 'json',
      level: 'ERROR',
      timestamp: '2026-11-26T12:00:00.123Z',
      message: 'Receipt email could not be sent to ann@example.com',
      fields: { service: 'receipts', store_id: 'store-003', terminalId: 'T-12' },
    });
  });

  it('reads bunyan: numeric level, ISO time, name as logger', () => {
    expect(parseRecord(fixture('bunyan.log'))).toMatchObject({
      format: 'json',
      level: 'WARN',
      timestamp: '2026-11-26T12:00:00.500Z',
      logger: 'pos-sync',
      message: 'inventory delta rejected',
    });
  });

  it('reads structlog: event as message and a formatted traceback string', () => {
    const record = parseRecord(fixture('structlog.log'));
    expect(record).toMatchObject({ format: 'json', level: 'ERROR', message: 'payment declined', logger: 'pos.payment', timestamp: '2026-11-26T12:00:00.000Z' });
    expect(record.exception).toEqual({ type: 'pos.errors.Declined', message: 'insufficient funds', frames: ['payment.charge'] });
  });

  it('reads ECS error objects and nested log.level', () => {
    const record = parseRecord(
      JSON.stringify({
        '@timestamp': '2026-11-26T12:00:00.000Z',
        log: { level: 'error', logger: 'pos' },
        message: 'sync failed',
        error: { type: 'java.io.UncheckedIOException', message: 'disk gone', stack_trace: 'java.io.UncheckedIOException: disk gone\n\tat com.acme.Sync.run(Sync.java:3)' },
      }),
    );
    expect(record).toMatchObject({ level: 'ERROR', timestamp: '2026-11-26T12:00:00.000Z', message: 'sync failed' });
    expect(record.exception).toEqual({ type: 'java.io.UncheckedIOException', message: 'disk gone', frames: ['com.acme.Sync.run'] });
  });

  it('reads Serilog compact JSON (@t, @mt, @l, @x)', () => {
    const record = parseRecord(
      JSON.stringify({ '@t': '2026-11-26T12:00:00.0000000Z', '@mt': 'Payment {OrderId} failed', '@l': 'Error', '@x': 'System.TimeoutException: timed out\n   at Acme.Pay.Send() in C:\\p.cs:line 3', OrderId: 7 }),
    );
    expect(record).toMatchObject({ format: 'json', level: 'ERROR', timestamp: '2026-11-26T12:00:00.000Z', message: 'Payment {OrderId} failed' });
    expect(record.exception).toEqual({ type: 'System.TimeoutException', message: 'timed out', frames: ['Acme.Pay.Send'] });
  });

  it('uses the first line of a multi-line message and scans the rest as a stack', () => {
    const record = parseRecord(JSON.stringify({ level: 'error', message: 'boom\nRangeError: Invalid array length\n    at grow (/app/a.js:1:2)' }));
    expect(record.message).toBe('boom');
    expect(record.exception).toEqual({ type: 'RangeError', message: 'Invalid array length', frames: ['grow'] });
  });

  it('parses pretty-printed JSON spanning lines', () => {
    const record = parseRecord('{\n  "level": "warn",\n  "msg": "slow scan"\n}');
    expect(record).toMatchObject({ format: 'json', level: 'WARN', message: 'slow scan' });
  });

  it('falls back to plain for invalid JSON starting with {', () => {
    const record = parseRecord('{"level":"error","msg":"cut off');
    expect(record.format).toBe('plain');
    expect(record.message).toBe('{"level":"error","msg":"cut off');
  });

  it('uses the raw line as message when there is no message key', () => {
    expect(parseRecord('{"level":"error","sku":"123"}').message).toBe('{"level":"error","sku":"123"}');
  });

  it('does not let a "__proto__" key replace the prototype of fields', () => {
    const record = parseRecord('{"level":"info","msg":"x","__proto__":{"polluted":true}}');
    expect(Object.getPrototypeOf(record.fields)).toBe(Object.prototype);
    expect((record.fields as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it(`cuts JSON nested deeper than ${MAX_FIELD_DEPTH} levels`, () => {
    const deep = `{"msg":"x","a":${'{"a":'.repeat(500)}1${'}'.repeat(500)}}`;
    let node: unknown = parseRecord(deep).fields.a;
    let depth = 1;
    while (typeof node === 'object' && node !== null) {
      node = (node as { a: unknown }).a;
      depth++;
    }
    expect(depth).toBeLessThanOrEqual(MAX_FIELD_DEPTH + 1);
    expect(node).toBe('[nested too deep]');
  });
});

describe('parseRecord: Python logging', () => {
  it('takes the exception from the last traceback line and orders frames innermost first', () => {
    const record = parseRecord(fixture('python-traceback.log'));
    expect(record).toMatchObject({
      format: 'python',
      timestamp: '2026-11-26T12:00:00.123Z',
      level: 'ERROR',
      logger: 'pos.payment',
      message: 'Charge failed for order ORD-20261126-000123',
    });
    expect(record.exception).toEqual({ type: 'ConnectionError', message: 'timed out', frames: ['sessions.post', 'gateway.authorize', 'payment.charge'] });
  });

  it('reports the final exception of a chained traceback', () => {
    const record = parseRecord(fixture('python-chained.log'));
    expect(record.level).toBe('CRITICAL');
    expect(record.exception?.type).toBe('psycopg2.OperationalError');
    expect(record.exception?.message).toBe('could not connect to server: Connection refused');
    expect(record.exception?.frames[0]).toBe('db.fetch');
  });

  it('finds the exception line even when the traceback is longer than the line cap', () => {
    const frames = Array.from({ length: 200 }, (_, i) => `  File "/srv/m${i}.py", line ${i}, in f${i}\n    call()`).join('\n');
    const record = parseRecord(`2026-11-26 12:00:00,000 - pos - ERROR - deep\nTraceback (most recent call last):\n${frames}\nRecursionError: maximum recursion depth exceeded`);
    expect(record.exception?.type).toBe('RecursionError');
    expect(record.exception?.frames.length).toBeLessThanOrEqual(50);
  });

  it('parses the basicConfig layout LEVEL:logger:message', () => {
    expect(parseRecord('WARNING:pos.sync:queue backlog 120')).toMatchObject({ format: 'python', level: 'WARN', logger: 'pos.sync', message: 'queue backlog 120' });
  });
});

describe('parseRecord: syslog', () => {
  it('parses RFC 3164 with PRI severity, host, tag and pid', () => {
    const record = parseRecord(fixture('syslog3164.log'));
    expect(record).toMatchObject({
      format: 'syslog3164',
      level: 'ERROR',
      logger: 'posd',
      message: 'scanner on /dev/ttyUSB0 not responding after 5000ms',
      fields: { facility: 1, host: 'kiosk-07', app: 'posd', pid: '1234' },
    });
    expect(record.timestamp).toMatch(/^\d{4}-11-26T12:00:00\.000Z$/);
  });

  it('maps PRI % 8 onto levels', () => {
    const levels = [0, 1, 2, 3, 4, 5, 6, 7].map((severity) => parseRecord(`<${8 + severity}>Nov 26 12:00:00 host app: x`).level);
    expect(levels).toEqual(['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARN', 'NOTICE', 'INFO', 'DEBUG']);
  });

  it('parses RFC 3164 without a hostname', () => {
    expect(parseRecord('<12>Nov 26 12:00:00 posd[77]: low paper')).toMatchObject({ level: 'WARN', logger: 'posd', message: 'low paper' });
  });

  it('parses a syslog file line without PRI, taking the level from the message', () => {
    expect(parseRecord('Nov 26 12:00:00 kiosk-07 posd[12]: ERROR drawer jammed')).toMatchObject({ format: 'syslog3164', level: 'ERROR', message: 'drawer jammed', logger: 'posd' });
  });

  it('parses RFC 5424 with structured data flattened into fields', () => {
    expect(parseRecord(fixture('syslog5424.log'))).toMatchObject({
      format: 'syslog5424',
      timestamp: '2026-11-26T12:00:00.123Z',
      level: 'ERROR',
      logger: 'posd',
      message: 'cash drawer 2 failed to open',
      fields: { host: 'kiosk-07', app: 'posd', pid: '1234', msgId: 'ID47', storeId: 'store-001', kioskId: 'kiosk-07', note: 'a "quoted" value' },
    });
  });

  it('accepts RFC 5424 nil values and a BOM before the message', () => {
    const record = parseRecord('<14>1 - - - - - - \uFEFFhello');
    expect(record).toMatchObject({ format: 'syslog5424', level: 'INFO', message: 'hello' });
    expect(record.timestamp).toBeUndefined();
  });
});

describe('parseRecord: .NET', () => {
  it('reads the console logger with the message on the next line and an indented exception', () => {
    const record = parseRecord(fixture('dotnet-console.log'));
    expect(record).toMatchObject({ format: 'dotnet', level: 'ERROR', logger: 'Acme.Pos.Payments.TerminalClient', message: 'Payment terminal request 88123 failed', fields: { eventId: 1001 } });
    expect(record.exception).toEqual({
      type: 'System.TimeoutException',
      message: 'The operation has timed out.',
      frames: ['Acme.Pos.Payments.TerminalClient.SendAsync', 'Acme.Pos.Checkout.PayAsync'],
    });
  });

  it('reads crit: as CRITICAL and single-line console output', () => {
    expect(parseRecord('crit: Acme.Pos.Host[0] Host terminated unexpectedly')).toMatchObject({ format: 'dotnet', level: 'CRITICAL', message: 'Host terminated unexpectedly' });
  });

  it('reads Level=Error key=value lines', () => {
    expect(parseRecord(fixture('dotnet-keyvalue.log'))).toMatchObject({
      format: 'dotnet',
      level: 'ERROR',
      timestamp: '2026-11-26T12:00:00.000Z',
      logger: 'Acme.Pos.Drawer',
      message: 'Cash drawer 2 failed to open',
      fields: { EventId: '7', StoreNumber: '42' },
    });
  });

  it('reports the innermost exception of a flattened ---> chain', () => {
    const record = parseRecord('fail: Acme.Sync[0] sync failed\nSystem.AggregateException: One or more errors occurred. ---> System.Net.Http.HttpRequestException: No such host is known.\n   at Acme.Sync.Run()');
    expect(record.exception?.type).toBe('System.Net.Http.HttpRequestException');
    expect(record.exception?.message).toBe('No such host is known.');
  });
});

describe('parseRecord: plain and other text', () => {
  it('reads Go logfmt as plain with level, message and fields', () => {
    expect(parseRecord('time=2026-11-26T12:00:00Z level=error msg="upload failed" component=sync attempt=3')).toMatchObject({
      format: 'plain',
      level: 'ERROR',
      message: 'upload failed',
      timestamp: '2026-11-26T12:00:00.000Z',
      fields: { component: 'sync', attempt: '3' },
    });
  });

  it('takes a leading timestamp and bracketed level from free text (nginx error log)', () => {
    expect(parseRecord('2026/11/26 12:00:00 [error] 31#31: *5 connect() failed (111: Connection refused)')).toMatchObject({
      format: 'plain',
      timestamp: '2026-11-26T12:00:00.000Z',
      level: 'ERROR',
      message: '31#31: *5 connect() failed (111: Connection refused)',
    });
  });

  it('reads the AWS Lambda text layout', () => {
    expect(parseRecord('2026-11-26T12:00:00.000Z\t3f1c2a9e-8b7d-4c6e-9a1b-2c3d4e5f6a7b\tERROR\tInvoke failed')).toMatchObject({
      level: 'ERROR',
      message: 'Invoke failed',
      fields: { requestId: '3f1c2a9e-8b7d-4c6e-9a1b-2c3d4e5f6a7b' },
    });
  });

  it('leaves ordinary prose without a level', () => {
    const record = parseRecord('Info about the new menu is available');
    expect(record).toMatchObject({ format: 'plain', message: 'Info about the new menu is available' });
    expect(record.level).toBeUndefined();
  });

  it('treats a raw Node stack dump as an exception on its first line', () => {
    const record = parseRecord('TypeError: x is not a function\n    at run (/app/a.js:1:1)\n    at /app/b.js:2:2');
    expect(record.exception).toEqual({ type: 'TypeError', message: 'x is not a function', frames: ['run', 'b.js'] });
  });

  it('strips ANSI colours and CRLF line ends', () => {
    const record = parseRecord('\x1b[31m2026-11-26 12:00:00,000 ERROR [main] com.acme.App - boom\x1b[0m\r\njava.lang.IllegalStateException: bad\r\n\tat com.acme.App.main(App.java:1)\r\n');
    expect(record).toMatchObject({ format: 'logback', level: 'ERROR', message: 'boom' });
    expect(record.exception).toEqual({ type: 'java.lang.IllegalStateException', message: 'bad', frames: ['com.acme.App.main'] });
  });

  it('skips blank lines before the header', () => {
    expect(parseRecord('\n\n  \n[2026-11-26T12:00:00.000Z] [ERROR] late').message).toBe('late');
  });
});

describe('parseRecord: errors inside POS details', () => {
  it('reads err.type/message/stack from the JSON details like a JSON line', () => {
    const details = { code: 'TAX_CALC_ERROR', err: { type: 'FetchError', message: 'request to https://tax.example failed', stack: 'FetchError: request to https://tax.example failed\n    at fetchTax (/app/tax.js:3:9)' } };
    const record = parseRecord(`[2026-11-26T12:00:00.000Z] [ERROR] Tax service call failed | ${JSON.stringify(details)}`);
    expect(record.exception).toEqual({ type: 'FetchError', message: 'request to https://tax.example failed', frames: ['fetchTax'] });
    expect(record.fields.code).toBe('TAX_CALC_ERROR');
  });

  it('keeps a plain error string from the details for classification', () => {
    const record = parseRecord('[2026-11-26T12:00:00.000Z] [WARN] upload retried | {"error":"ECONNRESET"}');
    expect(record.errorText).toBe('ECONNRESET');
    expect(record.exception).toBeUndefined();
  });
});
