import type { Incident, IncidentStatus, Severity, TicketState } from '../lib/types.js';
import { safeHttpUrl } from '../lib/format.js';

const SEVERITY_LABEL: Record<Severity, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low' };
const STATUS_LABEL: Record<IncidentStatus, string> = { open: 'Open', acknowledged: 'Acknowledged', resolved: 'Resolved' };

export function SeverityBadge({ severity }: { readonly severity: Severity }) {
  return <span className={`badge sev-${severity in SEVERITY_LABEL ? severity : 'low'}`}>{SEVERITY_LABEL[severity] ?? String(severity)}</span>;
}

export function StatusBadge({ status }: { readonly status: IncidentStatus }) {
  return <span className={`badge status-${status}`}>{STATUS_LABEL[status] ?? String(status)}</span>;
}

export function RegressedBadge({ incident }: { readonly incident: Incident }) {
  if (!incident.regressions) return null;
  return (
    <span className="badge regressed" title={`Recurred after being resolved ${incident.regressions} time(s)`}>
      Regressed{incident.regressions > 1 ? ` ×${incident.regressions}` : ''}
    </span>
  );
}

/** The Jira ticket in one chip: its key (a link when created), pending or failed. */
export function TicketChip({ ticket, linked = false }: { readonly ticket: TicketState | undefined; readonly linked?: boolean }) {
  if (!ticket) return <span className="chip chip-none">No ticket</span>;
  if (ticket.status === 'created') {
    const href = safeHttpUrl(ticket.url);
    const label = ticket.key ?? 'Ticket';
    return linked && href ? (
      <a className="chip chip-created" href={href} target="_blank" rel="noopener noreferrer">
        {label}
        <span className="visually-hidden"> (Jira ticket, opens in a new tab)</span>
      </a>
    ) : (
      <span className="chip chip-created">{label}</span>
    );
  }
  if (ticket.status === 'pending') return <span className="chip chip-pending">Ticket pending</span>;
  return <span className="chip chip-failed">Ticket failed</span>;
}

export function SourceBadge({ source }: { readonly source: 'bedrock' | 'builtin' }) {
  return <span className={`badge source-${source}`}>{source === 'bedrock' ? 'Bedrock' : 'Built-in analyzer'}</span>;
}
