import type { TableId, TableNames } from '../../functions/src/config.js';

// Every DynamoDB table, declared once: the CDK stack and the local bootstrap both build from this list,
// so the emulator can never drift from what is deployed.

export type AttributeType = 'S' | 'N';

export interface KeyAttribute {
  readonly name: string;
  readonly type: AttributeType;
}

export interface TableSpec {
  /** logical id, also the default physical name suffix */
  readonly id: TableId;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly globalIndexes?: ReadonlyArray<{ readonly name: string; readonly partitionKey: KeyAttribute; readonly sortKey?: KeyAttribute }>;
  /** epoch-seconds attribute that DynamoDB TTL deletes by (dynalite ignores TTL; nothing depends on it locally) */
  readonly ttlAttribute?: string;
}

export const TABLES: readonly TableSpec[] = [
  {
    id: 'incidents',
    partitionKey: { name: 'id', type: 'S' },
    // One constant partition ("incident") sorted by lastSeen lets the list page newest-first without a Scan.
    // Incidents are few (one per fingerprint), so the single partition stays far below its throughput limits.
    globalIndexes: [
      { name: 'byLastSeen', partitionKey: { name: 'kind', type: 'S' }, sortKey: { name: 'lastSeen', type: 'S' } },
      // The same partition sorted by updatedAt: a dashboard that reconnects asks what changed since it last heard,
      // which includes status and ticket changes on incidents last seen long ago.
      { name: 'byUpdatedAt', partitionKey: { name: 'kind', type: 'S' }, sortKey: { name: 'updatedAt', type: 'S' } },
    ],
  },
  {
    id: 'occurrences',
    partitionKey: { name: 'incidentId', type: 'S' },
    // `${ISO timestamp}#${event id}`: sorted by time, and deterministic per log event so a redelivery hits the same key.
    sortKey: { name: 'sk', type: 'S' },
    ttlAttribute: 'expiresAt',
  },
  {
    id: 'timeline',
    partitionKey: { name: 'incidentId', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    ttlAttribute: 'expiresAt',
  },
  { id: 'connections', partitionKey: { name: 'connectionId', type: 'S' }, ttlAttribute: 'expiresAt' },
  // Small keyed records: users, counters (websocket seq, ingest skip reasons, errors per minute), integration settings.
  { id: 'settings', partitionKey: { name: 'pk', type: 'S' }, ttlAttribute: 'expiresAt' },
  // Who changed what: one partition, newest last; admin actions are rare enough that it never runs hot.
  { id: 'audit', partitionKey: { name: 'stream', type: 'S' }, sortKey: { name: 'sk', type: 'S' }, ttlAttribute: 'expiresAt' },
];

export function localTableNames(prefix = 'stacklens'): TableNames {
  return Object.fromEntries(TABLES.map((t) => [t.id, `${prefix}-${t.id}`])) as TableNames;
}
