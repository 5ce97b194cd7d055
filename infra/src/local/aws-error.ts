// The error family of the local AWS emulators. The edge server serialises an AwsServiceError the way the
// AWS JSON protocols do ({"__type": ..., "message": ...}), so the real SDK clients rebuild their own
// exception classes (ResourceNotFoundException, ...) from it.
import type * as http from 'node:http';
import { writeAwsJson } from './aws-json.js';

export class AwsServiceError extends Error {
  override readonly name = 'AwsServiceError';

  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

/** The JSON 1.1 answer most of the edge speaks (CloudWatch Logs, Secrets Manager, the edge's own errors). */
export function sendAwsJson(res: http.ServerResponse, status: number, body: unknown): void {
  writeAwsJson(res, status, body, 'application/x-amz-json-1.1');
}
