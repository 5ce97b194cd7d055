import http from 'node:http';
import { AwsServiceError, sendAwsJson } from './aws-error.js';
import { decodePathSegment, readBody, requestUrl } from './http-body.js';
import { handleLogsRequest, MAX_LOGS_REQUEST_BYTES } from './cloudwatch-logs/http.js';
import type { LocalCloudWatchLogs } from './cloudwatch-logs/service.js';
import type { LocalGateway } from './gateway.js';
import { handleSecretsManagerRequest, MAX_SECRETS_MANAGER_REQUEST_BYTES, SECRETS_MANAGER_TARGET_PREFIX } from './secretsmanager/http.js';
import type { LocalSecretsManager } from './secretsmanager/service.js';
import { handleStepFunctionsRequest, MAX_STEP_FUNCTIONS_REQUEST_BYTES, STEP_FUNCTIONS_TARGET_PREFIX } from './stepfunctions/http.js';
import type { LocalStepFunctions } from './stepfunctions/service.js';

export interface EdgeServices {
  readonly logs: LocalCloudWatchLogs;
  readonly gateway: LocalGateway;
  readonly stepFunctions: LocalStepFunctions;
  readonly secrets: LocalSecretsManager;
}

/** AWS JSON-protocol services, told apart by the X-Amz-Target prefix as the real endpoints' SDK clients send it. */
const ROUTES: ReadonlyArray<{
  prefix: string;
  maxBytes: number;
  handle: (services: EdgeServices, operation: string, body: Buffer, res: http.ServerResponse) => Promise<void>;
}> = [
  { prefix: 'Logs_20140328.', maxBytes: MAX_LOGS_REQUEST_BYTES, handle: (s, op, body, res) => handleLogsRequest(s.logs, op, body, res) },
  { prefix: STEP_FUNCTIONS_TARGET_PREFIX, maxBytes: MAX_STEP_FUNCTIONS_REQUEST_BYTES, handle: (s, op, body, res) => handleStepFunctionsRequest(s.stepFunctions, op, body, res) },
  { prefix: SECRETS_MANAGER_TARGET_PREFIX, maxBytes: MAX_SECRETS_MANAGER_REQUEST_BYTES, handle: (s, op, body, res) => handleSecretsManagerRequest(s.secrets, op, body, res) },
];

/**
 * The local AWS edge: one loopback port that answers like the AWS endpoints our SDK clients call — CloudWatch Logs,
 * Step Functions and Secrets Manager (JSON protocols, routed by X-Amz-Target) and the API Gateway @connections API.
 */
export class LocalEdge {
  readonly server: http.Server;
  private services: EdgeServices | undefined;

  /** The edge listens before the services behind it exist, because their configuration needs its port. */
  attach(services: EdgeServices): void {
    this.services = services;
  }

  constructor() {
    this.server = http.createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        console.error('edge: request failed', error);
        if (!res.headersSent) sendAwsJson(res, 500, { __type: 'InternalFailure', message: 'The local edge failed to answer' });
        else res.destroy();
      });
    });
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = requestUrl(req);
    if (!url) return sendAwsJson(res, 400, { __type: 'BadRequestException', message: `The request target ${JSON.stringify(req.url)} is not a valid path` });
    const services = this.services;
    if (!services) return sendAwsJson(res, 503, { __type: 'ServiceUnavailableException', message: 'The local edge is starting' });
    const connection = /^\/ws-api\/@connections\/([^/]+)$/.exec(url.pathname);
    if (connection?.[1]) {
      const connectionId = decodePathSegment(connection[1]);
      if (connectionId === undefined) {
        return sendAwsJson(res, 400, { __type: 'BadRequestException', message: 'Invalid connectionId: not valid percent-encoding' });
      }
      return services.gateway.handleManagement(req, res, connectionId);
    }

    const target = req.headers['x-amz-target'];
    const route = typeof target === 'string' && req.method === 'POST' ? ROUTES.find((r) => target.startsWith(r.prefix)) : undefined;
    if (route && typeof target === 'string') {
      const body = await readBody(req, route.maxBytes);
      if (!body) return sendAwsJson(res, 413, { __type: 'RequestEntityTooLargeException', message: `Request body exceeds ${route.maxBytes} bytes` });
      return route.handle(services, target.slice(route.prefix.length), body, res);
    }
    const error = new AwsServiceError('UnknownOperationException', `The local edge does not serve ${req.method ?? ''} ${url.pathname} (target ${String(target)})`, 404);
    sendAwsJson(res, error.statusCode, { __type: error.type, message: error.message });
  }
}
