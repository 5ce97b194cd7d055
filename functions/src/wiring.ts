import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createManagementClient, WebSocketNotifier } from './adapters/apigateway/websocket-notifier.js';
import { createDocumentClient } from './adapters/dynamodb/client.js';
import { DynamoIncidentStore } from './adapters/dynamodb/incident-store.js';
import { DynamoAuditStore } from './adapters/dynamodb/audit-store.js';
import { DynamoConfigStore, DynamoConnectionStore, DynamoStatsStore, DynamoUserStore } from './adapters/dynamodb/settings-store.js';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { BedrockAnalyzer } from './adapters/bedrock/bedrock-analyzer.js';
import { createSecretsClient, JiraTokenStore } from './adapters/secrets/jira-token-store.js';
import { createSfnClient, StepFunctionsStarter, type WorkflowStarter } from './adapters/stepfunctions/workflow-starter.js';
import { CognitoTokenVerifier } from './auth/cognito-auth.js';
import { LocalTokenService, type TokenVerifier } from './auth/local-auth.js';
import { MissingEnvironmentError, type RuntimeConfig } from './config.js';
import { createBuiltinAnalyzer } from './domain/analysis/builtin-analyzer.js';
import { FallbackAnalyzer } from './domain/analysis/fallback.js';
import { IncidentWorkflow, type WorkflowDeps } from './use-cases/workflow.js';

/** Every adapter a handler may need, built from one config. Clients are created once per container and reused. */
export interface Services {
  readonly db: DynamoDBDocumentClient;
  readonly incidents: DynamoIncidentStore;
  readonly stats: DynamoStatsStore;
  readonly connections: DynamoConnectionStore;
  readonly users: DynamoUserStore;
  readonly notifier: () => WebSocketNotifier;
  readonly tokens?: LocalTokenService;
  /** Whatever checks bearer tokens here: the local token service, or the Cognito user pool in AWS. */
  readonly verifier?: TokenVerifier;
  readonly config: DynamoConfigStore;
  readonly audit: DynamoAuditStore;
  readonly jiraTokens: JiraTokenStore;
  /** absent when no state machine is configured (then incidents are recorded but not analysed or ticketed) */
  readonly workflow?: WorkflowStarter;
}

/** Applied to every AWS SDK client built here; the Lambda entries pass the tracer's X-Ray capture. */
export type WrapClient = <T>(client: T) => T;

export interface WiringOptions {
  /** @default the client unchanged */
  readonly wrapClient?: WrapClient;
}

const unchanged: WrapClient = (client) => client;

export function buildServices(config: RuntimeConfig, options: WiringOptions = {}): Services {
  const wrap = options.wrapClient ?? unchanged;
  const db = wrap(createDocumentClient(config));
  const stats = new DynamoStatsStore(db, config.tables.settings);
  const connections = new DynamoConnectionStore(db, config.tables.connections);
  let notifier: WebSocketNotifier | undefined;
  const tokens = config.authKey ? new LocalTokenService(config.authKey) : undefined;
  const verifier = tokens ?? (config.cognito ? new CognitoTokenVerifier(config.cognito) : undefined);
  return {
    db,
    incidents: new DynamoIncidentStore(db, config.tables, config.retentionDays),
    stats,
    connections,
    users: new DynamoUserStore(db, config.tables.settings),
    notifier: () => {
      if (!config.wsManagementEndpoint) throw new MissingEnvironmentError('WS_MANAGEMENT_ENDPOINT');
      notifier ??= new WebSocketNotifier(
        wrap(createManagementClient(config.wsManagementEndpoint, config.region, config.dynamodbEndpoint !== undefined)),
        connections,
        stats,
      );
      return notifier;
    },
    ...(tokens ? { tokens } : {}),
    ...(verifier ? { verifier } : {}),
    config: new DynamoConfigStore(db, config.tables.settings),
    audit: new DynamoAuditStore(db, config.tables.audit),
    jiraTokens: new JiraTokenStore(wrap(createSecretsClient(config.region, config.secretsEndpoint)), config.jiraSecretName, config.secretMaxAgeSeconds),
    ...(config.stateMachineArn
      ? { workflow: new StepFunctionsStarter(wrap(createSfnClient(config.region, config.stepFunctionsEndpoint)), config.stateMachineArn) }
      : {}),
  };
}

/** The workflow steps' dependencies; Bedrock only when a model is configured, the built-in analyzer always behind it. */
export function buildWorkflow(
  config: RuntimeConfig,
  services: Services = buildServices(config),
  overrides: Partial<WorkflowDeps> = {},
  options: WiringOptions = {},
): IncidentWorkflow {
  const wrap = options.wrapClient ?? unchanged;
  const bedrock = config.bedrockModelId
    ? new BedrockAnalyzer({
        client: wrap(
          new BedrockRuntimeClient({
            region: config.region,
            // One attempt: SDK retries on throttling would spend the analysis deadline; the built-in analyzer answers instead.
            maxAttempts: 1,
            ...(config.bedrockEndpoint ? { endpoint: config.bedrockEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
          }),
        ),
        modelId: config.bedrockModelId,
      })
    : undefined;
  return new IncidentWorkflow({
    incidents: services.incidents,
    config: services.config,
    tokens: services.jiraTokens,
    analyzer: new FallbackAnalyzer(bedrock, createBuiltinAnalyzer()),
    notifier: services.notifier(),
    allowHosts: config.jiraAllowHosts,
    ...(config.dashboardUrl ? { dashboardUrl: config.dashboardUrl } : {}),
    ...overrides,
  });
}
