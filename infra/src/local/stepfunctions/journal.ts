// The durable record of executions: one JSON line when an execution is accepted, one when it ends. A start is
// written before StartExecution answers, so a process killed at any moment forgets nothing it accepted; an
// execution with a start and no end was running when the process died and is resumed from the beginning.
//
// A kill in the middle of a write leaves a truncated last line. Loading skips unreadable lines with a warning
// and rewrites the file without them (temp file, fsync, rename), so the next append starts on a clean line.
import { mkdirSync, readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeAtomically } from '../atomic-file.js';
import { EXECUTION_STATUSES } from './schemas.js';

const StartRecord = z.object({
  type: z.literal('start'),
  executionArn: z.string().min(1),
  stateMachineArn: z.string().min(1),
  name: z.string().min(1),
  input: z.string(),
  startDate: z.number(),
});

const EndRecord = z.object({
  type: z.literal('end'),
  executionArn: z.string().min(1),
  status: z.enum(EXECUTION_STATUSES).exclude(['RUNNING']),
  stopDate: z.number(),
  output: z.string().optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
});

const JournalRecord = z.discriminatedUnion('type', [StartRecord, EndRecord]);

export type StartRecord = z.infer<typeof StartRecord>;
export type EndRecord = z.infer<typeof EndRecord>;
export type JournalRecord = z.infer<typeof JournalRecord>;

export class ExecutionJournal {
  private handle: Promise<FileHandle> | undefined;
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(readonly file: string) {}

  /**
   * Reads every readable record of `file` (creating its directory if needed) and opens it for appending.
   * Synchronous: it runs once at start-up, before any request is served.
   */
  static open(file: string, warn: (line: string) => void): { journal: ExecutionJournal; records: JournalRecord[] } {
    mkdirSync(path.dirname(file), { recursive: true });
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      text = '';
    }
    const records: JournalRecord[] = [];
    const lines = text.split('\n');
    // A complete file ends with a newline, so the last element is empty; anything else there is a cut-off write.
    const last = lines.pop();
    let rewrite = false;
    if (last !== undefined && last !== '') {
      lines.push(last);
      rewrite = true;
    }
    lines.forEach((line, index) => {
      if (line === '') return;
      const record = parseRecord(line);
      if (record) {
        records.push(record);
        return;
      }
      rewrite = true;
      warn(`stepfunctions: skipped unreadable line ${index + 1} of ${file} (${line.length} characters; a write cut off by a crash?)`);
    });
    if (rewrite) writeAtomically(file, records.map((record) => JSON.stringify(record) + '\n').join(''));
    return { journal: new ExecutionJournal(file), records };
  }

  /** Resolves once the record is in the file (handed to the OS: it survives the process, not a power cut). */
  append(record: JournalRecord): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`the execution journal ${this.file} is closed`));
    const line = JSON.stringify(record) + '\n';
    const write = this.tail.then(async () => {
      this.handle ??= open(this.file, 'a', 0o600);
      await (await this.handle).write(line);
    });
    // One failed write must not block every later one.
    this.tail = write.catch(() => undefined);
    return write;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await (await handle.catch(() => undefined))?.close();
  }
}

function parseRecord(line: string): JournalRecord | undefined {
  try {
    const parsed = JournalRecord.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
