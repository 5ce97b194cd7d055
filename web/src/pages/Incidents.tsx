import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useDeferredValue, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ChangeEvent } from 'react';
import { SeverityBadge, StatusBadge, TicketChip, RegressedBadge } from '../components/Badges.js';
import { Sparkline } from '../components/Charts.js';
import { Link } from '../components/Link.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { formatAgo, formatCount, formatDateTime } from '../lib/format.js';
import { useFeed, useNow, usePageTitle } from '../lib/hooks.js';
import {
  DEFAULT_FILTER,
  TIME_RANGES,
  filterFromSearch,
  searchFromFilter,
  serverQueryFor,
  visibleIncidents,
  type IncidentFilter,
  type SortKey,
  type TimeRange,
} from '../lib/incident-view.js';
import { lastHourCounts, lastHourLabel } from '../lib/recent.js';
import { navigate, useLocation } from '../lib/router.js';
import { SEVERITIES, STATUSES, type Incident } from '../lib/types.js';

const ROW_HEIGHT = 68;
const RANGE_LABEL: Record<TimeRange, string> = { '15m': 'Last 15 minutes', '1h': 'Last hour', '24h': 'Last 24 hours', '7d': 'Last 7 days', all: 'Any time' };
const SORT_LABEL: Record<SortKey, string> = { lastSeen: 'Last seen', occurrences: 'Occurrences', severity: 'Severity' };

export function IncidentsPage() {
  usePageTitle('Incidents');
  const feed = useFeed();
  const location = useLocation();
  const filter = useMemo(() => filterFromSearch(location.search), [location.search]);
  const query = useMemo(() => serverQueryFor(filter), [filter]);
  const feedState = useSyncExternalStore(feed.subscribe, feed.getSnapshot);
  useSyncExternalStore(feed.store.subscribe, feed.store.getSnapshot);
  const all = feed.store.all();
  const now = useNow(30_000);
  // Typing in the search box stays responsive with 10,000 incidents: the list filters a beat behind the input.
  const deferredFilter = useDeferredValue(filter);
  const visible = useMemo(() => visibleIncidents(all, deferredFilter, now), [all, deferredFilter, now]);
  const queryState = feed.queryState(query);
  const [searchText, setSearchText] = useState(filter.search);

  useEffect(() => {
    void feed.show(query);
  }, [feed, query]);

  useEffect(() => setSearchText(filter.search), [filter.search]);

  const setFilter = (patch: Partial<IncidentFilter>) => {
    navigate(`/incidents${searchFromFilter({ ...filter, ...patch })}`, { replace: true });
  };

  // Debounce the address-bar update while typing. The URL is read when the timer fires, so a filter changed in the
  // meantime is not overwritten with a stale copy.
  useEffect(() => {
    if (searchText === filter.search) return;
    const timer = setTimeout(() => {
      navigate(`/incidents${searchFromFilter({ ...filterFromSearch(window.location.search), search: searchText })}`, { replace: true });
    }, 150);
    return () => clearTimeout(timer);
  }, [searchText, filter.search]);

  const codes = useMemo(() => [...new Set(all.map((i) => i.code))].sort(), [all]);
  const stores = useMemo(() => [...new Set(all.flatMap((i) => Object.keys(i.storeCounts ?? {})))].sort(), [all]);
  const filtered = JSON.stringify({ ...filter, sort: DEFAULT_FILTER.sort }) !== JSON.stringify({ ...DEFAULT_FILTER });

  return (
    <section className="page page-incidents" aria-labelledby="incidents-title">
      <div className="page-head">
        <h1 id="incidents-title">Incidents</h1>
        <p className="muted" aria-live="polite">
          {formatCount(visible.length)} shown
          {queryState.nextCursor ? ' · more load as you scroll' : ''}
          {feedState.catchingUp ? ' · catching up…' : ''}
        </p>
      </div>

      <form className="filters" role="search" aria-label="Filter incidents" onSubmit={(e) => e.preventDefault()}>
        <div className="field field-search">
          <label htmlFor="f-search">Search</label>
          <input id="f-search" type="search" placeholder="Title or code" value={searchText} onChange={(e) => setSearchText(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="f-status">Status</label>
          <select id="f-status" value={filter.status} onChange={(e: ChangeEvent<HTMLSelectElement>) => setFilter({ status: e.target.value as IncidentFilter['status'] })}>
            <option value="all">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s[0]!.toUpperCase() + s.slice(1)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-severity">Severity</label>
          <select id="f-severity" value={filter.severity} onChange={(e) => setFilter({ severity: e.target.value as IncidentFilter['severity'] })}>
            <option value="all">All</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s[0]!.toUpperCase() + s.slice(1)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-code">Code</label>
          <input id="f-code" list="f-code-list" value={filter.code} spellCheck={false} onChange={(e) => setFilter({ code: e.target.value.toUpperCase() })} placeholder="Any" />
          <datalist id="f-code-list">
            {codes.map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor="f-store">Store</label>
          <input id="f-store" list="f-store-list" value={filter.storeId} spellCheck={false} onChange={(e) => setFilter({ storeId: e.target.value })} placeholder="Any" />
          <datalist id="f-store-list">
            {stores.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor="f-range">Last seen</label>
          <select id="f-range" value={filter.range} onChange={(e) => setFilter({ range: e.target.value as TimeRange })}>
            {(Object.keys(TIME_RANGES) as TimeRange[]).map((r) => (
              <option key={r} value={r}>
                {RANGE_LABEL[r]}
              </option>
            ))}
          </select>
        </div>
        {filtered ? (
          <button type="button" className="btn btn-quiet filters-clear" onClick={() => navigate(`/incidents${searchFromFilter({ ...DEFAULT_FILTER, sort: filter.sort })}`, { replace: true })}>
            Reset filters
          </button>
        ) : null}
      </form>

      {queryState.error && visible.length === 0 ? (
        <ErrorState title="The incidents could not be loaded" error={new Error(queryState.error)} onRetry={() => void feed.reload(query)} />
      ) : !queryState.loaded && visible.length === 0 ? (
        <Loading label="Loading incidents…" />
      ) : (
        <IncidentList
          incidents={visible}
          sort={filter.sort}
          onSort={(sort) => setFilter({ sort })}
          now={now}
          hasMore={Boolean(queryState.nextCursor)}
          loadingMore={queryState.loading}
          onLoadMore={() => void feed.loadMore(query)}
          isFresh={(id) => feed.store.isFresh(id)}
          emptyFiltered={filtered}
          loadError={queryState.error}
        />
      )}
    </section>
  );
}

interface ListProps {
  readonly incidents: readonly Incident[];
  readonly sort: SortKey;
  readonly onSort: (sort: SortKey) => void;
  readonly now: number;
  readonly hasMore: boolean;
  readonly loadingMore: boolean;
  readonly onLoadMore: () => void;
  readonly isFresh: (id: string) => boolean;
  readonly emptyFiltered: boolean;
  readonly loadError: string | undefined;
}

function IncidentList({ incidents, sort, onSort, now, hasMore, loadingMore, onLoadMore, isFresh, emptyFiltered, loadError }: ListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: incidents.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    getItemKey: (index) => incidents[index]?.id ?? index,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length > 0 ? items[items.length - 1]!.index : -1;

  // Infinite scroll: fetch the next page when the user is within a screen of the end of what is loaded.
  useEffect(() => {
    if (hasMore && !loadingMore && !loadError && lastIndex >= incidents.length - 15) onLoadMore();
  }, [lastIndex, incidents.length, hasMore, loadingMore, loadError, onLoadMore]);

  const header = (key: SortKey, className: string) => (
    <button type="button" className={`sort ${className}`} aria-pressed={sort === key} onClick={() => onSort(key)}>
      {SORT_LABEL[key]}
      <span aria-hidden="true">{sort === key ? ' ↓' : ''}</span>
    </button>
  );

  return (
    <div className="incident-list">
      <div className="list-head" role="group" aria-label="Sort incidents by">
        {header('severity', 'col-sev')}
        <span className="col-title">Incident</span>
        <span className="col-status">Status</span>
        {header('occurrences', 'col-count')}
        {header('lastSeen', 'col-seen')}
        <span className="col-ticket">Ticket</span>
      </div>
      {incidents.length === 0 ? (
        emptyFiltered ? (
          <Empty title="No incidents match these filters">Try another status, a wider time range, or reset the filters.</Empty>
        ) : (
          <Empty title="No incidents yet">New incidents appear here the moment a till logs an error. Nothing to fix right now.</Empty>
        )
      ) : (
        <div ref={scroller} className="vlist" tabIndex={0} role="region" aria-label={`Incident list, ${incidents.length} incidents`}>
          <ul className="vlist-inner" style={{ height: virtualizer.getTotalSize() }} aria-label="Incidents">
            {items.map((item) => {
              const incident = incidents[item.index]!;
              return (
                <li
                  key={item.key}
                  className="vrow"
                  style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                  aria-setsize={incidents.length}
                  aria-posinset={item.index + 1}
                >
                  <IncidentRow incident={incident} now={now} fresh={isFresh(incident.id)} />
                </li>
              );
            })}
          </ul>
        </div>
      )}
      <div className="list-foot">
        {loadError ? (
          <span className="field-error" role="alert">
            Loading more failed: {loadError}{' '}
            <button type="button" className="btn btn-small" onClick={onLoadMore}>
              Retry
            </button>
          </span>
        ) : hasMore ? (
          <button type="button" className="btn btn-small" onClick={onLoadMore} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load older incidents'}
          </button>
        ) : incidents.length > 0 ? (
          <span className="muted">All loaded incidents shown</span>
        ) : null}
      </div>
    </div>
  );
}

const IncidentRow = memo(function IncidentRow({ incident, now, fresh }: { readonly incident: Incident; readonly now: number; readonly fresh: boolean }) {
  const stores = Object.keys(incident.storeCounts ?? {}).length;
  return (
    <div className={`row sev-edge-${incident.severity}${fresh ? ' row-new' : ''}`} data-incident-id={incident.id}>
      <span className="col-sev">
        <SeverityBadge severity={incident.severity} />
      </span>
      <span className="col-title">
        <Link to={`/incidents/${encodeURIComponent(incident.id)}`} className="row-link">
          {incident.title}
        </Link>
        <span className="row-meta">
          <code>{incident.code}</code>
          <span aria-hidden="true"> · </span>
          {incident.category}
          <span aria-hidden="true"> · </span>
          {stores === 1 ? '1 store' : `${stores} stores`}
          {incident.ticket?.key ? <span className="meta-ticket">{` · ${incident.ticket.key}`}</span> : null}
        </span>
      </span>
      <span className="col-status">
        <StatusBadge status={incident.status} />
        <RegressedBadge incident={incident} />
      </span>
      <span className="col-count">
        <Ticker value={incident.occurrences} />
        {incident.recent ? <RecentSparkline recent={incident.recent} now={now} /> : null}
      </span>
      <span className="col-seen" title={formatDateTime(incident.lastSeen)}>
        {formatAgo(incident.lastSeen, now)}
      </span>
      <span className="col-ticket">
        <TicketChip ticket={incident.ticket} />
      </span>
    </div>
  );
});

/** Occurrences per minute over the last hour; redrawn when a live update brings new counts or the clock moves on. */
function RecentSparkline({ recent, now }: { readonly recent: NonNullable<Incident['recent']>; readonly now: number }) {
  const values = useMemo(() => lastHourCounts(recent, now), [recent, now]);
  const total = values.reduce((sum, n) => sum + n, 0);
  return <Sparkline values={values} label={lastHourLabel(total, formatCount)} />;
}

/** A count that briefly pulses when it changes, so a ticking incident catches the eye. */
function Ticker({ value }: { readonly value: number }) {
  const seen = useRef({ value, changedAt: 0 });
  if (seen.current.value !== value) seen.current = { value, changedAt: Date.now() };
  const pulsing = Date.now() - seen.current.changedAt < 1_000;
  return (
    <span key={value} className={pulsing ? 'count tick' : 'count'}>
      {formatCount(value)}
    </span>
  );
}
