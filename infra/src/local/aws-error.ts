// The error family of the local AWS emulators. The edge server serialises an AwsServiceError the way the
// AWS JSON protocols do ({"__type": ..., "message": ...}), so the real SDK clients rebuild their own
// exception classes (ResourceNotFoundException, ...) from it.
import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';

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

const AWS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

export function sendAwsJson(res: http.ServerResponse, status: number, body: unknown): void {
  const payload = Buffer.from(JSON.stringify(body ?? {}), 'utf8');
  const headers: http.OutgoingHttpHeaders = {
    'content-type': AWS_JSON_CONTENT_TYPE,
    'content-length': payload.length,
    'x-amzn-requestid': randomUUID(),
  };
  // The SDK reads the error code from this header before it looks at the body.
  if (status >= 400 && isErrorBody(body)) headers['x-amzn-errortype'] = body.__type;
  res.writeHead(status, headers);
  res.end(payload);
}

function isErrorBody(body: unknown): body is { __type: string } {
  return typeof body === 'object' && body !== null && typeof (body as { __type?: unknown }).__type === 'string';
}
