// What the local Step Functions needs to know about an ASL definition before running it: which Task states call
// which Lambda functions (so a wiring mistake fails at start-up, not in the middle of an incident), and a copy
// the interpreter can run as AWS would (task timeouts), optionally with waits and retries sped up for tests.

export const LAMBDA_INVOKE_RESOURCE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_FUNCTION_ARN = /^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:[\w-]{1,64}(:[\w$-]{1,128})?$/;

export type TaskKind =
  /** The optimised integration: Parameters carry FunctionName and Payload, the result is `{ Payload, ... }`. */
  | { readonly type: 'lambda-invoke'; readonly resource: string; readonly staticFunctionName?: string }
  /** The legacy form naming the function in Resource: the state input is the event, the result is the function's. */
  | { readonly type: 'lambda-function'; readonly resource: string };

interface JsonObject {
  [key: string]: unknown;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every nested state list (Parallel branches, Map processors) in the definition, the top level first. */
function* stateLists(definition: JsonObject): Generator<JsonObject> {
  const states = definition['States'];
  if (!isObject(states)) return;
  yield states;
  for (const state of Object.values(states)) {
    if (!isObject(state)) continue;
    if (state['Type'] === 'Parallel' && Array.isArray(state['Branches'])) {
      for (const branch of state['Branches']) if (isObject(branch)) yield* stateLists(branch);
    }
    if (state['Type'] === 'Map') {
      const processor = state['ItemProcessor'] ?? state['Iterator'];
      if (isObject(processor)) yield* stateLists(processor);
    }
  }
}

/**
 * The Task states of a definition by name. aws-local-stepfunctions looks local task handlers up by state name
 * across all branches, so two Task states sharing a name must also share their resource.
 */
export function taskStates(machineName: string, definition: object): Map<string, TaskKind> {
  const tasks = new Map<string, TaskKind>();
  for (const states of stateLists(definition as JsonObject)) {
    for (const [stateName, state] of Object.entries(states)) {
      if (!isObject(state) || state['Type'] !== 'Task') continue;
      const kind = taskKind(machineName, stateName, state);
      const previous = tasks.get(stateName);
      if (previous && previous.resource !== kind.resource) {
        throw new Error(`state machine ${machineName}: two Task states are named "${stateName}" with different resources; local task handlers are matched by state name`);
      }
      tasks.set(stateName, kind);
    }
  }
  return tasks;
}

function taskKind(machineName: string, stateName: string, state: JsonObject): TaskKind {
  const resource = state['Resource'];
  if (resource === LAMBDA_INVOKE_RESOURCE) {
    const parameters = state['Parameters'];
    const functionName = isObject(parameters) ? parameters['FunctionName'] : undefined;
    if (isObject(parameters) && typeof parameters['FunctionName.$'] !== 'string' && typeof functionName !== 'string') {
      throw new Error(`state machine ${machineName}: Task state "${stateName}" calls ${LAMBDA_INVOKE_RESOURCE} without Parameters.FunctionName`);
    }
    return typeof functionName === 'string' ? { type: 'lambda-invoke', resource, staticFunctionName: functionName } : { type: 'lambda-invoke', resource };
  }
  if (typeof resource === 'string' && LAMBDA_FUNCTION_ARN.test(resource)) return { type: 'lambda-function', resource };
  throw new Error(
    `state machine ${machineName}: Task state "${stateName}" uses resource ${JSON.stringify(resource)}; ` +
      `the local Step Functions runs Lambda tasks only (${LAMBDA_INVOKE_RESOURCE} or a function ARN)`,
  );
}

/** The longest delay a Node timer can hold (about 24.8 days); longer ones would fire at once. */
export const MAX_TIMER_SECONDS = Math.floor(2 ** 31 / 1000) - 1;

/**
 * The copy of a definition the interpreter runs:
 * - Task states without TimeoutSeconds get the longest timer Node allows. AWS's default is 99,999,999 s (in
 *   effect none: the Lambda's own timeout applies), but aws-local-stepfunctions would give up after 60 s, which
 *   would cut short a handler working through its own retry budget. Longer explicit timeouts are clamped to it.
 * - With `scale` ≠ 1, Wait `Seconds`, Retry `IntervalSeconds` and `MaxDelaySeconds` are multiplied by it.
 *   Scaling the definition (rather than the library's fixed per-state overrides) keeps BackoffRate and jitter
 *   behaving as written. Waits given by SecondsPath, Timestamp or TimestampPath run in real time.
 */
export function runtimeDefinition<T extends object>(definition: T, scale: number): T {
  // A JSON copy, not structuredClone: the library tells objects from other values by their prototype, and a
  // structured clone made in another realm (a test VM context) would not pass that check.
  const copy = JSON.parse(JSON.stringify(definition)) as T;
  const top = copy as JsonObject;
  if (typeof top['TimeoutSeconds'] === 'number') top['TimeoutSeconds'] = Math.min(top['TimeoutSeconds'], MAX_TIMER_SECONDS);
  for (const states of stateLists(top)) {
    for (const state of Object.values(states)) {
      if (!isObject(state)) continue;
      if (state['Type'] === 'Task' && state['TimeoutSecondsPath'] === undefined) {
        state['TimeoutSeconds'] = Math.min(typeof state['TimeoutSeconds'] === 'number' ? state['TimeoutSeconds'] : MAX_TIMER_SECONDS, MAX_TIMER_SECONDS);
      }
      if (scale === 1) continue;
      if (state['Type'] === 'Wait' && typeof state['Seconds'] === 'number') state['Seconds'] = state['Seconds'] * scale;
      if (!Array.isArray(state['Retry'])) continue;
      for (const retrier of state['Retry']) {
        if (!isObject(retrier)) continue;
        retrier['IntervalSeconds'] = (typeof retrier['IntervalSeconds'] === 'number' ? retrier['IntervalSeconds'] : 1) * scale;
        if (typeof retrier['MaxDelaySeconds'] === 'number') retrier['MaxDelaySeconds'] = retrier['MaxDelaySeconds'] * scale;
      }
    }
  }
  return copy;
}

/** The function name inside a Lambda ARN (`arn:aws:lambda:region:account:function:name[:qualifier]`), else the input. */
export function functionNameOf(reference: string): string {
  const match = /^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:([\w-]+)(?::[\w$-]+)?$/.exec(reference);
  return match?.[1] ?? reference;
}
