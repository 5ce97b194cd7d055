import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { RegressedBadge, SeverityBadge, SourceBadge, StatusBadge, TicketChip } from '../components/Badges.js';
import { Breakdown, MinuteBars, minuteBuckets } from '../components/Charts.js';
import { Link } from '../components/Link.js';
import { ErrorState, Loading } from '../components/States.js';
import { ApiError, api, errorMessage } from '../lib/api.js';
import { formatAgo, formatClock, formatCount, formatDateTime, formatDuration, formatPercent, safeHttpUrl, topEntries } from '../lib/format.js';
import { useFeed, useIsAdmin, useMounted, useNow, usePageTitle, useResource } from '../lib/hooks.js';
import type { Incident, IncidentDetail, IncidentStatus, MinuteCount, Occurrence, TicketState, TimelineEntry } from '../lib/types.js';

const STEP_LABEL: Record<string, string> = {
  detected: 'Detected',
  ingested: 'Occurrences stored',
  regressed: 'Regressed (recurred after resolve)',
  workflow: 'Workflow started',
  notified: 'Pushed to dashboards',
  analysis: 'Analysed',
  'ticket-decision': 'Ticket decision',
  ticket: 'Jira ticket',
  comment: 'Jira comment',
  status: 'Status changed',
};

export default function IncidentDetailPage({ id }: { readonly id: string }) {
  const feed = useFeed();
  const resource = useResource<IncidentDetail>(`/incidents/${encodeURIComponent(id)}`);
  useSyncExternalStore(feed.store.subscribe, feed.store.getSnapshot);
  const liveCopy = feed.store.get(id);
  const detail = resource.data;
  usePageTitle(detail?.title ?? 'Incident');

  useEffect(() => {
    if (detail) feed.store.upsert(detail);
  }, [detail, feed]);

  // The live copy has no timeline or occurrences: when it moves ahead, fetch the detail again (coalesced).
  const liveAhead = liveCopy !== undefined && detail !== undefined && liveCopy.version > detail.version;
  const { reload } = resource;
  useEffect(() => {
    if (!liveAhead) return;
    const timer = setTimeout(reload, 300);
    return () => clearTimeout(timer);
  }, [liveAhead, liveCopy?.version, reload]);

  if (resource.error && !detail) {
    const notFound = resource.error instanceof ApiError && resource.error.status === 404;
    return (
      <section className="page">
        <p>
          <Link to="/incidents">← All incidents</Link>
        </p>
        <h1>{notFound ? 'Incident not found' : 'Incident'}</h1>
        <ErrorState title={notFound ? 'There is no incident with this id' : 'The incident could not be loaded'} error={resource.error} {...(notFound ? {} : { onRetry: reload })} />
      </section>
    );
  }
  if (!detail) return <Loading label="Loading incident…" />;
  const incident: IncidentDetail = liveAhead ? { ...detail, ...liveCopy } : detail;
  return <Detail incident={incident} onChanged={reload} />;
}

function Detail({ incident, onChanged }: { readonly incident: IncidentDetail; readonly onChanged: () => void }) {
  const feed = useFeed();
  const admin = useIsAdmin();
  const now = useNow(30_000);
  const mounted = useMounted();
  const [busy, setBusy] = useState<string | undefined>();
  const [outcome, setOutcome] = useState<{ kind: 'ok' | 'error'; text: string } | undefined>();

  const act = async (label: string, work: () => Promise<string>) => {
    setBusy(label);
    setOutcome(undefined);
    try {
      const text = await work();
      if (mounted.current) setOutcome({ kind: 'ok', text });
      onChanged();
    } catch (error) {
      if (mounted.current) setOutcome({ kind: 'error', text: errorMessage(error) });
    } finally {
      if (mounted.current) setBusy(undefined);
    }
  };

  const setStatus = (status: IncidentStatus, verb: string) =>
    act(verb, async () => {
      const updated = await api.patch<Incident>(`/incidents/${encodeURIComponent(incident.id)}`, { status });
      feed.store.upsert(updated);
      return `Incident ${status === 'open' ? 'reopened' : status}.`;
    });

  const requestTicket = () =>
    act('ticket', async () => {
      const answer = await api.post<{ ticket: TicketState }>(`/incidents/${encodeURIComponent(incident.id)}/ticket`);
      return answer.ticket.status === 'created' ? `The ticket ${answer.ticket.key ?? ''} already exists.` : 'Creating the Jira ticket… it appears here when Jira answers.';
    });

  const reanalyze = () =>
    act('analyze', async () => {
      await api.post(`/incidents/${encodeURIComponent(incident.id)}/analyze`);
      return 'Analysis started; the result replaces this one when it is ready.';
    });

  const stores = Object.keys(incident.storeCounts ?? {}).length;

  return (
    <article className="page page-detail" aria-labelledby="incident-title">
      <p className="crumbs">
        <Link to="/incidents">← All incidents</Link>
      </p>
      <header className="detail-head">
        <div className="detail-badges">
          <SeverityBadge severity={incident.severity} />
          <StatusBadge status={incident.status} />
          <RegressedBadge incident={incident} />
        </div>
        <h1 id="incident-title">{incident.title}</h1>
        <p className="detail-meta">
          <code>{incident.code}</code>
          <span aria-hidden="true"> · </span>
          {incident.category}
          <span aria-hidden="true"> · </span>
          <span data-testid="occurrences">{formatCount(incident.occurrences)}</span> {incident.occurrences === 1 ? 'occurrence' : 'occurrences'} at {stores === 1 ? '1 store' : `${stores} stores`}
          <span aria-hidden="true"> · </span>
          first seen <time dateTime={incident.firstSeen} title={formatDateTime(incident.firstSeen)}>{formatAgo(incident.firstSeen, now)}</time>, last seen{' '}
          <time dateTime={incident.lastSeen} title={formatDateTime(incident.lastSeen)}>
            {formatAgo(incident.lastSeen, now)}
          </time>
        </p>
        {admin ? (
          <div className="actions" role="group" aria-label="Incident actions">
            {incident.status === 'open' ? (
              <button type="button" className="btn" disabled={busy !== undefined} onClick={() => void setStatus('acknowledged', 'ack')}>
                Acknowledge
              </button>
            ) : null}
            {incident.status !== 'resolved' ? (
              <button type="button" className="btn btn-primary" disabled={busy !== undefined} onClick={() => void setStatus('resolved', 'resolve')}>
                Resolve
              </button>
            ) : null}
            {incident.status !== 'open' ? (
              <button type="button" className="btn" disabled={busy !== undefined} onClick={() => void setStatus('open', 'reopen')}>
                Reopen
              </button>
            ) : null}
          </div>
        ) : null}
        {outcome ? (
          <p className={outcome.kind === 'ok' ? 'notice' : 'notice notice-error'} role={outcome.kind === 'ok' ? 'status' : 'alert'}>
            {outcome.text}
          </p>
        ) : null}
      </header>

      <div className="detail-grid">
        <div className="detail-main">
          <section className="panel" aria-labelledby="chart-title">
            <h2 id="chart-title">Occurrences, last 60 minutes</h2>
            <OccurrenceChart incident={incident} now={now} />
          </section>

          <section className="panel" aria-labelledby="samples-title">
            <h2 id="samples-title">Recent log lines</h2>
            <Samples incident={incident} />
          </section>

          <section className="panel" aria-labelledby="timeline-title">
            <h2 id="timeline-title">Pipeline timeline</h2>
            <Timeline entries={incident.timeline ?? []} />
          </section>
        </div>

        <div className="detail-side">
          <section className="panel" aria-labelledby="ticket-title">
            <h2 id="ticket-title">Jira ticket</h2>
            <TicketPanel ticket={incident.ticket} admin={admin} busy={busy === 'ticket'} onRequest={() => void requestTicket()} />
          </section>

          <section className="panel" aria-labelledby="analysis-title">
            <h2 id="analysis-title">Analysis</h2>
            <AnalysisPanel incident={incident} />
            {admin ? (
              <button type="button" className="btn btn-small" disabled={busy !== undefined} onClick={() => void reanalyze()}>
                {busy === 'analyze' ? 'Starting…' : incident.analysis ? 'Analyse again' : 'Analyse now'}
              </button>
            ) : null}
          </section>

          <section className="panel" aria-labelledby="stores-title">
            <h2 id="stores-title">By store</h2>
            <Breakdown entries={topEntries(incident.storeCounts)} label="Occurrences by store" empty="No store recorded yet." />
            <h2 id="kiosks-title" className="panel-subtitle">
              By kiosk
            </h2>
            <Breakdown entries={topEntries(incident.kioskCounts)} label="Occurrences by kiosk" empty="No kiosk recorded yet." />
          </section>
        </div>
      </div>
    </article>
  );
}

function OccurrenceChart({ incident, now }: { readonly incident: IncidentDetail; readonly now: number }) {
  // Older servers send no `series`: the recent occurrences (up to 20) still show when things happened.
  const series: readonly MinuteCount[] = useMemo(() => {
    if (incident.series) return incident.series;
    const counts = new Map<string, number>();
    for (const o of incident.recentOccurrences ?? []) {
      if (!o.occurredAt) continue;
      const at = Date.parse(o.occurredAt);
      if (!Number.isFinite(at)) continue;
      const minute = new Date(Math.floor(at / 60_000) * 60_000).toISOString();
      counts.set(minute, (counts.get(minute) ?? 0) + 1);
    }
    return [...counts].map(([minute, count]) => ({ minute, count }));
  }, [incident.series, incident.recentOccurrences]);
  const buckets = useMemo(() => minuteBuckets(series, 60, now), [series, now]);
  const total = buckets.reduce((sum, b) => sum + b.count, 0);
  return (
    <>
      <MinuteBars points={buckets} label="Occurrences per minute" />
      {total === 0 ? <p className="muted">No occurrences in the last hour.</p> : null}
      {!incident.series ? <p className="muted small">Drawn from the {incident.recentOccurrences?.length ?? 0} most recent occurrences.</p> : null}
    </>
  );
}

function Samples({ incident }: { readonly incident: IncidentDetail }) {
  const lines = (incident.recentOccurrences ?? []).filter((o): o is Occurrence & { message: string } => typeof o.message === 'string');
  // Log text is untrusted: it only ever becomes a text node inside <pre>, so markup in it shows as characters.
  const text = lines.length > 0 ? lines.map((o) => `${o.occurredAt ?? ''}  ${o.storeId ?? '?'}/${o.kioskId ?? '?'}  ${o.message}`).join('\n') : incident.sample;
  return (
    <>
      <pre className="samples" tabIndex={0} aria-label="Recent log lines">
        {text || 'No sample recorded.'}
      </pre>
      <details className="template">
        <summary>Grouping template</summary>
        <pre className="samples">{incident.template}</pre>
      </details>
    </>
  );
}

function AnalysisPanel({ incident }: { readonly incident: Incident }) {
  const analysis = incident.analysis;
  if (!analysis) return <p className="muted">Not analysed yet. The analysis appears here on its own when it is ready.</p>;
  return (
    <div className="analysis" data-testid="analysis">
      <div className="analysis-head">
        <SourceBadge source={analysis.source} />
        <span className="confidence">
          <span className="confidence-value">{formatPercent(analysis.confidence)}</span> confidence
        </span>
      </div>
      <meter className="confidence-meter" min={0} max={1} value={analysis.confidence} aria-label="Confidence" />
      <p className="small">{analysis.confidenceReason}</p>
      {analysis.fallbackReason ? (
        <p className="notice small">
          Bedrock was unavailable ({analysis.fallbackReason}); the built-in analyzer answered.
        </p>
      ) : null}
      <h3>Summary</h3>
      <p>{analysis.summary}</p>
      <h3>Root cause</h3>
      <p>{analysis.rootCause}</p>
      {analysis.suggestions.length > 0 ? (
        <>
          <h3>Suggested fixes</h3>
          <ol className="suggestions">
            {analysis.suggestions.map((s, i) => (
              <li key={i}>{s}</li>
            ))}
          </ol>
        </>
      ) : null}
      {analysis.similarIncidents.length > 0 ? (
        <>
          <h3>Similar incidents</h3>
          <ul className="similar">
            {analysis.similarIncidents.map((s) => (
              <li key={s.id}>
                <Link to={`/incidents/${encodeURIComponent(s.id)}`}>{s.title}</Link> <code>{s.code}</code> <span className="muted">{formatPercent(s.similarity)} similar</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <p className="muted small">
        {analysis.model ? `${analysis.model} · ` : ''}analysed {formatDateTime(analysis.analyzedAt)} in {formatDuration(analysis.durationMs)}
      </p>
    </div>
  );
}

function TicketPanel({ ticket, admin, busy, onRequest }: { readonly ticket: TicketState | undefined; readonly admin: boolean; readonly busy: boolean; readonly onRequest: () => void }) {
  const href = safeHttpUrl(ticket?.url);
  return (
    <div className="ticket" data-testid="ticket">
      <p>
        <TicketChip ticket={ticket} linked />
        {ticket?.status === 'created' && href ? (
          <>
            {' '}
            <a href={href} target="_blank" rel="noopener noreferrer">
              Open {ticket.key ?? 'ticket'} in Jira<span className="visually-hidden"> (opens in a new tab)</span>
            </a>
          </>
        ) : null}
      </p>
      {ticket ? (
        <p className="muted small">
          {ticket.attempts} attempt{ticket.attempts === 1 ? '' : 's'} · updated {formatDateTime(ticket.updatedAt)}
        </p>
      ) : (
        <p className="muted small">No ticket has been opened for this incident.</p>
      )}
      {ticket?.error ? (
        <p className={ticket.status === 'failed' ? 'notice notice-error small' : 'notice small'}>
          {ticket.status === 'failed' ? 'Failed: ' : 'Retrying: '}
          {ticket.error}
        </p>
      ) : null}
      {admin && (!ticket || ticket.status === 'failed') ? (
        <button type="button" className="btn btn-primary btn-small" disabled={busy} onClick={onRequest}>
          {busy ? 'Requesting…' : ticket ? 'Retry ticket' : 'Create ticket'}
        </button>
      ) : null}
    </div>
  );
}

function Timeline({ entries }: { readonly entries: readonly TimelineEntry[] }) {
  if (entries.length === 0) return <p className="muted">Nothing recorded yet.</p>;
  return (
    <ol className="timeline">
      {entries.map((entry, i) => (
        <li key={`${entry.at}-${entry.step}-${i}`} className={`tl tl-${entry.status}`}>
          <span className="tl-marker" aria-hidden="true" />
          <div className="tl-body">
            <div className="tl-line">
              <span className="tl-step">{STEP_LABEL[entry.step] ?? entry.step}</span>
              <span className={`tl-status tl-status-${entry.status}`}>{entry.status === 'ok' ? 'done' : entry.status}</span>
              <time className="tl-time" dateTime={entry.at} title={formatDateTime(entry.at)}>
                {formatClock(entry.at)}
              </time>
              <span className="tl-duration">{formatDuration(entry.durationMs)}</span>
            </div>
            <TimelineDetail entry={entry} />
          </div>
        </li>
      ))}
    </ol>
  );
}

/** The detail fields worth reading, as plain text; the reason of a failure first. */
function TimelineDetail({ entry }: { readonly entry: TimelineEntry }) {
  const detail = entry.detail ?? {};
  const reason = [detail.reason, detail.error, detail.fallbackReason].find((v): v is string => typeof v === 'string');
  const rest = Object.entries(detail)
    .filter(([k, v]) => !['reason', 'error', 'fallbackReason'].includes(k) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'))
    .slice(0, 6)
    .map(([k, v]) => `${k}: ${typeof v === 'number' && k === 'confidence' ? formatPercent(v) : String(v)}`);
  if (!reason && rest.length === 0) return null;
  return (
    <>
      {reason ? <p className={entry.status === 'failed' ? 'tl-reason tl-reason-failed' : 'tl-reason'}>{reason}</p> : null}
      {rest.length > 0 ? <p className="tl-detail">{rest.join(' · ')}</p> : null}
    </>
  );
}
