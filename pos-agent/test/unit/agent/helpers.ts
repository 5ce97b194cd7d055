// Shared test helpers for the agent: temp dirs, condition polling, factories for lines and records.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileIdentity, LogRecord, TailLine } from '../../../src/agent/types.js';

export async function makeTempDir(prefix = 'stacklens-agent-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Polls `condition` until it holds; fails with `description` after a generous deadline (not a timing assertion). */
export async function waitFor(condition: () => boolean | Promise<boolean>, description: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for: ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const TEST_IDENTITY: FileIdentity = { dev: '1', ino: '42' };

export function tailLine(text: string, offset: number, readAt = 1_000): TailLine {
  const start = Math.max(0, offset - Buffer.byteLength(text, 'utf8') - 1);
  return { text, position: { identity: TEST_IDENTITY, offset }, start, truncatedBytes: 0, readAt };
}

export function logRecord(text: string, offset: number, readAt = Date.now()): LogRecord {
  const origin = { identity: TEST_IDENTITY, offset: Math.max(0, offset - Buffer.byteLength(text, 'utf8') - 1) };
  return { text, lineCount: text.split('\n').length, position: { identity: TEST_IDENTITY, offset }, origin, readAt };
}
