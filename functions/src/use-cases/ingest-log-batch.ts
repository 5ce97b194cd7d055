import { createHash } from 'node:crypto';
import { splitStableId } from '../domain/event-id.js';
import { redact } from '../domain/redact.js';
import { analyzeRecord, type AnalyzedRecord } from '../domain/analyze.js';
import { cleanDimension, dimensionsFromStream, truncateSample, type Incident, type IncidentDelta, type Occurrence } from '../domain/incident.js';
import { executionName, type WorkflowStarter } from '../adapters/stepfunctions/workflow-starter.js';
import type { IncidentStore, Notifier, StatsStore } from '../ports.js';

export interface LogBatch {
  readonly logGroup: string;
  readonly logStream: string;
  readonly events: ReadonlyArray<{ readonly id: string; readonly timestamp: number; readonly message: string }>;
}

export interface IngestDeps {
  readonly incidents: IncidentStore;
  readonly stats: StatsStore;
  readonly notifier: Notifier;
  /** Starts analysis and ticketing; without it incidents are only recorded and pushed. */
  readonly workflow?: WorkflowStarter;
  /** Recurrence comments on a ticketed incident: at most one per this many minutes (the Jira settings' window). */
  readonly commentWindowMinutes?: () => Promise<number>;
  readonly now?: () => Date;
}

export interface IngestResult {
  readonly received: number;
  readonly recorded: number;
  readonly skipped: Record<string, number>;
  readonly created: string[];
  readonly updated: string[];
}

/** Claims run concurrently, but bounded so one 10,000-event batch does not open 10,000 sockets to DynamoDB. */
const CLAIM_CONCURRENCY = 16;

interface Pending {
  readonly record: AnalyzedRecord;
  readonly occurrence: Occurrence;
}

/**
 * The ingest use case: one batch of log events from one stream becomes occurrences on incidents.
 * Each log event counts at most once (its id is the occurrence key), incidents are updated with atomic
 * counters, and every touched incident is pushed to live dashboards.
 */
export async function ingestLogBatch(batch: LogBatch, deps: IngestDeps): Promise<IngestResult> {
  const now = deps.now ?? (() => new Date());
  const started = Date.now();
  const skipped: Record<string, number> = {};
  const skip = (reason: string): void => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
  };

  const streamDims = dimensionsFromStream(batch.logStream);
  const pending: Pending[] = [];
  for (const event of batch.events) {
    const { stableId, message: raw } = splitStableId(event.message);
    // The agent redacts on the kiosk, but anything else allowed to write to the log group (another shipper, an old or
    // misconfigured kiosk) may not have: card data must never reach the tables, the dashboard or a ticket.
    const message = redact(raw);
    if (message.trim() === '') {
      skip('empty');
      continue;
    }
    const record = analyzeRecord(message);
    if (!record.isError) {
      skip('not_error');
      continue;
    }
    const occurredAt = new Date(event.timestamp);
    if (Number.isNaN(occurredAt.getTime())) {
      skip('bad_timestamp');
      continue;
    }
    pending.push({
      record,
      occurrence: {
        incidentId: record.fingerprint,
        // A re-sent copy of the same record has a new CloudWatch id but the same stable id (scoped to its stream).
        eventId: stableId === undefined ? event.id : `${batch.logStream}/${stableId}`,
        occurredAt: occurredAt.toISOString(),
        // The record's own store/kiosk wins: one POS process may serve several tills while its agent ships on one stream.
        storeId: cleanDimension(record.storeId) ?? streamDims.storeId,
        kioskId: cleanDimension(record.kioskId) ?? streamDims.kioskId,
        logStream: batch.logStream,
        message: truncateSample(message),
      },
    });
  }

  const unique = withoutRepeats(pending);
  const batches = batchIds(unique);
  const fresh = await claimAll(unique, deps.incidents, batches);
  const duplicates = pending.length - fresh.length;
  if (duplicates > 0) skipped.duplicate = duplicates;

  const created: string[] = [];
  const updated: string[] = [];
  const countedBefore = new Set<string>();
  const deltas = deltasByIncident(fresh);
  await Promise.all(
    deltas.map(async ({ delta, occurrences }) => {
      const applied = await deps.incidents.applyDelta({ ...delta, batch: batches.get(delta.id)! });
      if (applied.applied === false) countedBefore.add(delta.id);
      const isNew = applied.created;
      let incident = applied.incident;
      (isNew ? created : updated).push(incident.id);
      const at = now().toISOString();
      const durationMs = Date.now() - started;
      const reopened = deps.workflow && incident.status === 'resolved' ? await deps.incidents.markRegressed(incident.id, at) : undefined;
      if (reopened) incident = reopened;
      // Independent writes go out together: this path is most of the log-to-dashboard latency.
      await Promise.all([
        deps.incidents.markCounted(occurrences),
        isNew
          ? deps.incidents.appendTimeline(incident.id, {
              at,
              step: 'detected',
              status: 'ok',
              durationMs,
              detail: { code: incident.code, severity: incident.severity },
            })
          : undefined,
        deps.incidents.appendTimeline(incident.id, {
          at,
          step: 'ingested',
          status: 'ok',
          durationMs,
          detail: { occurrences: delta.count, logStream: batch.logStream },
        }),
        reopened
          ? deps.incidents.appendTimeline(incident.id, { at, step: 'regressed', status: 'ok', durationMs: 0, detail: { regressions: reopened.regressions } })
          : undefined,
        notify(deps, incident, isNew ? 'incident.created' : 'incident.updated', now),
        automate(deps, incident, { isNew, regressed: reopened !== undefined }, now),
      ]);
      await deps.incidents.finishBatch(delta.id, batches.get(delta.id)!);
    }),
  );
  // Incidents of this batch whose occurrences were all counted already: a redelivery may still hold its batch open.
  const withFresh = new Set(deltas.map(({ delta }) => delta.id));
  await Promise.all([...batches].filter(([id]) => !withFresh.has(id)).map(([id, batch]) => deps.incidents.finishBatch(id, batch)));

  await Promise.all([
    Object.keys(skipped).length > 0 ? deps.stats.increment('ingest.skipped', skipped) : undefined,
    // The overview reads the last hour and today; two days of buckets is plenty.
    ...fleetCounters(fresh.filter(({ occurrence }) => !countedBefore.has(occurrence.incidentId))).map(([group, counts]) =>
      deps.stats.increment(group, counts, Math.floor(Date.now() / 1000) + 2 * 86_400),
    ),
  ]);
  return { received: batch.events.length, recorded: fresh.length, skipped, created, updated };
}

/**
 * One delivery can carry a record twice: CloudWatch Logs batches several PutLogEvents of a stream into one invocation,
 * and an agent re-sends a batch whose answer it lost. Claims cannot tell those copies apart (they hold the same batch
 * id, which is how a retried delivery resumes), so only the first copy is kept.
 */
function withoutRepeats(items: readonly Pending[]): Pending[] {
  const seen = new Set<string>();
  return items.filter(({ occurrence }) => {
    const key = `${occurrence.incidentId}\n${occurrence.occurredAt}#${occurrence.eventId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Errors per minute and per store per day across the fleet, for the overview page. */
function fleetCounters(items: readonly Pending[]): Array<[string, Record<string, number>]> {
  const groups = new Map<string, Record<string, number>>();
  const add = (group: string, name: string) => {
    const counts = groups.get(group) ?? {};
    counts[name] = (counts[name] ?? 0) + 1;
    groups.set(group, counts);
  };
  for (const { occurrence } of items) {
    add(`errors#${occurrence.occurredAt.slice(0, 16)}`, 'count');
    add(`stores#${occurrence.occurredAt.slice(0, 10)}`, occurrence.storeId);
  }
  return [...groups];
}

/**
 * One id per incident in this delivery, from the events it carries: a redelivery of the same delivery gets the same
 * ids, whatever was claimed or counted in between.
 */
function batchIds(items: readonly Pending[]): Map<string, string> {
  const keys = new Map<string, string[]>();
  for (const { occurrence } of items) {
    const list = keys.get(occurrence.incidentId) ?? [];
    list.push(`${occurrence.occurredAt}#${occurrence.eventId}`);
    keys.set(occurrence.incidentId, list);
  }
  return new Map(
    [...keys].map(([id, list]) => [id, createHash('sha256').update(id).update('\n').update(list.sort().join('\n')).digest('base64url').slice(0, 22)]),
  );
}

async function claimAll(pending: readonly Pending[], store: IncidentStore, batches: ReadonlyMap<string, string>): Promise<Pending[]> {
  const claimed = new Array<boolean>(pending.length).fill(false);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pending.length) {
      const index = next++;
      const occurrence = pending[index]!.occurrence;
      claimed[index] = await store.claimOccurrence(occurrence, batches.get(occurrence.incidentId));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CLAIM_CONCURRENCY, pending.length) }, worker));
  return pending.filter((_, i) => claimed[i]);
}

function deltasByIncident(items: readonly Pending[]): Array<{ delta: IncidentDelta; occurrences: Occurrence[] }> {
  const byId = new Map<
    string,
    {
      first: Pending;
      last: Pending;
      count: number;
      stores: Record<string, number>;
      kiosks: Record<string, number>;
      minutes: Record<string, number>;
      min: string;
      max: string;
      occurrences: Occurrence[];
    }
  >();
  for (const item of items) {
    const { occurrence } = item;
    let acc = byId.get(occurrence.incidentId);
    if (!acc) {
      acc = { first: item, last: item, count: 0, stores: {}, kiosks: {}, minutes: {}, min: occurrence.occurredAt, max: occurrence.occurredAt, occurrences: [] };
      byId.set(occurrence.incidentId, acc);
    }
    acc.count += 1;
    acc.occurrences.push(occurrence);
    acc.stores[occurrence.storeId] = (acc.stores[occurrence.storeId] ?? 0) + 1;
    const kiosk = `${occurrence.storeId}/${occurrence.kioskId}`;
    acc.kiosks[kiosk] = (acc.kiosks[kiosk] ?? 0) + 1;
    const minute = occurrence.occurredAt.slice(0, 16);
    acc.minutes[minute] = (acc.minutes[minute] ?? 0) + 1;
    if (occurrence.occurredAt < acc.min) acc.min = occurrence.occurredAt;
    if (occurrence.occurredAt >= acc.max) {
      acc.max = occurrence.occurredAt;
      acc.last = item;
    }
  }
  return [...byId.values()].map(({ first, last, count, stores, kiosks, minutes, min, max, occurrences }) => ({
    occurrences,
    delta: {
      id: first.occurrence.incidentId,
      fingerprint: first.record.fingerprint,
      code: first.record.code,
      title: first.record.title,
      severity: first.record.severity,
      category: first.record.category,
      template: first.record.template,
      count,
      storeCounts: stores,
      kioskCounts: kiosks,
      minuteCounts: minutes,
      firstSeen: min,
      lastSeen: max,
      sample: last.occurrence.message,
    },
  }));
}

/**
 * Starts the workflow that analyses and tickets a new incident, reopens a regressed one, or comments on a ticket about
 * recurrences. Every start has a deterministic execution name, so redelivered events cannot start a second run.
 */
async function automate(deps: IngestDeps, incident: Incident, change: { isNew: boolean; regressed: boolean }, now: () => Date): Promise<void> {
  const workflow = deps.workflow;
  if (!workflow) return;
  const at = now().toISOString();
  const started = Date.now();
  let execution: string | undefined;
  try {
    if (change.regressed) {
      execution = executionName(incident.id, `regression-${incident.regressions ?? 1}`);
      await workflow.start({ incidentId: incident.id, mode: 'regression', execution });
    } else if (change.isNew || !incident.workflowStartedAt) {
      execution = executionName(incident.id, 'new');
      await workflow.start({ incidentId: incident.id, mode: 'new', execution });
      await deps.incidents.markWorkflowStarted(incident.id, at);
    } else if (incident.ticket?.status === 'created' && deps.commentWindowMinutes) {
      const windowMs = (await deps.commentWindowMinutes()) * 60_000;
      const claim = await deps.incidents.claimComment(incident.id, new Date(now().getTime() - windowMs).toISOString(), at, incident.occurrences);
      if (!claim) return;
      execution = executionName(incident.id, `comment-${Date.parse(at)}`);
      await workflow.start({ incidentId: incident.id, mode: 'recurrence', execution, previousOccurrences: claim.previous });
    } else {
      return;
    }
    await deps.incidents.appendTimeline(incident.id, { at, step: 'workflow', status: 'ok', durationMs: Date.now() - started, detail: { execution } });
  } catch (error) {
    // Recorded, not thrown: the occurrences are stored, and the next batch for this incident tries the start again.
    await deps.incidents.appendTimeline(incident.id, {
      at,
      step: 'workflow',
      status: 'failed',
      durationMs: Date.now() - started,
      detail: { execution, reason: error instanceof Error ? error.message : String(error) },
    });
    await deps.stats.increment('workflow.start_failed', { [incident.code]: 1 });
  }
}

async function notify(deps: IngestDeps, incident: Incident, type: string, now: () => Date): Promise<void> {
  const started = Date.now();
  try {
    const { delivered } = await deps.notifier.publish(type, incident);
    // Only the first push is a pipeline step worth a timeline entry; counting ticks would flood the timeline.
    if (type === 'incident.created') {
      await deps.incidents.appendTimeline(incident.id, {
        at: now().toISOString(),
        step: 'notified',
        status: 'ok',
        durationMs: Date.now() - started,
        detail: { delivered },
      });
    }
  } catch (error) {
    // A dashboard that cannot be reached must not fail ingest: the data is stored and clients catch up by seq.
    await deps.incidents.appendTimeline(incident.id, {
      at: now().toISOString(),
      step: 'notified',
      status: 'failed',
      durationMs: Date.now() - started,
      detail: { reason: error instanceof Error ? error.message : String(error) },
    });
    await deps.stats.increment('notify.failed', { [type]: 1 });
  }
}
