// Property-based tests of the built-in analysis (domain/analysis/*): evidence extraction, knowledge lookup and
// similarity answer bounded, well-formed results for any stored or sampled data; the built-in analyzer always answers
// and never passes card data on; failures are described by a secret-free label, never by the error's message.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createBuiltinAnalyzer, builtinAnalysis, MAX_SUGGESTIONS } from '../../../src/domain/analysis/builtin-analyzer.js';
import { AnalysisError, ANALYSIS_FAILURE_REASONS, describeAnalysisFailure } from '../../../src/domain/analysis/errors.js';
import { extractEvidence, MAX_EVIDENCE_CHARS, MAX_EVIDENCE_SAMPLES, type EvidenceKind } from '../../../src/domain/analysis/evidence.js';
import { FallbackAnalyzer } from '../../../src/domain/analysis/fallback.js';
import { lookupKnowledge } from '../../../src/domain/analysis/knowledge-base.js';
import { incidentSimilarity, jaccard, MIN_SIMILARITY, similarIncidents, templateTokens } from '../../../src/domain/analysis/similarity.js';
import type { Analysis, AnalysisInput, Analyzer, PastIncident } from '../../../src/domain/analysis/types.js';
import { CATEGORIES, KNOWN_CODES } from '../../../src/domain/catalog.js';
import { INCIDENT_STATUSES, type Incident } from '../../../src/domain/incident.js';
import { looksLikePan } from '../../../src/domain/redact.js';
import { incident as makeIncident, PAYMENT_TIMEOUT_SAMPLE } from '../analysis/fixtures.js';
import { anyJson, hostileText, logFragment } from './arbitraries.js';

const KIND_ORDER: readonly EvidenceKind[] = ['exception', 'httpStatus', 'errno', 'sqlState', 'statusWord', 'responseCode', 'exitCode', 'timeout', 'host'];
const SAFE_LABEL = /^[A-Za-z][A-Za-z0-9_.]{0,63}(?: \([A-Za-z][A-Za-z0-9_.]{0,63}\))?$/;

const evidenceLine = fc
  .array(
    fc.oneof(
      logFragment,
      hostileText(30),
      fc.constantFrom(
        'HTTP 503',
        'status 429',
        'ECONNREFUSED',
        'SQLSTATE 40001',
        'SW 6985',
        'response code 51',
        'exit code 137',
        'timed out after 3000ms',
        'https://gw.example.com/x',
        '"timeoutMs": 5000',
        'db.local:5432',
        '10.0.0.1:443',
        'com.acme.PaymentTimeoutException',
      ),
    ),
    { maxLength: 20 },
  )
  .map((parts) => parts.join(' '));
const sampleList = fc.array(fc.oneof({ weight: 4, arbitrary: evidenceLine }, { weight: 1, arbitrary: anyJson }), { maxLength: 14 });

const codeArb = fc.oneof(
  fc.constantFrom(...KNOWN_CODES.keys()),
  fc.stringMatching(/^[A-Z][A-Z0-9_]{0,40}$/),
  hostileText(80),
  fc.constantFrom('UNCLASSIFIED_ERROR', 'NONE', ''),
);
const pastArb: fc.Arbitrary<PastIncident> = fc.record({
  id: fc.oneof(fc.stringMatching(/^[0-9a-f]{16}$/), fc.constantFrom('inc-current', 'p1', 'p2')),
  code: codeArb,
  title: hostileText(60),
  template: fc.oneof(hostileText(200), evidenceLine),
  status: fc.constantFrom(...INCIDENT_STATUSES),
  category: fc.constantFrom(...CATEGORIES),
});
/** What the store may hand back, including malformed entries. */
const pastListArb = fc.array(fc.oneof({ weight: 6, arbitrary: pastArb }, { weight: 1, arbitrary: anyJson as fc.Arbitrary<unknown> }), {
  maxLength: 20,
}) as fc.Arbitrary<PastIncident[]>;

describe('Property: evidence extraction', () => {
  it('never throws and answers at most six facts, two per kind, most telling kinds first, each with a label', () => {
    fc.assert(
      fc.property(sampleList, (samples) => {
        const facts = extractEvidence(samples);
        expect(facts.length).toBeLessThanOrEqual(6);
        const kinds = facts.map((fact) => KIND_ORDER.indexOf(fact.kind));
        expect(kinds).toEqual([...kinds].sort((a, b) => a - b));
        for (const kind of KIND_ORDER) expect(facts.filter((fact) => fact.kind === kind).length).toBeLessThanOrEqual(2);
        for (const fact of facts) {
          expect(fact.label.length).toBeGreaterThan(0);
          if (fact.kind === 'httpStatus') expect(Number(fact.value)).toBeGreaterThanOrEqual(400);
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('reads only the first ten non-blank text samples and the first 8 KiB of each: anything past that changes nothing', () => {
    const text = evidenceLine.filter((line) => line.trim().length > 0);
    fc.assert(
      fc.property(fc.array(text, { maxLength: 14 }), text, (samples, extra) => {
        const padded = samples.map((text) => `${text.padEnd(MAX_EVIDENCE_CHARS, ' ')}${extra}`);
        const capped = padded.map((text) => text.slice(0, MAX_EVIDENCE_CHARS));
        expect(extractEvidence(padded)).toEqual(extractEvidence(capped));
        if (samples.length >= MAX_EVIDENCE_SAMPLES)
          expect(extractEvidence([...samples.slice(0, MAX_EVIDENCE_SAMPLES), extra])).toEqual(extractEvidence(samples.slice(0, MAX_EVIDENCE_SAMPLES)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('Property: knowledge lookup', () => {
  it('never throws, answers a usable entry, and is a known-tier answer exactly for catalogue codes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          codeArb,
          codeArb.map((code) => code.toLowerCase()),
        ),
        fc.oneof(fc.constantFrom(...CATEGORIES), hostileText(20)),
        (code, category) => {
          const match = lookupKnowledge(code, category);
          expect(match.entry.likelyCause.length).toBeGreaterThan(0);
          expect(match.entry.owner.length).toBeGreaterThan(0);
          expect(match.tier === 'known').toBe(code.length <= 64 && KNOWN_CODES.has(code.toUpperCase()));
          if (match.tier === 'category') expect(match.key).toBe(category);
        },
      ),
      { numRuns: 3_000 },
    );
  });
});

describe('Property: similarity', () => {
  it('tokenises any template into a bounded set of meaningful lower-case words', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          hostileText(400),
          fc.integer({ min: 2_000, max: 50_000 }).map((n) => 'word '.repeat(n / 5)),
          anyJson as fc.Arbitrary<unknown>,
        ),
        (template) => {
          const tokens = templateTokens(template as string);
          expect(tokens.size).toBeLessThanOrEqual(1024);
          for (const token of tokens) {
            expect(token).toMatch(/^[a-z0-9_]{2,}$/);
            expect(token).not.toMatch(/^\d+$/);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('scores similarity symmetrically within 0..1, identical templates fully alike', () => {
    const tokenSet = fc.array(fc.stringMatching(/^[a-z]{2,6}$/), { maxLength: 10 }).map((words) => new Set(words));
    fc.assert(
      fc.property(tokenSet, tokenSet, pastArb, pastArb, (a, b, x, y) => {
        const score = jaccard(a, b);
        expect(score).toBe(jaccard(b, a));
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(1);
        if (a.size > 0) expect(jaccard(a, a)).toBe(1);
        const sim = incidentSimilarity(x, a, y, b);
        expect(sim).toBe(incidentSimilarity(y, b, x, a));
        expect(sim >= 0 && sim <= 1).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('answers at most `limit` distinct other incidents above the threshold, best first, for any stored list', () => {
    fc.assert(
      fc.property(pastArb, pastListArb, fc.integer({ min: -1, max: 6 }), (current, past, limit) => {
        const similar = similarIncidents(current, past, limit);
        expect(similar.length).toBeLessThanOrEqual(Math.max(0, limit));
        expect(new Set(similar.map((s) => s.id)).size).toBe(similar.length);
        for (const s of similar) {
          expect(s.id).not.toBe(current.id);
          expect(s.similarity).toBeGreaterThanOrEqual(Math.round(MIN_SIMILARITY * 1000) / 1000);
          expect(s.similarity).toBeLessThanOrEqual(1);
          expect(Math.round(s.similarity * 1000)).toBeCloseTo(s.similarity * 1000, 6);
        }
        for (let i = 1; i < similar.length; i++) expect((similar[i - 1]?.similarity ?? 0) >= (similar[i]?.similarity ?? 0)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});

const panArb = fc.constantFrom('4111111111111111', '5555555555554444', '4000056655665556', '378282246310005');
/** An incident read back from storage: any field may be missing or of the wrong type. */
const storedIncidentArb = fc
  .record(
    {
      id: fc.oneof(fc.stringMatching(/^[0-9a-f]{16}$/), anyJson),
      code: codeArb,
      title: fc.oneof(
        hostileText(300),
        panArb.map((pan) => `Card ${pan} declined`),
        anyJson,
      ),
      severity: fc.oneof(fc.constantFrom('critical', 'high', 'medium', 'low'), anyJson),
      category: fc.oneof(fc.constantFrom(...CATEGORIES), anyJson),
      template: fc.oneof(hostileText(200), anyJson),
      occurrences: fc.oneof(fc.integer(), fc.double(), anyJson),
      storeCounts: fc.oneof(fc.dictionary(hostileText(20), fc.oneof(fc.integer(), fc.double(), anyJson)), anyJson),
      firstSeen: fc.oneof(
        hostileText(30),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        anyJson,
      ),
      lastSeen: fc.oneof(
        hostileText(30),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        anyJson,
      ),
      sample: fc.oneof(
        evidenceLine,
        panArb.map((pan) => `paid with ${pan}`),
        fc.constant(PAYMENT_TIMEOUT_SAMPLE),
        anyJson,
      ),
    },
    { requiredKeys: [] },
  )
  .map((fields) => fields as unknown as Incident);

function analysisStrings(analysis: Omit<Analysis, 'analyzedAt' | 'durationMs'>): string[] {
  return [analysis.summary, analysis.rootCause, analysis.confidenceReason, ...analysis.suggestions];
}

describe('Property: the built-in analyzer', () => {
  it('always answers, for any stored incident, samples and history, with bounded suggestions and a confidence in 0..1', async () => {
    const analyzer = createBuiltinAnalyzer({ now: () => new Date('2026-11-26T13:00:00.000Z') });
    await fc.assert(
      fc.asyncProperty(storedIncidentArb, sampleList, pastListArb, async (incident, samples, pastIncidents) => {
        const input = { incident, samples, pastIncidents } as AnalysisInput;
        const analysis = await analyzer.analyze(input);
        expect(analysis.source).toBe('builtin');
        expect(analysis.confidence).toBeGreaterThanOrEqual(0);
        expect(analysis.confidence).toBeLessThanOrEqual(1);
        expect(analysis.suggestions.length).toBeGreaterThan(0);
        expect(analysis.suggestions.length).toBeLessThanOrEqual(MAX_SUGGESTIONS);
        for (const text of analysisStrings(analysis)) expect(typeof text).toBe('string');
        expect(analysis.similarIncidents.length).toBeLessThanOrEqual(3);
        expect(analysis.analyzedAt).toBe('2026-11-26T13:00:00.000Z');
      }),
      { numRuns: 1_000 },
    );
  });

  it('analyses any stored incident itself, without needing the last-resort answer for malformed records', () => {
    fc.assert(
      fc.property(storedIncidentArb, sampleList, pastListArb, (incident, samples, pastIncidents) => {
        const analysis = builtinAnalysis({ incident, samples, pastIncidents } as AnalysisInput);
        expect(analysis.rootCause).not.toBe('The incident record could not be analysed; its fields are incomplete or malformed.');
        expect(analysis.summary.length).toBeGreaterThan(0);
      }),
      { numRuns: 1_000 },
    );
  });

  it('is deterministic and passes no card number on, whatever the title and samples hold', () => {
    fc.assert(
      fc.property(panArb, hostileText(60), fc.array(evidenceLine, { maxLength: 3 }), (pan, words, samples) => {
        const incident = makeIncident({
          code: 'PAYMENT_TIMEOUT',
          title: `${words} ${pan} ${words}`,
          sample: `card ${pan} timed out`,
          storeCounts: { [`store ${pan}`]: 3 },
        });
        const input: AnalysisInput = { incident, samples: [...samples, `pan=${pan} HTTP 504`], pastIncidents: [] };
        const analysis = builtinAnalysis(input);
        expect(builtinAnalysis(input)).toEqual(analysis);
        for (const text of analysisStrings(analysis)) {
          expect(text).not.toContain(pan);
          for (const run of text.match(/\d+/g) ?? []) expect(looksLikePan(run)).toBe(false);
        }
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('Property: describing analyzer failures', () => {
  const nameArb = fc.oneof(
    fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.]{0,70}$/),
    hostileText(40),
    fc.constantFrom('ThrottlingException', 'AbortError', 'TimeoutError', 'arn:aws:bedrock:eu-west-1:123456789012:x'),
  );
  const thrownArb = fc.oneof(
    fc.tuple(nameArb, hostileText(100)).map(([name, message]) => Object.assign(new Error(message), { name })),
    fc
      .tuple(fc.constantFrom(...ANALYSIS_FAILURE_REASONS), hostileText(100), nameArb, fc.integer({ min: 100, max: 599 }))
      .map(([reason, message, upstream, httpStatus]) => new AnalysisError(reason, message, { upstream, httpStatus })),
    anyJson as fc.Arbitrary<unknown>,
    fc.record({ name: nameArb, message: hostileText(60) }),
  );

  it('answers a short identifier label that never depends on the error message', () => {
    fc.assert(
      fc.property(thrownArb, hostileText(100), (error, otherMessage) => {
        const label = describeAnalysisFailure(error);
        expect(label).toMatch(SAFE_LABEL);
        if (error instanceof Error) {
          const copy =
            error instanceof AnalysisError
              ? new AnalysisError(error.reason, otherMessage, { ...(error.upstream ? { upstream: error.upstream } : {}) })
              : Object.assign(new Error(otherMessage), { name: error.name });
          expect(describeAnalysisFailure(copy)).toBe(label);
        }
        if (error instanceof AnalysisError) {
          expect(error.code).toBe('DEPENDENCY_FAILED');
          if (error.upstream !== undefined) expect(error.upstream).toMatch(/^[A-Za-z][A-Za-z0-9_.]{0,63}$/);
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it('falls back to the built-in analyzer with that label whatever the primary throws, and passes a primary answer through', async () => {
    const builtin = createBuiltinAnalyzer({ now: () => new Date('2026-11-26T13:00:00.000Z') });
    const input: AnalysisInput = { incident: makeIncident({ code: 'PAYMENT_TIMEOUT' }), samples: [PAYMENT_TIMEOUT_SAMPLE], pastIncidents: [] };
    const expected = await builtin.analyze(input);
    await fc.assert(
      fc.asyncProperty(fc.option(thrownArb, { nil: undefined }), async (thrown) => {
        const answer: Analysis = { ...expected, source: 'bedrock', model: 'm', summary: 'from the primary' };
        const primary: Analyzer = { analyze: () => (thrown === undefined ? Promise.resolve(answer) : Promise.reject(thrown)) };
        const reasons: string[] = [];
        const analysis = await new FallbackAnalyzer(primary, builtin, { onFallback: (reason) => reasons.push(reason) }).analyze(input);
        if (thrown === undefined) {
          expect(analysis).toEqual(answer);
          expect(reasons).toEqual([]);
          return;
        }
        const { durationMs: _d, ...rest } = analysis;
        const { durationMs: _e, ...base } = expected;
        expect(rest).toEqual({ ...base, fallbackReason: describeAnalysisFailure(thrown) });
        expect(reasons).toEqual([describeAnalysisFailure(thrown)]);
      }),
      { numRuns: 500 },
    );
  });
});
