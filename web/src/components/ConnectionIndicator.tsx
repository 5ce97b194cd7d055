import { useSyncExternalStore } from 'react';
import { useFeed, useNow } from '../lib/hooks.js';

const LABEL = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline' } as const;

export function ConnectionIndicator() {
  const feed = useFeed();
  const state = useSyncExternalStore(feed.subscribe, feed.getSnapshot);
  const now = useNow(1_000);
  const retryIn = state.connection === 'reconnecting' && state.nextRetryAt ? Math.max(0, Math.ceil((state.nextRetryAt - now) / 1000)) : undefined;
  const detail =
    state.connection === 'live'
      ? 'Updates arrive as they happen'
      : state.connection === 'offline'
        ? 'This device is offline; the list will catch up when it reconnects'
        : retryIn !== undefined
          ? `Next attempt in ${retryIn} s`
          : 'Opening the live connection';
  return (
    <div className={`conn conn-${state.connection}`} role="status" aria-live="polite" title={detail} data-connection={state.connection}>
      <span className="conn-dot" aria-hidden="true" />
      <span>{LABEL[state.connection]}</span>
      {retryIn !== undefined ? <span className="conn-retry">{` · ${retryIn} s`}</span> : null}
    </div>
  );
}
