// Property-based tests of the local HTTP front doors: the body reader's limit, the AWS JSON protocol adapter the edge
// hands request bodies to, the local API Gateway's request parsing (path parameters, query strings, bodies, raw paths)
// and the edge's own routing. A front door answers hostile input with a 4xx that names the problem, never a 500.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import type { TokenVerifier } from '../../../../functions/src/auth/local-auth.js';
import { LocalCloudWatchLogs } from '../../../src/local/cloudwatch-logs/service.js';
import { handleLogsRequest, MAX_LOGS_REQUEST_BYTES } from '../../../src/local/cloudwatch-logs/http.js';
import { LocalEdge } from '../../../src/local/edge.js';
import { LocalGateway } from '../../../src/local/gateway.js';
import { readBody } from '../../../src/local/http-body.js';
import { handleSecretsManagerRequest, MAX_SECRETS_MANAGER_REQUEST_BYTES } from '../../../src/local/secretsmanager/http.js';
import type { LocalSecretsManager } from '../../../src/local/secretsmanager/service.js';
import { handleStepFunctionsRequest, MAX_STEP_FUNCTIONS_REQUEST_BYTES } from '../../../src/local/stepfunctions/http.js';
import type { LocalStepFunctions } from '../../../src/local/stepfunctions/service.js';
import { newService as newSecrets, type Paths } from '../secretsmanager/helpers.js';
import { newService as newStepFunctions } from '../stepfunctions/helpers.js';
import { propertyTempDir, secretsPaths } from './temp.js';

// ── readBody ───────────────────────────────────────────────────────────────────────────────────────────────────────

describe('Property: readBody', () => {
  it('returns the exact body when it fits the limit and undefined past it, however the bytes are chunked', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 12 }), fc.integer({ min: 0, max: 400 }), async (chunks, limit) => {
        const body = Buffer.concat(chunks);
        const stream = Readable.from(chunks.map((chunk) => Buffer.from(chunk)));
        const read = await readBody(stream as unknown as http.IncomingMessage, limit);
        if (body.length <= limit) expect(read?.equals(body)).toBe(true);
        else expect(read).toBeUndefined();
        // Past the limit it still drains the request, so the client reads the answer instead of a reset.
        expect(stream.readableEnded).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });
});

// ── The AWS JSON adapter ───────────────────────────────────────────────────────────────────────────────────────────

interface Recorded {
  status?: number;
  headers?: http.OutgoingHttpHeaders;
  body?: Buffer;
  writes: number;
}

/** Just the two calls writeAwsJson makes, recorded. */
function recordingResponse(): { res: http.ServerResponse; recorded: Recorded } {
  const recorded: Recorded = { writes: 0 };
  const res = {
    writeHead(status: number, headers: http.OutgoingHttpHeaders) {
      recorded.status = status;
      recorded.headers = headers;
      return res;
    },
    end(payload: Buffer) {
      recorded.body = payload;
      recorded.writes += 1;
      return res;
    },
  };
  return { res: res as unknown as http.ServerResponse, recorded };
}

describe('Property: the AWS JSON adapters of the three emulators', () => {
  let smPaths: Paths;
  let sfnDir: ReturnType<typeof propertyTempDir>;
  let logs: LocalCloudWatchLogs;
  let secrets: LocalSecretsManager;
  let stepFunctions: LocalStepFunctions;

  beforeAll(() => {
    smPaths = secretsPaths();
    sfnDir = propertyTempDir('stacklens-sfn-prop-');
    logs = new LocalCloudWatchLogs({ deliver: async () => undefined });
    secrets = newSecrets(smPaths);
    stepFunctions = newStepFunctions(sfnDir.dir, [{ name: 'Machine', definition: { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } } }], {});
  });
  afterAll(async () => {
    await stepFunctions.close();
    await logs.drain(5_000);
    smPaths.remove();
    sfnDir.remove();
  });

  const adapters = () =>
    [
      {
        name: 'logs',
        contentType: 'application/x-amz-json-1.1',
        max: MAX_LOGS_REQUEST_BYTES,
        call: (op: string, body: Buffer, res: http.ServerResponse) => handleLogsRequest(logs, op, body, res),
      },
      {
        name: 'secrets',
        contentType: 'application/x-amz-json-1.1',
        max: MAX_SECRETS_MANAGER_REQUEST_BYTES,
        call: (op: string, body: Buffer, res: http.ServerResponse) => handleSecretsManagerRequest(secrets, op, body, res),
      },
      {
        name: 'states',
        contentType: 'application/x-amz-json-1.0',
        max: MAX_STEP_FUNCTIONS_REQUEST_BYTES,
        call: (op: string, body: Buffer, res: http.ServerResponse) => handleStepFunctionsRequest(stepFunctions, op, body, res),
      },
    ] as const;

  const bodyArb = fc.oneof(
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
    fc.jsonValue({ maxDepth: 3 }).map((value) => Buffer.from(JSON.stringify(value) ?? '')),
    fc.string({ unit: 'binary', maxLength: 100 }).map((text) => Buffer.from(text)),
    fc
      .constantFrom('', '{}', '[]', 'null', '"x"', '{"logGroupName":"/g"}', '{"a":', '\u0000', '{"__proto__":{"x":1}}', ' {} ', '\uFEFF{}')
      .map((text) => Buffer.from(text)),
  );
  const operationArb = fc.constantFrom(
    'CreateLogGroup',
    'PutLogEvents',
    'GetSecretValue',
    'CreateSecret',
    'StartExecution',
    'ListExecutions',
    'DescribeLogGroups',
    'ListSecrets',
    'Nope',
    '',
  );

  it('answer every body with exactly one JSON response: 200, or a 4xx with __type, message and the x-amzn-errortype header', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0, 1, 2), operationArb, bodyArb, async (which, operation, body) => {
        const adapter = adapters()[which]!;
        const { res, recorded } = recordingResponse();
        await adapter.call(operation, body, res);

        expect(recorded.writes).toBe(1);
        expect(recorded.headers?.['content-type']).toBe(adapter.contentType);
        expect(recorded.headers?.['content-length']).toBe(recorded.body?.length);
        const answer = JSON.parse(recorded.body!.toString('utf8')) as { __type?: unknown; message?: unknown };
        expect([200, 400, 404, 409, 413]).toContain(recorded.status);
        if (recorded.status !== 200) {
          expect(typeof answer.__type).toBe('string');
          expect(typeof answer.message).toBe('string');
          expect(recorded.headers?.['x-amzn-errortype']).toBe(answer.__type);
        }
        let parsed: unknown;
        try {
          parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
        } catch {
          parsed = undefined;
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) expect(answer.__type).toBe('SerializationException');
      }),
      { numRuns: 1_500 },
    );
  });

  it('refuse a body one byte past each adapter’s limit with 413 and accept the limit itself as far as size goes', async () => {
    for (const adapter of adapters()) {
      for (const size of [adapter.max, adapter.max + 1]) {
        const { res, recorded } = recordingResponse();
        await adapter.call('Nope', Buffer.alloc(size, 0x20), res);
        const answer = JSON.parse(recorded.body!.toString('utf8')) as { __type: string };
        expect({ adapter: adapter.name, size, type: answer.__type }).toEqual({
          adapter: adapter.name,
          size,
          type: size > adapter.max ? 'RequestEntityTooLargeException' : 'SerializationException',
        });
      }
    }
  });
});

// ── The local API Gateway ──────────────────────────────────────────────────────────────────────────────────────────

const MAX_BODY = 2_048;

interface EchoedEvent {
  rawPath: string;
  rawQueryString: string;
  pathParameters?: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  body?: string;
  isBase64Encoded: boolean;
  cookies?: string[];
}

/** Sends exactly `path` (no URL normalisation on our side) and reads the whole answer. */
function rawRequest(
  port: number,
  method: string,
  path: string,
  body?: Buffer,
  headers: http.OutgoingHttpHeaders = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(body ? { 'content-length': body.length } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('Property: the local API Gateway parsing requests', () => {
  let gateway: LocalGateway;
  let port: number;
  const logged: unknown[] = [];
  const originalError = console.error;

  beforeAll(async () => {
    // A 500 logs through console.error: collected here, so a test can say none happened.
    console.error = (...args: unknown[]) => logged.push(args);
    const verifier: TokenVerifier = {
      verify: async (token) => {
        if (token !== 'good') throw new Error('bad token');
        return { subject: 'user-1', role: 'admin' };
      },
    };
    gateway = new LocalGateway({
      routes: ['GET /api/items/{id}', 'GET /api/pairs/{a}/x/{b}', 'POST /api/echo', 'POST /api/secure'],
      publicRoutes: new Set(['GET /api/items/{id}', 'GET /api/pairs/{a}/x/{b}', 'POST /api/echo']),
      api: async (event: unknown) => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) }),
      verifier,
      wsAuthorizer: async () => ({ policyDocument: { Statement: [{ Effect: 'Deny' }] } }),
      wsConnection: async () => ({ statusCode: 200 }),
      maxBodyBytes: MAX_BODY,
    });
    port = await gateway.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await gateway.close();
    console.error = originalError;
  });

  const segmentArb = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).filter((text) => text !== '.' && text !== '..');

  it('decodes percent-encoded path parameters back to exactly what the client encoded', async () => {
    await fc.assert(
      fc.asyncProperty(segmentArb, segmentArb, fc.boolean(), async (a, b, trailingSlash) => {
        const res = await rawRequest(port, 'GET', `/api/pairs/${encodeURIComponent(a)}/x/${encodeURIComponent(b)}${trailingSlash ? '/' : ''}`);
        expect(res.status).toBe(200);
        expect((JSON.parse(res.text) as EchoedEvent).pathParameters).toEqual({ a, b });
      }),
      { numRuns: 300 },
    );
  });

  it('passes query strings through raw and joins repeated parameters with commas, as HTTP APIs do', async () => {
    const pairArb = fc.tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 8 }));
    await fc.assert(
      fc.asyncProperty(fc.array(pairArb, { maxLength: 6 }), async (pairs) => {
        const query = new URLSearchParams(pairs).toString();
        const res = await rawRequest(port, 'GET', `/api/items/1${query ? `?${query}` : ''}`);
        const event = JSON.parse(res.text) as EchoedEvent;
        const expected: Record<string, string> = {};
        for (const [key, value] of pairs) expected[key] = key in expected ? `${expected[key]},${value}` : value;
        expect(event.rawQueryString).toBe(query);
        expect(event.queryStringParameters ?? {}).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('hands text bodies over as text and any other body as base64 of the same bytes, and refuses one past the limit with 413', async () => {
    const bodyArb = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => ({ bytes: Buffer.from(bytes), type: 'application/octet-stream' })),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }).map((text) => ({ bytes: Buffer.from(text), type: 'application/json' })),
      fc.integer({ min: MAX_BODY - 2, max: MAX_BODY + 2 }).map((size) => ({ bytes: Buffer.alloc(size, 0x61), type: 'text/plain' })),
    );
    await fc.assert(
      fc.asyncProperty(bodyArb, async ({ bytes, type }) => {
        const res = await rawRequest(port, 'POST', '/api/echo', bytes, { 'content-type': type });
        if (bytes.length > MAX_BODY) {
          expect(res.status).toBe(413);
          expect(JSON.parse(res.text)).toMatchObject({ message: expect.any(String) });
          return;
        }
        const event = JSON.parse(res.text) as EchoedEvent;
        expect(event.isBase64Encoded).toBe(type === 'application/octet-stream');
        const received = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : Buffer.from(event.body ?? '', 'utf8');
        expect(received.equals(bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('answers any raw request path with a 2xx or 4xx, never a 500, and keeps answering', async () => {
    const pathCharArb = fc.constantFrom(
      '/',
      'api',
      'items',
      'pairs',
      'x',
      'echo',
      'secure',
      '%',
      '%E0',
      '%A4',
      '%2F',
      '%2e',
      '%00',
      '%ZZ',
      '%C3%A9',
      '..',
      '.',
      '\\',
      '~',
      '!',
      "'",
      '(',
      '*',
      '@',
      ';',
      '=',
      '+',
      '$',
      ',',
      '[',
      ']',
      'é',
    );
    const pathArb = fc.array(pathCharArb, { maxLength: 10 }).map((parts) => `/${parts.join('')}`);
    await fc.assert(
      fc.asyncProperty(
        pathArb,
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        fc.option(fc.stringMatching(/^[a-z=&%0-9]{0,12}$/), { nil: undefined }),
        async (path, method, query) => {
          const target = encodeURI(path).replace(/%25/g, '%') + (query === undefined ? '' : `?${query}`);
          const res = await rawRequest(port, method, target, method === 'POST' ? Buffer.from('{}') : undefined, { 'content-type': 'application/json' });
          expect({ target, status: res.status < 500 }).toEqual({ target, status: true });
        },
      ),
      { numRuns: 800 },
    );
    expect((await rawRequest(port, 'GET', '/api/items/still-up')).status).toBe(200);
    expect(logged).toEqual([]);
  });
});

// ── The edge ───────────────────────────────────────────────────────────────────────────────────────────────────────

describe('Property: the local edge routing raw requests', () => {
  let edge: LocalEdge;
  let gateway: LocalGateway;
  let port: number;
  let smPaths: Paths;
  let sfnDir: ReturnType<typeof propertyTempDir>;
  let stepFunctions: LocalStepFunctions;
  let logs: LocalCloudWatchLogs;
  const logged: unknown[] = [];
  const originalError = console.error;

  beforeAll(async () => {
    console.error = (...args: unknown[]) => logged.push(args);
    smPaths = secretsPaths();
    sfnDir = propertyTempDir('stacklens-sfn-prop-');
    logs = new LocalCloudWatchLogs({ deliver: async () => undefined });
    stepFunctions = newStepFunctions(sfnDir.dir, [], {});
    gateway = new LocalGateway({
      routes: [],
      publicRoutes: new Set(),
      api: async () => ({ statusCode: 404 }),
      verifier: { verify: async () => Promise.reject(new Error('no')) },
      wsAuthorizer: async () => ({}),
      wsConnection: async () => ({ statusCode: 200 }),
    });
    edge = new LocalEdge();
    port = await edge.listen(0, '127.0.0.1');
    edge.attach({ logs, gateway, stepFunctions, secrets: newSecrets(smPaths) });
  });

  afterAll(async () => {
    await edge.close();
    await stepFunctions.close();
    await logs.drain(5_000);
    smPaths.remove();
    sfnDir.remove();
    console.error = originalError;
  });

  it('answers any path, target and method with a 4xx carrying __type and message, or a service answer, never a 500', async () => {
    const pathArb = fc.oneof(
      fc.constantFrom(
        '/',
        '/ws-api/@connections/abc',
        '/ws-api/@connections/%E0%A4',
        '/ws-api/@connections/%',
        '/ws-api/@connections/%ZZ',
        '/ws-api/@connections/a%2Fb',
        '/ws-api/@connections/',
      ),
      fc.array(fc.constantFrom('/', 'ws-api', '@connections', '%', '%E0', '%C3%A9', 'x', '..', '%2F'), { maxLength: 6 }).map((parts) => `/${parts.join('')}`),
    );
    const targetArb = fc.option(
      fc.constantFrom(
        'Logs_20140328.DescribeLogGroups',
        'Logs_20140328.',
        'AWSStepFunctions.ListStateMachines',
        'secretsmanager.ListSecrets',
        'secretsmanager.Nope',
        'Other.Op',
        '',
      ),
      { nil: undefined },
    );
    await fc.assert(
      fc.asyncProperty(pathArb, fc.constantFrom('GET', 'POST', 'DELETE', 'PUT'), targetArb, async (path, method, target) => {
        const res = await rawRequest(
          port,
          method,
          path,
          method === 'POST' ? Buffer.from('{}') : undefined,
          target === undefined ? {} : { 'x-amz-target': target },
        );
        expect({ path, method, target, server: res.status < 500 }).toEqual({ path, method, target, server: true });
        if (res.status >= 400 && res.text !== '') {
          const answer = JSON.parse(res.text) as { __type?: unknown; message?: unknown };
          expect(typeof answer.message).toBe('string');
        }
      }),
      { numRuns: 500 },
    );
    expect(logged).toEqual([]);
  });
});
