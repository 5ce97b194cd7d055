// GetExecutionHistory for local executions: Step Functions history events (type, id, previousEventId,
// <type>EventDetails), built from the events aws-local-stepfunctions reports plus what our Lambda task adapter
// sees (the task parameters and raw results the library never reports). Simplified where AWS is more detailed:
// previousEventId is the preceding event, and Parallel/Map state-level events are not synthesised.
import type { StateMachine } from 'aws-local-stepfunctions';
import type { TaskKind } from './definition.js';

type LibraryEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** AWS caps a Standard execution's history at 25,000 events; we stop recording there. */
export const MAX_HISTORY_EVENTS = 25_000;

/** Detail members that carry execution data, dropped when includeExecutionData is false. */
const DATA_MEMBERS = new Set(['input', 'output', 'parameters', 'inputDetails', 'outputDetails']);

export interface HistoryEntry {
  readonly timestamp: number;
  readonly type: string;
  readonly detailsKey?: string;
  readonly details?: Record<string, unknown>;
}

/** One call of a Task's Lambda function, recorded by the task adapter until the library reports how the state ended. */
export class TaskAttempt {
  readonly entries: HistoryEntry[] = [];
  open = true;
  failed = false;

  constructor(readonly kind: TaskKind) {}

  record(type: string, detailsKey?: string, details?: Record<string, unknown>): void {
    if (!this.open) return; // a timed-out attempt finishing late: the state has moved on, as in AWS
    if (type.endsWith('Failed')) this.failed = true;
    this.entries.push({ timestamp: Date.now(), type, ...(detailsKey ? { detailsKey } : {}), ...(details ? { details } : {}) });
  }
}

export class ExecutionHistory {
  private readonly entries: HistoryEntry[] = [];
  private readonly attempts = new Map<string, TaskAttempt[]>();

  constructor(private readonly tasks: ReadonlyMap<string, TaskKind>) {}

  get length(): number {
    return this.entries.length;
  }

  push(entry: HistoryEntry): void {
    if (this.entries.length < MAX_HISTORY_EVENTS) this.entries.push(entry);
  }

  beginTask(stateName: string, kind: TaskKind): TaskAttempt {
    const attempt = new TaskAttempt(kind);
    const list = this.attempts.get(stateName);
    if (list) list.push(attempt);
    else this.attempts.set(stateName, [attempt]);
    return attempt;
  }

  /**
   * The library reports events asynchronously, after our task adapter has already recorded the attempt; a task's
   * attempt entries are therefore placed when the library reports that the state failed or exited.
   */
  onLibraryEvent(event: LibraryEvent): void {
    switch (event.type) {
      case 'StateEntered':
        this.push({
          timestamp: event.timestamp,
          type: `${event.state.type}StateEntered`,
          detailsKey: 'stateEnteredEventDetails',
          details: { name: event.state.name, input: JSON.stringify(event.state.input ?? null), inputDetails: { truncated: false } },
        });
        return;
      case 'StateFailed': {
        if (event.state.type !== 'Task') return;
        const failedInAttempt = this.flushAttempts(event.state.name);
        if (!failedInAttempt && event.Error === 'States.Timeout') this.pushTaskTimeout(event.state.name, event.timestamp, String(event.Cause ?? ''));
        return;
      }
      case 'StateExited':
        if (event.state.type === 'Task') this.flushAttempts(event.state.name);
        this.push({
          timestamp: event.timestamp,
          type: `${event.state.type}StateExited`,
          detailsKey: 'stateExitedEventDetails',
          details: { name: event.state.name, output: JSON.stringify(event.state.output ?? null), outputDetails: { truncated: false } },
        });
        return;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        this.push({
          timestamp: event.timestamp,
          type: event.type,
          detailsKey: `mapIteration${event.type.slice('MapIteration'.length)}EventDetails`,
          details: { name: event.parentState.name, index: event.index },
        });
        return;
      default:
        // Execution-level events come from the service itself, so they agree with DescribeExecution.
        return;
    }
  }

  /**
   * Moves the oldest open attempt of `stateName` into the history; true when it recorded a failure. Each
   * StateFailed or StateExited the library reports ends exactly one attempt, and a retry may already have begun
   * the next one by the time the report arrives.
   */
  private flushAttempts(stateName: string): boolean {
    const list = this.attempts.get(stateName);
    const attempt = list?.shift();
    if (!attempt) return false;
    if (list!.length === 0) this.attempts.delete(stateName);
    attempt.open = false;
    for (const entry of attempt.entries) this.push(entry);
    return attempt.failed;
  }

  private pushTaskTimeout(stateName: string, timestamp: number, cause: string): void {
    const kind = this.tasks.get(stateName);
    if (kind?.type === 'lambda-function') {
      this.push({ timestamp, type: 'LambdaFunctionTimedOut', detailsKey: 'lambdaFunctionTimedOutEventDetails', details: { error: 'States.Timeout', cause } });
    } else {
      this.push({
        timestamp,
        type: 'TaskTimedOut',
        detailsKey: 'taskTimedOutEventDetails',
        details: { resourceType: 'lambda', resource: 'invoke', error: 'States.Timeout', cause },
      });
    }
  }

  all(): readonly HistoryEntry[] {
    return this.entries;
  }
}

/** The wire form of history entries: ids from 1, timestamps in epoch seconds (the JSON protocol's format). */
export function toHistoryEvents(entries: readonly HistoryEntry[], includeExecutionData: boolean): Array<Record<string, unknown>> {
  return entries.map((entry, index) => {
    const event: Record<string, unknown> = { timestamp: entry.timestamp / 1000, type: entry.type, id: index + 1, previousEventId: index };
    if (entry.detailsKey) {
      const details = includeExecutionData ? entry.details ?? {} : Object.fromEntries(Object.entries(entry.details ?? {}).filter(([key]) => !DATA_MEMBERS.has(key)));
      event[entry.detailsKey] = details;
    }
    return event;
  });
}
