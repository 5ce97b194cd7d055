import type { APIGatewayAuthorizerResult, APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { configFromEnv } from '../config.js';
import type { TokenVerifier } from '../auth/local-auth.js';
import type { ConnectionStore } from '../ports.js';
import { buildServices } from '../wiring.js';
import { lambdaEntry, lambdaWiring } from './observability.js';

/**
 * $connect authorizer. Browsers cannot set headers on a WebSocket, so the token travels as `?token=`;
 * API Gateway only runs it on $connect, which is the only place a socket can be refused.
 */
export function createWebSocketAuthorizer(verifier: TokenVerifier) {
  return async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const token = event.queryStringParameters?.token;
    // Throwing "Unauthorized" is how a REQUEST authorizer makes API Gateway answer 401 rather than 403.
    if (!token) throw new Error('Unauthorized');
    let principal;
    try {
      principal = await verifier.verify(token);
    } catch {
      throw new Error('Unauthorized');
    }
    return {
      principalId: principal.subject,
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] },
      context: { subject: principal.subject, role: principal.role },
    };
  };
}

type ConnectionEvent = APIGatewayProxyWebsocketEventV2 & { requestContext: { authorizer?: { subject?: string } } };

export function createConnectionHandler(connections: ConnectionStore, now: () => Date = () => new Date()) {
  return async (event: ConnectionEvent): Promise<APIGatewayProxyResultV2> => {
    const { connectionId, routeKey } = event.requestContext;
    if (routeKey === '$connect') {
      await connections.add({ connectionId, subject: event.requestContext.authorizer?.subject ?? 'unknown', connectedAt: now().toISOString() });
    } else if (routeKey === '$disconnect') {
      await connections.remove(connectionId);
    }
    // $default: the dashboard only listens; anything it sends is ignored rather than echoed.
    return { statusCode: 200 };
  };
}

let connectionHandler: ReturnType<typeof createConnectionHandler> | undefined;
let authorizer: ReturnType<typeof createWebSocketAuthorizer> | undefined;

export const connectionEntry = lambdaEntry((event: ConnectionEvent) => {
  connectionHandler ??= createConnectionHandler(buildServices(configFromEnv(), lambdaWiring).connections);
  return connectionHandler(event);
});

export const authorizerEntry = lambdaEntry((event: APIGatewayRequestAuthorizerEvent) => {
  if (!authorizer) {
    const services = buildServices(configFromEnv(), lambdaWiring);
    if (!services.verifier) throw new Error('No token verifier configured for the WebSocket authorizer');
    authorizer = createWebSocketAuthorizer(services.verifier);
  }
  return authorizer(event);
});
