import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { WorkflowInputError } from '../../../src/use-cases/workflow.js';
import { emittedMetrics, lambdaContext, LAMBDA_LIKE_ENV, summary, withEnv } from './emf.js';

// The Lambda entry as the state machine calls it, with DynamoDB answered by a double.
const dynamo = mockClient(DynamoDBDocumentClient);
let handler: (typeof import('../../../src/handlers/workflow.js'))['handler'];
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = withEnv(LAMBDA_LIKE_ENV);
  ({ handler } = await import('../../../src/handlers/workflow.js'));
});

afterAll(() => {
  dynamo.restore();
  restoreEnv();
});

const input = { incidentId: '0123456789abcdef', mode: 'new', execution: 'exec-1' };

describe('Lambda entry: workflow handler', () => {
  it('counts a step failure the state machine reports, under its step', async () => {
    // Prepare
    dynamo.reset();
    dynamo.on(PutCommand).resolves({});
    // The incident has gone meanwhile, so there is nothing to push to dashboards.
    dynamo.on(GetCommand).resolves({});
    const task = { action: 'recordFailure', input, step: 'analysis', error: { Error: 'Lambda.Unknown', Cause: 'out of memory' } };

    // Act
    let result: unknown;
    const metrics = await emittedMetrics(async () => {
      result = await handler(task, lambdaContext('stacklens-workflow-dev'));
    });

    // Assess
    expect(result).toEqual({ recorded: true });
    expect(summary(metrics)).toEqual(['ColdStart{function_name=stacklens-workflow-dev}=1', 'WorkflowStepFailures{step=analysis}=1']);
  });

  it('publishes no step metric for a task that fails validation, and rejects it', async () => {
    // Act
    let failure: unknown;
    const metrics = await emittedMetrics(async () => {
      failure = await handler({ action: 'recordFailure', input, step: 'analysis' }, lambdaContext('stacklens-workflow-dev')).catch((error: unknown) => error);
    });

    // Assess
    expect(failure).toBeInstanceOf(WorkflowInputError);
    expect(metrics).toEqual([]);
  });
});
