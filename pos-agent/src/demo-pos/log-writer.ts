// Appends POS log records to one file through a single ordered queue. Each record is written with one appendFile call
// (header, stack and trailing newline together), so a tailer never sees half a record or two records interleaved.
// A logging failure must never take the till down: errors are counted and reported on stderr, and `write` never rejects.

import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatRecord, type LogRecord } from './log-format.js';

export interface LogWriterStats {
  readonly written: number;
  readonly failed: number;
  readonly lastError?: string;
}

export interface PosLogWriter {
  readonly file: string;
  /** Queues one record; resolves once it has been appended (or the append failed and was counted). Never rejects. */
  write(record: LogRecord): Promise<void>;
  /** Resolves when every record queued so far has been handled. */
  flush(): Promise<void>;
  stats(): LogWriterStats;
}

export interface PosLogWriterOptions {
  readonly stderr?: NodeJS.WritableStream;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

export function createPosLogWriter(file: string, options: PosLogWriterOptions = {}): PosLogWriter {
  const stderr = options.stderr ?? process.stderr;
  let tail: Promise<void> = Promise.resolve();
  let directoryReady = false;
  let written = 0;
  let failed = 0;
  let lastError: string | undefined;
  let lastReportedCode: string | undefined;

  async function ensureDirectory(): Promise<void> {
    await mkdir(dirname(file), { recursive: true });
    directoryReady = true;
  }

  function report(error: unknown): void {
    const code = errorCode(error) ?? 'UNKNOWN';
    // fs errors are duck-typed: they can come from another realm, where `instanceof Error` does not hold.
    const message = typeof error === 'object' && error !== null && 'message' in error ? error.message : undefined;
    lastError = typeof message === 'string' ? message : String(error);
    // A full or read-only disk fails every write; one line per change of cause and every 100th failure is enough.
    if (code === lastReportedCode && failed % 100 !== 1) return;
    lastReportedCode = code;
    try {
      stderr.write(`demo-pos: cannot append to ${file} (${code}): ${lastError} [${failed} record(s) lost so far]\n`);
    } catch {
      // stderr itself is gone; nothing left to tell.
    }
  }

  async function append(text: string): Promise<void> {
    try {
      if (!directoryReady) await ensureDirectory();
      await appendFile(file, text, 'utf8');
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
      // The directory was removed while we were running (log cleanup, test teardown): recreate it once.
      await ensureDirectory();
      await appendFile(file, text, 'utf8');
    }
  }

  return {
    file,
    write(record) {
      let text: string;
      try {
        text = formatRecord(record);
      } catch (error) {
        failed += 1;
        report(error);
        return tail;
      }
      const done = tail.then(async () => {
        try {
          await append(text);
          written += 1;
        } catch (error) {
          failed += 1;
          report(error);
        }
      });
      tail = done;
      return done;
    },
    flush() {
      return tail;
    },
    stats() {
      return { written, failed, ...(lastError === undefined ? {} : { lastError }) };
    },
  };
}
