import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalStepFunctions, type LambdaTaskHandler, type StepFunctionsServiceOptions } from '../../../src/local/stepfunctions/service.js';

export { failure } from '../../helpers/aws-test-server.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';

export function machineArn(name: string): string {
  return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
}

export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stacklens-sfn-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A Lambda invoke task calling `functionName` with the whole state input as its event. */
export function lambdaTask(functionName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: functionName, 'Payload.$': '$' }, ...extra };
}

export function newService(
  stateDir: string,
  stateMachines: StepFunctionsServiceOptions['stateMachines'],
  lambdaHandlers: Record<string, LambdaTaskHandler>,
  extra: Partial<StepFunctionsServiceOptions> = {},
): LocalStepFunctions {
  return new LocalStepFunctions({ stateMachines, lambdaHandlers, stateDir, region: REGION, accountId: ACCOUNT, waitTimeScale: 0, ...extra });
}

export class NamedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** A promise the test settles by hand, to hold a task in flight. */
export function deferred<T = unknown>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves once `predicate` holds; polls because the service exposes no event for "a task has been called". */
export async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 2_000; attempt += 1) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`gave up waiting for ${what}`);
}

export interface Described {
  status: string;
  output?: string;
  error?: string;
  cause?: string;
  input?: string;
  startDate: number;
  stopDate?: number;
  name: string;
  executionArn: string;
}

export async function describeExecution(svc: LocalStepFunctions, executionArn: string): Promise<Described> {
  return (await svc.handle('DescribeExecution', { executionArn })) as Described;
}

export async function start(svc: LocalStepFunctions, machine: string, input: unknown, name?: string): Promise<{ executionArn: string; startDate: number }> {
  return (await svc.handle('StartExecution', {
    stateMachineArn: machineArn(machine),
    input: JSON.stringify(input),
    ...(name === undefined ? {} : { name }),
  })) as { executionArn: string; startDate: number };
}
