import { useSyncExternalStore } from 'react';

export { matchRoute, safeNextPath, type Route } from './route-match.js';

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
