import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidArn,
  InvalidExecutionInput,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { handleStepFunctionsRequest, MAX_STEP_FUNCTIONS_REQUEST_BYTES, STEP_FUNCTIONS_TARGET_PREFIX } from '../../../src/local/stepfunctions/http.js';
import { LocalStepFunctions } from '../../../src/local/stepfunctions/service.js';
import { type AwsJsonTestServer, localClientConfig, rejectionOf, startAwsJsonTestServer } from '../../helpers/aws-test-server.js';

const MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:incident-workflow';

class JiraRetryableError extends Error {
  override readonly name = 'JiraRetryableError';
}

const DEFINITION = {
  Comment: 'analyse, then ticket when it qualifies',
  StartAt: 'Analyse',
  States: {
    Analyse: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'stacklens-analyse', 'Payload.$': '$' },
      ResultSelector: { 'qualifies.$': '$.Payload.qualifies' },
      ResultPath: '$.analysis',
      Next: 'Qualifies',
    },
    Qualifies: { Type: 'Choice', Choices: [{ Variable: '$.analysis.qualifies', BooleanEquals: true, Next: 'CreateTicket' }], Default: 'Done' },
    CreateTicket: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'stacklens-ticket', 'Payload.$': '$' },
      ResultSelector: { 'key.$': '$.Payload.key' },
      ResultPath: '$.ticket',
      Retry: [{ ErrorEquals: ['JiraRetryableError'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3 }],
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
  },
};

describe('local Step Functions through @aws-sdk/client-sfn', () => {
  let dir: string;
  let svc: LocalStepFunctions;
  let server: AwsJsonTestServer;
  let client: SFNClient;
  let ticketCalls: number;
  let release: (() => void) | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stacklens-sfn-sdk-'));
    ticketCalls = 0;
    svc = new LocalStepFunctions({
      stateMachines: [{ name: 'incident-workflow', definition: DEFINITION }],
      lambdaHandlers: {
        'stacklens-analyse': async (event) => {
          const { hold } = event as { hold?: boolean };
          if (hold) await new Promise<void>((resolve) => (release = resolve));
          return { qualifies: (event as { severity?: string }).severity === 'critical' };
        },
        'stacklens-ticket': async () => {
          ticketCalls += 1;
          if (ticketCalls === 1) throw new JiraRetryableError('Jira answered 429');
          return { key: 'POS-1' };
        },
      },
      stateDir: dir,
      waitTimeScale: 0,
    });
    server = await startAwsJsonTestServer({
      targetPrefix: STEP_FUNCTIONS_TARGET_PREFIX,
      maxRequestBytes: MAX_STEP_FUNCTIONS_REQUEST_BYTES,
      handle: (op, body, res) => handleStepFunctionsRequest(svc, op, body, res),
    });
    client = new SFNClient(localClientConfig(server.endpoint));
  });

  afterEach(async () => {
    release?.();
    await svc.close();
    client.destroy();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a started execution to SUCCEEDED and describes it with dates the SDK turns into Dates', async () => {
    const started = await client.send(
      new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name: 'incident-inc-1', input: JSON.stringify({ incidentId: 'inc-1', severity: 'critical' }) }),
    );
    expect(started.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:incident-workflow:incident-inc-1');
    expect(started.startDate).toBeInstanceOf(Date);

    let described = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    for (let polls = 0; described.status === 'RUNNING' && polls < 1_000; polls += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      described = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    }

    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ incidentId: 'inc-1', severity: 'critical', analysis: { qualifies: true }, ticket: { key: 'POS-1' } });
    expect(described.startDate?.getTime()).toBe(started.startDate?.getTime());
    expect(described.stopDate!.getTime()).toBeGreaterThanOrEqual(described.startDate!.getTime());
    expect(ticketCalls).toBe(2);
    expect(
      server.exchanges.every((exchange) => exchange.contentType === 'application/x-amz-json-1.0' && exchange.target?.startsWith('AWSStepFunctions.')),
    ).toBe(true);
  });

  it('returns the same execution for a repeated start and raises ExecutionAlreadyExists for other input', async () => {
    const input = JSON.stringify({ incidentId: 'inc-2', hold: true });
    const first = await client.send(new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name: 'incident-inc-2', input }));
    const again = await client.send(new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name: 'incident-inc-2', input }));
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate?.getTime()).toBe(first.startDate?.getTime());

    const conflict = await rejectionOf(client.send(new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name: 'incident-inc-2', input: '{"incidentId":"other"}' })));
    expect(conflict).toBeInstanceOf(ExecutionAlreadyExists);
    expect((conflict as ExecutionAlreadyExists).$metadata.httpStatusCode).toBe(400);
  });

  it('raises the SDK’s own exception classes for bad input, unknown machines and unknown executions', async () => {
    expect(await rejectionOf(client.send(new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, input: 'not json' })))).toBeInstanceOf(InvalidExecutionInput);
    expect(await rejectionOf(client.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE_ARN}-missing`, input: '{}' })))).toBeInstanceOf(StateMachineDoesNotExist);
    expect(await rejectionOf(client.send(new DescribeExecutionCommand({ executionArn: 'incident-inc-1' })))).toBeInstanceOf(InvalidArn);
    expect(
      await rejectionOf(client.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:000000000000:execution:incident-workflow:missing' }))),
    ).toBeInstanceOf(ExecutionDoesNotExist);
    expect(await rejectionOf(client.send(new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name: 'x'.repeat(81), input: '{}' })))).toBeInstanceOf(
      ValidationException,
    );
  });

  it('answers errors in AWS JSON 1.0 with the error type in x-amzn-errortype', async () => {
    const response = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSStepFunctions.DescribeExecution', 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ executionArn: 'incident-inc-1' }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(response.headers.get('x-amzn-errortype')).toBe('InvalidArn');
    expect(await response.json()).toMatchObject({ __type: 'InvalidArn' });
  });

  it('stops a running execution, lists it as ABORTED and returns its history', async () => {
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, input: JSON.stringify({ hold: true }) }));
    const stopped = await client.send(new StopExecutionCommand({ executionArn, error: 'Manual', cause: 'test' }));
    expect(stopped.stopDate).toBeInstanceOf(Date);
    await svc.drain();

    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn: MACHINE_ARN, statusFilter: 'ABORTED' }));
    expect(listed.executions?.map((execution) => [execution.executionArn, execution.status])).toEqual([[executionArn, 'ABORTED']]);

    const history = await client.send(new GetExecutionHistoryCommand({ executionArn }));
    const types = history.events?.map((event) => event.type);
    expect(types?.[0]).toBe('ExecutionStarted');
    expect(types?.at(-1)).toBe('ExecutionAborted');
    expect(history.events?.[0]?.timestamp).toBeInstanceOf(Date);
    expect(history.events?.at(-1)?.executionAbortedEventDetails).toEqual({ error: 'Manual', cause: 'test' });
  });

  it('lists and describes the state machine with its definition', async () => {
    const machines = await client.send(new ListStateMachinesCommand({}));
    expect(machines.stateMachines?.map((machine) => [machine.name, machine.type])).toEqual([['incident-workflow', 'STANDARD']]);
    const machine = await client.send(new DescribeStateMachineCommand({ stateMachineArn: MACHINE_ARN }));
    expect(JSON.parse(machine.definition!)).toEqual(DEFINITION);
    expect(machine.status).toBe('ACTIVE');
    expect(machine.creationDate).toBeInstanceOf(Date);
  });
});
