// The real Bedrock Runtime client against a loopback server speaking the Converse REST API, so the SDK's own error
// parsing (x-amzn-ErrorType), HTTP handling and abort behaviour are exercised, not just our mapping of mocked errors.
// The Bedrock Runtime client's default request handler speaks HTTP/2 only, so the server is cleartext HTTP/2 (h2c).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { BedrockAnalyzer } from '../../../src/adapters/bedrock/bedrock-analyzer.js';
import { ANALYSIS_TOOL_NAME } from '../../../src/adapters/bedrock/prompt.js';
import { createBuiltinAnalyzer } from '../../../src/domain/analysis/builtin-analyzer.js';
import { AnalysisError } from '../../../src/domain/analysis/errors.js';
import { FallbackAnalyzer } from '../../../src/domain/analysis/fallback.js';
import type { AnalysisInput } from '../../../src/domain/analysis/types.js';
import { incident, PAYMENT_TIMEOUT_SAMPLE, PAYMENT_TIMEOUT_TEMPLATE } from '../../unit/analysis/fixtures.js';

const MODEL_ID = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';

type Behaviour = { kind: 'answer'; body: unknown } | { kind: 'error'; status: number; type: string; message: string } | { kind: 'hang' };

interface Received {
  method: string;
  path: string;
  body: string;
}

let behaviour: Behaviour = { kind: 'hang' };
const received: Received[] = [];
const sessions = new Set<http2.ServerHttp2Session>();
let closedWhileHanging = 0;
let server: http2.Http2Server;
let endpoint: string;

beforeAll(async () => {
  server = http2.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      const current = behaviour;
      if (current.kind === 'hang') {
        res.on('close', () => {
          if (!res.writableEnded) closedWhileHanging++;
        });
        return;
      }
      if (current.kind === 'error') {
        res.writeHead(current.status, {
          'content-type': 'application/json',
          'x-amzn-requestid': 'req-1',
          'x-amzn-errortype': `${current.type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
        });
        res.end(JSON.stringify({ message: current.message }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': 'req-1' });
      res.end(JSON.stringify(current.body));
    });
  });
  server.on('session', (session: http2.ServerHttp2Session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const session of sessions) session.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
  closedWhileHanging = 0;
});

function client(): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
    // Retries belong to the workflow; one attempt keeps each case about a single response.
    maxAttempts: 1,
  });
}

const cardSample = '[2026-11-26T12:45:10.000Z] [ERROR] card 4111111111111111 timed out | {"storeId":"store-001"}';
const input: AnalysisInput = {
  incident: incident({ code: 'PAYMENT_TIMEOUT', template: PAYMENT_TIMEOUT_TEMPLATE, sample: PAYMENT_TIMEOUT_SAMPLE }),
  samples: [PAYMENT_TIMEOUT_SAMPLE, cardSample],
  pastIncidents: [],
};

async function failure(promise: Promise<unknown>): Promise<AnalysisError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AnalysisError) return error;
    throw error;
  }
  throw new Error('expected the analysis to fail');
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('BedrockAnalyzer over HTTP', () => {
  it('posts to /model/{modelId}/converse and parses the forced tool answer', async () => {
    behaviour = {
      kind: 'answer',
      body: {
        output: {
          message: {
            role: 'assistant',
            content: [
              {
                toolUse: {
                  toolUseId: 'tooluse_1',
                  name: ANALYSIS_TOOL_NAME,
                  input: {
                    summary: 'Gateway timeouts at three stores.',
                    rootCause: 'The gateway answers after the client timeout.',
                    suggestions: ['Check the gateway status page'],
                    confidence: 0.8,
                    confidenceReason: 'All samples show read timeouts.',
                  },
                },
              },
            ],
          },
        },
        stopReason: 'tool_use',
        usage: { inputTokens: 900, outputTokens: 120, totalTokens: 1020 },
        metrics: { latencyMs: 640 },
      },
    };
    const result = await new BedrockAnalyzer({ client: client(), modelId: MODEL_ID }).analyze(input);
    expect(result).toMatchObject({ source: 'bedrock', model: MODEL_ID, confidence: 0.8, summary: 'Gateway timeouts at three stores.' });
    expect(received).toHaveLength(1);
    expect(received[0]?.method).toBe('POST');
    expect(received[0]?.path).toBe(`/model/${encodeURIComponent(MODEL_ID)}/converse`);
    const body = JSON.parse(received[0]?.body ?? '{}') as { toolConfig?: { toolChoice?: unknown } };
    expect(body.toolConfig?.toolChoice).toEqual({ tool: { name: ANALYSIS_TOOL_NAME } });
    expect(received[0]?.body).not.toContain('4111111111111111');
  });

  it.each([
    [429, 'ThrottlingException', 'throttled'],
    [408, 'ModelTimeoutException', 'timeout'],
    [503, 'ServiceUnavailableException', 'unavailable'],
    [403, 'AccessDeniedException', 'access_denied'],
    [400, 'ValidationException', 'model_error'],
  ])('maps HTTP %i %s to %s', async (status, type, reason) => {
    behaviour = { kind: 'error', status, type, message: 'The request was refused.' };
    const failed = await failure(new BedrockAnalyzer({ client: client(), modelId: MODEL_ID }).analyze(input));
    expect(failed).toMatchObject({ reason, upstream: type, httpStatus: status });
  });

  it('maps a refused connection to unavailable', async () => {
    const closed = http2.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = new BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
      maxAttempts: 1,
    });
    const failed = await failure(new BedrockAnalyzer({ client: refused, modelId: MODEL_ID }).analyze(input));
    expect(failed).toMatchObject({ reason: 'unavailable', upstream: 'ECONNREFUSED' });
  });

  it('aborts the HTTP request when the model hangs past the timeout', async () => {
    behaviour = { kind: 'hang' };
    const failed = await failure(new BedrockAnalyzer({ client: client(), modelId: MODEL_ID, timeoutMs: 150 }).analyze(input));
    expect(failed.reason).toBe('timeout');
    await waitFor(() => closedWhileHanging === 1, 'the client to close the hung request');
  });

  it('falls back to the labelled built-in analysis on throttling', async () => {
    behaviour = { kind: 'error', status: 429, type: 'ThrottlingException', message: 'Too many requests, please wait before trying again.' };
    const combined = new FallbackAnalyzer(new BedrockAnalyzer({ client: client(), modelId: MODEL_ID }), createBuiltinAnalyzer());
    const result = await combined.analyze(input);
    expect(result).toMatchObject({ source: 'builtin', fallbackReason: 'throttled (ThrottlingException)' });
    expect(result.confidence).toBeGreaterThanOrEqual(0.8);
  });

  it('falls back to the labelled built-in analysis when the model hangs', async () => {
    behaviour = { kind: 'hang' };
    const combined = new FallbackAnalyzer(new BedrockAnalyzer({ client: client(), modelId: MODEL_ID, timeoutMs: 150 }), createBuiltinAnalyzer());
    const result = await combined.analyze(input);
    expect(result).toMatchObject({ source: 'builtin', fallbackReason: 'timeout (ClientTimeout)' });
  });
});
