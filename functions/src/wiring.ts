import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createManagementClient, WebSocketNotifier } from './adapters/apigateway/websocket-notifier.js';
import { createDocumentClient } from './adapters/dynamodb/client.js';
import { DynamoIncidentStore } from './adapters/dynamodb/incident-store.js';
import { DynamoConnectionStore, DynamoStatsStore, DynamoUserStore } from './adapters/dynamodb/settings-store.js';
import { LocalTokenService } from './auth/local-auth.js';
import { MissingEnvironmentError, type RuntimeConfig } from './config.js';

/** Every adapter a handler may need, built from one config. Clients are created once per container and reused. */
export interface Services {
  readonly db: DynamoDBDocumentClient;
  readonly incidents: DynamoIncidentStore;
  readonly stats: DynamoStatsStore;
  readonly connections: DynamoConnectionStore;
  readonly users: DynamoUserStore;
  readonly notifier: () => WebSocketNotifier;
  readonly tokens?: LocalTokenService;
}

export function buildServices(config: RuntimeConfig): Services {
  const db = createDocumentClient(config);
  const stats = new DynamoStatsStore(db, config.tables.settings);
  const connections = new DynamoConnectionStore(db, config.tables.connections);
  let notifier: WebSocketNotifier | undefined;
  return {
    db,
    incidents: new DynamoIncidentStore(db, config.tables, config.retentionDays),
    stats,
    connections,
    users: new DynamoUserStore(db, config.tables.settings),
    notifier: () => {
      if (!config.wsManagementEndpoint) throw new MissingEnvironmentError('WS_MANAGEMENT_ENDPOINT');
      notifier ??= new WebSocketNotifier(createManagementClient(config.wsManagementEndpoint, config.region, config.dynamodbEndpoint !== undefined), connections, stats);
      return notifier;
    },
    ...(config.authKey ? { tokens: new LocalTokenService(config.authKey) } : {}),
  };
}
