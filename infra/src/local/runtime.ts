import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import os from 'node:os';
import { withDefaults, type RuntimeConfig } from '../../../functions/src/config.js';
import { adminDeps, automationDeps } from '../../../functions/src/handlers/api.js';
import { ingestDeps } from '../../../functions/src/handlers/ingest.js';
import { createWorkflowHandler } from '../../../functions/src/handlers/workflow.js';
import { FUNCTIONS } from '../functions.js';
import { buildWorkflow } from '../../../functions/src/wiring.js';
import { loadWorkflowDefinition, STATE_MACHINE_NAME } from '../workflow.js';
import { LocalSecretsManager } from './secretsmanager/service.js';
import { LocalStepFunctions } from './stepfunctions/service.js';
import { CognitoTokenVerifier, type CognitoVerifierOptions } from '../../../functions/src/auth/cognito-auth.js';
import { hashPassword, type TokenVerifier } from '../../../functions/src/auth/local-auth.js';
import { API_ROUTES, createApiHandler, PUBLIC_ROUTES } from '../../../functions/src/handlers/api.js';
import { createIngestHandler } from '../../../functions/src/handlers/ingest.js';
import { createConnectionHandler, createWebSocketAuthorizer } from '../../../functions/src/handlers/websocket.js';
import { buildServices, type Services } from '../../../functions/src/wiring.js';
import { PosAgent } from '../../../pos-agent/src/agent/agent.js';
import { startDemoPos } from '../../../pos-agent/src/demo-pos/server.js';
import { ERROR_FILTER_PATTERN, LOG_GROUP_NAME, SUBSCRIPTION_FILTER_NAME } from '../pipeline.js';
import { localTableNames } from '../tables.js';
import { AwsServiceError } from './aws-error.js';
import { LocalCloudWatchLogs } from './cloudwatch-logs/service.js';
import { ensureTables, startDynalite } from './dynamodb.js';
import { LocalEdge } from './edge.js';
import { LocalGateway } from './gateway.js';
import { invokeLocal, settleInvocations } from './lambda.js';

export interface LocalStackOptions {
  readonly dataDir: string;
  readonly host?: string;
  /** 0 picks a free port (tests); `npm start` passes 3000/3001/4566/4567 or the environment's choice. */
  readonly ports: { readonly api: number; readonly pos: number; readonly edge: number; readonly dynamodb: number };
  readonly pos?: boolean;
  readonly agent?: boolean;
  readonly admin?: { readonly email?: string; readonly password?: string };
  readonly agentFlushMs?: number;
  readonly log?: (line: string) => void;
  readonly jira?: { readonly allowHosts: readonly string[]; readonly timeoutMs?: number; readonly reconcileDelayMs?: number };
  readonly bedrock?: { readonly modelId: string; readonly endpoint?: string };
  /** Links in Jira tickets point here. */
  readonly dashboardUrl?: string;
  /** The master key of the local Secrets Manager; by default outside the data dir, under ~/.config/stacklens. */
  readonly secretsKeyFile?: string;
  /**
   * Event bytes the local CloudWatch Logs keeps for GetLogEvents across all streams, oldest dropped first (the real
   * service keeps them for the retention period). @default 8 MiB
   */
  readonly logRetainBytes?: number;
  /**
   * Sign-in through a Cognito user pool's hosted UI instead of local accounts, as deployed: API and WebSocket tokens
   * are checked by the verifier the AWS WebSocket authorizer uses, and config.json sends the dashboard to `hostedUiUrl`.
   * Tests point this at an OIDC double and pass `verifier.keys` to read its signing keys. No local account is then
   * created or accepted.
   */
  readonly cognito?: { readonly hostedUiUrl: string; readonly verifier: CognitoVerifierOptions };
  /**
   * A DynamoDB endpoint that runs on its own (DynamoDB Local, a separate dynalite) instead of the built-in one, so the
   * database outlives or restarts apart from this process. `ports.dynamodb` is then unused.
   */
  readonly dynamodbEndpoint?: string;
}

export interface LocalStack {
  readonly urls: {
    readonly dashboard: string;
    readonly api: string;
    readonly ws: string;
    readonly pos?: string;
    readonly edge: string;
    readonly dynamodb: string;
  };
  readonly logFile: string;
  readonly config: RuntimeConfig;
  readonly services: Services;
  readonly logs: LocalCloudWatchLogs;
  readonly gateway: LocalGateway;
  readonly stepFunctions: LocalStepFunctions;
  readonly agent?: PosAgent;
  /** The first admin's generated password, when this start created it (printed once, never stored in clear). */
  readonly generatedAdminPassword?: string;
  readonly adminEmail: string;
  stop(): Promise<void>;
}

export const DEFAULT_ADMIN_EMAIL = 'admin@stacklens.local';
const WORKFLOW_FUNCTION_ARN = `arn:aws:lambda:us-east-1:000000000000:function:${FUNCTIONS.workflow.name}`;

/** One key per data dir, kept away from it: a copied or leaked data dir alone does not reveal the Jira token. */
function defaultSecretsKeyFile(dataDir: string): string {
  const id = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  return path.join(process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'stacklens', 'keys', `${id}.key`);
}
const REGION = 'us-east-1';
const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

/** Starts the whole pipeline in this process: emulators, handlers behind a local gateway, the demo POS and the agent. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => undefined);
  const dataDir = path.resolve(options.dataDir);
  const logFile = path.join(dataDir, 'logs', 'pos-application.log');
  await mkdir(path.dirname(logFile), { recursive: true });

  const stops: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => {
    // Reverse start order: the agent flushes into a still-running edge, the edge into still-running tables.
    for (const fn of stops.reverse()) {
      try {
        await fn();
      } catch (error) {
        log(`stop: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    stops.length = 0;
  };

  try {
    const dynamo = options.dynamodbEndpoint
      ? { endpoint: options.dynamodbEndpoint }
      : await startDynalite({ dir: path.join(dataDir, 'dynamodb'), port: options.ports.dynamodb, host });
    if ('close' in dynamo) stops.push(() => dynamo.close());
    // Runs just before the tables close (stops run in reverse): handlers still working finish against a live database.
    stops.push(() => settleInvocations(10_000));
    const tables = localTableNames();
    await ensureTables(dynamo.endpoint, tables, REGION);

    const edge = new LocalEdge();
    const edgePort = await edge.listen(options.ports.edge, host);
    stops.push(() => edge.close());
    const edgeUrl = `http://${host}:${edgePort}`;

    const stateMachineArn = `arn:aws:states:${REGION}:000000000000:stateMachine:${STATE_MACHINE_NAME}`;
    const config: RuntimeConfig = withDefaults({
      region: REGION,
      tables,
      dynamodbEndpoint: dynamo.endpoint,
      wsManagementEndpoint: `${edgeUrl}/ws-api`,
      stepFunctionsEndpoint: edgeUrl,
      secretsEndpoint: edgeUrl,
      logsEndpoint: edgeUrl,
      stateMachineArn,
      ...(options.cognito ? {} : { authKey: await loadOrCreateKey(path.join(dataDir, 'secrets', 'local-auth.key')) }),
      jiraAllowHosts: options.jira?.allowHosts ?? [],
      ...(options.dashboardUrl ? { dashboardUrl: options.dashboardUrl } : {}),
      ...(options.bedrock
        ? { bedrockModelId: options.bedrock.modelId, ...(options.bedrock.endpoint ? { bedrockEndpoint: options.bedrock.endpoint } : {}) }
        : {}),
    });
    const services = buildServices(config);
    const tokens = services.tokens;
    const verifier: TokenVerifier = options.cognito ? new CognitoTokenVerifier(options.cognito.verifier) : tokens!;

    const secrets = new LocalSecretsManager({
      file: path.join(dataDir, 'secrets', 'secretsmanager.json'),
      keyFile: options.secretsKeyFile ?? defaultSecretsKeyFile(dataDir),
      region: REGION,
    });
    const workflowHandler = createWorkflowHandler(
      buildWorkflow(config, services, {
        ...(options.jira?.timeoutMs ? { jiraTimeoutMs: options.jira.timeoutMs } : {}),
        ...(options.jira?.reconcileDelayMs !== undefined ? { reconcileDelayMs: options.jira.reconcileDelayMs } : {}),
      }),
    );
    const stepFunctions = new LocalStepFunctions({
      stateMachines: [{ name: STATE_MACHINE_NAME, definition: loadWorkflowDefinition({ WorkflowFunctionArn: WORKFLOW_FUNCTION_ARN }) }],
      lambdaHandlers: {
        [WORKFLOW_FUNCTION_ARN]: (payload: unknown) => invokeLocal(FUNCTIONS.workflow.name, workflowHandler, payload, FUNCTIONS.workflow.timeoutSeconds * 1000),
      },
      stateDir: path.join(dataDir, 'stepfunctions'),
      region: REGION,
      log,
    });
    stops.push(() => stepFunctions.close());

    const ingest = createIngestHandler(ingestDeps(services));
    const logs = new LocalCloudWatchLogs({
      region: REGION,
      ...(options.logRetainBytes === undefined ? {} : { retainBytes: options.logRetainBytes }),
      // Lambda runs one invocation per log stream batch side by side; a fleet of kiosks each flushing once a second
      // needs that overlap here too, or ingest falls behind while it waits on DynamoDB round trips.
      deliveryConcurrency: 16,
      deliver: async (event) => {
        try {
          await invokeLocal(FUNCTIONS.ingest.name, ingest, event);
        } catch (error) {
          // Lambda would log this to its own log group and retry; locally the console is that log.
          log(`ingest: invocation failed (will retry): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          throw error;
        }
      },
      onDeliveryFailed: (error) => log(`ingest: delivery failed after retries: ${error instanceof Error ? error.message : String(error)}`),
      deliveryJournal: path.join(dataDir, 'cloudwatch-logs', 'deliveries.jsonl'),
      warn: log,
    });
    stops.push(() => logs.close(5_000));
    // What the CDK stack declares at deploy time: the log group and its error subscription.
    await createIfMissing(() => logs.handle('CreateLogGroup', { logGroupName: LOG_GROUP_NAME }));
    await logs.handle('PutSubscriptionFilter', {
      logGroupName: LOG_GROUP_NAME,
      filterName: SUBSCRIPTION_FILTER_NAME,
      filterPattern: ERROR_FILTER_PATTERN,
      destinationArn: `arn:aws:lambda:${REGION}:000000000000:function:${FUNCTIONS.ingest.name}`,
    });
    const owed = logs.resumeDeliveries();
    if (owed > 0) log(`ingest: delivering ${owed} batch(es) accepted before the last stop`);

    let pos: { url: string; close(): Promise<void> } | undefined;
    let agent: PosAgent | undefined;
    const gateway = new LocalGateway({
      routes: API_ROUTES,
      publicRoutes: PUBLIC_ROUTES,
      api: createApiHandler({
        incidents: services.incidents,
        stats: services.stats,
        users: services.users,
        tokens,
        automation: automationDeps(services, config),
        admin: adminDeps(services, config),
        health: {
          dynamodb: () => services.stats.read('health'),
          cloudwatchLogs: async () => {
            if (!edge.server.listening) throw new Error('local CloudWatch Logs endpoint is not listening');
          },
          ...(options.pos === false ? {} : { pos: async () => requireUp(pos, 'demo POS') }),
          ...(options.agent === false ? {} : { agent: async () => requireUp(agent, 'pos-agent') }),
        },
      }),
      verifier,
      wsAuthorizer: createWebSocketAuthorizer(verifier),
      ...(options.cognito
        ? { clientAuth: { mode: 'cognito' as const, domain: options.cognito.hostedUiUrl, clientId: options.cognito.verifier.clientId } }
        : {}),
      wsConnection: createConnectionHandler(services.connections),
      ...(existsSync(WEB_DIST) ? { staticDir: WEB_DIST } : {}),
    });
    const apiPort = await gateway.listen(options.ports.api, host);
    stops.push(() => gateway.close());
    edge.attach({ logs, gateway, stepFunctions, secrets });
    // Executions that were running when the last process died start again: every step is safe to repeat.
    const resumed = await stepFunctions.resumeUnfinished();
    if (resumed > 0) log(`workflow: resumed ${resumed} unfinished execution(s)`);

    const admin = options.cognito ? { email: (options.admin?.email ?? DEFAULT_ADMIN_EMAIL).toLowerCase() } : await bootstrapAdmin(services, options.admin);

    if (options.pos !== false) {
      pos = await startDemoPos({ port: options.ports.pos, host, logFile });
      stops.push(() => pos!.close());
    }
    if (options.agent !== false) {
      agent = new PosAgent(
        {
          file: logFile,
          storeId: 'store-001',
          kioskId: 'kiosk-01',
          logGroup: LOG_GROUP_NAME,
          stateDir: path.join(dataDir, 'agent'),
          endpoint: edgeUrl,
          region: REGION,
          // The demo log lives in our data dir and is written by our own POS: everything in it is news to us.
          fromBeginning: true,
          // A kiosk batches for a second to save requests; locally requests are free and the demo should feel instant.
          flushIntervalMs: options.agentFlushMs ?? 100,
          // The demo POS appends each record (stack trace included) in one write, so a short quiet period closes it safely.
          multilineFlushMs: Math.min(options.agentFlushMs ?? 100, 100),
        },
        { log: (line: string) => log(`agent: ${line}`) },
      );
      await agent.start();
      stops.push(() => agent!.stop());
    }

    const apiUrl = `http://${host}:${apiPort}`;
    return {
      urls: {
        dashboard: `${apiUrl}/`,
        api: `${apiUrl}/api`,
        ws: `ws://${host}:${apiPort}/ws`,
        ...(pos ? { pos: pos.url } : {}),
        edge: edgeUrl,
        dynamodb: dynamo.endpoint,
      },
      logFile,
      config,
      services,
      logs,
      gateway,
      stepFunctions,
      ...(agent ? { agent } : {}),
      adminEmail: admin.email,
      ...(admin.generatedPassword ? { generatedAdminPassword: admin.generatedPassword } : {}),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function requireUp(component: unknown, name: string): void {
  if (!component) throw new Error(`${name} is not running`);
}

async function createIfMissing(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (!(error instanceof AwsServiceError && error.type === 'ResourceAlreadyExistsException')) throw error;
  }
}

/** The signing key stays in the data dir (mode 600) so tokens survive a restart; it is never logged or served. */
async function loadOrCreateKey(file: string): Promise<Uint8Array> {
  try {
    const key = await readFile(file);
    if (key.byteLength >= 32) return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  await writeFile(file, key, { mode: 0o600 });
  await chmod(file, 0o600);
  return key;
}

/**
 * The first admin: from STACKLENS_ADMIN_EMAIL/PASSWORD when given (the environment stays the source of truth for that
 * account's password), otherwise generated once on an empty install and handed back to be printed once.
 */
async function bootstrapAdmin(services: Services, admin: LocalStackOptions['admin']): Promise<{ email: string; generatedPassword?: string }> {
  const email = (admin?.email ?? DEFAULT_ADMIN_EMAIL).toLowerCase();
  if (admin?.password) {
    const existing = await services.users.get(email);
    await services.users.put({
      email,
      passwordHash: await hashPassword(admin.password),
      role: 'admin',
      createdAt: existing?.createdAt ?? new Date().toISOString(),
    });
    return { email };
  }
  if (await services.users.any()) return { email };
  const generatedPassword = randomBytes(12).toString('base64url');
  const created = await services.users.create({
    email,
    passwordHash: await hashPassword(generatedPassword),
    role: 'admin',
    createdAt: new Date().toISOString(),
  });
  return created ? { email, generatedPassword } : { email };
}
