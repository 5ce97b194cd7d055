import { knownCode, type Category } from '../../../src/domain/catalog.js';
import type { Incident } from '../../../src/domain/incident.js';
import type { PastIncident } from '../../../src/domain/analysis/types.js';

/** An incident as the store holds it; catalogue codes get their catalogue title, severity and category. */
export function incident(overrides: Partial<Incident> & { code: string }): Incident {
  const known = knownCode(overrides.code);
  return {
    id: 'inc-current',
    fingerprint: 'inc-current',
    title: known?.title ?? overrides.code,
    severity: known?.severity ?? 'high',
    category: known?.category ?? 'application',
    template: '',
    status: 'open',
    firstSeen: '2026-11-26T12:00:00.000Z',
    lastSeen: '2026-11-26T12:45:10.000Z',
    occurrences: 42,
    storeCounts: { 'store-001': 30, 'store-002': 10, 'store-007': 2 },
    sample: '',
    createdAt: '2026-11-26T12:00:01.000Z',
    updatedAt: '2026-11-26T12:45:11.000Z',
    version: 7,
    ...overrides,
  };
}

export function past(id: string, code: string, template: string, status: PastIncident['status'] = 'open', category?: Category): PastIncident {
  const known = knownCode(code);
  return { id, code, title: known?.title ?? code, template, status, category: category ?? known?.category ?? 'application' };
}

export const PAYMENT_TIMEOUT_TEMPLATE = 'GatewayTimeoutException: authorize <id> did not complete within <duration>';
export const PAYMENT_TIMEOUT_SAMPLE = [
  '[2026-11-26T12:45:10.000Z] [ERROR] Payment gateway timeout after 30012ms calling https://gw.example-payments.com/v2/authorize (txn TXN-1A2B3C4D) | {"code":"PAYMENT_TIMEOUT","storeId":"store-001","timeoutMs":30000}',
  'com.acme.pos.payment.GatewayTimeoutException: authorize TXN-1A2B3C4D did not complete within 30000ms',
  '\tat com.acme.pos.payment.gateway.HttpGatewayClient.authorize(HttpGatewayClient.java:214)',
  'Caused by: java.net.SocketTimeoutException: Read timed out',
].join('\n');
