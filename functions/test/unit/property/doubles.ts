// Test doubles for driving the real handlers from property tests without AWS: every dependency records its calls, and
// a method can be told to stop the request with a sentinel error once the input has passed validation, so a test can
// tell "refused at the boundary" from "got through" without paying for what lies behind (scrypt, Jira, DynamoDB).

import { StackLensError } from '../../../src/domain/errors.js';
import type { Incident, IncidentDelta, Occurrence } from '../../../src/domain/incident.js';
import type { IncidentStore, Notifier, StatsStore } from '../../../src/ports.js';

export interface Call {
  readonly method: string;
  readonly args: readonly unknown[];
}

/** What got past validation: the route answers 409 with this message, which no real route uses for these paths. */
export class Reached extends StackLensError {
  constructor(method: string) {
    super('CONFLICT', `reached ${method}`);
  }
}

/**
 * An object whose every method is async, records its call in `calls`, and resolves with what `answers[method]` returns
 * (undefined when there is none). An answer may throw, e.g. `Reached`.
 */
export function recorder<T>(calls: Call[], answers: Record<string, (...args: unknown[]) => unknown> = {}): T {
  return new Proxy(
    {},
    {
      get(_target, property) {
        // Not a thenable: `await double` must give the double itself.
        if (property === 'then' || typeof property === 'symbol') return undefined;
        return async (...args: unknown[]) => {
          calls.push({ method: property, args });
          const answer = answers[property];
          return answer ? answer(...args) : undefined;
        };
      },
    },
  ) as T;
}

/** A notifier that records what it would push. */
export function recordingNotifier(sent: Array<{ type: string; data: unknown }>): Notifier {
  return {
    async publish(type, data) {
      sent.push({ type, data });
      return { seq: sent.length, delivered: 1, gone: 0 };
    },
  };
}

/** Counters kept in memory, as DynamoStatsStore keeps them in a table. */
export class MemoryStats implements StatsStore {
  readonly groups = new Map<string, Record<string, number>>();
  async increment(group: string, counts: Readonly<Record<string, number>>): Promise<void> {
    const current = this.groups.get(group) ?? {};
    for (const [name, n] of Object.entries(counts)) current[name] = (current[name] ?? 0) + n;
    this.groups.set(group, current);
  }
  async read(group: string): Promise<Record<string, number>> {
    return { ...(this.groups.get(group) ?? {}) };
  }
}

/**
 * The parts of an incident store ingest relies on, in memory: an occurrence counts once per incident and event id,
 * and deltas add up. Methods ingest calls only for bookkeeping (timeline, batch flags) are recorded and do nothing.
 */
export function memoryIncidentStore(calls: Call[] = []): { store: IncidentStore; incidents: Map<string, Incident>; occurrences: Map<string, Occurrence> } {
  const incidents = new Map<string, Incident>();
  const occurrences = new Map<string, Occurrence>();
  const answers: Record<string, (...args: unknown[]) => unknown> = {
    claimOccurrence: (occurrence) => {
      const o = occurrence as Occurrence;
      const key = `${o.incidentId}#${o.eventId}`;
      if (occurrences.has(key)) return false;
      occurrences.set(key, o);
      return true;
    },
    applyDelta: (value) => {
      const delta = value as IncidentDelta;
      const existing = incidents.get(delta.id);
      const storeCounts: Record<string, number> = { ...(existing?.storeCounts ?? {}) };
      for (const [store, n] of Object.entries(delta.storeCounts)) storeCounts[store] = (storeCounts[store] ?? 0) + n;
      const incident: Incident = {
        id: delta.id,
        fingerprint: delta.fingerprint,
        code: delta.code,
        title: delta.title,
        severity: delta.severity,
        category: delta.category,
        template: delta.template,
        status: existing?.status ?? 'open',
        firstSeen: existing && existing.firstSeen < delta.firstSeen ? existing.firstSeen : delta.firstSeen,
        lastSeen: existing && existing.lastSeen > delta.lastSeen ? existing.lastSeen : delta.lastSeen,
        occurrences: (existing?.occurrences ?? 0) + delta.count,
        storeCounts,
        sample: delta.sample,
        createdAt: existing?.createdAt ?? delta.firstSeen,
        updatedAt: delta.lastSeen,
        version: (existing?.version ?? 0) + 1,
      };
      incidents.set(delta.id, incident);
      return { incident, created: existing === undefined, applied: true };
    },
    get: (id) => incidents.get(id as string),
    list: () => ({ items: [...incidents.values()] }),
    recentOccurrences: () => [],
    kioskCounts: () => ({}),
    timeline: () => [],
  };
  return { store: recorder<IncidentStore>(calls, answers), incidents, occurrences };
}
