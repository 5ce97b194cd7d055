import { spawn } from 'node:child_process';
import { z } from 'zod';

// `npm run audit`: known advisories against the production dependencies (`npm audit --omit=dev`) and registry
// signatures / provenance attestations of every installed package (`npm audit signatures`). Either source can be out
// of reach — a registry mirror that answers only GET and HEAD refuses the advisory POST with 405, and signature checks
// need Sigstore's TUF repository plus a registry that serves its keys and `dist.signatures` — and then this says so and
// exits with its own code: a check that could not run is never reported as passed.

export const EXIT = {
  /** Every source answered and nothing at or above the threshold was found. */
  clean: 0,
  /** An advisory at or above the threshold, or an invalid or missing signature. */
  findings: 1,
  /** Nothing was found, but at least one source could not be asked: the result is unknown, not clean. */
  unavailable: 3,
} as const;

const SEVERITIES = ['info', 'low', 'moderate', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface CheckOutcome {
  readonly check: 'advisories' | 'signatures';
  readonly status: 'clean' | 'findings' | 'unavailable';
  readonly lines: readonly string[];
}

// npm audit --json, report version 2 (npm 7 and later). Only the fields read here are required.
const viaSchema = z.union([z.string(), z.object({ title: z.string().optional(), url: z.string().optional(), severity: z.string().optional() }).loose()]);
const auditReportSchema = z
  .object({
    auditReportVersion: z.number(),
    vulnerabilities: z.record(
      z.string(),
      z.object({ name: z.string(), severity: z.enum(SEVERITIES), range: z.string().optional(), via: z.array(viaSchema).default([]) }).loose(),
    ),
    metadata: z.object({ vulnerabilities: z.record(z.string(), z.number()) }).loose(),
  })
  .loose();
// What npm prints with --json when the request itself failed.
const npmErrorSchema = z
  .object({
    message: z.string().optional(),
    statusCode: z.number().optional(),
    error: z.object({ code: z.string().optional(), summary: z.string().optional() }).loose().optional(),
  })
  .loose();
const signatureReportSchema = z
  .object({
    invalid: z.array(z.object({ name: z.string(), version: z.string().optional(), code: z.string().optional() }).loose()),
    missing: z.array(z.object({ name: z.string(), version: z.string().optional() }).loose()),
  })
  .loose();

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function failureReason(stdout: string, stderr: string): string {
  const error = npmErrorSchema.safeParse(parseJson(stdout));
  if (error.success) {
    const { message, statusCode, error: inner } = error.data;
    const reason = [inner?.code, statusCode === undefined ? undefined : `HTTP ${statusCode}`, message ?? inner?.summary].filter(Boolean).join(': ');
    if (reason) return reason;
  }
  const npmLines = stderr
    .split('\n')
    .filter((line) => line.startsWith('npm error') && !line.includes('complete log of this run'))
    .map((line) => line.replace(/^npm error\s*/, ''));
  return npmLines.slice(0, 4).join(' / ') || stderr.trim().slice(-400) || 'no output';
}

/** Reads `npm audit --json`: findings at or above `threshold`, or why there is no report at all. */
export function judgeAdvisoryAudit(stdout: string, stderr: string, threshold: Severity = 'high'): CheckOutcome {
  const report = auditReportSchema.safeParse(parseJson(stdout));
  if (!report.success) {
    return {
      check: 'advisories',
      status: 'unavailable',
      lines: [`advisory database not reachable, so NOT checked: ${failureReason(stdout, stderr)}`],
    };
  }
  const floor = SEVERITIES.indexOf(threshold);
  const counts = SEVERITIES.map((severity) => `${report.data.metadata.vulnerabilities[severity] ?? 0} ${severity}`).join(', ');
  const serious = Object.values(report.data.vulnerabilities).filter((v) => SEVERITIES.indexOf(v.severity) >= floor);
  if (serious.length === 0) return { check: 'advisories', status: 'clean', lines: [`no advisory at ${threshold} or above (${counts})`] };
  return {
    check: 'advisories',
    status: 'findings',
    lines: [
      `${serious.length} vulnerable package(s) at ${threshold} or above (${counts}):`,
      ...serious.map((v) => {
        const advisories = v.via.filter((via) => typeof via !== 'string').map((via) => [via.title, via.url].filter(Boolean).join(' '));
        const through = v.via.filter((via): via is string => typeof via === 'string');
        const detail = advisories.length > 0 ? advisories.join('; ') : `through ${through.join(', ')}`;
        return `  ${v.severity} ${v.name}${v.range ? ` ${v.range}` : ''}: ${detail}`;
      }),
    ],
  };
}

/** Reads `npm audit signatures --json`: invalid or missing signatures, or why verification could not run. */
export function judgeSignatureAudit(stdout: string, stderr: string): CheckOutcome {
  const report = signatureReportSchema.safeParse(parseJson(stdout));
  if (!report.success) {
    return {
      check: 'signatures',
      status: 'unavailable',
      lines: [`registry signatures could not be verified, so NOT checked: ${failureReason(stdout, stderr)}`],
    };
  }
  const { invalid, missing } = report.data;
  if (invalid.length === 0 && missing.length === 0)
    return { check: 'signatures', status: 'clean', lines: ['every registry signature and attestation verified'] };
  const name = (p: { name: string; version?: string | undefined }) => `${p.name}@${p.version ?? '?'}`;
  return {
    check: 'signatures',
    status: 'findings',
    lines: [
      ...invalid.map((p) => `  invalid ${p.code ?? 'signature'}: ${name(p)}`),
      ...missing.map((p) => `  missing signature although the registry provides keys: ${name(p)}`),
    ],
  };
}

/** Findings outrank an unreachable source: a known-bad package matters whatever else could not be checked. */
export function exitCodeFor(outcomes: readonly CheckOutcome[]): number {
  if (outcomes.some((o) => o.status === 'findings')) return EXIT.findings;
  if (outcomes.some((o) => o.status === 'unavailable')) return EXIT.unavailable;
  return EXIT.clean;
}

export interface NpmRun {
  readonly stdout: string;
  readonly stderr: string;
}

export type NpmRunner = (args: readonly string[]) => Promise<NpmRun>;

export const runNpm: NpmRunner = (args) =>
  new Promise((resolve, reject) => {
    const child = spawn('npm', [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    // npm's exit code mixes "found something" with "could not ask"; the JSON tells them apart, so it is not used.
    child.on('close', () => resolve({ stdout, stderr }));
  });

// One quick retry instead of npm's default backoff (which spends over a minute on an unreachable host).
const FETCH_RETRY = ['--fetch-retries=1', '--fetch-retry-mintimeout=1000', '--fetch-retry-maxtimeout=2000'];

export async function auditSupplyChain(run: NpmRunner = runNpm): Promise<CheckOutcome[]> {
  const advisories = await run(['audit', '--omit=dev', '--audit-level=high', '--json', ...FETCH_RETRY]);
  // Every installed package, dev tools included: they run on developer machines and in CI, where a tampered tarball hurts too.
  const signatures = await run(['audit', 'signatures', '--json', ...FETCH_RETRY]);
  return [judgeAdvisoryAudit(advisories.stdout, advisories.stderr, 'high'), judgeSignatureAudit(signatures.stdout, signatures.stderr)];
}

export function formatOutcomes(outcomes: readonly CheckOutcome[]): string {
  const label = { clean: 'ok', findings: 'FAIL', unavailable: 'NOT CHECKED' } as const;
  const lines = outcomes.flatMap((o) => [`${o.check}: ${label[o.status]}`, ...o.lines.map((line) => `  ${line}`)]);
  const code = exitCodeFor(outcomes);
  lines.push(
    code === EXIT.clean
      ? 'supply-chain audit passed'
      : code === EXIT.findings
        ? `supply-chain audit FAILED (exit ${code})`
        : `supply-chain audit INCOMPLETE: a source was unreachable, nothing was proven (exit ${code})`,
  );
  return `${lines.join('\n')}\n`;
}
