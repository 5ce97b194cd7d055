// How `npm run audit` reads npm's answers: an unreachable advisory or signature source must come out as "not checked"
// with its own exit code, never as passed; advisories at or above high and bad signatures as failures.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  auditSupplyChain,
  EXIT,
  exitCodeFor,
  formatOutcomes,
  judgeAdvisoryAudit,
  judgeSignatureAudit,
  type CheckOutcome,
} from '../../../tools/supply-chain/audit.js';

// What npm 11 printed on this project's registry mirror, which only answers GET and HEAD.
const REFUSED_ADVISORY_POST = JSON.stringify({
  message: '405 Method Not Allowed - POST https://registry.example.invalid/-/npm/v1/security/advisories/bulk',
  method: 'POST',
  uri: 'https://registry.example.invalid/-/npm/v1/security/advisories/bulk',
  headers: { allow: ['GET,HEAD'] },
  statusCode: 405,
  body: '',
  error: { summary: '', detail: '' },
});
const UNRESOLVABLE_TUF = JSON.stringify({
  error: {
    code: 'ENOTFOUND',
    summary: 'request to https://tuf.example.invalid/15.root.json failed, reason: getaddrinfo ENOTFOUND tuf.example.invalid',
    detail: '',
  },
});

type Counts = Partial<Record<'info' | 'low' | 'moderate' | 'high' | 'critical' | 'total', number>>;
const auditReport = (vulnerabilities: Record<string, object>, counts: Counts): string =>
  JSON.stringify({
    auditReportVersion: 2,
    vulnerabilities,
    metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0, ...counts }, dependencies: { prod: 120 } },
  });
const WS_ADVISORY = {
  name: 'ws',
  severity: 'high',
  isDirect: true,
  via: [
    { source: 1, name: 'ws', title: 'ws crashes on a request with many HTTP headers', url: 'https://advisories.example.invalid/GHSA-0000', severity: 'high' },
  ],
  effects: ['uses-ws'],
  range: '8.0.0 - 8.17.0',
  nodes: ['node_modules/ws'],
  fixAvailable: true,
};
const USES_WS = {
  name: 'uses-ws',
  severity: 'high',
  isDirect: false,
  via: ['ws'],
  effects: [],
  range: '*',
  nodes: ['node_modules/uses-ws'],
  fixAvailable: true,
};
const MODERATE_ONLY = {
  name: 'slowregex',
  severity: 'moderate',
  isDirect: false,
  via: [{ title: 'ReDoS', url: 'https://advisories.example.invalid/GHSA-1111', severity: 'moderate' }],
  range: '<2',
};

describe('Function: judgeAdvisoryAudit', () => {
  it('reports a refused advisory request as not checked, naming the HTTP status', () => {
    // Act
    const outcome = judgeAdvisoryAudit(REFUSED_ADVISORY_POST, 'npm error audit endpoint returned an error\n');

    // Assess
    expect(outcome.status).toBe('unavailable');
    expect(outcome.lines.join('\n')).toContain('NOT checked: HTTP 405: 405 Method Not Allowed');
    expect(exitCodeFor([outcome])).toBe(EXIT.unavailable);
  });

  it('reports output that is not JSON as not checked, quoting npm’s error lines', () => {
    // Act
    const outcome = judgeAdvisoryAudit(
      '',
      'npm error code ENOTFOUND\nnpm error network request failed\nnpm error A complete log of this run can be found in: /x.log\n',
    );

    // Assess
    expect(outcome).toEqual({ check: 'advisories', status: 'unavailable', lines: [expect.stringContaining('code ENOTFOUND / network request failed')] });
  });

  it('passes a report with nothing at high or above, and fails the same report at a moderate threshold', () => {
    // Prepare
    const report = auditReport({ slowregex: MODERATE_ONLY }, { moderate: 1, total: 1 });

    // Act
    const atHigh = judgeAdvisoryAudit(report, '', 'high');
    const atModerate = judgeAdvisoryAudit(report, '', 'moderate');

    // Assess
    expect(atHigh).toEqual({ check: 'advisories', status: 'clean', lines: ['no advisory at high or above (0 info, 0 low, 1 moderate, 0 high, 0 critical)'] });
    expect(atModerate.status).toBe('findings');
  });

  it('fails on a high advisory, naming the advisory for the package and the path for what depends on it', () => {
    // Prepare
    const report = auditReport({ ws: WS_ADVISORY, 'uses-ws': USES_WS, slowregex: MODERATE_ONLY }, { moderate: 1, high: 2, total: 3 });

    // Act
    const outcome = judgeAdvisoryAudit(report, '');

    // Assess
    expect(outcome.status).toBe('findings');
    expect(outcome.lines).toEqual([
      '2 vulnerable package(s) at high or above (0 info, 0 low, 1 moderate, 2 high, 0 critical):',
      '  high ws 8.0.0 - 8.17.0: ws crashes on a request with many HTTP headers https://advisories.example.invalid/GHSA-0000',
      '  high uses-ws *: through ws',
    ]);
  });

  it('never throws and never calls arbitrary output clean', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), fc.string(), (stdout, stderr) => {
        // Act
        const outcome = judgeAdvisoryAudit(stdout, stderr);

        // Assess
        expect(outcome.status).toBe('unavailable');
      }),
      { numRuns: 300 },
    );
  });
});

describe('Function: judgeSignatureAudit', () => {
  it.each([
    ['an unreachable TUF repository', UNRESOLVABLE_TUF, 'unavailable', 'NOT checked: ENOTFOUND: request to https://tuf.example.invalid'],
    ['all signatures verified', JSON.stringify({ invalid: [], missing: [] }), 'clean', 'every registry signature and attestation verified'],
    [
      'an invalid signature',
      JSON.stringify({ invalid: [{ name: 'left-pad', version: '1.3.0', code: 'EINTEGRITYSIGNATURE' }], missing: [] }),
      'findings',
      'invalid EINTEGRITYSIGNATURE: left-pad@1.3.0',
    ],
    [
      'a missing signature',
      JSON.stringify({ invalid: [], missing: [{ name: 'left-pad', version: '1.3.0' }] }),
      'findings',
      'missing signature although the registry provides keys: left-pad@1.3.0',
    ],
  ])('reads %s as %s', (_case, stdout, status, line) => {
    // Act
    const outcome = judgeSignatureAudit(stdout, '');

    // Assess
    expect(outcome.status).toBe(status);
    expect(outcome.lines.join('\n')).toContain(line);
  });
});

describe('Function: exitCodeFor', () => {
  const outcome = (status: CheckOutcome['status']): CheckOutcome => ({ check: 'advisories', status, lines: [] });

  it.each([
    [['clean', 'clean'], EXIT.clean],
    [['clean', 'unavailable'], EXIT.unavailable],
    [['unavailable', 'unavailable'], EXIT.unavailable],
    [['findings', 'unavailable'], EXIT.findings],
    [['clean', 'findings'], EXIT.findings],
  ] as const)('exits %j with %i', (statuses, code) => {
    // Act
    const exit = exitCodeFor(statuses.map(outcome));

    // Assess
    expect(exit).toBe(code);
  });

  it('keeps "not checked" apart from both pass and fail', () => {
    // Assess
    expect(new Set([EXIT.clean, EXIT.findings, EXIT.unavailable]).size).toBe(3);
    expect(EXIT.unavailable).not.toBe(0);
  });
});

describe('Function: auditSupplyChain', () => {
  it('asks npm for production advisories at the high level and for signatures, and says plainly when neither answered', async () => {
    // Prepare: npm answering as this project's registry mirror does.
    const calls: string[][] = [];
    const run = async (args: readonly string[]) => {
      calls.push([...args]);
      return args[1] === 'signatures' ? { stdout: UNRESOLVABLE_TUF, stderr: '' } : { stdout: REFUSED_ADVISORY_POST, stderr: '' };
    };

    // Act
    const outcomes = await auditSupplyChain(run);
    const printed = formatOutcomes(outcomes);

    // Assess
    expect(calls[0]).toEqual(expect.arrayContaining(['audit', '--omit=dev', '--audit-level=high', '--json']));
    expect(calls[1]?.slice(0, 3)).toEqual(['audit', 'signatures', '--json']);
    expect(exitCodeFor(outcomes)).toBe(EXIT.unavailable);
    expect(printed).toContain('advisories: NOT CHECKED');
    expect(printed).toContain('signatures: NOT CHECKED');
    expect(printed).toContain('supply-chain audit INCOMPLETE: a source was unreachable, nothing was proven (exit 3)');
    expect(printed).not.toContain('passed');
  });
});
