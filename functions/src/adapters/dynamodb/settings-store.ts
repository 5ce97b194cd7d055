import { DeleteCommand, GetCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConnectionStore, StatsStore } from '../../ports.js';
import { isConditionalCheckFailed } from './client.js';

/** Counters in the settings table: one item per group, one numeric attribute per name, all updated with atomic ADD. */
export class DynamoStatsStore implements StatsStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async increment(group: string, counts: Readonly<Record<string, number>>): Promise<void> {
    const entries = Object.entries(counts);
    if (entries.length === 0) return;
    const names: Record<string, string> = {};
    const values: Record<string, number> = {};
    const adds = entries.map(([name, count], i) => {
      names[`#c${i}`] = name;
      values[`:c${i}`] = count;
      return `#c${i} :c${i}`;
    });
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `stats#${group}` },
        UpdateExpression: `ADD ${adds.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async read(group: string): Promise<Record<string, number>> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `stats#${group}` } }));
    const { pk: _pk, ...counts } = out.Item ?? {};
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
