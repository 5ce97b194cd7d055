import { describe, expect, it } from '@jest/globals';
import { frameFromLine, MAX_STACK_LINES, parseExceptionHeader, scanStack } from '../../../src/domain/stack.js';

describe('frameFromLine', () => {
  const cases: Array<[string, string]> = [
    ['at lookupPrice (/opt/pos/dist/pricing.js:88:23)', 'lookupPrice'],
    ['at async Basket.addItem (/opt/pos/dist/basket.js:141:19)', 'Basket.addItem'],
    ['at Server.<anonymous> (/app/server.js:5:3)', 'Server.<anonymous>'],
    ['at Object.<anonymous> (/app/routes/scan.js:22:5)', 'scan.js'],
    ['at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)', 'TCPConnectWrap.afterConnect'],
    ['at new Checkout (/app/checkout.js:1:1)', 'new Checkout'],
    ['at /app/dist/index.js:10:5', 'index.js'],
    ['at node:internal/process/task_queues:95:5', 'task_queues'],
    ['at com.acme.pos.Checkout.process(Checkout.java:42)', 'com.acme.pos.Checkout.process'],
    ['at java.base/java.lang.Thread.run(Thread.java:833)', 'java.lang.Thread.run'],
    ['at app//com.acme.Main.main(Main.java:3)', 'com.acme.Main.main'],
    ['at com.sun.proxy.$Proxy123.charge(Unknown Source)', 'com.sun.proxy.$Proxy.charge'],
    ['at Acme.Pos.Checkout.Pay(Order order) in C:\\src\\Checkout.cs:line 42', 'Acme.Pos.Checkout.Pay'],
    ['File "/srv/venv/lib/python3.11/site-packages/requests/api.py", line 115, in post', 'api.post'],
    ['File "<stdin>", line 1, in <module>', '<stdin>.<module>'],
    ['File "/opt/db/versions/0054_add_loyalty_tier.py", line 21, in upgrade', '<n>_add_loyalty_tier.upgrade'],
    ['at /app/static/main.3f2a1b9c.js:1:2000', 'main.<n>.js'],
  ];
  it.each(cases)('reads %j', (line, frame) => {
    expect(frameFromLine(line)).toBe(frame);
  });

  it('ignores lines that are not frames', () => {
    expect(frameFromLine('... 42 more')).toBeUndefined();
    expect(frameFromLine('response = gateway.authorize(card)')).toBeUndefined();
  });
});

describe('parseExceptionHeader', () => {
  it('reads Java, Node, .NET and Python headers', () => {
    expect(parseExceptionHeader('java.lang.IllegalStateException: drawer open')).toEqual({ type: 'java.lang.IllegalStateException', message: 'drawer open' });
    expect(parseExceptionHeader('java.lang.NullPointerException')).toEqual({ type: 'java.lang.NullPointerException', message: '' });
    expect(parseExceptionHeader('Error [ERR_SOCKET_CLOSED]: Socket is closed')).toEqual({ type: 'Error', message: 'Socket is closed' });
    expect(parseExceptionHeader('System.Net.Sockets.SocketException (10060): A connection attempt failed')).toEqual({
      type: 'System.Net.Sockets.SocketException',
      message: 'A connection attempt failed',
    });
  });

  it('needs an exception-like name unless told the line is an exception', () => {
    expect(parseExceptionHeader('Note: stock low')).toBeUndefined();
    expect(parseExceptionHeader('StopIteration')).toBeUndefined();
    expect(parseExceptionHeader('StopIteration', true)).toEqual({ type: 'StopIteration', message: '' });
  });
});

describe('scanStack', () => {
  it(`keeps at most ${MAX_STACK_LINES} frames`, () => {
    const lines = Array.from({ length: 500 }, (_, i) => `\tat com.acme.F.f${i}(F.java:${i})`);
    const scan = scanStack(['java.lang.StackOverflowError', ...lines], undefined);
    expect(scan.exception?.type).toBe('java.lang.StackOverflowError');
    expect(scan.exception?.frames.length).toBeLessThanOrEqual(MAX_STACK_LINES);
  });

  it('reports frames without a header as a stack but no exception', () => {
    const scan = scanStack(['\tat com.acme.A.b(A.java:1)'], undefined);
    expect(scan).toEqual({ hasFrames: true });
  });
});
