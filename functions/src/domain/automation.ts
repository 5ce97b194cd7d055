import { SEVERITIES, type Severity } from './catalog.js';

export interface AutomationSettings {
  /** open a Jira ticket for qualifying new incidents without anyone asking */
  readonly autoTicket: boolean;
  /** incidents below this severity never get an automatic ticket */
  readonly minSeverity: Severity;
  /** flood guard: automatic tickets per clock hour across the fleet */
  readonly maxTicketsPerHour: number;
  /** how long ticket creation keeps retrying through Jira outages before it is marked failed */
  readonly ticketRetryBudgetSeconds: number;
}

export const DEFAULT_AUTOMATION: AutomationSettings = {
  autoTicket: true,
  minSeverity: 'high',
  maxTicketsPerHour: 20,
  ticketRetryBudgetSeconds: 180,
};

const RANK: Record<Severity, number> = Object.fromEntries(SEVERITIES.map((s, i) => [s, SEVERITIES.length - i])) as Record<Severity, number>;

/** critical > high > medium > low */
export function atLeast(severity: Severity, minimum: Severity): boolean {
  return RANK[severity] >= RANK[minimum];
}
