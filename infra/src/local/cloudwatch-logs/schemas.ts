// Request shapes and member constraints of the CloudWatch Logs operations we serve, as the API reference
// states them. A violation becomes the service's own error: InvalidParameterException with an
// "N validation error(s) detected: Value ... at '...' failed to satisfy constraint: ..." message.
import { z } from 'zod';
import { awsInputParser, memberInteger, memberLength } from '../aws-json.js';
import { MAX_FILTER_PATTERN_LENGTH } from './filter-pattern.js';

export const MAX_EVENTS_PER_PUT = 10_000;

const logGroupName = memberLength(1, 512).regex(/^[.\-_/#A-Za-z0-9]+$/, 'Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+');
const logStreamName = memberLength(1, 512).regex(/^[^:*]*$/, 'Member must satisfy regular expression pattern: [^:*]*');
const filterName = logStreamName;
const logGroupIdentifier = memberLength(1, 2048).regex(/^[\w#+=/:,.@-]*$/, 'Member must satisfy regular expression pattern: [\\w#+=/:,.@-]*');
const nextToken = z.string().min(1, 'Member must have length greater than or equal to 1');
const timestamp = memberInteger(0);
const pageLimit = (max: number) => memberInteger(1, max);
const filterPattern = z.string().max(MAX_FILTER_PATTERN_LENGTH, `Member must have length less than or equal to ${MAX_FILTER_PATTERN_LENGTH}`);

export const CreateLogGroupInput = z.object({
  logGroupName,
  kmsKeyId: z.string().max(256).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  logGroupClass: z.enum(['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY']).optional(),
});

export const DescribeLogGroupsInput = z.object({
  logGroupNamePrefix: logGroupName.optional(),
  logGroupNamePattern: memberLength(0, 512).optional(),
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

export const parseInput = awsInputParser({ errorType: 'InvalidParameterException', echoValues: true });
