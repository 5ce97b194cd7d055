import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { StackLensError, ValidationError, type ErrorCode } from '../domain/errors.js';
import { logger } from './logger.js';

/** The single place where error codes become HTTP statuses. */
const STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  BAD_EVENT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  DEPENDENCY_FAILED: 502,
  INTERNAL: 500,
};

const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: HEADERS, body: JSON.stringify(body) };
}

export function errorResponse(error: unknown, requestId: string): APIGatewayProxyStructuredResultV2 {
  if (error instanceof StackLensError) {
    const body: Record<string, unknown> = { code: error.code, message: error.message };
    if (error.details !== undefined) body.details = error.details;
    return json(STATUS[error.code], { error: body });
  }
  logger.error('Unhandled error in API handler', { requestId, error: error as Error });
  return json(500, { error: { code: 'INTERNAL', message: `Something went wrong on our side; quote request id ${requestId} when reporting it` } });
}

/** Parses the JSON body of an HTTP API event and validates it; every failure is a 400 that names the field. */
export function parseBody<T>(event: APIGatewayProxyEventV2, schema: z.ZodType<T>): T {
  if (event.body === undefined || event.body === '') throw new ValidationError('A JSON request body is required');
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ValidationError('Request body is not valid JSON');
  }
  return validate(schema, value, 'body');
}

export function validate<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || where, message: issue.message }));
  throw new ValidationError(`Invalid ${where}: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, { fields });
}

export type ApiEvent = import('aws-lambda').APIGatewayProxyEventV2WithJWTAuthorizer;
export type ApiRoute = (event: ApiEvent) => Promise<APIGatewayProxyStructuredResultV2>;

/** Who is calling, from the authorizer's claims (local JWT or Cognito: `role` claim or `cognito:groups`). */
export function caller(event: ApiEvent): { subject: string; role: 'admin' | 'viewer' } {
  const claims = (event.requestContext?.authorizer?.jwt?.claims ?? {}) as Record<string, unknown>;
  const groups = String(claims['cognito:groups'] ?? '');
  const admin = claims.role === 'admin' || /\badmin\b/.test(groups);
  return { subject: String(claims.email ?? claims.sub ?? 'unknown'), role: admin ? 'admin' : 'viewer' };
}
