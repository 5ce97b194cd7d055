import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Analysis, PastIncident } from '../../domain/analysis/types.js';
import type { Incident, IncidentDelta, IncidentStatus, Occurrence, TicketState, TimelineEntry } from '../../domain/incident.js';
import { ValidationError } from '../../domain/errors.js';
import { minutesWorthKeeping, recentOccurrences, staleMinutes } from '../../domain/recent.js';
import type { IncidentQuery, IncidentStore, Page } from '../../ports.js';
import { isConditionalCheckFailed } from './client.js';

export interface IncidentTables {
  readonly incidents: string;
  readonly occurrences: string;
  readonly timeline: string;
}

const INCIDENT_KIND = 'incident';
const OCCURRENCE_PREFIX = 'occ#';
const KIOSK_PREFIX = 'kiosk#';
const MINUTE_PREFIX = 'min#';
/**
 * The sparkline's counters on the incident item: a map from `YYYY-MM-DDTHH:MM` to occurrences in that minute.
 *
 * Keyed by the minute itself, so a batch adds its counts with the same atomic ADD that counts its occurrences: any
 * number of concurrent batches land without a read, a lock or a lost update. An update expression cannot shift a
 * list, and a slot keyed by minute-of-hour would need a read to know whether to add to it or restart it; absolute
 * minutes need neither. The price is that old minutes must be removed: once an update returns keys that have left
 * the hour before lastSeen, a second write REMOVEs exactly those. lastSeen never moves back, so a key found stale can
 * never be wanted again, and removing it races with nothing a reader would see (the API shows only the window). The
 * map therefore holds at most 60 live keys, plus the few stale ones of a prune that has not happened yet.
 */
const RECENT_ATTRIBUTE = 'recentMinutes';
/** A create that keeps losing races to other writers means something is badly wrong; stop rather than spin. */
const MAX_UPSERT_ROUNDS = 5;

export class DynamoIncidentStore implements IncidentStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: IncidentTables,
    private readonly retentionDays = 30,
  ) {}

  /**
   * The occurrence item is written before the incident is counted and flagged `counted` after. A delivery that failed
   * in between left it uncounted, so the retry counts it instead of dropping it as a duplicate, unless the batch that
   * claimed it had already added it to the incident (its batch attribute is still there): then it is counted.
   */
  async claimOccurrence(occurrence: Occurrence, batch?: string): Promise<boolean> {
    const key = { incidentId: occurrence.incidentId, sk: occurrenceKey(occurrence) };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tables.occurrences,
          Item: { ...occurrence, ...key, counted: false, ...(batch ? { claimedBy: batch } : {}), expiresAt: this.expiry() },
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const existing = await this.db.send(new GetCommand({ TableName: this.tables.occurrences, Key: key, ConsistentRead: true }));
    if (existing.Item?.counted === true) return false;
    const holder = existing.Item?.claimedBy as string | undefined;
    if (!batch || holder === undefined || holder === batch) return true;
    if (await this.batchApplied(occurrence.incidentId, holder)) {
      await this.markCounted([occurrence]);
      return false;
    }
    // The other batch never counted it: take it over, unless someone else just did (or it was counted meanwhile).
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.occurrences,
          Key: key,
          UpdateExpression: 'SET #claimedBy = :me',
          ConditionExpression: '#claimedBy = :holder AND #counted = :false',
          ExpressionAttributeNames: { '#claimedBy': 'claimedBy', '#counted': 'counted' },
          ExpressionAttributeValues: { ':me': batch, ':holder': holder, ':false': false },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async finishBatch(incidentId: string, batch: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.incidents,
          Key: { id: incidentId },
          UpdateExpression: 'REMOVE #batch',
          ConditionExpression: 'attribute_exists(#id)',
          ExpressionAttributeNames: { '#batch': batchAttribute(batch), '#id': 'id' },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  private async batchApplied(incidentId: string, batch: string): Promise<boolean> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tables.incidents, Key: { id: incidentId }, ConsistentRead: true, ProjectionExpression: '#batch', ExpressionAttributeNames: { '#batch': batchAttribute(batch) } }),
    );
    return out.Item?.[batchAttribute(batch)] !== undefined;
  }

  async markCounted(occurrences: readonly Occurrence[]): Promise<void> {
    const expiresAt = this.expiry();
    for (let i = 0; i < occurrences.length; i += 25) {
      let requests: Array<{ PutRequest: { Item: Record<string, unknown> } }> | undefined = occurrences
        .slice(i, i + 25)
        .map((o) => ({ PutRequest: { Item: { ...o, sk: occurrenceKey(o), counted: true, expiresAt } } }));
      for (let attempt = 0; requests && requests.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt) * Math.random()));
        if (attempt === 8) throw new Error(`DynamoDB left ${requests.length} occurrence writes unprocessed after ${attempt} attempts`);
        const out = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tables.occurrences]: requests } }));
        requests = out.UnprocessedItems?.[this.tables.occurrences] as typeof requests;
      }
    }
  }

  async applyDelta(delta: IncidentDelta): Promise<{ incident: Incident; created: boolean; applied?: boolean }> {
    const now = new Date().toISOString();
    for (let round = 0; round < MAX_UPSERT_ROUNDS; round++) {
      // Common case: the incident exists and this batch is its newest news.
      const inOrder = await this.tryUpdate(delta, now, true);
      if (inOrder) return { incident: await this.afterWrite(delta, inOrder), created: false };
      if (delta.batch) {
        // A redelivery of a batch that was counted before its delivery died: the update was refused for that reason.
        const current = await this.db.send(new GetCommand({ TableName: this.tables.incidents, Key: { id: delta.id }, ConsistentRead: true }));
        if (current.Item?.[batchAttribute(delta.batch)] !== undefined) return { incident: toIncident(current.Item), created: false, applied: false };
      }
      // Late batch (an agent catching up after an outage): count it without moving lastSeen backwards.
      const late = await this.tryUpdate(delta, now, false);
      if (late) return { incident: await this.afterWrite(delta, late), created: false };
      const created = await this.tryCreate(delta, now);
      if (created) return { incident: await this.afterWrite(delta, created), created: true };
      // Another writer created it between our update and our create: go round and update it.
    }
    throw new Error(`Incident ${delta.id} could not be written after ${MAX_UPSERT_ROUNDS} rounds of conflicting writes`);
  }

  private async afterWrite(delta: IncidentDelta, item: Record<string, unknown>): Promise<Incident> {
    await Promise.all([this.writeKiosks(delta), this.pruneRecent(delta.id, item)]);
    return toIncident(item);
  }

  private async tryUpdate(delta: IncidentDelta, now: string, advanceLastSeen: boolean, recentMapChecked = false): Promise<Record<string, unknown> | undefined> {
    // Every attribute goes through a placeholder: several of ours (sample, status, kind…) are DynamoDB reserved words.
    const names: Record<string, string> = { '#id': 'id', '#occurrences': 'occurrences', '#updatedAt': 'updatedAt', '#storeCounts': 'storeCounts', '#version': 'version' };
    const values: Record<string, unknown> = { ':n': delta.count, ':now': now, ':one': 1 };
    const adds = ['#occurrences :n', '#version :one'];
    Object.entries(delta.storeCounts).forEach(([store, count], i) => {
      names[`#s${i}`] = store;
      values[`:s${i}`] = count;
      adds.push(`#storeCounts.#s${i} :s${i}`);
    });
    const minutes = minutesWorthKeeping(delta.minuteCounts, delta.lastSeen);
    if (minutes.length > 0) names['#recent'] = RECENT_ATTRIBUTE;
    minutes.forEach(([minute, count], i) => {
      names[`#m${i}`] = minute;
      values[`:m${i}`] = count;
      adds.push(`#recent.#m${i} :m${i}`);
    });
    const sets = ['#updatedAt = :now'];
    let condition = 'attribute_exists(#id)';
    if (delta.batch) {
      names['#batch'] = batchAttribute(delta.batch);
      sets.push('#batch = :now');
      condition += ' AND attribute_not_exists(#batch)';
    }
    if (advanceLastSeen) {
      names['#lastSeen'] = 'lastSeen';
      names['#sample'] = 'sample';
      sets.push('#lastSeen = :last', '#sample = :sample');
      values[':last'] = delta.lastSeen;
      values[':sample'] = delta.sample;
      condition += ' AND #lastSeen <= :last';
    }
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.incidents,
          Key: { id: delta.id },
          UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      const item = out.Attributes;
      if (!item) throw new Error('DynamoDB returned no incident attributes');
      if (!advanceLastSeen && delta.firstSeen < String(item.firstSeen)) return await this.lowerFirstSeen(delta, now);
      return item;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      // An incident stored before the sparkline existed has no map to ADD into; give it one, once, and count again.
      if (!recentMapChecked && minutes.length > 0 && isInvalidDocumentPath(error)) {
        await this.ensureRecentMap(delta.id);
        return this.tryUpdate(delta, now, advanceLastSeen, true);
      }
      throw error;
    }
  }

  private async ensureRecentMap(id: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.incidents,
          Key: { id },
          UpdateExpression: 'SET #recent = if_not_exists(#recent, :empty)',
          ConditionExpression: 'attribute_exists(#id)',
          ExpressionAttributeNames: { '#recent': RECENT_ATTRIBUTE, '#id': 'id' },
          ExpressionAttributeValues: { ':empty': {} },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  /**
   * Removes the minutes that have left the window before the item's lastSeen. Housekeeping only: the API never shows
   * those keys, so a failed prune costs a few bytes until the next update of this incident prunes them instead.
   */
  private async pruneRecent(id: string, item: Record<string, unknown>): Promise<void> {
    const stale = staleMinutes(item[RECENT_ATTRIBUTE] as Record<string, unknown> | undefined, String(item.lastSeen));
    if (stale.length === 0) return;
    const names: Record<string, string> = { '#recent': RECENT_ATTRIBUTE };
    stale.forEach((minute, i) => (names[`#k${i}`] = minute));
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.incidents,
          Key: { id },
          UpdateExpression: `REMOVE ${stale.map((_, i) => `#recent.#k${i}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(#recent)',
          ExpressionAttributeNames: names,
        }),
      );
    } catch {
      // See above: the next update of this incident finds the same keys stale and removes them.
    }
  }

  private async lowerFirstSeen(delta: IncidentDelta, now: string): Promise<Record<string, unknown>> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.incidents,
          Key: { id: delta.id },
          UpdateExpression: 'SET #firstSeen = :first, #updatedAt = :now ADD #version :one',
          ConditionExpression: '#firstSeen > :first',
          ExpressionAttributeNames: { '#firstSeen': 'firstSeen', '#updatedAt': 'updatedAt', '#version': 'version' },
          ExpressionAttributeValues: { ':first': delta.firstSeen, ':now': now, ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (!out.Attributes) throw new Error('DynamoDB returned no incident attributes');
      return out.Attributes;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const current = await this.db.send(new GetCommand({ TableName: this.tables.incidents, Key: { id: delta.id }, ConsistentRead: true }));
      if (!current.Item) throw new Error(`Incident ${delta.id} vanished while being updated`);
      return current.Item;
    }
  }

  private async tryCreate(delta: IncidentDelta, now: string): Promise<Record<string, unknown> | undefined> {
    const item = {
      id: delta.id,
      kind: INCIDENT_KIND,
      fingerprint: delta.fingerprint,
      code: delta.code,
      title: delta.title,
      severity: delta.severity,
      category: delta.category,
      template: delta.template,
      status: 'open',
      firstSeen: delta.firstSeen,
      lastSeen: delta.lastSeen,
      occurrences: delta.count,
      storeCounts: { ...delta.storeCounts },
      [RECENT_ATTRIBUTE]: Object.fromEntries(minutesWorthKeeping(delta.minuteCounts, delta.lastSeen)),
      sample: delta.sample,
      createdAt: now,
      updatedAt: now,
      version: 1,
      ...(delta.batch ? { [batchAttribute(delta.batch)]: now } : {}),
    };
    try {
      await this.db.send(new PutCommand({ TableName: this.tables.incidents, Item: item, ConditionExpression: 'attribute_not_exists(#id)', ExpressionAttributeNames: { '#id': 'id' } }));
      return item;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  /**
   * Kiosk counts and per-minute counts live in their own items: a fleet-wide incident can touch more kiosks than fit
   * in one 400 KB item, and minutes accumulate for as long as the incident lives.
   */
  private async writeKiosks(delta: IncidentDelta): Promise<void> {
    await Promise.all([
      ...Object.entries(delta.minuteCounts).map(([minute, count]) =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tables.occurrences,
            Key: { incidentId: delta.id, sk: `${MINUTE_PREFIX}${minute}` },
            UpdateExpression: 'SET #expiresAt = :exp ADD #occurrences :n',
            ExpressionAttributeNames: { '#expiresAt': 'expiresAt', '#occurrences': 'occurrences' },
            ExpressionAttributeValues: { ':exp': this.expiry(), ':n': count },
          }),
        ),
      ),
      ...Object.entries(delta.kioskCounts).map(([kiosk, count]) =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tables.occurrences,
            Key: { incidentId: delta.id, sk: `${KIOSK_PREFIX}${kiosk}` },
            UpdateExpression: 'SET #kiosk = :kiosk ADD #occurrences :n',
            ExpressionAttributeNames: { '#kiosk': 'kiosk', '#occurrences': 'occurrences' },
            ExpressionAttributeValues: { ':kiosk': kiosk, ':n': count },
          }),
        ),
      ),
    ]);
  }

  /** Occurrences per minute from `sinceMinute` (`YYYY-MM-DDTHH:MM`) on, oldest first; minutes without any are absent. */
  async series(id: string, sinceMinute: string): Promise<Array<{ minute: string; count: number }>> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tables.occurrences,
        KeyConditionExpression: 'incidentId = :id AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':id': id, ':from': `${MINUTE_PREFIX}${sinceMinute}`, ':to': `${MINUTE_PREFIX}\uffff` },
      }),
    );
    return (out.Items ?? []).map((item) => ({ minute: String(item.sk).slice(MINUTE_PREFIX.length), count: Number(item.occurrences) }));
  }

  /**
   * One conditional update of the incident item: resolves the incident as it now is, or undefined when the condition
   * did not hold. Every write bumps `version`, so live clients can order what they receive.
   */
  private async update(
    id: string,
    sets: string[],
    names: Record<string, string>,
    values: Record<string, unknown>,
    condition = 'attribute_exists(#id)',
    adds: string[] = [],
  ): Promise<Incident | undefined> {
    const updateExpression = `SET ${sets.join(', ')} ADD ${['#version :one', ...adds].join(', ')}`;
    // DynamoDB refuses placeholders an expression does not use, so only the ones that appear are sent.
    const text = `${updateExpression} ${condition}`;
    const used = <T>(entries: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(entries).filter(([k]) => new RegExp(`${k}(?![\\w])`).test(text)));
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.incidents,
          Key: { id },
          UpdateExpression: updateExpression,
          ConditionExpression: condition,
          ExpressionAttributeNames: used({ '#id': 'id', '#version': 'version', ...names }),
          ExpressionAttributeValues: used({ ':one': 1, ...values }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toIncident(out.Attributes);
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  /**
   * `updatedAt` is when this write happens, not `analyzedAt`: the analysis can finish well before the workflow stores
   * it, and a client catching up from its newest `updatedAt` would otherwise skip an analysis stamped in its past.
   */
  async setAnalysis(id: string, analysis: Analysis, now = new Date().toISOString()): Promise<Incident | undefined> {
    return this.update(
      id,
      ['#analysis = :analysis', '#updatedAt = :now'],
      { '#analysis': 'analysis', '#updatedAt': 'updatedAt' },
      { ':analysis': analysis, ':now': now },
    );
  }

  /** Only the first start is recorded (and counts as a change); later calls leave the incident as it is. */
  async markWorkflowStarted(id: string, now: string): Promise<void> {
    await this.update(
      id,
      ['#ws = :now', '#updatedAt = :now'],
      { '#ws': 'workflowStartedAt', '#updatedAt': 'updatedAt' },
      { ':now': now },
      'attribute_exists(#id) AND attribute_not_exists(#ws)',
    );
  }

  async setStatus(id: string, status: IncidentStatus, now: string): Promise<Incident | undefined> {
    const sets = ['#status = :status', '#updatedAt = :now'];
    const names: Record<string, string> = { '#status': 'status', '#updatedAt': 'updatedAt' };
    if (status === 'resolved') {
      sets.push('#resolvedAt = :now');
      names['#resolvedAt'] = 'resolvedAt';
    }
    return this.update(id, sets, names, { ':status': status, ':now': now });
  }

  /** A resolved incident that recurs reopens exactly once per recurrence: only the writer that sees `resolved` wins. */
  async markRegressed(id: string, now: string): Promise<Incident | undefined> {
    return this.update(
      id,
      ['#status = :open', '#regressedAt = :now', '#updatedAt = :now'],
      { '#status': 'status', '#regressedAt': 'regressedAt', '#updatedAt': 'updatedAt', '#regressions': 'regressions' },
      { ':open': 'open', ':resolved': 'resolved', ':now': now },
      '#status = :resolved',
      ['#regressions :one'],
    );
  }

  /**
   * Claims the incident's ticket slot for `claimant` before anyone calls Jira. Succeeds when there is no ticket yet, the
   * last attempt failed (a manual retry), or the slot is already this claimant's (a retried step) or abandoned.
   */
  async claimTicket(id: string, claimant: string, now: string, staleBefore: string): Promise<{ claimed: boolean; incident?: Incident }> {
    const fresh = { status: 'pending', attempts: 0, claimedBy: claimant, claimedAt: now, updatedAt: now };
    const names = { '#ticket': 'ticket', '#st': 'status', '#updatedAt': 'updatedAt' };
    const created = await this.update(
      id,
      ['#ticket = :fresh', '#updatedAt = :now'],
      names,
      { ':fresh': fresh, ':now': now, ':failed': 'failed' },
      'attribute_exists(#id) AND (attribute_not_exists(#ticket) OR #ticket.#st = :failed)',
    );
    if (created) return { claimed: true, incident: created };
    const resumed = await this.update(
      id,
      // Nothing the API shows changes here, but `version` does; `updatedAt` moves with it so the two never disagree.
      ['#ticket.#by = :me', '#ticket.#at = :now', '#updatedAt = :now'],
      { '#ticket': 'ticket', '#st': 'status', '#by': 'claimedBy', '#at': 'claimedAt', '#updatedAt': 'updatedAt' },
      { ':me': claimant, ':now': now, ':pending': 'pending', ':stale': staleBefore },
      'attribute_exists(#id) AND #ticket.#st = :pending AND (#ticket.#by = :me OR #ticket.#at < :stale)',
    );
    if (resumed) return { claimed: true, incident: resumed };
    const current = await this.get(id);
    return current ? { claimed: false, incident: current } : { claimed: false };
  }

  /** Updates fields of a pending ticket, only while `claimant` still holds the slot. */
  async updatePendingTicket(id: string, claimant: string, fields: Record<string, unknown>, now: string, countAttempt = false): Promise<Incident | undefined> {
    const names: Record<string, string> = { '#ticket': 'ticket', '#st': 'status', '#by': 'claimedBy', '#tu': 'updatedAt', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':me': claimant, ':pending': 'pending', ':now': now };
    const sets = ['#ticket.#tu = :now', '#updatedAt = :now'];
    Object.entries(fields).forEach(([field, value], i) => {
      names[`#f${i}`] = field;
      values[`:f${i}`] = value;
      sets.push(`#ticket.#f${i} = :f${i}`);
    });
    const adds: string[] = [];
    if (countAttempt) {
      names['#attempts'] = 'attempts';
      adds.push('#ticket.#attempts :one');
    }
    return this.update(id, sets, names, values, '#ticket.#st = :pending AND #ticket.#by = :me', adds);
  }

  async finishTicket(
    id: string,
    claimant: string,
    outcome: { status: 'created'; key: string; url: string; occurrences: number } | { status: 'failed'; error: string },
    now: string,
  ): Promise<Incident | undefined> {
    const fields: Record<string, unknown> =
      outcome.status === 'created'
        ? // The ticket's own text covers what happened so far: recurrence comments start one window later, from this count.
          { status: 'created', key: outcome.key, url: outcome.url, createdAt: now, error: null, lastCommentAt: now, commentedOccurrences: outcome.occurrences }
        : { status: 'failed', error: outcome.error };
    // A created ticket counts the request that made it; `attempts` is then every create request this ticket took.
    return this.updatePendingTicket(id, claimant, fields, now, outcome.status === 'created');
  }

  /**
   * Claims the right to post one recurrence comment: at most one per window per ticket, whoever asks.
   * Resolves the occurrence count at the previous comment (or ticket creation) so the comment can say how many are new.
   */
  async claimComment(id: string, windowStart: string, now: string, occurrences: number): Promise<{ previous: number } | undefined> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.incidents,
          Key: { id },
          UpdateExpression: 'SET #ticket.#lc = :now, #ticket.#co = :occ',
          ConditionExpression: '#ticket.#st = :created AND (attribute_not_exists(#ticket.#lc) OR #ticket.#lc < :windowStart)',
          ExpressionAttributeNames: { '#ticket': 'ticket', '#st': 'status', '#lc': 'lastCommentAt', '#co': 'commentedOccurrences' },
          ExpressionAttributeValues: { ':now': now, ':occ': occurrences, ':created': 'created', ':windowStart': windowStart },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      const old = out.Attributes?.ticket as { commentedOccurrences?: number } | undefined;
      return { previous: Number(old?.commentedOccurrences ?? 0) };
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  async get(id: string): Promise<Incident | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tables.incidents, Key: { id }, ConsistentRead: true }));
    return out.Item ? toIncident(out.Item) : undefined;
  }

  /**
   * Newest lastSeen first; with `updatedSince`, only incidents changed since then, most recently updated first, read
   * from the byUpdatedAt index so that an old incident whose status or ticket just changed is found without paging
   * through everything seen after it.
   */
  async list(query: IncidentQuery): Promise<Page<Incident>> {
    const index: IncidentIndex = query.updatedSince === undefined ? 'byLastSeen' : 'byUpdatedAt';
    const sortKey = INDEX_SORT_KEY[index];
    const filters: string[] = [];
    const names: Record<string, string> = { '#kind': 'kind' };
    const values: Record<string, unknown> = { ':kind': INCIDENT_KIND };
    let keyCondition = '#kind = :kind';
    if (query.updatedSince !== undefined) {
      keyCondition += ' AND #updatedAt >= :since';
      names['#updatedAt'] = 'updatedAt';
      values[':since'] = query.updatedSince;
    }
    if (query.status) {
      filters.push('#status = :status');
      names['#status'] = 'status';
      values[':status'] = query.status;
    }
    if (query.code) {
      filters.push('#code = :code');
      names['#code'] = 'code';
      values[':code'] = query.code;
    }
    if (query.storeId) {
      filters.push('attribute_exists(#storeCounts.#store)');
      names['#storeCounts'] = 'storeCounts';
      names['#store'] = query.storeId;
    }
    const items: Incident[] = [];
    let startKey = decodeCursor(query.cursor, index);
    // A filter can leave pages empty; keep reading until the page is full or the index ends.
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tables.incidents,
          IndexName: index,
          KeyConditionExpression: keyCondition,
          FilterExpression: filters.length > 0 ? filters.join(' AND ') : undefined,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: Math.max(query.limit, 25),
          ExclusiveStartKey: startKey,
        }),
      );
      for (const raw of out.Items ?? []) {
        if (items.length === query.limit) {
          // The page filled mid-way: resume right after the last item we return, not after what DynamoDB read.
          const last = items[items.length - 1]!;
          return { items, nextCursor: encodeCursor({ id: last.id, kind: INCIDENT_KIND, [sortKey]: last[sortKey] }) };
        }
        items.push(toIncident(raw));
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey && items.length < query.limit);
    return startKey ? { items, nextCursor: encodeCursor(startKey) } : { items };
  }

  /** The newest incidents, only the fields similarity search reads: a full page would drag every analysis along. */
  async recentSummaries(limit: number): Promise<PastIncident[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tables.incidents,
        IndexName: 'byLastSeen',
        KeyConditionExpression: '#kind = :kind',
        ProjectionExpression: '#id, #code, #title, #template, #status, #category',
        ExpressionAttributeNames: { '#kind': 'kind', '#id': 'id', '#code': 'code', '#title': 'title', '#template': 'template', '#status': 'status', '#category': 'category' },
        ExpressionAttributeValues: { ':kind': INCIDENT_KIND },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((item) => ({
      id: String(item.id),
      code: String(item.code),
      title: String(item.title),
      template: String(item.template),
      status: item.status as Incident['status'],
      category: item.category as Incident['category'],
    }));
  }

  async recentOccurrences(id: string, limit: number): Promise<Occurrence[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tables.occurrences,
        KeyConditionExpression: 'incidentId = :id AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':id': id, ':prefix': OCCURRENCE_PREFIX },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((item) => ({
      incidentId: String(item.incidentId),
      eventId: String(item.eventId),
      occurredAt: String(item.occurredAt),
      storeId: String(item.storeId),
      kioskId: String(item.kioskId),
      logStream: String(item.logStream),
      message: String(item.message),
    }));
  }

  async kioskCounts(id: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tables.occurrences,
          KeyConditionExpression: 'incidentId = :id AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':id': id, ':prefix': KIOSK_PREFIX },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) counts[String(item.kiosk)] = Number(item.occurrences);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return counts;
  }

  async appendTimeline(id: string, entry: TimelineEntry): Promise<void> {
    // The random suffix keeps two steps logged in the same millisecond from overwriting each other.
    const sk = `${entry.at}#${entry.step}#${Math.random().toString(36).slice(2, 8)}`;
    await this.db.send(new PutCommand({ TableName: this.tables.timeline, Item: { incidentId: id, sk, ...entry, expiresAt: this.expiry() } }));
  }

  async timeline(id: string, limit: number): Promise<TimelineEntry[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tables.timeline,
        KeyConditionExpression: 'incidentId = :id',
        ExpressionAttributeValues: { ':id': id },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? [])
      .map((item) => ({
        at: String(item.at),
        step: String(item.step),
        status: item.status as TimelineEntry['status'],
        durationMs: Number(item.durationMs),
        ...(item.detail ? { detail: item.detail as Record<string, unknown> } : {}),
      }))
      .reverse();
  }

  private expiry(): number {
    return Math.floor(Date.now() / 1000) + this.retentionDays * 86_400;
  }
}

/** One attribute per batch being counted, removed once its occurrences are flagged: as many as deliveries in flight. */
function batchAttribute(batch: string): string {
  return `countingBatch_${batch}`;
}

function occurrenceKey(occurrence: Occurrence): string {
  return `${OCCURRENCE_PREFIX}${occurrence.occurredAt}#${occurrence.eventId}`;
}

function toIncident(item: Record<string, unknown> | undefined): Incident {
  if (!item) throw new Error('DynamoDB returned no incident attributes');
  return {
    id: String(item.id),
    fingerprint: String(item.fingerprint),
    code: String(item.code),
    title: String(item.title),
    severity: item.severity as Incident['severity'],
    category: item.category as Incident['category'],
    template: String(item.template),
    status: item.status as Incident['status'],
    firstSeen: String(item.firstSeen),
    lastSeen: String(item.lastSeen),
    occurrences: Number(item.occurrences),
    storeCounts: Object.fromEntries(Object.entries((item.storeCounts as Record<string, unknown>) ?? {}).map(([k, v]) => [k, Number(v)])),
    sample: String(item.sample ?? ''),
    recent: recentOccurrences(item[RECENT_ATTRIBUTE] as Record<string, unknown> | undefined, String(item.lastSeen)),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    version: Number(item.version ?? 1),
    ...(item.analysis ? { analysis: item.analysis as Analysis } : {}),
    ...(item.ticket ? { ticket: toTicket(item.ticket as Record<string, unknown>) } : {}),
    ...(item.regressedAt ? { regressedAt: String(item.regressedAt), regressions: Number(item.regressions ?? 0) } : {}),
    ...(item.resolvedAt ? { resolvedAt: String(item.resolvedAt) } : {}),
    ...(item.workflowStartedAt ? { workflowStartedAt: String(item.workflowStartedAt) } : {}),
  };
}

/** Who holds the claim stays inside the table; the rest is what the API shows. */
function toTicket(raw: Record<string, unknown>): TicketState {
  return {
    status: raw.status as TicketState['status'],
    ...(raw.key ? { key: String(raw.key) } : {}),
    ...(raw.url ? { url: String(raw.url) } : {}),
    ...(raw.error ? { error: String(raw.error) } : {}),
    ...(raw.ambiguousAt ? { ambiguousAt: String(raw.ambiguousAt) } : {}),
    attempts: Number(raw.attempts ?? 0),
    ...(raw.createdAt ? { createdAt: String(raw.createdAt) } : {}),
    updatedAt: String(raw.updatedAt ?? ''),
  };
}

/** Real DynamoDB and dynalite both answer a nested path under a missing map with this ValidationException. */
function isInvalidDocumentPath(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException' && /document path/i.test(error.message);
}

type IncidentIndex = 'byLastSeen' | 'byUpdatedAt';
const INDEX_SORT_KEY = { byLastSeen: 'lastSeen', byUpdatedAt: 'updatedAt' } as const satisfies Record<IncidentIndex, keyof Incident>;

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** A cursor is the index key it stopped at, so it only resumes the kind of listing (plain or updatedSince) that issued it. */
function decodeCursor(cursor: string | undefined, index: IncidentIndex): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  const sortKey = INDEX_SORT_KEY[index];
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (key && typeof key === 'object') {
      const { id, [sortKey]: position } = key as Record<string, unknown>;
      if (typeof id === 'string' && typeof position === 'string') return { id, [sortKey]: position, kind: INCIDENT_KIND };
    }
  } catch {
    // fall through to the validation error below
  }
  throw new ValidationError('cursor is not one this API issued for this query; pass nextCursor from a previous page unchanged, with the same filters');
}
