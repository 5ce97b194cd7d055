// The agent's counters as Prometheus text (exposition format 0.0.4) and a tiny loopback HTTP server for them.
// Only counts leave through here, never log content: label values are stat keys (skip reasons, redaction kinds) and
// the store/kiosk ids.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentStats } from './agent.js';
import { AgentError, describeError } from './errors.js';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const DEFAULT_METRICS_HOST = '127.0.0.1';

export interface MetricLabels {
  readonly store: string;
  readonly kiosk: string;
}

type NumericStatKey = { [K in keyof AgentStats]-?: AgentStats[K] extends number | undefined ? K : never }[keyof AgentStats];
type LabelledStatKey = { [K in keyof AgentStats]-?: AgentStats[K] extends Readonly<Record<string, number>> ? K : never }[keyof AgentStats];

interface ScalarMetric {
  readonly name: string;
  readonly type: 'counter' | 'gauge';
  readonly help: string;
  /** Converts the stat to the metric's base unit (Prometheus wants seconds, not milliseconds). */
  readonly scale?: number;
}

interface LabelledMetric extends ScalarMetric {
  /** Label that carries the stat's record key, e.g. `reason="binary"`. */
  readonly label: string;
}

const PREFIX = 'stacklens_agent_';
const counter = (name: string, help: string): ScalarMetric => ({ name: `${PREFIX}${name}`, type: 'counter', help });
const gauge = (name: string, help: string, scale?: number): ScalarMetric => ({
  name: `${PREFIX}${name}`,
  type: 'gauge',
  help,
  ...(scale === undefined ? {} : { scale }),
});

// One line per AgentStats field. The mapped types make a new numeric or per-key field a compile error here until it
// gets its line, so no counter is silently missing from /metrics.
const SCALAR_METRICS: { readonly [K in NumericStatKey]: ScalarMetric } = {
  linesRead: counter('lines_read_total', 'Lines read from the log file, including skipped ones.'),
  recordsShipped: counter('records_shipped_total', 'Log events CloudWatch Logs accepted.'),
  batchesSent: counter('batches_sent_total', 'PutLogEvents batches accepted.'),
  bytesShipped: counter('shipped_bytes_total', 'Bytes accepted, counted as PutLogEvents counts them (message + 26 per event).'),
  linesTruncated: counter('lines_truncated_total', 'Lines cut to the maximum line length.'),
  truncations: counter('file_truncations_total', 'Times the log file shrank below the read offset.'),
  rotations: counter('file_rotations_total', 'Times a new file replaced the followed one.'),
  retries: counter('retries_total', 'CloudWatch Logs calls retried after a transient failure.'),
  eventsRejected: counter('events_rejected_total', 'Events CloudWatch Logs rejected as outside its time window.'),
  batchesDropped: counter('batches_dropped_total', 'Batches CloudWatch Logs refused as invalid and the agent dropped.'),
  eventsDropped: counter('events_dropped_total', 'Events in batches refused as invalid.'),
  checkpointFailures: counter('checkpoint_failures_total', 'Checkpoint writes that failed.'),
  bufferDroppedRecords: counter('buffer_dropped_records_total', 'Records the disk buffer discarded, oldest first, at its size bound.'),
  bufferDroppedBytes: counter('buffer_dropped_bytes_total', 'Bytes the disk buffer discarded at its size bound.'),
  bufferCorruptFrames: counter('buffer_corrupt_frames_total', 'Damaged disk buffer frames found and skipped.'),
  bufferWriteFailures: counter('buffer_write_failures_total', 'Disk buffer appends that failed (disk full, I/O error) and were retried.'),
  lastShipAt: gauge('last_ship_timestamp_seconds', 'Unix time of the last accepted batch.', 1 / 1000),
  lagBytes: gauge('lag_bytes', 'Bytes in the followed log file not yet safely in the disk buffer.'),
  pendingRecords: gauge('pending_records', 'Records read but not yet acknowledged (memory and disk buffer).'),
  pendingBytes: gauge('pending_bytes', 'Bytes read but not yet acknowledged (memory and disk buffer).'),
  bufferedRecords: gauge('buffered_records', 'Unshipped records held in the disk buffer.'),
  bufferedBytes: gauge('buffered_bytes', 'Unshipped bytes held in the disk buffer.'),
};

const LABELLED_METRICS: { readonly [K in LabelledStatKey]: LabelledMetric } = {
  linesSkipped: { ...counter('lines_skipped_total', 'Lines read but not shipped, by reason.'), label: 'reason' },
  redactions: { ...counter('redactions_total', 'Values masked before anything left the redactor, by kind.'), label: 'kind' },
};

/** Renders the stats in the Prometheus text exposition format 0.0.4. */
export function renderPrometheus(stats: AgentStats, labels: MetricLabels): string {
  const common = `store="${escapeLabelValue(labels.store)}",kiosk="${escapeLabelValue(labels.kiosk)}"`;
  const out: string[] = [];
  for (const [key, metric] of Object.entries(SCALAR_METRICS) as [NumericStatKey, ScalarMetric][]) {
    header(out, metric);
    const value = stats[key];
    // A metric with no value yet (no batch shipped) has no sample: an absent series, not a misleading 0.
    if (value !== undefined) out.push(`${metric.name}{${common}} ${formatValue(value * (metric.scale ?? 1))}`);
  }
  for (const [key, metric] of Object.entries(LABELLED_METRICS) as [LabelledStatKey, LabelledMetric][]) {
    header(out, metric);
    const values: Readonly<Record<string, number>> = stats[key];
    for (const labelValue of Object.keys(values).sort()) {
      out.push(`${metric.name}{${common},${metric.label}="${escapeLabelValue(labelValue)}"} ${formatValue(values[labelValue] ?? 0)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

function header(out: string[], metric: ScalarMetric): void {
  out.push(`# HELP ${metric.name} ${escapeHelp(metric.help)}`, `# TYPE ${metric.name} ${metric.type}`);
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

export interface MetricsServerOptions {
  /** @default '127.0.0.1': counters only, but still nobody else's business unless the operator opens it up. */
  readonly host?: string;
  /** 0 picks a free port (the actual one is in `url`). */
  readonly port: number;
  readonly stats: () => AgentStats;
  readonly labels: MetricLabels;
}

export interface MetricsServer {
  /** The /metrics URL actually listened on. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves GET /metrics (Prometheus text) and GET /healthz; 404 for other paths, 405 for other methods. */
export function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const host = options.host ?? DEFAULT_METRICS_HOST;
  const server = createServer((req, res) => handle(req, res, options));
  // Scrapers reconnect every interval anyway; idle sockets must not hold up close().
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      reject(new AgentError('DEPENDENCY_FAILED', `Cannot serve metrics on ${hostForUrl(host)}:${options.port}: ${describeError(err)}`, { cause: err }));
    };
    server.once('error', onError);
    server.listen({ host, port: options.port }, () => {
      server.off('error', onError);
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${hostForUrl(host)}:${port}/metrics`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function handle(req: IncomingMessage, res: ServerResponse, options: MetricsServerOptions): void {
  const path = (req.url ?? '/').split('?', 1)[0];
  if (path !== '/metrics' && path !== '/healthz') {
    reply(res, 404, 'not found\n');
    return;
  }
  // HEAD is GET without the body (node:http drops it), which every HTTP server is expected to support.
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    reply(res, 405, 'method not allowed\n');
    return;
  }
  if (path === '/healthz') {
    reply(res, 200, 'ok\n');
    return;
  }
  let body: string;
  try {
    body = renderPrometheus(options.stats(), options.labels);
  } catch {
    reply(res, 500, 'metrics unavailable\n');
    return;
  }
  reply(res, 200, body, PROMETHEUS_CONTENT_TYPE);
}

function reply(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
