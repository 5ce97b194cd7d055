import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  AccessDeniedException,
  BedrockRuntimeClient,
  ConverseCommand,
  ModelTimeoutException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
  type ConverseCommandInput,
  type ConverseCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { BedrockAnalyzer } from '../../../src/adapters/bedrock/bedrock-analyzer.js';
import { ANALYSIS_TOOL_NAME } from '../../../src/adapters/bedrock/prompt.js';
import { createBuiltinAnalyzer } from '../../../src/domain/analysis/builtin-analyzer.js';
import { AnalysisError } from '../../../src/domain/analysis/errors.js';
import { FallbackAnalyzer } from '../../../src/domain/analysis/fallback.js';
import type { AnalysisInput } from '../../../src/domain/analysis/types.js';
import { incident, past, PAYMENT_TIMEOUT_SAMPLE, PAYMENT_TIMEOUT_TEMPLATE } from './fixtures.js';

const MODEL_ID = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';
const bedrock = mockClient(BedrockRuntimeClient);
const client = new BedrockRuntimeClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' } });

const cardSample =
  '[2026-11-26T12:45:10.000Z] [ERROR] Authorization for card 4111 1111 1111 1111 cvv=123 (ann.lee@example.com) timed out | {"pan":"5555555555554444","track2":";4111111111111111=27121010000012345678?"}';

const input: AnalysisInput = {
  incident: incident({ code: 'PAYMENT_TIMEOUT', template: PAYMENT_TIMEOUT_TEMPLATE, sample: cardSample }),
  samples: [PAYMENT_TIMEOUT_SAMPLE, cardSample],
  pastIncidents: [past('old', 'PAYMENT_TIMEOUT', PAYMENT_TIMEOUT_TEMPLATE, 'resolved')],
};

const toolAnswer = {
  summary: 'Payment gateway timeouts at three stores over 45 minutes.',
  rootCause: 'The gateway at gw.example-payments.com is answering after the 30 s client timeout.',
  suggestions: ['Check the gateway status page', 'Reverse approved timed-out transactions'],
  confidence: 0.83,
  confidenceReason: 'Every sample shows a read timeout against the same gateway host.',
};

function converseOutput(
  content: NonNullable<NonNullable<ConverseCommandOutput['output']>['message']>['content'],
  stopReason: ConverseCommandOutput['stopReason'] = 'tool_use',
): ConverseCommandOutput {
  return {
    $metadata: { httpStatusCode: 200 },
    output: { message: { role: 'assistant', content } },
    stopReason,
    usage: { inputTokens: 900, outputTokens: 200, totalTokens: 1100 },
    metrics: { latencyMs: 800 },
  };
}

const toolUse = (value: unknown) => converseOutput([{ toolUse: { toolUseId: 'tooluse_1', name: ANALYSIS_TOOL_NAME, input: value as never } }]);

function analyzer(options: { timeoutMs?: number } = {}): BedrockAnalyzer {
  return new BedrockAnalyzer({ client, modelId: MODEL_ID, now: () => new Date('2026-11-26T13:00:00.000Z'), ...options });
}

async function failure(promise: Promise<unknown>): Promise<AnalysisError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AnalysisError) return error;
    throw error;
  }
  throw new Error('expected the analysis to fail');
}

function sentRequest(): ConverseCommandInput {
  const [call] = bedrock.commandCalls(ConverseCommand);
  if (!call) throw new Error('no Converse call was made');
  return call.args[0].input;
}

beforeEach(() => {
  bedrock.reset();
});
afterEach(() => {
  bedrock.reset();
});

describe('BedrockAnalyzer: request', () => {
  it('forces the one analysis tool with a JSON schema and sends a system prompt', async () => {
    bedrock.on(ConverseCommand).resolves(toolUse(toolAnswer));
    await analyzer().analyze(input);
    const request = sentRequest();
    expect(request.modelId).toBe(MODEL_ID);
    expect(request.system?.[0]?.text).toContain(`only by calling the ${ANALYSIS_TOOL_NAME} tool`);
    expect(request.toolConfig?.tools).toHaveLength(1);
    expect(request.toolConfig?.tools?.[0]?.toolSpec?.name).toBe(ANALYSIS_TOOL_NAME);
    expect(request.toolConfig?.tools?.[0]?.toolSpec?.inputSchema?.json).toMatchObject({
      type: 'object',
      required: ['summary', 'rootCause', 'suggestions', 'confidence', 'confidenceReason'],
    });
    expect(request.toolConfig?.toolChoice).toEqual({ tool: { name: ANALYSIS_TOOL_NAME } });
    expect(request.inferenceConfig).toEqual({ maxTokens: 1024, temperature: 0 });
  });

  it('puts the incident facts and the samples in the user message with no card data or e-mail address', async () => {
    bedrock.on(ConverseCommand).resolves(toolUse(toolAnswer));
    await analyzer().analyze(input);
    const request = sentRequest();
    const sent = JSON.stringify(request.messages);
    expect(sent).toContain('PAYMENT_TIMEOUT');
    expect(sent).toContain('store-001: 30');
    expect(sent).toContain('SocketTimeoutException');
    expect(sent).toContain('411111******1111');
    for (const secret of ['4111111111111111', '4111 1111 1111 1111', '5555555555554444', 'cvv=123', '27121010000012345678', 'ann.lee@example.com']) {
      expect(sent).not.toContain(secret);
    }
    expect(sent.replace(/\D+/g, ' ')).not.toMatch(/\d{13,19}/);
  });

  it('passes an abort signal to the client', async () => {
    bedrock.on(ConverseCommand).resolves(toolUse(toolAnswer));
    await analyzer().analyze(input);
    const options = (bedrock.send.getCall(0).args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined;
    expect(options?.abortSignal).toBeDefined();
  });
});

describe('BedrockAnalyzer: answers', () => {
  it('returns the validated tool input as a bedrock analysis with built-in similar incidents', async () => {
    bedrock.on(ConverseCommand).resolves(toolUse(toolAnswer));
    const result = await analyzer().analyze(input);
    expect(result).toMatchObject({ ...toolAnswer, source: 'bedrock', model: MODEL_ID, analyzedAt: '2026-11-26T13:00:00.000Z' });
    expect(result.similarIncidents).toEqual([{ id: 'old', code: 'PAYMENT_TIMEOUT', title: 'Payment Gateway Timeout', similarity: 1 }]);
    expect(result.fallbackReason).toBeUndefined();
  });

  it('accepts tool input handed back as a JSON string and cuts extra suggestions to eight', async () => {
    const many = { ...toolAnswer, suggestions: Array.from({ length: 11 }, (_v, i) => `Step ${i + 1}`) };
    bedrock.on(ConverseCommand).resolves(toolUse(JSON.stringify(many)));
    const result = await analyzer().analyze(input);
    expect(result.suggestions).toEqual(many.suggestions.slice(0, 8));
  });

  it('masks a card number the model put in its answer', async () => {
    bedrock.on(ConverseCommand).resolves(toolUse({ ...toolAnswer, rootCause: 'Card 4111111111111111 timed out.' }));
    expect((await analyzer().analyze(input)).rootCause).toBe('Card 411111******1111 timed out.');
  });

  it.each([
    ['a text answer without the tool', converseOutput([{ text: 'I think the gateway is slow.' }], 'end_turn')],
    ['tool input that is not JSON', toolUse('{"summary": "cut off')],
    ['confidence out of range', toolUse({ ...toolAnswer, confidence: 1.7 })],
    ['a missing field', toolUse({ summary: 'x', rootCause: 'y', suggestions: ['z'], confidence: 0.5 })],
    ['an empty suggestion list', toolUse({ ...toolAnswer, suggestions: [] })],
    ['an oversized summary', toolUse({ ...toolAnswer, summary: 'x'.repeat(5000) })],
    ['no output at all', { $metadata: {} } as ConverseCommandOutput],
  ])('rejects %s as invalid_output', async (_what, output) => {
    bedrock.on(ConverseCommand).resolves(output);
    expect((await failure(analyzer().analyze(input))).reason).toBe('invalid_output');
  });
});

describe('BedrockAnalyzer: errors', () => {
  const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode }, message: 'details that must not leak: arn:aws:iam::123456789012:role/x' });

  it.each([
    ['ThrottlingException', new ThrottlingException(meta(429)), 'throttled'],
    ['ModelTimeoutException', new ModelTimeoutException(meta(408)), 'timeout'],
    ['ServiceUnavailableException', new ServiceUnavailableException(meta(503)), 'unavailable'],
    ['AccessDeniedException', new AccessDeniedException(meta(403)), 'access_denied'],
    ['ValidationException', new ValidationException(meta(400)), 'model_error'],
  ])('maps %s to %s', async (name, error, reason) => {
    bedrock.on(ConverseCommand).rejects(error);
    const failed = await failure(analyzer().analyze(input));
    expect(failed.reason).toBe(reason);
    expect(failed.upstream).toBe(name);
    expect(failed.message).not.toContain('123456789012');
  });

  it('maps a network error without a response to unavailable', async () => {
    bedrock.on(ConverseCommand).rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }));
    const failed = await failure(analyzer().analyze(input));
    expect(failed).toMatchObject({ reason: 'unavailable', upstream: 'ECONNREFUSED' });
  });

  it('looks through the HTTP/2 handler stream-cancel error to the refused connection behind it', async () => {
    const cancelled = Object.assign(new Error('The pending stream has been canceled'), {
      code: 'ERR_HTTP2_STREAM_CANCEL',
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    });
    bedrock.on(ConverseCommand).rejects(cancelled);
    expect(await failure(analyzer().analyze(input))).toMatchObject({ reason: 'unavailable', upstream: 'ECONNREFUSED' });
  });

  it('gives up on a hung call at the timeout and aborts the request', async () => {
    bedrock.on(ConverseCommand).callsFake(() => new Promise(() => undefined));
    const failed = await failure(analyzer({ timeoutMs: 25 }).analyze(input));
    expect(failed.reason).toBe('timeout');
    const options = (bedrock.send.getCall(0).args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined;
    expect(options?.abortSignal?.aborted).toBe(true);
  });

  it('stops when the caller aborts', async () => {
    bedrock.on(ConverseCommand).callsFake(() => new Promise(() => undefined));
    const controller = new AbortController();
    const pending = analyzer().analyze(input, { signal: controller.signal });
    controller.abort();
    expect((await failure(pending)).reason).toBe('timeout');
  });
});

describe('BedrockAnalyzer behind FallbackAnalyzer', () => {
  it.each([
    ['throttling', () => bedrock.on(ConverseCommand).rejects(new ThrottlingException(meta429())), 'throttled (ThrottlingException)'],
    [
      'a model timeout',
      () => bedrock.on(ConverseCommand).rejects(new ModelTimeoutException({ $metadata: { httpStatusCode: 408 }, message: 'slow' })),
      'timeout (ModelTimeoutException)',
    ],
    ['a hung call', () => bedrock.on(ConverseCommand).callsFake(() => new Promise(() => undefined)), 'timeout (ClientTimeout)'],
  ])('answers with the labelled built-in analysis on %s', async (_what, arrange, reason) => {
    arrange();
    const fallbacks: string[] = [];
    const combined = new FallbackAnalyzer(analyzer({ timeoutMs: 25 }), createBuiltinAnalyzer(), { onFallback: (r) => fallbacks.push(r) });
    const result = await combined.analyze(input);
    expect(result.source).toBe('builtin');
    expect(result.fallbackReason).toBe(reason);
    expect(result.model).toBeUndefined();
    expect(fallbacks).toEqual([reason]);
  });
});

function meta429() {
  return { $metadata: { httpStatusCode: 429 }, message: 'Too many requests, please wait before trying again.' };
}
