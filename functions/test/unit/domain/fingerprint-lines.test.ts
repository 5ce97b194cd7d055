import { describe, expect, it } from '@jest/globals';
import { PassThrough, Readable, Writable } from 'node:stream';
import { analyzeRecord } from '../../../src/domain/analyze.js';
import { fingerprintLines } from '../../../src/tools/fingerprint-lines.js';

async function run(input: string): Promise<{ lines: number; output: string[] }> {
  const chunks: string[] = [];
  const output = new PassThrough();
  output.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const result = await fingerprintLines(Readable.from([input]), output);
  output.end();
  return { lines: result.lines, output: chunks.join('').split('\n').filter((line) => line.length > 0) };
}

describe('fingerprintLines', () => {
  it('writes one JSON object per non-empty line with exactly the documented keys in order', async () => {
    const { lines, output } = await run(
      '[2026-11-26T12:00:00.000Z] [ERROR] Product 1 has no price | {"code":"MISSING_PRICE"}\n\n   \r\ncache warmed in 12ms\r\n[2026-11-26T13:00:00.000Z] [ERROR] Product 2 has no price | {"code":"MISSING_PRICE"}',
    );
    expect(lines).toBe(3);
    expect(output).toHaveLength(3);
    const rows = output.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.map((row) => Object.keys(row))).toEqual(rows.map(() => ['fingerprint', 'template', 'isError', 'severity', 'code']));
    expect(rows[0]).toEqual({ fingerprint: rows[2]?.fingerprint, template: 'Product <int> has no price', isError: true, severity: 'high', code: 'MISSING_PRICE' });
    expect(rows[1]).toMatchObject({ template: 'cache warmed in <duration>', isError: false, code: 'NONE', severity: 'low' });
  });

  it('treats every line as its own record, even stack-trace lines', async () => {
    const { output } = await run('ERROR boom\n\tat com.acme.A.b(A.java:1)\n');
    expect(output).toHaveLength(2);
    expect(JSON.parse(output[0] ?? '')).toMatchObject({ fingerprint: analyzeRecord('ERROR boom').fingerprint });
  });

  it('waits for a slow consumer instead of buffering without bound', async () => {
    let written = 0;
    const slow = new Writable({
      highWaterMark: 64,
      write(_chunk, _encoding, callback) {
        written++;
        setImmediate(callback);
      },
    });
    const input = Array.from({ length: 500 }, (_, i) => `ERROR failure number ${i}`).join('\n');
    const result = await fingerprintLines(Readable.from([input]), slow);
    expect(result.lines).toBe(500);
    expect(slow.writableLength).toBeLessThanOrEqual(1024);
    await new Promise((resolve) => slow.end(resolve));
    expect(written).toBe(500);
  });
});
