// Incident analysis by a Bedrock model through the Converse API, with structured output via one forced tool.
// Failures become an AnalysisError with a fixed reason, so the FallbackAnalyzer can label the built-in answer.
// Bedrock knows nothing about our history: similar incidents come from the built-in template similarity.
import { ConverseCommand, type BedrockRuntimeClient, type ContentBlock, type ConverseCommandOutput } from '@aws-sdk/client-bedrock-runtime';
import { AnalysisError, type AnalysisFailureReason } from '../../domain/analysis/errors.js';
import { similarIncidents } from '../../domain/analysis/similarity.js';
import type { Analysis, AnalysisInput, Analyzer } from '../../domain/analysis/types.js';
import { redact } from '../../domain/redact.js';
import { ANALYSIS_TOOL_NAME, ANALYSIS_TOOL_SCHEMA, analysisToolOutput, buildUserMessage, SYSTEM_PROMPT } from './prompt.js';

export const DEFAULT_BEDROCK_TIMEOUT_MS = 4000;
export const DEFAULT_BEDROCK_MAX_TOKENS = 1024;
const SIMILAR_LIMIT = 3;

export interface BedrockAnalyzerOptions {
  readonly client: BedrockRuntimeClient;
  /** a model id or inference profile id, e.g. "us.anthropic.claude-3-5-haiku-20241022-v1:0" */
  readonly modelId: string;
  readonly timeoutMs?: number;
  readonly maxTokens?: number;
  readonly now?: () => Date;
}

const REASON_BY_NAME: Readonly<Record<string, AnalysisFailureReason>> = {
  ThrottlingException: 'throttled',
  ServiceQuotaExceededException: 'throttled',
  TooManyRequestsException: 'throttled',
  ModelTimeoutException: 'timeout',
  TimeoutError: 'timeout',
  RequestTimeout: 'timeout',
  RequestTimeoutException: 'timeout',
  AccessDeniedException: 'access_denied',
  UnrecognizedClientException: 'access_denied',
  ExpiredTokenException: 'access_denied',
  InvalidSignatureException: 'access_denied',
  IncompleteSignatureException: 'access_denied',
  MissingAuthenticationTokenException: 'access_denied',
  InvalidClientTokenId: 'access_denied',
  CredentialsProviderError: 'access_denied',
  ServiceUnavailableException: 'unavailable',
  ModelNotReadyException: 'unavailable',
  InternalServerException: 'unavailable',
  InternalFailure: 'unavailable',
  ValidationException: 'model_error',
  ResourceNotFoundException: 'model_error',
  ModelErrorException: 'model_error',
  ModelStreamErrorException: 'model_error',
  ConflictException: 'model_error',
};

const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);

const NETWORK_CODE_IN_TEXT = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE|ECONNABORTED)\b/;

/**
 * The socket error behind a failed request. The HTTP/2 handler reports a refused connection as ERR_HTTP2_STREAM_CANCEL
 * with the socket error as its cause, and the SDK may re-wrap it keeping only the text; only the errno is taken from it.
 */
function networkCode(record: { code?: unknown; cause?: unknown; message?: unknown }): string | undefined {
  if (typeof record.code === 'string' && NETWORK_CODES.has(record.code)) return record.code;
  const cause = typeof record.cause === 'object' && record.cause !== null ? (record.cause as { code?: unknown }).code : undefined;
  if (typeof cause === 'string' && NETWORK_CODES.has(cause)) return cause;
  const message = typeof record.message === 'string' ? record.message.slice(0, 1000) : '';
  return NETWORK_CODE_IN_TEXT.exec(message)?.[1];
}

function reasonFromStatus(status: number): AnalysisFailureReason | undefined {
  if (status === 429) return 'throttled';
  if (status === 408) return 'timeout';
  if (status === 401 || status === 403) return 'access_denied';
  if (status >= 500) return 'unavailable';
  if (status >= 400) return 'model_error';
  return undefined;
}

/** Maps whatever the SDK threw to a reason; the upstream message is deliberately not copied. */
export function toAnalysisError(error: unknown): AnalysisError {
  if (error instanceof AnalysisError) return error;
  const record = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    code?: unknown;
    cause?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const name = typeof record.name === 'string' ? record.name : 'Error';
  const status = typeof record.$metadata?.httpStatusCode === 'number' ? record.$metadata.httpStatusCode : undefined;
  let reason: AnalysisFailureReason | undefined = REASON_BY_NAME[name] ?? (status === undefined ? undefined : reasonFromStatus(status));
  // Only an error without any HTTP answer (and not one of Bedrock's named errors) is about the connection itself.
  const socketError = reason === undefined && status === undefined ? networkCode(record) : undefined;
  if (reason === undefined && name === 'AbortError') reason = 'timeout';
  if (reason === undefined && socketError !== undefined) reason = 'unavailable';
  reason ??= status === undefined ? 'unavailable' : 'model_error';
  const upstream = socketError ?? name;
  return new AnalysisError(reason, `Bedrock analysis failed: ${reason} (${upstream}${status === undefined ? '' : `, HTTP ${status}`})`, {
    cause: error,
    upstream,
    ...(status === undefined ? {} : { httpStatus: status }),
  });
}

function toolInput(output: ConverseCommandOutput): unknown {
  const content: ContentBlock[] = output.output?.message?.content ?? [];
  const block = content.find((b) => b.toolUse !== undefined && b.toolUse.name === ANALYSIS_TOOL_NAME) ?? content.find((b) => b.toolUse !== undefined);
  if (block?.toolUse === undefined) {
    throw new AnalysisError('invalid_output', `The model did not call ${ANALYSIS_TOOL_NAME} (stopReason ${String(output.stopReason)})`, {
      upstream: 'MissingToolUse',
    });
  }
  const input: unknown = block.toolUse.input;
  if (typeof input !== 'string') return input;
  // Some models hand the tool input back as a JSON string rather than a document.
  try {
    return JSON.parse(input) as unknown;
  } catch (cause) {
    throw new AnalysisError('invalid_output', 'The tool input is not valid JSON', { cause, upstream: 'InvalidJson' });
  }
}

function linkAbort(outer: AbortSignal | undefined, controller: AbortController): () => void {
  if (outer === undefined) return () => undefined;
  const forward = (): void => controller.abort(new AnalysisError('timeout', 'Bedrock analysis was cancelled by the caller'));
  if (outer.aborted) forward();
  else outer.addEventListener('abort', forward, { once: true });
  return () => outer.removeEventListener('abort', forward);
}

export class BedrockAnalyzer implements Analyzer {
  private readonly client: BedrockRuntimeClient;
  private readonly modelId: string;
  private readonly timeoutMs: number;
  private readonly maxTokens: number;
  private readonly now: () => Date;

  constructor(options: BedrockAnalyzerOptions) {
    if (typeof options.modelId !== 'string' || options.modelId.trim().length === 0) throw new TypeError('BedrockAnalyzer needs a modelId');
    this.client = options.client;
    this.modelId = options.modelId.trim();
    this.timeoutMs = options.timeoutMs !== undefined && options.timeoutMs > 0 ? options.timeoutMs : DEFAULT_BEDROCK_TIMEOUT_MS;
    this.maxTokens = options.maxTokens !== undefined && options.maxTokens > 0 ? Math.floor(options.maxTokens) : DEFAULT_BEDROCK_MAX_TOKENS;
    this.now = options.now ?? (() => new Date());
  }

  /** The Converse request for an input; exposed so tests and tooling can see exactly what would be sent. */
  buildCommand(input: AnalysisInput): ConverseCommand {
    return new ConverseCommand({
      modelId: this.modelId,
      system: [{ text: SYSTEM_PROMPT }],
      messages: [{ role: 'user', content: [{ text: buildUserMessage(input) }] }],
      inferenceConfig: { maxTokens: this.maxTokens, temperature: 0 },
      toolConfig: {
        tools: [
          {
            toolSpec: {
              name: ANALYSIS_TOOL_NAME,
              description: 'Record the analysis of a POS incident.',
              inputSchema: { json: ANALYSIS_TOOL_SCHEMA },
            },
          },
        ],
        toolChoice: { tool: { name: ANALYSIS_TOOL_NAME } },
      },
    });
  }

  async analyze(input: AnalysisInput, options?: { readonly signal?: AbortSignal }): Promise<Analysis> {
    const started = performance.now();
    let command: ConverseCommand;
    try {
      command = this.buildCommand(input);
    } catch (cause) {
      throw new AnalysisError('model_error', 'The incident could not be turned into a prompt', { cause, upstream: 'PromptError' });
    }
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new AnalysisError('timeout', `Bedrock did not answer within ${this.timeoutMs} ms`, { upstream: 'ClientTimeout' })),
      this.timeoutMs,
    );
    timer.unref?.();
    const unlink = linkAbort(options?.signal, controller);
    let response: ConverseCommandOutput;
    try {
      // The race makes the timeout hold even when the request handler ignores the abort signal.
      response = await Promise.race([
        this.client.send(command, { abortSignal: controller.signal }),
        new Promise<never>((_resolve, reject) => {
          const rejectWithReason = (): void => reject(controller.signal.reason);
          if (controller.signal.aborted) rejectWithReason();
          else controller.signal.addEventListener('abort', rejectWithReason, { once: true });
        }),
      ]);
    } catch (error) {
      throw controller.signal.aborted && controller.signal.reason instanceof AnalysisError ? controller.signal.reason : toAnalysisError(error);
    } finally {
      clearTimeout(timer);
      unlink();
    }

    const parsed = analysisToolOutput.safeParse(toolInput(response));
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))].join(', ');
      const truncated = response.stopReason === 'max_tokens' ? ' (the answer hit maxTokens)' : '';
      throw new AnalysisError('invalid_output', `The tool input failed validation at ${fields}${truncated}`, { upstream: 'InvalidToolInput' });
    }
    const out = parsed.data;
    const incident = input.incident;
    const similar = similarIncidents(incident, Array.isArray(input.pastIncidents) ? input.pastIncidents : [], SIMILAR_LIMIT);
    return {
      // The prompt held no card data, but a model can still produce a card-like number; it is masked on the way out.
      summary: redact(out.summary),
      rootCause: redact(out.rootCause),
      suggestions: out.suggestions.map(redact),
      confidence: Math.round(out.confidence * 100) / 100,
      confidenceReason: redact(out.confidenceReason),
      source: 'bedrock',
      similarIncidents: similar.map(({ id, code, title, similarity }) => ({ id, code, title, similarity })),
      model: this.modelId,
      analyzedAt: this.now().toISOString(),
      durationMs: Math.round(performance.now() - started),
    };
  }
}
