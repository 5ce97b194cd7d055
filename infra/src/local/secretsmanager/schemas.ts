// Request shapes of the Secrets Manager operations we serve, with the API reference's member constraints.
// A violation becomes InvalidParameterException naming the member and the constraint, never the value: it
// could be the secret.
import { z } from 'zod';
import { awsInputParser, memberInteger, memberLength } from '../aws-json.js';

export const MAX_SECRET_BYTES = 65_536;

const secretName = memberLength(1, 512).regex(/^[A-Za-z0-9/_+=.@-]+$/, 'Member must satisfy regular expression pattern: [\\w/+=.@-]+');
const secretId = memberLength(1, 2048);
const clientRequestToken = memberLength(32, 64);
const secretString = memberLength(1, MAX_SECRET_BYTES);
/** Blobs travel base64-encoded in the JSON protocol. */
const secretBinary = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Member must be base64-encoded binary data');
const versionStage = memberLength(1, 256);
const tags = z.array(z.object({ Key: memberLength(1, 128), Value: memberLength(0, 256) })).max(50, 'Member must have length less than or equal to 50');

export const CreateSecretInput = z.object({
  Name: secretName,
  ClientRequestToken: clientRequestToken.optional(),
  Description: memberLength(0, 2048).optional(),
  KmsKeyId: memberLength(0, 2048).optional(),
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
  VersionId: memberLength(32, 64).optional(),
  VersionStage: versionStage.optional(),
});

export const DescribeSecretInput = z.object({ SecretId: secretId });

export const ListSecretsInput = z.object({
  IncludePlannedDeletion: z.boolean().optional(),
  MaxResults: memberInteger(1, 100).optional(),
  NextToken: memberLength(1, 4096).optional(),
  Filters: z
    .array(
      z.object({
        Key: z.enum(['description', 'name', 'tag-key', 'tag-value', 'primary-region', 'owning-service', 'all']),
        Values: z.array(memberLength(1, 512)).min(1).max(10),
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

export const parseInput = awsInputParser({ errorType: 'InvalidParameterException' });
