// Request shapes and member constraints of the CloudWatch Logs operations we serve, as the API reference
// states them. A violation becomes the service's own error: InvalidParameterException with an
// "N validation error(s) detected: Value ... at '...' failed to satisfy constraint: ..." message.
import { z } from 'zod';
import { AwsServiceError } from '../aws-error.js';
import { MAX_FILTER_PATTERN_LENGTH } from './filter-pattern.js';

export const MAX_EVENTS_PER_PUT = 10_000;

const length = (min: number, max: number) =>
  z
    .string()
    .min(min, `Member must have length greater than or equal to ${min}`)
    .max(max, `Member must have length less than or equal to ${max}`);

const logGroupName = length(1, 512).regex(/^[.\-_/#A-Za-z0-9]+$/, 'Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+');
const logStreamName = length(1, 512).regex(/^[^:*]*$/, 'Member must satisfy regular expression pattern: [^:*]*');
const filterName = logStreamName;
const logGroupIdentifier = length(1, 2048).regex(/^[\w#+=/:,.@-]*$/, 'Member must satisfy regular expression pattern: [\\w#+=/:,.@-]*');
const nextToken = z.string().min(1, 'Member must have length greater than or equal to 1');
const timestamp = z.number().int('Member must be an integer').min(0, 'Member must have value greater than or equal to 0');
const pageLimit = (max: number) =>
  z
    .number()
    .int('Member must be an integer')
    .min(1, 'Member must have value greater than or equal to 1')
    .max(max, `Member must have value less than or equal to ${max}`);
const filterPattern = z.string().max(MAX_FILTER_PATTERN_LENGTH, `Member must have length less than or equal to ${MAX_FILTER_PATTERN_LENGTH}`);

export const CreateLogGroupInput = z.object({
  logGroupName,
  kmsKeyId: z.string().max(256).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  logGroupClass: z.enum(['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY']).optional(),
});

export const DescribeLogGroupsInput = z.object({
  logGroupNamePrefix: logGroupName.optional(),
  logGroupNamePattern: length(0, 512).optional(),
  nextToken: nextToken.optional(),
  limit: pageLimit(50).optional(),
});

export const CreateLogStreamInput = z.object({ logGroupName, logStreamName });

/** Operations that name a group by `logGroupName` or by `logGroupIdentifier` (a name or an ARN). */
const groupReference = { logGroupName: logGroupName.optional(), logGroupIdentifier: logGroupIdentifier.optional() };

export const DescribeLogStreamsInput = z.object({
  ...groupReference,
  logStreamNamePrefix: logStreamName.optional(),
  orderBy: z.enum(['LogStreamName', 'LastEventTime']).optional(),
  descending: z.boolean().optional(),
  nextToken: nextToken.optional(),
  limit: pageLimit(50).optional(),
});

export const PutLogEventsInput = z.object({
  logGroupName,
  logStreamName,
  logEvents: z
    .array(z.object({ timestamp, message: z.string().min(1, 'Member must have length greater than or equal to 1') }))
    .min(1, 'Member must have length greater than or equal to 1')
    .max(MAX_EVENTS_PER_PUT, `Member must have length less than or equal to ${MAX_EVENTS_PER_PUT}`),
  sequenceToken: z.string().optional(),
  entity: z.unknown().optional(),
});

export const GetLogEventsInput = z.object({
  ...groupReference,
  logStreamName,
  startTime: timestamp.optional(),
  endTime: timestamp.optional(),
  nextToken: nextToken.optional(),
  limit: pageLimit(10_000).optional(),
  startFromHead: z.boolean().optional(),
  unmask: z.boolean().optional(),
});

export const FilterLogEventsInput = z.object({
  ...groupReference,
  logStreamNames: z
    .array(logStreamName)
    .min(1, 'Member must have length greater than or equal to 1')
    .max(100, 'Member must have length less than or equal to 100')
    .optional(),
  logStreamNamePrefix: logStreamName.optional(),
  startTime: timestamp.optional(),
  endTime: timestamp.optional(),
  filterPattern: filterPattern.optional(),
  nextToken: nextToken.optional(),
  limit: pageLimit(10_000).optional(),
  interleaved: z.boolean().optional(),
  unmask: z.boolean().optional(),
});

export const PutSubscriptionFilterInput = z.object({
  logGroupName,
  filterName,
  filterPattern,
  destinationArn: z.string().min(1, 'Member must have length greater than or equal to 1'),
  roleArn: z.string().min(1).optional(),
  distribution: z.enum(['Random', 'ByLogStream']).optional(),
  applyOnTransformedLogs: z.boolean().optional(),
  fieldSelectionCriteria: z.string().optional(),
  emitSystemFields: z.array(z.string()).optional(),
});

export const DescribeSubscriptionFiltersInput = z.object({
  logGroupName,
  filterNamePrefix: filterName.optional(),
  nextToken: nextToken.optional(),
  limit: pageLimit(50).optional(),
});

export const DeleteSubscriptionFilterInput = z.object({ logGroupName, filterName });

export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues;
  const described = issues.slice(0, 10).map((issue) => {
    const path = issue.path.map(String).join('.');
    const value = valueAt(input, issue.path);
    if (value === undefined || value === null) return `Value null at '${path}' failed to satisfy constraint: Member must not be null`;
    return `Value ${describeValue(value)}at '${path}' failed to satisfy constraint: ${issue.message}`;
  });
  const count = `${issues.length} validation error${issues.length === 1 ? '' : 's'} detected`;
  throw new AwsServiceError('InvalidParameterException', `${count}: ${described.join('; ')}`);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return value.length <= 100 ? `'${value}' ` : '';
  if (typeof value === 'number' || typeof value === 'boolean') return `'${String(value)}' `;
  return '';
}
