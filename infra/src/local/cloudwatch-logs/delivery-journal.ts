// CloudWatch Logs keeps an accepted event whatever happens to the machine that sent it, and delivers it to the
// subscription even if that takes retries. Locally the events live in this process, so a subscription job is written
// here before PutLogEvents answers: a `npm start` killed mid-storm delivers what it had accepted at its next start.
//
// One JSON line per accepted job and one per settled job. Jobs given up on after their retries stay unsettled, the
// local stand-in for the ingest function's dead-letter queue, and are delivered again at the next start (ingest drops
// what it has already counted). Whenever nothing is in flight the file is rewritten with only the unsettled jobs, so it
// stays as small as the backlog. A line cut off by a kill is skipped when the file is read.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeAtomically } from '../atomic-file.js';
import type { DeliveryJob } from './delivery.js';

const LogEvent = z.object({ id: z.string(), timestamp: z.number(), message: z.string() });
const JobRecord = z.object({
  type: z.literal('job'),
  id: z.string().min(1),
  lane: z.string(),
  job: z.object({
    header: z.object({
      messageType: z.enum(['DATA_MESSAGE', 'CONTROL_MESSAGE']),
      owner: z.string(),
      logGroup: z.string(),
      logStream: z.string(),
      subscriptionFilters: z.array(z.string()),
    }),
    logEvents: z.array(LogEvent),
  }),
});
const SettledRecord = z.object({ type: z.literal('settled'), id: z.string().min(1) });
const JournalLine = z.discriminatedUnion('type', [JobRecord, SettledRecord]);

export interface JournaledJob {
  readonly id: string;
  readonly lane: string;
  readonly job: DeliveryJob;
}

export class DeliveryJournal {
  private handle: Promise<FileHandle> | undefined;
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(readonly file: string) {}

  /** Reads the jobs still owed a delivery and opens the file for appending; runs once, before any request. */
  static open(file: string, warn: (line: string) => void): { journal: DeliveryJournal; unsettled: JournaledJob[] } {
    mkdirSync(path.dirname(file), { recursive: true });
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const jobs = new Map<string, JournaledJob>();
    let unreadable = 0;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const record = parseLine(line);
      if (!record) unreadable += 1;
      else if (record.type === 'job') jobs.set(record.id, { id: record.id, lane: record.lane, job: record.job });
      else jobs.delete(record.id);
    }
    if (unreadable > 0) warn(`cloudwatch-logs: skipped ${unreadable} unreadable line(s) of ${file} (a write cut off by a crash?)`);
    const unsettled = [...jobs.values()];
    writeAtomically(file, unsettled.map(jobLine).join(''));
    return { journal: new DeliveryJournal(file), unsettled };
  }

  /** `written` resolves once the job is in the file (handed to the OS: it survives the process, not a power cut). */
  accepted(lane: string, job: DeliveryJob): { entry: JournaledJob; written: Promise<void> } {
    const entry = { id: randomUUID(), lane, job };
    return { entry, written: this.append(jobLine(entry)) };
  }

  settled(id: string): Promise<void> {
    return this.append(JSON.stringify({ type: 'settled', id }) + '\n');
  }

  /**
   * Replaces the file with just the jobs `unsettled()` lists when the rewrite runs (after every write queued before it),
   * so a job accepted meanwhile is kept.
   */
  compact(unsettled: () => readonly JournaledJob[]): Promise<void> {
    return this.enqueue(async () => {
      await this.closeHandle();
      writeAtomically(this.file, unsettled().map(jobLine).join(''));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
    await this.closeHandle();
  }

  private append(line: string): Promise<void> {
    return this.enqueue(async () => {
      this.handle ??= open(this.file, 'a', 0o600);
      await (await this.handle).write(line);
    });
  }

  private enqueue(operation: () => Promise<void>): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`the delivery journal ${this.file} is closed`));
    const run = this.tail.then(operation);
    // One failed write must not block every later one.
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await (await handle.catch(() => undefined))?.close();
  }
}

function jobLine(entry: JournaledJob): string {
  return JSON.stringify({ type: 'job', ...entry }) + '\n';
}

function parseLine(line: string): z.infer<typeof JournalLine> | undefined {
  try {
    const parsed = JournalLine.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
