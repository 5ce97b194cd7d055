// The AWS JSON 1.1 face of LocalSecretsManager: the edge server hands over the operation named by
// `X-Amz-Target: secretsmanager.<Operation>` and the raw body; answers and errors go back the way
// @aws-sdk/client-secrets-manager expects them, so it raises its own exception classes. Request bodies may hold
// secret values: nothing here logs them.
import type * as http from 'node:http';
import { AwsServiceError, sendAwsJson } from '../aws-error.js';
import type { LocalSecretsManager } from './service.js';

export const SECRETS_MANAGER_TARGET_PREFIX = 'secretsmanager.';
/** A secret value is at most 64 KiB; JSON escaping (\uXXXX) can multiply that by six. */
export const MAX_SECRETS_MANAGER_REQUEST_BYTES = 1024 * 1024;

export async function handleSecretsManagerRequest(svc: LocalSecretsManager, operation: string, body: Buffer, res: http.ServerResponse): Promise<void> {
  if (body.length > MAX_SECRETS_MANAGER_REQUEST_BYTES) {
    sendAwsJson(res, 413, { __type: 'RequestEntityTooLargeException', message: `Request body of ${body.length} bytes exceeds the ${MAX_SECRETS_MANAGER_REQUEST_BYTES}-byte limit` });
    return;
  }
  let input: unknown;
  try {
    input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    sendAwsJson(res, 400, { __type: 'SerializationException', message: 'The request body is not valid JSON' });
    return;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    sendAwsJson(res, 400, { __type: 'SerializationException', message: 'The request body must be a JSON object' });
    return;
  }
  try {
    sendAwsJson(res, 200, await svc.handle(operation, input));
  } catch (err) {
    if (err instanceof AwsServiceError) {
      sendAwsJson(res, err.statusCode, { __type: err.type, message: err.message });
      return;
    }
    // An emulator bug must answer like a service fault, not take the edge down. Only the error's kind is logged:
    // its message could quote the request.
    console.error(`secretsmanager: ${operation} failed with ${err instanceof Error ? err.name : typeof err}`);
    sendAwsJson(res, 500, { __type: 'InternalServiceError', message: `The local Secrets Manager failed to process ${operation}` });
  }
}
