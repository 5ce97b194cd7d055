// The AWS JSON 1.1 face of LocalCloudWatchLogs: the edge server hands over the operation named by
// `X-Amz-Target: Logs_20140328.<Operation>` and the raw body; the answer or the error goes back the way the
// SDK expects it, so SDK clients raise their own exception classes.
import type * as http from 'node:http';
import { AwsServiceError, sendAwsJson } from '../aws-error.js';
import type { LocalCloudWatchLogs } from './service.js';

/** A full PutLogEvents batch is about 1 MB of messages; JSON escaping can multiply that, 5 MB cannot be a real client. */
export const MAX_LOGS_REQUEST_BYTES = 5 * 1024 * 1024;

export async function handleLogsRequest(svc: LocalCloudWatchLogs, operation: string, body: Buffer, res: http.ServerResponse): Promise<void> {
  if (body.length > MAX_LOGS_REQUEST_BYTES) {
    sendAwsJson(res, 413, {
      __type: 'RequestEntityTooLargeException',
      message: `Request body of ${body.length} bytes exceeds the ${MAX_LOGS_REQUEST_BYTES}-byte limit`,
    });
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
    // An emulator bug must answer like a service fault, not take the edge down.
    console.error(`cloudwatch-logs: ${operation} failed`, err);
    sendAwsJson(res, 500, { __type: 'ServiceUnavailableException', message: `The local CloudWatch Logs endpoint failed to process ${operation}` });
  }
}
