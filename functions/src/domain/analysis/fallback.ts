// Bedrock first, the built-in analyzer when Bedrock is not configured, fails or is too slow. An incident must get an
// analysis within seconds whatever the model does, so the primary is raced against a deadline here as well as having
// its own timeout: a primary that ignores its abort signal still cannot hold the workflow.
import { AnalysisError, describeAnalysisFailure } from './errors.js';
import type { Analysis, AnalysisInput, Analyzer } from './types.js';

/** Bedrock's own default timeout is 4 s; this guard leaves the built-in analyzer room inside a 5 s budget. */
export const DEFAULT_PRIMARY_DEADLINE_MS = 4500;

export interface FallbackAnalyzerOptions {
  /** called with the secret-free reason whenever the built-in analyzer answers instead of the primary */
  onFallback?(reason: string): void;
  /** how long the primary may take before the built-in analyzer answers; default 4500 ms */
  readonly deadlineMs?: number;
}

function abortReason(signal: AbortSignal): unknown {
  // Duck-typed: the reason can be a DOMException from another realm, which fails `instanceof Error`.
  const reason: unknown = signal.reason;
  const named = typeof reason === 'object' && reason !== null && typeof (reason as { name?: unknown }).name === 'string';
  return named ? reason : new AnalysisError('timeout', 'analysis was aborted');
}

/** Rejects when the signal aborts; never settles otherwise. */
function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(abortReason(signal));
    else signal.addEventListener('abort', () => reject(abortReason(signal)), { once: true });
  });
}

export class FallbackAnalyzer implements Analyzer {
  private readonly deadlineMs: number;

  constructor(
    private readonly primary: Analyzer | undefined,
    private readonly builtin: Analyzer,
    private readonly opts: FallbackAnalyzerOptions = {},
  ) {
    const deadline = opts.deadlineMs ?? DEFAULT_PRIMARY_DEADLINE_MS;
    this.deadlineMs = Number.isFinite(deadline) && deadline > 0 ? deadline : DEFAULT_PRIMARY_DEADLINE_MS;
  }

  async analyze(input: AnalysisInput, options?: { readonly signal?: AbortSignal }): Promise<Analysis> {
    if (this.primary === undefined) return this.builtin.analyze(input, options);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new AnalysisError('timeout', `analysis did not finish within ${this.deadlineMs} ms`)), this.deadlineMs);
    timer.unref?.();
    const outer = options?.signal;
    const forwardAbort = (): void => controller.abort(outer?.reason);
    if (outer?.aborted) forwardAbort();
    else outer?.addEventListener('abort', forwardAbort, { once: true });
    try {
      return await Promise.race([this.primary.analyze(input, { signal: controller.signal }), whenAborted(controller.signal)]);
    } catch (error) {
      const reason = describeAnalysisFailure(error);
      try {
        this.opts.onFallback?.(reason);
      } catch {
        // A failing observer must not cost the incident its analysis.
      }
      // The caller's signal is not passed on: the built-in analyzer is fast and its answer is the point of falling back.
      const analysis = await this.builtin.analyze(input);
      return { ...analysis, fallbackReason: reason };
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', forwardAbort);
    }
  }
}
