// Why an analyzer (in practice Bedrock) could not answer. The reason is a fixed vocabulary so it can be shown on the
// incident timeline and in metrics; the upstream error name is kept for diagnosis, its message is not (it can carry
// account ids, ARNs or request content).
import { StackLensError } from '../errors.js';

export const ANALYSIS_FAILURE_REASONS = ['throttled', 'timeout', 'unavailable', 'invalid_output', 'access_denied', 'model_error'] as const;
export type AnalysisFailureReason = (typeof ANALYSIS_FAILURE_REASONS)[number];

const SAFE_NAME = /^[A-Za-z][A-Za-z0-9_.]{0,63}$/;

export class AnalysisError extends StackLensError {
  override readonly name = 'AnalysisError';
  readonly reason: AnalysisFailureReason;
  /** the upstream error's name, e.g. "ThrottlingException", when it is a plain identifier */
  readonly upstream?: string;
  readonly httpStatus?: number;

  constructor(reason: AnalysisFailureReason, message: string, options: { cause?: unknown; upstream?: string; httpStatus?: number } = {}) {
    super('DEPENDENCY_FAILED', message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    if (options.upstream !== undefined && SAFE_NAME.test(options.upstream)) this.upstream = options.upstream;
    if (options.httpStatus !== undefined) this.httpStatus = options.httpStatus;
  }
}

export function isAnalysisError(error: unknown): error is AnalysisError {
  return error instanceof AnalysisError;
}

/**
 * A short, secret-free label for why an analyzer failed: "throttled (ThrottlingException)", "timeout", or the
 * error's class name for anything else. Never the message.
 */
export function describeAnalysisFailure(error: unknown): string {
  if (error instanceof AnalysisError) return error.upstream && error.upstream !== error.reason ? `${error.reason} (${error.upstream})` : error.reason;
  // Duck-typed so errors from another realm (DOMException, VM contexts) keep their name.
  const name: unknown = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return typeof name === 'string' && SAFE_NAME.test(name) ? name : 'error';
}
