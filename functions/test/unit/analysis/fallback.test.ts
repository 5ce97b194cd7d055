import { describe, expect, it } from '@jest/globals';
import { createBuiltinAnalyzer } from '../../../src/domain/analysis/builtin-analyzer.js';
import { AnalysisError } from '../../../src/domain/analysis/errors.js';
import { FallbackAnalyzer } from '../../../src/domain/analysis/fallback.js';
import type { Analysis, AnalysisInput, Analyzer } from '../../../src/domain/analysis/types.js';
import { incident, PAYMENT_TIMEOUT_SAMPLE, PAYMENT_TIMEOUT_TEMPLATE } from './fixtures.js';

const input: AnalysisInput = {
  incident: incident({ code: 'PAYMENT_TIMEOUT', template: PAYMENT_TIMEOUT_TEMPLATE, sample: PAYMENT_TIMEOUT_SAMPLE }),
  samples: [PAYMENT_TIMEOUT_SAMPLE],
  pastIncidents: [],
};
const builtin = createBuiltinAnalyzer({ now: () => new Date('2026-11-26T13:00:00.000Z') });

const modelAnswer: Analysis = {
  summary: 'Gateway timeouts at three stores.',
  rootCause: 'The gateway is slow.',
  suggestions: ['Check the gateway status page'],
  confidence: 0.8,
  confidenceReason: 'The samples show read timeouts against the gateway.',
  source: 'bedrock',
  similarIncidents: [],
  model: 'test-model',
  analyzedAt: '2026-11-26T13:00:00.000Z',
  durationMs: 12,
};

const answering: Analyzer = { analyze: () => Promise.resolve(modelAnswer) };
const failingWith = (error: unknown): Analyzer => ({ analyze: () => Promise.reject(error) });
// Ignores its abort signal on purpose: the guard must hold even then.
const hanging: Analyzer = { analyze: () => new Promise<Analysis>(() => undefined) };

describe('FallbackAnalyzer', () => {
  it('uses the built-in analyzer, unlabelled, when no primary is configured', async () => {
    const reasons: string[] = [];
    const result = await new FallbackAnalyzer(undefined, builtin, { onFallback: (r) => reasons.push(r) }).analyze(input);
    expect(result.source).toBe('builtin');
    expect(result.fallbackReason).toBeUndefined();
    expect(reasons).toEqual([]);
  });

  it('returns the primary answer when it succeeds', async () => {
    const result = await new FallbackAnalyzer(answering, builtin).analyze(input);
    expect(result).toEqual(modelAnswer);
  });

  it('labels the built-in answer with the reason when the primary fails', async () => {
    const reasons: string[] = [];
    const throttled = new AnalysisError('throttled', 'Bedrock analysis failed', { upstream: 'ThrottlingException' });
    const result = await new FallbackAnalyzer(failingWith(throttled), builtin, { onFallback: (r) => reasons.push(r) }).analyze(input);
    expect(result.source).toBe('builtin');
    expect(result.fallbackReason).toBe('throttled (ThrottlingException)');
    expect(result.confidence).toBeGreaterThanOrEqual(0.8);
    expect(reasons).toEqual(['throttled (ThrottlingException)']);
  });

  it('answers with the built-in analysis when the primary hangs past the deadline', async () => {
    const result = await new FallbackAnalyzer(hanging, builtin, { deadlineMs: 20 }).analyze(input);
    expect(result.source).toBe('builtin');
    expect(result.fallbackReason).toBe('timeout');
  });

  it('falls back when the caller aborts, even if the primary ignores the signal', async () => {
    const controller = new AbortController();
    const pending = new FallbackAnalyzer(hanging, builtin).analyze(input, { signal: controller.signal });
    controller.abort();
    const result = await pending;
    expect(result.source).toBe('builtin');
    expect(result.fallbackReason).toBe('AbortError');
  });

  it('reports only the error name, never its message', async () => {
    const leaky = new Error('request to https://user:hunter2@bedrock.example failed with token abc123');
    leaky.name = 'FetchError';
    const result = await new FallbackAnalyzer(failingWith(leaky), builtin).analyze(input);
    expect(result.fallbackReason).toBe('FetchError');
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });

  it('labels a thrown non-error value generically', async () => {
    const result = await new FallbackAnalyzer(failingWith('boom: secret'), builtin).analyze(input);
    expect(result.fallbackReason).toBe('error');
  });

  it('still answers when the fallback observer throws', async () => {
    const result = await new FallbackAnalyzer(failingWith(new AnalysisError('unavailable', 'down')), builtin, {
      onFallback: () => {
        throw new Error('metrics sink down');
      },
    }).analyze(input);
    expect(result.fallbackReason).toBe('unavailable');
  });
});
