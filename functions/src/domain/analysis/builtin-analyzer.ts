// The analyzer that always answers: knowledge base + evidence from the samples + similar past incidents. Used when
// Bedrock is not configured or fails. Deterministic for the same input (only analyzedAt and durationMs vary) and it
// never throws: an incident read from storage can be missing fields, and analysis must not stop the workflow.
import type { Incident } from '../incident.js';
import { redact } from '../redact.js';
import { evidenceTexts, extractEvidence, findSignal, type EvidenceFact } from './evidence.js';
import { lookupKnowledge, type KnowledgeMatch } from './knowledge-base.js';
import { similarIncidents, type SimilarIncident } from './similarity.js';
import type { Analysis, AnalysisInput, Analyzer } from './types.js';

export const MAX_SUGGESTIONS = 8;
const SIMILAR_LIMIT = 3;
const MAX_STORES_NAMED = 3;
const MAX_TEXT_FIELD = 200;

/** Confidence bands per knowledge tier: [without corroboration, with corroboration, ceiling after the history bonus]. */
const CONFIDENCE_BANDS = {
  known: [0.7, 0.82, 0.9],
  derived: [0.55, 0.62, 0.68],
  category: [0.4, 0.45, 0.5],
  generic: [0.2, 0.25, 0.3],
} as const;
const RESOLVED_SAME_CODE_BONUS = 0.05;
const SAME_CODE_BONUS = 0.03;
const SIMILAR_BONUS = 0.02;
const STRONG_SIMILARITY = 0.5;

export type BuiltinAnalysis = Omit<Analysis, 'analyzedAt' | 'durationMs'>;

export interface BuiltinAnalyzerOptions {
  readonly now?: () => Date;
}

interface Facts {
  readonly id: string;
  readonly code: string;
  readonly title: string;
  readonly severity: string;
  readonly category: string;
  readonly template: string;
  readonly occurrences: number | undefined;
  readonly storeCounts: ReadonlyArray<readonly [string, number]>;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly sample: string;
}

function text(value: unknown, fallback = ''): string {
  if (typeof value !== 'string') return fallback;
  const trimmed = value.trim();
  return trimmed.length > MAX_TEXT_FIELD ? `${trimmed.slice(0, MAX_TEXT_FIELD)}…` : trimmed || fallback;
}

/** Incidents come from storage and events: every field is checked rather than trusted. */
function incidentFacts(incident: Partial<Incident> | undefined): Facts {
  const source: Partial<Incident> = typeof incident === 'object' && incident !== null ? incident : {};
  const code = text(source.code, 'UNCLASSIFIED_ERROR');
  const counts: Array<[string, number]> = [];
  if (typeof source.storeCounts === 'object' && source.storeCounts !== null) {
    for (const [store, count] of Object.entries(source.storeCounts)) {
      if (typeof count === 'number' && Number.isFinite(count) && count > 0) counts.push([store, count]);
    }
  }
  counts.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const occurrences =
    typeof source.occurrences === 'number' && Number.isFinite(source.occurrences) && source.occurrences > 0 ? Math.floor(source.occurrences) : undefined;
  return {
    id: typeof source.id === 'string' ? source.id : '',
    code,
    title: text(source.title, code),
    severity: text(source.severity),
    category: text(source.category, 'application'),
    template: typeof source.template === 'string' ? source.template : '',
    occurrences,
    storeCounts: counts,
    firstSeen: text(source.firstSeen),
    lastSeen: text(source.lastSeen),
    sample: typeof source.sample === 'string' ? source.sample : '',
  };
}

function formatTime(iso: string): string {
  const date = new Date(iso);
  if (iso.length === 0 || Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function storesPhrase(storeCounts: Facts['storeCounts']): string {
  if (storeCounts.length === 0) return '';
  const [first] = storeCounts;
  if (storeCounts.length === 1 && first) return ` at store ${first[0]}`;
  const named = storeCounts.slice(0, MAX_STORES_NAMED).map(([store, count]) => `${store}: ${count}`);
  const more = storeCounts.length > MAX_STORES_NAMED ? `, ${storeCounts.length - MAX_STORES_NAMED} more` : '';
  return ` across ${storeCounts.length} stores (${named.join(', ')}${more})`;
}

function timeSpan(firstSeen: string, lastSeen: string, once: boolean): string {
  if (!firstSeen && !lastSeen) return '';
  if (once || !firstSeen || !lastSeen || firstSeen === lastSeen) return ` at ${formatTime(lastSeen || firstSeen)}`;
  const first = formatTime(firstSeen);
  const last = formatTime(lastSeen);
  // Same day: "between 2026-11-26 12:00:00 and 12:45:10 UTC".
  if (first.endsWith(' UTC') && last.endsWith(' UTC') && first.slice(0, 10) === last.slice(0, 10)) {
    return ` between ${first.slice(0, -4)} and ${last.slice(11)}`;
  }
  return ` between ${first} and ${last}`;
}

function summarize(facts: Facts): string {
  const what = facts.title === facts.code ? facts.code : `${facts.title} (${facts.severity ? `${facts.code}, ${facts.severity}` : facts.code})`;
  const how = facts.occurrences === undefined ? 'occurred' : facts.occurrences === 1 ? 'occurred once' : `occurred ${facts.occurrences} times`;
  return `${what} ${how}${storesPhrase(facts.storeCounts)}${timeSpan(facts.firstSeen, facts.lastSeen, facts.occurrences === 1)}.`;
}

/** Where the knowledge base is vague (category or generic), the evidence itself says which side is at fault. */
function interpretEvidence(evidence: readonly EvidenceFact[]): string | undefined {
  const status = evidence.find((fact) => fact.kind === 'httpStatus');
  const errno = evidence.find((fact) => fact.kind === 'errno')?.value;
  const host = evidence.find((fact) => fact.kind === 'host')?.value;
  const at = host ? ` (${host})` : '';
  if (status?.value === '429') return `The upstream${at} is rate-limiting the client (HTTP 429).`;
  if (status && status.value.startsWith('5'))
    return `The upstream service${at} itself answered HTTP ${status.value}, so the fault is on its side rather than in the store network.`;
  if (status?.value === '401' || status?.value === '403') return `The upstream${at} rejected the client's credentials or permissions (HTTP ${status.value}).`;
  if (errno === 'ENOTFOUND' || errno === 'EAI_AGAIN') return `Name resolution failed${host ? ` for ${host}` : ''}.`;
  if (errno === 'ECONNREFUSED') return `Nothing was listening at the target${at}: the service was down or restarting.`;
  if (errno === 'ETIMEDOUT') return `Connections${at} timed out: the host was down or traffic was dropped.`;
  const timeout = evidence.find((fact) => fact.kind === 'timeout');
  if (timeout) return `Calls gave up after ${timeout.value} ms.`;
  return undefined;
}

function explainCause(match: KnowledgeMatch, evidence: readonly EvidenceFact[]): string {
  const parts = [match.entry.likelyCause];
  if (match.tier === 'category' || match.tier === 'generic') {
    const interpretation = interpretEvidence(evidence);
    if (interpretation) parts.push(interpretation);
  }
  if (evidence.length > 0) parts.push(`Evidence in the samples: ${evidence.map((fact) => fact.label).join(', ')}.`);
  return parts.join(' ');
}

function dedupe(items: ReadonlyArray<string | undefined>, limit: number): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const item of items) {
    if (item === undefined) continue;
    const trimmed = item.trim();
    const key = trimmed.toLowerCase();
    if (trimmed.length === 0 || seen.has(key)) continue;
    seen.add(key);
    out.push(trimmed);
    if (out.length >= limit) break;
  }
  return out;
}

function similarHint(facts: Facts, similar: readonly SimilarIncident[]): string | undefined {
  const resolved = similar.find((s) => s.status === 'resolved' && s.code === facts.code) ?? similar.find((s) => s.status === 'resolved');
  if (resolved) return `Compare with resolved incident ${resolved.id} (${resolved.title}): its fix may apply here.`;
  const [best] = similar;
  return best ? `Check the similar incident ${best.id} (${best.title}) for a shared cause.` : undefined;
}

function suggest(match: KnowledgeMatch, facts: Facts, similar: readonly SimilarIncident[]): string[] {
  const { checks, fixSteps, owner } = match.entry;
  return dedupe(
    [
      ...checks.slice(0, 3),
      ...fixSteps.slice(0, 3),
      similarHint(facts, similar),
      `Escalate to ${owner} if these steps do not clear it.`,
      ...checks.slice(3),
      ...fixSteps.slice(3),
    ],
    MAX_SUGGESTIONS,
  );
}

interface Confidence {
  readonly value: number;
  readonly reason: string;
}

function historyBonus(facts: Facts, similar: readonly SimilarIncident[]): { bonus: number; clause: string } {
  const resolvedSameCode = similar.find((s) => s.status === 'resolved' && s.code === facts.code);
  if (resolvedSameCode) return { bonus: RESOLVED_SAME_CODE_BONUS, clause: `, and resolved incident ${resolvedSameCode.id} had the same code` };
  const sameCode = similar.find((s) => s.code === facts.code);
  if (sameCode) return { bonus: SAME_CODE_BONUS, clause: `, and past incident ${sameCode.id} had the same code` };
  const strong = similar.find((s) => s.similarity >= STRONG_SIMILARITY);
  if (strong) return { bonus: SIMILAR_BONUS, clause: `, and past incident ${strong.id} looks similar` };
  return { bonus: 0, clause: '' };
}

function quote(snippet: string): string {
  const short = snippet.length > 60 ? `${snippet.slice(0, 60)}…` : snippet;
  return `"${short.replace(/"/g, "'")}"`;
}

function rateConfidence(
  match: KnowledgeMatch,
  facts: Facts,
  signal: string | undefined,
  evidence: readonly EvidenceFact[],
  similar: readonly SimilarIncident[],
): Confidence {
  const [plain, corroborated, ceiling] = CONFIDENCE_BANDS[match.tier];
  // For the vague tiers any concrete fact counts; for runbook entries only a signal of that entry's cause does.
  const supported = match.tier === 'known' || match.tier === 'derived' ? signal !== undefined : evidence.length > 0;
  const { bonus, clause } = historyBonus(facts, similar);
  const value = Math.round(Math.min(ceiling, (supported ? corroborated : plain) + bonus) * 100) / 100;
  const shown = evidence
    .slice(0, 2)
    .map((fact) => fact.label)
    .join(', ');
  let reason: string;
  switch (match.tier) {
    case 'known':
      reason = signal
        ? `Known POS code ${facts.code} with a runbook entry, corroborated by ${quote(signal)} in the samples${clause}.`
        : `Known POS code ${facts.code} with a runbook entry, but nothing in the samples confirms its usual cause${clause}.`;
      break;
    case 'derived':
      reason = signal
        ? `Code ${facts.code} maps to the ${match.key} runbook entry and ${quote(signal)} in the samples fits it${clause}.`
        : `Code ${facts.code} maps to the ${match.key} runbook entry, but the samples do not confirm it${clause}.`;
      break;
    case 'category':
      reason = shown
        ? `No runbook entry for ${facts.code}, so only general ${match.key} guidance applies, narrowed by ${shown} from the samples${clause}.`
        : `No runbook entry for ${facts.code} and no telling facts in the samples, so only general ${match.key} guidance applies${clause}.`;
      break;
    default:
      reason = shown
        ? `Unclassified error with no runbook match; only ${shown} from the samples is specific${clause}.`
        : `Unclassified error with no runbook match and nothing specific in the samples${clause}.`;
  }
  return { value, reason };
}

function publicSimilar(similar: readonly SimilarIncident[]): Analysis['similarIncidents'] {
  return similar.map(({ id, code, title, similarity }) => ({ id, code, title, similarity }));
}

/** The analysis itself, pure and deterministic; createBuiltinAnalyzer adds timing. */
export function builtinAnalysis(input: AnalysisInput): BuiltinAnalysis {
  const facts = incidentFacts(input?.incident);
  const samples = Array.isArray(input?.samples) ? input.samples : [];
  const texts = evidenceTexts(facts.sample && !samples.includes(facts.sample) ? [...samples, facts.sample] : samples);
  const match = lookupKnowledge(facts.code, facts.category);
  const evidence = extractEvidence(texts);
  // The code itself ("code":"PAYMENT_TIMEOUT") is what was classified, not evidence for why it happened.
  const signal = findSignal(match.entry.signals, facts.code.length >= 4 ? texts.map((t) => t.split(facts.code).join(' ')) : texts);
  const past = Array.isArray(input?.pastIncidents) ? input.pastIncidents : [];
  const similar = similarIncidents(
    { id: facts.id, code: facts.code, category: facts.category as Incident['category'], template: facts.template },
    past,
    SIMILAR_LIMIT,
  );
  const confidence = rateConfidence(match, facts, signal, evidence, similar);
  return {
    // Titles and samples were redacted upstream; this is a second line of defence for text leaving the analyzer.
    summary: redact(summarize(facts)),
    rootCause: redact(explainCause(match, evidence)),
    suggestions: suggest(match, facts, similar).map(redact),
    confidence: confidence.value,
    confidenceReason: redact(confidence.reason),
    source: 'builtin',
    similarIncidents: publicSimilar(similar),
  };
}

function lastResortAnalysis(input: AnalysisInput): BuiltinAnalysis {
  let code = 'UNCLASSIFIED_ERROR';
  try {
    if (typeof input?.incident?.code === 'string') code = redact(input.incident.code.slice(0, 64));
  } catch {
    // keep the placeholder code
  }
  return {
    summary: `Incident with code ${code}.`,
    rootCause: 'The incident record could not be analysed; its fields are incomplete or malformed.',
    suggestions: ['Open the incident and read the sample lines directly.'],
    confidence: 0.1,
    confidenceReason: 'The incident record was malformed, so no knowledge could be applied.',
    source: 'builtin',
    similarIncidents: [],
  };
}

export function createBuiltinAnalyzer(opts: BuiltinAnalyzerOptions = {}): Analyzer {
  const now = opts.now ?? (() => new Date());
  return {
    analyze(input: AnalysisInput): Promise<Analysis> {
      const started = performance.now();
      let result: BuiltinAnalysis;
      try {
        result = builtinAnalysis(input);
      } catch {
        result = lastResortAnalysis(input);
      }
      let analyzedAt: string;
      try {
        analyzedAt = now().toISOString();
      } catch {
        analyzedAt = new Date().toISOString();
      }
      return Promise.resolve({ ...result, analyzedAt, durationMs: Math.round((performance.now() - started) * 1000) / 1000 });
    },
  };
}
