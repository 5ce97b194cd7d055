import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { TokenVerifier, Principal } from '../../../functions/src/auth/local-auth.js';
import { decodePathSegment, readBody, requestUrl } from './http-body.js';
import { invokeLocal, type LambdaHandler } from './lambda.js';
import { FUNCTIONS } from '../functions.js';

/**
 * A local stand-in for API Gateway: an HTTP API whose JWT authorizer is `verifier`, and a WebSocket API with a
 * REQUEST authorizer on $connect plus the @connections management API. Handlers receive the same event shapes as in AWS.
 */
export interface GatewayOptions {
  readonly routes: readonly string[];
  readonly publicRoutes: ReadonlySet<string>;
  readonly api: LambdaHandler;
  readonly verifier: TokenVerifier;
  readonly wsAuthorizer: LambdaHandler;
  readonly wsConnection: LambdaHandler;
  /** Built dashboard files; served at / when present. */
  readonly staticDir?: string;
  /** How config.json tells the dashboard to sign in; local accounts when absent. The redirect URI defaults to this gateway's root. */
  readonly clientAuth?: { readonly mode: 'cognito'; readonly domain: string; readonly clientId: string; readonly redirectUri?: string };
  readonly maxBodyBytes?: number;
}

interface CompiledRoute {
  readonly key: string;
  readonly method: string;
  readonly pattern: RegExp;
  readonly params: string[];
}

interface LiveConnection {
  readonly socket: WebSocket;
  readonly connectedAt: Date;
  lastActiveAt: Date;
  readonly sourceIp: string;
  readonly userAgent: string;
}

/** A client that stops reading must not make the gateway buffer without bound; API Gateway drops such clients too. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export class LocalGateway {
  readonly server: http.Server;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 128 * 1024 });
  private readonly connections = new Map<string, LiveConnection>();
  private readonly compiled: CompiledRoute[];
  private readonly maxBody: number;
  private heartbeat: NodeJS.Timeout | undefined;
  /** $disconnect invocations still running; close() waits for them so they never outlive the tables they write. */
  private readonly disconnecting = new Set<Promise<void>>();

  constructor(private readonly opts: GatewayOptions) {
    this.maxBody = opts.maxBodyBytes ?? 1024 * 1024;
    this.compiled = opts.routes.map(compileRoute);
    this.server = http.createServer((req, res) => {
      this.handleHttp(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { message: 'Internal Server Error' });
        else res.destroy();
        console.error('gateway: request failed', error);
      });
    });
    this.server.on('upgrade', (req, socket, head) => {
      this.handleUpgrade(req, socket, head).catch((error: unknown) => {
        rejectUpgrade(socket, 500, 'Internal Server Error');
        console.error('gateway: upgrade failed', error);
      });
    });
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    // Dead peers (a laptop lid closed) never send a close frame; pings find them.
    this.heartbeat = setInterval(() => {
      for (const { socket } of this.connections.values()) socket.ping();
    }, 30_000).unref();
    return (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const [id, { socket }] of this.connections) {
      socket.close(1001, 'server shutting down');
      await this.disconnected(id);
    }
    await Promise.all(this.disconnecting);
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  connectionCount(): number {
    return this.connections.size;
  }

  /** The @connections management API (what ApiGatewayManagementApiClient calls), mounted on the edge endpoint. */
  async handleManagement(req: http.IncomingMessage, res: http.ServerResponse, connectionId: string): Promise<void> {
    const live = this.connections.get(connectionId);
    if (!live) {
      res.writeHead(410, { 'content-type': 'application/json', 'x-amzn-errortype': 'GoneException' });
      res.end(JSON.stringify({ message: `Connection ${connectionId} is gone` }));
      return;
    }
    if (req.method === 'POST') {
      const body = await readBody(req, 128 * 1024);
      if (body === undefined) {
        res.writeHead(413, { 'content-type': 'application/json', 'x-amzn-errortype': 'PayloadTooLargeException' });
        res.end(JSON.stringify({ message: 'Message exceeds 128 KB' }));
        return;
      }
      if (live.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        live.socket.terminate();
        res.writeHead(410, { 'content-type': 'application/json', 'x-amzn-errortype': 'GoneException' });
        res.end(JSON.stringify({ message: `Connection ${connectionId} was not reading and has been closed` }));
        return;
      }
      live.socket.send(body.toString('utf8'));
      res.writeHead(200).end();
    } else if (req.method === 'GET') {
      sendJson(res, 200, {
        ConnectedAt: live.connectedAt.toISOString(),
        LastActiveAt: live.lastActiveAt.toISOString(),
        Identity: { SourceIp: live.sourceIp, UserAgent: live.userAgent },
      });
    } else if (req.method === 'DELETE') {
      live.socket.close(1000, 'closed by the server');
      res.writeHead(204).end();
    } else {
      sendJson(res, 405, { message: 'Method Not Allowed' });
    }
  }

  private async handleHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = requestUrl(req);
    if (!url) return sendJson(res, 400, { message: 'Bad Request' });
    const method = req.method ?? 'GET';
    if (url.pathname === '/config.json') return this.serveClientConfig(req, res);
    if (!url.pathname.startsWith('/api/')) return this.serveStatic(url.pathname, res);

    const match = this.match(method, url.pathname);
    if (match === 'malformed') return sendJson(res, 400, { message: 'Bad Request' });
    if (!match) return sendJson(res, 404, { message: 'Not Found' });

    let claims: Record<string, string> | undefined;
    if (!this.opts.publicRoutes.has(match.route.key)) {
      const principal = await this.authorize(req.headers.authorization);
      if (!principal) return sendJson(res, 401, { message: 'Unauthorized' });
      claims = { sub: principal.subject, role: principal.role };
    }

    const body = await readBody(req, this.maxBody);
    if (body === undefined) return sendJson(res, 413, { message: 'Request Entity Too Large' });

    const event = toHttpApiEvent(req, url, match.route.key, match.params, body, claims);
    const result = await invokeLocal<{ statusCode?: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean }>(
      FUNCTIONS.api.name,
      this.opts.api,
      event,
    );
    const payload = result?.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
    res.writeHead(result?.statusCode ?? 200, { ...(result?.headers ?? {}), ...(payload ? { 'content-length': String(payload.byteLength) } : {}) });
    res.end(payload);
  }

  private async authorize(header: string | undefined): Promise<Principal | undefined> {
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!match?.[1]) return undefined;
    try {
      return await this.opts.verifier.verify(match[1]);
    } catch {
      return undefined;
    }
  }

  /** `malformed`: the route matched but a path parameter is not valid percent-encoding. */
  private match(method: string, pathname: string): { route: CompiledRoute; params: Record<string, string> } | 'malformed' | undefined {
    for (const route of this.compiled) {
      if (route.method !== method) continue;
      const m = route.pattern.exec(pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      for (const [i, name] of route.params.entries()) {
        const value = decodePathSegment(m[i + 1] ?? '');
        if (value === undefined) return 'malformed';
        params[name] = value;
      }
      return { route, params };
    }
    return undefined;
  }

  private async handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = requestUrl(req);
    if (!url) return rejectUpgrade(socket, 400, 'Bad Request');
    if (url.pathname !== '/ws') return rejectUpgrade(socket, 404, 'Not Found');
    const connectionId = randomBytes(12).toString('base64url');
    const requestContext = {
      routeKey: '$connect',
      eventType: 'CONNECT',
      connectionId,
      requestId: randomUUID(),
      apiId: 'local',
      stage: 'local',
      domainName: req.headers.host ?? 'localhost',
      connectedAt: Date.now(),
      requestTimeEpoch: Date.now(),
      identity: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: req.headers['user-agent'] ?? '' },
    };
    const query = Object.fromEntries(url.searchParams);
    let authorizerContext: Record<string, unknown>;
    try {
      const policy = await invokeLocal<{ policyDocument?: { Statement?: Array<{ Effect?: string }> }; context?: Record<string, unknown> }>(
        FUNCTIONS.wsAuthorizer.name,
        this.opts.wsAuthorizer,
        { type: 'REQUEST', methodArn: 'arn:aws:execute-api:local:000000000000:local/local/$connect', headers: req.headers, queryStringParameters: query, requestContext },
      );
      if (policy?.policyDocument?.Statement?.[0]?.Effect !== 'Allow') return rejectUpgrade(socket, 403, 'Forbidden');
      authorizerContext = policy.context ?? {};
    } catch {
      return rejectUpgrade(socket, 401, 'Unauthorized');
    }

    const connect = await invokeLocal<{ statusCode?: number }>(FUNCTIONS.wsConnection.name, this.opts.wsConnection, {
      requestContext: { ...requestContext, authorizer: authorizerContext },
      queryStringParameters: query,
      headers: req.headers,
      isBase64Encoded: false,
    });
    if ((connect?.statusCode ?? 200) >= 300) return rejectUpgrade(socket, 403, 'Forbidden');

    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const now = new Date();
      this.connections.set(connectionId, {
        socket: ws,
        connectedAt: now,
        lastActiveAt: now,
        sourceIp: requestContext.identity.sourceIp,
        userAgent: requestContext.identity.userAgent,
      });
      ws.on('message', () => {
        const live = this.connections.get(connectionId);
        if (live) live.lastActiveAt = new Date();
      });
      ws.on('close', () => {
        const pending = this.disconnected(connectionId);
        this.disconnecting.add(pending);
        void pending.finally(() => this.disconnecting.delete(pending));
      });
      ws.on('error', () => ws.terminate());
    });
  }

  private async disconnected(connectionId: string): Promise<void> {
    if (!this.connections.delete(connectionId)) return;
    try {
      await invokeLocal(FUNCTIONS.wsConnection.name, this.opts.wsConnection, {
        requestContext: { routeKey: '$disconnect', eventType: 'DISCONNECT', connectionId, requestId: randomUUID(), apiId: 'local', stage: 'local' },
        isBase64Encoded: false,
      });
    } catch (error) {
      console.error('gateway: $disconnect handler failed', error);
    }
  }

  /**
   * The dashboard reads where its API is and how to sign in at run time, so one build serves every environment
   * (in AWS the stack writes this file next to the build in S3).
   */
  private serveClientConfig(req: http.IncomingMessage, res: http.ServerResponse): void {
    const host = req.headers.host ?? `127.0.0.1:${(this.server.address() as { port: number }).port}`;
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    const cognito = this.opts.clientAuth;
    const auth = cognito ? { ...cognito, redirectUri: cognito.redirectUri ?? `http://${host}/` } : { mode: 'local' };
    res.end(JSON.stringify({ apiBaseUrl: '/api', wsUrl: `ws://${host}/ws`, auth }));
  }

  private async serveStatic(pathname: string, res: http.ServerResponse): Promise<void> {
    const root = this.opts.staticDir;
    if (root) {
      const decoded = decodePathSegment(pathname);
      if (decoded === undefined) return sendJson(res, 400, { message: 'Bad Request' });
      const relative = path.normalize(decoded).replace(/^(\.\.[/\\])+/, '');
      let file = path.join(root, relative);
      if (!file.startsWith(root)) return sendJson(res, 404, { message: 'Not Found' });
      const info = await stat(file).catch(() => undefined);
      // Single-page app: unknown paths get index.html so client-side routes survive a reload.
      if (!info?.isFile()) file = path.join(root, 'index.html');
      const index = await stat(file).catch(() => undefined);
      if (index?.isFile()) {
        res.writeHead(200, { 'content-type': contentType(file), 'content-length': String(index.size) });
        createReadStream(file).pipe(res);
        return;
      }
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      '<!doctype html><meta charset="utf-8"><title>StackLens</title><h1>StackLens API</h1>' +
        '<p>The dashboard is not built in this checkout (no web/dist). The API is live: <code>POST /api/auth/login</code>, ' +
        '<code>GET /api/incidents</code>, <code>GET /api/health</code>, WebSocket <code>/ws?token=…</code>.</p>',
    );
  }
}

function compileRoute(key: string): CompiledRoute {
  const [method, template] = key.split(' ') as [string, string];
  const params: string[] = [];
  const source = template
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params.push(param[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { key, method, pattern: new RegExp(`^${source}/?$`), params };
}

function toHttpApiEvent(
  req: http.IncomingMessage,
  url: URL,
  routeKey: string,
  pathParameters: Record<string, string>,
  body: Buffer,
  claims: Record<string, string> | undefined,
): unknown {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  // HTTP APIs join repeated query parameters with commas.
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const isText = body.byteLength === 0 || /json|text|x-www-form-urlencoded/.test(headers['content-type'] ?? 'application/json');
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(req.headers.cookie ? { cookies: req.headers.cookie.split(/;\s*/) } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    ...(body.byteLength > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !isText,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: { method: req.method ?? 'GET', path: url.pathname, protocol: `HTTP/${req.httpVersion}`, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(claims ? { authorizer: { jwt: { claims, scopes: [] }, principalId: '', integrationLatency: 0 } } : {}),
    },
  };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${message}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

function contentType(file: string): string {
  const types: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.json': 'application/json',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.ico': 'image/x-icon',
    '.woff2': 'font/woff2',
  };
  return types[path.extname(file)] ?? 'application/octet-stream';
}
