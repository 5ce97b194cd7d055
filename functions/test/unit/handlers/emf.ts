import { jest } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { TABLE_ENV } from '../../../src/config.js';

/** One metric as CloudWatch would extract it from an EMF document. */
export interface EmittedMetric {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string;
  readonly value: unknown;
  readonly dimensions: Readonly<Record<string, string>>;
}

interface EmfDocument {
  readonly _aws: { readonly CloudWatchMetrics: ReadonlyArray<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  readonly [key: string]: unknown;
}

/** Runs `act` with stdout captured and returns every metric in the EMF documents written meanwhile; other lines are ignored. */
export async function emittedMetrics(act: () => unknown): Promise<EmittedMetric[]> {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  try {
    await act();
  } finally {
    spy.mockRestore();
  }
  const documents = written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{"_aws"'))
    .map((line) => JSON.parse(line) as EmfDocument);
  return documents.flatMap((doc) =>
    doc._aws.CloudWatchMetrics.flatMap((directive) =>
      directive.Metrics.map((metric) => ({
        namespace: directive.Namespace,
        name: metric.Name,
        unit: metric.Unit,
        value: doc[metric.Name],
        dimensions: Object.fromEntries((directive.Dimensions[0] ?? []).map((key) => [key, String(doc[key])])),
      })),
    ),
  );
}

/** The `name=value` of each metric plus its non-service dimensions, for compact assertions. */
export function summary(metrics: readonly EmittedMetric[]): string[] {
  return metrics.map(({ name, value, dimensions }) => {
    const extra = Object.entries(dimensions).filter(([key]) => key !== 'service');
    return `${name}${extra.length > 0 ? `{${extra.map(([k, v]) => `${k}=${v}`).join(',')}}` : ''}=${String(value)}`;
  });
}

export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/26/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The variables Lambda sets that Powertools reads when its instances are built (cold start detection needs the first). */
export const LAMBDA_LIKE_ENV = {
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  POWERTOOLS_METRICS_NAMESPACE: 'StackLensTest',
  // Force metrics on even if the developer's shell has POWERTOOLS_DEV set, which would switch them off.
  POWERTOOLS_METRICS_DISABLED: 'false',
  AWS_REGION: 'eu-west-1',
  WS_MANAGEMENT_ENDPOINT: 'https://ws.example.com/dev',
  // Every table named after its id, as configFromEnv requires.
  ...Object.fromEntries(Object.entries(TABLE_ENV).map(([id, variable]) => [variable, id])),
} as const;

/** Sets variables for one test file and returns how to put the previous values back. */
export function withEnv(vars: Readonly<Record<string, string>>): () => void {
  const previous = Object.fromEntries(Object.keys(vars).map((key) => [key, process.env[key]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}
