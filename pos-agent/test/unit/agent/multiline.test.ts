import { describe, expect, it } from '@jest/globals';
import { DEFAULT_MULTILINE_START_PATTERN, MultilineAssembler, type MultilineOptions, type RecordEnd } from '../../../src/agent/multiline.js';
import type { LogRecord, SkipReason } from '../../../src/agent/types.js';
import { tailLine, waitFor } from './helpers.js';

function assemble(text: string, options: Partial<MultilineOptions> = {}): { records: LogRecord[]; skipped: SkipReason[] } {
  const records: LogRecord[] = [];
  const skipped: SkipReason[] = [];
  const assembler = new MultilineAssembler({
    onRecord: (record) => records.push(record),
    onSkip: (reason) => skipped.push(reason),
    flushAfterMs: 60_000,
    ...options,
  });
  let offset = 0;
  for (const line of text.split('\n')) {
    offset += Buffer.byteLength(line) + 1;
    assembler.push(tailLine(line, offset));
  }
  assembler.flush();
  assembler.stop();
  return { records, skipped };
}

const JAVA = `2026-11-26 12:00:00,123 ERROR [main] c.s.pos.Checkout - payment failed
java.lang.IllegalStateException: terminal offline
\tat com.stacklens.pos.Payment.charge(Payment.java:42)
\tat com.stacklens.pos.Checkout.run(Checkout.java:17)
Caused by: java.net.SocketTimeoutException: connect timed out
\tat java.base/java.net.Socket.connect(Socket.java:633)
\t... 3 more
2026-11-26 12:00:01,000 INFO [main] c.s.pos.Checkout - retrying`;

const PYTHON = `2026-11-26 12:00:00,123 ERROR pos.scanner: scan failed
Traceback (most recent call last):
  File "/opt/pos/scanner.py", line 88, in read
    code = self.device.read()
ZeroDivisionError: division by zero

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/opt/pos/main.py", line 12, in <module>
RuntimeError: scanner unavailable
2026-11-26 12:00:02,000 INFO pos.scanner: recovered`;

const NODE = `[2026-11-26T12:00:00.123Z] [ERROR] Unhandled rejection | {"orderId":"o-1"}
TypeError: Cannot read properties of undefined (reading 'price')
    at priceOf (/app/pricing.js:10:20)
    at async checkout (/app/checkout.js:55:3)
[2026-11-26T12:00:00.200Z] [INFO] Order saved | {"orderId":"o-2"}`;

const DOTNET = `fail: Pos.Payments.CardReader[0]
      Card read failed
      System.IO.IOException: device not ready
         at Pos.Payments.CardReader.Read()
info: Pos.Payments.CardReader[1]
      Reader reset`;

describe('Class: MultilineAssembler', () => {
  describe('Method: push', () => {
    it('groups a Java stack trace with its Caused by chain into one record', () => {
      const { records } = assemble(JAVA);

      expect(records).toHaveLength(2);
      expect(records[0]?.text).toBe(JAVA.split('\n').slice(0, 7).join('\n'));
      expect(records[0]?.lineCount).toBe(7);
      expect(records[1]?.text).toBe('2026-11-26 12:00:01,000 INFO [main] c.s.pos.Checkout - retrying');
    });

    it('groups a chained Python traceback, blank lines included, into one record', () => {
      const { records } = assemble(PYTHON);

      expect(records.map((record) => record.lineCount)).toEqual([11, 1]);
      expect(records[0]?.text).toContain('During handling of the above exception');
      expect(records[0]?.text.endsWith('RuntimeError: scanner unavailable')).toBe(true);
    });

    it('groups a Node.js error with its indented frames into one record', () => {
      const { records } = assemble(NODE);

      expect(records).toHaveLength(2);
      expect(records[0]?.text.split('\n')).toHaveLength(4);
      expect(records[1]?.text).toContain('Order saved');
    });

    it('starts a record at each .NET console logger prefix', () => {
      const { records } = assemble(DOTNET);

      expect(records.map((record) => record.text.split('\n')[0])).toEqual(['fail: Pos.Payments.CardReader[0]', 'info: Pos.Payments.CardReader[1]']);
      expect(records[0]?.lineCount).toBe(4);
    });

    it('carries the offset after the last line of each record', () => {
      const { records } = assemble('[1] first\n  detail\n[2] second');

      expect(records.map((record) => record.position.offset)).toEqual([
        Buffer.byteLength('[1] first\n  detail\n'),
        Buffer.byteLength('[1] first\n  detail\n[2] second\n'),
      ]);
    });

    it('starts a record with an unmatched line when nothing is pending, and skips a blank one', () => {
      const { records, skipped } = assemble('\norphan continuation\n    at frame');

      expect(records.map((record) => record.text)).toEqual(['orphan continuation\n    at frame']);
      expect(skipped).toEqual(['blank']);
    });

    it('drops trailing blank lines from a record', () => {
      const { records } = assemble('{"level":"error"}\n\n\n{"level":"info"}');

      expect(records.map((record) => record.text)).toEqual(['{"level":"error"}', '{"level":"info"}']);
    });

    it('splits a record that reaches the line limit', () => {
      const { records } = assemble(['2026-11-26 header', ...Array.from({ length: 5 }, (_, i) => `\tat frame ${i}`)].join('\n'), {
        maxLines: 4,
      });

      expect(records.map((record) => record.lineCount)).toEqual([4, 2]);
    });

    it('splits a record that would exceed the byte limit', () => {
      const { records } = assemble(`<13>header\n${'a'.repeat(60)}\n${'b'.repeat(60)}`, { maxBytes: 100 });

      expect(records.map((record) => record.text.length)).toEqual([10 + 1 + 60, 60]);
    });

    it('uses a custom start pattern, even one with the global flag', () => {
      const { records } = assemble('BEGIN one\nmore\nBEGIN two\nBEGIN three', { startPattern: /^BEGIN/g });

      expect(records.map((record) => record.text)).toEqual(['BEGIN one\nmore', 'BEGIN two', 'BEGIN three']);
    });
  });

  describe('Method: idle flush', () => {
    it('emits a pending record once no line has arrived for the idle timeout, saying so', async () => {
      const records: LogRecord[] = [];
      const endings: RecordEnd[] = [];
      const assembler = new MultilineAssembler({
        onRecord: (record, endedBy) => {
          records.push(record);
          endings.push(endedBy);
        },
        flushAfterMs: 20,
      });

      assembler.push(tailLine('2026-11-26 12:00:00 ERROR boom', 31));
      assembler.push(tailLine('    at somewhere', 48));
      await waitFor(() => records.length === 1, 'the idle flush');
      assembler.stop();

      expect(records[0]?.text).toBe('2026-11-26 12:00:00 ERROR boom\n    at somewhere');
      expect(records[0]?.position.offset).toBe(48);
      expect(endings).toEqual(['idle']);
    });

    it('reports a record ended by the next header as next-record, not idle', () => {
      const endings: RecordEnd[] = [];
      const assembler = new MultilineAssembler({ onRecord: (_record, endedBy) => endings.push(endedBy), flushAfterMs: 60_000 });

      assembler.push(tailLine('[1] one', 8));
      assembler.push(tailLine('[2] two', 16));
      assembler.flush();
      assembler.stop();

      expect(endings).toEqual(['next-record', 'flush']);
    });
  });
});

describe('Constant: DEFAULT_MULTILINE_START_PATTERN', () => {
  it.each([
    '[2026-11-26T12:00:00.123Z] [ERROR] x',
    '2026-11-26 12:00:00 INFO x',
    '{"ts":1}',
    '<34>1 2026-11-26T12:00:00Z host app - - msg',
    'Nov 26 12:00:00 kiosk pos[42]: started',
    'Nov  6 12:00:00 kiosk pos[42]: started',
    'crit: Pos.Host[0]',
    'warn: Pos.Host[0]',
  ])('starts a record at %p', (line) => {
    expect(DEFAULT_MULTILINE_START_PATTERN.test(line)).toBe(true);
  });

  it.each([
    '\tat com.x.Y(Y.java:1)',
    '    at f (a.js:1:1)',
    'Caused by: java.io.IOException',
    'Traceback (most recent call last):',
    '      Card read failed',
    'java.lang.NullPointerException',
    'November rain',
  ])('continues a record at %p', (line) => {
    expect(DEFAULT_MULTILINE_START_PATTERN.test(line)).toBe(false);
  });
});
