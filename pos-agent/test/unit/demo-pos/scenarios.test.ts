import { describe, expect, it } from '@jest/globals';
import { CATEGORIES, KNOWN_CODES } from '../../../../functions/src/domain/catalog.js';
import { formatRecord, HEADER_PATTERN, parseRecords } from '../../../src/demo-pos/log-format.js';
import { seededRandom } from '../../../src/demo-pos/random.js';
import { findScenario, SCENARIOS, scenarioRecord, summarizeScenario, type Scenario, type ScenarioContext } from '../../../src/demo-pos/scenarios.js';

const NOW = new Date('2026-11-26T12:00:00.123Z');

function context(seed: number, overrides: Partial<ScenarioContext> = {}): ScenarioContext {
  return { storeId: 'store-002', kioskId: 'kiosk-03', orderId: `ORD-20261126-${String(seed).padStart(6, '0')}`, now: NOW, rand: seededRandom(seed), ...overrides };
}

/** What a fingerprinter would keep: the words, with ids and numbers reduced to a placeholder. */
function template(message: string): string {
  return message.replace(/0x[0-9A-Fa-f]+/g, '#').replace(/\b[0-9A-Fa-f]{4,}\b/g, '#').replace(/\d+/g, '#');
}

describe('scenario catalogue', () => {
  it('has at least 60 scenarios across at least 10 categories', () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(60);
    const categories = new Set(SCENARIOS.map((s) => summarizeScenario(s).category));
    expect(categories.size).toBeGreaterThanOrEqual(10);
    for (const category of ['payment', 'inventory', 'network', 'hardware', 'database', 'integration', 'security', 'performance', 'data', 'system']) {
      expect(categories).toContain(category);
    }
  });

  it('gives every scenario a unique kebab-case name', () => {
    const names = SCENARIOS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('keys every scenario on a catalogue code and takes category and severity from the catalogue', () => {
    for (const scenario of SCENARIOS) {
      const known = KNOWN_CODES.get(scenario.code);
      expect(known).toBeDefined();
      const summary = summarizeScenario(scenario);
      expect(summary).toEqual({ name: scenario.name, code: scenario.code, title: scenario.title, category: known?.category, severity: known?.severity });
      expect(CATEGORIES).toContain(summary.category);
      expect(scenario.title.length).toBeGreaterThan(0);
    }
  });

  it('logs critical scenarios at ERROR or FATAL and never logs low-severity ones as FATAL', () => {
    for (const scenario of SCENARIOS) {
      const { severity } = summarizeScenario(scenario);
      if (severity === 'critical') expect(['ERROR', 'FATAL']).toContain(scenario.level);
      if (severity === 'low') expect(scenario.level).not.toBe('FATAL');
    }
  });

  it('includes missing-price for product 999', () => {
    const scenario = findScenario('missing-price');
    expect(scenario?.code).toBe('MISSING_PRICE');
    const record = scenarioRecord(scenario as Scenario, context(7));
    expect(record.message).toMatch(/^Product 999 has no price/);
    expect(record.details).toMatchObject({ code: 'MISSING_PRICE', productId: '999', orderId: 'ORD-20261126-000007', storeId: 'store-002', kioskId: 'kiosk-03' });
  });

  it('carries stack traces in Java, Node and Python styles on at least 15 scenarios', () => {
    const stacks = SCENARIOS.map((s) => s.generate(context(3)).stack).filter((stack): stack is string[] => stack !== undefined);
    expect(stacks.length).toBeGreaterThanOrEqual(15);
    const all = stacks.flat();
    expect(all.some((line) => line.startsWith('\tat com.acme.pos.'))).toBe(true);
    expect(all.some((line) => line.startsWith('Caused by: '))).toBe(true);
    expect(all.some((line) => /^ {4}at .+:\d+:\d+\)?$/.test(line))).toBe(true);
    expect(all).toContain('Traceback (most recent call last):');
  });

  it('returns undefined for an unknown scenario name', () => {
    expect(findScenario('no-such-scenario')).toBeUndefined();
  });
});

describe.each(SCENARIOS.map((s) => [s.name, s] as const))('scenario %s', (_name, scenario) => {
  it('produces one valid header line carrying its code and ids, with continuation lines that never start with [', () => {
    const text = formatRecord(scenarioRecord(scenario, context(11)));
    const lines = text.slice(0, -1).split('\n');
    const header = HEADER_PATTERN.exec(lines[0] ?? '');
    expect(header?.[2]).toBe(scenario.level);
    for (const line of lines.slice(1)) expect(line.startsWith('[')).toBe(false);
    const [record, ...others] = parseRecords(text);
    expect(others).toHaveLength(0);
    expect(record?.details).toMatchObject({ code: scenario.code, storeId: 'store-002', kioskId: 'kiosk-03', orderId: 'ORD-20261126-000011' });
    expect(record?.stack).toEqual(lines.slice(1));
  });

  it('varies its values between occurrences while keeping its wording', () => {
    const outputs = Array.from({ length: 25 }, (_, seed) => scenario.generate(context(seed + 100)));
    const messages = new Set(outputs.map((o) => o.message));
    const details = new Set(outputs.map((o) => JSON.stringify(o.details)));
    expect(messages.size + details.size).toBeGreaterThan(2);
    expect(new Set(outputs.map((o) => template(o.message))).size).toBe(1);
  });

  it('never writes anything that looks like a full card number', () => {
    for (let seed = 0; seed < 10; seed += 1) {
      const text = formatRecord(scenarioRecord(scenario, context(seed)));
      expect(text).not.toMatch(/\b\d{13,19}\b/);
    }
  });
});

describe('scenarioRecord', () => {
  it('keeps the scenario code and context ids even if a generator reports its own', () => {
    const rogue: Scenario = {
      name: 'rogue',
      code: 'PRINTER_JAM',
      title: 'Rogue',
      level: 'WARN',
      generate: () => ({ message: 'Printer jammed', details: { code: 'SOMETHING_ELSE', storeId: 'elsewhere', jamCount: 2 } }),
    };
    const record = scenarioRecord(rogue, context(1));
    expect(record.details).toEqual({ code: 'PRINTER_JAM', storeId: 'store-002', kioskId: 'kiosk-03', orderId: 'ORD-20261126-000001', jamCount: 2 });
    expect(record.timestamp).toBe(NOW);
  });

  it('uses the product, quantity and stock of a real order when the till supplies them', () => {
    const scenario = findScenario('insufficient-stock') as Scenario;
    const record = scenarioRecord(scenario, context(2, { productId: '112', quantity: 50, stockOnHand: 12 }));
    expect(record.message).toBe('Insufficient stock for product 112: requested 50, system on hand 12 (order ORD-20261126-000002)');
  });
});
