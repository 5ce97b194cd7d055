import middy, { type MiddyfiedHandler } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import type { Analysis } from '../domain/analysis/types.js';
import type { TicketOutcome } from '../use-cases/workflow.js';
import type { WiringOptions } from '../wiring.js';
import type { IngestOutcome } from './ingest.js';
import { logger, SERVICE_NAME } from './logger.js';
import type { WorkflowTask } from './workflow.js';

// Lambda-only concerns of the handler modules. The local runtime imports the same modules but calls the create*Handler
// factories, so nothing here runs there apart from building the (idle) Metrics instance.

export const DEFAULT_METRICS_NAMESPACE = 'StackLens';

const EMPTY_METRICS_WARNING = 'No application metrics to publish';

/**
 * Metrics' own diagnostics go through the structured logger. The API and WebSocket functions publish nothing but the
 * cold start, and Metrics warns about that on every invocation: that one warning is demoted to debug.
 */
const metricsLog = {
  debug: (message: string) => logger.debug(message),
  info: (message: string) => logger.info(message),
  warn: (message: string) => (message.startsWith(EMPTY_METRICS_WARNING) ? logger.debug(message) : logger.warn(message)),
  error: (message: string) => logger.error(message),
};

export function createMetrics(env: NodeJS.ProcessEnv = process.env): Metrics {
  return new Metrics({ namespace: env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_METRICS_NAMESPACE, serviceName: SERVICE_NAME, logger: metricsLog });
}

/** Flushed as EMF on stdout after every invocation by the entries' logMetrics middleware. */
export const metrics = createMetrics();

/**
 * Whether to load the tracer at all, by the same test the Tracer uses to switch itself on. Importing the X-Ray SDK
 * enables a process-wide async hook (cls-hooked) that makes every await several times slower, so the local runtime,
 * the CDK app and the tests, which all import the handler modules, must never load it.
 */
export function tracingWanted(env: NodeJS.ProcessEnv): boolean {
  return (env.AWS_EXECUTION_ENV ?? '') !== '' && env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() !== 'false';
}

export const tracer: Tracer | undefined = tracingWanted(process.env)
  ? new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName: SERVICE_NAME })
  : undefined;

/** What the entries pass to buildServices/buildWorkflow: every AWS SDK client becomes an X-Ray subsegment when tracing. */
export const lambdaWiring: WiringOptions = tracer ? { wrapClient: (client) => tracer.captureAWSv3Client(client) } : {};

/**
 * A Lambda entry point around a handler: X-Ray segment (outermost, so it spans the other middlewares), metrics flushed
 * after success and failure alike with a ColdStart metric, and the Lambda context on every log line.
 */
export function lambdaEntry<TEvent, TResult>(
  handler: (event: TEvent, context: Context) => Promise<TResult>,
  observability: { readonly metrics: Metrics; readonly tracer?: Tracer } = { metrics, ...(tracer ? { tracer } : {}) },
): MiddyfiedHandler<TEvent, TResult> {
  const entry = middy<TEvent, TResult>(handler);
  // Responses are left out of the trace: API bodies can exceed what a segment holds, and they carry user e-mails.
  if (observability.tracer) entry.use(captureLambdaHandler(observability.tracer, { captureResponse: false }));
  entry.use(logMetrics(observability.metrics, { captureColdStartMetric: true }));
  entry.use(injectLambdaContext(logger));
  return entry;
}

/**
 * Skip reasons get a metric each; anything else is folded into `other`, so a reason added later (or one carrying
 * data by mistake) cannot mint new CloudWatch metrics per value.
 */
const SKIP_REASONS: ReadonlySet<string> = new Set([
  'empty',
  'not_error',
  'bad_timestamp',
  'payload_missing',
  'payload_too_large',
  'payload_not_gzip',
  'payload_not_json',
  'payload_invalid',
]);

/** One ingest batch's counts. Zeros are published too, so a quiet fleet shows as 0 rather than as missing data. */
export function recordIngestMetrics(target: Metrics, outcome: IngestOutcome): void {
  const { duplicate = 0, ...skipped } = outcome.skipped;
  const byReason = new Map<string, number>();
  for (const [reason, count] of Object.entries(skipped)) {
    const known = SKIP_REASONS.has(reason) ? reason : 'other';
    byReason.set(known, (byReason.get(known) ?? 0) + count);
  }
  target.addMetric('OccurrencesIngested', MetricUnit.Count, 'recorded' in outcome ? outcome.recorded : 0);
  target.addMetric('IncidentsCreated', MetricUnit.Count, 'created' in outcome ? outcome.created.length : 0);
  target.addMetric('DuplicatesDropped', MetricUnit.Count, duplicate);
  target.addMetric(
    'EventsSkipped',
    MetricUnit.Count,
    [...byReason.values()].reduce((sum, n) => sum + n, 0),
  );
  // Dimensions belong to a whole metric set, so the per-reason counts go out as metrics of their own.
  for (const [reason, count] of byReason) target.singleMetric().addDimension('reason', reason).addMetric('EventsSkipped', MetricUnit.Count, count);
}

/** What one workflow step achieved, read from its result; called only after the task validated and succeeded. */
export function recordWorkflowMetrics(target: Metrics, task: WorkflowTask, result: unknown): void {
  switch (task.action) {
    case 'analyze': {
      const analysis = result as Pick<Analysis, 'source' | 'fallbackReason'>;
      target.singleMetric().addDimension('source', analysis.source).addMetric('AnalysesCompleted', MetricUnit.Count, 1);
      if (analysis.fallbackReason !== undefined) target.addMetric('AnalysisFallbacks', MetricUnit.Count, 1);
      return;
    }
    case 'createTicket': {
      const outcome = result as TicketOutcome;
      // An adopted ticket was created by an earlier attempt; counting it again would double-count the common case.
      if (outcome.status === 'created' && !outcome.adopted) target.addMetric('TicketsCreated', MetricUnit.Count, 1);
      if (outcome.status === 'failed') target.addMetric('TicketsFailed', MetricUnit.Count, 1);
      return;
    }
    case 'recordFailure':
      // The step names are the state machine's own fixed few (analysis, ticket-decision, ticket, comment, workflow).
      target.singleMetric().addDimension('step', task.step).addMetric('WorkflowStepFailures', MetricUnit.Count, 1);
      return;
    default:
      return;
  }
}
