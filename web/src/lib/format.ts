const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto', style: 'short' });
const absolute = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' });
const clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const shortClock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });
const number = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return Number.isFinite(n) ? number.format(n) : '–';
}

export function formatAgo(iso: string | undefined, now: number): string {
  if (!iso) return 'never';
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return 'unknown';
  const seconds = Math.round((at - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 5) return 'just now';
  if (abs < 60) return relative.format(seconds, 'second');
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
  return relative.format(Math.round(seconds / 86_400), 'day');
}

export function formatDateTime(iso: string | undefined): string {
  if (!iso) return '–';
  const at = Date.parse(iso);
  return Number.isFinite(at) ? absolute.format(at) : iso;
}

export function formatClock(iso: string | undefined, withSeconds = true): string {
  if (!iso) return '–';
  const at = Date.parse(iso);
  return Number.isFinite(at) ? (withSeconds ? clock : shortClock).format(at) : iso;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${Math.round(Math.max(0, Math.min(1, fraction)) * 100)} %` : '–';
}

/** Only web links may become hrefs; a `javascript:` URL from a compromised record must stay inert text. */
export function safeHttpUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** Sorted [key, count] pairs, largest first. */
export function topEntries(counts: Readonly<Record<string, number>> | undefined, limit = 10): Array<[string, number]> {
  return Object.entries(counts ?? {})
    .filter(([, n]) => typeof n === 'number' && Number.isFinite(n))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit);
}
