// Runtime configuration for handlers, read in one place. In Lambda it comes from the environment the CDK stack sets;
// the local runtime builds the same object directly, pointing endpoints at loopback emulators.

export type TableId = 'incidents' | 'occurrences' | 'timeline' | 'connections' | 'settings';
export type TableNames = Record<TableId, string>;

/** The environment variable a handler reads each table's physical name from. */
export const TABLE_ENV: Record<TableId, string> = {
  incidents: 'INCIDENTS_TABLE',
  occurrences: 'OCCURRENCES_TABLE',
  timeline: 'TIMELINE_TABLE',
  connections: 'CONNECTIONS_TABLE',
  settings: 'SETTINGS_TABLE',
};

export interface RuntimeConfig {
  readonly region: string;
  readonly tables: TableNames;
  /** Loopback endpoints when running locally; absent in AWS, where the SDK resolves real ones. */
  readonly dynamodbEndpoint?: string;
  /** API Gateway WebSocket callback URL (https://{api}.execute-api.{region}.amazonaws.com/{stage}). */
  readonly wsManagementEndpoint?: string;
  /** HS256 signing key for locally issued admin tokens (local auth only). */
  readonly authKey?: Uint8Array;
  /** Base URL of the dashboard, used for links back to incidents. */
  readonly dashboardUrl?: string;
  /** How long occurrences and timeline entries are kept, in days (DynamoDB TTL). */
  readonly retentionDays: number;
}

export class MissingEnvironmentError extends Error {
  override readonly name = 'MissingEnvironmentError';
  readonly code = 'CONFIGURATION_MISSING';
  constructor(variable: string) {
    super(`Environment variable ${variable} is required but not set`);
  }
}

export function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new MissingEnvironmentError(name);
  return value;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const tables = Object.fromEntries(
    (Object.keys(TABLE_ENV) as TableId[]).map((id) => [id, requireEnv(env, TABLE_ENV[id])]),
  ) as TableNames;
  const retention = Number(env.STACKLENS_RETENTION_DAYS ?? '30');
  return {
    region: env.AWS_REGION ?? 'us-east-1',
    tables,
    dynamodbEndpoint: env.AWS_ENDPOINT_URL_DYNAMODB,
    wsManagementEndpoint: env.WS_MANAGEMENT_ENDPOINT,
    dashboardUrl: env.STACKLENS_DASHBOARD_URL,
    retentionDays: Number.isFinite(retention) && retention > 0 ? retention : 30,
  };
}
