import { useEffect, useState } from 'react';
import { Link } from '../components/Link.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { api, errorMessage } from '../lib/api.js';
import { formatDateTime } from '../lib/format.js';
import { useMounted, usePageTitle, useResource } from '../lib/hooks.js';
import type { AuditEntry, AuditPage as AuditPageData } from '../lib/types.js';

/** `{ from: 'open', to: 'resolved' }` reads as "from: open · to: resolved"; anything nested stays JSON. */
function detailText(detail: unknown): string {
  if (detail === undefined || detail === null) return '';
  if (typeof detail !== 'object') return String(detail);
  return Object.entries(detail as Record<string, unknown>)
    .map(([key, value]) => `${key}: ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`)
    .join(' · ');
}

export default function AuditPage() {
  usePageTitle('Audit log');
  const mounted = useMounted();
  const first = useResource<AuditPageData>('/audit?limit=50');
  const [more, setMore] = useState<{ items: AuditEntry[]; nextCursor?: string; fetched: boolean }>({ items: [], fetched: false });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string | undefined>();

  useEffect(() => setMore({ items: [], fetched: false }), [first.data]);

  const cursor = more.fetched ? more.nextCursor : first.data?.nextCursor;
  const loadMore = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const page = await api.get<AuditPageData>(`/audit?limit=50&cursor=${encodeURIComponent(cursor)}`);
      if (!mounted.current) return;
      setMore((m) => ({ items: [...m.items, ...page.items], fetched: true, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) }));
    } catch (error) {
      if (mounted.current) setMoreError(errorMessage(error));
    } finally {
      if (mounted.current) setLoadingMore(false);
    }
  };

  const entries = [...(first.data?.items ?? []), ...more.items];

  return (
    <section className="page" aria-labelledby="audit-title">
      <div className="page-head">
        <h1 id="audit-title">Audit log</h1>
        <p className="muted">Who changed settings, automation and incident status, and when.</p>
      </div>
      {first.error && !first.data ? (
        <ErrorState title="The audit log could not be loaded" error={first.error} onRetry={first.reload} />
      ) : !first.data ? (
        <Loading label="Loading the audit log…" />
      ) : entries.length === 0 ? (
        <Empty title="No admin actions recorded yet">Changes to Jira settings, automation and incident status appear here.</Empty>
      ) : (
        <div className="panel">
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Admin actions, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Detail</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e, i) => (
                  <tr key={`${e.at}-${i}`}>
                    <td className="nowrap">
                      <time dateTime={e.at}>{formatDateTime(e.at)}</time>
                    </td>
                    <td>{e.actor}</td>
                    <td>
                      <code>{e.action}</code>
                    </td>
                    <td className="break">
                      {e.action.startsWith('incident.') ? <Link to={`/incidents/${encodeURIComponent(e.target)}`}>{e.target}</Link> : e.target}
                    </td>
                    <td className="break small">{detailText(e.detail)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="list-foot">
            {moreError ? (
              <span className="field-error" role="alert">
                {moreError}
              </span>
            ) : null}
            {cursor ? (
              <button type="button" className="btn btn-small" onClick={() => void loadMore()} disabled={loadingMore}>
                {loadingMore ? 'Loading…' : 'Load older entries'}
              </button>
            ) : (
              <span className="muted">{entries.length} entries, all shown</span>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
