// Property-based tests of what StackLens writes to Jira (jira/jql.ts, jira/adf.ts, jira/issue-content.ts,
// jira/base-url.ts): user text never escapes into structure. JQL built from any value parses back (with the Jira
// double's JQL parser) to exactly the clauses intended; ADF built from any incident is schema-valid and holds user
// text only inside text nodes, with links only to the dashboard; base URLs outside Atlassian Cloud or the allow-list
// are refused with a reason, never thrown. Only typed ValidationErrors are ever thrown.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { SEVERITIES } from '../../../src/domain/catalog.js';
import { ValidationError } from '../../../src/domain/errors.js';
import type { Incident } from '../../../src/domain/incident.js';
import { cleanText, oneLine, truncate } from '../../../src/domain/jira/adf.js';
import { parseAllowHosts, validateJiraBaseUrl } from '../../../src/domain/jira/base-url.js';
import {
  buildIssueFields,
  buildRecurrenceComment,
  incidentLabel,
  incidentUrl,
  issueSummary,
  LABEL_MAX_CHARS,
  SUMMARY_MAX_CHARS,
  type AdfDoc,
} from '../../../src/domain/jira/issue-content.js';
import { isValidJiraLabel, jqlString, labelSearchJql } from '../../../src/domain/jira/jql.js';
import { looksLikePan, redact } from '../../../src/domain/redact.js';
import { parseJql } from '../../../../infra/test/helpers/jira-double/jql.js';
import { validateAdf } from '../../../../infra/test/helpers/jira-double/schemas.js';
import { makeAnalysis, makeIncident, SETTINGS } from '../jira/fixtures.js';
import { hostileText } from './arbitraries.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_TEXT =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFEFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Expects `act` to return, or to throw only the domain's ValidationError (code + message). */
function returnsOrValidationError<T>(act: () => T): T | ValidationError {
  try {
    return act();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('VALIDATION_FAILED');
    expect((error as ValidationError).message.length).toBeGreaterThan(0);
    return error as ValidationError;
  }
}

// ── JQL ────────────────────────────────────────────────────────────────────────────────────────────────────────────

describe('Property: JQL built from any value', () => {
  it('quotes any value without control characters into one string literal that parses back to the value', () => {
    fc.assert(
      fc.property(
        hostileText(120).filter((value) => !CONTROL.test(value)),
        (value) => {
          const query = parseJql(`labels = ${jqlString(value)}`);
          expect(query).toEqual({ clauses: [{ field: 'labels', op: '=', values: [value] }], orderBy: [] });
        },
      ),
      { numRuns: 4_000 },
    );
  });

  it('refuses a value with a control character with a ValidationError, never an unescaped literal', () => {
    fc.assert(
      fc.property(
        hostileText(60),
        fc.integer({ min: 0, max: 0x9f }).filter((c) => c < 0x20 || c >= 0x7f),
        fc.nat(),
        (value, control, at) => {
          const i = at % (value.length + 1);
          const withControl = value.slice(0, i) + String.fromCharCode(control) + value.slice(i);
          expect(() => jqlString(withControl)).toThrow(ValidationError);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('searches exactly one project and one label, or refuses with a ValidationError, for any project key and label', () => {
    const keyish = fc.oneof(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,9}$/), hostileText(40));
    const labelish = fc.oneof(
      fc.stringMatching(/^stacklens-[0-9a-f]{16}$/),
      hostileText(60),
      fc.constantFrom('" OR project is not EMPTY OR labels = "', 'x\\" OR 1=1 --', "' OR '1'='1"),
    );
    fc.assert(
      fc.property(keyish, labelish, (projectKey, label) => {
        const jql = returnsOrValidationError(() => labelSearchJql(projectKey, label));
        const valid = projectKey.trim().length > 0 && !CONTROL.test(projectKey) && isValidJiraLabel(label);
        expect(jql instanceof ValidationError).toBe(!valid);
        if (typeof jql !== 'string') return;
        expect(parseJql(jql)).toEqual({
          clauses: [
            { field: 'project', op: '=', values: [projectKey] },
            { field: 'labels', op: '=', values: [label] },
          ],
          orderBy: [],
        });
      }),
      { numRuns: 4_000 },
    );
  });

  it('takes as a label exactly the strings of 1..255 characters without whitespace or control characters', () => {
    fc.assert(
      fc.property(fc.oneof(hostileText(80), fc.stringMatching(/^[!-~]{200,300}$/)), (label) => {
        expect(isValidJiraLabel(label)).toBe(label.length >= 1 && label.length <= 255 && !/\s/.test(label) && !CONTROL.test(label));
      }),
      { numRuns: 3_000 },
    );
  });
});

// ── ADF text helpers ───────────────────────────────────────────────────────────────────────────────────────────────

describe('Property: ADF text helpers', () => {
  it('cleanText and oneLine are idempotent and leave nothing unsafe; oneLine is one bounded line', () => {
    fc.assert(
      fc.property(hostileText(300), fc.integer({ min: 0, max: 400 }), (value, max) => {
        const clean = cleanText(value);
        expect(cleanText(clean)).toBe(clean);
        expect(UNSAFE_IN_TEXT.test(clean)).toBe(false);
        const line = oneLine(value, max);
        expect(oneLine(line, max)).toBe(line);
        expect(line.length).toBeLessThanOrEqual(max);
        expect(/[\n\r\u2028\u2029]|\s\s/.test(line)).toBe(false);
      }),
      { numRuns: 4_000 },
    );
  });

  it('truncate keeps a prefix, ends in … when it cuts, and never splits a surrogate pair', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.integer({ min: 0, max: 220 }), (value, max) => {
        const cut = truncate(value, max);
        expect(cut.length).toBeLessThanOrEqual(max);
        if (value.length <= max) expect(cut).toBe(value);
        else if (max > 0) {
          expect(cut.endsWith('…')).toBe(true);
          expect(value.startsWith(cut.slice(0, -1))).toBe(true);
          expect(/[\uD800-\uDBFF]$/.test(cut.slice(0, -1))).toBe(false);
        }
      }),
      { numRuns: 3_000 },
    );
  });
});

// ── Issue content ──────────────────────────────────────────────────────────────────────────────────────────────────

const NODE_TYPES = new Set([
  'doc',
  'paragraph',
  'heading',
  'text',
  'hardBreak',
  'inlineCard',
  'codeBlock',
  'bulletList',
  'listItem',
  'table',
  'tableRow',
  'tableHeader',
  'tableCell',
  'rule',
]);
const MARK_TYPES = new Set(['strong', 'em', 'code', 'link']);
const NODE_KEYS = new Set(['type', 'version', 'content', 'text', 'marks', 'attrs']);

interface Walk {
  readonly texts: string[];
  readonly hrefs: string[];
  /** everything found outside where free text belongs (a node's text, a link's href): unknown keys, types, values */
  readonly structural: string[];
}

// The only attributes StackLens sets on nodes, with the only values it sets them to.
const NODE_ATTRS: Record<string, (value: unknown) => boolean> = {
  level: (v) => typeof v === 'number' && v >= 1 && v <= 6,
  language: (v) => v === 'text',
  isNumberColumnEnabled: (v) => v === false,
  layout: (v) => v === 'default',
};

/** Walks an ADF document, separating text-node text and link hrefs from every other string in the structure. */
function walkAdf(doc: AdfDoc): Walk {
  const walk: Walk = { texts: [], hrefs: [], structural: [] };
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return void walk.structural.push(`node ${JSON.stringify(node)}`);
    const n = node as Record<string, unknown>;
    for (const key of Object.keys(n)) if (!NODE_KEYS.has(key)) walk.structural.push(`key ${key}`);
    if (!NODE_TYPES.has(String(n['type']))) walk.structural.push(`type ${String(n['type'])}`);
    if (n['type'] === 'text') {
      if (typeof n['text'] === 'string') walk.texts.push(n['text']);
      else walk.structural.push(`text ${String(n['text'])}`);
      for (const mark of (n['marks'] as Array<Record<string, unknown>> | undefined) ?? []) {
        if (!MARK_TYPES.has(String(mark['type']))) walk.structural.push(`mark ${String(mark['type'])}`);
        for (const key of Object.keys(mark)) if (key !== 'type' && key !== 'attrs') walk.structural.push(`mark key ${key}`);
        for (const [key, value] of Object.entries((mark['attrs'] as Record<string, unknown> | undefined) ?? {})) {
          if (key === 'href') walk.hrefs.push(String(value));
          else walk.structural.push(`mark attr ${key}=${String(value)}`);
        }
      }
    } else if ('text' in n) walk.structural.push(`text on ${String(n['type'])}: ${String(n['text'])}`);
    for (const [key, value] of Object.entries((n['attrs'] as Record<string, unknown> | undefined) ?? {})) {
      if (!NODE_ATTRS[key]?.(value)) walk.structural.push(`attr ${key}=${String(value)}`);
    }
    if (n['content'] !== undefined) visit(n['content']);
  };
  visit(doc);
  return walk;
}

const DASHBOARD = 'https://stacklens.example.com/base';
const incidentIdArb = fc.stringMatching(/^[0-9a-f]{16}$/);
const countsArb = fc.dictionary(hostileText(40), fc.oneof(fc.integer({ min: -5, max: 1_000_000 }), fc.double()), { maxKeys: 14 });
const printedPan = fc
  .tuple(fc.constantFrom('4111111111111111', '5555555555554444', '378282246310005', '6011111111111117'), fc.constantFrom('', ' ', '-'))
  .map(([pan, joiner]) => (joiner === '' ? pan : pan.replace(/(\d{4})(?=\d)/g, `$1${joiner}`)));
const sampleArb = fc.oneof(
  hostileText(400),
  fc.tuple(hostileText(40), printedPan, hostileText(40)).map(([a, pan, b]) => `${a} ${pan} ${b}`),
);

const incidentArb: fc.Arbitrary<Incident> = fc
  .record({
    id: incidentIdArb,
    title: hostileText(400),
    code: hostileText(100),
    severity: fc.constantFrom(...SEVERITIES),
    template: hostileText(600),
    firstSeen: fc.oneof(
      hostileText(40),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    ),
    lastSeen: fc.oneof(
      hostileText(40),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    ),
    occurrences: fc.oneof(fc.integer({ min: -1, max: 10_000_000 }), fc.double()),
    storeCounts: countsArb,
    sample: hostileText(200),
  })
  .map((overrides) => makeIncident(overrides));

const analysisArb = fc.option(
  fc
    .record({
      summary: hostileText(1000),
      rootCause: hostileText(1000),
      suggestions: fc.array(hostileText(400), { maxLength: 10 }),
      confidence: fc.double(),
      confidenceReason: hostileText(400),
      source: fc.constantFrom('bedrock' as const, 'builtin' as const),
      similarIncidents: fc.array(
        fc.record({ id: fc.oneof(incidentIdArb, hostileText(30)), code: hostileText(80), title: hostileText(200), similarity: fc.double() }),
        { maxLength: 7 },
      ),
      model: hostileText(150),
      fallbackReason: hostileText(150),
    })
    .map((overrides) => makeAnalysis(overrides)),
  { nil: undefined },
);

/** Every href points at an incident page under the configured dashboard. */
function expectDashboardLinks(hrefs: readonly string[]): void {
  const origin = new URL(DASHBOARD).origin;
  const elsewhere = hrefs.filter((href) => {
    const url = new URL(href);
    return url.origin !== origin || !url.pathname.startsWith('/base/incidents/') || url.pathname.slice('/base/incidents/'.length).includes('/');
  });
  expect(elsewhere).toEqual([]);
}

describe('Property: Jira issue content from any incident', () => {
  it('builds a schema-valid create request whose free text sits only in text nodes, with bounded single-line summary and valid labels', () => {
    fc.assert(
      fc.property(
        incidentArb,
        analysisArb,
        fc.array(sampleArb, { maxLength: 7 }),
        countsArb,
        fc.boolean(),
        (incident, analysis, samples, kioskCounts, linked) => {
          const fields = buildIssueFields({
            incident,
            ...(analysis ? { analysis } : {}),
            samples,
            kioskCounts,
            settings: SETTINGS,
            ...(linked ? { dashboardUrl: DASHBOARD } : {}),
          });
          expect(validateAdf(fields.description).errors).toEqual([]);
          const walk = walkAdf(fields.description);
          expect(walk.structural).toEqual([]);
          expect(walk.texts.filter((text) => text.length === 0 || UNSAFE_IN_TEXT.test(text))).toEqual([]);
          expectDashboardLinks(walk.hrefs);
          if (!linked) expect(walk.hrefs).toEqual([]);
          // Jira's limit for a text field is 32,767 characters; the description stays far below it whatever the input.
          expect(JSON.stringify(fields.description).length).toBeLessThan(20_000);
          expect(fields.summary.length).toBeLessThanOrEqual(SUMMARY_MAX_CHARS);
          expect(/[\r\n\t]/.test(fields.summary) || UNSAFE_IN_TEXT.test(fields.summary)).toBe(false);
          expect(fields.labels.filter((label) => !isValidJiraLabel(label))).toEqual([]);
          expect(fields.labels).toContain(`stacklens-${incident.id}`);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('masks a card number standing in a sample even when the sample was not redacted (second line of defence)', () => {
    const prose = fc.array(fc.stringMatching(/^[A-Za-z]{1,9}[.,:;=]?$/), { maxLength: 5 }).map((words) => words.join(' '));
    fc.assert(
      fc.property(incidentArb, fc.array(fc.tuple(prose, printedPan, prose), { minLength: 1, maxLength: 5 }), (incident, parts) => {
        const samples = parts.map(([before, pan, after]) => `${before} ${pan} ${after}`);
        const fields = buildIssueFields({ incident, samples, kioskCounts: {}, settings: SETTINGS });
        const block = JSON.stringify(fields.description.content.filter((node) => node.type === 'codeBlock'));
        for (const [, pan] of parts) expect(block).not.toContain(pan);
      }),
      { numRuns: 200 },
    );
  });

  it('lets no card number (scheme prefix, 13-19 digits, Luhn-valid) through for any samples redacted the way the workflow does', () => {
    fc.assert(
      fc.property(incidentArb, fc.array(sampleArb, { minLength: 1, maxLength: 5 }), (incident, raw) => {
        const fields = buildIssueFields({ incident, samples: raw.map(redact), kioskCounts: {}, settings: SETTINGS });
        // The sample lines are the code block; titles and templates are masked by grouping long before they get here.
        const block = JSON.stringify(fields.description.content.filter((node) => node.type === 'codeBlock'));
        for (const run of block.match(/\d(?:[ -]?\d)*/g) ?? []) {
          expect(looksLikePan(run.replace(/[ -]/g, ''))).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('builds schema-valid recurrence comments with links only to the dashboard', () => {
    fc.assert(
      fc.property(
        incidentArb,
        fc.double(),
        fc.double(),
        countsArb,
        fc.boolean(),
        fc.boolean(),
        (incident, newOccurrences, windowMinutes, storeCounts, regressed, linked) => {
          const comment = buildRecurrenceComment({
            incident,
            newOccurrences,
            windowMinutes,
            storeCounts,
            regressed,
            ...(linked ? { dashboardUrl: DASHBOARD } : {}),
          });
          expect(validateAdf(comment).errors).toEqual([]);
          const walk = walkAdf(comment);
          expect(walk.structural).toEqual([]);
          expect(walk.texts.filter((text) => UNSAFE_IN_TEXT.test(text))).toEqual([]);
          expectDashboardLinks(walk.hrefs);
          expect(JSON.stringify(comment).length).toBeLessThan(5_000);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps the summary one bounded line for any severity, code and title', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SEVERITIES), hostileText(400), hostileText(600), (severity, code, title) => {
        const summary = issueSummary({ severity, code, title });
        expect(summary.length).toBeLessThanOrEqual(SUMMARY_MAX_CHARS);
        expect(summary.startsWith(`[${severity.toUpperCase()}] `)).toBe(true);
        expect(/[\r\n\t]/.test(summary) || UNSAFE_IN_TEXT.test(summary)).toBe(false);
      }),
      { numRuns: 2_000 },
    );
  });

  it('forms a label from an incident id verbatim or refuses it with a ValidationError, never a mangled one', () => {
    fc.assert(
      fc.property(fc.oneof(incidentIdArb, fc.stringMatching(/^[A-Za-z0-9._-]{1,300}$/), hostileText(60)), (id) => {
        const label = returnsOrValidationError(() => incidentLabel(id));
        if (typeof label !== 'string') return;
        expect(label).toBe(`stacklens-${id}`);
        expect(isValidJiraLabel(label)).toBe(true);
        expect(label.length).toBeLessThanOrEqual(LABEL_MAX_CHARS);
      }),
      { numRuns: 3_000 },
    );
  });

  it('links only to http(s) dashboards, with the incident id as one path segment', () => {
    fc.assert(
      fc.property(
        fc.oneof(hostileText(60), fc.webUrl(), fc.constantFrom('javascript:alert(1)', 'data:text/html,x', 'file:///etc/passwd')),
        hostileText(40),
        (dashboard, id) => {
          const url = incidentUrl(dashboard, id);
          if (url === undefined) return;
          const parsed = new URL(url);
          expect(['http:', 'https:']).toContain(parsed.protocol);
          expect(url.endsWith(`/incidents/${encodeURIComponent(id)}`)).toBe(true);
        },
      ),
      { numRuns: 3_000 },
    );
  });
});

// ── Base URL ───────────────────────────────────────────────────────────────────────────────────────────────────────

describe('Property: Jira base URL validation', () => {
  const site = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?$/);
  const hostish = fc.oneof(fc.domain(), fc.constantFrom('127.0.0.1:8080', 'localhost:3000', '[::1]:9', 'jira.internal', '169.254.169.254'));
  const urlish = fc.oneof(
    hostileText(80),
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fc
      .tuple(
        fc.constantFrom('http://', 'https://', 'HTTPS://', 'ftp://', 'https://user:pw@'),
        fc.oneof(
          hostish,
          site.map((s) => `${s}.atlassian.net`),
        ),
        fc.constantFrom('', '/', '/jira', ':443', ':8443', '?x=1', '#f', '/.'),
        fc.constantFrom('', ' '),
      )
      .map((parts) => parts.join('')),
  );

  it('never throws, and accepts only an https Atlassian Cloud site root or an allow-listed host, normalised', () => {
    fc.assert(
      fc.property(urlish, fc.array(hostish, { maxLength: 3 }), (raw, allow) => {
        const check = validateJiraBaseUrl(raw, allow);
        if (!check.ok) {
          expect(check.reason.length).toBeGreaterThan(0);
          return;
        }
        const url = new URL(check.url);
        expect(check.url).toBe(`${url.protocol}//${url.host}`);
        const allowListed = allow.some((entry) => entry.toLowerCase() === url.host);
        if (!allowListed) {
          expect(url.protocol).toBe('https:');
          expect(url.hostname).toMatch(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.atlassian\.net$/);
          expect(url.port).toBe('');
        } else if (url.protocol === 'http:') {
          expect(['localhost', '[::1]'].includes(url.hostname) || /^127\./.test(url.hostname)).toBe(true);
        }
      }),
      { numRuns: 4_000 },
    );
  });

  it('accepts every Atlassian Cloud site root in any letter case, with or without a trailing slash', () => {
    fc.assert(
      fc.property(site, fc.boolean(), fc.boolean(), (name, upper, slash) => {
        const raw = `https://${upper ? name.toUpperCase() : name}.atlassian.net${slash ? '/' : ''}`;
        expect(validateJiraBaseUrl(raw, [])).toEqual({ ok: true, url: `https://${name}.atlassian.net` });
      }),
      { numRuns: 1_000 },
    );
  });

  it('parses an allow-list of plain hosts back to them, and refuses anything else with a ValidationError', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.domain(),
            fc
              .tuple(
                fc.domain(),
                fc.integer({ min: 1, max: 65_535 }).filter((p) => p !== 80),
              )
              .map(([d, p]) => `${d}:${p}`),
          ),
          { maxLength: 4 },
        ),
        hostileText(40),
        (hosts, junk) => {
          expect(parseAllowHosts(hosts.join(','))).toEqual(hosts.map((h) => new URL(`http://${h}`).host));
          returnsOrValidationError(() => parseAllowHosts(junk));
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
