// The AWS JSON 1.1 face of LocalSecretsManager: the edge server hands over the operation named by
// `X-Amz-Target: secretsmanager.<Operation>` and the raw body. Request bodies may hold secret values: nothing
// here logs them.
import { awsJsonHandler } from '../aws-json.js';
import type { LocalSecretsManager } from './service.js';

export const SECRETS_MANAGER_TARGET_PREFIX = 'secretsmanager.';
/** A secret value is at most 64 KiB; JSON escaping (\uXXXX) can multiply that by six. */
export const MAX_SECRETS_MANAGER_REQUEST_BYTES = 1024 * 1024;

export const handleSecretsManagerRequest = awsJsonHandler<LocalSecretsManager>({
  contentType: 'application/x-amz-json-1.1',
  maxRequestBytes: MAX_SECRETS_MANAGER_REQUEST_BYTES,
  logName: 'secretsmanager',
  serviceTitle: 'Secrets Manager',
  faultType: 'InternalServiceError',
  logFaultKindOnly: true,
});
