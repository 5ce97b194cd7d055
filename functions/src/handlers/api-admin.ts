import { CloudWatchLogsClient, DescribeLogStreamsCommand, ResourceNotFoundException, type DescribeLogStreamsCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
import { z } from 'zod';
import type { DynamoAuditStore } from '../adapters/dynamodb/audit-store.js';
import type { DynamoIncidentStore } from '../adapters/dynamodb/incident-store.js';
import type { DynamoConfigStore, DynamoStatsStore, DynamoUserStore } from '../adapters/dynamodb/settings-store.js';
import { hashPassword } from '../auth/local-auth.js';
import { SEVERITIES } from '../domain/catalog.js';
import { StackLensError } from '../domain/errors.js';
import { dimensionsFromStream } from '../domain/incident.js';
import { caller, json, parseBody, validate, type ApiRoute } from './http.js';

export interface AdminApiDeps {
  readonly incidents: DynamoIncidentStore;
  readonly stats: DynamoStatsStore;
  readonly config: DynamoConfigStore;
  readonly users: DynamoUserStore;
  readonly audit: DynamoAuditStore;
  /** The POS log group's streams are the fleet; absent when the API cannot reach CloudWatch Logs. */
  readonly logs?: { readonly client: CloudWatchLogsClient; readonly logGroupName: string };
  readonly now?: () => Date;
}

export const ADMIN_ROUTES = ['GET /api/overview', 'GET /api/audit', 'GET /api/users', 'POST /api/users'] as const;

/** A kiosk that has shipped nothing for this long is flagged silent: agents ship at least their own heartbeat-free traffic. */
const SILENT_AFTER_MS = 15 * 60_000;
const FLEET_LIMIT = 1000;

const auditQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50), cursor: z.string().max(100).optional() }).strict();
const newUser = z
  .object({
    email: z.string().trim().toLowerCase().email().max(254),
    password: z.string().min(12, 'must be at least 12 characters').max(1024),
    role: z.enum(['admin', 'viewer']),
  })
  .strict();

export function adminRoutes(deps: AdminApiDeps): Record<(typeof ADMIN_ROUTES)[number], ApiRoute> {
  const now = deps.now ?? (() => new Date());
  return {
    'GET /api/overview': async () => {
      const at = now();
      const minutes = Array.from({ length: 60 }, (_, i) => new Date(at.getTime() - (59 - i) * 60_000).toISOString().slice(0, 16));
      const day = at.toISOString().slice(0, 10);
      const [counters, page, jira, automation, outcomes, fleet] = await Promise.all([
        deps.stats.readMany([...minutes.map((m) => `errors#${m}`), `stores#${day}`]),
        deps.incidents.list({ limit: 100 }),
        deps.config.getJira(),
        deps.config.getAutomation(),
        deps.config.ticketOutcomes(),
        fleetStatus(deps.logs, at),
      ]);
      const open = page.items.filter((i) => i.status !== 'resolved');
      const kioskTotals: Record<string, number> = {};
      for (const counts of await Promise.all(open.slice(0, 20).map((i) => deps.incidents.kioskCounts(i.id)))) {
        for (const [kiosk, n] of Object.entries(counts)) kioskTotals[kiosk] = (kioskTotals[kiosk] ?? 0) + n;
      }
      return json(200, {
        generatedAt: at.toISOString(),
        errorsPerMinute: minutes.map((minute) => ({ minute: `${minute}:00.000Z`, count: counters[`errors#${minute}`]?.count ?? 0 })),
        openBySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, open.filter((i) => i.severity === s).length])),
        topStores: top(counters[`stores#${day}`] ?? {}, 10).map(([storeId, occurrences]) => ({ storeId, occurrences })),
        topKiosks: top(kioskTotals, 10).map(([kiosk, occurrences]) => ({ kiosk, occurrences })),
        automation: {
          jiraConfigured: jira !== undefined && jira.apiTokenSet === true,
          jiraEnabled: jira?.enabled === true,
          autoTicket: automation.autoTicket,
          minSeverity: automation.minSeverity,
          ...outcomes,
        },
        fleet,
      });
    },

    'GET /api/audit': async (event) => {
      const query = validate(auditQuery, event.queryStringParameters ?? {}, 'query');
      return json(200, await deps.audit.list(query.limit, query.cursor));
    },

    'GET /api/users': async () => json(200, { items: await deps.users.all() }),

    'POST /api/users': async (event) => {
      const user = parseBody(event, newUser);
      const createdAt = now().toISOString();
      const created = await deps.users.create({ email: user.email, passwordHash: await hashPassword(user.password), role: user.role, createdAt });
      if (!created) throw new StackLensError('CONFLICT', `A user ${user.email} already exists`);
      await deps.audit.record({ at: createdAt, actor: caller(event).subject, action: 'user.created', target: user.email, detail: { role: user.role } });
      return json(201, { email: user.email, role: user.role, createdAt });
    },
  };
}

function top(counts: Record<string, number>, n: number): Array<[string, number]> {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n);
}

/** Every kiosk's stream in the POS log group with when it last shipped; CloudWatch Logs is the source of truth for that. */
async function fleetStatus(logs: AdminApiDeps['logs'], at: Date): Promise<Array<{ storeId: string; kioskId: string; logStream: string; lastShipAt?: string; silent: boolean }>> {
  if (!logs) return [];
  const fleet: Array<{ storeId: string; kioskId: string; logStream: string; lastShipAt?: string; silent: boolean }> = [];
  let nextToken: string | undefined;
  try {
    do {
      const out: DescribeLogStreamsCommandOutput = await logs.client.send(new DescribeLogStreamsCommand({ logGroupName: logs.logGroupName, nextToken, limit: 50 }));
      for (const stream of out.logStreams ?? []) {
        if (!stream.logStreamName) continue;
        const last = stream.lastIngestionTime;
        fleet.push({
          ...dimensionsFromStream(stream.logStreamName),
          logStream: stream.logStreamName,
          ...(last ? { lastShipAt: new Date(last).toISOString() } : {}),
          silent: !last || at.getTime() - last > SILENT_AFTER_MS,
        });
      }
      nextToken = out.nextToken;
    } while (nextToken && fleet.length < FLEET_LIMIT);
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return [];
    throw error;
  }
  return fleet.sort((a, b) => Number(b.silent) - Number(a.silent) || a.logStream.localeCompare(b.logStream));
}
