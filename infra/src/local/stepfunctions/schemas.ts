// Request shapes of the Step Functions operations we serve, with the member constraints of the API reference.
// A violation becomes the service's ValidationException ("N validation error(s) detected: ..."). Values are not
// echoed back: execution input is customer data.
import { z } from 'zod';
import { AwsServiceError } from '../aws-error.js';

const length = (min: number, max: number) =>
  z
    .string()
    .min(min, `Member must have length greater than or equal to ${min}`)
    .max(max, `Member must have length less than or equal to ${max}`);

const arn = length(1, 256);
const nextToken = length(1, 3096);
const pageSize = z
  .number()
  .int('Member must be an integer')
  .min(0, 'Member must have value greater than or equal to 0')
  .max(1000, 'Member must have value less than or equal to 1000');

export const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export const StartExecutionInput = z.object({
  stateMachineArn: arn,
  name: length(1, 80).optional(),
  input: z.string().optional(),
  traceHeader: length(0, 256).optional(),
});

export const DescribeExecutionInput = z.object({
  executionArn: arn,
  includedData: z.enum(['ALL_DATA', 'METADATA_ONLY']).optional(),
});

export const ListExecutionsInput = z.object({
  stateMachineArn: arn,
  // PENDING_REDRIVE is a valid filter; nothing here is ever redriven, so it simply matches nothing.
  statusFilter: z.enum([...EXECUTION_STATUSES, 'PENDING_REDRIVE']).optional(),
  maxResults: pageSize.optional(),
  nextToken: nextToken.optional(),
});

export const StopExecutionInput = z.object({
  executionArn: arn,
  error: length(0, 256).optional(),
  cause: length(0, 32768).optional(),
});

export const GetExecutionHistoryInput = z.object({
  executionArn: arn,
  maxResults: pageSize.optional(),
  reverseOrder: z.boolean().optional(),
  nextToken: nextToken.optional(),
  includeExecutionData: z.boolean().optional(),
});

export const ListStateMachinesInput = z.object({
  maxResults: pageSize.optional(),
  nextToken: nextToken.optional(),
});

export const DescribeStateMachineInput = z.object({
  stateMachineArn: arn,
  includedData: z.enum(['ALL_DATA', 'METADATA_ONLY']).optional(),
});

export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues;
  const described = issues.slice(0, 10).map((issue) => {
    const path = issue.path.map(String).join('.');
    if (valueAt(input, issue.path) == null) return `Value null at '${path}' failed to satisfy constraint: Member must not be null`;
    return `Value at '${path}' failed to satisfy constraint: ${issue.message}`;
  });
  const count = `${issues.length} validation error${issues.length === 1 ? '' : 's'} detected`;
  throw new AwsServiceError('ValidationException', `${count}: ${described.join('; ')}`);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
