// What the local AWS JSON-protocol emulators (CloudWatch Logs, Secrets Manager, Step Functions) have in common:
// the request adapter the edge server hands `X-Amz-Target` operations to, and the zod input parsing that turns a
// constraint violation into the service's own "N validation errors detected: ..." error. Answers and errors go
// back the way the SDK clients expect them, so they raise their own exception classes.
import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import { z } from 'zod';
import { AwsServiceError } from './aws-error.js';

export type AwsJsonContentType = 'application/x-amz-json-1.0' | 'application/x-amz-json-1.1';

export interface AwsJsonService {
  handle(operation: string, input: unknown): Promise<unknown>;
}

export interface AwsJsonProtocol {
  readonly contentType: AwsJsonContentType;
  readonly maxRequestBytes: number;
  /** Prefixes what a fault logs, e.g. `stepfunctions`. */
  readonly logName: string;
  /** Ends the 500 answer's message: `The local <serviceTitle> failed to process <Operation>`. */
  readonly serviceTitle: string;
  /** The `__type` the real service answers an internal fault with. */
  readonly faultType: string;
  /** Where request bodies carry secrets, a fault logs only the error's kind: its message could quote the request. */
  readonly logFaultKindOnly?: boolean;
}

export type AwsJsonHandler<S extends AwsJsonService> = (svc: S, operation: string, body: Buffer, res: http.ServerResponse) => Promise<void>;

export function awsJsonHandler<S extends AwsJsonService>(protocol: AwsJsonProtocol): AwsJsonHandler<S> {
  const send = (res: http.ServerResponse, status: number, body: unknown) => writeAwsJson(res, status, body, protocol.contentType);
  return async (svc, operation, body, res) => {
    if (body.length > protocol.maxRequestBytes) {
      send(res, 413, {
        __type: 'RequestEntityTooLargeException',
        message: `Request body of ${body.length} bytes exceeds the ${protocol.maxRequestBytes}-byte limit`,
      });
      return;
    }
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      send(res, 400, { __type: 'SerializationException', message: 'The request body is not valid JSON' });
      return;
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      send(res, 400, { __type: 'SerializationException', message: 'The request body must be a JSON object' });
      return;
    }
    try {
      send(res, 200, await svc.handle(operation, input));
    } catch (err) {
      if (err instanceof AwsServiceError) {
        send(res, err.statusCode, { __type: err.type, message: err.message });
        return;
      }
      // An emulator bug must answer like a service fault, not take the edge down.
      if (protocol.logFaultKindOnly) console.error(`${protocol.logName}: ${operation} failed with ${err instanceof Error ? err.name : typeof err}`);
      else console.error(`${protocol.logName}: ${operation} failed`, err);
      send(res, 500, { __type: protocol.faultType, message: `The local ${protocol.serviceTitle} failed to process ${operation}` });
    }
  };
}

export function writeAwsJson(res: http.ServerResponse, status: number, body: unknown, contentType: AwsJsonContentType): void {
  const payload = Buffer.from(JSON.stringify(body ?? {}), 'utf8');
  const headers: http.OutgoingHttpHeaders = { 'content-type': contentType, 'content-length': payload.length, 'x-amzn-requestid': randomUUID() };
  const type = (body as { __type?: unknown } | null)?.__type;
  // The SDK reads the error code from this header before it looks at the body.
  if (status >= 400 && typeof type === 'string') headers['x-amzn-errortype'] = type;
  res.writeHead(status, headers);
  res.end(payload);
}

export interface AwsInputRules {
  /** InvalidParameterException or ValidationException, as the service names it. */
  readonly errorType: string;
  /** Quote short offending values in the message, as CloudWatch Logs does; never where a value could be customer data. */
  readonly echoValues?: boolean;
}

export type AwsInputParser = <T>(schema: z.ZodType<T>, input: unknown) => T;

export function awsInputParser(rules: AwsInputRules): AwsInputParser {
  return (schema, input) => {
    const result = schema.safeParse(input ?? {});
    if (result.success) return result.data;
    const issues = result.error.issues;
    const described = issues.slice(0, 10).map((issue) => {
      const path = issue.path.map(String).join('.');
      const value = valueAt(input, issue.path);
      if (value == null) return `Value null at '${path}' failed to satisfy constraint: Member must not be null`;
      return `Value ${rules.echoValues ? quoted(value) : ''}at '${path}' failed to satisfy constraint: ${issue.message}`;
    });
    const count = `${issues.length} validation error${issues.length === 1 ? '' : 's'} detected`;
    throw new AwsServiceError(rules.errorType, `${count}: ${described.join('; ')}`);
  };
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function quoted(value: unknown): string {
  if (typeof value === 'string') return value.length <= 100 ? `'${value}' ` : '';
  if (typeof value === 'number' || typeof value === 'boolean') return `'${String(value)}' `;
  return '';
}

/** A string member with the API reference's length constraint, worded the way the services word it. */
export function memberLength(min: number, max: number): z.ZodString {
  return z.string().min(min, `Member must have length greater than or equal to ${min}`).max(max, `Member must have length less than or equal to ${max}`);
}

/** An integer member with the API reference's range constraint, worded the way the services word it. */
export function memberInteger(min: number, max?: number): z.ZodNumber {
  const atLeast = z.number().int('Member must be an integer').min(min, `Member must have value greater than or equal to ${min}`);
  return max === undefined ? atLeast : atLeast.max(max, `Member must have value less than or equal to ${max}`);
}
