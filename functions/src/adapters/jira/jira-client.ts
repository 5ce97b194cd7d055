// Jira Cloud REST v3 client for the few endpoints StackLens uses.
//
// Built on Node's own fetch (Node 20 locally, 22 in Lambda) with AbortSignal.timeout rather than axios or jira.js:
// six endpoints do not justify a dependency in every Lambda bundle, and fetch gives us full control over what an
// error carries (never the token, never the Authorization header).
//
// The client does not retry. Retrying a create is only safe after reconciling by label, which is the workflow's job;
// the client says whether an error is worth retrying (`retryable`) and how long Jira asked us to wait.

import { z } from 'zod';
import { StackLensError } from '../../domain/errors.js';
import type { AdfDoc } from '../../domain/jira/adf.js';
import type { IssueFields } from '../../domain/jira/issue-content.js';
import { labelSearchJql } from '../../domain/jira/jql.js';
import type { JiraSettings } from '../../domain/jira/settings.js';

export { parseAllowHosts, validateJiraBaseUrl, type BaseUrlCheck } from '../../domain/jira/base-url.js';

export type JiraErrorKind = 'auth' | 'forbidden' | 'not_found' | 'invalid' | 'rate_limited' | 'unavailable' | 'timeout' | 'network';

const RETRYABLE_KINDS: ReadonlySet<JiraErrorKind> = new Set(['rate_limited', 'unavailable', 'timeout', 'network']);

/**
 * Every failure of a Jira call. `timeout` is ambiguous: the request was sent and Jira may have acted on it (created
 * the issue), so a caller reconciles by label before it creates again.
 */
export class JiraError extends StackLensError {
  override readonly name = 'JiraError';
  readonly kind: JiraErrorKind;
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  readonly retryable: boolean;
  /** Jira's own words: `errorMessages` followed by `field: message` for each entry of `errors` */
  readonly messages: string[];
  readonly method: string;
  readonly path: string;

  constructor(init: {
    kind: JiraErrorKind;
    message: string;
    method: string;
    path: string;
    status?: number;
    retryAfterSeconds?: number;
    messages?: string[];
    retryable?: boolean;
  }) {
    super('DEPENDENCY_FAILED', init.message);
    this.kind = init.kind;
    this.method = init.method;
    this.path = init.path;
    if (init.status !== undefined) this.status = init.status;
    if (init.retryAfterSeconds !== undefined) this.retryAfterSeconds = init.retryAfterSeconds;
    this.retryable = init.retryable ?? RETRYABLE_KINDS.has(init.kind);
    this.messages = init.messages ?? [];
  }

  /** What a log line or an API answer may show: everything here was built from redacted text. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      kind: this.kind,
      message: this.message,
      method: this.method,
      path: this.path,
      status: this.status,
      retryAfterSeconds: this.retryAfterSeconds,
      retryable: this.retryable,
      messages: this.messages,
    };
  }
}

export interface JiraClientOptions {
  /** already validated with validateJiraBaseUrl */
  readonly baseUrl: string;
  readonly email: string;
  /**
   * Read on every call, so a rotated token is used at once (put a short cache behind it, not in front of the client).
   * Its own failure (e.g. Secrets Manager unreachable) propagates as it is: it is not a Jira error.
   */
  readonly apiToken: () => Promise<string>;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  /** clock for Retry-After HTTP-dates */
  readonly now?: () => number;
}

export interface JiraUser {
  readonly accountId: string;
  readonly displayName: string;
  readonly emailAddress?: string;
}
export interface JiraProject {
  readonly id: string;
  readonly key: string;
  readonly name: string;
}
export interface JiraIssueType {
  readonly id: string;
  readonly name: string;
  readonly subtask: boolean;
}
export interface JiraPriority {
  readonly id: string;
  readonly name: string;
}
export interface CreatedIssue {
  readonly id: string;
  readonly key: string;
  readonly self: string;
}
export interface FoundIssue {
  readonly id: string;
  readonly key: string;
  readonly summary?: string;
  readonly status?: string;
  /** `new` | `indeterminate` | `done` */
  readonly statusCategory?: string;
}

const userSchema = z.object({ accountId: z.string().min(1), displayName: z.string().default(''), emailAddress: z.string().optional() });
const projectSchema = z.object({ id: z.string(), key: z.string(), name: z.string() });
const issueTypePageSchema = z.object({
  issueTypes: z.array(z.object({ id: z.string(), name: z.string(), subtask: z.boolean().default(false) })).default([]),
  startAt: z.number().int().optional(),
  maxResults: z.number().int().optional(),
  total: z.number().int().optional(),
});
const prioritiesSchema = z.array(z.object({ id: z.string(), name: z.string() }));
const createdSchema = z.object({ id: z.string().min(1), key: z.string().min(1), self: z.string() });
const commentSchema = z.object({ id: z.string().min(1) });
const searchSchema = z.object({
  issues: z
    .array(
      z.object({
        id: z.string(),
        key: z.string(),
        fields: z
          .object({
            summary: z.string().optional(),
            status: z.object({ name: z.string().optional(), statusCategory: z.object({ key: z.string().optional() }).optional() }).optional(),
          })
          .optional(),
      }),
    )
    .default([]),
  isLast: z.boolean().optional(),
  nextPageToken: z.string().nullish(),
});

const ISSUE_TYPE_PAGE = 200; // the endpoint's maximum
const MAX_PAGES = 20;
const MAX_MESSAGES = 20;
const MAX_MESSAGE_CHARS = 500;

export class JiraClient {
  readonly baseUrl: string;
  private readonly email: string;
  private readonly apiToken: () => Promise<string>;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;

  constructor(options: JiraClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.email = options.email;
    this.apiToken = options.apiToken;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchImpl = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
  }

  myself(): Promise<JiraUser> {
    return this.call('GET', '/rest/api/3/myself', userSchema);
  }

  getProject(key: string): Promise<JiraProject> {
    return this.call('GET', `/rest/api/3/project/${encodeURIComponent(key)}`, projectSchema);
  }

  async issueTypesForProject(key: string): Promise<JiraIssueType[]> {
    const types: JiraIssueType[] = [];
    let startAt = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const path = `/rest/api/3/issue/createmeta/${encodeURIComponent(key)}/issuetypes?startAt=${startAt}&maxResults=${ISSUE_TYPE_PAGE}`;
      const result = await this.call('GET', path, issueTypePageSchema);
      types.push(...result.issueTypes);
      startAt += result.issueTypes.length;
      if (result.issueTypes.length === 0 || result.total === undefined || startAt >= result.total) break;
    }
    return types;
  }

  /** Every priority of the site; which of them a project accepts depends on its priority scheme. */
  priorities(): Promise<JiraPriority[]> {
    return this.call('GET', '/rest/api/3/priority', prioritiesSchema);
  }

  createIssue(fields: IssueFields): Promise<CreatedIssue> {
    return this.call('POST', '/rest/api/3/issue', createdSchema, { fields });
  }

  addComment(issueKey: string, body: AdfDoc): Promise<{ id: string }> {
    return this.call('POST', `/rest/api/3/issue/${encodeURIComponent(issueKey)}/comment`, commentSchema, { body });
  }

  /**
   * Issues of one project carrying one exact label, via POST /rest/api/3/search/jql (the old /search answers 410).
   * Search is eventually consistent: an issue created a moment ago may be missing unless its id is passed in
   * `reconcileIssues`.
   */
  async searchByLabel(projectKey: string, label: string, options: { maxResults?: number; reconcileIssues?: readonly number[] } = {}): Promise<FoundIssue[]> {
    const jql = labelSearchJql(projectKey, label);
    const found: FoundIssue[] = [];
    let nextPageToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const body = {
        jql,
        fields: ['summary', 'status'],
        maxResults: options.maxResults ?? 50,
        ...(nextPageToken ? { nextPageToken } : {}),
        ...(options.reconcileIssues && options.reconcileIssues.length > 0 ? { reconcileIssues: options.reconcileIssues.slice(0, 50) } : {}),
      };
      const result = await this.call('POST', '/rest/api/3/search/jql', searchSchema, body);
      for (const issue of result.issues) {
        const status = issue.fields?.status;
        found.push({
          id: issue.id,
          key: issue.key,
          ...(issue.fields?.summary !== undefined ? { summary: issue.fields.summary } : {}),
          ...(status?.name !== undefined ? { status: status.name } : {}),
          ...(status?.statusCategory?.key !== undefined ? { statusCategory: status.statusCategory.key } : {}),
        });
      }
      nextPageToken = result.nextPageToken ?? undefined;
      if (result.isLast !== false || !nextPageToken) break;
    }
    return found;
  }

  private async call<S extends z.ZodType>(method: 'GET' | 'POST', path: string, schema: S, body?: unknown): Promise<z.output<S>> {
    const token = await this.apiToken();
    const credential = Buffer.from(`${this.email}:${token}`).toString('base64');
    const redact = redactor([token, credential]);
    const shortPath = path.split('?')[0] ?? path;
    const fail = (init: Omit<ConstructorParameters<typeof JiraError>[0], 'method' | 'path'>) =>
      new JiraError({ ...init, message: redact(init.message), messages: init.messages?.map(redact), method, path: shortPath });

    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Basic ${credential}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        // A redirect would carry the credentials to wherever it points; Jira's REST API does not redirect.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      if (isTimeout(err)) {
        throw fail({
          kind: 'timeout',
          message: `Jira ${method} ${shortPath} did not answer within ${this.timeoutMs} ms; it may still have acted on the request`,
        });
      }
      throw fail({ kind: 'network', message: `Could not reach Jira at ${hostOf(this.baseUrl)} (${method} ${shortPath}): ${networkReason(err)}` });
    }

    const { status } = response;
    if (status >= 200 && status < 300) {
      const parsed = schema.safeParse(parseJson(text));
      if (parsed.success) return parsed.data;
      throw fail({
        kind: 'unavailable',
        status,
        retryable: false,
        message: `Jira ${method} ${shortPath} answered ${status} with a body Jira Cloud does not send; is ${hostOf(this.baseUrl)} a Jira Cloud site?`,
      });
    }

    const messages = jiraMessages(text, response.headers.get('content-type'));
    const detail = messages.length > 0 ? `: ${messages.join('; ')}` : '';
    if (status >= 300 && status < 400) {
      throw fail({ kind: 'invalid', status, messages, message: `Jira ${method} ${shortPath} answered with a redirect (${status}); check the base URL` });
    }
    const kind = kindOfStatus(status);
    const retryAfterSeconds = status === 429 || status === 503 ? retryAfter(response.headers, this.now()) : undefined;
    const wait = retryAfterSeconds === undefined ? '' : ` (retry after ${retryAfterSeconds} s)`;
    throw fail({
      kind,
      status,
      messages,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      message: `Jira ${method} ${shortPath} answered ${status} ${STATUS_WORDS[kind]}${wait}${detail}`,
    });
  }
}

const STATUS_WORDS: Record<JiraErrorKind, string> = {
  auth: '(the e-mail or API token was refused)',
  forbidden: '(no permission)',
  not_found: '(not found)',
  invalid: '(request refused)',
  rate_limited: '(rate limited)',
  unavailable: '(Jira unavailable)',
  timeout: '(timeout)',
  network: '(network)',
};

function kindOfStatus(status: number): JiraErrorKind {
  if (status === 401) return 'auth';
  if (status === 403) return 'forbidden';
  if (status === 404 || status === 410) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'invalid';
}

/** Seconds to wait from `Retry-After` (delta-seconds or HTTP-date), else from Jira's `X-RateLimit-Reset` timestamp. */
export function retryAfter(headers: Headers, nowMs: number): number | undefined {
  return parseRetryAfter(headers.get('retry-after'), nowMs) ?? parseRetryAfter(headers.get('x-ratelimit-reset'), nowMs);
}

export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // An HTTP-date (or the ISO timestamp Jira puts in X-RateLimit-Reset); a date in the past means "now".
  const at = /^[a-z]{3}, /i.test(trimmed) || /^\d{4}-\d{2}-\d{2}T/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

function jiraMessages(text: string, contentType: string | null): string[] {
  const body = parseJson(text);
  const out: string[] = [];
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const { errorMessages, errors, message } = body as { errorMessages?: unknown; errors?: unknown; message?: unknown };
    if (Array.isArray(errorMessages)) for (const m of errorMessages) if (typeof m === 'string' && m.trim()) out.push(m);
    if (errors !== null && typeof errors === 'object') {
      for (const [field, m] of Object.entries(errors)) if (typeof m === 'string') out.push(`${field}: ${m}`);
    }
    if (out.length === 0 && typeof message === 'string' && message.trim()) out.push(message);
  } else if (text.trim() && !(contentType ?? '').includes('html')) {
    // Proxies and gateways answer in plain text; an HTML error page would only add noise.
    out.push(text);
  }
  return out.slice(0, MAX_MESSAGES).map((m) => oneLineMessage(m));
}

function oneLineMessage(value: string): string {
  const line = value.replace(/\s+/g, ' ').trim();
  return line.length <= MAX_MESSAGE_CHARS ? line : `${line.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

// Duck-typed: AbortSignal.timeout rejects with a DOMException, which is not an Error in every realm.
function isTimeout(err: unknown): boolean {
  const name = typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : undefined;
  return name === 'TimeoutError' || name === 'AbortError';
}

function networkReason(err: unknown): string {
  const outer = typeof err === 'object' && err !== null ? (err as { message?: unknown; cause?: unknown }) : {};
  const cause = typeof outer.cause === 'object' && outer.cause !== null ? (outer.cause as { code?: unknown; message?: unknown }) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return oneLineMessage(cause.message);
  return typeof outer.message === 'string' ? oneLineMessage(outer.message) : 'unknown error';
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return 'the configured host';
  }
}

// Defence in depth: a proxy that echoes request headers in its error page must not put the token in our errors.
function redactor(secrets: readonly string[]): (text: string) => string {
  const present = secrets.filter((s) => s.length >= 4);
  return (text) => present.reduce((acc, secret) => acc.split(secret).join('[redacted]'), text);
}

export function issueUrl(baseUrl: string, key: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/browse/${encodeURIComponent(key)}`;
}

export type ConnectionFailureReason =
  'bad_credentials' | 'unknown_project' | 'no_permission' | 'unreachable' | 'invalid_issue_type' | 'invalid_priority' | 'rate_limited' | 'unexpected';

export type ConnectionTestResult =
  | {
      readonly ok: true;
      readonly accountId: string;
      readonly displayName: string;
      readonly project: { readonly key: string; readonly name: string };
      readonly issueTypes: string[];
      readonly priorities: string[];
    }
  | { readonly ok: false; readonly reason: ConnectionFailureReason; readonly message: string };

type ConnectionSettings = Pick<JiraSettings, 'projectKey' | 'issueType' | 'priorityMap'>;

/**
 * Checks what ticket creation will need: the credentials (`/myself`), the project, the configured issue type among
 * the project's, and every mapped priority among the site's. Never throws for a Jira failure.
 */
export async function testConnection(client: JiraClient, settings: ConnectionSettings): Promise<ConnectionTestResult> {
  let stage: 'credentials' | 'project' = 'credentials';
  try {
    const me = await client.myself();
    stage = 'project';
    const project = await client.getProject(settings.projectKey);
    const [types, priorities] = await Promise.all([client.issueTypesForProject(project.key), client.priorities()]);
    // Sub-task types need a parent issue, so they cannot hold a StackLens ticket.
    const issueTypes = types.filter((t) => !t.subtask).map((t) => t.name);
    const priorityNames = priorities.map((p) => p.name);

    if (!issueTypes.includes(settings.issueType)) {
      return {
        ok: false,
        reason: 'invalid_issue_type',
        message: `Project ${project.key} has no issue type "${settings.issueType}"${didYouMean(settings.issueType, issueTypes)}; available: ${issueTypes.join(', ') || 'none'}`,
      };
    }
    const missing = [...new Set(Object.values(settings.priorityMap))].filter((name) => !priorityNames.includes(name));
    if (missing.length > 0) {
      const hints = missing.map((name) => `"${name}"${didYouMean(name, priorityNames)}`).join(', ');
      return { ok: false, reason: 'invalid_priority', message: `Jira has no priority ${hints}; available: ${priorityNames.join(', ') || 'none'}` };
    }
    return {
      ok: true,
      accountId: me.accountId,
      displayName: me.displayName,
      project: { key: project.key, name: project.name },
      issueTypes,
      priorities: priorityNames,
    };
  } catch (err) {
    if (!(err instanceof JiraError)) {
      const message =
        err instanceof StackLensError ? err.message : `The connection test failed unexpectedly (${err instanceof Error ? err.name : 'unknown error'})`;
      return { ok: false, reason: 'unexpected', message };
    }
    return { ok: false, ...connectionFailure(err, stage, settings.projectKey) };
  }
}

function connectionFailure(err: JiraError, stage: 'credentials' | 'project', projectKey: string): { reason: ConnectionFailureReason; message: string } {
  switch (err.kind) {
    case 'auth':
      return {
        reason: 'bad_credentials',
        message: 'Jira refused the e-mail and API token (401). Check the e-mail address; API tokens expire, so create a new one at id.atlassian.com if needed.',
      };
    case 'forbidden':
      return {
        reason: 'no_permission',
        message: `This account may not use ${stage === 'project' ? `project ${projectKey}` : 'the Jira API'} (403). ${err.message}`,
      };
    case 'not_found':
      return stage === 'project'
        ? { reason: 'unknown_project', message: `Project ${projectKey} does not exist, or this account cannot see it.` }
        : { reason: 'unexpected', message: `${err.message}. Is the base URL a Jira Cloud site?` };
    case 'rate_limited':
      return {
        reason: 'rate_limited',
        message: `Jira is rate limiting this account${err.retryAfterSeconds === undefined ? '' : `; retry in ${err.retryAfterSeconds} s`}.`,
      };
    case 'timeout':
    case 'network':
    case 'unavailable':
      return { reason: 'unreachable', message: err.message };
    case 'invalid':
      return { reason: 'unexpected', message: err.message };
  }
}

function didYouMean(value: string, options: readonly string[]): string {
  const match = options.find((o) => o.toLowerCase() === value.trim().toLowerCase());
  return match ? ` (did you mean "${match}"?)` : '';
}
