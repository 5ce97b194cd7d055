import { describe, expect, it } from '@jest/globals';
import { analyzeRecord } from '../../../functions/src/domain/analyze.js';
import { knownCode } from '../../../functions/src/domain/catalog.js';
import { formatRecord } from '../../../pos-agent/src/demo-pos/log-format.js';
import { SCENARIOS, scenarioRecord } from '../../../pos-agent/src/demo-pos/scenarios.js';
import { compileFilterPattern } from '../../src/local/cloudwatch-logs/filter-pattern.js';
import { ERROR_FILTER_PATTERN } from '../../src/pipeline.js';

// The three halves of grouping live in different workspaces (the POS writes, the filter selects, the domain core
// fingerprints); this suite is where they have to agree, scenario by scenario.

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function occurrences(scenarioIndex: number, n: number): string[] {
  const scenario = SCENARIOS[scenarioIndex]!;
  return Array.from({ length: n }, (_, i) =>
    formatRecord(
      scenarioRecord(scenario, {
        storeId: `store-00${(i % 3) + 1}`,
        kioskId: `kiosk-0${(i % 4) + 1}`,
        orderId: `ORD-20261126-${String(100_000 + i * 7919).padStart(6, '0')}`,
        now: new Date(Date.UTC(2026, 10, 26, 12, i % 60, (i * 13) % 60, i % 1000)),
        rand: seeded(scenarioIndex * 1000 + i),
      }),
    ).trimEnd(),
  );
}

const selectedBySubscription = compileFilterPattern(ERROR_FILTER_PATTERN);

describe('Demo POS scenarios through the pipeline’s grouping', () => {
  it.each(SCENARIOS.map((s, i) => [s.name, i] as const))('%s: passes the subscription filter and classifies as its catalogue code', (_name, index) => {
    const scenario = SCENARIOS[index]!;
    for (const record of occurrences(index, 8)) {
      expect(selectedBySubscription(record)).toBe(true);
      const analyzed = analyzeRecord(record);
      expect(analyzed.isError).toBe(true);
      expect(analyzed.code).toBe(scenario.code);
      expect(analyzed.severity).toBe(knownCode(scenario.code)!.severity);
      expect(analyzed.category).toBe(knownCode(scenario.code)!.category);
    }
  });

  it.each(SCENARIOS.map((s, i) => [s.name, i] as const))('%s: 25 occurrences with different ids, stores and times share one fingerprint', (_name, index) => {
    const fingerprints = new Set(occurrences(index, 25).map((r) => analyzeRecord(r).fingerprint));
    expect(fingerprints.size).toBe(1);
  });

  it('gives every scenario its own fingerprint', () => {
    const byFingerprint = new Map<string, string>();
    for (let i = 0; i < SCENARIOS.length; i++) {
      const fingerprint = analyzeRecord(occurrences(i, 1)[0]!).fingerprint;
      expect(byFingerprint.get(fingerprint)).toBeUndefined();
      byFingerprint.set(fingerprint, SCENARIOS[i]!.name);
    }
    expect(byFingerprint.size).toBe(SCENARIOS.length);
  });
});
