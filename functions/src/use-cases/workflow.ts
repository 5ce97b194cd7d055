import { StackLensError } from '../domain/errors.js';
import type { DynamoIncidentStore } from '../adapters/dynamodb/incident-store.js';
import type { DynamoConfigStore, StoredJiraSettings } from '../adapters/dynamodb/settings-store.js';
import { JiraClient, JiraError, issueUrl } from '../adapters/jira/jira-client.js';
import type { JiraTokenStore } from '../adapters/secrets/jira-token-store.js';
import type { Analysis, Analyzer } from '../domain/analysis/types.js';
import { atLeast } from '../domain/automation.js';
import type { Incident } from '../domain/incident.js';
import { buildIssueFields, buildRecurrenceComment, incidentLabel } from '../domain/jira/issue-content.js';
import { redactText } from '../domain/redact.js';
import type { Notifier } from '../ports.js';

/** What starts an execution of the incident workflow; also the execution's input. */
export interface WorkflowInput {
  readonly incidentId: string;
  readonly mode: 'new' | 'regression' | 'recurrence' | 'manual' | 'reanalyze';
  /** recurrence: how many occurrences the ticket had been told about before this comment */
  readonly previousOccurrences?: number;
  /** the execution's own name: it claims the ticket slot, so a retried step recognises its own claim */
  readonly execution: string;
}

/**
 * Thrown when a Jira call should be tried again later. The state machine retries on this name with backoff and jitter;
 * the step itself gives up (marks the ticket failed) once the retry budget's deadline has passed.
 */
export class JiraRetryableError extends Error {
  override readonly name = 'JiraRetryableError';
}

/** The incident vanished or the input names none: retrying cannot help. */
/** The name stays: the state machine's Catch matches on it. */
export class WorkflowInputError extends StackLensError {
  override readonly name = 'WorkflowInputError';
  constructor(message: string) {
    super('BAD_EVENT', message);
  }
}

export type TicketDecision =
  | { readonly action: 'create'; readonly deadline: string; readonly reason: string }
  | { readonly action: 'comment'; readonly reason: string }
  | { readonly action: 'none'; readonly reason: string };

export type TicketOutcome =
  | { readonly status: 'created'; readonly key: string; readonly url: string; readonly adopted: boolean; readonly durationMs: number }
  | { readonly status: 'failed'; readonly error: string; readonly durationMs: number }
  | { readonly status: 'in_progress'; readonly durationMs: number };

export interface WorkflowDeps {
  readonly incidents: DynamoIncidentStore;
  readonly config: DynamoConfigStore;
  readonly tokens: JiraTokenStore;
  readonly analyzer: Analyzer;
  readonly notifier: Notifier;
  readonly allowHosts: readonly string[];
  readonly dashboardUrl?: string;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  /** after a create whose answer never came, how long the label search gets to see that issue before we create again */
  readonly reconcileDelayMs?: number;
  readonly jiraTimeoutMs?: number;
}

/** A Retry-After longer than this goes back to the state machine's backoff instead of holding the Lambda. */
const MAX_INLINE_WAIT_MS = 10_000;
const MAX_INLINE_RETRIES = 5;
/** A claim older than this belongs to an execution that died; another may take the slot over. */
const CLAIM_STALE_MS = 5 * 60_000;
const SAMPLE_COUNT = 5;

export class IncidentWorkflow {
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: WorkflowDeps) {
    this.now = deps.now ?? (() => new Date());
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async analyze(incidentId: string): Promise<Analysis> {
    const incident = await this.incident(incidentId);
    const [occurrences, recent] = await Promise.all([this.deps.incidents.recentOccurrences(incidentId, SAMPLE_COUNT), this.deps.incidents.recentSummaries(100)]);
    return this.deps.analyzer.analyze({
      incident,
      samples: occurrences.map((o) => redactText(o.message).text),
      pastIncidents: recent.filter((i) => i.id !== incidentId),
    });
  }

  async recordAnalysis(incidentId: string, analysis: Analysis): Promise<void> {
    const incident = await this.deps.incidents.setAnalysis(incidentId, analysis);
    if (!incident) throw new WorkflowInputError(`Incident ${incidentId} does not exist`);
    await this.deps.incidents.appendTimeline(incidentId, {
      at: this.now().toISOString(),
      step: 'analysis',
      status: 'ok',
      durationMs: analysis.durationMs,
      detail: { source: analysis.source, confidence: analysis.confidence, ...(analysis.fallbackReason ? { fallbackReason: analysis.fallbackReason } : {}) },
    });
    await this.push(incident);
  }

  async decideTicket(input: WorkflowInput): Promise<TicketDecision> {
    const incident = await this.incident(input.incidentId);
    const decision = await this.decide(incident, input.mode);
    if (decision.action === 'none') {
      await this.deps.incidents.appendTimeline(incident.id, { at: this.now().toISOString(), step: 'ticket', status: 'skipped', durationMs: 0, detail: { reason: decision.reason } });
      await this.push(incident);
    }
    return decision;
  }

  private async decide(incident: Incident, mode: WorkflowInput['mode']): Promise<TicketDecision> {
    if (incident.ticket?.status === 'created') {
      return mode === 'regression' ? { action: 'comment', reason: 'resolved incident recurred' } : { action: 'none', reason: `ticket ${incident.ticket.key ?? ''} already exists` };
    }
    const jira = await this.deps.config.getJira();
    if (!jira) return { action: 'none', reason: 'Jira is not configured' };
    if (!jira.enabled) return { action: 'none', reason: 'Jira integration is disabled' };
    if (!jira.apiTokenSet) return { action: 'none', reason: 'no Jira API token is saved' };
    const automation = await this.deps.config.getAutomation();
    const deadline = new Date(this.now().getTime() + automation.ticketRetryBudgetSeconds * 1000).toISOString();
    if (mode === 'manual') return { action: 'create', deadline, reason: 'requested by an admin' };
    if (mode === 'reanalyze' || mode === 'recurrence') return { action: 'none', reason: `no automatic ticket on ${mode}` };
    if (!automation.autoTicket) return { action: 'none', reason: 'automatic tickets are switched off' };
    if (!atLeast(incident.severity, automation.minSeverity)) return { action: 'none', reason: `severity ${incident.severity} is below the automation minimum (${automation.minSeverity})` };
    const hour = this.now().toISOString().slice(0, 13);
    if (!(await this.deps.config.takeTicketAllowance(hour, automation.maxTicketsPerHour))) {
      return { action: 'none', reason: `hourly cap of ${automation.maxTicketsPerHour} automatic tickets reached` };
    }
    return { action: 'create', deadline, reason: 'automation' };
  }

  /**
   * Exactly one ticket per incident: the slot is claimed before Jira is called, the unique label is searched before any
   * create, and a create whose answer was lost is given time to show up in search before we would create again.
   */
  async createTicket(incidentId: string, claimant: string, deadline: string): Promise<TicketOutcome> {
    const started = Date.now();
    const done = (): number => Date.now() - started;
    const nowIso = (): string => this.now().toISOString();
    const claim = await this.deps.incidents.claimTicket(incidentId, claimant, nowIso(), new Date(this.now().getTime() - CLAIM_STALE_MS).toISOString());
    const incident = claim.incident;
    if (!incident) throw new WorkflowInputError(`Incident ${incidentId} does not exist`);
    if (!claim.claimed) {
      const ticket = incident.ticket;
      if (ticket?.status === 'created' && ticket.key && ticket.url) return { status: 'created', key: ticket.key, url: ticket.url, adopted: true, durationMs: done() };
      return { status: 'in_progress', durationMs: done() };
    }

    const jira = await this.deps.config.getJira();
    if (!jira || !jira.enabled) return this.failTicket(incidentId, claimant, 'Jira is not configured or is disabled', done);
    let client = await this.client(jira);
    const label = incidentLabel(incidentId);

    for (let attempt = 0; ; attempt++) {
      try {
        const existing = await client.searchByLabel(jira.projectKey, label);
        if (existing[0]) return this.ticketCreated(incident, claimant, existing[0].key, jira.baseUrl, true, done);

        const ambiguousAt = incident.ticket?.ambiguousAt;
        const reconcileDelay = this.deps.reconcileDelayMs ?? 20_000;
        if (ambiguousAt && this.now().getTime() - Date.parse(ambiguousAt) < reconcileDelay) {
          throw new JiraRetryableError('A create request went unanswered; waiting for Jira search to show whether it was created');
        }
        if (this.now().toISOString() > deadline) {
          return this.failTicket(incidentId, claimant, `Gave up after the retry budget: ${incident.ticket?.error ?? 'Jira kept failing'}`, done);
        }

        const [occurrences, kioskCounts] = await Promise.all([this.deps.incidents.recentOccurrences(incidentId, SAMPLE_COUNT), this.deps.incidents.kioskCounts(incidentId)]);
        const fields = buildIssueFields({
          incident,
          ...(incident.analysis ? { analysis: incident.analysis } : {}),
          samples: occurrences.map((o) => redactText(o.message).text),
          kioskCounts,
          settings: jira,
          ...(this.deps.dashboardUrl ? { dashboardUrl: this.deps.dashboardUrl } : {}),
        });
        const created = await client.createIssue(fields);
        return this.ticketCreated(incident, claimant, created.key, jira.baseUrl, false, done);
      } catch (error) {
        if (error instanceof JiraRetryableError) throw error;
        if (!(error instanceof JiraError)) throw error;
        if (error.kind === 'auth' && attempt === 0) {
          // The token may have been rotated behind the cache's back: read it fresh once before calling it bad.
          client = await this.client(jira, true);
          continue;
        }
        if (!error.retryable) return this.failTicket(incidentId, claimant, describe(error), done);
        const ambiguous = error.kind === 'timeout' || error.kind === 'network';
        await this.deps.incidents.updatePendingTicket(incidentId, claimant, { error: describe(error), ...(ambiguous ? { ambiguousAt: nowIso() } : {}) }, nowIso(), true);
        const waitMs = (error.retryAfterSeconds ?? 0) * 1000;
        const timeLeft = Date.parse(deadline) - this.now().getTime();
        if (!ambiguous && error.retryAfterSeconds !== undefined && waitMs <= MAX_INLINE_WAIT_MS && waitMs < timeLeft && attempt < MAX_INLINE_RETRIES) {
          await this.sleep(waitMs);
          continue;
        }
        if (timeLeft <= 0) return this.failTicket(incidentId, claimant, `Gave up after the retry budget: ${describe(error)}`, done);
        throw new JiraRetryableError(describe(error));
      }
    }
  }

  async recordTicket(incidentId: string, outcome: TicketOutcome): Promise<void> {
    const incident = await this.incident(incidentId);
    const at = this.now().toISOString();
    if (outcome.status === 'created' && !outcome.adopted) await this.deps.config.recordTicketOutcome('lastTicket', { incidentId, key: outcome.key, url: outcome.url, at });
    if (outcome.status === 'failed') await this.deps.config.recordTicketOutcome('lastFailure', { incidentId, error: outcome.error, at });
    if (outcome.status !== 'in_progress') {
      await this.deps.incidents.appendTimeline(incidentId, {
        at: this.now().toISOString(),
        step: 'ticket',
        status: outcome.status === 'created' ? 'ok' : 'failed',
        durationMs: outcome.durationMs,
        detail: outcome.status === 'created' ? { key: outcome.key, url: outcome.url, adopted: outcome.adopted } : { reason: outcome.error },
      });
    }
    await this.push(incident);
  }

  /** Recurrence and regression notes on the existing ticket; Jira's own failures go back to the state machine's retry. */
  async comment(input: WorkflowInput): Promise<{ status: 'commented' | 'skipped'; reason?: string }> {
    const started = Date.now();
    const incident = await this.incident(input.incidentId);
    const jira = await this.deps.config.getJira();
    const key = incident.ticket?.status === 'created' ? incident.ticket.key : undefined;
    if (!key || !jira?.enabled) return { status: 'skipped', reason: key ? 'Jira integration is disabled' : 'incident has no ticket' };
    const body = buildRecurrenceComment({
      incident,
      newOccurrences: Math.max(0, incident.occurrences - (input.previousOccurrences ?? 0)),
      windowMinutes: jira.commentWindowMinutes,
      storeCounts: incident.storeCounts,
      regressed: input.mode === 'regression',
      ...(this.deps.dashboardUrl ? { dashboardUrl: this.deps.dashboardUrl } : {}),
    });
    try {
      await (await this.client(jira)).addComment(key, body);
    } catch (error) {
      if (error instanceof JiraError && error.retryable) throw new JiraRetryableError(describe(error));
      throw error;
    }
    await this.deps.incidents.appendTimeline(incident.id, { at: this.now().toISOString(), step: 'comment', status: 'ok', durationMs: Date.now() - started, detail: { key, mode: input.mode } });
    await this.push(incident);
    return { status: 'commented' };
  }

  /** The Catch path: whatever step failed after its retries is written on the timeline and pushed. */
  async recordFailure(incidentId: string, step: string, error: { Error?: string; Cause?: string }, claimant?: string): Promise<void> {
    const reason = `${error.Error ?? 'Error'}: ${errorMessage(error.Cause)}`.slice(0, 1000);
    if (claimant && step === 'ticket') {
      await this.deps.incidents.finishTicket(incidentId, claimant, { status: 'failed', error: reason }, this.now().toISOString());
      await this.deps.config.recordTicketOutcome('lastFailure', { incidentId, error: reason, at: this.now().toISOString() });
    }
    await this.deps.incidents.appendTimeline(incidentId, { at: this.now().toISOString(), step, status: 'failed', durationMs: 0, detail: { reason } });
    const incident = await this.deps.incidents.get(incidentId);
    if (incident) await this.push(incident);
  }

  async notifyDone(incidentId: string): Promise<void> {
    const started = Date.now();
    const incident = await this.incident(incidentId);
    const { delivered } = await this.deps.notifier.publish('incident.updated', incident);
    await this.deps.incidents.appendTimeline(incidentId, { at: this.now().toISOString(), step: 'notified', status: 'ok', durationMs: Date.now() - started, detail: { delivered, workflow: 'done' } });
  }

  private async ticketCreated(incident: Incident, claimant: string, key: string, baseUrl: string, adopted: boolean, done: () => number): Promise<TicketOutcome> {
    const url = issueUrl(baseUrl, key);
    await this.deps.incidents.finishTicket(incident.id, claimant, { status: 'created', key, url, occurrences: incident.occurrences }, this.now().toISOString());
    return { status: 'created', key, url, adopted, durationMs: done() };
  }

  private async failTicket(incidentId: string, claimant: string, error: string, done: () => number): Promise<TicketOutcome> {
    await this.deps.incidents.finishTicket(incidentId, claimant, { status: 'failed', error }, this.now().toISOString());
    return { status: 'failed', error, durationMs: done() };
  }

  private async client(jira: StoredJiraSettings, forceFetch = false): Promise<JiraClient> {
    const token = await this.deps.tokens.get(jira.tokenVersion, { forceFetch });
    return new JiraClient({
      baseUrl: jira.baseUrl,
      email: jira.email,
      apiToken: async () => token ?? (await this.deps.tokens.get(jira.tokenVersion)) ?? '',
      timeoutMs: this.deps.jiraTimeoutMs ?? 10_000,
    });
  }

  private async incident(id: string): Promise<Incident> {
    const incident = await this.deps.incidents.get(id);
    if (!incident) throw new WorkflowInputError(`Incident ${id} does not exist`);
    return incident;
  }

  private async push(incident: Incident): Promise<void> {
    try {
      await this.deps.notifier.publish('incident.updated', incident);
    } catch {
      // Live clients catch up by seq; a failed push must not fail a step whose work is stored.
    }
  }
}

function describe(error: JiraError): string {
  const detail = error.messages.length > 0 ? `: ${error.messages.join('; ')}` : '';
  return `${error.message}${detail}`.slice(0, 1000);
}

/** Step Functions hands Lambda errors over as a JSON string in Cause; locally it is the message itself. */
function errorMessage(cause: string | undefined): string {
  if (!cause) return 'no detail';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}
