// A local AWS Step Functions (Standard workflows) for the operations our code and tests use, running ASL with
// aws-local-stepfunctions and Lambda tasks with in-process handlers. Transport-free: http.ts adapts it to the AWS
// JSON 1.0 protocol the SFN SDK client speaks.
//
// Choices where the real service is loose or where we differ:
// - Lambda tasks: `arn:aws:states:::lambda:invoke` (result `{ ExecutedVersion, Payload, StatusCode }`) and plain
//   function ARNs. A handler's error becomes the task error named after the error's `name`, with AWS's JSON
//   `Cause` ({"errorMessage","errorType","requestId","stackTrace"}), so Retry/Catch match custom names.
// - Execution names stay reserved forever (AWS: 90 days after the execution closes).
// - Executions interrupted by a shutdown or crash are re-run from the start by resumeUnfinished(); AWS would
//   continue them where they stopped. Our workflow steps are idempotent, so both reach the same end.
// - History is kept in memory for the most recent executions; older or pre-restart ones report only their
//   start and end events.
import './promise-polyfill.js';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type RunOptions,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { AwsServiceError } from '../aws-error.js';
import { functionNameOf, runtimeDefinition, taskStates, type TaskKind } from './definition.js';
import { ExecutionHistory, toHistoryEvents, type HistoryEntry } from './history.js';
import { ExecutionJournal, type EndRecord, type JournalRecord } from './journal.js';
import {
  DescribeExecutionInput,
  DescribeStateMachineInput,
  type ExecutionStatus,
  GetExecutionHistoryInput,
  ListExecutionsInput,
  ListStateMachinesInput,
  parseInput,
  StartExecutionInput,
  StopExecutionInput,
} from './schemas.js';

export type LambdaTaskHandler = (payload: unknown) => Promise<unknown>;

export interface StepFunctionsServiceOptions {
  /** ASL definitions (JSONPath), with any `${...}` substitutions already applied. */
  readonly stateMachines: ReadonlyArray<{ readonly name: string; readonly definition: object }>;
  /** Keyed by function name or ARN as the definitions name them; an ARN also matches a handler keyed by its function name. */
  readonly lambdaHandlers: Readonly<Record<string, LambdaTaskHandler>>;
  /** Holds the execution journal; created if missing. */
  readonly stateDir: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  readonly log?: (line: string) => void;
  /** Multiplies Wait `Seconds` and Retry intervals: 0 in tests that must not sleep. @default 1 (real time) */
  readonly waitTimeScale?: number;
}

type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type JsonValue = Parameters<StateMachine['run']>[0];

/** Execution input and output limit of Step Functions (256 KiB of UTF-8). */
export const MAX_PAYLOAD_BYTES = 262_144;
/** Executions whose event history stays in memory after they end. */
const HISTORY_RETENTION = 1_000;
const DEFAULT_PAGE_SIZE = 100;
// A name must not contain white space, brackets, wildcards, these specials, or control characters.
const INVALID_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;
const STATE_MACHINE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const STATE_MACHINE_ARN = /^arn:aws[\w-]*:states:[\w-]+:\d{12}:stateMachine:[^:]+$/;
const EXECUTION_ARN = /^arn:aws[\w-]*:states:[\w-]+:\d{12}:execution:[^:]+:[^:]+$/;

interface RegisteredStateMachine {
  readonly name: string;
  readonly arn: string;
  readonly definition: string;
  readonly runtime: StateMachine;
  readonly tasks: ReadonlyMap<string, TaskKind>;
  readonly creationDate: number;
  /** In start order; ListExecutions walks it backwards (newest first). */
  readonly executions: Execution[];
  readonly byName: Map<string, Execution>;
}

interface Execution {
  readonly arn: string;
  readonly machine: RegisteredStateMachine;
  readonly name: string;
  readonly input: string;
  readonly startDate: number;
  status: ExecutionStatus;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  history?: ExecutionHistory;
  /** Settles when the start record is in the journal; an idempotent repeat of the start waits for it too. */
  persisted: Promise<void>;
  active?: { readonly abort: () => void; readonly done: Promise<void> };
}

type Outcome = { readonly output: unknown } | { readonly error: unknown };

/** An error thrown into the interpreter as a task's result: Retry and Catch match its `name`. */
class TaskFailure extends Error {
  constructor(
    name: string,
    message: string,
    private readonly handleable = true,
  ) {
    super(message);
    this.name = name;
  }

  // Read by aws-local-stepfunctions: a States.Runtime failure can be neither retried nor caught.
  get isRetryable(): boolean {
    return this.handleable;
  }

  get isCatchable(): boolean {
    return this.handleable;
  }
}

export class LocalStepFunctions {
  private readonly machines = new Map<string, RegisteredStateMachine>();
  private readonly executions = new Map<string, Execution>();
  private readonly handlers = new Map<string, LambdaTaskHandler>();
  private readonly running = new Set<Promise<void>>();
  private readonly withHistory: Execution[] = [];
  private readonly journal: ExecutionJournal;
  private readonly region: string;
  private readonly accountId: string;
  private readonly log: (line: string) => void;
  private closing: Promise<void> | undefined;

  constructor(opts: StepFunctionsServiceOptions) {
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '000000000000';
    this.log = opts.log ?? (() => undefined);
    const scale = opts.waitTimeScale ?? 1;
    if (!Number.isFinite(scale) || scale < 0) throw new RangeError(`waitTimeScale must be a finite number ≥ 0, got ${scale}`);

    for (const [key, handler] of Object.entries(opts.lambdaHandlers)) {
      this.handlers.set(key, handler);
      if (!this.handlers.has(functionNameOf(key))) this.handlers.set(functionNameOf(key), handler);
    }
    const now = Date.now();
    for (const { name, definition } of opts.stateMachines) this.register(name, definition, scale, now);

    const { journal, records } = ExecutionJournal.open(path.join(opts.stateDir, 'executions.jsonl'), this.log);
    this.journal = journal;
    this.restore(records);
  }

  async handle(operation: string, input: unknown): Promise<unknown> {
    switch (operation) {
      case 'StartExecution':
        return this.startExecution(input);
      case 'DescribeExecution':
        return this.describeExecution(input);
      case 'ListExecutions':
        return this.listExecutions(input);
      case 'StopExecution':
        return this.stopExecution(input);
      case 'GetExecutionHistory':
        return this.getExecutionHistory(input);
      case 'ListStateMachines':
        return this.listStateMachines(input);
      case 'DescribeStateMachine':
        return this.describeStateMachine(input);
      default:
        throw new AwsServiceError('UnknownOperationException', `The local Step Functions does not implement ${operation}`);
    }
  }

  /** Re-runs, from the start, every execution the journal shows as accepted but not finished. Returns how many. */
  async resumeUnfinished(): Promise<number> {
    if (this.closing) return 0;
    let resumed = 0;
    for (const execution of this.executions.values()) {
      if (execution.status !== 'RUNNING' || execution.active) continue;
      this.launch(execution);
      resumed += 1;
    }
    if (resumed > 0) this.log(`stepfunctions: resumed ${resumed} execution(s) left unfinished by the previous run`);
    return resumed;
  }

  /** Resolves when no execution is running; rejects after `timeoutMs` with the number still running. */
  async drain(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.running.size > 0) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`stepfunctions: ${this.running.size} execution(s) still running after ${timeoutMs} ms`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.running]), new Promise((resolve) => (timer = setTimeout(resolve, remaining)))]);
      clearTimeout(timer);
    }
  }

  /**
   * Stops every running execution without recording an end, so the next start resumes them. A Lambda handler
   * already running is not interrupted (it cannot be); only what would follow it is.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const execution of this.executions.values()) execution.active?.abort();
      await Promise.allSettled([...this.running]);
      await this.journal.close();
    })();
    return this.closing;
  }

  // ---------------------------------------------------------------------------------------------------
  // State machines

  private register(name: string, definition: object, scale: number, creationDate: number): void {
    if (!STATE_MACHINE_NAME.test(name)) throw new Error(`state machine name ${JSON.stringify(name)} must be 1-80 characters of A-Z, a-z, 0-9, - and _`);
    const arn = `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${name}`;
    if (this.machines.has(arn)) throw new Error(`state machine ${name} is defined twice`);
    // The library validates the definition as written; the copy it runs differs only in timings.
    try {
      new StateMachine(definition as StateMachineDefinition);
    } catch (error) {
      throw new Error(`state machine ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const tasks = taskStates(name, definition);
    for (const [stateName, kind] of tasks) {
      const reference = kind.type === 'lambda-invoke' ? kind.staticFunctionName : kind.resource;
      if (reference !== undefined && !this.handlerFor(reference)) {
        throw new Error(`state machine ${name}: Task state "${stateName}" calls ${reference}, which has no local Lambda handler`);
      }
    }
    this.machines.set(arn, {
      name,
      arn,
      definition: JSON.stringify(definition),
      runtime: new StateMachine(runtimeDefinition(definition, scale) as StateMachineDefinition, { validationOptions: { noValidate: true } }),
      tasks,
      creationDate,
      executions: [],
      byName: new Map(),
    });
  }

  private machineByArn(arn: string): RegisteredStateMachine {
    if (!STATE_MACHINE_ARN.test(arn)) throw new AwsServiceError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
    const machine = this.machines.get(arn);
    if (!machine) throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  private listStateMachines(input: unknown): unknown {
    const request = parseInput(ListStateMachinesInput, input);
    const all = [...this.machines.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const offset = request.nextToken === undefined ? 0 : decodeToken(request.nextToken, 'machines', '');
    const size = request.maxResults || DEFAULT_PAGE_SIZE;
    const page = all.slice(offset, offset + size);
    return {
      stateMachines: page.map((machine) => ({ stateMachineArn: machine.arn, name: machine.name, type: 'STANDARD', creationDate: machine.creationDate / 1000 })),
      ...(offset + size < all.length ? { nextToken: encodeToken('machines', '', offset + size) } : {}),
    };
  }

  private describeStateMachine(input: unknown): unknown {
    const request = parseInput(DescribeStateMachineInput, input);
    const machine = this.machineByArn(request.stateMachineArn);
    return {
      stateMachineArn: machine.arn,
      name: machine.name,
      status: 'ACTIVE',
      definition: machine.definition,
      roleArn: this.roleArn(),
      type: 'STANDARD',
      creationDate: machine.creationDate / 1000,
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
  }

  private roleArn(): string {
    return `arn:aws:iam::${this.accountId}:role/stacklens-local-states`;
  }

  // ---------------------------------------------------------------------------------------------------
  // Executions

  private async startExecution(input: unknown): Promise<unknown> {
    const request = parseInput(StartExecutionInput, input);
    const machine = this.machineByArn(request.stateMachineArn);
    const name = request.name ?? randomUUID();
    if (INVALID_NAME_CHARACTERS.test(name)) throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
    const executionInput = request.input ?? '{}';
    if (Buffer.byteLength(executionInput, 'utf8') > MAX_PAYLOAD_BYTES) {
      throw new AwsServiceError('InvalidExecutionInput', `Invalid State Machine Execution Input: the input exceeds the maximum of ${MAX_PAYLOAD_BYTES} bytes`);
    }
    try {
      JSON.parse(executionInput);
    } catch (error) {
      throw new AwsServiceError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${error instanceof Error ? error.message : 'not JSON'}'`);
    }
    if (this.closing) throw new AwsServiceError('ServiceUnavailable', 'The local Step Functions is shutting down', 503);

    const existing = machine.byName.get(name);
    if (existing) {
      // Standard workflows: repeating a start of a still-running execution with the same input is idempotent.
      if (existing.status === 'RUNNING' && existing.input === executionInput) {
        await existing.persisted;
        return { executionArn: existing.arn, startDate: existing.startDate / 1000 };
      }
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.arn}'`);
    }

    const execution: Execution = {
      arn: `arn:aws:states:${this.region}:${this.accountId}:execution:${machine.name}:${name}`,
      machine,
      name,
      input: executionInput,
      startDate: Date.now(),
      status: 'RUNNING',
      persisted: Promise.resolve(),
    };
    this.add(execution);
    execution.persisted = this.journal.append({
      type: 'start',
      executionArn: execution.arn,
      stateMachineArn: machine.arn,
      name,
      input: executionInput,
      startDate: execution.startDate,
    });
    try {
      await execution.persisted;
    } catch (error) {
      this.remove(execution);
      this.log(`stepfunctions: could not record the start of ${execution.arn}: ${error instanceof Error ? error.message : String(error)}`);
      throw new AwsServiceError('ServiceUnavailable', 'The local Step Functions could not record the execution; nothing was started', 503);
    }
    this.launch(execution);
    return { executionArn: execution.arn, startDate: execution.startDate / 1000 };
  }

  private add(execution: Execution): void {
    this.executions.set(execution.arn, execution);
    execution.machine.executions.push(execution);
    execution.machine.byName.set(execution.name, execution);
  }

  private remove(execution: Execution): void {
    this.executions.delete(execution.arn);
    execution.machine.byName.delete(execution.name);
    const list = execution.machine.executions;
    const index = list.lastIndexOf(execution);
    if (index >= 0) list.splice(index, 1);
  }

  private executionByArn(arn: string): Execution {
    if (!EXECUTION_ARN.test(arn)) throw new AwsServiceError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
    const execution = this.executions.get(arn);
    if (!execution) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  private describeExecution(input: unknown): unknown {
    const request = parseInput(DescribeExecutionInput, input);
    const execution = this.executionByArn(request.executionArn);
    const withData = request.includedData !== 'METADATA_ONLY';
    return {
      executionArn: execution.arn,
      stateMachineArn: execution.machine.arn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate / 1000,
      ...(execution.stopDate === undefined ? {} : { stopDate: execution.stopDate / 1000 }),
      ...(withData ? { input: execution.input, inputDetails: { included: true } } : {}),
      ...(withData && execution.output !== undefined ? { output: execution.output, outputDetails: { included: true } } : {}),
      ...(execution.error === undefined ? {} : { error: execution.error }),
      ...(execution.cause === undefined ? {} : { cause: execution.cause }),
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
    };
  }

  private listExecutions(input: unknown): unknown {
    const request = parseInput(ListExecutionsInput, input);
    const machine = this.machineByArn(request.stateMachineArn);
    const size = request.maxResults || DEFAULT_PAGE_SIZE;
    // Indexes count from the oldest execution, so a page boundary stays put while new executions start.
    let index = request.nextToken === undefined ? machine.executions.length - 1 : decodeToken(request.nextToken, 'executions', machine.arn);
    // Tokens are base64 JSON a caller can forge: one past the newest execution names nothing this service handed out.
    if (index >= machine.executions.length) throw new AwsServiceError('InvalidToken', `Invalid Token: '${request.nextToken}'`);
    const page: Execution[] = [];
    for (; index >= 0 && page.length < size; index -= 1) {
      const execution = machine.executions[index]!;
      if (request.statusFilter === undefined || execution.status === request.statusFilter) page.push(execution);
    }
    return {
      executions: page.map((execution) => ({
        executionArn: execution.arn,
        stateMachineArn: machine.arn,
        name: execution.name,
        status: execution.status,
        startDate: execution.startDate / 1000,
        ...(execution.stopDate === undefined ? {} : { stopDate: execution.stopDate / 1000 }),
      })),
      ...(index >= 0 ? { nextToken: encodeToken('executions', machine.arn, index) } : {}),
    };
  }

  private async stopExecution(input: unknown): Promise<unknown> {
    const request = parseInput(StopExecutionInput, input);
    const execution = this.executionByArn(request.executionArn);
    if (execution.status !== 'RUNNING') return { stopDate: (execution.stopDate ?? Date.now()) / 1000 };
    const stopDate = Date.now();
    const end: EndRecord = {
      type: 'end',
      executionArn: execution.arn,
      status: 'ABORTED',
      stopDate,
      ...(request.error === undefined ? {} : { error: request.error }),
      ...(request.cause === undefined ? {} : { cause: request.cause }),
    };
    this.applyEnd(execution, end);
    try {
      await this.journal.append(end);
    } catch (error) {
      // Not durable, so not done: the execution carries on as if the stop never arrived.
      execution.status = 'RUNNING';
      delete execution.stopDate;
      delete execution.error;
      delete execution.cause;
      this.log(`stepfunctions: could not record the stop of ${execution.arn}: ${error instanceof Error ? error.message : String(error)}`);
      throw new AwsServiceError('ServiceUnavailable', 'The local Step Functions could not record the stop; the execution is still running', 503);
    }
    if (execution.active) execution.active.abort();
    else execution.history?.push(terminalEntry(execution));
    return { stopDate: stopDate / 1000 };
  }

  private getExecutionHistory(input: unknown): unknown {
    const request = parseInput(GetExecutionHistoryInput, input);
    const execution = this.executionByArn(request.executionArn);
    const entries = execution.history?.all() ?? synthesizedHistory(execution, this.roleArn());
    const ordered = request.reverseOrder ? [...toHistoryEvents(entries, request.includeExecutionData ?? true)].reverse() : toHistoryEvents(entries, request.includeExecutionData ?? true);
    const offset = request.nextToken === undefined ? 0 : decodeToken(request.nextToken, 'history', execution.arn);
    const size = request.maxResults || DEFAULT_PAGE_SIZE;
    return {
      events: ordered.slice(offset, offset + size),
      ...(offset + size < ordered.length ? { nextToken: encodeToken('history', execution.arn, offset + size) } : {}),
    };
  }

  // ---------------------------------------------------------------------------------------------------
  // Running

  private restore(records: readonly JournalRecord[]): void {
    const unknownMachines = new Set<string>();
    for (const record of records) {
      if (record.type === 'start') {
        const machine = this.machines.get(record.stateMachineArn);
        if (!machine) {
          unknownMachines.add(record.stateMachineArn);
          continue;
        }
        if (this.executions.has(record.executionArn)) continue;
        this.add({
          arn: record.executionArn,
          machine,
          name: record.name,
          input: record.input,
          startDate: record.startDate,
          status: 'RUNNING',
          persisted: Promise.resolve(),
        });
      } else {
        const execution = this.executions.get(record.executionArn);
        if (execution?.status === 'RUNNING') this.applyEnd(execution, record);
      }
    }
    for (const arn of unknownMachines) this.log(`stepfunctions: the journal names ${arn}, which is no longer defined; its executions are ignored`);
  }

  private applyEnd(execution: Execution, end: EndRecord): void {
    execution.status = end.status;
    execution.stopDate = end.stopDate;
    if (end.output !== undefined) execution.output = end.output;
    if (end.error !== undefined) execution.error = end.error;
    if (end.cause !== undefined) execution.cause = end.cause;
  }

  private launch(execution: Execution): void {
    const machine = execution.machine;
    const history = new ExecutionHistory(machine.tasks);
    execution.history = history;
    history.push({
      timestamp: Date.now(),
      type: 'ExecutionStarted',
      detailsKey: 'executionStartedEventDetails',
      details: { input: execution.input, inputDetails: { truncated: false }, roleArn: this.roleArn() },
    });
    // Aborting the interpreter does not settle a task in flight; this signal does, so a stopped execution neither
    // waits for its handler (nor keeps the library's task timer alive) nor calls it again from a pending retry.
    const stopped = new AbortController();
    const handlers: TaskHandlers = {};
    for (const [stateName, kind] of machine.tasks) {
      handlers[stateName] = (input) => this.runTask(history, stateName, kind, input, stopped.signal) as Promise<JsonValue>;
    }
    let input: JsonValue;
    try {
      input = JSON.parse(execution.input) as JsonValue;
    } catch {
      // Only a hand-edited journal gets here: StartExecution accepts JSON input only.
      const done = this.settle(execution, { error: new TaskFailure('States.Runtime', 'The recorded execution input is not JSON', false) });
      this.running.add(done);
      void done.finally(() => this.running.delete(done));
      return;
    }
    const run = machine.runtime.run(input, {
      overrides: { taskResourceLocalHandlers: handlers },
      context: {
        Execution: { Id: execution.arn, Name: execution.name, RoleArn: this.roleArn(), StartTime: new Date(execution.startDate).toISOString() },
        StateMachine: { Id: machine.arn, Name: machine.name },
      },
    });
    const events = (async () => {
      for await (const event of run.eventLogs) history.onLibraryEvent(event);
    })();
    const outcome = run.result.then(
      (output): Outcome => ({ output }),
      (error: unknown): Outcome => ({ error }),
    );
    const done = Promise.all([outcome, events])
      .then(([settled]) => this.settle(execution, settled))
      .catch((error: unknown) => this.log(`stepfunctions: ${execution.arn} could not be settled: ${error instanceof Error ? error.stack ?? error.message : String(error)}`))
      .finally(() => {
        // Whatever ended the execution (a timeout too), a handler still in flight no longer holds anything.
        stopped.abort();
        this.running.delete(done);
        delete execution.active;
      });
    execution.active = {
      abort: () => {
        stopped.abort();
        run.abort();
      },
      done,
    };
    this.running.add(done);
  }

  private async settle(execution: Execution, outcome: Outcome): Promise<void> {
    const history = execution.history;
    if (execution.status !== 'RUNNING') {
      // Stopped by StopExecution, which already recorded the end.
      history?.push(terminalEntry(execution));
      this.retainHistory(execution);
      return;
    }
    // Aborted by close(): no end is recorded, so the next start resumes it.
    if ('error' in outcome && outcome.error instanceof ExecutionAbortedError) return;

    const end = endRecordFor(execution.arn, outcome);
    this.applyEnd(execution, end);
    history?.push(terminalEntry(execution));
    this.retainHistory(execution);
    this.log(`stepfunctions: ${execution.machine.name}/${execution.name} ${end.status}${end.error ? ` (${end.error})` : ''}`);
    try {
      await this.journal.append(end);
    } catch (error) {
      this.log(`stepfunctions: could not record the end of ${execution.arn}; it will run again on the next start: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private retainHistory(execution: Execution): void {
    this.withHistory.push(execution);
    if (this.withHistory.length > HISTORY_RETENTION) delete this.withHistory.shift()!.history;
  }

  private handlerFor(reference: string): LambdaTaskHandler | undefined {
    return this.handlers.get(reference) ?? this.handlers.get(functionNameOf(reference));
  }

  private functionArn(reference: string): string {
    return reference.startsWith('arn:') ? reference : `arn:aws:lambda:${this.region}:${this.accountId}:function:${reference}`;
  }

  /** One Lambda call of a Task state, shaped like the Step Functions Lambda integration. */
  private async runTask(history: ExecutionHistory, stateName: string, kind: TaskKind, input: unknown, stopped: AbortSignal): Promise<unknown> {
    if (stopped.aborted) throw executionStopped();
    const attempt = history.beginTask(stateName, kind);
    let reference: string;
    let payload: unknown;
    if (kind.type === 'lambda-invoke') {
      const parameters = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
      const functionName = parameters['FunctionName'];
      if (typeof functionName !== 'string' || functionName === '') {
        throw new TaskFailure('States.Runtime', `Task state "${stateName}": Parameters must resolve FunctionName to a non-empty string`, false);
      }
      reference = functionName;
      // The integration sends no event when Payload is left out; a Node handler then sees an empty object.
      payload = parameters['Payload'] ?? {};
      attempt.record('TaskScheduled', 'taskScheduledEventDetails', { resourceType: 'lambda', resource: 'invoke', region: this.region, parameters: JSON.stringify(input) });
      attempt.record('TaskStarted', 'taskStartedEventDetails', { resourceType: 'lambda', resource: 'invoke' });
    } else {
      reference = kind.resource;
      payload = input;
      attempt.record('LambdaFunctionScheduled', 'lambdaFunctionScheduledEventDetails', { resource: kind.resource, input: JSON.stringify(input ?? null) });
      attempt.record('LambdaFunctionStarted');
    }

    const handler = this.handlerFor(reference);
    let failure: TaskFailure;
    if (!handler) {
      failure = new TaskFailure('Lambda.ResourceNotFoundException', `Function not found: ${this.functionArn(reference)} (Service: Lambda, Status Code: 404)`);
    } else {
      try {
        const result = roundTrip(await untilStopped(handler(roundTrip(payload) ?? {}), stopped)) ?? null;
        const output = kind.type === 'lambda-invoke' ? { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 } : result;
        if (kind.type === 'lambda-invoke') {
          attempt.record('TaskSucceeded', 'taskSucceededEventDetails', { resourceType: 'lambda', resource: 'invoke', output: JSON.stringify(output), outputDetails: { truncated: false } });
        } else {
          attempt.record('LambdaFunctionSucceeded', 'lambdaFunctionSucceededEventDetails', { output: JSON.stringify(output), outputDetails: { truncated: false } });
        }
        return output;
      } catch (error) {
        if (stopped.aborted) throw executionStopped();
        failure = lambdaFailure(error);
      }
    }
    if (kind.type === 'lambda-invoke') {
      attempt.record('TaskFailed', 'taskFailedEventDetails', { resourceType: 'lambda', resource: 'invoke', error: failure.name, cause: failure.message });
    } else {
      attempt.record('LambdaFunctionFailed', 'lambdaFunctionFailedEventDetails', { error: failure.name, cause: failure.message });
    }
    throw failure;
  }
}

/** A handler's error as the Lambda integration reports it: Error = the error's name, Cause = Lambda's JSON error document. */
function lambdaFailure(error: unknown): TaskFailure {
  const errorType = error instanceof Error && error.name ? error.name : 'Error';
  const errorMessage = error instanceof Error ? error.message : String(error);
  const stackTrace = error instanceof Error && error.stack ? error.stack.split('\n').slice(1).map((line) => line.trim()) : [];
  return new TaskFailure(errorType, JSON.stringify({ errorMessage, errorType, requestId: randomUUID(), stackTrace }));
}

function executionStopped(): TaskFailure {
  return new TaskFailure('States.Runtime', 'The execution was stopped', false);
}

function untilStopped<T>(task: Promise<T>, stopped: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onStop = (): void => reject(executionStopped());
    stopped.addEventListener('abort', onStop, { once: true });
    task.then(resolve, reject).finally(() => stopped.removeEventListener('abort', onStop));
  });
}

/** Values cross the Lambda boundary as JSON, as they do in AWS: no shared objects, no undefined members. */
function roundTrip(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

function endRecordFor(executionArn: string, outcome: Outcome): EndRecord {
  const stopDate = Date.now();
  if ('output' in outcome) {
    const output = JSON.stringify(outcome.output ?? null);
    if (Buffer.byteLength(output, 'utf8') <= MAX_PAYLOAD_BYTES) return { type: 'end', executionArn, status: 'SUCCEEDED', stopDate, output };
    return {
      type: 'end',
      executionArn,
      status: 'FAILED',
      stopDate,
      error: 'States.DataLimitExceeded',
      cause: `The execution output exceeds the maximum of ${MAX_PAYLOAD_BYTES} bytes`,
    };
  }
  const error = outcome.error;
  if (error instanceof ExecutionTimeoutError) {
    return { type: 'end', executionArn, status: 'TIMED_OUT', stopDate, error: 'States.Timeout', cause: 'The execution ran longer than the state machine TimeoutSeconds' };
  }
  if (error instanceof ExecutionError && error.cause instanceof Error) {
    return { type: 'end', executionArn, status: 'FAILED', stopDate, error: error.cause.name, cause: error.cause.message };
  }
  return { type: 'end', executionArn, status: 'FAILED', stopDate, error: 'States.Runtime', cause: error instanceof Error ? error.message : String(error) };
}

function terminalEntry(execution: Execution): HistoryEntry {
  const timestamp = execution.stopDate ?? Date.now();
  const failure = { ...(execution.error === undefined ? {} : { error: execution.error }), ...(execution.cause === undefined ? {} : { cause: execution.cause }) };
  switch (execution.status) {
    case 'SUCCEEDED':
      return { timestamp, type: 'ExecutionSucceeded', detailsKey: 'executionSucceededEventDetails', details: { output: execution.output ?? 'null', outputDetails: { truncated: false } } };
    case 'TIMED_OUT':
      return { timestamp, type: 'ExecutionTimedOut', detailsKey: 'executionTimedOutEventDetails', details: failure };
    case 'ABORTED':
      return { timestamp, type: 'ExecutionAborted', detailsKey: 'executionAbortedEventDetails', details: failure };
    default:
      return { timestamp, type: 'ExecutionFailed', detailsKey: 'executionFailedEventDetails', details: failure };
  }
}

/** The history of an execution whose events were not kept: its start and, once it ended, its end. */
function synthesizedHistory(execution: Execution, roleArn: string): HistoryEntry[] {
  const started: HistoryEntry = {
    timestamp: execution.startDate,
    type: 'ExecutionStarted',
    detailsKey: 'executionStartedEventDetails',
    details: { input: execution.input, inputDetails: { truncated: false }, roleArn },
  };
  return execution.status === 'RUNNING' ? [started] : [started, terminalEntry(execution)];
}

function encodeToken(kind: string, scope: string, index: number): string {
  return Buffer.from(JSON.stringify({ k: kind, s: scope, i: index })).toString('base64url');
}

function decodeToken(token: string, kind: string, scope: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k?: unknown; s?: unknown; i?: unknown };
    if (parsed.k === kind && parsed.s === scope && Number.isInteger(parsed.i) && (parsed.i as number) >= 0) return parsed.i as number;
  } catch {
    // answered below with the service's own error
  }
  throw new AwsServiceError('InvalidToken', `Invalid Token: '${token}'`);
}
