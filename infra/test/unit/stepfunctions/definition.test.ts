import { describe, expect, it } from '@jest/globals';
import { MAX_TIMER_SECONDS, runtimeDefinition, taskStates } from '../../../src/local/stepfunctions/definition.js';

const invoke = (functionName: string, extra: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: functionName, 'Payload.$': '$' },
  ...extra,
});

describe('runtimeDefinition', () => {
  it('gives Task states without a timeout the longest timer instead of the interpreter’s 60-second default', () => {
    const copy = runtimeDefinition({ StartAt: 'A', States: { A: invoke('a', { Next: 'B' }), B: invoke('b', { TimeoutSeconds: 30, End: true }) } }, 1) as {
      States: Record<string, { TimeoutSeconds?: number }>;
    };
    expect(copy.States['A']!.TimeoutSeconds).toBe(MAX_TIMER_SECONDS);
    expect(copy.States['B']!.TimeoutSeconds).toBe(30);
  });

  it('clamps a timeout longer than a Node timer can hold, which would otherwise fire at once', () => {
    const copy = runtimeDefinition({ TimeoutSeconds: 99_999_999, StartAt: 'A', States: { A: invoke('a', { TimeoutSeconds: 99_999_999, End: true }) } }, 1) as {
      TimeoutSeconds: number;
      States: Record<string, { TimeoutSeconds?: number }>;
    };
    expect(copy.TimeoutSeconds).toBe(MAX_TIMER_SECONDS);
    expect(copy.States['A']!.TimeoutSeconds).toBe(MAX_TIMER_SECONDS);
  });

  it('scales waits and retry intervals, nested Map and Parallel states included, and leaves the original alone', () => {
    const original = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 10, End: true } } }],
          Next: 'M',
        },
        M: {
          Type: 'Map',
          ItemProcessor: { StartAt: 'T', States: { T: invoke('t', { Retry: [{ ErrorEquals: ['States.ALL'], MaxDelaySeconds: 8 }], End: true }) } },
          End: true,
        },
      },
    };
    const copy = runtimeDefinition(original, 0.5) as unknown as typeof original & {
      States: { M: { ItemProcessor: { States: { T: { Retry: Array<{ IntervalSeconds: number; MaxDelaySeconds: number }> } } } } };
    };
    expect(copy.States.P.Branches[0]!.States.W.Seconds).toBe(5);
    expect(copy.States.M.ItemProcessor.States.T.Retry[0]).toEqual({ ErrorEquals: ['States.ALL'], IntervalSeconds: 0.5, MaxDelaySeconds: 4 });
    expect(original.States.P.Branches[0]!.States.W.Seconds).toBe(10);
  });
});

describe('taskStates', () => {
  it('finds Lambda tasks in nested branches with the function each one names', () => {
    const tasks = taskStates('m', {
      StartAt: 'P',
      States: {
        P: { Type: 'Parallel', Branches: [{ StartAt: 'A', States: { A: invoke('analyse', { End: true }) } }], Next: 'B' },
        B: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:notify', End: true },
      },
    });
    expect([...tasks]).toEqual([
      ['B', { type: 'lambda-function', resource: 'arn:aws:lambda:us-east-1:000000000000:function:notify' }],
      ['A', { type: 'lambda-invoke', resource: 'arn:aws:states:::lambda:invoke', staticFunctionName: 'analyse' }],
    ]);
  });

  it('rejects two Task states of the same name calling different resources', () => {
    expect(() =>
      taskStates('m', {
        StartAt: 'P',
        States: {
          P: { Type: 'Parallel', Branches: [{ StartAt: 'A', States: { A: invoke('x', { End: true }) } }], Next: 'A' },
          A: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:y', End: true },
        },
      }),
    ).toThrow(/two Task states are named "A"/);
  });
});
