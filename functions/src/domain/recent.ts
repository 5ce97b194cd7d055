// The per-incident sparkline: occurrences per minute over the hour up to the incident's last sighting.
//
// Sixty one-minute buckets rather than, say, 24 five-minute ones: ingest already counts by minute (IncidentDelta's
// minuteCounts), so the buckets are the same keys the detail chart and the occurrence items use; one-minute steps
// make a count that just ticked up visible in the line at once; and sixty small counters keep the incident item
// under about 1.5 KB extra, which DynamoDB, the list page and a 128 KB WebSocket frame all absorb easily.

/** How many one-minute buckets an incident keeps and shows. */
export const RECENT_MINUTES = 60;

const MINUTE_MS = 60_000;
/** `YYYY-MM-DDTHH:MM` in UTC, the key format of IncidentDelta.minuteCounts. */
const MINUTE_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

/** Occurrences per minute for the RECENT_MINUTES minutes ending with the incident's `lastSeen` minute, oldest first. */
export interface RecentOccurrences {
  /** the first bucket's minute, `YYYY-MM-DDTHH:MM` (UTC) */
  readonly start: string;
  /** RECENT_MINUTES counts, one per minute from `start` on */
  readonly counts: readonly number[];
}

export function minuteKey(iso: string): string {
  return iso.slice(0, 16);
}

function minuteMs(key: string): number {
  return Date.parse(`${key}:00.000Z`);
}

function keyOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

/** The oldest minute still inside the window that ends at `lastSeen`'s minute ('' when lastSeen is no timestamp). */
export function recentWindowStart(lastSeen: string): string {
  const end = minuteMs(minuteKey(lastSeen));
  return Number.isFinite(end) ? keyOf(end - (RECENT_MINUTES - 1) * MINUTE_MS) : '';
}

/**
 * The minutes of a delta worth storing: those inside the window that ends at the delta's own last minute. The
 * incident's lastSeen is never earlier than the delta's, so anything older is already stale and would only be pruned.
 * This also caps the keys one update names (a catching-up agent can send hours of minutes in one batch).
 */
export function minutesWorthKeeping(minuteCounts: Readonly<Record<string, number>>, deltaLastSeen: string): Array<[string, number]> {
  const start = recentWindowStart(deltaLastSeen);
  const end = minuteKey(deltaLastSeen);
  if (!start) return [];
  return Object.entries(minuteCounts).filter(([minute, count]) => MINUTE_KEY.test(minute) && minute >= start && minute <= end && count > 0);
}

/** Stored minute keys that have left the window ending at `lastSeen`; lastSeen never moves back, so they stay out. */
export function staleMinutes(stored: Readonly<Record<string, unknown>> | undefined, lastSeen: string): string[] {
  const start = recentWindowStart(lastSeen);
  if (!start) return [];
  return Object.keys(stored ?? {}).filter((minute) => !MINUTE_KEY.test(minute) || minute < start);
}

/** The API's view of the stored per-minute map: a dense array over the window, whatever stale keys are still stored. */
export function recentOccurrences(stored: Readonly<Record<string, unknown>> | undefined, lastSeen: string): RecentOccurrences {
  const start = recentWindowStart(lastSeen);
  const counts = new Array<number>(RECENT_MINUTES).fill(0);
  if (!start) return { start, counts };
  const startMs = minuteMs(start);
  for (const [minute, value] of Object.entries(stored ?? {})) {
    if (!MINUTE_KEY.test(minute)) continue;
    const slot = Math.round((minuteMs(minute) - startMs) / MINUTE_MS);
    // Only real numbers count: a hand-edited or foreign item can hold anything, and Number() throws on some objects.
    const count = typeof value === 'number' ? value : NaN;
    if (slot >= 0 && slot < RECENT_MINUTES && Number.isFinite(count)) counts[slot] = count;
  }
  return { start, counts };
}
