import type { Incident, IncidentDelta, IncidentStatus, Occurrence, TimelineEntry } from './domain/incident.js';

export interface IncidentQuery {
  readonly status?: IncidentStatus;
  readonly code?: string;
  readonly storeId?: string;
  /**
   * Only incidents whose `updatedAt` is at or after this ISO timestamp, most recently updated first: a client that was
   * disconnected asks for everything that changed meanwhile, however long ago the incident was last seen.
   */
  readonly updatedSince?: string;
  readonly limit: number;
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

export interface IncidentStore {
  /**
   * Records an occurrence for `batch` (see IncidentDelta.batch). Resolves false when the same log event was already
   * counted (a redelivery), including by a batch that died after counting it and before flagging it.
   */
  claimOccurrence(occurrence: Occurrence, batch?: string): Promise<boolean>;
  /** Flags claimed occurrences as counted on their incident, so a later redelivery is recognised as a duplicate. */
  markCounted(occurrences: readonly Occurrence[]): Promise<void>;
  /**
   * Atomically adds a batch's counts to the incident, creating it on first sight. A batch already applied is not added
   * again: `applied: false` and the incident as it is.
   */
  applyDelta(delta: IncidentDelta): Promise<{ incident: Incident; created: boolean; applied?: boolean }>;
  /** Forgets a batch once all its occurrences are flagged counted. */
  finishBatch(incidentId: string, batch: string): Promise<void>;
  get(id: string): Promise<Incident | undefined>;
  list(query: IncidentQuery): Promise<Page<Incident>>;
  recentOccurrences(id: string, limit: number): Promise<Occurrence[]>;
  kioskCounts(id: string): Promise<Record<string, number>>;
  appendTimeline(id: string, entry: TimelineEntry): Promise<void>;
  timeline(id: string, limit: number): Promise<TimelineEntry[]>;
  /** Reopens a resolved incident; undefined when it was not resolved (someone else reopened it first). */
  markRegressed(id: string, now: string): Promise<Incident | undefined>;
  /** Claims this window's recurrence comment; undefined when one was already claimed in the window. */
  claimComment(id: string, windowStart: string, now: string, occurrences: number): Promise<{ previous: number } | undefined>;
  markWorkflowStarted(id: string, now: string): Promise<void>;
}

export interface StatsStore {
  /** Adds to named counters (skipped records by reason, delivery failures…); survives restarts. */
  /** `expiresAt` (epoch seconds) lets DynamoDB TTL sweep time-bucketed groups such as errors per minute. */
  increment(group: string, counts: Readonly<Record<string, number>>, expiresAt?: number): Promise<void>;
  read(group: string): Promise<Record<string, number>>;
}

export interface LiveMessage {
  readonly type: string;
  readonly seq: number;
  readonly at: string;
  readonly data: unknown;
}

export interface Notifier {
  /** Pushes one message to every connected dashboard; resolves with how many sockets took it. */
  publish(type: string, data: unknown): Promise<{ seq: number; delivered: number; gone: number }>;
}

export interface ConnectionStore {
  add(connection: { connectionId: string; subject: string; connectedAt: string }): Promise<void>;
  remove(connectionId: string): Promise<void>;
  all(): Promise<string[]>;
}
