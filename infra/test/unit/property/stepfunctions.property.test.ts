// Property-based tests of the local Step Functions' parsers and validators: request shapes and pagination tokens on
// arbitrary input, the definition analysis (taskStates, runtimeDefinition, functionNameOf) on arbitrary definitions, and
// the execution journal read back after random damage.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { AwsServiceError } from '../../../src/local/aws-error.js';
import { outcome } from './outcome.js';
import { functionNameOf, MAX_TIMER_SECONDS, runtimeDefinition, taskStates } from '../../../src/local/stepfunctions/definition.js';
import { ExecutionJournal, type JournalRecord } from '../../../src/local/stepfunctions/journal.js';
import type { LocalStepFunctions } from '../../../src/local/stepfunctions/service.js';
import { machineArn, newService } from '../stepfunctions/helpers.js';
import { propertyTempDir } from './temp.js';

// ── Requests and pagination tokens ─────────────────────────────────────────────────────────────────────────────────

const MACHINE = 'Pipeline';
const PAGED = 'Paged';
const EXECUTION_PREFIX = `arn:aws:states:us-east-1:000000000000:execution:${MACHINE}:`;
const token = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('Property: Step Functions operations on arbitrary input', () => {
  let dir: ReturnType<typeof propertyTempDir>;
  let svc: LocalStepFunctions;

  beforeAll(async () => {
    dir = propertyTempDir('stacklens-sfn-prop-');
    const pass = { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } };
    svc = newService(
      dir.dir,
      [
        { name: MACHINE, definition: pass },
        { name: PAGED, definition: pass },
      ],
      {},
    );
    // Executions to page through: PAGED keeps exactly three, as no random request names it.
    for (const name of ['one', 'two', 'three']) {
      await svc.handle('StartExecution', { stateMachineArn: machineArn(MACHINE), name, input: '{}' });
      await svc.handle('StartExecution', { stateMachineArn: machineArn(PAGED), name, input: '{}' });
    }
    await svc.drain(10_000);
  });

  afterAll(async () => {
    await svc.close();
    dir.remove();
  });

  const arnArb = fc.constantFrom(
    machineArn(MACHINE),
    machineArn('Other'),
    `${EXECUTION_PREFIX}one`,
    `${EXECUTION_PREFIX}nope`,
    'arn:aws:states:::',
    '',
    'x'.repeat(300),
  );
  const tokenArb = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc
      .record({
        k: fc.constantFrom('executions', 'history', 'machines', 'other'),
        s: fc.constantFrom(machineArn(MACHINE), `${EXECUTION_PREFIX}one`, '', 'x'),
        i: fc.oneof(fc.integer({ min: -3, max: 12 }), fc.constantFrom(2 ** 31, Number.MAX_SAFE_INTEGER, 1.5, '1', null)),
      })
      .map(token),
    fc.jsonValue({ maxDepth: 1 }).map(token),
  );
  const valueArb = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    arnArb,
    tokenArb,
    fc.constantFrom(-1, 0, 1, 1000, 1001, 1.5, '{}', '{"a":', 'bad name', 'ALL_DATA', 'RUNNING'),
  );
  const requestArb = fc.record(
    {
      stateMachineArn: valueArb,
      executionArn: valueArb,
      name: fc.oneof(fc.string({ maxLength: 90 }), valueArb),
      input: fc.oneof(
        fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
        valueArb,
      ),
      maxResults: valueArb,
      nextToken: tokenArb,
      statusFilter: valueArb,
      reverseOrder: valueArb,
      includedData: valueArb,
      error: valueArb,
      cause: valueArb,
    },
    { requiredKeys: [] },
  );
  const operationArb = fc.constantFrom(
    'StartExecution',
    'DescribeExecution',
    'ListExecutions',
    'StopExecution',
    'GetExecutionHistory',
    'ListStateMachines',
    'DescribeStateMachine',
    'CreateStateMachine',
    '',
  );

  it('answers every request with a result or a typed error, forged pagination tokens included', async () => {
    await fc.assert(
      fc.asyncProperty(operationArb, requestArb, async (operation, request) => {
        const result = await outcome(svc.handle(operation, request));
        if (result.ok) expect(() => JSON.stringify(result.value)).not.toThrow();
      }),
      { numRuns: 1_500 },
    );
    await svc.drain(10_000);
  });

  it('refuses a pagination token that does not name a page of this listing with InvalidToken', async () => {
    const forgedArb = fc.record({ k: fc.constant('executions'), s: fc.constant(machineArn(PAGED)), i: fc.integer({ min: 3, max: 1_000_000 }) });
    await fc.assert(
      fc.asyncProperty(forgedArb, async (forged) => {
        // Three executions exist: index 3 and beyond name nothing this service handed out.
        const result = await outcome(svc.handle('ListExecutions', { stateMachineArn: machineArn(PAGED), nextToken: token(forged) }));
        expect(result.ok ? 'answered' : result.error.type).toBe('InvalidToken');
      }),
      { numRuns: 100 },
    );
  });
});

// ── Definitions ────────────────────────────────────────────────────────────────────────────────────────────────────

const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:';

const stateArb: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{ state: Record<string, unknown>; states: Record<string, unknown> }>((tie) => ({
  states: fc.dictionary(fc.constantFrom('A', 'B', 'C', 'Task', 'Wait', 'W2'), tie('state'), { maxKeys: 4 }),
  state: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record(
      {
        Type: fc.constant('Task'),
        Resource: fc.constantFrom('arn:aws:states:::lambda:invoke', `${LAMBDA_ARN}fn`, `${LAMBDA_ARN}other:live`, 'arn:aws:states:::sqs:sendMessage', 42),
        Parameters: fc.oneof(
          fc.constant(undefined),
          fc.record({ FunctionName: fc.constantFrom('fn', `${LAMBDA_ARN}fn`, 7) }),
          fc.constant({ 'FunctionName.$': '$.f' }),
          fc.constant({}),
        ),
        TimeoutSeconds: fc.option(fc.oneof(fc.integer({ min: 1, max: 99_999_999 }), fc.constant('60')), { nil: undefined }),
        TimeoutSecondsPath: fc.option(fc.constant('$.t'), { nil: undefined, freq: 5 }),
        Retry: fc.option(
          fc.array(
            fc.oneof(
              fc.record(
                {
                  ErrorEquals: fc.constant(['States.ALL']),
                  IntervalSeconds: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
                  MaxDelaySeconds: fc.option(fc.integer({ min: 1, max: 600 }), { nil: undefined }),
                },
                { requiredKeys: ['ErrorEquals'] },
              ),
              fc.constant(null),
            ),
            { maxLength: 2 },
          ),
          { nil: undefined },
        ),
      },
      { requiredKeys: ['Type'] },
    ),
    fc.record({ Type: fc.constant('Wait'), Seconds: fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.constant('10')) }),
    fc.record({ Type: fc.constant('Parallel'), Branches: fc.array(fc.record({ States: tie('states') }), { maxLength: 2 }) }),
    fc.record({ Type: fc.constant('Map'), ItemProcessor: fc.record({ States: tie('states') }) }),
    fc.record({ Type: fc.constant('Map'), Iterator: fc.record({ States: tie('states') }) }),
    fc.record({ Type: fc.constantFrom('Pass', 'Choice', 'Succeed', 'Fail') }),
    fc.jsonValue({ maxDepth: 1 }),
  ) as fc.Arbitrary<Record<string, unknown>>,
})).state;

const definitionArb = fc.record({
  StartAt: fc.constant('A'),
  States: fc.dictionary(fc.constantFrom('A', 'B', 'C', 'Task'), stateArb, { maxKeys: 4 }),
  TimeoutSeconds: fc.option(fc.integer({ min: 1, max: 99_999_999 }), { nil: undefined }),
});

/** Every state object of a definition with the path to it, nested branches and processors included. */
function* statesOf(definition: unknown, where = '$'): Generator<{ where: string; state: Record<string, unknown> }> {
  const states = (definition as { States?: unknown } | null)?.States;
  if (typeof states !== 'object' || states === null || Array.isArray(states)) return;
  for (const [name, state] of Object.entries(states)) {
    if (typeof state !== 'object' || state === null || Array.isArray(state)) continue;
    const record = state as Record<string, unknown>;
    yield { where: `${where}.${name}`, state: record };
    if (record['Type'] === 'Parallel' && Array.isArray(record['Branches'])) {
      for (const [index, branch] of record['Branches'].entries()) yield* statesOf(branch, `${where}.${name}[${index}]`);
    }
    if (record['Type'] === 'Map') yield* statesOf(record['ItemProcessor'] ?? record['Iterator'], `${where}.${name}.processor`);
  }
}

describe('Property: definition analysis on arbitrary definitions', () => {
  it('taskStates either lists every Task state or throws an Error naming the machine, never anything else', () => {
    fc.assert(
      fc.property(definitionArb, (definition) => {
        let tasks: ReturnType<typeof taskStates>;
        try {
          tasks = taskStates('machine', definition);
        } catch (err) {
          expect(err).toBeInstanceOf(Error);
          expect((err as Error).message).toMatch(/^state machine machine: /);
          return;
        }
        const names = new Set([...statesOf(definition)].filter(({ state }) => state['Type'] === 'Task').map(({ where }) => where.split('.').at(-1)));
        expect(new Set(tasks.keys())).toEqual(names);
      }),
      { numRuns: 2_000 },
    );
  });

  it('runtimeDefinition leaves its input untouched, caps every Task timeout at the longest Node timer and scales only waits and retries', () => {
    fc.assert(
      fc.property(definitionArb, fc.constantFrom(0, 0.5, 1, 3), (definition, scale) => {
        const before = JSON.stringify(definition);
        const copy = runtimeDefinition(definition, scale);
        expect(JSON.stringify(definition)).toBe(before);

        const original = [...statesOf(JSON.parse(before))];
        const changed = [...statesOf(copy)];
        expect(changed.map(({ where }) => where)).toEqual(original.map(({ where }) => where));
        original.forEach(({ state }, index) => {
          const after = changed[index]!.state;
          if (state['Type'] === 'Task' && state['TimeoutSecondsPath'] === undefined) {
            const wanted = typeof state['TimeoutSeconds'] === 'number' ? Math.min(state['TimeoutSeconds'], MAX_TIMER_SECONDS) : MAX_TIMER_SECONDS;
            expect(after['TimeoutSeconds']).toBe(wanted);
          } else {
            expect(after['TimeoutSeconds']).toEqual(state['TimeoutSeconds']);
          }
          if (state['Type'] === 'Wait')
            expect(after['Seconds']).toEqual(typeof state['Seconds'] === 'number' && scale !== 1 ? state['Seconds'] * scale : state['Seconds']);
          if (Array.isArray(state['Retry']) && scale !== 1) {
            (state['Retry'] as unknown[]).forEach((retrier, at) => {
              if (typeof retrier !== 'object' || retrier === null) return;
              const r = retrier as Record<string, unknown>;
              const out = (after['Retry'] as Array<Record<string, unknown>>)[at]!;
              expect(out['IntervalSeconds']).toBe((typeof r['IntervalSeconds'] === 'number' ? r['IntervalSeconds'] : 1) * scale);
              expect(out['MaxDelaySeconds']).toEqual(typeof r['MaxDelaySeconds'] === 'number' ? r['MaxDelaySeconds'] * scale : r['MaxDelaySeconds']);
            });
          } else {
            expect(after['Retry']).toEqual(state['Retry']);
          }
          // Nothing else about a state changes.
          const rest = (s: Record<string, unknown>) => {
            const { TimeoutSeconds: _t, Seconds: _s, Retry: _r, Branches: _b, ItemProcessor: _i, Iterator: _it, ...others } = s;
            return others;
          };
          expect(rest(after)).toEqual(rest(state));
        });
        const top = copy as { TimeoutSeconds?: number };
        if (definition.TimeoutSeconds !== undefined) expect(top.TimeoutSeconds).toBe(Math.min(definition.TimeoutSeconds, MAX_TIMER_SECONDS));
      }),
      { numRuns: 2_000 },
    );
  });

  it('functionNameOf extracts the name from any well-formed Lambda ARN and returns anything else unchanged', () => {
    const nameArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
    const arnArb = fc
      .tuple(
        fc.constantFrom('aws', 'aws-cn', 'aws-us-gov'),
        fc.constantFrom('us-east-1', 'eu-west-2'),
        fc.stringMatching(/^\d{12}$/),
        nameArb,
        fc.option(fc.stringMatching(/^[A-Za-z0-9$_-]{1,20}$/), { nil: undefined }),
      )
      .map(([partition, region, account, name, qualifier]) => ({
        arn: `arn:${partition}:lambda:${region}:${account}:function:${name}${qualifier === undefined ? '' : `:${qualifier}`}`,
        name,
      }));
    fc.assert(
      fc.property(arnArb, ({ arn, name }) => {
        expect(functionNameOf(arn)).toBe(name);
      }),
      { numRuns: 1_000 },
    );
    fc.assert(
      fc.property(
        fc.string({ maxLength: 60 }).filter((text) => !text.startsWith('arn:')),
        (text) => {
          expect(functionNameOf(text)).toBe(text);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

// ── The execution journal ──────────────────────────────────────────────────────────────────────────────────────────

const recordArb: fc.Arbitrary<JournalRecord> = fc.oneof(
  fc.record({
    type: fc.constant('start' as const),
    executionArn: fc.string({ minLength: 1, maxLength: 30 }).map((name) => `${EXECUTION_PREFIX}${name}`),
    stateMachineArn: fc.constant(machineArn(MACHINE)),
    name: fc.string({ minLength: 1, maxLength: 20 }),
    input: fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
    startDate: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  }),
  fc.record(
    {
      type: fc.constant('end' as const),
      executionArn: fc.string({ minLength: 1, maxLength: 30 }).map((name) => `${EXECUTION_PREFIX}${name}`),
      status: fc.constantFrom('SUCCEEDED' as const, 'FAILED' as const, 'TIMED_OUT' as const, 'ABORTED' as const),
      stopDate: fc.integer({ min: 0, max: 4_102_444_800_000 }),
      output: fc.string({ maxLength: 40 }),
      error: fc.string({ maxLength: 20 }),
      cause: fc.string({ unit: 'binary', maxLength: 40 }),
    },
    { requiredKeys: ['type', 'executionArn', 'status', 'stopDate'] },
  ),
);

/** Ways a journal gets damaged: a kill mid-append, a line overwritten with garbage, random flipped bytes. */
type Damage =
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'garble'; readonly line: number; readonly cut: number }
  | { readonly kind: 'flip'; readonly at: number[]; readonly bits: number[] };

const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('garble' as const), line: fc.nat(), cut: fc.nat() }),
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
    bits: fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 4, maxLength: 4 }),
  }),
);

/**
 * Applies the damage. Returns which records must come back: `exactly` those when no other record can appear, or `atLeast`
 * those (in order) when flipped bits might spell some other valid record.
 */
function damage(file: string, records: readonly JournalRecord[], how: Damage): { exactly: Set<number> } | { atLeast: Set<number> } {
  const lines = records.map((record) => JSON.stringify(record) + '\n');
  // A journal nothing was appended to was never created.
  const bytes = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
  if (how.kind === 'truncate') {
    const at = bytes.length === 0 ? 0 : how.at % bytes.length;
    if (existsSync(file)) truncateSync(file, at);
    const intact = new Set<number>();
    let end = 0;
    lines.forEach((line, index) => {
      end += Buffer.byteLength(line);
      // Only the newline cut off: the JSON is whole, and no shorter prefix of a JSON object parses.
      if (end - 1 <= at) intact.add(index);
    });
    return { exactly: intact };
  }
  if (how.kind === 'garble') {
    if (lines.length === 0) return { exactly: new Set() };
    const victim = how.line % lines.length;
    // Half a line with a NUL in it: never JSON, like a block of a torn write.
    const text = lines[victim]!;
    lines[victim] = `${text.slice(0, how.cut % Math.max(1, text.length - 1))}\u0000\n`;
    writeFileSync(file, lines.join(''));
    return { exactly: new Set(records.map((_, index) => index).filter((index) => index !== victim)) };
  }
  const flipped = bytes.length === 0 ? [] : how.at.map((at) => at % bytes.length);
  flipped.forEach((at, index) => (bytes[at] = bytes[at]! ^ (1 << how.bits[index]!)));
  writeFileSync(file, bytes);
  // A line is touched by a flip inside it, or by a flip of the newline that ends the line before (the two then run
  // together and neither parses).
  const untouched = new Set<number>();
  let start = 0;
  lines.forEach((line, index) => {
    const end = start + Buffer.byteLength(line);
    if (!flipped.some((at) => at >= start - 1 && at < end)) untouched.add(index);
    start = end;
  });
  return { atLeast: untouched };
}

describe('Property: ExecutionJournal.open on a damaged journal', () => {
  let dir: ReturnType<typeof propertyTempDir>;
  beforeAll(() => {
    dir = propertyTempDir('stacklens-sfn-prop-');
  });
  afterAll(() => dir.remove());

  it('never throws, keeps every intact record in order, only valid ones, and repairs the file so the next open reads the same silently', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(recordArb, { maxLength: 12 }), damageArb, async (records, how) => {
        const file = path.join(dir.dir, `journal-${(run += 1)}.jsonl`);
        const { journal } = ExecutionJournal.open(file, () => undefined);
        for (const record of records) await journal.append(record);
        await journal.close();
        const expected = damage(file, records, how);

        const warnings: string[] = [];
        const { journal: reopened, records: read } = ExecutionJournal.open(file, (line) => warnings.push(line));
        await reopened.close();

        const expectedJson = records.map((record) => JSON.stringify(record));
        const readJson = read.map((record) => JSON.stringify(record));
        if ('exactly' in expected) {
          expect(readJson).toEqual(expectedJson.filter((_, index) => expected.exactly.has(index)));
        } else {
          const mustKeep = expectedJson.filter((_, index) => expected.atLeast.has(index));
          let next = 0;
          for (const text of readJson) if (text === mustKeep[next]) next += 1;
          expect(mustKeep.slice(next)).toEqual([]);
          expect(readJson.length).toBeLessThanOrEqual(records.length + (how.kind === 'flip' ? how.at.length : 0));
        }
        for (const line of warnings) expect(line).toMatch(/^stepfunctions: skipped unreadable line \d+ of /);

        const again: string[] = [];
        const { journal: third, records: reread } = ExecutionJournal.open(file, (line) => again.push(line));
        await third.close();
        expect(reread.map((record) => JSON.stringify(record))).toEqual(readJson);
        expect(again).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });
});
