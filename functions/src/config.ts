// Runtime configuration for handlers, read in one place. In Lambda it comes from the environment the CDK stack sets;
// the local runtime builds the same object directly, pointing endpoints at loopback emulators.

export type TableId = 'incidents' | 'occurrences' | 'timeline' | 'connections' | 'settings' | 'audit';
export type TableNames = Record<TableId, string>;

/** The environment variable a handler reads each table's physical name from. */
export const TABLE_ENV: Record<TableId, string> = {
  incidents: 'INCIDENTS_TABLE',
  occurrences: 'OCCURRENCES_TABLE',
  timeline: 'TIMELINE_TABLE',
  connections: 'CONNECTIONS_TABLE',
  settings: 'SETTINGS_TABLE',
  audit: 'AUDIT_TABLE',
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
  /** The Cognito user pool that signs tokens in AWS; absent locally, where `authKey` signs them. */
  readonly cognito?: CognitoConfig;
  /** Base URL of the dashboard, used for links back to incidents. */
  readonly dashboardUrl?: string;
  /** How long occurrences and timeline entries are kept, in days (DynamoDB TTL). */
  readonly retentionDays: number;
  /** The incident workflow's state machine; absent means no automatic analysis or tickets. */
  readonly stateMachineArn?: string;
  readonly stepFunctionsEndpoint?: string;
  readonly secretsEndpoint?: string;
  /** Secrets Manager name of the Jira API token. */
  readonly jiraSecretName: string;
  /** host[:port] entries allowed as Jira base URLs besides https://*.atlassian.net (STACKLENS_JIRA_ALLOW_HOSTS). */
  readonly jiraAllowHosts: readonly string[];
  /** Bedrock model or inference profile id; absent means the built-in analyzer answers. */
  readonly bedrockModelId?: string;
  readonly bedrockEndpoint?: string;
  /** Seconds a cached Jira token is trusted before Secrets Manager is asked again. */
  readonly secretMaxAgeSeconds: number;
  /** The POS log group; its streams' last ingestion times are the fleet panel. */
  readonly logGroupName: string;
  readonly logsEndpoint?: string;
}

export interface CognitoConfig {
  readonly userPoolId: string;
  readonly clientId: string;
  readonly region: string;
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
    ...(env.COGNITO_USER_POOL_ID || env.COGNITO_CLIENT_ID ? { cognito: cognitoFromEnv(env) } : {}),
    dashboardUrl: env.STACKLENS_DASHBOARD_URL,
    retentionDays: Number.isFinite(retention) && retention > 0 ? retention : 30,
    stateMachineArn: env.STATE_MACHINE_ARN,
    stepFunctionsEndpoint: env.AWS_ENDPOINT_URL_SFN,
    secretsEndpoint: env.AWS_ENDPOINT_URL_SECRETS_MANAGER,
    jiraSecretName: env.JIRA_SECRET_NAME ?? 'stacklens/jira-api-token',
    jiraAllowHosts: parseHostList(env.STACKLENS_JIRA_ALLOW_HOSTS),
    bedrockModelId: env.BEDROCK_MODEL_ID || undefined,
    bedrockEndpoint: env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME,
    secretMaxAgeSeconds: 60,
    logGroupName: env.POS_LOG_GROUP ?? '/stacklens/pos',
    logsEndpoint: env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS,
  };
}

/** A pool without its client (or the other way round) is a half-configured stack: fail loudly rather than accept any token. */
function cognitoFromEnv(env: NodeJS.ProcessEnv): CognitoConfig {
  return {
    userPoolId: requireEnv(env, 'COGNITO_USER_POOL_ID'),
    clientId: requireEnv(env, 'COGNITO_CLIENT_ID'),
    region: env.COGNITO_REGION || env.AWS_REGION || 'us-east-1',
  };
}

export function parseHostList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h.length > 0);
}

/** Defaults for everything but the tables: the local runtime and tests fill in only what they point elsewhere. */
export function withDefaults(config: Pick<RuntimeConfig, 'tables'> & Partial<RuntimeConfig>): RuntimeConfig {
  return {
    region: 'us-east-1',
    retentionDays: 30,
    jiraSecretName: 'stacklens/jira-api-token',
    jiraAllowHosts: [],
    secretMaxAgeSeconds: 60,
    logGroupName: '/stacklens/pos',
    ...config,
  };
}
