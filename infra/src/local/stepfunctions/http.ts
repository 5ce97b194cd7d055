// The AWS JSON 1.0 face of LocalStepFunctions: the edge server hands over the operation named by
// `X-Amz-Target: AWSStepFunctions.<Operation>` and the raw body; answers and errors go back the way the SFN SDK
// client expects them, so it raises its own exception classes (ExecutionAlreadyExists, ...).
import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import { AwsServiceError } from '../aws-error.js';
import type { LocalStepFunctions } from './service.js';

export const STEP_FUNCTIONS_TARGET_PREFIX = 'AWSStepFunctions.';
/** Execution input is at most 256 KiB; JSON escaping inside the request can multiply that. */
export const MAX_STEP_FUNCTIONS_REQUEST_BYTES = 2 * 1024 * 1024;

export async function handleStepFunctionsRequest(svc: LocalStepFunctions, operation: string, body: Buffer, res: http.ServerResponse): Promise<void> {
  if (body.length > MAX_STEP_FUNCTIONS_REQUEST_BYTES) {
    sendAwsJson10(res, 413, { __type: 'RequestEntityTooLargeException', message: `Request body of ${body.length} bytes exceeds the ${MAX_STEP_FUNCTIONS_REQUEST_BYTES}-byte limit` });
    return;
  }
  let input: unknown;
  try {
    input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    sendAwsJson10(res, 400, { __type: 'SerializationException', message: 'The request body is not valid JSON' });
    return;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    sendAwsJson10(res, 400, { __type: 'SerializationException', message: 'The request body must be a JSON object' });
    return;
  }
  try {
    sendAwsJson10(res, 200, await svc.handle(operation, input));
  } catch (err) {
    if (err instanceof AwsServiceError) {
      sendAwsJson10(res, err.statusCode, { __type: err.type, message: err.message });
      return;
    }
    // An emulator bug must answer like a service fault, not take the edge down.
    console.error(`stepfunctions: ${operation} failed`, err);
    sendAwsJson10(res, 500, { __type: 'InternalFailure', message: `The local Step Functions failed to process ${operation}` });
  }
}

/** Like sendAwsJson, with the JSON 1.0 content type Step Functions answers with. */
function sendAwsJson10(res: http.ServerResponse, status: number, body: unknown): void {
  const payload = Buffer.from(JSON.stringify(body ?? {}), 'utf8');
  const headers: http.OutgoingHttpHeaders = {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': payload.length,
    'x-amzn-requestid': randomUUID(),
  };
  const type = (body as { __type?: unknown } | null)?.__type;
  // The SDK reads the error code from this header before it looks at the body.
  if (status >= 400 && typeof type === 'string') headers['x-amzn-errortype'] = type;
  res.writeHead(status, headers);
  res.end(payload);
}
