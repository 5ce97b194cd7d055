import { useSyncExternalStore } from 'react';

// A History API router: the app has a handful of flat routes, which a library would not simplify.

export interface RouteLocation {
  readonly pathname: string;
  readonly search: string;
}

const listeners = new Set<() => void>();
let current: RouteLocation = read();

function read(): RouteLocation {
  return { pathname: window.location.pathname, search: window.location.search };
}

function changed(): void {
  const next = read();
  if (next.pathname === current.pathname && next.search === current.search) return;
  current = next;
  for (const listener of listeners) listener();
}

window.addEventListener('popstate', changed);

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  changed();
}

export function useLocation(): RouteLocation {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => current,
  );
}

export type Route =
  | { readonly name: 'signin' }
  | { readonly name: 'incidents' }
  | { readonly name: 'incident'; readonly id: string }
  | { readonly name: 'overview' }
  | { readonly name: 'jira' }
  | { readonly name: 'automation' }
  | { readonly name: 'users' }
  | { readonly name: 'audit' }
  | { readonly name: 'home' }
  | { readonly name: 'notFound' };

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  switch (path) {
    case '/':
      return { name: 'home' };
    case '/signin':
      return { name: 'signin' };
    case '/incidents':
      return { name: 'incidents' };
    case '/overview':
      return { name: 'overview' };
    case '/integrations/jira':
      return { name: 'jira' };
    case '/settings/automation':
      return { name: 'automation' };
    case '/settings/users':
      return { name: 'users' };
    case '/audit':
      return { name: 'audit' };
  }
  const incident = /^\/incidents\/([^/]+)$/.exec(path);
  if (incident?.[1]) {
    try {
      return { name: 'incident', id: decodeURIComponent(incident[1]) };
    } catch {
      return { name: 'notFound' };
    }
  }
  return { name: 'notFound' };
}

/** Only same-app paths may be a post-sign-in destination: never another origin (`//evil.example`). */
export function safeNextPath(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/signin')) return '/incidents';
  return next;
}
