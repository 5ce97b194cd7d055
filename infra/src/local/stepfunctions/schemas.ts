// Request shapes of the Step Functions operations we serve, with the member constraints of the API reference.
// A violation becomes the service's ValidationException ("N validation error(s) detected: ..."). Values are not
// echoed back: execution input is customer data.
import { z } from 'zod';
import { awsInputParser, memberInteger, memberLength } from '../aws-json.js';

const arn = memberLength(1, 256);
const nextToken = memberLength(1, 3096);
const pageSize = memberInteger(0, 1000);

export const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export const StartExecutionInput = z.object({
  stateMachineArn: arn,
  name: memberLength(1, 80).optional(),
  input: z.string().optional(),
  traceHeader: memberLength(0, 256).optional(),
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
  error: memberLength(0, 256).optional(),
  cause: memberLength(0, 32768).optional(),
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

export const parseInput = awsInputParser({ errorType: 'ValidationException' });
