import { describe, expect, it } from '@jest/globals';
import { apiErrorFrom } from '../../src/lib/api.js';
import { defaultConfig, parseConfig } from '../../src/lib/config.js';
import { safeHttpUrl } from '../../src/lib/format.js';
import { DEFAULT_FILTER, filterFromSearch, searchFromFilter, serverQueryFor, visibleIncidents } from '../../src/lib/incident-view.js';
import { matchRoute, safeNextPath } from '../../src/lib/route-match.js';
import { decodeTokenClaims, sessionFromToken } from '../../src/lib/session.js';
import { incident } from './fixtures.js';

const NOW = Date.parse('2026-11-26T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

describe('incident list filters and sorting', () => {
  const list = [
    incident({ id: 'a', code: 'MISSING_PRICE', title: 'Product has no price', severity: 'high', lastSeen: ago(60_000), occurrences: 5 }),
    incident({ id: 'b', code: 'PRINTER_JAM', title: 'Receipt printer jam', severity: 'medium', lastSeen: ago(10_000), occurrences: 50, storeCounts: { 'store-002': 50 } }),
    incident({ id: 'c', code: 'TAX_TABLE_MISSING', title: 'Tax table missing', severity: 'critical', lastSeen: ago(3 * 3_600_000), occurrences: 1, status: 'resolved' }),
  ];

  it('shows open incidents newest first by default', () => {
    expect(visibleIncidents(list, DEFAULT_FILTER, NOW).map((i) => i.id)).toEqual(['b', 'a']);
  });

  it('sorts by occurrences or by severity', () => {
    const all = { ...DEFAULT_FILTER, status: 'all' as const };
    expect(visibleIncidents(list, { ...all, sort: 'occurrences' }, NOW).map((i) => i.id)).toEqual(['b', 'a', 'c']);
    expect(visibleIncidents(list, { ...all, sort: 'severity' }, NOW).map((i) => i.id)).toEqual(['c', 'a', 'b']);
  });

  it('searches title and code, case-insensitively', () => {
    const all = { ...DEFAULT_FILTER, status: 'all' as const };
    expect(visibleIncidents(list, { ...all, search: 'PRINTER' }, NOW).map((i) => i.id)).toEqual(['b']);
    expect(visibleIncidents(list, { ...all, search: 'tax_table' }, NOW).map((i) => i.id)).toEqual(['c']);
  });

  it('filters by severity, store and how recently incidents were seen', () => {
    const all = { ...DEFAULT_FILTER, status: 'all' as const };
    expect(visibleIncidents(list, { ...all, severity: 'critical' }, NOW).map((i) => i.id)).toEqual(['c']);
    expect(visibleIncidents(list, { ...all, storeId: 'store-002' }, NOW).map((i) => i.id)).toEqual(['b']);
    expect(visibleIncidents(list, { ...all, range: '1h' }, NOW).map((i) => i.id)).toEqual(['b', 'a']);
  });

  it('round-trips the filter through the address bar and ignores values it does not know', () => {
    const filter = { ...DEFAULT_FILTER, status: 'all' as const, severity: 'high' as const, code: 'MISSING_PRICE', range: '24h' as const, search: 'price', sort: 'severity' as const };
    expect(filterFromSearch(searchFromFilter(filter))).toEqual(filter);
    expect(filterFromSearch('?status=deleted&sort=random&severity=<b>')).toEqual(DEFAULT_FILTER);
  });

  it('asks the API only for filters it understands', () => {
    expect(serverQueryFor({ ...DEFAULT_FILTER, code: 'missing_price', storeId: 'store-001' })).toEqual({ status: 'open', code: 'MISSING_PRICE', storeId: 'store-001' });
    expect(serverQueryFor({ ...DEFAULT_FILTER, status: 'all', code: 'MISS ING', storeId: 'a/b' })).toEqual({});
  });
});

describe('session token', () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const token = (payload: unknown) => `${b64({ alg: 'HS256' })}.${b64(payload)}.sig`;

  it('reads e-mail and role from the payload, including non-ASCII e-mail', () => {
    const t = token({ sub: 'zoë@example.com', role: 'viewer', exp: 2_000_000_000 });
    expect(sessionFromToken(t, '2033-05-18T03:33:20.000Z')).toEqual({ token: t, email: 'zoë@example.com', role: 'viewer', expiresAt: 2_000_000_000_000 });
  });

  it('treats an unknown role as a viewer and refuses a token without a subject', () => {
    expect(sessionFromToken(token({ sub: 'a@example.com', role: 'root', exp: 2_000_000_000 }), undefined)?.role).toBe('viewer');
    expect(sessionFromToken(token({ role: 'admin', exp: 2_000_000_000 }), undefined)).toBeUndefined();
    expect(decodeTokenClaims('garbage')).toBeUndefined();
    expect(decodeTokenClaims('a.!!!.c')).toBeUndefined();
  });
});

describe('runtime config', () => {
  const fallback = defaultConfig({ protocol: 'https:', host: 'dash.example.com' });

  it('defaults to the same origin, with a secure WebSocket under https', () => {
    expect(fallback).toEqual({ apiBaseUrl: '/api', wsUrl: 'wss://dash.example.com/ws', auth: { mode: 'local' } });
  });

  it('takes the valid fields of config.json and keeps defaults for the rest', () => {
    expect(parseConfig({ apiBaseUrl: 'https://api.example.com/', wsUrl: 'javascript:alert(1)', auth: { mode: 'cognito', domain: 'auth.example.com' } }, fallback)).toEqual({
      apiBaseUrl: 'https://api.example.com',
      wsUrl: 'wss://dash.example.com/ws',
      auth: { mode: 'cognito', domain: 'auth.example.com' },
    });
    expect(parseConfig('<!doctype html>', fallback)).toBe(fallback);
  });
});

describe('untrusted values that become links or errors', () => {
  it('only lets http and https URLs become links', () => {
    expect(safeHttpUrl('https://x.atlassian.net/browse/OPS-1')).toBe('https://x.atlassian.net/browse/OPS-1');
    expect(safeHttpUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeHttpUrl('data:text/html,<script>1</script>')).toBeUndefined();
    expect(safeHttpUrl('not a url')).toBeUndefined();
  });

  it('only follows same-app paths after sign-in', () => {
    expect(safeNextPath('/incidents/abc?x=1')).toBe('/incidents/abc?x=1');
    for (const bad of ['//evil.example', 'https://evil.example', '/\\evil.example', null, '/signin?next=/x']) expect(safeNextPath(bad)).toBe('/incidents');
  });

  it('turns the API error shapes into a status, a code and per-field messages', () => {
    const validation = apiErrorFrom(400, { error: { code: 'VALIDATION_FAILED', message: 'Jira rejected these settings', details: { fields: [{ field: 'issueType', message: 'No such issue type' }, { bad: true }], reason: 'invalid_issue_type' } } });
    expect(validation).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', message: 'Jira rejected these settings', reason: 'invalid_issue_type', fields: [{ field: 'issueType', message: 'No such issue type' }] });
    expect(apiErrorFrom(401, { message: 'Unauthorized' })).toMatchObject({ code: 'UNAUTHORIZED', message: 'Unauthorized' });
    expect(apiErrorFrom(502, undefined)).toMatchObject({ code: 'INTERNAL', message: 'The server answered 502' });
  });
});

describe('routes', () => {
  it('maps addresses to pages, decoding incident ids and tolerating a trailing slash', () => {
    expect(matchRoute('/incidents/')).toEqual({ name: 'incidents' });
    expect(matchRoute('/incidents/58274dc3e1fd60ba')).toEqual({ name: 'incident', id: '58274dc3e1fd60ba' });
    expect(matchRoute('/incidents/%E0%A4%A')).toEqual({ name: 'notFound' });
    expect(matchRoute('/integrations/jira')).toEqual({ name: 'jira' });
    expect(matchRoute('/nope')).toEqual({ name: 'notFound' });
  });
});
