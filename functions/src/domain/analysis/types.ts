import type { Incident } from '../incident.js';

/** What any analyzer (Bedrock or the built-in one) says about an incident. */
export interface Analysis {
  readonly summary: string;
  readonly rootCause: string;
  readonly suggestions: readonly string[];
  /** 0..1: how sure the analyzer is; `confidenceReason` says why in one sentence */
  readonly confidence: number;
  readonly confidenceReason: string;
  readonly source: 'bedrock' | 'builtin';
  readonly similarIncidents: ReadonlyArray<{ readonly id: string; readonly code: string; readonly title: string; readonly similarity: number }>;
  /** set when source is bedrock */
  readonly model?: string;
  /** set when Bedrock was tried and the built-in analyzer answered instead (e.g. "ThrottlingException") */
  readonly fallbackReason?: string;
  readonly analyzedAt: string;
  readonly durationMs: number;
}

/** A past incident as the similarity search sees it. */
export type PastIncident = Pick<Incident, 'id' | 'code' | 'title' | 'template' | 'status' | 'category'>;

export interface AnalysisInput {
  readonly incident: Incident;
  /** a few recent record texts, already redacted (never raw card data) */
  readonly samples: readonly string[];
  /** recent incidents other than this one, for "similar incidents" */
  readonly pastIncidents: readonly PastIncident[];
}

export interface Analyzer {
  analyze(input: AnalysisInput, options?: { readonly signal?: AbortSignal }): Promise<Analysis>;
}
