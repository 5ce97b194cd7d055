import http from 'node:http';
import { AwsServiceError, sendAwsJson } from './aws-error.js';
import { readBody } from './http-body.js';
import { handleLogsRequest, MAX_LOGS_REQUEST_BYTES } from './cloudwatch-logs/http.js';
import type { LocalCloudWatchLogs } from './cloudwatch-logs/service.js';
import type { LocalGateway } from './gateway.js';

/**
 * The local AWS edge: one loopback port that answers like the AWS endpoints our SDK clients call —
 * CloudWatch Logs (JSON protocol, routed by X-Amz-Target) and the API Gateway @connections management API.
 */
export class LocalEdge {
  readonly server: http.Server;
  private logs: LocalCloudWatchLogs | undefined;
  private gateway: LocalGateway | undefined;

  /** The edge listens before the services behind it exist, because their configuration needs its port. */
  attach(logs: LocalCloudWatchLogs, gateway: LocalGateway): void {
    this.logs = logs;
    this.gateway = gateway;
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
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!this.logs || !this.gateway) return sendAwsJson(res, 503, { __type: 'ServiceUnavailableException', message: 'The local edge is starting' });
    const connection = /^\/ws-api\/@connections\/([^/]+)$/.exec(url.pathname);
    if (connection?.[1]) return this.gateway.handleManagement(req, res, decodeURIComponent(connection[1]));

    const target = req.headers['x-amz-target'];
    if (req.method === 'POST' && typeof target === 'string' && target.startsWith('Logs_20140328.')) {
      const body = await readBody(req, MAX_LOGS_REQUEST_BYTES);
      if (!body) return sendAwsJson(res, 413, { __type: 'RequestEntityTooLargeException', message: `Request body exceeds ${MAX_LOGS_REQUEST_BYTES} bytes` });
      return handleLogsRequest(this.logs, target.slice('Logs_20140328.'.length), body, res);
    }
    const error = new AwsServiceError('UnknownOperationException', `The local edge does not serve ${req.method ?? ''} ${url.pathname} (target ${String(target)})`, 404);
    sendAwsJson(res, error.statusCode, { __type: error.type, message: error.message });
  }
}
