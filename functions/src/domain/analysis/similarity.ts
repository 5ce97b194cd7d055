// "Have we seen this before?": past incidents whose templates share the most words with this one. Templates already
// replace variables with placeholders (<int>, <id>, …); those carry no meaning of their own and are ignored, as are
// stop words, so two templates match on the words that describe the problem. Same code (or category) adds a bonus.
import type { Incident } from '../incident.js';
import type { PastIncident } from './types.js';

export interface SimilarIncident {
  readonly id: string;
  readonly code: string;
  readonly title: string;
  /** 0..1, three decimals */
  readonly similarity: number;
  readonly status: PastIncident['status'];
}

export const MIN_SIMILARITY = 0.3;
const TEXT_WEIGHT = 0.75;
const SAME_CODE_BONUS = 0.25;
const SAME_CATEGORY_BONUS = 0.05;
/** Only this much of a template is tokenised, so cost stays bounded whatever is stored. */
const MAX_TEMPLATE_CHARS = 2048;
// Catch-all codes and categories say nothing about two incidents being the same problem.
const UNINFORMATIVE_CODES: ReadonlySet<string> = new Set(['UNCLASSIFIED_ERROR', 'NONE', '']);
const UNINFORMATIVE_CATEGORIES: ReadonlySet<string> = new Set(['application', '']);

const PLACEHOLDER = /<[a-z*]{1,16}>/g;
const TOKEN_SEPARATOR = /[^a-z0-9_]+/;
const STOP_WORDS: ReadonlySet<string> = new Set([
  'a',
  'an',
  'the',
  'and',
  'or',
  'of',
  'to',
  'in',
  'on',
  'at',
  'by',
  'for',
  'from',
  'with',
  'within',
  'after',
  'before',
  'is',
  'was',
  'are',
  'be',
  'been',
  'has',
  'have',
  'had',
  'not',
  'no',
  'as',
  'it',
  'its',
  'this',
  'that',
  'than',
  'then',
  'into',
  'over',
  'via',
  'per',
  'vs',
  'while',
  'all',
  'any',
  'last',
]);

/** The meaningful words of a template: lower-cased, placeholders and stop words removed. */
export function templateTokens(template: string): Set<string> {
  const tokens = new Set<string>();
  if (typeof template !== 'string' || template.length === 0) return tokens;
  const text = (template.length > MAX_TEMPLATE_CHARS ? template.slice(0, MAX_TEMPLATE_CHARS) : template).replace(PLACEHOLDER, ' ').toLowerCase();
  for (const token of text.split(TOKEN_SEPARATOR)) {
    if (token.length < 2 || STOP_WORDS.has(token)) continue;
    // Digits left in a template are part of a name (utf8, http2); a bare number is noise.
    if (/^\d+$/.test(token)) continue;
    tokens.add(token);
  }
  return tokens;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const token of small) if (large.has(token)) shared++;
  return shared / (a.size + b.size - shared);
}

type Comparable = Pick<Incident, 'id' | 'code' | 'category' | 'template'>;

/** Similarity of two incidents, 0..1: 0.75 × word overlap + 0.25 for the same specific code (0.05 for the same category). */
export function incidentSimilarity(a: Comparable, aTokens: ReadonlySet<string>, b: Comparable, bTokens: ReadonlySet<string>): number {
  let score = TEXT_WEIGHT * jaccard(aTokens, bTokens);
  if (a.code === b.code && !UNINFORMATIVE_CODES.has(a.code)) score += SAME_CODE_BONUS;
  else if (a.category === b.category && !UNINFORMATIVE_CATEGORIES.has(a.category)) score += SAME_CATEGORY_BONUS;
  return Math.min(1, score);
}

function isPastIncident(value: unknown): value is PastIncident {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.id === 'string' && typeof candidate.code === 'string' && typeof candidate.template === 'string';
}

/**
 * The past incidents most similar to `incident`, best first, excluding itself and anything below MIN_SIMILARITY.
 * Ties go to resolved incidents (their fix is known), then to the smaller id, so the answer is deterministic.
 */
export function similarIncidents(incident: Comparable, past: readonly PastIncident[], limit = 3): SimilarIncident[] {
  if (!Array.isArray(past) || past.length === 0 || !(limit > 0)) return [];
  const tokens = templateTokens(incident.template);
  const matches: SimilarIncident[] = [];
  const seen = new Set<string>();
  for (const candidate of past) {
    if (!isPastIncident(candidate) || candidate.id === incident.id || seen.has(candidate.id)) continue;
    seen.add(candidate.id);
    const score = incidentSimilarity(incident, tokens, candidate, templateTokens(candidate.template));
    if (score < MIN_SIMILARITY) continue;
    matches.push({
      id: candidate.id,
      code: candidate.code,
      title: typeof candidate.title === 'string' ? candidate.title : candidate.code,
      similarity: Math.round(score * 1000) / 1000,
      status: candidate.status,
    });
  }
  matches.sort(
    (x, y) => y.similarity - x.similarity || Number(y.status === 'resolved') - Number(x.status === 'resolved') || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0),
  );
  return matches.slice(0, Math.floor(limit));
}
