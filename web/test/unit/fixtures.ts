import type { Incident } from '../../src/lib/types.js';

export function incident(overrides: Partial<Incident> & { id: string }): Incident {
  const at = overrides.lastSeen ?? '2026-11-26T12:00:00.000Z';
  return {
    fingerprint: overrides.id,
    code: 'MISSING_PRICE',
    title: 'Product has no price',
    severity: 'high',
    category: 'inventory',
    template: 'Product <int> has no price',
    status: 'open',
    firstSeen: at,
    lastSeen: at,
    occurrences: 1,
    storeCounts: { 'store-001': 1 },
    sample: '[ERROR] Product 999 has no price',
    createdAt: at,
    updatedAt: at,
    version: 1,
    ...overrides,
  };
}
