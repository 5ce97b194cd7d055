import { lazy, Suspense, useEffect, useMemo, useRef, type ReactNode } from 'react';
import { ConnectionIndicator } from './components/ConnectionIndicator.js';
import { Link } from './components/Link.js';
import { Loading } from './components/States.js';
import { api } from './lib/api.js';
import { auth } from './lib/auth.js';
import type { AppConfig } from './lib/config.js';
import { IncidentFeed, incidentsPath } from './lib/feed.js';
import { IncidentStore } from './lib/incident-store.js';
import { FeedContext, useAuth } from './lib/hooks.js';
import { LiveConnection } from './lib/live.js';
import { matchRoute, navigate, safeNextPath, useLocation, type Route } from './lib/router.js';
import type { IncidentPage } from './lib/types.js';
import { IncidentsPage } from './pages/Incidents.js';
import { SignInPage } from './pages/SignIn.js';

const IncidentDetailPage = lazy(() => import('./pages/IncidentDetail.js'));
const OverviewPage = lazy(() => import('./pages/Overview.js'));
const JiraPage = lazy(() => import('./pages/Jira.js'));
const AutomationPage = lazy(() => import('./pages/Automation.js'));
const UsersPage = lazy(() => import('./pages/Users.js'));
const AuditPage = lazy(() => import('./pages/Audit.js'));

const NAV: ReadonlyArray<{ readonly to: string; readonly label: string; readonly match: Route['name'][] }> = [
  { to: '/overview', label: 'Overview', match: ['overview'] },
  { to: '/incidents', label: 'Incidents', match: ['incidents', 'incident'] },
  { to: '/integrations/jira', label: 'Integrations · Jira', match: ['jira'] },
  { to: '/settings/automation', label: 'Automation', match: ['automation'] },
  { to: '/settings/users', label: 'Users', match: ['users'] },
  { to: '/audit', label: 'Audit log', match: ['audit'] },
];

export function App({ config }: { readonly config: AppConfig }) {
  const { session, notice } = useAuth();
  const location = useLocation();
  const route = matchRoute(location.pathname);
  const signedIn = session !== undefined;

  useEffect(() => {
    if (!signedIn && route.name !== 'signin') {
      const next = `${location.pathname}${location.search}`;
      navigate(`/signin${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`, { replace: true });
    } else if (signedIn && route.name === 'signin') {
      navigate(safeNextPath(new URLSearchParams(location.search).get('next')), { replace: true });
    } else if (signedIn && route.name === 'home') {
      navigate('/incidents', { replace: true });
    }
  }, [signedIn, route.name, location.pathname, location.search]);

  if (!session) return <SignInPage config={config} notice={notice} />;
  return <SignedIn config={config} subject={session.email} route={route} />;
}

function SignedIn({ config, subject, route }: { readonly config: AppConfig; readonly subject: string; readonly route: Route }) {
  const feed = useMemo(
    () =>
      new IncidentFeed({
        fetchPage: (query, cursor) => api.get<IncidentPage>(incidentsPath(query, cursor)),
        // A burst of live messages re-renders the list once per frame, not once per message.
        store: new IncidentStore({ schedule: (flush) => requestAnimationFrame(flush) }),
        createLive: (handlers) =>
          new LiveConnection({
            ...handlers,
            // Read at each (re)connect: a renewed token is picked up without tearing the feed down. An open socket
            // stays open past its token's expiry, as in API Gateway, which only checks the token at $connect.
            url: () => `${config.wsUrl}${config.wsUrl.includes('?') ? '&' : '?'}token=${encodeURIComponent(auth.snapshot.session?.token ?? '')}`,
            isOnline: () => navigator.onLine,
          }),
        // A refused upgrade looks like any other failure in the browser: ask the API whether the token still works
        // (a 401 there renews it or ends the session) instead of retrying with a dead token forever.
        onConnectFailure: (failures) => {
          if (failures >= 2) void api.get(incidentsPath({}, undefined, 1)).catch(() => undefined);
        },
      }),
    // A new feed per user, not per token: renewing the token keeps the list and the socket.
    [config.wsUrl, subject],
  );

  useEffect(() => {
    feed.start();
    const online = () => feed.wentOnline();
    const offline = () => feed.wentOffline();
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    return () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      feed.stop();
    };
  }, [feed]);

  return (
    <FeedContext.Provider value={feed}>
      <Shell route={route} cognito={config.auth.mode === 'cognito'}>
        <Suspense fallback={<Loading />}>
          <Page route={route} cognito={config.auth.mode === 'cognito'} />
        </Suspense>
      </Shell>
    </FeedContext.Provider>
  );
}

function Page({ route, cognito }: { readonly route: Route; readonly cognito: boolean }) {
  switch (route.name) {
    case 'incidents':
    case 'home':
    case 'signin':
      return <IncidentsPage />;
    case 'incident':
      return <IncidentDetailPage id={route.id} />;
    case 'overview':
      return <OverviewPage />;
    case 'jira':
      return <JiraPage />;
    case 'automation':
      return <AutomationPage />;
    case 'users':
      // Deployed, accounts live in the Cognito user pool: a local account created here could never sign in.
      return cognito ? (
        <section className="page">
          <h1>Users</h1>
          <p>
            Users sign in through Amazon Cognito. Invite people and put them in the <code>admin</code> or <code>viewer</code> group in the Cognito user
            pool (see docs/deploy.md, “Users”).
          </p>
        </section>
      ) : (
        <UsersPage />
      );
    case 'audit':
      return <AuditPage />;
    case 'notFound':
      return (
        <section className="page">
          <h1>Page not found</h1>
          <p>
            There is nothing at this address. <Link to="/incidents">Go to the incidents</Link>.
          </p>
        </section>
      );
  }
}

function Shell({ route, cognito, children }: { readonly route: Route; readonly cognito: boolean; readonly children: ReactNode }) {
  const { session } = useAuth();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  const location = useLocation();

  // After an in-app navigation, move focus to the new page so keyboard and screen-reader users start at its top.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus({ preventScroll: false });
  }, [location.pathname]);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/incidents" className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          StackLens
        </Link>
        <nav aria-label="Main" className="mainnav">
          <ul>
            {NAV.filter((item) => !(cognito && item.to === '/settings/users')).map((item) => {
              const current = item.match.includes(route.name);
              return (
                <li key={item.to}>
                  <Link to={item.to} aria-current={current ? 'page' : undefined} className={current ? 'active' : undefined}>
                    {item.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="topbar-end">
          <ConnectionIndicator />
          <div className="who">
            <span className="who-email">{session?.email}</span>
            <span className={`badge role-${session?.role ?? 'viewer'}`}>{session?.role === 'admin' ? 'Admin' : 'Viewer'}</span>
          </div>
          <button type="button" className="btn btn-quiet btn-small" onClick={() => auth.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1} className="main">
        {children}
      </main>
    </div>
  );
}
