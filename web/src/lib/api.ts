import { auth } from './auth.js';

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** A failed API call, with what a page needs to explain it: the HTTP status, the API's code and per-field messages. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: readonly FieldError[] = [],
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Turns any error body the API or the gateway sends into an ApiError (`{ error: {...} }` or `{ message }`). */
export function apiErrorFrom(status: number, body: unknown): ApiError {
  const fallback = status === 0 ? 'The server could not be reached' : `The server answered ${status}`;
  if (typeof body !== 'object' || body === null) return new ApiError(status, codeForStatus(status), fallback);
  const record = body as Record<string, unknown>;
  const error = record.error;
  if (typeof error === 'object' && error !== null) {
    const e = error as Record<string, unknown>;
    const details = (typeof e.details === 'object' && e.details !== null ? e.details : {}) as Record<string, unknown>;
    const fields = Array.isArray(details.fields)
      ? details.fields.flatMap((f: unknown) => {
          if (typeof f !== 'object' || f === null) return [];
          const { field, message } = f as Record<string, unknown>;
          return typeof field === 'string' && typeof message === 'string' ? [{ field, message }] : [];
        })
      : [];
    return new ApiError(
      status,
      typeof e.code === 'string' ? e.code : codeForStatus(status),
      typeof e.message === 'string' ? e.message : fallback,
      fields,
      typeof details.reason === 'string' ? details.reason : undefined,
    );
  }
  return new ApiError(status, codeForStatus(status), typeof record.message === 'string' ? record.message : fallback);
}

function codeForStatus(status: number): string {
  if (status === 0) return 'NETWORK';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  return status >= 500 ? 'INTERNAL' : 'BAD_REQUEST';
}

let baseUrl = '/api';

export function configureApi(apiBaseUrl: string): void {
  baseUrl = apiBaseUrl.replace(/\/+$/, '');
}

export interface RequestOptions {
  readonly signal?: AbortSignal;
  /** Sign-in itself: a 401 there means a wrong password, not an expired session. */
  readonly anonymous?: boolean;
}

/**
 * Calls the API at `path` (relative to apiBaseUrl, e.g. `/incidents`). A 401 on a signed-in call is retried once if
 * the session could be renewed (Cognito refresh token), and otherwise ends the session. Repeating a write is safe: a
 * 401 comes from the authorizer, before any handler ran.
 */
export async function request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}, retried = false): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = auth.snapshot.session?.token;
  if (token && !options.anonymous) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw apiErrorFrom(0, undefined);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (res.status === 401 && !options.anonymous) {
    // Another request may have renewed the token while this one was out; then just repeat it with the new one.
    const current = auth.snapshot.session?.token;
    if (!retried && token && ((current !== undefined && current !== token) || (await auth.renew()))) return request<T>(method, path, body, options, true);
    auth.expire();
  }
  if (!res.ok) throw apiErrorFrom(res.status, parsed);
  return parsed as T;
}

export const api = {
  get: <T>(path: string, options?: RequestOptions) => request<T>('GET', path, undefined, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, body, options),
  put: <T>(path: string, body: unknown, options?: RequestOptions) => request<T>('PUT', path, body, options),
  patch: <T>(path: string, body: unknown, options?: RequestOptions) => request<T>('PATCH', path, body, options),
};

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 403) return 'Your role does not allow this. Ask an admin.';
    if (error.status === 404 && error.code === 'NOT_FOUND' && /Not Found/.test(error.message)) return 'This server does not offer this yet.';
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
