// Where the agent resumes after a restart. The saved offset only ever points past data PutLogEvents accepted, so a
// restart re-sends at most the batch that was in flight (at-least-once), and never skips unacknowledged data.

import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { AgentError, describeError } from './errors.js';
import { isNotFound, syncDirectorySync, writeFileQuickSync } from './sync-io.js';
import type { StartDecision } from './tailer.js';
import { sameFile, sameIdentity, type FileIdentity, type FilePosition } from './types.js';

const CheckpointSchema = z.object({
  version: z.literal(1),
  file: z.string().min(1),
  dev: z.string().regex(/^\d+$/),
  ino: z.string().regex(/^\d+$/),
  /** Fingerprint of the file's first bytes (absent while the file was shorter than that). */
  fp: z
    .string()
    .regex(/^[0-9a-f]{1,64}$/)
    .optional(),
  offset: z.number().int().nonnegative(),
  updatedAt: z.string(),
});

export type Checkpoint = z.infer<typeof CheckpointSchema>;

export type CheckpointLoad =
  | { readonly status: 'found'; readonly checkpoint: Checkpoint }
  | { readonly status: 'missing' }
  /** Unreadable or for another file: treated as no checkpoint, reported so the operator can see why. */
  | { readonly status: 'invalid'; readonly problem: string };

export class CheckpointStore {
  /** The tailed file, as an absolute path: the key of this checkpoint. */
  readonly file: string;
  /** The state file. One per tailed path, so several agents can share a state directory. */
  readonly path: string;
  /** Short hash of the tailed path: names this file's state (checkpoint, disk buffer) inside the state directory. */
  readonly key: string;
  private readonly stateDir: string;
  private saving: Promise<void> = Promise.resolve();

  constructor(stateDir: string, file: string) {
    this.stateDir = resolve(stateDir);
    this.file = resolve(file);
    this.key = createHash('sha256').update(this.file).digest('hex').slice(0, 16);
    this.path = join(this.stateDir, `checkpoint-${this.key}.json`);
  }

  async load(): Promise<CheckpointLoad> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
      return { status: 'invalid', problem: `cannot read ${this.path}: ${describeError(err)}` };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { status: 'invalid', problem: `${this.path} is not valid JSON` };
    }
    const parsed = CheckpointSchema.safeParse(json);
    if (!parsed.success) return { status: 'invalid', problem: `${this.path} has an unexpected shape: ${parsed.error.message}` };
    if (parsed.data.file !== this.file) {
      return { status: 'invalid', problem: `${this.path} belongs to ${parsed.data.file}, not ${this.file}` };
    }
    return { status: 'found', checkpoint: parsed.data };
  }

  /**
   * Writes the checkpoint atomically: temp file, fsync, rename, then fsync the directory so the rename itself
   * survives a power cut. Saves are serialised; a crash leaves either the old or the new state, never half of one.
   */
  save(position: FilePosition, at: Date = new Date()): Promise<void> {
    const run = this.saving.then(() => this.write(position, at));
    this.saving = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every save requested so far has finished (successfully or not). */
  async settled(): Promise<void> {
    await this.saving;
  }

  // Synchronous: a save is eight small file operations per batch, and through the thread pool their wake-ups cost
  // more CPU than the I/O (see sync-io.ts). The returned promise still settles in order and rejects as before.
  private write(position: FilePosition, at: Date): void {
    const checkpoint: Checkpoint = {
      version: 1,
      file: this.file,
      dev: position.identity.dev,
      ino: position.identity.ino,
      ...(position.identity.fp === undefined ? {} : { fp: position.identity.fp }),
      offset: position.offset,
      updatedAt: at.toISOString(),
    };
    const data = Buffer.from(`${JSON.stringify(checkpoint)}\n`, 'utf8');
    const temp = `${this.path}.${process.pid}.tmp`;
    try {
      try {
        writeFileQuickSync(temp, data, { durable: true });
      } catch (err) {
        // The state directory exists after start(); it is only missing if someone removed it since. Checking for it
        // on every save cost a syscall per batch, so it is recreated only when a write finds it gone.
        if (!isNotFound(err)) throw err;
        mkdirSync(this.stateDir, { recursive: true });
        writeFileQuickSync(temp, data, { durable: true });
      }
      renameSync(temp, this.path);
    } catch (err) {
      try {
        rmSync(temp, { force: true });
      } catch {
        // The save failed already; a leftover temp file is harmless and reported by nothing.
      }
      throw new AgentError('CHECKPOINT_FAILED', `Could not write checkpoint ${this.path}: ${describeError(err)}`, { cause: err });
    }
    syncDirectorySync(this.stateDir);
  }
}

/**
 * Where to start reading the file found at start-up:
 * - same file as the checkpoint (inode and first bytes): its offset;
 * - the same inode now shorter or with other first bytes (truncated or rewritten while we were stopped), or another
 *   file (rotated while stopped): 0, after the tailer has read the checkpointed file's rest from its rotated copy
 *   if one is still beside it (`recover`);
 * - no checkpoint: the beginning or the end, per `fromBeginning` (a kiosk's first run skips old history).
 */
export function decideStart(checkpoint: Checkpoint | undefined, fromBeginning: boolean, identity: FileIdentity, size: number): StartDecision {
  if (checkpoint !== undefined) {
    const saved: FilePosition = {
      identity: { dev: checkpoint.dev, ino: checkpoint.ino, ...(checkpoint.fp === undefined ? {} : { fp: checkpoint.fp }) },
      offset: checkpoint.offset,
    };
    if (sameFile(identity, saved.identity) && checkpoint.offset <= size) return { offset: checkpoint.offset, reason: 'resume' };
    return { offset: 0, reason: sameIdentity(identity, saved.identity) ? 'truncated' : 'rotated', recover: saved };
  }
  return fromBeginning ? { offset: 0, reason: 'beginning' } : { offset: size, reason: 'end' };
}
