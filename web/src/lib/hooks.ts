import { createContext, useCallback, useContext, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { api } from './api.js';
import { auth, type AuthState } from './auth.js';
import type { IncidentFeed } from './feed.js';

export const FeedContext = createContext<IncidentFeed | undefined>(undefined);

export function useFeed(): IncidentFeed {
  const feed = useContext(FeedContext);
  if (!feed) throw new Error('useFeed outside a signed-in page');
  return feed;
}

export function useAuth(): AuthState {
  return useSyncExternalStore(auth.subscribe, auth.getSnapshot);
}

export function useIsAdmin(): boolean {
  return useAuth().session?.role === 'admin';
}

export interface Resource<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  reload(): void;
  /** Replace the data after a successful write, without a round trip. */
  set(data: T): void;
}

/** GETs `path` (relative to the API base) when it changes; `path` undefined loads nothing. */
export function useResource<T>(path: string | undefined): Resource<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: path !== undefined });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === undefined) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true, error: undefined }));
    api.get<T>(path, { signal: controller.signal }).then(
      (data) => setState({ data, error: undefined, loading: false }),
      (error: unknown) => {
        if (!controller.signal.aborted) setState((s) => ({ ...s, error, loading: false }));
      },
    );
    return () => controller.abort();
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const set = useCallback((data: T) => setState({ data, error: undefined, loading: false }), []);
  return { ...state, reload, set };
}

export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · StackLens`;
  }, [title]);
}

/** Re-renders every `ms` so relative times ("2 min ago") stay true. */
export function useNow(ms = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/** Whether the component is still mounted, for async handlers that finish after navigation. */
export function useMounted(): { readonly current: boolean } {
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  return mounted;
}
