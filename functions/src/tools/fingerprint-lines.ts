// Backs `stacklens fingerprint [FILE]`: shows an operator how each line is normalised and grouped.
// Every input line is one record here (no multi-line joining), so the output lines up with the input.
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { analyzeRecord } from '../domain/analyze.js';

export async function fingerprintLines(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<{ lines: number }> {
  const reader = createInterface({ input, crlfDelay: Infinity });
  let lines = 0;
  for await (const line of reader) {
    if (line.trim().length === 0) continue;
    const record = analyzeRecord(line);
    const row = {
      fingerprint: record.fingerprint,
      template: record.template,
      isError: record.isError,
      severity: record.severity,
      code: record.code,
    };
    lines++;
    // Respect backpressure so a large file piped into a slow consumer does not buffer in memory.
    if (!output.write(`${JSON.stringify(row)}\n`)) await once(output, 'drain');
  }
  return { lines };
}
