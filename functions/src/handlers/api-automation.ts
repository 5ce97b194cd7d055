import { z } from 'zod';
import type { DynamoAuditStore } from '../adapters/dynamodb/audit-store.js';
import type { DynamoIncidentStore } from '../adapters/dynamodb/incident-store.js';
import type { DynamoConfigStore, StoredJiraSettings } from '../adapters/dynamodb/settings-store.js';
import { JiraClient, testConnection, validateJiraBaseUrl } from '../adapters/jira/jira-client.js';
import type { JiraTokenStore } from '../adapters/secrets/jira-token-store.js';
import { executionName, type WorkflowStarter } from '../adapters/stepfunctions/workflow-starter.js';
import { SEVERITIES } from '../domain/catalog.js';
import { DEFAULT_AUTOMATION } from '../domain/automation.js';
import { NotFoundError, StackLensError, ValidationError } from '../domain/errors.js';
import { INCIDENT_ID_PATTERN, INCIDENT_STATUSES, type Incident } from '../domain/incident.js';
import type { JiraSettings } from '../domain/jira/settings.js';
import type { Notifier } from '../ports.js';
import { caller, json, parseBody, type ApiEvent, type ApiRoute } from './http.js';

export interface AutomationApiDeps {
  readonly audit: DynamoAuditStore;
  readonly incidents: DynamoIncidentStore;
  readonly config: DynamoConfigStore;
  readonly jiraTokens: JiraTokenStore;
  readonly workflow?: WorkflowStarter;
  readonly notifier: () => Notifier;
  readonly jiraAllowHosts: readonly string[];
  readonly jiraTimeoutMs?: number;
  readonly now?: () => Date;
}

export const AUTOMATION_ROUTES = [
  'GET /api/integrations/jira',
  'PUT /api/integrations/jira',
  'POST /api/integrations/jira/test',
  'GET /api/settings/automation',
  'PUT /api/settings/automation',
  'POST /api/incidents/{id}/ticket',
  'POST /api/incidents/{id}/analyze',
  'PATCH /api/incidents/{id}',
] as const;

const priorityName = z.string().trim().min(1).max(60);
const jiraBody = z
  .object({
    baseUrl: z.string().trim().min(1).max(300),
    email: z.string().trim().email().max(254),
    apiToken: z.string().trim().min(1).max(4096).optional(),
    projectKey: z.string().trim().regex(/^[A-Z][A-Z0-9_]{0,9}$/, 'must be a Jira project key such as OPS'),
    issueType: z.string().trim().min(1).max(60),
    priorityMap: z.object(Object.fromEntries(SEVERITIES.map((s) => [s, priorityName])) as Record<(typeof SEVERITIES)[number], typeof priorityName>).strict(),
    enabled: z.boolean(),
    commentWindowMinutes: z.number().int().min(1).max(1440).default(60),
  })
  .strict();

const automationBody = z
  .object({
    autoTicket: z.boolean(),
    minSeverity: z.enum(SEVERITIES),
    maxTicketsPerHour: z.number().int().min(0).max(1000),
    ticketRetryBudgetSeconds: z.number().int().min(1).max(3600).default(DEFAULT_AUTOMATION.ticketRetryBudgetSeconds),
  })
  .strict();

const patchBody = z.object({ status: z.enum(INCIDENT_STATUSES) }).strict();

/** Which settings field each connection-test failure points at, so the form can show it next to the right input. */
const FIELD_FOR_REASON: Record<string, string> = {
  bad_credentials: 'apiToken',
  unknown_project: 'projectKey',
  no_permission: 'projectKey',
  unreachable: 'baseUrl',
  invalid_issue_type: 'issueType',
  invalid_priority: 'priorityMap',
};

/** The settings proper, without the stored item's bookkeeping (token flag and version, who saved it when). */
function settingsOf(stored: StoredJiraSettings): JiraSettings {
  const { baseUrl, email, projectKey, issueType, priorityMap, enabled, commentWindowMinutes } = stored;
  return { baseUrl, email, projectKey, issueType, priorityMap, enabled, commentWindowMinutes };
}

export function automationRoutes(deps: AutomationApiDeps): Record<(typeof AUTOMATION_ROUTES)[number], ApiRoute> {
  const now = deps.now ?? (() => new Date());
  const audit = (event: ApiEvent, action: string, target: string, detail?: Record<string, unknown>) =>
    deps.audit.record({ at: now().toISOString(), actor: caller(event).subject, action, target, ...(detail ? { detail } : {}) });

  const incidentFrom = async (event: ApiEvent): Promise<Incident> => {
    const id = event.pathParameters?.id ?? '';
    const incident = INCIDENT_ID_PATTERN.test(id) ? await deps.incidents.get(id) : undefined;
    if (!incident) throw new NotFoundError(`No incident with id ${id}`);
    return incident;
  };

  const requireWorkflow = (): WorkflowStarter => {
    if (!deps.workflow) throw new StackLensError('DEPENDENCY_FAILED', 'The analysis and ticket workflow is not configured in this deployment');
    return deps.workflow;
  };

  /** Checks unsaved settings against Jira itself: the token in the body if given, else the saved one. */
  const check = async (settings: JiraSettings, apiToken: string | undefined, stored: StoredJiraSettings | undefined) => {
    const url = validateJiraBaseUrl(settings.baseUrl, [...deps.jiraAllowHosts]);
    if (!url.ok) return { ok: false as const, reason: 'invalid_base_url', field: 'baseUrl', message: url.reason };
    const token = apiToken ?? (stored?.apiTokenSet ? await deps.jiraTokens.get(stored.tokenVersion) : undefined);
    if (!token) return { ok: false as const, reason: 'no_token', field: 'apiToken', message: 'An API token is required: none is saved yet' };
    const client = new JiraClient({ baseUrl: url.url, email: settings.email, apiToken: async () => token, timeoutMs: deps.jiraTimeoutMs ?? 10_000 });
    const result = await testConnection(client, settings);
    return result.ok ? { ...result, baseUrl: url.url } : { ...result, field: FIELD_FOR_REASON[result.reason] ?? 'baseUrl' };
  };

  const publicJira = (stored: StoredJiraSettings | undefined) =>
    stored
      ? { ...settingsOf(stored), apiTokenSet: stored.apiTokenSet === true, updatedAt: stored.updatedAt, updatedBy: stored.updatedBy }
      : { configured: false, apiTokenSet: false };

  return {
    'GET /api/integrations/jira': async () => json(200, publicJira(await deps.config.getJira())),

    'PUT /api/integrations/jira': async (event) => {
      const { apiToken, ...settings } = parseBody(event, jiraBody);
      const stored = await deps.config.getJira();
      const result = await check(settings, apiToken, stored);
      if (!result.ok) {
        throw new ValidationError(`Jira rejected these settings: ${result.message}`, { fields: [{ field: result.field, message: result.message }], reason: result.reason });
      }
      if (apiToken) await deps.jiraTokens.put(apiToken);
      const saved = await deps.config.putJira({ ...settings, baseUrl: result.baseUrl }, { tokenSaved: apiToken !== undefined, updatedBy: caller(event).subject, now: now().toISOString() });
      // What changed, never the token itself.
      await audit(event, 'jira.settings.saved', settings.projectKey, { baseUrl: result.baseUrl, enabled: settings.enabled, issueType: settings.issueType, tokenChanged: apiToken !== undefined });
      return json(200, publicJira(saved));
    },

    'POST /api/integrations/jira/test': async (event) => {
      const stored = await deps.config.getJira();
      const { apiToken, ...overlay } = event.body ? parseBody(event, jiraBody.partial()) : {};
      // Unsaved form values win over saved ones.
      const complete = jiraBody.omit({ apiToken: true }).safeParse({ ...(stored ? settingsOf(stored) : {}), ...overlay });
      if (!complete.success) {
        const fields = complete.error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
        throw new ValidationError('Nothing complete to test: save Jira settings first or send every field in the body', { fields });
      }
      const result = await check(complete.data, apiToken, stored);
      return json(200, result);
    },

    'GET /api/settings/automation': async () => json(200, await deps.config.getAutomation()),

    'PUT /api/settings/automation': async (event) => {
      const settings = parseBody(event, automationBody);
      const saved = await deps.config.putAutomation(settings, { updatedBy: caller(event).subject, now: now().toISOString() });
      await audit(event, 'automation.settings.saved', 'automation', { ...settings });
      return json(200, saved);
    },

    'POST /api/incidents/{id}/ticket': async (event) => {
      const incident = await incidentFrom(event);
      const ticket = incident.ticket;
      if (ticket?.status === 'created') return json(200, { ticket });
      if (ticket?.status === 'pending') return json(202, { ticket });
      // Named after the ticket's state, so a double click starts one run and a retry after a failure starts a fresh one.
      const execution = executionName(incident.id, `manual-${ticket ? Date.parse(ticket.updatedAt) : 'first'}`);
      await requireWorkflow().start({ incidentId: incident.id, mode: 'manual', execution });
      await audit(event, 'incident.ticket.requested', incident.id, { execution });
      return json(202, { ticket: { status: 'pending', attempts: ticket?.attempts ?? 0, updatedAt: now().toISOString() }, execution });
    },

    'POST /api/incidents/{id}/analyze': async (event) => {
      const incident = await incidentFrom(event);
      const execution = executionName(incident.id, `reanalyze-${now().getTime()}`);
      await requireWorkflow().start({ incidentId: incident.id, mode: 'reanalyze', execution });
      await audit(event, 'incident.analysis.requested', incident.id, { execution });
      return json(202, { execution });
    },

    'PATCH /api/incidents/{id}': async (event) => {
      const { status } = parseBody(event, patchBody);
      const incident = await incidentFrom(event);
      const at = now().toISOString();
      const updated = await deps.incidents.setStatus(incident.id, status, at);
      if (!updated) throw new NotFoundError(`No incident with id ${incident.id}`);
      await deps.incidents.appendTimeline(incident.id, { at, step: 'status', status: 'ok', durationMs: 0, detail: { from: incident.status, to: status, by: caller(event).subject } });
      await audit(event, 'incident.status.changed', incident.id, { from: incident.status, to: status });
      await deps.notifier().publish('incident.updated', updated).catch(() => undefined);
      return json(200, updated);
    },
  };
}
