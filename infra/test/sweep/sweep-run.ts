// Jest's global setup and teardown for the secrets/PAN sweep (see infra/test/helpers/sweep.ts). The teardown fails
// the run on any card number or registered secret in the captured output, and also when stacks were started but no
// table dump was captured: a sweep over nothing would pass whatever the product did.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CAPTURED_DIR, META_DIR, SECRETS_FILE, STACKS_DUMPED_FILE, STACKS_STARTED_FILE, SWEEP_DIR_ENV } from '../helpers/sweep.js';
import { scanDirectory, type Secret } from './scanner.js';

/** Set to keep the captured output after a failed sweep, to look at it. */
const KEEP_ENV = 'STACKLENS_SWEEP_KEEP';

export function setupSweep(): void {
  // Workers are forked after the global setup, so they and every process a test spawns inherit the variable.
  process.env[SWEEP_DIR_ENV] = mkdtempSync(path.join(os.tmpdir(), 'stacklens-sweep-'));
}

function lines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line !== '');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The registered secrets, once each (every worker registers the shared ones again). */
export function readSecrets(dir: string): Secret[] {
  const labels = new Map<string, Set<string>>();
  for (const line of lines(path.join(dir, META_DIR, SECRETS_FILE))) {
    const [encoded = '', label = ''] = line.split('\t');
    labels.set(encoded, (labels.get(encoded) ?? new Set()).add(label));
  }
  return [...labels].map(([encoded, names]) => ({ bytes: Buffer.from(encoded, 'base64'), label: [...names].join(' / ') }));
}

export interface SweepReport {
  readonly summary: string;
  readonly details: string[];
  readonly failures: string[];
}

export function sweep(dir: string): SweepReport {
  const secrets = readSecrets(dir);
  const scan = scanDirectory(path.join(dir, CAPTURED_DIR), secrets);
  const pans = scan.hits.filter((hit) => hit.kind === 'pan');
  const leaked = scan.hits.filter((hit) => hit.kind === 'secret');
  const started = lines(path.join(dir, META_DIR, STACKS_STARTED_FILE)).length;
  const dumped = lines(path.join(dir, META_DIR, STACKS_DUMPED_FILE)).length;
  const kinds = Object.entries(scan.kinds)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  const failures: string[] = [];
  if (scan.hits.length > 0) failures.push(`${pans.length} PAN(s) and ${leaked.length} secret(s) found in captured output`);
  if (started > 0 && dumped === 0) failures.push(`${started} test stack(s) started but no table dump was captured: the sweep would be vacuous`);
  return {
    summary: `sweep: ${scan.files} files, ${scan.bytes} bytes scanned; ${pans.length} PANs, ${leaked.length} secrets`,
    details: [
      `sweep: files by kind: ${kinds || 'none'}; ${secrets.length} registered secrets; ${started} stacks started, ${dumped} table dumps`,
      ...scan.hits.map((hit) => `sweep: ${hit.what} in ${hit.file} at byte ${hit.offset}: ${hit.excerpt}`),
    ],
    failures,
  };
}

export function teardownSweep(): void {
  const dir = process.env[SWEEP_DIR_ENV];
  if (dir === undefined || dir === '') throw new Error(`sweep: ${SWEEP_DIR_ENV} is not set; the global setup did not run`);
  let report: SweepReport;
  try {
    report = sweep(dir);
  } finally {
    if (!process.env[KEEP_ENV]) rmSync(dir, { recursive: true, force: true });
  }
  process.stderr.write(`\n${report.summary}\n${report.details.join('\n')}\n`);
  if (report.failures.length > 0) {
    const kept = process.env[KEEP_ENV] ? ` (kept in ${dir})` : ` (set ${KEEP_ENV}=1 to keep the captured output)`;
    throw new Error(`${report.failures.join('; ')}${kept}`);
  }
}
