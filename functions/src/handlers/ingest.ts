import { gunzipSync } from 'node:zlib';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { z } from 'zod';
import { configFromEnv } from '../config.js';
import { redact } from '../domain/redact.js';
import { ingestLogBatch, type IngestDeps, type IngestResult } from '../use-cases/ingest-log-batch.js';
import type { StatsStore } from '../ports.js';
import { buildServices, type Services } from '../wiring.js';
import { logger } from './logger.js';
import { lambdaEntry, lambdaWiring, metrics, recordIngestMetrics } from './observability.js';

/** A real payload is at most a few MB inflated; refusing more stops a small gzip bomb from taking the container down. */
const MAX_INFLATED_BYTES = 16 * 1024 * 1024;

const logsData = z.object({
  messageType: z.enum(['DATA_MESSAGE', 'CONTROL_MESSAGE']),
  owner: z.string(),
  logGroup: z.string().min(1),
  logStream: z.string().min(1),
  subscriptionFilters: z.array(z.string()),
  logEvents: z.array(z.object({ id: z.string().min(1), timestamp: z.number(), message: z.string() })),
});

export type IngestOutcome = IngestResult | { readonly skipped: Record<string, number>; readonly received: number };

export function createIngestHandler(deps: IngestDeps & { stats: StatsStore }) {
  return async (event: CloudWatchLogsEvent): Promise<IngestOutcome> => {
    const decoded = decode(event);
    if (!decoded.ok) {
      // Retrying a payload that cannot be decoded would fail the same way three times: count it and move on.
      // JSON.parse quotes a short payload whole in its message: the detail is redacted like any other log text.
      logger.error('Skipping undecodable CloudWatch Logs payload', { reason: decoded.reason, detail: redact(decoded.detail) });
      await deps.stats.increment('ingest.skipped', { [decoded.reason]: 1 });
      return { received: 0, skipped: { [decoded.reason]: 1 } };
    }
    const data = decoded.data;
    if (data.messageType === 'CONTROL_MESSAGE') return { received: 0, skipped: {} };
    const result = await ingestLogBatch({ logGroup: data.logGroup, logStream: data.logStream, events: data.logEvents }, deps);
    logger.debug('Ingested batch', { logStream: data.logStream, ...result });
    return result;
  };
}

type Decoded = { ok: true; data: z.infer<typeof logsData> } | { ok: false; reason: string; detail: string };

function decode(event: CloudWatchLogsEvent): Decoded {
  const payload = (event as { awslogs?: { data?: unknown } } | undefined)?.awslogs?.data;
  if (typeof payload !== 'string' || payload.length === 0) return { ok: false, reason: 'payload_missing', detail: 'event.awslogs.data is not a string' };
  let inflated: Buffer;
  try {
    inflated = gunzipSync(Buffer.from(payload, 'base64'), { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (error) {
    const tooBig = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    return { ok: false, reason: tooBig ? 'payload_too_large' : 'payload_not_gzip', detail: error instanceof Error ? error.message : String(error) };
  }
  let json: unknown;
  try {
    json = JSON.parse(inflated.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: 'payload_not_json', detail: error instanceof Error ? error.message : String(error) };
  }
  // Reachability checks carry empty group/stream/id fields, so they are recognised before the data schema applies.
  if ((json as { messageType?: unknown } | null)?.messageType === 'CONTROL_MESSAGE') {
    return { ok: true, data: { messageType: 'CONTROL_MESSAGE', owner: '', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [] } };
  }
  const parsed = logsData.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'payload_invalid', detail: z.prettifyError(parsed.error) };
  return { ok: true, data: parsed.data };
}

let lambdaHandler: ReturnType<typeof createIngestHandler> | undefined;

/** The Lambda entry point: dependencies from the environment the stack sets, built on first use and then reused. */
export const handler = lambdaEntry(async (event: CloudWatchLogsEvent) => {
  if (!lambdaHandler) {
    const services = buildServices(configFromEnv(), lambdaWiring);
    lambdaHandler = createIngestHandler(ingestDeps(services));
  }
  const outcome = await lambdaHandler(event);
  recordIngestMetrics(metrics, outcome);
  return outcome;
});

export function ingestDeps(services: Services): IngestDeps & { stats: StatsStore } {
  return {
    incidents: services.incidents,
    stats: services.stats,
    notifier: services.notifier(),
    ...(services.workflow ? { workflow: services.workflow } : {}),
    commentWindowMinutes: async () => (await services.config.getJira())?.commentWindowMinutes ?? 60,
  };
}
