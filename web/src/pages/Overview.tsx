import { SeverityBadge } from '../components/Badges.js';
import { Breakdown, MinuteBars } from '../components/Charts.js';
import { Link } from '../components/Link.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { formatAgo, formatCount, formatDateTime, safeHttpUrl } from '../lib/format.js';
import { useNow, usePageTitle, useResource } from '../lib/hooks.js';
import { SEVERITIES, type Overview } from '../lib/types.js';

export default function OverviewPage() {
  usePageTitle('Overview');
  const overview = useResource<Overview>('/overview');
  const now = useNow(15_000);
  const data = overview.data;

  return (
    <section className="page" aria-labelledby="overview-title">
      <div className="page-head">
        <h1 id="overview-title">Overview</h1>
        {data ? (
          <p className="muted">
            As of {formatDateTime(data.generatedAt)}{' '}
            <button type="button" className="btn btn-small btn-quiet" onClick={overview.reload}>
              Refresh
            </button>
          </p>
        ) : null}
      </div>
      {overview.error && !data ? (
        <ErrorState title="The overview could not be loaded" error={overview.error} onRetry={overview.reload} />
      ) : !data ? (
        <Loading label="Loading the overview…" />
      ) : (
        <div className="overview-grid">
          <section className="panel panel-wide" aria-labelledby="epm-title">
            <h2 id="epm-title">Errors per minute</h2>
            {data.errorsPerMinute.length > 0 ? <MinuteBars points={data.errorsPerMinute} label="Errors per minute" /> : <Empty title="No errors recorded recently" />}
          </section>

          <section className="panel" aria-labelledby="sev-title">
            <h2 id="sev-title">Open incidents by severity</h2>
            <ul className="sev-counts">
              {SEVERITIES.map((s) => (
                <li key={s}>
                  <Link to={`/incidents?severity=${s}`} className="sev-count">
                    <span className="sev-count-n">{formatCount(data.openBySeverity[s] ?? 0)}</span>
                    <SeverityBadge severity={s} />
                  </Link>
                </li>
              ))}
            </ul>
          </section>

          <section className="panel" aria-labelledby="auto-title">
            <h2 id="auto-title">Automation</h2>
            <dl className="facts">
              <dt>Jira</dt>
              <dd>
                {data.automation.jiraConfigured ? (data.automation.jiraEnabled ? <span className="ok">Connected, enabled</span> : <span className="warn">Connected, disabled</span>) : <span className="warn">Not configured</span>}{' '}
                <Link to="/integrations/jira">Settings</Link>
              </dd>
              <dt>Automatic tickets</dt>
              <dd>{data.automation.autoTicket ? `On, for ${data.automation.minSeverity} and above` : 'Off'}</dd>
              <dt>Last ticket</dt>
              <dd>
                {data.automation.lastTicket ? (
                  <>
                    {safeHttpUrl(data.automation.lastTicket.url) ? (
                      <a href={safeHttpUrl(data.automation.lastTicket.url)} target="_blank" rel="noopener noreferrer">
                        {data.automation.lastTicket.key}
                      </a>
                    ) : (
                      data.automation.lastTicket.key
                    )}{' '}
                    for <Link to={`/incidents/${encodeURIComponent(data.automation.lastTicket.incidentId)}`}>incident</Link>, {formatAgo(data.automation.lastTicket.at, now)}
                  </>
                ) : (
                  'None yet'
                )}
              </dd>
              <dt>Last failure</dt>
              <dd>
                {data.automation.lastFailure ? (
                  <>
                    <span className="bad">{data.automation.lastFailure.error}</span> (
                    <Link to={`/incidents/${encodeURIComponent(data.automation.lastFailure.incidentId)}`}>incident</Link>, {formatAgo(data.automation.lastFailure.at, now)})
                  </>
                ) : (
                  'None'
                )}
              </dd>
            </dl>
          </section>

          <section className="panel" aria-labelledby="stores-title">
            <h2 id="stores-title">Top stores</h2>
            <Breakdown entries={data.topStores.map((s) => [s.storeId, s.occurrences] as const)} label="Occurrences by store" empty="No store has reported errors." />
          </section>

          <section className="panel" aria-labelledby="kiosks-title">
            <h2 id="kiosks-title">Top kiosks</h2>
            <Breakdown entries={data.topKiosks.map((k) => [k.kiosk, k.occurrences] as const)} label="Occurrences by kiosk" empty="No kiosk has reported errors." />
          </section>

          <section className="panel panel-wide" aria-labelledby="fleet-title">
            <h2 id="fleet-title">Fleet</h2>
            {data.fleet.length === 0 ? (
              <Empty title="No kiosk has shipped logs yet" />
            ) : (
              <>
                <p className="muted small">
                  {data.fleet.filter((k) => k.silent).length} of {data.fleet.length} kiosks silent
                </p>
                <div className="table-wrap">
                  <table className="table">
                    <caption className="visually-hidden">Kiosks and when each last shipped logs</caption>
                    <thead>
                      <tr>
                        <th scope="col">Store</th>
                        <th scope="col">Kiosk</th>
                        <th scope="col">Log stream</th>
                        <th scope="col">Last shipped</th>
                        <th scope="col">State</th>
                      </tr>
                    </thead>
                    <tbody>
                      {[...data.fleet]
                        .sort((a, b) => Number(b.silent) - Number(a.silent) || a.storeId.localeCompare(b.storeId) || a.kioskId.localeCompare(b.kioskId))
                        .map((k) => (
                          <tr key={k.logStream} className={k.silent ? 'row-silent' : undefined}>
                            <td>{k.storeId}</td>
                            <td>{k.kioskId}</td>
                            <td>
                              <code>{k.logStream}</code>
                            </td>
                            <td title={formatDateTime(k.lastShipAt)}>{formatAgo(k.lastShipAt, now)}</td>
                            <td>{k.silent ? <span className="badge silent">Silent</span> : <span className="badge shipping">Shipping</span>}</td>
                          </tr>
                        ))}
                    </tbody>
                  </table>
                </div>
              </>
            )}
          </section>
        </div>
      )}
    </section>
  );
}
