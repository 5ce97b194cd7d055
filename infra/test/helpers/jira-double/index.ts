// A Jira Cloud test double: a real HTTP server on 127.0.0.1 that answers the REST v3 endpoints StackLens uses the
// way Jira Cloud does (bodies, status codes, rate-limit headers), checks every request body against Atlassian's
// published OpenAPI schemas and every description/comment against the ADF schema, and can be made slow, flaky,
// rate limited or to hang after creating an issue.
//
// Client mistakes (a body the schema refuses, invalid ADF, a label with a space, an endpoint Jira does not have,
// the removed /rest/api/3/search) are answered as Jira would AND recorded in `violations`, so a test can assert
// that a whole scenario sent nothing Jira would refuse. Configuration mistakes (an unknown priority, project or
// issue type) are answered the same way but are not violations: tests provoke them on purpose.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { check, componentValidator, requestValidator, responseValidator, validateAdf } from './schemas.js';
import { JqlError, parseJql, type JqlClause } from './jql.js';
import { capture, registerSecret } from '../sweep.js';

export type JiraEndpoint = 'myself' | 'project' | 'issuetypes' | 'priorities' | 'create' | 'getIssue' | 'comment' | 'search' | 'legacySearch' | 'unknown';

export interface JiraDoubleProject {
  readonly key: string;
  readonly name?: string;
  /** issue type names of this project; default: the double's issueTypes */
  readonly issueTypes?: readonly string[];
}

export interface JiraDoubleOptions {
  readonly email?: string;
  readonly apiToken?: string;
  readonly accountId?: string;
  readonly displayName?: string;
  readonly projects?: ReadonlyArray<string | JiraDoubleProject>;
  /** standard (non sub-task) issue types; default Bug, Task, Story, Epic */
  readonly issueTypes?: readonly string[];
  /** default Subtask */
  readonly subtaskTypes?: readonly string[];
  /** default Highest, High, Medium, Low, Lowest */
  readonly priorities?: readonly string[];
  /** a new issue becomes searchable only this long after creation (search is eventually consistent); default 0 */
  readonly searchLagMs?: number;
}

export interface JiraFault {
  readonly status: 400 | 401 | 403 | 404 | 429 | 500 | 502 | 503 | 504;
  /** sent as Retry-After on 429 and 503 (429 defaults to 1) */
  readonly retryAfterSeconds?: number;
  /** JSON unless a string; default: Jira's body for that status */
  readonly body?: unknown;
  /** only requests to these endpoints are affected; default all */
  readonly endpoint?: JiraEndpoint | readonly JiraEndpoint[];
}

export interface DoubleComment {
  readonly id: string;
  readonly body: unknown;
  readonly created: string;
}

export interface DoubleIssue {
  readonly id: string;
  readonly key: string;
  readonly projectKey: string;
  /** the fields exactly as sent */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly summary: string;
  readonly issueType: string;
  readonly priority?: string;
  readonly labels: readonly string[];
  readonly description?: unknown;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly comments: DoubleComment[];
  status: 'To Do' | 'In Progress' | 'Done';
  readonly created: string;
  readonly createdAtMs: number;
}

export interface RecordedRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly endpoint: JiraEndpoint;
  readonly body: unknown;
  readonly authorized: boolean;
  /** undefined while pending, and for a request the double never answered (createThenHang) */
  status?: number;
  fault?: string;
}

export interface Violation {
  readonly method: string;
  readonly path: string;
  readonly direction: 'request' | 'response';
  readonly errors: readonly string[];
}

export interface JiraDouble {
  readonly url: string;
  readonly issues: readonly DoubleIssue[];
  readonly requests: readonly RecordedRequest[];
  readonly violations: readonly Violation[];
  searchLagMs: number;
  /** the next n matching requests fail with this fault (before auth, like an edge proxy) */
  failNext(n: number, fault: JiraFault): void;
  /** every matching request fails with this fault for the next `ms` milliseconds */
  failFor(ms: number, fault: JiraFault): void;
  /** ends every pending failNext/failFor fault: the outage is over */
  clearFaults(): void;
  /** the next n requests (optionally only to one endpoint) are handled after `ms` milliseconds */
  delayNext(n: number, ms: number, endpoint?: JiraEndpoint): void;
  /** the next n creates create the issue and then never answer */
  createThenHang(n: number): void;
  /** rotation: from now on only this token is accepted */
  setToken(token: string): void;
  setIssueStatus(key: string, status: DoubleIssue['status']): void;
  requestsTo(endpoint: JiraEndpoint): RecordedRequest[];
  issueByKey(key: string): DoubleIssue | undefined;
  close(): Promise<void>;
}

interface Route {
  readonly method: string;
  readonly template: string;
  readonly pattern: RegExp;
  readonly endpoint: JiraEndpoint;
}

// createmeta precedes /issue/{issueIdOrKey}, which would otherwise swallow it.
const ROUTES: readonly Route[] = [
  { method: 'GET', template: '/rest/api/3/myself', pattern: /^\/rest\/api\/3\/myself$/, endpoint: 'myself' },
  { method: 'GET', template: '/rest/api/3/project/{projectIdOrKey}', pattern: /^\/rest\/api\/3\/project\/([^/]+)$/, endpoint: 'project' },
  {
    method: 'GET',
    template: '/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes',
    pattern: /^\/rest\/api\/3\/issue\/createmeta\/([^/]+)\/issuetypes$/,
    endpoint: 'issuetypes',
  },
  { method: 'GET', template: '/rest/api/3/priority', pattern: /^\/rest\/api\/3\/priority$/, endpoint: 'priorities' },
  { method: 'POST', template: '/rest/api/3/issue', pattern: /^\/rest\/api\/3\/issue$/, endpoint: 'create' },
  { method: 'POST', template: '/rest/api/3/issue/{issueIdOrKey}/comment', pattern: /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/, endpoint: 'comment' },
  { method: 'GET', template: '/rest/api/3/issue/{issueIdOrKey}', pattern: /^\/rest\/api\/3\/issue\/([^/]+)$/, endpoint: 'getIssue' },
  { method: 'POST', template: '/rest/api/3/search/jql', pattern: /^\/rest\/api\/3\/search\/jql$/, endpoint: 'search' },
  { method: 'GET', template: '/rest/api/3/search/jql', pattern: /^\/rest\/api\/3\/search\/jql$/, endpoint: 'search' },
  { method: 'GET', template: '/rest/api/3/search', pattern: /^\/rest\/api\/3\/search$/, endpoint: 'legacySearch' },
  { method: 'POST', template: '/rest/api/3/search', pattern: /^\/rest\/api\/3\/search$/, endpoint: 'legacySearch' },
];

const CREATE_FIELDS = new Set(['project', 'issuetype', 'summary', 'description', 'labels', 'priority']);
const TEXT_FIELD_LIMIT = 32_767;
const PROPERTY_VALUE_LIMIT = 32_768;
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const STATUS_CATEGORY: Record<DoubleIssue['status'], { id: number; key: string; colorName: string; name: string }> = {
  'To Do': { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' },
  'In Progress': { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' },
  Done: { id: 3, key: 'done', colorName: 'green', name: 'Done' },
};
const STATUS_ID: Record<DoubleIssue['status'], string> = { 'To Do': '10000', 'In Progress': '3', Done: '10001' };

class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

function errorCollection(errorMessages: string[], errors: Record<string, string> = {}): { errorMessages: string[]; errors: Record<string, string> } {
  return { errorMessages, errors };
}

export async function startJiraDouble(options: JiraDoubleOptions = {}): Promise<JiraDouble> {
  const email = options.email ?? 'stacklens-bot@example.com';
  let apiToken = options.apiToken ?? 'double-api-token-0001';
  registerSecret(apiToken, 'Jira API token (Jira double)');
  const accountId = options.accountId ?? '5b10ac8d82e05b22cc7d4ef5';
  const displayName = options.displayName ?? 'StackLens Bot';
  const standardTypes = options.issueTypes ?? ['Bug', 'Task', 'Story', 'Epic'];
  const subtaskTypes = options.subtaskTypes ?? ['Subtask'];
  const priorityNames = options.priorities ?? ['Highest', 'High', 'Medium', 'Low', 'Lowest'];
  const projects = (options.projects ?? ['PROJ']).map((p, i) => {
    const spec: JiraDoubleProject = typeof p === 'string' ? { key: p } : p;
    return { id: String(10000 + i), key: spec.key, name: spec.name ?? `${spec.key} project`, issueTypes: spec.issueTypes ?? standardTypes, nextNumber: 1 };
  });
  const allTypeNames = [...new Set([...standardTypes, ...projects.flatMap((p) => p.issueTypes), ...subtaskTypes])];
  const issueTypeId = (name: string) => String(10001 + allTypeNames.indexOf(name));
  const priorityId = (name: string) => String(1 + priorityNames.indexOf(name));

  const issues: DoubleIssue[] = [];
  const requests: RecordedRequest[] = [];
  const violations: Violation[] = [];
  const failQueue: Array<{ remaining: number; fault: JiraFault }> = [];
  const failWindows: Array<{ until: number; fault: JiraFault }> = [];
  const delayQueue: Array<{ remaining: number; ms: number; endpoint?: JiraEndpoint }> = [];
  let hangCreates = 0;
  const hung = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  let nextIssueId = 10000;
  let nextCommentId = 10000;
  let url = '';

  const state = { searchLagMs: options.searchLagMs ?? 0 };

  const violation = (method: string, path: string, direction: Violation['direction'], errors: readonly string[]) => {
    violations.push({ method, path, direction, errors });
  };

  const matches = (fault: JiraFault, endpoint: JiraEndpoint) =>
    fault.endpoint === undefined || (Array.isArray(fault.endpoint) ? fault.endpoint.includes(endpoint) : fault.endpoint === endpoint);

  const takeFault = (endpoint: JiraEndpoint): JiraFault | undefined => {
    const now = Date.now();
    const window = failWindows.find((w) => w.until > now && matches(w.fault, endpoint));
    if (window) return window.fault;
    const queued = failQueue.find((q) => q.remaining > 0 && matches(q.fault, endpoint));
    if (queued) {
      queued.remaining -= 1;
      return queued.fault;
    }
    return undefined;
  };

  const takeDelay = (endpoint: JiraEndpoint): number => {
    const queued = delayQueue.find((d) => d.remaining > 0 && (d.endpoint === undefined || d.endpoint === endpoint));
    if (!queued) return 0;
    queued.remaining -= 1;
    return queued.ms;
  };

  const faultAnswer = (fault: JiraFault, endpoint: JiraEndpoint): HttpAnswer => {
    const headers: Record<string, string> = {};
    if (fault.status === 429) {
      const wait = fault.retryAfterSeconds ?? 1;
      headers['retry-after'] = String(wait);
      headers['x-ratelimit-limit'] = '100';
      headers['x-ratelimit-remaining'] = '0';
      headers['x-ratelimit-reset'] = new Date(Date.now() + wait * 1000).toISOString();
      headers['x-ratelimit-nearlimit'] = 'true';
      headers['ratelimit-reason'] = endpoint === 'create' || endpoint === 'comment' ? 'jira-per-issue-on-write' : 'jira-burst-based';
    } else if (fault.retryAfterSeconds !== undefined && fault.status === 503) {
      headers['retry-after'] = String(fault.retryAfterSeconds);
    }
    return new HttpAnswer(fault.status, fault.body ?? defaultFaultBody(fault.status), headers);
  };

  const authorized = (req: IncomingMessage): boolean => {
    const header = req.headers.authorization ?? '';
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
    if (!match?.[1]) return false;
    return Buffer.from(match[1], 'base64').toString('utf8') === `${email}:${apiToken}`;
  };

  const findProject = (idOrKey: string) => projects.find((p) => p.key.toUpperCase() === idOrKey.toUpperCase() || p.id === idOrKey);
  const findIssue = (idOrKey: string) => issues.find((i) => i.id === idOrKey || i.key.toUpperCase() === idOrKey.toUpperCase());

  const issueTypeJson = (name: string) => ({
    self: `${url}/rest/api/3/issuetype/${issueTypeId(name)}`,
    id: issueTypeId(name),
    description: `A ${name.toLowerCase()}`,
    iconUrl: `${url}/images/icons/issuetypes/${name.toLowerCase()}.svg`,
    name,
    subtask: subtaskTypes.includes(name),
    hierarchyLevel: subtaskTypes.includes(name) ? -1 : name === 'Epic' ? 1 : 0,
  });

  const statusJson = (status: DoubleIssue['status']) => ({
    self: `${url}/rest/api/3/status/${STATUS_ID[status]}`,
    description: '',
    iconUrl: `${url}/images/icons/statuses/generic.png`,
    name: status,
    id: STATUS_ID[status],
    statusCategory: { self: `${url}/rest/api/3/statuscategory/${STATUS_CATEGORY[status].id}`, ...STATUS_CATEGORY[status] },
  });

  const issueFieldsJson = (issue: DoubleIssue, wanted: readonly string[]): Record<string, unknown> => {
    const all: Record<string, unknown> = {
      summary: issue.summary,
      status: statusJson(issue.status),
      labels: [...issue.labels],
      issuetype: issueTypeJson(issue.issueType),
      project: { self: `${url}/rest/api/3/project/${findProject(issue.projectKey)?.id ?? ''}`, id: findProject(issue.projectKey)?.id, key: issue.projectKey },
      priority: issue.priority
        ? { self: `${url}/rest/api/3/priority/${priorityId(issue.priority)}`, id: priorityId(issue.priority), name: issue.priority }
        : null,
      description: issue.description ?? null,
      created: issue.created,
      comment: { comments: issue.comments.map((c) => commentJson(issue, c)), maxResults: issue.comments.length, total: issue.comments.length, startAt: 0 },
    };
    if (wanted.includes('*all') || wanted.includes('*navigable')) return all;
    const out: Record<string, unknown> = {};
    for (const field of wanted) if (field in all) out[field] = all[field];
    return out;
  };

  const commentJson = (issue: DoubleIssue, comment: DoubleComment) => ({
    self: `${url}/rest/api/3/issue/${issue.id}/comment/${comment.id}`,
    id: comment.id,
    author: { self: `${url}/rest/api/3/user?accountId=${accountId}`, accountId, displayName, active: true, accountType: 'atlassian', timeZone: 'Etc/UTC' },
    body: comment.body,
    updateAuthor: {
      self: `${url}/rest/api/3/user?accountId=${accountId}`,
      accountId,
      displayName,
      active: true,
      accountType: 'atlassian',
      timeZone: 'Etc/UTC',
    },
    created: comment.created,
    updated: comment.created,
    jsdPublic: true,
  });

  // ---- endpoint handlers: each returns Jira's answer, or throws an HttpAnswer for an error ----

  const handlers: Record<
    Exclude<JiraEndpoint, 'unknown'>,
    (ctx: { params: string[]; body: unknown; query: URLSearchParams; method: string; path: string }) => HttpAnswer
  > = {
    myself: () =>
      new HttpAnswer(200, {
        self: `${url}/rest/api/3/user?accountId=${accountId}`,
        accountId,
        accountType: 'atlassian',
        emailAddress: email,
        avatarUrls: { '48x48': `${url}/avatar/48.png`, '24x24': `${url}/avatar/24.png`, '16x16': `${url}/avatar/16.png`, '32x32': `${url}/avatar/32.png` },
        displayName,
        active: true,
        timeZone: 'Etc/UTC',
        locale: 'en_US',
      }),

    project: ({ params }) => {
      const project = findProject(params[0] ?? '');
      if (!project) return new HttpAnswer(404, errorCollection([`No project could be found with key '${params[0]}'.`]));
      return new HttpAnswer(200, {
        self: `${url}/rest/api/3/project/${project.id}`,
        id: project.id,
        key: project.key,
        name: project.name,
        description: '',
        projectTypeKey: 'software',
        simplified: false,
        style: 'classic',
        isPrivate: false,
        issueTypes: [...project.issueTypes, ...subtaskTypes].map(issueTypeJson),
        properties: {},
      });
    },

    issuetypes: ({ params, query }) => {
      const project = findProject(params[0] ?? '');
      if (!project) return new HttpAnswer(400, errorCollection([`No project could be found with key '${params[0]}'.`]));
      const startAt = Math.max(0, Number(query.get('startAt') ?? 0) || 0);
      const maxResults = Math.min(200, Math.max(1, Number(query.get('maxResults') ?? 50) || 50));
      const types = [...project.issueTypes, ...subtaskTypes];
      return new HttpAnswer(200, { maxResults, startAt, total: types.length, issueTypes: types.slice(startAt, startAt + maxResults).map(issueTypeJson) });
    },

    priorities: () =>
      new HttpAnswer(
        200,
        priorityNames.map((name, i) => ({
          self: `${url}/rest/api/3/priority/${priorityId(name)}`,
          statusColor: '#d04437',
          description: `${name} priority`,
          iconUrl: `${url}/images/icons/priorities/${name.toLowerCase()}.svg`,
          name,
          id: priorityId(name),
          isDefault: i === Math.floor(priorityNames.length / 2),
        })),
      ),

    create: ({ body, method, path }) => {
      const fields = ((body as { fields?: unknown }).fields ?? {}) as Record<string, unknown>;
      const properties = ((body as { properties?: unknown }).properties ?? []) as Array<{ key?: string; value?: unknown }>;
      const errors: Record<string, string> = {};
      const clientErrors: string[] = [];

      for (const name of Object.keys(fields)) {
        if (!CREATE_FIELDS.has(name)) errors[name] = `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;
      }
      const projectRef = fields['project'] as { key?: unknown; id?: unknown } | undefined;
      const project =
        typeof projectRef?.key === 'string' ? findProject(projectRef.key) : typeof projectRef?.id === 'string' ? findProject(projectRef.id) : undefined;
      if (!project) errors['project'] = 'Specify a valid project ID or key';

      const typeRef = fields['issuetype'] as { name?: unknown; id?: unknown } | undefined;
      const typeName =
        typeof typeRef?.name === 'string'
          ? typeRef.name
          : typeof typeRef?.id === 'string'
            ? allTypeNames.find((n) => issueTypeId(n) === typeRef.id)
            : undefined;
      if (project && (!typeName || ![...project.issueTypes, ...subtaskTypes].includes(typeName))) errors['issuetype'] = 'Specify a valid issue type';
      else if (typeName && subtaskTypes.includes(typeName)) errors['parent'] = 'Given parent work item does not belong to appropriate hierarchy.';

      const summary = fields['summary'];
      if (typeof summary !== 'string' || summary.trim().length === 0) {
        errors['summary'] = 'You must specify a summary of the issue.';
        clientErrors.push('summary missing');
      } else if (/[\r\n]/.test(summary)) {
        errors['summary'] = 'The summary is invalid because it contains newline characters.';
        clientErrors.push('summary contains a newline');
      } else if (summary.length >= 255) {
        errors['summary'] = 'Summary must be less than 255 characters.';
        clientErrors.push(`summary has ${summary.length} characters`);
      }

      if (fields['description'] !== undefined && fields['description'] !== null) {
        const adf = validateAdf(fields['description']);
        if (!adf.ok) {
          errors['description'] = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
          clientErrors.push(...adf.errors.map((e) => `description ${e}`));
        } else if (JSON.stringify(fields['description']).length > TEXT_FIELD_LIMIT) {
          errors['description'] = 'The entered text is too long. It exceeds the allowed limit of 32,767 characters.';
          clientErrors.push('description too long');
        }
      }

      const labels = fields['labels'];
      if (labels !== undefined) {
        if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string')) {
          errors['labels'] = 'data was not an array';
          clientErrors.push('labels is not an array of strings');
        } else {
          const spaced = labels.find((l: string) => /\s/.test(l));
          const long = labels.find((l: string) => l.length > 255);
          const empty = labels.find((l: string) => l.length === 0);
          if (spaced !== undefined) {
            errors['labels'] = `The label '${spaced}' contains spaces which is invalid.`;
            clientErrors.push(`label with whitespace: ${JSON.stringify(spaced)}`);
          } else if (long !== undefined) {
            errors['labels'] = 'The label exceeds the maximum length of 255 characters.';
            clientErrors.push('label longer than 255 characters');
          } else if (empty !== undefined) {
            errors['labels'] = 'The label cannot be empty.';
            clientErrors.push('empty label');
          }
        }
      }

      const priorityRef = fields['priority'] as { name?: unknown; id?: unknown } | undefined;
      let priority: string | undefined;
      if (priorityRef !== undefined) {
        priority =
          typeof priorityRef?.name === 'string'
            ? priorityNames.find((n) => n === priorityRef.name)
            : typeof priorityRef?.id === 'string'
              ? priorityNames.find((n) => priorityId(n) === priorityRef.id)
              : undefined;
        if (!priority) errors['priority'] = `Specify the Priority (id or name) in the string format`;
      }

      for (const property of properties) {
        if (JSON.stringify(property.value ?? null).length > PROPERTY_VALUE_LIMIT) {
          errors['properties'] = `The property '${String(property.key)}' exceeds the maximum length of 32768 characters.`;
          clientErrors.push('entity property value too long');
        }
      }

      if (clientErrors.length > 0) violation(method, path, 'request', clientErrors);
      if (Object.keys(errors).length > 0 || !project || !typeName || typeof summary !== 'string') return new HttpAnswer(400, errorCollection([], errors));

      const id = String(nextIssueId++);
      const key = `${project.key}-${project.nextNumber++}`;
      const now = Date.now();
      issues.push({
        id,
        key,
        projectKey: project.key,
        fields: structuredClone(fields),
        summary,
        issueType: typeName,
        ...(priority ? { priority } : {}),
        labels: Array.isArray(labels) ? [...(labels as string[])] : [],
        description: fields['description'] ?? undefined,
        properties: Object.fromEntries(properties.map((p) => [String(p.key), p.value])),
        comments: [],
        status: 'To Do',
        created: new Date(now).toISOString().replace('Z', '+0000'),
        createdAtMs: now,
      });
      return new HttpAnswer(201, { id, key, self: `${url}/rest/api/3/issue/${id}` });
    },

    getIssue: ({ params, query }) => {
      const issue = findIssue(params[0] ?? '');
      if (!issue) return new HttpAnswer(404, errorCollection(['Issue does not exist or you do not have permission to see it.']));
      const wanted = query.get('fields')?.split(',') ?? ['*all'];
      return new HttpAnswer(200, {
        expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
        id: issue.id,
        self: `${url}/rest/api/3/issue/${issue.id}`,
        key: issue.key,
        fields: issueFieldsJson(issue, wanted),
      });
    },

    comment: ({ params, body, method, path }) => {
      const issue = findIssue(params[0] ?? '');
      if (!issue) return new HttpAnswer(404, errorCollection(['Issue does not exist or you do not have permission to see it.']));
      const commentBody = (body as { body?: unknown }).body;
      if (commentBody === undefined || commentBody === null) {
        violation(method, path, 'request', ['comment body missing']);
        return new HttpAnswer(400, errorCollection([], { comment: 'Comment body can not be empty!' }));
      }
      const adf = validateAdf(commentBody);
      if (!adf.ok) {
        violation(
          method,
          path,
          'request',
          adf.errors.map((e) => `body ${e}`),
        );
        return new HttpAnswer(400, errorCollection([], { comment: 'Comment body is not valid!' }));
      }
      if (JSON.stringify(commentBody).length > TEXT_FIELD_LIMIT) {
        violation(method, path, 'request', ['comment body too long']);
        return new HttpAnswer(400, errorCollection([], { comment: 'The entered text is too long. It exceeds the allowed limit of 32,767 characters.' }));
      }
      const comment: DoubleComment = {
        id: String(nextCommentId++),
        body: structuredClone(commentBody),
        created: new Date().toISOString().replace('Z', '+0000'),
      };
      issue.comments.push(comment);
      return new HttpAnswer(201, commentJson(issue, comment));
    },

    search: ({ body, query, method, path }) => {
      const input =
        method === 'POST'
          ? (body as { jql?: string; fields?: string[]; maxResults?: number; nextPageToken?: string; reconcileIssues?: number[] })
          : {
              jql: query.get('jql') ?? undefined,
              fields: query.getAll('fields').flatMap((f) => f.split(',')),
              maxResults: query.has('maxResults') ? Number(query.get('maxResults')) : undefined,
              nextPageToken: query.get('nextPageToken') ?? undefined,
              reconcileIssues: query
                .getAll('reconcileIssues')
                .flatMap((f) => f.split(','))
                .map(Number),
            };
      const jql = input.jql ?? '';
      let clauses: readonly JqlClause[];
      let orderBy: ReadonlyArray<{ field: string; direction: 'asc' | 'desc' }>;
      try {
        ({ clauses, orderBy } = parseJql(jql));
      } catch (err) {
        if (!(err instanceof JqlError)) throw err;
        violation(method, path, 'request', [`JQL: ${err.message}`]);
        return new HttpAnswer(400, errorCollection([err.message]));
      }
      if (clauses.length === 0) {
        violation(method, path, 'request', [`unbounded JQL: ${JSON.stringify(jql)}`]);
        return new HttpAnswer(400, errorCollection(['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.']));
      }
      for (const clause of clauses) {
        if (clause.field !== 'project') continue;
        const unknown = clause.values.find((v) => !findProject(v));
        if (unknown !== undefined) return new HttpAnswer(400, errorCollection([`The value '${unknown}' does not exist for the field 'project'.`]));
      }
      let offset = 0;
      if (input.nextPageToken) {
        const decoded = decodePageToken(input.nextPageToken, jql);
        if (decoded === undefined) {
          violation(method, path, 'request', ['nextPageToken was not issued for this query']);
          return new HttpAnswer(400, errorCollection(['The provided next page token is invalid or expired.']));
        }
        offset = decoded;
      }
      const now = Date.now();
      const reconcile = new Set((input.reconcileIssues ?? []).map(String));
      const visible = issues.filter((issue) => now - issue.createdAtMs >= state.searchLagMs || reconcile.has(issue.id));
      let hits = visible.filter((issue) => clauses.every((clause) => clauseMatches(clause, issue)));
      hits = sortIssues(hits, orderBy);
      const pageSize = Math.min(5000, Math.max(1, input.maxResults ?? 50));
      const page = hits.slice(offset, offset + pageSize);
      const isLast = offset + pageSize >= hits.length;
      const wanted = input.fields && input.fields.length > 0 ? input.fields : ['id'];
      const idOnly = wanted.every((f) => f === 'id');
      return new HttpAnswer(200, {
        issues: page.map((issue) =>
          idOnly
            ? { id: issue.id }
            : { expand: '', id: issue.id, self: `${url}/rest/api/3/issue/${issue.id}`, key: issue.key, fields: issueFieldsJson(issue, wanted) },
        ),
        isLast,
        ...(isLast ? {} : { nextPageToken: encodePageToken(offset + pageSize, jql) }),
      });
    },

    legacySearch: ({ method, path }) => {
      violation(method, path, 'request', ['the old /rest/api/3/search was removed; use /rest/api/3/search/jql']);
      return new HttpAnswer(
        410,
        errorCollection([
          'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046',
        ]),
      );
    },
  };

  function clauseMatches(clause: JqlClause, issue: DoubleIssue): boolean {
    const values = clause.values;
    let hit: boolean;
    switch (clause.field) {
      case 'project': {
        const project = findProject(issue.projectKey);
        hit = values.some((v) => findProject(v) === project);
        break;
      }
      case 'labels':
        // Jira stores labels as typed and matches them exactly.
        hit = values.some((v) => issue.labels.includes(v));
        break;
      case 'key':
        hit = values.some((v) => v.toUpperCase() === issue.key.toUpperCase() || v === issue.id);
        break;
      case 'status':
        hit = values.some((v) => v.toLowerCase() === issue.status.toLowerCase());
        break;
    }
    return clause.op === '=' || clause.op === 'in' ? hit : !hit;
  }

  // ---- HTTP plumbing ----

  const answer = (res: ServerResponse, record: RecordedRequest, route: Route | undefined, reply: HttpAnswer, validateResponse: boolean) => {
    record.status = reply.status;
    const isText = typeof reply.body === 'string';
    const payload = reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body);
    if (validateResponse && route && !isText && reply.body !== undefined) {
      const validator = responseValidator(route.method, route.template, reply.status) ?? (reply.status >= 400 ? componentValidator('ErrorCollection') : null);
      const result = check(validator, reply.body);
      if (!result.ok) violation(record.method, record.path, 'response', result.errors);
    }
    const headers = {
      'content-type': isText ? 'text/plain;charset=UTF-8' : 'application/json;charset=UTF-8',
      'content-length': Buffer.byteLength(payload),
      'x-arequestid': `double-${requests.length}`,
      ...reply.headers,
    };
    capture('jira', payload, `response ${reply.status} to ${record.method} ${record.path} ${JSON.stringify(headers)}`);
    res.writeHead(reply.status, headers);
    res.end(payload);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const parsedUrl = new URL(req.url ?? '/', 'http://double');
    const path = parsedUrl.pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    // Everything StackLens sends Jira goes to the secrets/PAN sweep, except the Authorization header: it carries the
    // API token by design (Basic, base64 of email:token) and would be reported as a leak of it.
    const sweptHeaders = { ...req.headers };
    delete sweptHeaders.authorization;
    capture('jira', raw, `request ${method} ${req.url ?? ''} ${JSON.stringify(sweptHeaders)}`);
    const route = ROUTES.find((r) => r.method === method && r.pattern.test(path));
    const endpoint: JiraEndpoint = route?.endpoint ?? 'unknown';
    let body: unknown = raw.length > 0 ? raw.toString('utf8') : undefined;
    let jsonError: string | undefined;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body) as unknown;
      } catch (err) {
        jsonError = (err as Error).message;
      }
    }
    const record: RecordedRequest = { at: Date.now(), method, path, query: parsedUrl.search, endpoint, body, authorized: authorized(req) };
    requests.push(record);

    const delay = takeDelay(endpoint);
    // Jira keeps working on a request whose client has gone: a slow create still creates.
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));

    const fault = takeFault(endpoint);
    if (fault) {
      record.fault = `${fault.status}`;
      return answer(res, record, route, faultAnswer(fault, endpoint), false);
    }
    if (raw.length > MAX_BODY_BYTES) return answer(res, record, route, new HttpAnswer(413, errorCollection(['Request entity too large'])), true);
    if (!record.authorized) {
      return answer(res, record, route, new HttpAnswer(401, errorCollection(['Client must be authenticated to access this resource.'])), true);
    }
    if (!route) {
      const known = ROUTES.some((r) => r.pattern.test(path));
      violation(method, path, 'request', [known ? `${method} is not supported on ${path}` : `no such Jira Cloud REST endpoint: ${method} ${path}`]);
      return answer(
        res,
        record,
        route,
        new HttpAnswer(known ? 405 : 404, errorCollection([known ? 'Method Not Allowed' : `null for uri: ${url}${path}`])),
        false,
      );
    }
    if (method === 'POST') {
      const contentType = req.headers['content-type'] ?? '';
      if (!/^application\/json\b/i.test(contentType)) {
        violation(method, path, 'request', [`content-type ${JSON.stringify(contentType)} instead of application/json`]);
        return answer(res, record, route, new HttpAnswer(415, errorCollection(['Unsupported Media Type'])), false);
      }
      if (jsonError !== undefined || body === undefined) {
        violation(method, path, 'request', [`body is not JSON: ${jsonError ?? 'empty'}`]);
        return answer(
          res,
          record,
          route,
          new HttpAnswer(400, errorCollection([`Unexpected character in the request body: ${jsonError ?? 'No content to map due to end-of-input'}`])),
          true,
        );
      }
      const schemaCheck = check(requestValidator(method, route.template), body);
      if (!schemaCheck.ok) {
        violation(method, path, 'request', schemaCheck.errors);
        return answer(res, record, route, new HttpAnswer(400, errorCollection(schemaCheck.errors.map((e) => `Invalid request payload: ${e}`))), true);
      }
    }

    const match = route.pattern.exec(path);
    const params = (match?.slice(1) ?? []).map((p) => decodeURIComponent(p));
    const reply = handlers[route.endpoint as Exclude<JiraEndpoint, 'unknown'>]({ params, body, query: parsedUrl.searchParams, method, path });

    if (route.endpoint === 'create' && reply.status === 201 && hangCreates > 0) {
      hangCreates -= 1;
      record.fault = 'hang-after-create';
      hung.add(res);
      return;
    }
    answer(res, record, route, reply, true);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      violations.push({
        method: req.method ?? '?',
        path: req.url ?? '?',
        direction: 'response',
        errors: [`double crashed: ${(err as Error).stack ?? String(err)}`],
      });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify(errorCollection(['Internal server error'])));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    issues,
    requests,
    violations,
    get searchLagMs() {
      return state.searchLagMs;
    },
    set searchLagMs(ms: number) {
      state.searchLagMs = ms;
    },
    failNext: (n, fault) => void failQueue.push({ remaining: n, fault }),
    failFor: (ms, fault) => void failWindows.push({ until: Date.now() + ms, fault }),
    clearFaults: () => {
      failWindows.length = 0;
      failQueue.length = 0;
    },
    delayNext: (n, ms, endpoint) => void delayQueue.push({ remaining: n, ms, ...(endpoint ? { endpoint } : {}) }),
    createThenHang: (n) => {
      hangCreates += n;
    },
    setToken: (token) => {
      registerSecret(token, 'Jira API token (Jira double)');
      apiToken = token;
    },
    setIssueStatus: (key, status) => {
      const issue = findIssue(key);
      if (!issue) throw new Error(`The double has no issue ${key}`);
      issue.status = status;
    },
    requestsTo: (endpoint) => requests.filter((r) => r.endpoint === endpoint),
    issueByKey: (key) => findIssue(key),
    close: async () => {
      for (const res of hung) res.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function defaultFaultBody(status: number): unknown {
  switch (status) {
    case 400:
      return errorCollection(['The request is invalid.']);
    case 401:
      return errorCollection(['Client must be authenticated to access this resource.']);
    case 403:
      return errorCollection(['You do not have permission to perform this operation.']);
    case 404:
      return errorCollection(['The requested resource could not be found.']);
    case 429:
      return errorCollection(['Rate limit exceeded.']);
    case 503:
      return errorCollection(['Service Unavailable']);
    default:
      return errorCollection(['Internal server error']);
  }
}

function encodePageToken(offset: number, jql: string): string {
  return Buffer.from(JSON.stringify({ offset, jql })).toString('base64url');
}

function decodePageToken(token: string, jql: string): number | undefined {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown; jql?: unknown };
    return typeof decoded.offset === 'number' && decoded.jql === jql ? decoded.offset : undefined;
  } catch {
    return undefined;
  }
}

function sortIssues(list: DoubleIssue[], orderBy: ReadonlyArray<{ field: string; direction: 'asc' | 'desc' }>): DoubleIssue[] {
  const sorted = [...list];
  for (const { field, direction } of [...orderBy].reverse()) {
    const sign = direction === 'asc' ? 1 : -1;
    const keyOf = (issue: DoubleIssue): number | string =>
      field === 'key' || field === 'created' || field === 'id' ? Number(issue.id) : field === 'summary' ? issue.summary : issue.status;
    sorted.sort((a, b) => {
      const ka = keyOf(a);
      const kb = keyOf(b);
      return ka < kb ? -sign : ka > kb ? sign : 0;
    });
  }
  return sorted;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // Past the limit the rest is drained, not kept: the request is answered 413.
    if (size <= MAX_BODY_BYTES + 1) chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
