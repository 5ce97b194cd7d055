import type { Analysis } from '../../../src/domain/analysis/types.js';
import type { Incident } from '../../../src/domain/incident.js';
import type { JiraSettings } from '../../../src/domain/jira/settings.js';

export const SETTINGS: JiraSettings = {
  baseUrl: 'https://acme.atlassian.net',
  email: 'stacklens-bot@example.com',
  projectKey: 'PROJ',
  issueType: 'Bug',
  priorityMap: { critical: 'Highest', high: 'High', medium: 'Medium', low: 'Low' },
  enabled: true,
  commentWindowMinutes: 15,
};

export function makeIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: '3f9a1c0de4b27a51',
    fingerprint: '3f9a1c0de4b27a51',
    code: 'MISSING_PRICE',
    title: 'Product Has No Price',
    severity: 'high',
    category: 'inventory',
    template: 'Price lookup failed for product <int> in order <id>',
    status: 'open',
    firstSeen: '2025-03-01T14:02:07.120Z',
    lastSeen: '2025-03-01T14:09:55.002Z',
    occurrences: 42,
    storeCounts: { S001: 30, S002: 12 },
    sample: '[2025-03-01T14:09:55.002Z] [ERROR] Price lookup failed | {"productId":999}',
    createdAt: '2025-03-01T14:02:07.500Z',
    updatedAt: '2025-03-01T14:09:55.400Z',
    version: 7,
    ...overrides,
  };
}

export function makeAnalysis(overrides: Partial<Analysis> = {}): Analysis {
  return {
    summary: 'Product 999 has no price in the store catalogue, so checkout cannot total the order.',
    rootCause: 'The nightly price sync skipped product 999.',
    suggestions: ['Add a price for product 999 in the back office', 'Re-run the price sync for the affected stores'],
    confidence: 0.72,
    confidenceReason: 'The code matches a known pattern and two similar incidents were resolved the same way.',
    source: 'builtin',
    similarIncidents: [{ id: 'aa00bb11cc22dd33', code: 'PRICE_NOT_FOUND', title: 'Price Lookup Failure', similarity: 0.81 }],
    analyzedAt: '2025-03-01T14:02:08.000Z',
    durationMs: 12,
    ...overrides,
  };
}

/** Every text node of an ADF document, in order. */
export function adfTexts(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(adfTexts);
  if (node === null || typeof node !== 'object') return [];
  const n = node as { type?: unknown; text?: unknown; content?: unknown };
  const own = n.type === 'text' && typeof n.text === 'string' ? [n.text] : [];
  return [...own, ...adfTexts(n.content)];
}

/** Every node of a given type, depth first. */
export function adfNodes(node: unknown, type: string): Array<Record<string, unknown>> {
  if (Array.isArray(node)) return node.flatMap((n) => adfNodes(n, type));
  if (node === null || typeof node !== 'object') return [];
  const n = node as Record<string, unknown>;
  return [...(n['type'] === type ? [n] : []), ...adfNodes(n['content'], type)];
}
