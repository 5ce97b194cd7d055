import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { LocalStepFunctions } from '../../../src/local/stepfunctions/service.js';
import {
  deferred,
  describeExecution,
  failure,
  lambdaTask,
  machineArn,
  NamedError,
  newService,
  start,
  tempDir,
  until,
} from './helpers.js';

// Analyse → (qualifies?) → Pause → Ticket, the shape of the incident workflow.
const TRIAGE = {
  StartAt: 'Analyse',
  States: {
    Analyse: lambdaTask('analyse', { ResultSelector: { 'qualifies.$': '$.Payload.qualifies', 'summary.$': '$.Payload.summary' }, ResultPath: '$.analysis', Next: 'Qualifies' }),
    Qualifies: { Type: 'Choice', Choices: [{ Variable: '$.analysis.qualifies', BooleanEquals: true, Next: 'Pause' }], Default: 'Skip' },
    // An hour: this only finishes because the tests run with waitTimeScale 0.
    Pause: { Type: 'Wait', Seconds: 3600, Next: 'Ticket' },
    Ticket: lambdaTask('ticket', { OutputPath: '$.Payload', End: true }),
    Skip: { Type: 'Succeed' },
  },
};

describe('LocalStepFunctions', () => {
  let dir: ReturnType<typeof tempDir>;
  const services: LocalStepFunctions[] = [];
  const track = (svc: LocalStepFunctions): LocalStepFunctions => {
    services.push(svc);
    return svc;
  };

  beforeEach(() => {
    dir = tempDir();
  });

  afterEach(async () => {
    for (const svc of services.splice(0)) await svc.close();
    dir.remove();
  });

  describe('running workflows', () => {
    it('runs Task → Choice → Wait → Task and ends with the last task’s output', async () => {
      const ticketEvents: unknown[] = [];
      const svc = track(
        newService(dir.dir, [{ name: 'triage', definition: TRIAGE }], {
          analyse: async (event) => ({ qualifies: (event as { severity: string }).severity === 'critical', summary: 'scanner offline' }),
          ticket: async (event) => {
            ticketEvents.push(event);
            return { key: 'POS-1' };
          },
        }),
      );

      const { executionArn } = await start(svc, 'triage', { incidentId: 'inc-1', severity: 'critical' });
      await svc.drain();

      const done = await describeExecution(svc, executionArn);
      expect(done.status).toBe('SUCCEEDED');
      expect(JSON.parse(done.output!)).toEqual({ key: 'POS-1' });
      expect(ticketEvents).toEqual([{ incidentId: 'inc-1', severity: 'critical', analysis: { qualifies: true, summary: 'scanner offline' } }]);
      expect(done.stopDate).toBeGreaterThanOrEqual(done.startDate);
    });

    it('takes the Choice default branch when the incident does not qualify, without calling the ticket task', async () => {
      let ticketCalls = 0;
      const svc = track(
        newService(dir.dir, [{ name: 'triage', definition: TRIAGE }], {
          analyse: async () => ({ qualifies: false, summary: 'minor' }),
          ticket: async () => {
            ticketCalls += 1;
            return {};
          },
        }),
      );

      const { executionArn } = await start(svc, 'triage', { incidentId: 'inc-2' });
      await svc.drain();

      const done = await describeExecution(svc, executionArn);
      expect(done.status).toBe('SUCCEEDED');
      expect(JSON.parse(done.output!)).toEqual({ incidentId: 'inc-2', analysis: { qualifies: false, summary: 'minor' } });
      expect(ticketCalls).toBe(0);
    });

    it('passes the execution context to Parameters, like $$.Execution.Id in AWS', async () => {
      const seen: unknown[] = [];
      const definition = {
        StartAt: 'Echo',
        States: { Echo: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'echo', Payload: { 'id.$': '$$.Execution.Id', 'name.$': '$$.Execution.Name' } }, End: true } },
      };
      const svc = track(newService(dir.dir, [{ name: 'ctx', definition }], { echo: async (event) => seen.push(event) }));

      const { executionArn } = await start(svc, 'ctx', {}, 'incident-42');
      await svc.drain();

      expect(seen).toEqual([{ id: executionArn, name: 'incident-42' }]);
    });

    it('calls a handler keyed by function name when the definition names the function by ARN', async () => {
      const arn = 'arn:aws:lambda:us-east-1:000000000000:function:stacklens-analyse';
      const svc = track(
        newService(dir.dir, [{ name: 'by-arn', definition: { StartAt: 'A', States: { A: lambdaTask(arn, { End: true }) } } }], {
          'stacklens-analyse': async () => ({ ok: true }),
        }),
      );

      const { executionArn } = await start(svc, 'by-arn', {});
      await svc.drain();

      expect(JSON.parse((await describeExecution(svc, executionArn)).output!)).toEqual({ ExecutedVersion: '$LATEST', Payload: { ok: true }, StatusCode: 200 });
    });
  });

  describe('Retry and Catch', () => {
    const retrying = (maxAttempts: number) => ({
      StartAt: 'CreateTicket',
      States: {
        CreateTicket: lambdaTask('create-ticket', {
          Retry: [{ ErrorEquals: ['JiraRetryableError'], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: maxAttempts, JitterStrategy: 'FULL' }],
          End: true,
        }),
      },
    });

    it('retries a task failing with a custom error name until it succeeds within MaxAttempts', async () => {
      let calls = 0;
      const svc = track(
        newService(dir.dir, [{ name: 'retry', definition: retrying(3) }], {
          'create-ticket': async () => {
            calls += 1;
            if (calls < 3) throw new NamedError('JiraRetryableError', 'Jira answered 503');
            return { key: 'POS-7' };
          },
        }),
      );

      const { executionArn } = await start(svc, 'retry', {});
      await svc.drain();

      const done = await describeExecution(svc, executionArn);
      expect(done.status).toBe('SUCCEEDED');
      expect(calls).toBe(3);
    });

    it('fails the execution with the custom error name and Lambda’s JSON cause once MaxAttempts retries are spent', async () => {
      let calls = 0;
      const svc = track(
        newService(dir.dir, [{ name: 'retry', definition: retrying(2) }], {
          'create-ticket': async () => {
            calls += 1;
            throw new NamedError('JiraRetryableError', 'Jira answered 503');
          },
        }),
      );

      const { executionArn } = await start(svc, 'retry', {});
      await svc.drain();

      const done = await describeExecution(svc, executionArn);
      expect(calls).toBe(3);
      expect(done.status).toBe('FAILED');
      expect(done.error).toBe('JiraRetryableError');
      expect(JSON.parse(done.cause!)).toEqual(expect.objectContaining({ errorType: 'JiraRetryableError', errorMessage: 'Jira answered 503' }));
    });

    it('does not retry an error whose name no retrier lists', async () => {
      let calls = 0;
      const svc = track(
        newService(dir.dir, [{ name: 'retry', definition: retrying(3) }], {
          'create-ticket': async () => {
            calls += 1;
            throw new TypeError('bad payload');
          },
        }),
      );

      const { executionArn } = await start(svc, 'retry', {});
      await svc.drain();

      expect(calls).toBe(1);
      expect((await describeExecution(svc, executionArn)).error).toBe('TypeError');
    });

    it('catches a failed task into ResultPath and continues on the Catch path', async () => {
      const recorded: unknown[] = [];
      const definition = {
        StartAt: 'CreateTicket',
        States: {
          CreateTicket: lambdaTask('create-ticket', { Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.failure', Next: 'RecordFailure' }], End: true }),
          RecordFailure: lambdaTask('record-failure', { ResultPath: null, End: true }),
        },
      };
      const svc = track(
        newService(dir.dir, [{ name: 'catch', definition }], {
          'create-ticket': async () => {
            throw new NamedError('JiraPermanentError', 'project POS does not exist');
          },
          'record-failure': async (event) => recorded.push(event),
        }),
      );

      const { executionArn } = await start(svc, 'catch', { incidentId: 'inc-9' });
      await svc.drain();

      const done = await describeExecution(svc, executionArn);
      expect(done.status).toBe('SUCCEEDED');
      expect(recorded).toHaveLength(1);
      const event = recorded[0] as { incidentId: string; failure: { Error: string; Cause: string } };
      expect(event.incidentId).toBe('inc-9');
      expect(event.failure.Error).toBe('JiraPermanentError');
      expect(JSON.parse(event.failure.Cause)).toEqual(expect.objectContaining({ errorType: 'JiraPermanentError', errorMessage: 'project POS does not exist' }));
      expect(JSON.parse(done.output!)).toEqual(expect.objectContaining({ incidentId: 'inc-9', failure: expect.objectContaining({ Error: 'JiraPermanentError' }) }));
    });

    it('reports a function without a local handler as Lambda.ResourceNotFoundException, which States.ALL catches', async () => {
      const definition = {
        StartAt: 'Call',
        States: {
          Call: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { 'FunctionName.$': '$.fn', Payload: {} },
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Done' }],
            End: true,
          },
          Done: { Type: 'Pass', End: true },
        },
      };
      const svc = track(newService(dir.dir, [{ name: 'dynamic', definition }], {}));

      const { executionArn } = await start(svc, 'dynamic', { fn: 'nowhere' });
      await svc.drain();

      const output = JSON.parse((await describeExecution(svc, executionArn)).output!) as { failure: { Error: string; Cause: string } };
      expect(output.failure.Error).toBe('Lambda.ResourceNotFoundException');
      expect(output.failure.Cause).toContain('function:nowhere');
    });
  });

  describe('timeouts', () => {
    it('times out a task after its TimeoutSeconds as States.Timeout, which Catch can route', async () => {
      const hang = deferred();
      const definition = {
        StartAt: 'Slow',
        States: {
          Slow: lambdaTask('slow', { TimeoutSeconds: 1, Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.failure', Next: 'Recovered' }], End: true }),
          Recovered: { Type: 'Pass', End: true },
        },
      };
      const svc = track(newService(dir.dir, [{ name: 'slow', definition }], { slow: async () => hang.promise }));

      const { executionArn } = await start(svc, 'slow', {});
      await svc.drain();
      hang.resolve({ late: true });

      expect(JSON.parse((await describeExecution(svc, executionArn)).output!)).toEqual({ failure: { Error: 'States.Timeout', Cause: 'States.Timeout' } });
      const history = (await svc.handle('GetExecutionHistory', { executionArn })) as { events: Array<{ type: string }> };
      expect(history.events.map((event) => event.type)).toContain('TaskTimedOut');
      expect(history.events.map((event) => event.type)).not.toContain('TaskSucceeded');
    });

    it('ends an execution running past the state machine TimeoutSeconds as TIMED_OUT', async () => {
      const hang = deferred();
      const definition = { TimeoutSeconds: 1, StartAt: 'Slow', States: { Slow: lambdaTask('slow', { End: true }) } };
      const svc = track(newService(dir.dir, [{ name: 'slow', definition }], { slow: async () => hang.promise }));

      const { executionArn } = await start(svc, 'slow', {});
      await svc.drain();
      hang.resolve({});

      expect(await describeExecution(svc, executionArn)).toEqual(expect.objectContaining({ status: 'TIMED_OUT', error: 'States.Timeout' }));
    });
  });

  describe('starting executions', () => {
    const single = { StartAt: 'Work', States: { Work: lambdaTask('work', { End: true }) } };

    it('returns the running execution again when the same name is started with the same input', async () => {
      const gate = deferred();
      let calls = 0;
      const svc = track(
        newService(dir.dir, [{ name: 'tickets', definition: single }], {
          work: async () => {
            calls += 1;
            return gate.promise;
          },
        }),
      );

      const first = await start(svc, 'tickets', { incidentId: 'inc-1' }, 'incident-inc-1');
      const again = await start(svc, 'tickets', { incidentId: 'inc-1' }, 'incident-inc-1');
      gate.resolve({ ok: true });
      await svc.drain();

      expect(again).toEqual(first);
      expect(calls).toBe(1);
      const listed = (await svc.handle('ListExecutions', { stateMachineArn: machineArn('tickets') })) as { executions: unknown[] };
      expect(listed.executions).toHaveLength(1);
    });

    it('rejects a running execution’s name with different input as ExecutionAlreadyExists', async () => {
      const gate = deferred();
      const svc = track(newService(dir.dir, [{ name: 'tickets', definition: single }], { work: async () => gate.promise }));

      await start(svc, 'tickets', { incidentId: 'inc-1' }, 'incident-inc-1');
      const error = await failure(start(svc, 'tickets', { incidentId: 'inc-1', retry: true }, 'incident-inc-1'));
      gate.resolve({});

      expect(error.type).toBe('ExecutionAlreadyExists');
      expect(error.statusCode).toBe(400);
    });

    it('rejects the name of a finished execution even with the same input, also after a restart', async () => {
      let calls = 0;
      const handlers = {
        work: async () => {
          calls += 1;
          return { done: true };
        },
      };
      const first = track(newService(dir.dir, [{ name: 'tickets', definition: single }], handlers));
      const { executionArn } = await start(first, 'tickets', { incidentId: 'inc-1' }, 'incident-inc-1');
      await first.drain();

      expect((await failure(start(first, 'tickets', { incidentId: 'inc-1' }, 'incident-inc-1'))).type).toBe('ExecutionAlreadyExists');
      await first.close();

      const second = track(newService(dir.dir, [{ name: 'tickets', definition: single }], handlers));
      expect((await failure(start(second, 'tickets', { incidentId: 'inc-1' }, 'incident-inc-1'))).type).toBe('ExecutionAlreadyExists');
      const described = await describeExecution(second, executionArn);
      expect(described.status).toBe('SUCCEEDED');
      expect(JSON.parse(described.output!)).toEqual({ ExecutedVersion: '$LATEST', Payload: { done: true }, StatusCode: 200 });
      expect(await second.resumeUnfinished()).toBe(0);
      expect(calls).toBe(1);
    });

    it('rejects input that is not JSON, an unknown state machine, an invalid name and a malformed ARN', async () => {
      const svc = track(newService(dir.dir, [{ name: 'tickets', definition: single }], { work: async () => ({}) }));

      expect((await failure(svc.handle('StartExecution', { stateMachineArn: machineArn('tickets'), input: '{"incidentId":' }))).type).toBe('InvalidExecutionInput');
      expect((await failure(svc.handle('StartExecution', { stateMachineArn: machineArn('nope'), input: '{}' }))).type).toBe('StateMachineDoesNotExist');
      expect((await failure(svc.handle('StartExecution', { stateMachineArn: machineArn('tickets'), name: 'a b', input: '{}' }))).type).toBe('InvalidName');
      expect((await failure(svc.handle('StartExecution', { stateMachineArn: 'tickets', input: '{}' }))).type).toBe('InvalidArn');
      expect((await failure(svc.handle('StartExecution', { input: '{}' }))).type).toBe('ValidationException');
      expect((await failure(svc.handle('DescribeExecution', { executionArn: `${machineArn('tickets').replace(':stateMachine:', ':execution:')}:missing` }))).type).toBe(
        'ExecutionDoesNotExist',
      );
    });

    it('refuses at construction a definition whose task calls a function with no handler', () => {
      expect(() => newService(dir.dir, [{ name: 'tickets', definition: single }], {})).toThrow(/"Work" calls work, which has no local Lambda handler/);
    });

    it('refuses at construction a Task resource other than Lambda', () => {
      const definition = { StartAt: 'Put', States: { Put: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: { TableName: 't' }, End: true } } };
      expect(() => newService(dir.dir, [{ name: 'ddb', definition }], {})).toThrow(/runs Lambda tasks only/);
    });
  });

  describe('durability', () => {
    const single = { StartAt: 'Work', States: { Work: lambdaTask('work', { End: true }) } };

    it('resumes from the start, in a new instance, an execution whose process died while it ran', async () => {
      const neverAnswers = deferred();
      const crashed = track(newService(dir.dir, [{ name: 'tickets', definition: single }], { work: async () => neverAnswers.promise }));
      const { executionArn } = await start(crashed, 'tickets', { incidentId: 'inc-5' }, 'incident-inc-5');

      // The first instance is never stopped: as far as the journal knows, its process was killed.
      const seen: unknown[] = [];
      const restarted = track(newService(dir.dir, [{ name: 'tickets', definition: single }], { work: async (event) => seen.push(event) }));
      expect((await describeExecution(restarted, executionArn)).status).toBe('RUNNING');
      expect(await restarted.resumeUnfinished()).toBe(1);
      await restarted.drain();

      expect(seen).toEqual([{ incidentId: 'inc-5' }]);
      expect((await describeExecution(restarted, executionArn)).status).toBe('SUCCEEDED');
      expect(await restarted.resumeUnfinished()).toBe(0);
    });

    it('leaves executions interrupted by close() unfinished, so the next start resumes them', async () => {
      const gate = deferred();
      let nextCalls = 0;
      const twoSteps = { StartAt: 'Work', States: { Work: lambdaTask('work', { Next: 'Notify' }), Notify: lambdaTask('next', { End: true }) } };
      const first = newService(dir.dir, [{ name: 'tickets', definition: twoSteps }], {
        work: async () => gate.promise,
        next: async () => {
          nextCalls += 1;
          return {};
        },
      });
      const { executionArn } = await start(first, 'tickets', {}, 'incident-inc-6');
      await first.close();
      gate.resolve({});
      expect(nextCalls).toBe(0);

      const second = track(newService(dir.dir, [{ name: 'tickets', definition: twoSteps }], { work: async () => ({}), next: async () => ({}) }));
      expect(await second.resumeUnfinished()).toBe(1);
      await second.drain();
      expect((await describeExecution(second, executionArn)).status).toBe('SUCCEEDED');
    });

    it('skips a corrupt line and a truncated last line of the journal with a warning and keeps appending cleanly', async () => {
      const handlers = { work: async () => ({ ok: true }) };
      const first = newService(dir.dir, [{ name: 'tickets', definition: single }], handlers);
      const a = await start(first, 'tickets', {}, 'a');
      const b = await start(first, 'tickets', {}, 'b');
      await first.drain();
      await first.close();
      const { appendFileSync, readFileSync, writeFileSync } = await import('node:fs');
      const file = `${dir.dir}/executions.jsonl`;
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      // Garble one complete line in the middle and leave a cut-off write at the end.
      const garbled = lines.map((line) => (line.includes('"end"') && line.includes(':b"') ? '{"type":"end","executionArn":' : line));
      writeFileSync(file, garbled.join('\n') + '\n');
      appendFileSync(file, '{"type":"start","executionArn":"arn:aws:states:us-east');

      const warnings: string[] = [];
      const second = track(newService(dir.dir, [{ name: 'tickets', definition: single }], handlers, { log: (line) => warnings.push(line) }));
      expect(warnings.filter((line) => line.includes('skipped unreadable line'))).toHaveLength(2);
      expect((await describeExecution(second, a.executionArn)).status).toBe('SUCCEEDED');
      // b lost its end record, so it counts as interrupted and is resumed.
      expect((await describeExecution(second, b.executionArn)).status).toBe('RUNNING');
      expect(await second.resumeUnfinished()).toBe(1);
      const c = await start(second, 'tickets', {}, 'c');
      await second.drain();
      await second.close();

      const third = track(newService(dir.dir, [{ name: 'tickets', definition: single }], handlers, { log: (line) => warnings.push(line) }));
      expect(warnings.filter((line) => line.includes('skipped unreadable line'))).toHaveLength(2);
      for (const execution of [a, b, c]) expect((await describeExecution(third, execution.executionArn)).status).toBe('SUCCEEDED');
    });
  });

  describe('StopExecution', () => {
    it('aborts a running execution, records error and cause, and the abort survives a restart', async () => {
      const gate = deferred();
      let nextCalls = 0;
      const twoSteps = { StartAt: 'Work', States: { Work: lambdaTask('work', { Next: 'Notify' }), Notify: lambdaTask('next', { End: true }) } };
      const handlers = {
        work: async () => gate.promise,
        next: async () => {
          nextCalls += 1;
          return {};
        },
      };
      const svc = track(newService(dir.dir, [{ name: 'tickets', definition: twoSteps }], handlers));
      const { executionArn } = await start(svc, 'tickets', {});

      await svc.handle('StopExecution', { executionArn, error: 'Operator', cause: 'closed by hand' });
      gate.resolve({});
      await svc.drain();

      const stopped = await describeExecution(svc, executionArn);
      expect(stopped).toEqual(expect.objectContaining({ status: 'ABORTED', error: 'Operator', cause: 'closed by hand' }));
      expect(nextCalls).toBe(0);
      await svc.close();

      const restarted = track(newService(dir.dir, [{ name: 'tickets', definition: twoSteps }], handlers));
      expect((await describeExecution(restarted, executionArn)).status).toBe('ABORTED');
      expect(await restarted.resumeUnfinished()).toBe(0);
    });
  });

  describe('listing and history', () => {
    it('lists executions newest first, filtered by status and paginated', async () => {
      const definition = { StartAt: 'Work', States: { Work: lambdaTask('work', { End: true }) } };
      const svc = track(
        newService(dir.dir, [{ name: 'tickets', definition }], {
          work: async (event) => {
            if ((event as { fail?: boolean }).fail) throw new NamedError('Boom', 'no');
            return {};
          },
        }),
      );
      for (const [name, fail] of [['e1', false], ['e2', true], ['e3', false], ['e4', false]] as const) await start(svc, 'tickets', { fail }, name);
      await svc.drain();

      const firstPage = (await svc.handle('ListExecutions', { stateMachineArn: machineArn('tickets'), statusFilter: 'SUCCEEDED', maxResults: 2 })) as {
        executions: Array<{ name: string; status: string }>;
        nextToken?: string;
      };
      expect(firstPage.executions.map((e) => e.name)).toEqual(['e4', 'e3']);
      const secondPage = (await svc.handle('ListExecutions', {
        stateMachineArn: machineArn('tickets'),
        statusFilter: 'SUCCEEDED',
        maxResults: 2,
        nextToken: firstPage.nextToken,
      })) as { executions: Array<{ name: string }>; nextToken?: string };
      expect(secondPage.executions.map((e) => e.name)).toEqual(['e1']);
      expect(secondPage.nextToken).toBeUndefined();
      const failed = (await svc.handle('ListExecutions', { stateMachineArn: machineArn('tickets'), statusFilter: 'FAILED' })) as { executions: Array<{ name: string }> };
      expect(failed.executions.map((e) => e.name)).toEqual(['e2']);
      expect((await failure(svc.handle('ListExecutions', { stateMachineArn: machineArn('tickets'), nextToken: 'garbage' }))).type).toBe('InvalidToken');
    });

    it('records a history of state and task events, one TaskFailed per failed attempt', async () => {
      const withRetry = JSON.parse(JSON.stringify(TRIAGE)) as { States: { Analyse: Record<string, unknown> } };
      withRetry.States.Analyse['Retry'] = [{ ErrorEquals: ['Lambda.TooManyRequestsException'], MaxAttempts: 2 }];
      let calls = 0;
      const retrying = track(
        newService(dir.dir, [{ name: 'triage', definition: withRetry }], {
          analyse: async () => {
            calls += 1;
            if (calls === 1) throw new NamedError('Lambda.TooManyRequestsException', 'slow down');
            return { qualifies: true, summary: 's' };
          },
          ticket: async () => ({ key: 'POS-2' }),
        }),
      );

      const { executionArn } = await start(retrying, 'triage', { incidentId: 'inc-1' });
      await retrying.drain();

      const history = (await retrying.handle('GetExecutionHistory', { executionArn })) as {
        events: Array<{ id: number; previousEventId: number; type: string; timestamp: number; [key: string]: unknown }>;
      };
      const types = history.events.map((event) => event.type);
      expect(types).toEqual([
        'ExecutionStarted',
        'TaskStateEntered',
        'TaskScheduled',
        'TaskStarted',
        'TaskFailed',
        'TaskScheduled',
        'TaskStarted',
        'TaskSucceeded',
        'TaskStateExited',
        'ChoiceStateEntered',
        'ChoiceStateExited',
        'WaitStateEntered',
        'WaitStateExited',
        'TaskStateEntered',
        'TaskScheduled',
        'TaskStarted',
        'TaskSucceeded',
        'TaskStateExited',
        'ExecutionSucceeded',
      ]);
      expect(history.events.map((event) => event.id)).toEqual(history.events.map((_, index) => index + 1));
      const failed = history.events.find((event) => event.type === 'TaskFailed')!;
      expect(failed['taskFailedEventDetails']).toEqual(expect.objectContaining({ resourceType: 'lambda', resource: 'invoke', error: 'Lambda.TooManyRequestsException' }));
      const scheduled = history.events.find((event) => event.type === 'TaskScheduled')!;
      expect(JSON.parse((scheduled['taskScheduledEventDetails'] as { parameters: string }).parameters)).toEqual({ FunctionName: 'analyse', Payload: { incidentId: 'inc-1' } });

      const withoutData = (await retrying.handle('GetExecutionHistory', { executionArn, includeExecutionData: false, reverseOrder: true, maxResults: 1 })) as {
        events: Array<Record<string, unknown>>;
        nextToken?: string;
      };
      expect(withoutData.events).toEqual([expect.objectContaining({ type: 'ExecutionSucceeded', executionSucceededEventDetails: {} })]);
      expect(withoutData.nextToken).toBeDefined();
    });
  });
});
