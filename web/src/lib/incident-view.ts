import { SEVERITIES, STATUSES, type Incident, type IncidentStatus, type Severity } from './types.js';
import type { ServerQuery } from './feed.js';

export const TIME_RANGES = { '15m': 15 * 60_000, '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, all: Infinity } as const;
export type TimeRange = keyof typeof TIME_RANGES;
export const SORT_KEYS = ['lastSeen', 'occurrences', 'severity'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface IncidentFilter {
  readonly status: IncidentStatus | 'all';
  readonly severity: Severity | 'all';
  readonly code: string;
  readonly storeId: string;
  readonly range: TimeRange;
  readonly search: string;
  readonly sort: SortKey;
}

export const DEFAULT_FILTER: IncidentFilter = { status: 'open', severity: 'all', code: '', storeId: '', range: 'all', search: '', sort: 'lastSeen' };

const CODE_PATTERN = /^[A-Z0-9_]{1,64}$/;
const STORE_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

/** The filter kept in the address bar, so a reload or a shared link shows the same list. */
export function filterFromSearch(search: string): IncidentFilter {
  const params = new URLSearchParams(search);
  const pick = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = params.get(name);
    return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
  };
  return {
    status: pick('status', ['all', ...STATUSES], DEFAULT_FILTER.status),
    severity: pick('severity', ['all', ...SEVERITIES], DEFAULT_FILTER.severity),
    code: (params.get('code') ?? '').slice(0, 64),
    storeId: (params.get('store') ?? '').slice(0, 64),
    range: pick('range', Object.keys(TIME_RANGES) as TimeRange[], DEFAULT_FILTER.range),
    search: (params.get('q') ?? '').slice(0, 200),
    sort: pick('sort', SORT_KEYS, DEFAULT_FILTER.sort),
  };
}

export function searchFromFilter(filter: IncidentFilter): string {
  const params = new URLSearchParams();
  if (filter.status !== DEFAULT_FILTER.status) params.set('status', filter.status);
  if (filter.severity !== 'all') params.set('severity', filter.severity);
  if (filter.code) params.set('code', filter.code);
  if (filter.storeId) params.set('store', filter.storeId);
  if (filter.range !== 'all') params.set('range', filter.range);
  if (filter.search) params.set('q', filter.search);
  if (filter.sort !== DEFAULT_FILTER.sort) params.set('sort', filter.sort);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The part of the filter the API can apply, so the first page it returns is already the right one. */
export function serverQueryFor(filter: IncidentFilter): ServerQuery {
  const code = filter.code.trim().toUpperCase();
  const storeId = filter.storeId.trim();
  return {
    ...(filter.status !== 'all' ? { status: filter.status } : {}),
    ...(CODE_PATTERN.test(code) ? { code } : {}),
    ...(STORE_PATTERN.test(storeId) ? { storeId } : {}),
  };
}

export function matchesFilter(incident: Incident, filter: IncidentFilter, now: number): boolean {
  if (filter.status !== 'all' && incident.status !== filter.status) return false;
  if (filter.severity !== 'all' && incident.severity !== filter.severity) return false;
  const code = filter.code.trim().toUpperCase();
  if (code && incident.code.toUpperCase() !== code) return false;
  const store = filter.storeId.trim();
  if (store && !(store in incident.storeCounts)) return false;
  const range = TIME_RANGES[filter.range];
  if (range !== Infinity) {
    const lastSeen = Date.parse(incident.lastSeen);
    if (!(lastSeen >= now - range)) return false;
  }
  const search = filter.search.trim().toLowerCase();
  if (search && !incident.title.toLowerCase().includes(search) && !incident.code.toLowerCase().includes(search)) return false;
  return true;
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export function compareIncidents(sort: SortKey): (a: Incident, b: Incident) => number {
  const byLastSeen = (a: Incident, b: Incident) => (a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  if (sort === 'occurrences') return (a, b) => b.occurrences - a.occurrences || byLastSeen(a, b);
  if (sort === 'severity') return (a, b) => (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) || byLastSeen(a, b);
  return byLastSeen;
}

export function visibleIncidents(all: readonly Incident[], filter: IncidentFilter, now: number): Incident[] {
  return all.filter((incident) => matchesFilter(incident, filter, now)).sort(compareIncidents(filter.sort));
}
