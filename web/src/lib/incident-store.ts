import type { Incident } from './types.js';

type Listener = () => void;

export interface StoreOptions {
  /** How notifications are batched: a burst of live messages re-renders once per frame, not once per message. */
  readonly schedule?: (flush: () => void) => void;
  readonly now?: () => number;
}

/** How long a live-created incident is marked new (the row slides in while it is). */
export const FRESH_MS = 4_000;

/**
 * Every incident the dashboard knows, by id. Copies arrive from list pages, detail fetches and live messages in any
 * order; the one with the highest `version` wins, so a late, older message never rolls an incident back.
 */
export class IncidentStore {
  private readonly byId = new Map<string, Incident>();
  private readonly freshAt = new Map<string, number>();
  private readonly listeners = new Set<Listener>();
  private snapshot = 0;
  private newestUpdate: number | undefined;
  private list: Incident[] | undefined;
  private pending = false;
  private readonly schedule: (flush: () => void) => void;
  private readonly now: () => number;

  constructor(options: StoreOptions = {}) {
    this.schedule = options.schedule ?? ((flush) => flush());
    this.now = options.now ?? Date.now;
  }

  /** Returns true when `incident` replaced what was known (it is new, or its version is higher). */
  upsert(incident: Incident, origin: 'fetch' | 'created' | 'updated' = 'fetch'): boolean {
    const updatedAt = Date.parse(incident.updatedAt);
    if (Number.isFinite(updatedAt) && !(updatedAt <= (this.newestUpdate ?? -Infinity))) this.newestUpdate = updatedAt;
    const known = this.byId.get(incident.id);
    if (known && known.version >= incident.version) return false;
    this.byId.set(incident.id, incident);
    if (origin === 'created' || (origin === 'updated' && !known)) this.freshAt.set(incident.id, this.now());
    this.changed();
    return true;
  }

  upsertMany(incidents: readonly Incident[]): number {
    let replaced = 0;
    for (const incident of incidents) if (this.upsert(incident)) replaced++;
    return replaced;
  }

  get(id: string): Incident | undefined {
    return this.byId.get(id);
  }

  get size(): number {
    return this.byId.size;
  }

  /** The newest `updatedAt` (epoch ms) of any copy seen, kept or not: how far this client's knowledge reaches. */
  get newestUpdatedAt(): number | undefined {
    return this.newestUpdate;
  }

  /** All incidents, in no particular order; the same array until something changes (safe for memoisation). */
  all(): readonly Incident[] {
    this.list ??= [...this.byId.values()];
    return this.list;
  }

  /** Whether the incident arrived live within the last FRESH_MS. */
  isFresh(id: string): boolean {
    const at = this.freshAt.get(id);
    if (at === undefined) return false;
    if (this.now() - at > FRESH_MS) {
      this.freshAt.delete(id);
      return false;
    }
    return true;
  }

  clear(): void {
    this.byId.clear();
    this.freshAt.clear();
    this.newestUpdate = undefined;
    this.changed();
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): number => this.snapshot;

  private changed(): void {
    this.list = undefined;
    this.snapshot++;
    if (this.pending) return;
    this.pending = true;
    this.schedule(() => {
      this.pending = false;
      for (const listener of this.listeners) listener();
    });
  }
}
