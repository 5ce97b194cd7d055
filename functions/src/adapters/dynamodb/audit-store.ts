import { randomBytes } from 'node:crypto';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../../domain/errors.js';
import type { Page } from '../../ports.js';

export interface AuditEntry {
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

const STREAM = 'admin';
const RETENTION_DAYS = 400;

/** Admin actions, newest first. Details never carry secrets: callers pass what changed, not the values of tokens. */
export class DynamoAuditStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { stream: STREAM, sk: `${entry.at}#${randomBytes(4).toString('hex')}`, ...entry, expiresAt: Math.floor(Date.parse(entry.at) / 1000) + RETENTION_DAYS * 86_400 },
      }),
    );
  }

  async list(limit: number, cursor?: string): Promise<Page<AuditEntry>> {
    let startKey: Record<string, unknown> | undefined;
    if (cursor !== undefined) {
      if (!/^[A-Za-z0-9:.\-]{10,40}#[0-9a-f]{8}$/.test(cursor)) throw new ValidationError('cursor is not one this API issued; pass nextCursor unchanged');
      startKey = { stream: STREAM, sk: cursor };
    }
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: '#stream = :stream',
        ExpressionAttributeNames: { '#stream': 'stream' },
        ExpressionAttributeValues: { ':stream': STREAM },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    );
    const items = (out.Items ?? []).map((item) => ({
      at: String(item.at),
      actor: String(item.actor),
      action: String(item.action),
      target: String(item.target),
      ...(item.detail ? { detail: item.detail as Record<string, unknown> } : {}),
    }));
    const last = out.LastEvaluatedKey?.sk;
    return typeof last === 'string' ? { items, nextCursor: last } : { items };
  }
}
