// The test side of the secrets/PAN sweep (issue 7). Jest's global setup creates a sweep directory and names it in
// STACKLENS_SWEEP_DIR, which workers and the processes they spawn inherit. The test helpers copy everything the
// product puts out (runtime log lines, HTTP responses, WebSocket messages, stored items, what the Jira double
// receives) into it, tests register the secrets they hand the product, and the global teardown searches every copy
// for card numbers and for those secrets. Without the variable (a bench run through tsx) every call here does nothing.

import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export const SWEEP_DIR_ENV = 'STACKLENS_SWEEP_DIR';
/** Copies of what the product put out: everything in here is scanned. */
export const CAPTURED_DIR = 'captured';
/** The sweep's own bookkeeping (the registered secrets above all): never scanned. */
export const META_DIR = 'meta';
export const SECRETS_FILE = 'secrets.tsv';
export const STACKS_STARTED_FILE = 'stacks-started.txt';
export const STACKS_DUMPED_FILE = 'stacks-dumped.txt';

/** A secret shorter than this would be found in ordinary text and prove nothing. */
export const MIN_SECRET_BYTES = 8;

export type CaptureKind = 'log' | 'response' | 'ws' | 'items' | 'stored' | 'jira' | 'agent' | 'console' | 'stdout';

export function sweepDir(): string | undefined {
  const dir = process.env[SWEEP_DIR_ENV];
  return dir === undefined || dir === '' ? undefined : dir;
}

const madeDirs = new Set<string>();

function ensureDir(dir: string): string {
  if (!madeDirs.has(dir)) {
    mkdirSync(dir, { recursive: true });
    madeDirs.add(dir);
  }
  return dir;
}

let testFile: string | undefined;

/**
 * The running test file relative to the working directory, as a file name part; a hit then names its test. Jest gives
 * each test file its own copy of this module, so the name is looked up once: a capture arriving after the file ended
 * (a late response, a worker's stream) must not touch that file's torn-down globals.
 */
export function currentTestFile(): string {
  if (testFile === undefined) {
    const state = (globalThis as { expect?: { getState?: () => { testPath?: string } } }).expect?.getState?.();
    testFile = sourceName(state?.testPath);
  }
  return testFile;
}

/** A test file's path as the first part of a capture file's name. */
export function sourceName(testPath: string | undefined): string {
  return (testPath === undefined ? 'outside-a-test' : path.relative(process.cwd(), testPath)).replace(/[^A-Za-z0-9._-]+/g, '_');
}

/**
 * Appends one record of product output. `label` (method, path, status…) becomes a `### ` line before it; `source`
 * names the test file when the caller is not running inside it (a reporter in jest's main process).
 */
export function capture(kind: CaptureKind, data: string | Uint8Array, label?: string, source?: string): void {
  const dir = sweepDir();
  if (dir === undefined) return;
  const file = path.join(ensureDir(path.join(dir, CAPTURED_DIR)), `${source ?? currentTestFile()}.${kind}.${process.pid}.txt`);
  if (label !== undefined) appendFileSync(file, `### ${label}\n`);
  appendFileSync(file, data);
  appendFileSync(file, '\n');
}

const registered = new Set<string>();

/**
 * Names a value that must never appear in anything the product puts out (a password, a Jira API token, a signing
 * key). Binary keys are searched for as bytes, base64, base64url and hex; text also JSON- and URL-encoded.
 */
export function registerSecret(value: string | Uint8Array, label = currentTestFile()): void {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  if (bytes.byteLength < MIN_SECRET_BYTES) {
    throw new Error(`registerSecret(${label}): a secret of ${bytes.byteLength} bytes would match ordinary text; register ${MIN_SECRET_BYTES} bytes or more`);
  }
  const dir = sweepDir();
  if (dir === undefined) return;
  const encoded = bytes.toString('base64');
  if (registered.has(encoded)) return;
  registered.add(encoded);
  appendFileSync(path.join(ensureDir(path.join(dir, META_DIR)), SECRETS_FILE), `${encoded}\t${label.replace(/[\t\n]/g, ' ')}\n`);
}

/** Bookkeeping for the teardown's check that the capture points really captured something. */
export function noteSweepEvent(file: typeof STACKS_STARTED_FILE | typeof STACKS_DUMPED_FILE, id: string): void {
  const dir = sweepDir();
  if (dir === undefined) return;
  appendFileSync(path.join(ensureDir(path.join(dir, META_DIR)), file), `${id}\n`);
}
