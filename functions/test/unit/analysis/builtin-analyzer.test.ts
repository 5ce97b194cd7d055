import { describe, expect, it } from '@jest/globals';
import { analyzeRecord } from '../../../src/domain/analyze.js';
import { builtinAnalysis, createBuiltinAnalyzer, MAX_SUGGESTIONS } from '../../../src/domain/analysis/builtin-analyzer.js';
import { extractEvidence } from '../../../src/domain/analysis/evidence.js';
import { KNOWLEDGE_BASE } from '../../../src/domain/analysis/knowledge-base.js';
import type { AnalysisInput } from '../../../src/domain/analysis/types.js';
import { knownCode } from '../../../src/domain/catalog.js';
import { formatRecord } from '../../../../pos-agent/src/demo-pos/log-format.js';
import { seededRandom } from '../../../../pos-agent/src/demo-pos/random.js';
import { SCENARIOS, scenarioRecord } from '../../../../pos-agent/src/demo-pos/scenarios.js';
import { incident, past, PAYMENT_TIMEOUT_SAMPLE, PAYMENT_TIMEOUT_TEMPLATE } from './fixtures.js';

const NOW = new Date('2026-11-26T13:00:00.000Z');
const analyzer = createBuiltinAnalyzer({ now: () => NOW });

const knownWithEvidence: AnalysisInput = {
  incident: incident({ code: 'PAYMENT_TIMEOUT', template: PAYMENT_TIMEOUT_TEMPLATE, sample: PAYMENT_TIMEOUT_SAMPLE }),
  samples: [PAYMENT_TIMEOUT_SAMPLE],
  pastIncidents: [],
};
const knownWithoutEvidence: AnalysisInput = {
  incident: incident({
    code: 'PAYMENT_TIMEOUT',
    template: 'Tender failed',
    sample: '[2026-11-26T12:45:10.000Z] [ERROR] Tender failed | {"code":"PAYMENT_TIMEOUT"}',
  }),
  samples: [],
  pastIncidents: [],
};
const categoryOnly: AnalysisInput = {
  incident: incident({ code: 'LABEL_PRINTER_OFFLINE', category: 'hardware', template: 'Label printer offline', sample: 'Label printer offline' }),
  samples: ['[2026-11-26T12:45:10.000Z] [ERROR] Label printer offline'],
  pastIncidents: [],
};
const generic: AnalysisInput = {
  incident: incident({ code: 'UNCLASSIFIED_ERROR', category: 'application', template: 'Something went wrong', sample: 'Something went wrong' }),
  samples: ['[2026-11-26T12:45:10.000Z] [ERROR] Something went wrong'],
  pastIncidents: [],
};

describe('built-in analyzer: confidence', () => {
  it('orders known code with evidence > known code > category fallback > generic', async () => {
    const [a, b, c, d] = await Promise.all([knownWithEvidence, knownWithoutEvidence, categoryOnly, generic].map((input) => analyzer.analyze(input)));
    expect(a?.confidence).toBeGreaterThanOrEqual(0.8);
    expect(a?.confidence).toBeLessThanOrEqual(0.9);
    expect(b?.confidence).toBeCloseTo(0.7, 2);
    expect(c?.confidence).toBeGreaterThanOrEqual(0.4);
    expect(c?.confidence).toBeLessThanOrEqual(0.5);
    expect(d?.confidence).toBeLessThanOrEqual(0.3);
    expect((a?.confidence ?? 0) > (b?.confidence ?? 1) && (b?.confidence ?? 0) > (c?.confidence ?? 1) && (c?.confidence ?? 0) > (d?.confidence ?? 1)).toBe(
      true,
    );
  });

  it('says why in one sentence naming the code and what corroborated it', async () => {
    const strong = await analyzer.analyze(knownWithEvidence);
    expect(strong.confidenceReason).toMatch(/^Known POS code PAYMENT_TIMEOUT .*corroborated by "SocketTimeoutException"/);
    const weak = await analyzer.analyze(knownWithoutEvidence);
    expect(weak.confidenceReason).toMatch(/nothing in the samples confirms/);
    const vague = await analyzer.analyze(generic);
    expect(vague.confidenceReason).toMatch(/^Unclassified error with no runbook match/);
    for (const reason of [strong, weak, vague].map((r) => r.confidenceReason)) expect(reason.split(/\.\s/).length).toBe(1);
  });

  it('raises confidence a little for a resolved past incident with the same code, and names it', async () => {
    const history = [past('old-timeout', 'PAYMENT_TIMEOUT', PAYMENT_TIMEOUT_TEMPLATE, 'resolved')];
    const withHistory = await analyzer.analyze({ ...knownWithEvidence, pastIncidents: history });
    const without = await analyzer.analyze(knownWithEvidence);
    expect(withHistory.confidence - without.confidence).toBeCloseTo(0.05, 5);
    expect(withHistory.confidence).toBeLessThanOrEqual(0.9);
    expect(withHistory.confidenceReason).toContain('old-timeout');
    expect(withHistory.suggestions).toContain('Compare with resolved incident old-timeout (Payment Gateway Timeout): its fix may apply here.');
  });

  it('never lets history lift a category fallback above its band', async () => {
    const history = [past('p', 'LABEL_PRINTER_OFFLINE', 'Label printer offline', 'resolved', 'hardware')];
    const result = await analyzer.analyze({ ...categoryOnly, pastIncidents: history });
    expect(result.confidence).toBeLessThanOrEqual(0.5);
  });
});

describe('built-in analyzer: content', () => {
  it('summarises what, how often, where and when', async () => {
    const { summary } = await analyzer.analyze(knownWithEvidence);
    expect(summary).toBe(
      'Payment Gateway Timeout (PAYMENT_TIMEOUT, critical) occurred 42 times across 3 stores (store-001: 30, store-002: 10, store-007: 2) between 2026-11-26 12:00:00 and 12:45:10 UTC.',
    );
  });

  it('summarises a single occurrence at a single store', async () => {
    const input = {
      ...knownWithEvidence,
      incident: incident({
        code: 'PRINTER_JAM',
        occurrences: 1,
        storeCounts: { 'store-042': 1 },
        firstSeen: '2026-11-26T09:15:00.000Z',
        lastSeen: '2026-11-26T09:15:00.000Z',
      }),
    };
    expect((await analyzer.analyze(input)).summary).toBe(
      'Receipt Printer Paper Jam (PRINTER_JAM, medium) occurred once at store store-042 at 2026-11-26 09:15:00 UTC.',
    );
  });

  it('refines the knowledge-base cause with the exception, timeout and host found in the samples', async () => {
    const { rootCause } = await analyzer.analyze(knownWithEvidence);
    expect(rootCause.startsWith(KNOWLEDGE_BASE.PAYMENT_TIMEOUT?.likelyCause ?? '?')).toBe(true);
    expect(rootCause).toContain('exception java.net.SocketTimeoutException');
    expect(rootCause).toContain('timed out after 30012 ms');
    expect(rootCause).toContain('host gw.example-payments.com');
  });

  it('reads which side is at fault from an HTTP status when only the category is known', async () => {
    const input: AnalysisInput = {
      incident: incident({ code: 'LOYALTY_SYNC_BROKEN', category: 'integration' }),
      samples: ['[2026-11-26T12:45:10.000Z] [ERROR] Points push failed: HTTP 503 from https://points.example.com/v1/push'],
      pastIncidents: [],
    };
    const result = await analyzer.analyze(input);
    expect(result.rootCause).toContain('The upstream service (points.example.com) itself answered HTTP 503');
    expect(result.confidence).toBe(0.45);
  });

  it('suggests checks then fixes, deduplicated, at most eight, ending with who to escalate to', async () => {
    const { suggestions } = await analyzer.analyze(knownWithEvidence);
    const entry = KNOWLEDGE_BASE.PAYMENT_TIMEOUT;
    expect(suggestions.length).toBeLessThanOrEqual(MAX_SUGGESTIONS);
    expect(new Set(suggestions.map((s) => s.toLowerCase())).size).toBe(suggestions.length);
    expect(suggestions[0]).toBe(entry?.checks[0]);
    expect(suggestions).toContain(entry?.fixSteps[0]);
    expect(suggestions).toContain('Escalate to payments gateway integration if these steps do not clear it.');
  });

  it('lists similar past incidents without internal fields, or none when nothing is close', async () => {
    const history = [
      past('a', 'PAYMENT_TIMEOUT', 'GatewayTimeoutException: authorize <id> did not complete within <duration>', 'resolved'),
      past('b', 'PRINTER_JAM', 'Receipt printer TM-T88VI at <id> reported paper jam (status <hex>)'),
    ];
    const result = await analyzer.analyze({ ...knownWithEvidence, pastIncidents: history });
    expect(result.similarIncidents).toEqual([{ id: 'a', code: 'PAYMENT_TIMEOUT', title: 'Payment Gateway Timeout', similarity: 1 }]);
    const lonely = await analyzer.analyze({ ...knownWithEvidence, pastIncidents: [history[1] ?? history[0]!] });
    expect(lonely.similarIncidents).toEqual([]);
  });

  it('is deterministic apart from timing, and stamps analyzedAt from the injected clock', async () => {
    const first = await analyzer.analyze(knownWithEvidence);
    const second = await analyzer.analyze(knownWithEvidence);
    const strip = ({ analyzedAt: _a, durationMs: _d, ...rest }: typeof first) => rest;
    expect(strip(first)).toEqual(strip(second));
    expect(first.analyzedAt).toBe('2026-11-26T13:00:00.000Z');
    expect(first.source).toBe('builtin');
    expect(first.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('masks card data and e-mail addresses that slipped into incident fields', async () => {
    const input: AnalysisInput = {
      ...knownWithEvidence,
      incident: incident({ code: 'PAYMENT_TIMEOUT', title: 'Timeout for card 4111111111111111 (ann@example.com)' }),
    };
    const { summary } = await analyzer.analyze(input);
    expect(summary).toContain('411111******1111');
    expect(summary).toContain('<email>');
    expect(summary).not.toContain('4111111111111111');
  });
});

describe('built-in analyzer: odd input', () => {
  it.each([
    ['no input', undefined],
    ['a null incident', { incident: null, samples: [], pastIncidents: [] }],
    ['an incident of the wrong type', { incident: 42, samples: 'nope', pastIncidents: {} }],
    ['an incident with missing fields', { incident: { code: 'PAYMENT_TIMEOUT' }, samples: [null, 5, ''], pastIncidents: [null] }],
    ['non-numeric counts', { incident: { code: 'X', occurrences: 'many', storeCounts: { a: 'b', c: Number.NaN } }, samples: [], pastIncidents: [] }],
  ])('answers for %s without throwing', async (_what, input) => {
    const result = await analyzer.analyze(input as unknown as AnalysisInput);
    expect(result.source).toBe('builtin');
    expect(result.summary.length).toBeGreaterThan(0);
    expect(result.confidence).toBeGreaterThanOrEqual(0);
    expect(result.confidence).toBeLessThanOrEqual(1);
  });

  it('reads only a bounded prefix of huge samples', () => {
    const huge = `${'x'.repeat(2_000_000)} SocketTimeoutException`;
    const result = builtinAnalysis({ ...knownWithoutEvidence, samples: [huge] });
    expect(result.confidence).toBe(0.7);
  });
});

describe('evidence extraction', () => {
  it('takes the qualified exception name once, HTTP statuses, errno and SQLSTATE, and skips stack-frame file names as hosts', () => {
    const facts = extractEvidence([
      'raise HTTPError(http_error_msg)\nrequests.exceptions.HTTPError: 502 Server Error: Bad Gateway for url: https://hq.example-retail.com/api',
      'Error: connect ECONNREFUSED 10.0.0.5:5432\n    at async OrderRepository.save (/opt/acme-pos/dist/order-repository.js:63:20) | {"sqlState":"40P01"}',
    ]).map((fact) => fact.label);
    expect(facts).toEqual([
      'exception requests.exceptions.HTTPError',
      'HTTP 502',
      'errno ECONNREFUSED',
      'SQLSTATE 40P01',
      'host hq.example-retail.com',
      'host 10.0.0.5:5432',
    ]);
  });

  it('does not take a rate-limit window for a timeout', () => {
    expect(extractEvidence(['Operator account E-01234 locked after 5 failed logins within 300s'])).toEqual([]);
  });
});

describe('built-in analyzer on the demo POS failure catalogue', () => {
  it('finds corroborating evidence for every scenario the demo POS produces', () => {
    const rand = seededRandom(20261126);
    const weak: string[] = [];
    for (const scenario of SCENARIOS) {
      const text = formatRecord(
        scenarioRecord(scenario, { storeId: 'store-001', kioskId: 'kiosk-01', orderId: 'ORD-20261126-000123', now: new Date('2026-11-26T12:00:00Z'), rand }),
      ).trimEnd();
      const record = analyzeRecord(text);
      const known = knownCode(record.code);
      const result = builtinAnalysis({
        incident: incident({ id: record.fingerprint, code: record.code, template: record.template, sample: text, ...(known ? { title: known.title } : {}) }),
        samples: [text],
        pastIncidents: [],
      });
      if (result.confidence < 0.8 || record.code !== scenario.code) weak.push(`${scenario.name}: ${record.code} ${result.confidence}`);
    }
    expect(weak).toEqual([]);
  });
});
