import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LambdaHandler = (event: any, context: Context) => Promise<any>;

/**
 * Invokes a handler the way the Lambda runtime would: a fresh request id, a context with a deadline, and the event
 * and result passed through JSON so no handler can depend on sharing live objects with its caller.
 */
const running = new Set<Promise<unknown>>();

/**
 * Resolves once every invocation running now has finished (or `timeoutMs` passed). The runtime waits on this before it
 * closes dynalite, so no handler is left writing to a closed database on shutdown.
 */
export async function settleInvocations(timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled([...running]), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}

export function invokeLocal<T = unknown>(functionName: string, handler: LambdaHandler, event: unknown, timeoutMs = 30_000): Promise<T> {
  const invocation = invoke<T>(functionName, handler, event, timeoutMs);
  running.add(invocation);
  void invocation.then(
    () => running.delete(invocation),
    () => running.delete(invocation),
  );
  return invocation;
}

async function invoke<T>(functionName: string, handler: LambdaHandler, event: unknown, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const context: Context = {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`Task timed out after ${timeoutMs / 1000} seconds`), { name: 'Lambda.Timeout' })), timeoutMs);
    timer.unref();
  });
  try {
    const result: unknown = await Promise.race([handler(JSON.parse(JSON.stringify(event)) as unknown, context), timeout]);
    return (result === undefined ? undefined : JSON.parse(JSON.stringify(result))) as T;
  } finally {
    clearTimeout(timer);
  }
}
