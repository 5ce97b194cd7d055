import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { configFromEnv, type RuntimeConfig } from '../config.js';
import { NotFoundError, StackLensError, UnauthorizedError } from '../domain/errors.js';
import { INCIDENT_STATUSES } from '../domain/incident.js';
import { verifyPassword, type LocalTokenService } from '../auth/local-auth.js';
import type { DynamoUserStore } from '../adapters/dynamodb/settings-store.js';
import type { IncidentStore, StatsStore } from '../ports.js';
import { buildServices, type Services, type WiringOptions, type WrapClient } from '../wiring.js';
import { ADMIN_ROUTES, adminRoutes, type AdminApiDeps } from './api-admin.js';
import { AUTOMATION_ROUTES, automationRoutes, type AutomationApiDeps } from './api-automation.js';
import { caller, errorResponse, json, parseBody, validate, type ApiEvent, type ApiRoute } from './http.js';
import { lambdaEntry, lambdaWiring } from './observability.js';

export interface ApiDeps {
  readonly incidents: IncidentStore;
  readonly stats: StatsStore;
  readonly users: Pick<DynamoUserStore, 'get'>;
  /** Present when this deployment signs its own tokens (local); absent behind Cognito. */
  readonly tokens?: LocalTokenService;
  /** Each check resolves when its component answers and rejects with the reason otherwise. */
  readonly health: Readonly<Record<string, () => Promise<unknown>>>;
  readonly automation: AutomationApiDeps;
  readonly admin: AdminApiDeps;
}

type Event = ApiEvent;
type Route = ApiRoute;

/** Every route this handler serves: the CDK stack and the local gateway both build their routes from this list. */
export const API_ROUTES = ['GET /api/health', 'POST /api/auth/login', 'GET /api/incidents', 'GET /api/incidents/{id}', ...AUTOMATION_ROUTES, ...ADMIN_ROUTES] as const;
export type ApiRouteKey = (typeof API_ROUTES)[number];

/** Routes reachable without a token; API Gateway attaches no authorizer to them. */
export const PUBLIC_ROUTES: ReadonlySet<ApiRouteKey> = new Set(['POST /api/auth/login', 'GET /api/health']);

const loginBody = z.object({ email: z.string().trim().email().max(254), password: z.string().min(1).max(1024) }).strict();

const listQuery = z
  .object({
    status: z.enum(INCIDENT_STATUSES).optional(),
    code: z.string().regex(/^[A-Z0-9_]{1,64}$/, 'must be an UPPER_SNAKE error code').optional(),
    storeId: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be a store id').optional(),
    // Compared as text with the stored UTC timestamps, so an offset such as +02:00 is converted to Z first.
    updatedSince: z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 timestamp such as 2026-11-26T12:00:00Z' })
      .transform((value) => new Date(value).toISOString())
      .optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(2048).optional(),
  })
  .strict();

const incidentId = z.string().regex(/^[0-9a-f]{16}$/);

export function createApiHandler(deps: ApiDeps): (event: Event) => Promise<APIGatewayProxyStructuredResultV2> {
  const routes: Record<ApiRouteKey, Route> = {
    'GET /api/health': async () => {
      const entries = await Promise.all(
        Object.entries(deps.health).map(async ([name, check]) => {
          try {
            await check();
            return [name, { status: 'ok' }] as const;
          } catch (error) {
            return [name, { status: 'down', reason: error instanceof Error ? error.message : String(error) }] as const;
          }
        }),
      );
      const components = Object.fromEntries(entries);
      const healthy = entries.every(([, c]) => c.status === 'ok');
      const skipped = healthy ? await deps.stats.read('ingest.skipped') : {};
      return json(healthy ? 200 : 503, { status: healthy ? 'ok' : 'degraded', components, ingest: { skipped } });
    },

    'POST /api/auth/login': async (event) => {
      if (!deps.tokens) throw new NotFoundError('Password sign-in is not enabled here; sign in through the identity provider');
      const { email, password } = parseBody(event, loginBody);
      const user = await deps.users.get(email);
      // Same answer, and a hash computed either way, so the response does not reveal which e-mails exist.
      const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
      if (!user || !ok) throw new UnauthorizedError('E-mail or password is wrong');
      return json(200, await deps.tokens.issue({ subject: user.email, role: user.role }));
    },

    'GET /api/incidents': async (event) => {
      const query = validate(listQuery, event.queryStringParameters ?? {}, 'query');
      return json(200, await deps.incidents.list(query));
    },

    'GET /api/incidents/{id}': async (event) => {
      const id = incidentId.safeParse(event.pathParameters?.id);
      const incident = id.success ? await deps.incidents.get(id.data) : undefined;
      if (!id.success || !incident) throw new NotFoundError(`No incident with id ${String(event.pathParameters?.id)}`);
      const since = new Date(Date.now() - 59 * 60_000).toISOString().slice(0, 16);
      const [timeline, recentOccurrences, kioskCounts, series] = await Promise.all([
        deps.incidents.timeline(incident.id, 100),
        deps.incidents.recentOccurrences(incident.id, 20),
        deps.incidents.kioskCounts(incident.id),
        deps.admin.incidents.series(incident.id, since),
      ]);
      return json(200, { ...incident, kioskCounts, timeline, recentOccurrences, series });
    },

    ...automationRoutes(deps.automation),
    ...adminRoutes(deps.admin),
  };

  return async (event) => {
    const requestId = event.requestContext?.requestId ?? 'unknown';
    try {
      const route = (routes as Record<string, Route | undefined>)[event.routeKey];
      if (!route) throw new NotFoundError(`No route ${event.routeKey}`);
      if (event.requestContext?.http?.method !== 'GET' && !PUBLIC_ROUTES.has(event.routeKey as ApiRouteKey) && caller(event).role !== 'admin') {
        throw new StackLensError('FORBIDDEN', 'Viewers can look but not change anything; ask an admin');
      }
      return await route(event);
    } catch (error) {
      return errorResponse(error, requestId);
    }
  };
}

// A valid scrypt hash of a random password, verified against when the e-mail is unknown.
const DUMMY_HASH = 'scrypt$131072$8$1$c3RhY2tsZW5zLWR1bW15IQ==$MnRmW0vFvVbY4cQx3o7b1bXyTcxN7qTQ5m8p3JqkW7c=';

let lambdaHandler: ReturnType<typeof createApiHandler> | undefined;

export const handler = lambdaEntry((event: Event) => {
  if (!lambdaHandler) {
    const config = configFromEnv();
    const services = buildServices(config, lambdaWiring);
    lambdaHandler = createApiHandler({
      incidents: services.incidents,
      stats: services.stats,
      users: services.users,
      ...(services.tokens ? { tokens: services.tokens } : {}),
      health: { dynamodb: () => services.stats.read('health') },
      automation: automationDeps(services, config),
      admin: adminDeps(services, config, lambdaWiring),
    });
  }
  return lambdaHandler(event);
});

export function automationDeps(services: Services, config: RuntimeConfig): AutomationApiDeps {
  return {
    incidents: services.incidents,
    audit: services.audit,
    config: services.config,
    jiraTokens: services.jiraTokens,
    notifier: services.notifier,
    jiraAllowHosts: config.jiraAllowHosts,
    ...(services.workflow ? { workflow: services.workflow } : {}),
  };
}

export function adminDeps(services: Services, config: RuntimeConfig, options: WiringOptions = {}): AdminApiDeps {
  const wrap: WrapClient = options.wrapClient ?? ((client) => client);
  return {
    incidents: services.incidents,
    stats: services.stats,
    config: services.config,
    users: services.users,
    audit: services.audit,
    logs: {
      client: wrap(
        new CloudWatchLogsClient({
          region: config.region,
          ...(config.logsEndpoint ? { endpoint: config.logsEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
        }),
      ),
      logGroupName: config.logGroupName,
    },
  };
}
