// What StackLens writes into Jira: the create-issue fields and the recurrence/regression comments.
// Pure functions of the incident, so the same input always yields the same ticket and tests can validate every
// document against the ADF schema and the Jira OpenAPI request schema.

import { ValidationError } from '../errors.js';
import type { Analysis } from '../analysis/types.js';
import type { Incident } from '../incident.js';
import type { JiraSettings } from './settings.js';
import {
  bulletList,
  cleanText,
  code,
  codeBlock,
  doc,
  factTable,
  heading,
  link,
  oneLine,
  paragraph,
  rule,
  strong,
  table,
  text,
  truncate,
  type AdfBlock,
  type AdfDoc,
  type AdfParagraph,
} from './adf.js';

export type { AdfDoc } from './adf.js';

/** Jira rejects a summary of 255 characters or more. */
export const SUMMARY_MAX_CHARS = 254;
export const LABEL_MAX_CHARS = 255;
export const MAX_SAMPLE_LINES = 5;
export const SAMPLE_LINE_MAX_CHARS = 300;
/** Per sample record: a stack trace keeps its first lines, not all of them. */
export const SAMPLE_MAX_LINES_EACH = 8;
export const SAMPLES_MAX_TOTAL_CHARS = 2000;
const MAX_STORES_LISTED = 10;
const MAX_KIOSKS_LISTED = 5;
const MAX_SUGGESTIONS = 6;
const MAX_SIMILAR = 5;

export const BASE_LABEL = 'stacklens';
const INCIDENT_LABEL_PREFIX = `${BASE_LABEL}-`;
// Incident ids are 16 hex characters today. Anything that could not be a label verbatim is refused rather than
// mangled: two ids mangled into one label would merge their tickets.
const LABEL_SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface IssueFields {
  readonly project: { readonly key: string };
  readonly issuetype: { readonly name: string };
  readonly summary: string;
  readonly description: AdfDoc;
  readonly labels: string[];
  readonly priority?: { readonly name: string };
}

export interface IssueContentInput {
  readonly incident: Incident;
  readonly analysis?: Analysis;
  /** recent record texts, already redacted */
  readonly samples: readonly string[];
  /** occurrences per `store/kiosk` */
  readonly kioskCounts: Readonly<Record<string, number>>;
  readonly settings: JiraSettings;
  /** the dashboard origin (e.g. https://stacklens.example.com); the ticket links to `${dashboardUrl}/incidents/${id}` */
  readonly dashboardUrl?: string;
}

export interface RecurrenceCommentInput {
  readonly incident: Incident;
  readonly newOccurrences: number;
  readonly windowMinutes: number;
  /** new occurrences per store within the window */
  readonly storeCounts?: Readonly<Record<string, number>>;
  /** the incident was resolved and has recurred */
  readonly regressed?: boolean;
  readonly dashboardUrl?: string;
}

/** The label that ties one Jira issue to one incident; StackLens searches for it before it ever creates again. */
export function incidentLabel(incidentId: string): string {
  if (!LABEL_SAFE_ID.test(incidentId) || INCIDENT_LABEL_PREFIX.length + incidentId.length > LABEL_MAX_CHARS) {
    throw new ValidationError(
      `Incident id ${JSON.stringify(truncate(incidentId, 80))} cannot form a Jira label (letters, digits, . _ - only, at most ${LABEL_MAX_CHARS - INCIDENT_LABEL_PREFIX.length} characters)`,
    );
  }
  return `${INCIDENT_LABEL_PREFIX}${incidentId}`;
}

/** A fixed-vocabulary label part: lower case, anything outside [a-z0-9._-] becomes `-`. */
function labelPart(value: string): string {
  const part = value
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return part.length > 0 ? part : 'unknown';
}

export function issueLabels(incident: Pick<Incident, 'id' | 'severity' | 'code'>): string[] {
  const labels = [BASE_LABEL, incidentLabel(incident.id), `sev-${labelPart(incident.severity)}`, `code-${labelPart(incident.code)}`];
  return [...new Set(labels.map((label) => label.slice(0, LABEL_MAX_CHARS)))];
}

/** `[HIGH] MISSING_PRICE: Product Has No Price`, one line, shorter than Jira's 255-character limit. */
export function issueSummary(incident: Pick<Incident, 'severity' | 'code' | 'title'>): string {
  const codePart = oneLine(incident.code, 100) || 'UNKNOWN';
  const title = oneLine(incident.title, SUMMARY_MAX_CHARS);
  const summary = oneLine(`[${incident.severity.toUpperCase()}] ${codePart}${title ? `: ${title}` : ''}`, SUMMARY_MAX_CHARS);
  return summary;
}

/** The dashboard page of one incident, or undefined when the configured dashboard URL is not an http(s) URL. */
export function incidentUrl(dashboardUrl: string | undefined, incidentId: string): string | undefined {
  if (!dashboardUrl) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(dashboardUrl);
  } catch {
    return undefined;
  }
  // Only http(s): a javascript: or data: link in a ticket would be a trap for whoever clicks it.
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  const base = `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
  // encodeURIComponent throws on a lone surrogate; an id that is not well-formed text has no page to link to.
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(incidentId)) return undefined;
  // "." and ".." survive encodeURIComponent and are dot-segments: the link would resolve to the list or the dashboard
  // root. Similar-incident ids come from the analysis (a model's output), so they are not trusted to be well formed.
  if (incidentId === '' || incidentId === '.' || incidentId === '..') return undefined;
  return `${base}/incidents/${encodeURIComponent(incidentId)}`;
}

export function buildIssueFields(input: IssueContentInput): IssueFields {
  const { incident, settings } = input;
  const priorityName = settings.priorityMap[incident.severity]?.trim();
  return {
    project: { key: settings.projectKey },
    issuetype: { name: settings.issueType },
    summary: issueSummary(incident),
    description: buildDescription(input),
    labels: issueLabels(incident),
    ...(priorityName ? { priority: { name: priorityName } } : {}),
  };
}

function buildDescription(input: IssueContentInput): AdfDoc {
  const { incident, analysis } = input;
  const url = incidentUrl(input.dashboardUrl, incident.id);
  return doc([
    heading(2, 'What happened'),
    factTable([
      ['Title', oneLine(incident.title, 200)],
      ['Code', paragraph(code(oneLine(incident.code, 100)))],
      ['Category', oneLine(incident.category, 40)],
      ['Severity', oneLine(incident.severity, 20)],
      ['Occurrences', formatCount(incident.occurrences)],
      ['First seen', formatTime(incident.firstSeen)],
      ['Last seen', formatTime(incident.lastSeen)],
      ['Pattern', paragraph(code(oneLine(incident.template, 500)))],
    ]),
    heading(2, 'Where'),
    ...whereBlocks(incident.storeCounts, input.kioskCounts),
    ...sampleBlocks(input.samples, incident.occurrences),
    heading(2, 'Analysis'),
    ...(analysis ? analysisBlocks(analysis, input.dashboardUrl) : [paragraph(text('No analysis was available when this ticket was created.', { type: 'em' }))]),
    rule(),
    url
      ? paragraph('Open ', link(`incident ${truncate(incident.id, 80)}`, url), ' in StackLens.')
      : paragraph('StackLens incident ', code(truncate(incident.id, 80)), '.'),
    paragraph(
      text('StackLens finds this ticket by its label ', { type: 'em' }),
      code(incidentLabel(incident.id)),
      text('. Keep the label, so new occurrences are added here as comments rather than opening another ticket.', { type: 'em' }),
    ),
  ]);
}

function whereBlocks(storeCounts: Readonly<Record<string, number>>, kioskCounts: Readonly<Record<string, number>>): AdfBlock[] {
  const stores = topCounts(storeCounts);
  const kiosks = topCounts(kioskCounts);
  const blocks: Array<AdfBlock | undefined> = [
    paragraph(
      `${formatCount(stores.length)} ${plural(stores.length, 'store', 'stores')} and ${formatCount(kiosks.length)} ${plural(kiosks.length, 'kiosk', 'kiosks')} affected.`,
    ),
    table(
      ['Store', 'Occurrences'],
      stores.slice(0, MAX_STORES_LISTED).map(([store, count]) => [oneLine(store, 64), formatCount(count)]),
    ),
    moreParagraph(stores, MAX_STORES_LISTED, 'store', 'stores'),
    kiosks.length > 0 ? paragraph(strong('Top kiosks')) : undefined,
    table(
      ['Kiosk (store/kiosk)', 'Occurrences'],
      kiosks.slice(0, MAX_KIOSKS_LISTED).map(([kiosk, count]) => [oneLine(kiosk, 130), formatCount(count)]),
    ),
    moreParagraph(kiosks, MAX_KIOSKS_LISTED, 'kiosk', 'kiosks'),
  ];
  return blocks.filter((b): b is AdfBlock => b !== undefined);
}

function moreParagraph(entries: ReadonlyArray<readonly [string, number]>, shown: number, one: string, many: string): AdfParagraph | undefined {
  const rest = entries.slice(shown);
  if (rest.length === 0) return undefined;
  const total = rest.reduce((sum, [, count]) => sum + count, 0);
  return paragraph(
    `…and ${formatCount(rest.length)} more ${plural(rest.length, one, many)} (${formatCount(total)} ${plural(total, 'occurrence', 'occurrences')}).`,
  );
}

function sampleBlocks(samples: readonly string[], occurrences: number): AdfBlock[] {
  const lines: string[] = [];
  let total = 0;
  let used = 0;
  let clipped = false;
  for (const sample of samples.slice(0, MAX_SAMPLE_LINES)) {
    const sampleLines = maskCardNumbers(cleanText(sample))
      .split('\n')
      .map((line) => {
        const trimmed = line.replace(/\s+$/, '');
        if (trimmed.length > SAMPLE_LINE_MAX_CHARS) clipped = true;
        return truncate(trimmed, SAMPLE_LINE_MAX_CHARS);
      })
      .filter((line) => line.length > 0);
    if (sampleLines.length > SAMPLE_MAX_LINES_EACH) {
      sampleLines.length = SAMPLE_MAX_LINES_EACH;
      clipped = true;
    }
    const block = sampleLines.join('\n');
    if (block.length === 0) continue;
    if (total + block.length + 1 > SAMPLES_MAX_TOTAL_CHARS) {
      clipped = true;
      break;
    }
    lines.push(block);
    total += block.length + 1;
    used += 1;
  }
  if (lines.length === 0) return [];
  return [
    heading(2, 'Sample lines'),
    paragraph(`${formatCount(used)} recent ${plural(used, 'record', 'records')} of ${formatCount(occurrences)}, redacted${clipped ? ', shortened' : ''}:`),
    codeBlock(lines.join('\n'), 'text'),
  ];
}

function analysisBlocks(analysis: Analysis, dashboardUrl: string | undefined): AdfBlock[] {
  const suggestions = analysis.suggestions
    .map((s) => oneLine(s, 300))
    .filter((s) => s.length > 0)
    .slice(0, MAX_SUGGESTIONS);
  const similar = analysis.similarIncidents.slice(0, MAX_SIMILAR).map((s) => {
    const label = `${oneLine(s.code, 60)}: ${oneLine(s.title, 120)}`;
    const href = incidentUrl(dashboardUrl, s.id);
    return paragraph(href ? link(label, href) : label, ` (${formatPercent(s.similarity)} similar)`);
  });
  const source =
    analysis.source === 'bedrock'
      ? `Amazon Bedrock${analysis.model ? ` (${oneLine(analysis.model, 120)})` : ''}`
      : `StackLens built-in knowledge base${analysis.fallbackReason ? ` (Bedrock unavailable: ${oneLine(analysis.fallbackReason, 120)})` : ''}`;
  const blocks: Array<AdfBlock | undefined> = [
    paragraph(strong('Summary: '), oneLine(analysis.summary, 800) || '—'),
    paragraph(strong('Likely root cause: '), oneLine(analysis.rootCause, 800) || '—'),
    suggestions.length > 0 ? heading(3, 'Suggested next steps') : undefined,
    bulletList(suggestions.map((s) => paragraph(s))),
    paragraph(
      strong('Confidence: '),
      formatPercent(analysis.confidence),
      analysis.confidenceReason.trim() ? ` (${oneLine(analysis.confidenceReason, 300)})` : '',
    ),
    paragraph(strong('Source: '), source),
    similar.length > 0 ? heading(3, 'Similar incidents') : undefined,
    bulletList(similar),
  ];
  return blocks.filter((b): b is AdfBlock => b !== undefined);
}

export function buildRecurrenceComment(input: RecurrenceCommentInput): AdfDoc {
  const { incident } = input;
  const count = nonNegativeInteger(input.newOccurrences);
  const minutes = Math.max(1, nonNegativeInteger(input.windowMinutes));
  const stores = topCounts(input.storeCounts ?? {});
  const url = incidentUrl(input.dashboardUrl, incident.id);
  const storeList = stores.slice(0, MAX_STORES_LISTED).map(([store, n]) => `${oneLine(store, 64)} (${formatCount(n)})`);
  const moreStores = stores.length - storeList.length;
  return doc([
    input.regressed
      ? paragraph(strong('Resolved incident recurred.'), ' StackLens had marked this incident resolved; it has occurred again and is open again.')
      : undefined,
    paragraph(
      strong(`${formatCount(count)} new ${plural(count, 'occurrence', 'occurrences')}`),
      ` in the last ${formatCount(minutes)} ${plural(minutes, 'minute', 'minutes')}; ${formatCount(incident.occurrences)} in total since ${formatTime(incident.firstSeen)}. Last seen ${formatTime(incident.lastSeen)}.`,
    ),
    storeList.length > 0
      ? paragraph(strong('Stores: '), `${storeList.join(', ')}${moreStores > 0 ? `, and ${formatCount(moreStores)} more` : ''}.`)
      : undefined,
    url ? paragraph('Open ', link(`incident ${truncate(incident.id, 80)}`, url), ' in StackLens.') : undefined,
  ]);
}

// Payment terminals log card data by mistake. Samples arrive redacted, but a ticket leaves our system for a third
// party, so any Luhn-valid 13-19 digit run (spaces or dashes allowed between digits) is masked once more here.
const CARD_CANDIDATE = /\b\d(?:[ -]?\d){12,18}\b/g;

export function maskCardNumbers(value: string): string {
  return value.replace(CARD_CANDIDATE, (match) => {
    const digits = match.replace(/[ -]/g, '');
    return luhnValid(digits) ? `[card ••••${digits.slice(-4)}]` : match;
  });
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function topCounts(counts: Readonly<Record<string, number>>): Array<[string, number]> {
  return Object.entries(counts)
    .filter(([key, n]) => key.length > 0 && Number.isFinite(n) && n > 0)
    .sort(([ka, a], [kb, b]) => b - a || (ka < kb ? -1 : ka > kb ? 1 : 0));
}

function nonNegativeInteger(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

function formatCount(n: number): string {
  return nonNegativeInteger(n).toLocaleString('en-US');
}

function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return 'unknown';
  return `${Math.round(Math.min(1, Math.max(0, fraction)) * 100)}%`;
}

/** `2025-03-01 14:02:07 UTC`; whatever is not a timestamp is shown as given, on one line. */
function formatTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return oneLine(iso, 40) || 'unknown';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}
