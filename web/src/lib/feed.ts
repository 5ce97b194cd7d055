import { IncidentStore } from './incident-store.js';
import { LiveConnection, type ConnectionStatus, type LiveOptions } from './live.js';
import { SeqTracker } from './seq.js';
import type { IncidentPage, IncidentStatus, LiveMessage } from './types.js';

/** The filters the API applies itself; the rest (severity, time, search) are applied to what is loaded. */
export interface ServerQuery {
  readonly status?: IncidentStatus;
  readonly code?: string;
  readonly storeId?: string;
  /** Only incidents changed at or after this ISO time: what a catch-up asks for, never a list the user sees. */
  readonly updatedSince?: string;
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
/**
 * Catch-ups ask for changes since the newest `updatedAt` the feed had seen, minus this: writers stamp `updatedAt` with
 * their own clocks and commit a moment later, so a change can land with a stamp a little older than one already seen.
 */
const CATCH_UP_SLACK_MS = 15_000;
/** A lost message is noticed only after the grace period, behind newer ones; look further back than after a drop. */
const GAP_SLACK_MS = CATCH_UP_SLACK_MS * 4;

/** Where a catch-up starts: changes since this `updatedAt` (epoch ms), or null to reread the newest page. */
type CatchUpFrom = number | null;

export function queryKey(query: ServerQuery): string {
  return `${query.status ?? ''}|${query.code ?? ''}|${query.storeId ?? ''}`;
}

export function incidentsPath(query: ServerQuery, cursor?: string, limit = PAGE_SIZE): string {
  const params = new URLSearchParams();
  if (query.status) params.set('status', query.status);
  if (query.code) params.set('code', query.code);
  if (query.storeId) params.set('storeId', query.storeId);
  if (query.updatedSince) params.set('updatedSince', query.updatedSince);
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
 * The live incident feed: pages from the API and WebSocket messages merged into one store. It catches up whenever it
 * may have missed something: on every (re)connect, and when a hole in `seq` stays open. A catch-up asks the API for
 * every incident changed since the newest `updatedAt` the feed had seen, so a status or ticket change on an incident
 * last seen long ago is not missed the way reading the newest-seen pages would miss it.
 */
export class IncidentFeed {
  readonly store: IncidentStore;
  private state: FeedState = { connection: 'connecting', catchingUp: false, queries: new Map() };
  private readonly listeners = new Set<() => void>();
  private readonly seq = new SeqTracker();
  private live: ReturnType<NonNullable<FeedDeps['createLive']>> | undefined;
  private activeQuery: ServerQuery = {};
  /** Set while the socket is down: the newest `updatedAt` seen before it dropped (pages loaded meanwhile do not count). */
  private dropped: { readonly newestUpdatedAt: number | undefined } | undefined;
  private catchUpRunning: Promise<void> | undefined;
  private catchUpAgain: { readonly from: CatchUpFrom } | undefined;
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
      onOpen: () => {
        this.seq.reset();
        const newest = this.dropped ? this.dropped.newestUpdatedAt : this.store.newestUpdatedAt;
        this.dropped = undefined;
        void this.catchUp(newest === undefined ? null : newest - CATCH_UP_SLACK_MS);
      },
      onStatus: (connection, nextRetryAt) => {
        if (connection !== 'live') this.dropped ??= { newestUpdatedAt: this.store.newestUpdatedAt };
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
      void this.catchUpAfterGap();
      return;
    }
    if (this.seq.hasHoles) this.scheduleGapCheck();
  }

  /** Checks back after the grace period: a hole still open then means lost messages, so refetch. */
  private scheduleGapCheck(): void {
    if (this.gapTimer !== undefined) return;
    this.gapTimer = this.setTimer(() => {
      this.gapTimer = undefined;
      if (this.seq.overdue(this.now())) void this.catchUpAfterGap();
      else if (this.seq.hasHoles) this.scheduleGapCheck();
    }, 800);
  }

  private catchUpAfterGap(): Promise<void> {
    const newest = this.store.newestUpdatedAt;
    return this.catchUp(newest === undefined ? null : newest - GAP_SLACK_MS);
  }

  /**
   * Reads every incident changed since `from` (epoch ms of `updatedAt`), newest change first; afterwards the store has
   * whatever was created or changed since then. With nothing seen yet (`from` null) there is nothing to compare with,
   * so it rereads the newest page and the first page of the shown filter instead. Concurrent calls coalesce.
   */
  catchUp(from: CatchUpFrom): Promise<void> {
    if (this.catchUpRunning) {
      const queued = this.catchUpAgain?.from;
      this.catchUpAgain = { from: queued === undefined ? from : queued === null || from === null ? null : Math.min(queued, from) };
      return this.catchUpRunning;
    }
    this.seq.settle();
    this.update({ catchingUp: true });
    const run = (async () => {
      try {
        if (from === null) {
          this.store.upsertMany((await this.deps.fetchPage({}, undefined)).items);
          if (queryKey(this.activeQuery) !== queryKey({})) this.store.upsertMany((await this.deps.fetchPage(this.activeQuery, undefined)).items);
        } else {
          const query: ServerQuery = { updatedSince: new Date(from).toISOString() };
          let cursor: string | undefined;
          for (let page = 0; page < MAX_CATCH_UP_PAGES; page++) {
            const result = await this.deps.fetchPage(query, cursor);
            this.store.upsertMany(result.items);
            cursor = result.nextCursor;
            if (!cursor) break;
          }
        }
        this.update({ catchingUp: false, catchUpError: undefined });
      } catch (error) {
        this.update({ catchingUp: false, catchUpError: error instanceof Error ? error.message : String(error) });
        // A failed catch-up leaves holes; try again shortly rather than showing a stale list until the next message.
        this.clearTimer(this.retryTimer);
        this.retryTimer = this.setTimer(() => void this.catchUp(from), 5_000);
      }
    })();
    this.catchUpRunning = run.finally(() => {
      this.catchUpRunning = undefined;
      const again = this.catchUpAgain;
      this.catchUpAgain = undefined;
      if (again) void this.catchUp(again.from);
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
