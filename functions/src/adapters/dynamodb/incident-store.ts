import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Incident, IncidentDelta, Occurrence, TimelineEntry } from '../../domain/incident.js';
import { ValidationError } from '../../domain/errors.js';
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
   * in between left it uncounted, so the retry counts it instead of dropping it as a duplicate.
   */
  async claimOccurrence(occurrence: Occurrence): Promise<boolean> {
    const key = { incidentId: occurrence.incidentId, sk: occurrenceKey(occurrence) };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tables.occurrences,
          Item: { ...occurrence, ...key, counted: false, expiresAt: this.expiry() },
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const existing = await this.db.send(new GetCommand({ TableName: this.tables.occurrences, Key: key, ConsistentRead: true }));
    return existing.Item?.counted !== true;
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

  async applyDelta(delta: IncidentDelta): Promise<{ incident: Incident; created: boolean }> {
    const now = new Date().toISOString();
    for (let round = 0; round < MAX_UPSERT_ROUNDS; round++) {
      // Common case: the incident exists and this batch is its newest news.
      const inOrder = await this.tryUpdate(delta, now, true);
      if (inOrder) return { incident: await this.writeKiosks(delta, inOrder), created: false };
      // Late batch (an agent catching up after an outage): count it without moving lastSeen backwards.
      const late = await this.tryUpdate(delta, now, false);
      if (late) return { incident: await this.writeKiosks(delta, late), created: false };
      const created = await this.tryCreate(delta, now);
      if (created) return { incident: await this.writeKiosks(delta, created), created: true };
      // Another writer created it between our update and our create: go round and update it.
    }
    throw new Error(`Incident ${delta.id} could not be written after ${MAX_UPSERT_ROUNDS} rounds of conflicting writes`);
  }

  private async tryUpdate(delta: IncidentDelta, now: string, advanceLastSeen: boolean): Promise<Incident | undefined> {
    // Every attribute goes through a placeholder: several of ours (sample, status, kind…) are DynamoDB reserved words.
    const names: Record<string, string> = { '#id': 'id', '#occurrences': 'occurrences', '#updatedAt': 'updatedAt', '#storeCounts': 'storeCounts', '#version': 'version' };
    const values: Record<string, unknown> = { ':n': delta.count, ':now': now, ':one': 1 };
    const adds = ['#occurrences :n', '#version :one'];
    Object.entries(delta.storeCounts).forEach(([store, count], i) => {
      names[`#s${i}`] = store;
      values[`:s${i}`] = count;
      adds.push(`#storeCounts.#s${i} :s${i}`);
    });
    const sets = ['#updatedAt = :now'];
    let condition = 'attribute_exists(#id)';
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
      const incident = toIncident(out.Attributes);
      if (!advanceLastSeen && delta.firstSeen < incident.firstSeen) return await this.lowerFirstSeen(delta);
      return incident;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  private async lowerFirstSeen(delta: IncidentDelta): Promise<Incident> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.incidents,
          Key: { id: delta.id },
          UpdateExpression: 'SET #firstSeen = :first',
          ConditionExpression: '#firstSeen > :first',
          ExpressionAttributeNames: { '#firstSeen': 'firstSeen' },
          ExpressionAttributeValues: { ':first': delta.firstSeen },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toIncident(out.Attributes);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const current = await this.get(delta.id);
      if (!current) throw new Error(`Incident ${delta.id} vanished while being updated`);
      return current;
    }
  }

  private async tryCreate(delta: IncidentDelta, now: string): Promise<Incident | undefined> {
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
      sample: delta.sample,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    try {
      await this.db.send(new PutCommand({ TableName: this.tables.incidents, Item: item, ConditionExpression: 'attribute_not_exists(#id)', ExpressionAttributeNames: { '#id': 'id' } }));
      return toIncident(item);
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  /** Kiosk counts live in their own items: a fleet-wide incident can touch more kiosks than fit in one 400 KB item. */
  private async writeKiosks(delta: IncidentDelta, incident: Incident): Promise<Incident> {
    await Promise.all(
      Object.entries(delta.kioskCounts).map(([kiosk, count]) =>
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
    );
    return incident;
  }

  async get(id: string): Promise<Incident | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tables.incidents, Key: { id }, ConsistentRead: true }));
    return out.Item ? toIncident(out.Item) : undefined;
  }

  async list(query: IncidentQuery): Promise<Page<Incident>> {
    const filters: string[] = [];
    const names: Record<string, string> = { '#kind': 'kind' };
    const values: Record<string, unknown> = { ':kind': INCIDENT_KIND };
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
    let startKey = decodeCursor(query.cursor);
    // A filter can leave pages empty; keep reading until the page is full or the index ends.
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tables.incidents,
          IndexName: 'byLastSeen',
          KeyConditionExpression: '#kind = :kind',
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
          return { items, nextCursor: encodeCursor({ id: last.id, kind: INCIDENT_KIND, lastSeen: last.lastSeen }) };
        }
        items.push(toIncident(raw));
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey && items.length < query.limit);
    return startKey ? { items, nextCursor: encodeCursor(startKey) } : { items };
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
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    version: Number(item.version ?? 1),
  };
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (key && typeof key === 'object' && typeof (key as Record<string, unknown>).id === 'string' && typeof (key as Record<string, unknown>).lastSeen === 'string') {
      const { id, lastSeen } = key as { id: string; lastSeen: string };
      return { id, lastSeen, kind: INCIDENT_KIND };
    }
  } catch {
    // fall through to the validation error below
  }
  throw new ValidationError('cursor is not one this API issued; pass nextCursor from a previous page unchanged');
}
