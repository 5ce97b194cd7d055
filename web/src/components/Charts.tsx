import { formatClock, formatCount } from '../lib/format.js';
import { parseMinute } from '../lib/recent.js';
import type { MinuteCount } from '../lib/types.js';

/** Fills the minutes the server left out with zeros so bars sit at their real time. */
export function minuteBuckets(series: readonly MinuteCount[], minutes: number, now: number): MinuteCount[] {
  const end = Math.floor(now / 60_000) * 60_000;
  const counts = new Map<number, number>();
  for (const point of series) {
    const at = parseMinute(point.minute);
    if (!Number.isFinite(at)) continue;
    const minute = Math.floor(at / 60_000) * 60_000;
    counts.set(minute, (counts.get(minute) ?? 0) + point.count);
  }
  const buckets: MinuteCount[] = [];
  for (let i = minutes - 1; i >= 0; i--) {
    const at = end - i * 60_000;
    buckets.push({ minute: new Date(at).toISOString(), count: counts.get(at) ?? 0 });
  }
  return buckets;
}

/** Per-minute bars, inline SVG. The label summarises the chart for screen readers; each bar has a tooltip. */
export function MinuteBars({ points, label, height = 120 }: { readonly points: readonly MinuteCount[]; readonly label: string; readonly height?: number }) {
  const width = 600;
  const max = Math.max(1, ...points.map((p) => p.count));
  const total = points.reduce((sum, p) => sum + p.count, 0);
  const peak = points.reduce<MinuteCount | undefined>((best, p) => (!best || p.count > best.count ? p : best), undefined);
  const slot = width / Math.max(1, points.length);
  const summary = `${label}: ${formatCount(total)} in ${points.length} minutes${peak && peak.count > 0 ? `, peak ${formatCount(peak.count)} at ${formatClock(peak.minute, false)}` : ''}`;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height + 18}`} role="img" aria-label={summary} preserveAspectRatio="none" className="chart-svg">
        <line x1="0" y1={height} x2={width} y2={height} className="chart-axis" />
        {points.map((p, i) => {
          const h = p.count === 0 ? 0 : Math.max(2, (p.count / max) * (height - 4));
          return (
            <rect key={p.minute} x={i * slot + slot * 0.15} y={height - h} width={slot * 0.7} height={h} className="chart-bar">
              <title>{`${formatClock(p.minute, false)}: ${formatCount(p.count)}`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption className="chart-caption">
        <span>{points[0] ? formatClock(points[0].minute, false) : ''}</span>
        <span>
          max {formatCount(max === 1 && total === 0 ? 0 : max)}/min · total {formatCount(total)}
        </span>
        <span>{points.length > 0 ? formatClock(points[points.length - 1]!.minute, false) : ''}</span>
      </figcaption>
    </figure>
  );
}

/** A small inline line chart; `label` is all a screen reader gets, so it should say what the line shows. */
export function Sparkline({ values, label }: { readonly values: readonly number[]; readonly label: string }) {
  if (values.length < 2) return null;
  const width = 80;
  const height = 20;
  const max = Math.max(1, ...values);
  const step = width / (values.length - 1);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`).join(' ');
  return (
    <svg className="sparkline" viewBox={`0 0 ${width} ${height}`} width={width} height={height} preserveAspectRatio="none" role="img" aria-label={label}>
      <title>{label}</title>
      <polyline points={points} fill="none" />
    </svg>
  );
}

/** A ranked breakdown (stores, kiosks) as labelled horizontal bars. */
export function Breakdown({ entries, label, empty }: { readonly entries: ReadonlyArray<readonly [string, number]>; readonly label: string; readonly empty: string }) {
  if (entries.length === 0) return <p className="muted">{empty}</p>;
  const max = Math.max(1, ...entries.map(([, n]) => n));
  return (
    <ul className="breakdown" aria-label={label}>
      {entries.map(([name, count]) => (
        <li key={name}>
          <span className="breakdown-name">{name}</span>
          <span className="breakdown-count">{formatCount(count)}</span>
          <span className="breakdown-bar" aria-hidden="true">
            <span style={{ width: `${Math.max(2, (count / max) * 100)}%` }} />
          </span>
        </li>
      ))}
    </ul>
  );
}
