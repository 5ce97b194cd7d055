import type { Analysis } from './analysis/types.js';
import type { Category, Severity } from './catalog.js';
import type { RecentOccurrences } from './recent.js';

export const INCIDENT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** An incident is one problem: every occurrence whose record fingerprints the same. Its id is that fingerprint. */
export interface Incident {
  readonly id: string;
  readonly fingerprint: string;
  readonly code: string;
  readonly title: string;
  readonly severity: Severity;
  readonly category: Category;
  readonly template: string;
  readonly status: IncidentStatus;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly occurrences: number;
  /** occurrences per store; kiosk counts live beside the incident (see IncidentStore.kioskCounts) */
  readonly storeCounts: Readonly<Record<string, number>>;
  /** the most recent (redacted) record text, for a glance without opening the incident */
  readonly sample: string;
  /**
   * Occurrences per minute over the hour up to lastSeen, for the list's sparkline. The store always sets it; it is
   * optional here only so that incidents built by hand (tests, fixtures) need not spell out sixty zeros.
   */
  readonly recent?: RecentOccurrences;
  readonly createdAt: string;
  /** When the incident last changed in any way the API shows (counts, status, analysis, ticket…); `updatedSince` reads it. */
  readonly updatedAt: string;
  /**
   * Increases by one with every write. Concurrent batches can publish their updates out of order, so a client keeps
   * the copy with the highest version rather than the last one to arrive.
   */
  readonly version: number;
  /** the latest analysis, once the workflow has run */
  readonly analysis?: Analysis;
  readonly ticket?: TicketState;
  /** set when a resolved incident recurred; `regressions` counts how often */
  readonly regressedAt?: string;
  readonly regressions?: number;
  readonly resolvedAt?: string;
  /** when the analysis/ticket workflow was started for this incident; ingest retries the start until this is set */
  readonly workflowStartedAt?: string;
}

export const TICKET_STATUSES = ['pending', 'created', 'failed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** The incident's one Jira ticket, as the API shows it. */
export interface TicketState {
  readonly status: TicketStatus;
  readonly key?: string;
  readonly url?: string;
  /** why the last attempt failed (when status is failed, or a pending one is retrying) */
  readonly error?: string;
  /** when a create request timed out with its outcome unknown; no new create until the label search has had time to see it */
  readonly ambiguousAt?: string;
  readonly attempts: number;
  readonly createdAt?: string;
  readonly updatedAt: string;
}

export interface Occurrence {
  readonly incidentId: string;
  readonly eventId: string;
  readonly occurredAt: string;
  readonly storeId: string;
  readonly kioskId: string;
  readonly logStream: string;
  readonly message: string;
}

export type TimelineStatus = 'ok' | 'failed' | 'skipped';

/** One pipeline step on an incident, as shown on its timeline. */
export interface TimelineEntry {
  readonly at: string;
  readonly step: string;
  readonly status: TimelineStatus;
  readonly durationMs: number;
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** What one ingest batch adds to one incident. */
export interface IncidentDelta {
  readonly id: string;
  readonly fingerprint: string;
  readonly code: string;
  readonly title: string;
  readonly severity: Severity;
  readonly category: Category;
  readonly template: string;
  readonly count: number;
  readonly storeCounts: Readonly<Record<string, number>>;
  readonly kioskCounts: Readonly<Record<string, number>>;
  /** occurrences per UTC minute (`YYYY-MM-DDTHH:MM`), for the incident's occurrence chart */
  readonly minuteCounts: Readonly<Record<string, number>>;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly sample: string;
  /**
   * Names this delivery's share of the incident, the same on every redelivery of it: the count is applied once per
   * batch, even when a delivery died between counting and flagging its occurrences counted.
   */
  readonly batch?: string;
}

/** Incident ids are fingerprints: 16 lowercase hex characters. */
export const INCIDENT_ID_PATTERN = /^[0-9a-f]{16}$/;

/** Dimension values come from log content, so they are constrained before they become DynamoDB map keys. */
const DIMENSION = /^[A-Za-z0-9._:-]{1,64}$/;

export function cleanDimension(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
  return typeof value === 'string' && DIMENSION.test(value) ? value : undefined;
}

/** Agents name their stream `{storeId}/{kioskId}`; anything else is kept whole as the store with an unknown kiosk. */
export function dimensionsFromStream(logStream: string): { storeId: string; kioskId: string } {
  const slash = logStream.indexOf('/');
  const store = cleanDimension(slash > 0 ? logStream.slice(0, slash) : logStream);
  const kiosk = slash > 0 ? cleanDimension(logStream.slice(slash + 1)) : undefined;
  return { storeId: store ?? 'unknown', kioskId: kiosk ?? 'unknown' };
}

export const MAX_SAMPLE_CHARS = 4096;

export function truncateSample(text: string): string {
  return text.length <= MAX_SAMPLE_CHARS ? text : `${text.slice(0, MAX_SAMPLE_CHARS)}…[truncated ${text.length - MAX_SAMPLE_CHARS} chars]`;
}
