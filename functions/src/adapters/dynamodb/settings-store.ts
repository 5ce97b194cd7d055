import { BatchGetCommand, DeleteCommand, GetCommand, type BatchGetCommandOutput, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_AUTOMATION, type AutomationSettings } from '../../domain/automation.js';
import type { JiraSettings } from '../../domain/jira/settings.js';
import type { ConnectionStore, StatsStore } from '../../ports.js';
import { isConditionalCheckFailed } from './client.js';

/** Counters in the settings table: one item per group, one numeric attribute per name, all updated with atomic ADD. */
export class DynamoStatsStore implements StatsStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async increment(group: string, counts: Readonly<Record<string, number>>, expiresAt?: number): Promise<void> {
    const entries = Object.entries(counts);
    if (entries.length === 0) return;
    const names: Record<string, string> = {};
    const values: Record<string, number> = {};
    const adds = entries.map(([name, count], i) => {
      names[`#c${i}`] = name;
      values[`:c${i}`] = count;
      return `#c${i} :c${i}`;
    });
    if (expiresAt !== undefined) {
      names['#expiresAt'] = 'expiresAt';
      values[':expiresAt'] = expiresAt;
    }
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `stats#${group}` },
        UpdateExpression: `${expiresAt !== undefined ? 'SET #expiresAt = :expiresAt ' : ''}ADD ${adds.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** Several counter groups in one round trip (at most 100, DynamoDB's BatchGet limit); absent groups read as {}. */
  async readMany(groups: readonly string[]): Promise<Record<string, Record<string, number>>> {
    const result: Record<string, Record<string, number>> = Object.fromEntries(groups.map((g) => [g, {}]));
    let keys: Array<Record<string, unknown>> | undefined = groups.map((g) => ({ pk: `stats#${g}` }));
    for (let attempt = 0; keys && keys.length > 0 && attempt < 5; attempt++) {
      const out: BatchGetCommandOutput = await this.db.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys } } }));
      for (const item of out.Responses?.[this.table] ?? []) {
        const { pk, expiresAt: _expiresAt, ...counts } = item;
        result[String(pk).slice('stats#'.length)] = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Number(v)]));
      }
      keys = out.UnprocessedKeys?.[this.table]?.Keys;
    }
    return result;
  }

  async read(group: string): Promise<Record<string, number>> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `stats#${group}` } }));
    const { pk: _pk, expiresAt: _expiresAt, ...counts } = out.Item ?? {};
    return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Number(v)]));
  }

  /** Hands out strictly increasing numbers (the live-message seq) across every concurrent writer. */
  async nextSequence(name: string): Promise<number> {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `seq#${name}` },
        UpdateExpression: 'ADD #v :one',
        ExpressionAttributeNames: { '#v': 'value' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(out.Attributes?.value);
  }
}

export class DynamoConnectionStore implements ConnectionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async add(connection: { connectionId: string; subject: string; connectedAt: string }): Promise<void> {
    // API Gateway closes every WebSocket after 2 hours; TTL sweeps records whose $disconnect never arrived.
    const expiresAt = Math.floor(Date.parse(connection.connectedAt) / 1000) + 3 * 3600;
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...connection, expiresAt } }));
  }

  async remove(connectionId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: { connectionId } }));
  }

  async all(): Promise<string[]> {
    const ids: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(new ScanCommand({ TableName: this.table, ProjectionExpression: 'connectionId', ExclusiveStartKey: startKey }));
      for (const item of out.Items ?? []) ids.push(String(item.connectionId));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return ids;
  }
}

export interface StoredUser {
  readonly email: string;
  readonly passwordHash: string;
  readonly role: 'admin' | 'viewer';
  readonly createdAt: string;
}

export class DynamoUserStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(email: string): Promise<StoredUser | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `user#${email.toLowerCase()}` }, ConsistentRead: true }));
    if (!out.Item) return undefined;
    return { email: String(out.Item.email), passwordHash: String(out.Item.passwordHash), role: out.Item.role === 'viewer' ? 'viewer' : 'admin', createdAt: String(out.Item.createdAt) };
  }

  async put(user: StoredUser): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { pk: `user#${user.email.toLowerCase()}`, ...user } }));
  }

  /** Creates the user only if none with that e-mail exists; resolves false otherwise. */
  async create(user: StoredUser): Promise<boolean> {
    try {
      await this.db.send(new PutCommand({ TableName: this.table, Item: { pk: `user#${user.email.toLowerCase()}`, ...user }, ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async all(): Promise<Array<Omit<StoredUser, 'passwordHash'>>> {
    const users: Array<Omit<StoredUser, 'passwordHash'>> = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new ScanCommand({
          TableName: this.table,
          FilterExpression: 'begins_with(pk, :p)',
          ExpressionAttributeValues: { ':p': 'user#' },
          ProjectionExpression: 'email, #role, createdAt',
          ExpressionAttributeNames: { '#role': 'role' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) users.push({ email: String(item.email), role: item.role === 'viewer' ? 'viewer' : 'admin', createdAt: String(item.createdAt) });
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return users.sort((a, b) => a.email.localeCompare(b.email));
  }

  async any(): Promise<boolean> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new ScanCommand({ TableName: this.table, FilterExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':p': 'user#' }, ProjectionExpression: 'pk', ExclusiveStartKey: startKey }),
      );
      if ((out.Items ?? []).length > 0) return true;
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return false;
  }
}

export interface StoredJiraSettings extends JiraSettings {
  /** whether Secrets Manager holds a token; the token itself is never stored here */
  readonly apiTokenSet: boolean;
  /** bumped whenever a token is saved through the API, so readers drop their cached copy at once */
  readonly tokenVersion: number;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** Integration and automation settings: single items in the settings table. */
export class DynamoConfigStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async getJira(): Promise<StoredJiraSettings | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: 'integration#jira' }, ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, ...settings } = out.Item;
    return settings as StoredJiraSettings;
  }

  async putJira(settings: JiraSettings, meta: { tokenSaved: boolean; updatedBy: string; now: string }): Promise<StoredJiraSettings> {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: 'integration#jira' },
        UpdateExpression: `SET ${Object.keys(settings)
          .map((_, i) => `#k${i} = :v${i}`)
          .join(', ')}, #updatedAt = :now, #updatedBy = :by, #tokenSet = ${meta.tokenSaved ? ':true' : 'if_not_exists(#tokenSet, :false)'} ADD #tokenVersion :bump`,
        ExpressionAttributeNames: {
          ...Object.fromEntries(Object.keys(settings).map((k, i) => [`#k${i}`, k])),
          '#updatedAt': 'updatedAt',
          '#updatedBy': 'updatedBy',
          '#tokenSet': 'apiTokenSet',
          '#tokenVersion': 'tokenVersion',
        },
        ExpressionAttributeValues: {
          ...Object.fromEntries(Object.values(settings).map((v, i) => [`:v${i}`, v])),
          ':now': meta.now,
          ':by': meta.updatedBy,
          ...(meta.tokenSaved ? { ':true': true } : { ':false': false }),
          ':bump': meta.tokenSaved ? 1 : 0,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const { pk: _pk, ...stored } = out.Attributes ?? {};
    return stored as StoredJiraSettings;
  }

  async getAutomation(): Promise<AutomationSettings> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: 'settings#automation' }, ConsistentRead: true }));
    const { pk: _pk, updatedAt: _u, updatedBy: _b, ...stored } = out.Item ?? {};
    return { ...DEFAULT_AUTOMATION, ...(stored as Partial<AutomationSettings>) };
  }

  async putAutomation(settings: AutomationSettings, meta: { updatedBy: string; now: string }): Promise<AutomationSettings> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { pk: 'settings#automation', ...settings, updatedAt: meta.now, updatedBy: meta.updatedBy } }));
    return settings;
  }

  /** The latest ticket created and the latest ticket failure, for the overview's automation panel. */
  async recordTicketOutcome(kind: 'lastTicket' | 'lastFailure', outcome: Record<string, string>): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: 'automation#outcomes' },
        UpdateExpression: 'SET #kind = :outcome',
        ExpressionAttributeNames: { '#kind': kind },
        ExpressionAttributeValues: { ':outcome': outcome },
      }),
    );
  }

  async ticketOutcomes(): Promise<{ lastTicket?: Record<string, string>; lastFailure?: Record<string, string> }> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: 'automation#outcomes' } }));
    const item = out.Item ?? {};
    return {
      ...(item.lastTicket ? { lastTicket: item.lastTicket as Record<string, string> } : {}),
      ...(item.lastFailure ? { lastFailure: item.lastFailure as Record<string, string> } : {}),
    };
  }

  /** Takes one automatic ticket from this hour's allowance; false once `max` are used (concurrent callers cannot overshoot). */
  async takeTicketAllowance(hour: string, max: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `tickets#${hour}` },
          UpdateExpression: 'ADD #n :one',
          ConditionExpression: 'attribute_not_exists(#n) OR #n < :max',
          ExpressionAttributeNames: { '#n': 'count' },
          ExpressionAttributeValues: { ':one': 1, ':max': max },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}
