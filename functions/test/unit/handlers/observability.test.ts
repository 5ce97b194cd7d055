import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Analysis } from '../../../src/domain/analysis/types.js';
import type { WorkflowTask } from '../../../src/handlers/workflow.js';
import type { TicketOutcome } from '../../../src/use-cases/workflow.js';
import { emittedMetrics, lambdaContext, LAMBDA_LIKE_ENV, summary, withEnv } from './emf.js';

type Observability = typeof import('../../../src/handlers/observability.js');

let observability: Observability;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = withEnv(LAMBDA_LIKE_ENV);
  // Imported after the environment is set: Powertools reads it when the module builds its instances.
  observability = await import('../../../src/handlers/observability.js');
});

afterAll(() => restoreEnv());

const input = { incidentId: '0123456789abcdef', mode: 'new', execution: 'exec-1' } as const;

async function published(record: (target: Metrics) => void) {
  const target = observability.createMetrics();
  return emittedMetrics(() => {
    record(target);
    target.publishStoredMetrics();
  });
}

describe('Function: recordIngestMetrics', () => {
  it('publishes the occurrences, new incidents, duplicates and other skips of a batch', async () => {
    // Prepare
    const outcome = { received: 7, recorded: 3, skipped: { duplicate: 2, not_error: 1, empty: 1 }, created: ['a1', 'b2'], updated: ['c3'] };

    // Act
    const metrics = await published((target) => observability.recordIngestMetrics(target, outcome));

    // Assess
    expect(summary(metrics)).toEqual([
      'EventsSkipped{reason=not_error}=1',
      'EventsSkipped{reason=empty}=1',
      'OccurrencesIngested=3',
      'IncidentsCreated=2',
      'DuplicatesDropped=2',
      'EventsSkipped=2',
    ]);
    expect(new Set(metrics.map((m) => `${m.namespace} ${m.unit} ${m.dimensions.service}`))).toEqual(new Set(['StackLensTest Count stacklens']));
  });

  it('folds skip reasons it does not know into one "other" reason', async () => {
    // Prepare
    const outcome = { received: 3, skipped: { 'kiosk-17 went away': 1, 'something new': 2 } };

    // Act
    const metrics = await published((target) => observability.recordIngestMetrics(target, outcome));

    // Assess
    expect(summary(metrics)).toContain('EventsSkipped{reason=other}=3');
    expect(metrics.filter((m) => m.dimensions.reason !== undefined)).toHaveLength(1);
  });

  it('publishes zeros and no per-reason metric for a batch that carried nothing', async () => {
    // Act
    const metrics = await published((target) => observability.recordIngestMetrics(target, { received: 0, skipped: {} }));

    // Assess
    expect(summary(metrics)).toEqual(['OccurrencesIngested=0', 'IncidentsCreated=0', 'DuplicatesDropped=0', 'EventsSkipped=0']);
  });
});

describe('Function: recordWorkflowMetrics', () => {
  const analysis = (source: Analysis['source'], fallbackReason?: string) => ({ source, ...(fallbackReason ? { fallbackReason } : {}) });
  const createTicket: WorkflowTask = { action: 'createTicket', input, deadline: '2026-11-26T13:00:00.000Z' };

  it.each([
    ['bedrock', analysis('bedrock'), ['AnalysesCompleted{source=bedrock}=1']],
    ['builtin', analysis('builtin'), ['AnalysesCompleted{source=builtin}=1']],
    ['builtin after a Bedrock failure', analysis('builtin', 'ThrottlingException'), ['AnalysesCompleted{source=builtin}=1', 'AnalysisFallbacks=1']],
  ])('counts an analysis from %s under its source', async (_name, result, expected) => {
    // Act
    const metrics = await published((target) => observability.recordWorkflowMetrics(target, { action: 'analyze', input }, result));

    // Assess
    expect(summary(metrics)).toEqual(expected);
  });

  it.each<[string, TicketOutcome, string[]]>([
    [
      'a ticket it created',
      { status: 'created', key: 'OPS-1', url: 'https://example.atlassian.net/browse/OPS-1', adopted: false, durationMs: 5 },
      ['TicketsCreated=1'],
    ],
    [
      'a ticket an earlier attempt created',
      { status: 'created', key: 'OPS-1', url: 'https://example.atlassian.net/browse/OPS-1', adopted: true, durationMs: 5 },
      [],
    ],
    ['a ticket Jira refused', { status: 'failed', error: 'Jira answered 400', durationMs: 5 }, ['TicketsFailed=1']],
    ['a ticket another execution is creating', { status: 'in_progress', durationMs: 5 }, []],
  ])('counts %s', async (_name, outcome, expected) => {
    // Act
    const metrics = await published((target) => observability.recordWorkflowMetrics(target, createTicket, outcome));

    // Assess
    expect(summary(metrics)).toEqual(expected);
  });

  it('counts a failed step under the step the state machine names', async () => {
    // Prepare
    const task: WorkflowTask = { action: 'recordFailure', input, step: 'ticket-decision', error: { Error: 'States.Timeout' } };

    // Act
    const metrics = await published((target) => observability.recordWorkflowMetrics(target, task, { recorded: true }));

    // Assess
    expect(summary(metrics)).toEqual(['WorkflowStepFailures{step=ticket-decision}=1']);
  });

  it.each<WorkflowTask>([
    { action: 'decideTicket', input },
    { action: 'comment', input },
    { action: 'notify', input },
  ])('publishes nothing for the $action step', async (task) => {
    // Act
    const metrics = await published((target) => observability.recordWorkflowMetrics(target, task, { status: 'commented' }));

    // Assess
    expect(metrics).toEqual([]);
  });
});

describe('Function: lambdaEntry', () => {
  it('publishes a ColdStart metric for the first invocation only, with the function name', async () => {
    // Prepare
    const target = observability.createMetrics();
    const entry = observability.lambdaEntry(
      async (event: { n: number }) => {
        target.addMetric('Handled', MetricUnit.Count, event.n);
        return event.n * 2;
      },
      { metrics: target },
    );
    const context = lambdaContext('stacklens-test-dev');

    // Act
    const results: number[] = [];
    const metrics = await emittedMetrics(async () => {
      results.push(await entry({ n: 1 }, context));
      results.push(await entry({ n: 2 }, context));
    });

    // Assess
    expect(results).toEqual([2, 4]);
    expect(summary(metrics)).toEqual(['ColdStart{function_name=stacklens-test-dev}=1', 'Handled=1', 'Handled=2']);
  });

  it('publishes what the handler recorded before it failed, and still fails', async () => {
    // Prepare
    const target = observability.createMetrics();
    const entry = observability.lambdaEntry(
      async () => {
        target.addMetric('Attempted', MetricUnit.Count, 1);
        throw new Error('DynamoDB is down');
      },
      { metrics: target },
    );

    // Act
    let failure: unknown;
    const metrics = await emittedMetrics(async () => {
      failure = await entry({}, lambdaContext('stacklens-test-dev')).catch((error: unknown) => error);
    });

    // Assess
    expect(failure).toEqual(new Error('DynamoDB is down'));
    expect(summary(metrics)).toContain('Attempted=1');
  });
});

describe('Function: tracingWanted', () => {
  it.each([
    ['outside Lambda', {}, false],
    ['inside Lambda', { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' }, true],
    ['inside Lambda with tracing switched off', { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', POWERTOOLS_TRACE_ENABLED: 'FALSE' }, false],
  ])('answers %s', (_name, env, expected) => {
    expect(observability.tracingWanted(env)).toBe(expected);
  });

  it('leaves the X-Ray SDK and its process-wide async hook unloaded outside Lambda', () => {
    // Assess
    expect(observability.tracer).toBeUndefined();
    expect(observability.lambdaWiring.wrapClient).toBeUndefined();
    // cls-hooked, which the X-Ray SDK loads, registers its namespaces here.
    expect((process as { namespaces?: Record<string, unknown> }).namespaces?.AWSXRay).toBeUndefined();
  });
});
