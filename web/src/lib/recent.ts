import type { Incident } from './types.js';

const MINUTE_MS = 60_000;
export const SPARK_MINUTES = 60;

/** `YYYY-MM-DDTHH:MM` is UTC on the server; without the zone, Date.parse would read it as local time. */
export function parseMinute(minute: string): number {
  return Date.parse(/[zZ]|[+-]\d{2}:\d{2}$/.test(minute.slice(10)) ? minute : `${minute}:00Z`);
}

/**
 * The incident's occurrences per minute over the hour ending now, oldest first. The server's buckets end at the
 * incident's lastSeen; they are shifted onto this clock so a quiet incident flattens out as time passes. When lastSeen
 * is ahead of this clock (a skewed device, or a `now` refreshed only every half minute) the hour ends there instead,
 * so the count that just arrived is never cut off.
 */
export function lastHourCounts(recent: Incident['recent'], now: number): number[] {
  const counts = new Array<number>(SPARK_MINUTES).fill(0);
  if (!recent) return counts;
  const start = parseMinute(recent.start);
  if (!Number.isFinite(start)) return counts;
  const serverEnd = start + (recent.counts.length - 1) * MINUTE_MS;
  const end = Math.max(Math.floor(now / MINUTE_MS) * MINUTE_MS, serverEnd);
  const windowStart = end - (SPARK_MINUTES - 1) * MINUTE_MS;
  recent.counts.forEach((count, i) => {
    const slot = Math.round((start + i * MINUTE_MS - windowStart) / MINUTE_MS);
    if (slot >= 0 && slot < SPARK_MINUTES && Number.isFinite(count)) counts[slot] = count;
  });
  return counts;
}

export function lastHourLabel(total: number, format: (n: number) => string): string {
  if (total === 0) return 'No occurrences in the last hour';
  return `${format(total)} ${total === 1 ? 'occurrence' : 'occurrences'} in the last hour`;
}
