import { IncidentStore } from './incident-store.js';
import { LiveConnection, type ConnectionStatus, type LiveOptions } from './live.js';
import { SeqTracker } from './seq.js';
import type { IncidentPage, IncidentStatus, LiveMessage } from './types.js';

/** The filters the API applies itself; the rest (severity, time, search) are applied to what is loaded. */
export interface ServerQuery {
  readonly status?: IncidentStatus;
  readonly code?: string;
  readonly storeId?: string;
}

export interface QueryState {
  readonly loading: boolean;
  readonly loaded: boolean;
  readonly error?: string;
  readonly nextCursor?: string;
}

export interface FeedState {
  readonly connection: ConnectionStatus;
  readonly nextRetryAt?: number;
  readonly catchingUp: boolean;
  readonly catchUpError?: string;
  readonly queries: ReadonlyMap<string, QueryState>;
}

export const PAGE_SIZE = 100;
/** A catch-up reads at most this many pages; older changes are picked up as the user pages down. */
export const MAX_CATCH_UP_PAGES = 10;
/** Clock skew and in-flight writes: catch up a little further back than the moment the connection dropped. */
const CATCH_UP_SLACK_MS = 15_000;

export function queryKey(query: ServerQuery): string {
  return `${query.status ?? ''}|${query.code ?? ''}|${query.storeId ?? ''}`;
}

export function incidentsPath(query: ServerQuery, cursor?: string, limit = PAGE_SIZE): string {
  const params = new URLSearchParams();
  if (query.status) params.set('status', query.status);
  if (query.code) params.set('code', query.code);
  if (query.storeId) params.set('storeId', query.storeId);
  params.set('limit', String(limit));
  if (cursor) params.set('cursor', cursor);
  return `/incidents?${params.toString()}`;
}

export interface FeedDeps {
  readonly fetchPage: (query: ServerQuery, cursor?: string) => Promise<IncidentPage>;
  readonly store?: IncidentStore;
  readonly createLive?: (options: Pick<LiveOptions, 'onMessage' | 'onOpen' | 'onStatus' | 'onConnectFailure'>) => Pick<LiveConnection, 'start' | 'stop' | 'wentOnline' | 'wentOffline'>;
  readonly now?: () => number;
  readonly setTimer?: (fn: () => void, ms: number) => unknown;
  readonly clearTimer?: (handle: unknown) => void;
  readonly onConnectFailure?: (failures: number) => void;
}

/**
 * The live incident feed: pages from the API and WebSocket messages merged into one store. It refetches whenever it
 * may have missed something: on every (re)connect, and when a hole in `seq` stays open.
 */
export class IncidentFeed {
  readonly store: IncidentStore;
  private state: FeedState = { connection: 'connecting', catchingUp: false, queries: new Map() };
  private readonly listeners = new Set<() => void>();
  private readonly seq = new SeqTracker();
  private live: ReturnType<NonNullable<FeedDeps['createLive']>> | undefined;
  private activeQuery: ServerQuery = {};
  private disconnectedAt: number | undefined;
  private catchUpRunning: Promise<void> | undefined;
  private catchUpAgainFrom: number | undefined;
  private gapTimer: unknown;
  private retryTimer: unknown;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly deps: FeedDeps) {
    this.store = deps.store ?? new IncidentStore();
    this.now = deps.now ?? Date.now;
    this.setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = deps.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): FeedState => this.state;

  start(): void {
    if (this.live || !this.deps.createLive) return;
    this.live = this.deps.createLive({
      onMessage: (message) => this.receive(message),
      onOpen: (reconnected) => {
        this.seq.reset();
        const horizon = (reconnected ? (this.disconnectedAt ?? this.now()) : this.now()) - CATCH_UP_SLACK_MS;
        this.disconnectedAt = undefined;
        void this.catchUp(horizon);
      },
      onStatus: (connection, nextRetryAt) => {
        if (connection !== 'live') this.disconnectedAt ??= this.now();
        this.update({ connection, ...(nextRetryAt === undefined ? { nextRetryAt: undefined } : { nextRetryAt }) });
      },
      onConnectFailure: (failures) => this.deps.onConnectFailure?.(failures),
    });
    this.live.start();
  }

  stop(): void {
    this.live?.stop();
    this.live = undefined;
    this.clearTimer(this.gapTimer);
    this.clearTimer(this.retryTimer);
  }

  wentOnline(): void {
    this.live?.wentOnline();
  }

  wentOffline(): void {
    this.live?.wentOffline();
  }

  queryState(query: ServerQuery): QueryState {
    return this.state.queries.get(queryKey(query)) ?? { loading: false, loaded: false };
  }

  /** Shows `query` and loads its first page unless it already has one. */
  async show(query: ServerQuery): Promise<void> {
    this.activeQuery = query;
    const current = this.queryState(query);
    if (current.loaded || current.loading) return;
    await this.loadPage(query, undefined);
  }

  async loadMore(query: ServerQuery): Promise<void> {
    const current = this.queryState(query);
    if (current.loading || !current.nextCursor) return;
    await this.loadPage(query, current.nextCursor);
  }

  /** Loads the first page again (the Retry button after an error). */
  async reload(query: ServerQuery): Promise<void> {
    await this.loadPage(query, undefined);
  }

  receive(message: LiveMessage): void {
    const bigHole = this.seq.observe(message.seq, this.now());
    this.store.upsert(message.data, message.type === 'incident.created' ? 'created' : 'updated');
    if (bigHole) {
      void this.catchUp(this.now() - CATCH_UP_SLACK_MS * 4);
      return;
    }
    if (this.seq.hasHoles) this.scheduleGapCheck();
  }

  /** Checks back after the grace period: a hole still open then means lost messages, so refetch. */
  private scheduleGapCheck(): void {
    if (this.gapTimer !== undefined) return;
    this.gapTimer = this.setTimer(() => {
      this.gapTimer = undefined;
      if (this.seq.overdue(this.now())) void this.catchUp(this.now() - CATCH_UP_SLACK_MS * 4);
      else if (this.seq.hasHoles) this.scheduleGapCheck();
    }, 800);
  }

  /**
   * Reads the newest pages (and the first page of the shown filter) until it reaches incidents last seen before
   * `horizon`: everything created or updated since then is in the store afterwards. Concurrent calls coalesce.
   */
  catchUp(horizon: number): Promise<void> {
    if (this.catchUpRunning) {
      this.catchUpAgainFrom = Math.min(this.catchUpAgainFrom ?? horizon, horizon);
      return this.catchUpRunning;
    }
    this.seq.settle();
    this.update({ catchingUp: true });
    const run = (async () => {
      try {
        let cursor: string | undefined;
        for (let page = 0; page < MAX_CATCH_UP_PAGES; page++) {
          const result = await this.deps.fetchPage({}, cursor);
          this.store.upsertMany(result.items);
          const oldest = result.items[result.items.length - 1];
          cursor = result.nextCursor;
          if (!cursor || !oldest || Date.parse(oldest.lastSeen) < horizon) break;
        }
        if (queryKey(this.activeQuery) !== queryKey({})) {
          const result = await this.deps.fetchPage(this.activeQuery, undefined);
          this.store.upsertMany(result.items);
        }
        this.update({ catchingUp: false, catchUpError: undefined });
      } catch (error) {
        this.update({ catchingUp: false, catchUpError: error instanceof Error ? error.message : String(error) });
        // A failed catch-up leaves holes; try again shortly rather than showing a stale list until the next message.
        this.clearTimer(this.retryTimer);
        this.retryTimer = this.setTimer(() => void this.catchUp(horizon), 5_000);
      }
    })();
    this.catchUpRunning = run.finally(() => {
      this.catchUpRunning = undefined;
      const again = this.catchUpAgainFrom;
      this.catchUpAgainFrom = undefined;
      if (again !== undefined) void this.catchUp(again);
    });
    return this.catchUpRunning;
  }

  private async loadPage(query: ServerQuery, cursor: string | undefined): Promise<void> {
    const key = queryKey(query);
    const before = this.queryState(query);
    this.setQuery(key, { ...before, loading: true, error: undefined });
    try {
      const page = await this.deps.fetchPage(query, cursor);
      this.store.upsertMany(page.items);
      // A reload of the first page must not forget how far the user had paged.
      const nextCursor = cursor === undefined && before.loaded ? before.nextCursor : page.nextCursor;
      this.setQuery(key, { loading: false, loaded: true, ...(nextCursor ? { nextCursor } : {}) });
    } catch (error) {
      this.setQuery(key, { ...before, loading: false, error: error instanceof Error ? error.message : String(error) });
    }
  }

  private setQuery(key: string, value: QueryState): void {
    const queries = new Map(this.state.queries);
    queries.set(key, value);
    this.update({ queries });
  }

  private update(patch: Partial<FeedState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }
}
