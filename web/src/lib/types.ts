// The API's shapes as the dashboard reads them (docs/openapi.yaml). Everything here arrives from the network, so
// code that renders it treats every string as untrusted text.

import type { Severity } from '../../../functions/src/domain/catalog.js';
import type { Incident as DomainIncident, IncidentStatus, TimelineEntry } from '../../../functions/src/domain/incident.js';

// The domain's own types, imported as types only (erased by the build): the dashboard cannot drift from what the
// handlers send, which is how an earlier attempt's live page ended up listening for fields nobody sent.
export type { Analysis } from '../../../functions/src/domain/analysis/types.js';
export type { Severity } from '../../../functions/src/domain/catalog.js';
export type { IncidentStatus, TicketState, TimelineEntry } from '../../../functions/src/domain/incident.js';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];
export const STATUSES: readonly IncidentStatus[] = ['open', 'acknowledged', 'resolved'];

export type Role = 'admin' | 'viewer';

export interface MinuteCount {
  readonly minute: string;
  readonly count: number;
}

/** As the list and live messages carry it; `recent` (per-minute counts for the sparkline) comes from the domain type. */
export type Incident = DomainIncident;

export interface Occurrence {
  readonly eventId?: string;
  readonly occurredAt?: string;
  readonly storeId?: string;
  readonly kioskId?: string;
  readonly logStream?: string;
  readonly message?: string;
}

export interface IncidentDetail extends Incident {
  readonly timeline: readonly TimelineEntry[];
  readonly recentOccurrences: readonly Occurrence[];
  readonly kioskCounts: Readonly<Record<string, number>>;
  readonly series?: readonly MinuteCount[];
}

export interface IncidentPage {
  readonly items: readonly Incident[];
  readonly nextCursor?: string;
}

export interface LiveMessage {
  readonly type: 'incident.created' | 'incident.updated';
  readonly seq: number;
  readonly at: string;
  readonly data: Incident;
}

export type PriorityMap = Record<Severity, string>;

export interface JiraSettingsView {
  readonly baseUrl: string;
  readonly email: string;
  readonly projectKey: string;
  readonly issueType: string;
  readonly priorityMap: PriorityMap;
  readonly enabled: boolean;
  readonly commentWindowMinutes: number;
  readonly apiTokenSet: boolean;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export interface JiraNotConfigured {
  readonly configured: false;
  readonly apiTokenSet: false;
}

export type JiraTestResult =
  | {
      readonly ok: true;
      readonly accountId: string;
      readonly displayName: string;
      readonly project: { readonly key: string; readonly name: string };
      readonly issueTypes: readonly string[];
      readonly priorities: readonly string[];
    }
  | { readonly ok: false; readonly reason: string; readonly field: string; readonly message: string };

export interface AutomationSettings {
  readonly autoTicket: boolean;
  readonly minSeverity: Severity;
  readonly maxTicketsPerHour: number;
  readonly ticketRetryBudgetSeconds: number;
}

export interface Overview {
  readonly generatedAt: string;
  readonly errorsPerMinute: readonly MinuteCount[];
  readonly openBySeverity: Readonly<Partial<Record<Severity, number>>>;
  readonly topStores: ReadonlyArray<{ readonly storeId: string; readonly occurrences: number }>;
  readonly topKiosks: ReadonlyArray<{ readonly kiosk: string; readonly occurrences: number }>;
  readonly automation: {
    readonly jiraConfigured: boolean;
    readonly jiraEnabled: boolean;
    readonly autoTicket: boolean;
    readonly minSeverity: Severity;
    readonly lastTicket?: { readonly incidentId: string; readonly key: string; readonly url: string; readonly at: string };
    readonly lastFailure?: { readonly incidentId: string; readonly error: string; readonly at: string };
  };
  readonly fleet: ReadonlyArray<{ readonly storeId: string; readonly kioskId: string; readonly logStream: string; readonly lastShipAt?: string; readonly silent: boolean }>;
}

export interface AuditEntry {
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly detail?: unknown;
}

export interface AuditPage {
  readonly items: readonly AuditEntry[];
  readonly nextCursor?: string;
}

export interface UserView {
  readonly email: string;
  readonly role: Role;
  readonly createdAt?: string;
}
