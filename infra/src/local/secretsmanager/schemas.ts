// Request shapes of the Secrets Manager operations we serve, with the API reference's member constraints.
// A violation becomes InvalidParameterException naming the member and the constraint, never the value: it
// could be the secret.
import { z } from 'zod';
import { AwsServiceError } from '../aws-error.js';

const length = (min: number, max: number) =>
  z
    .string()
    .min(min, `Member must have length greater than or equal to ${min}`)
    .max(max, `Member must have length less than or equal to ${max}`);

export const MAX_SECRET_BYTES = 65_536;

const secretName = length(1, 512).regex(/^[A-Za-z0-9/_+=.@-]+$/, 'Member must satisfy regular expression pattern: [\\w/+=.@-]+');
const secretId = length(1, 2048);
const clientRequestToken = length(32, 64);
const secretString = length(1, MAX_SECRET_BYTES);
/** Blobs travel base64-encoded in the JSON protocol. */
const secretBinary = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Member must be base64-encoded binary data');
const versionStage = length(1, 256);
const tags = z.array(z.object({ Key: length(1, 128), Value: length(0, 256) })).max(50, 'Member must have length less than or equal to 50');

export const CreateSecretInput = z.object({
  Name: secretName,
  ClientRequestToken: clientRequestToken.optional(),
  Description: length(0, 2048).optional(),
  KmsKeyId: length(0, 2048).optional(),
  SecretString: secretString.optional(),
  SecretBinary: secretBinary.optional(),
  Tags: tags.optional(),
});

export const PutSecretValueInput = z.object({
  SecretId: secretId,
  ClientRequestToken: clientRequestToken.optional(),
  SecretString: secretString.optional(),
  SecretBinary: secretBinary.optional(),
  VersionStages: z.array(versionStage).min(1, 'Member must have length greater than or equal to 1').max(20, 'Member must have length less than or equal to 20').optional(),
});

export const GetSecretValueInput = z.object({
  SecretId: secretId,
  VersionId: length(32, 64).optional(),
  VersionStage: versionStage.optional(),
});

export const DescribeSecretInput = z.object({ SecretId: secretId });

export const ListSecretsInput = z.object({
  IncludePlannedDeletion: z.boolean().optional(),
  MaxResults: z.number().int('Member must be an integer').min(1, 'Member must have value greater than or equal to 1').max(100, 'Member must have value less than or equal to 100').optional(),
  NextToken: length(1, 4096).optional(),
  Filters: z
    .array(
      z.object({
        Key: z.enum(['description', 'name', 'tag-key', 'tag-value', 'primary-region', 'owning-service', 'all']),
        Values: z.array(length(1, 512)).min(1).max(10),
      }),
    )
    .max(10)
    .optional(),
  SortOrder: z.enum(['asc', 'desc']).optional(),
});

export const DeleteSecretInput = z.object({
  SecretId: secretId,
  RecoveryWindowInDays: z.number().int('Member must be an integer').optional(),
  ForceDeleteWithoutRecovery: z.boolean().optional(),
});

export const RestoreSecretInput = z.object({ SecretId: secretId });

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
