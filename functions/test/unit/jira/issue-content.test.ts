import { describe, expect, it } from '@jest/globals';
import { KNOWN_CODES, SEVERITIES } from '../../../src/domain/catalog.js';
import { ValidationError } from '../../../src/domain/errors.js';
import { oneLine, truncate } from '../../../src/domain/jira/adf.js';
import {
  buildIssueFields,
  buildRecurrenceComment,
  incidentLabel,
  incidentUrl,
  issueLabels,
  issueSummary,
  maskCardNumbers,
  SUMMARY_MAX_CHARS,
} from '../../../src/domain/jira/issue-content.js';
import { isValidJiraLabel } from '../../../src/domain/jira/jql.js';
import { check, requestValidator, validateAdf } from '../../../../infra/test/helpers/jira-double/schemas.js';
import { adfNodes, adfTexts, makeAnalysis, makeIncident, SETTINGS } from './fixtures.js';

const createBody = requestValidator('post', '/rest/api/3/issue');
const commentBody = requestValidator('post', '/rest/api/3/issue/{issueIdOrKey}/comment');

const HUGE = 'x'.repeat(200_000);
const QUOTES = '"\\'.repeat(50_000);
const HOSTILE_STRINGS = [
  '<script>alert("x")</script>',
  HUGE,
  QUOTES,
  'multi\nline\r\ntitle\twith tabs',
  '\u0000\u0007\u001b[31mred\u001b[0m\u007f\u0085',
  'right-to-left \u202Eoverride\u202C and isolate \u2066x\u2069',
  'emoji 🧾💳 and CJK 価格がありません and combining é',
  'lone \uD83D surrogate and \uDE00 low',
  '',
  '   ',
];

function hostileIncident(text: string, i: number) {
  return makeIncident({
    id: `hostile${i}`,
    title: text,
    code: text.length > 0 ? `CODE ${text.slice(0, 40)}` : '',
    template: text,
    storeCounts: { [text.slice(0, 64) || 'S1']: 3, S002: 1 },
    firstSeen: text,
    lastSeen: '2025-03-01T14:09:55.002Z',
  });
}

function validateCreate(fields: ReturnType<typeof buildIssueFields>) {
  const adf = validateAdf(fields.description);
  expect(adf.errors).toEqual([]);
  const body = check(createBody, JSON.parse(JSON.stringify({ fields })));
  expect(body.errors).toEqual([]);
}

describe('buildIssueFields', () => {
  it('produces a schema-valid create body for every known code and severity, with and without an analysis', () => {
    for (const known of KNOWN_CODES.values()) {
      for (const analysis of [undefined, makeAnalysis({ source: 'bedrock', model: 'anthropic.claude-3-haiku' })]) {
        const incident = makeIncident({
          id: `id${known.code.toLowerCase()}`,
          code: known.code,
          title: known.title,
          severity: known.severity,
          category: known.category,
        });
        const fields = buildIssueFields({
          incident,
          ...(analysis ? { analysis } : {}),
          samples: [incident.sample],
          kioskCounts: { 'S001/K01': 20, 'S002/K04': 12 },
          settings: SETTINGS,
          dashboardUrl: 'https://stacklens.example.com',
        });
        validateCreate(fields);
        expect(fields.summary.length).toBeLessThan(255);
        expect(fields.labels.every(isValidJiraLabel)).toBe(true);
      }
    }
  });

  it('stays schema-valid, single-line and bounded for hostile text in every free-text field', () => {
    HOSTILE_STRINGS.forEach((text, i) => {
      const incident = hostileIncident(text, i);
      const analysis = makeAnalysis({
        summary: text,
        rootCause: text,
        suggestions: [text, text, '', text, text, text, text, text],
        confidenceReason: text,
        fallbackReason: text,
        similarIncidents: [{ id: `x${i}`, code: text, title: text, similarity: 2 }],
      });
      const fields = buildIssueFields({
        incident,
        analysis,
        samples: [text, text, text, text, text, text],
        kioskCounts: { [`${text.slice(0, 30)}/k`]: 5 },
        settings: SETTINGS,
        dashboardUrl: 'https://stacklens.example.com/',
      });
      validateCreate(fields);
      expect(fields.summary).not.toMatch(/[\r\n\t]/);
      expect(fields.summary.length).toBeLessThanOrEqual(SUMMARY_MAX_CHARS);
      const serialized = JSON.stringify(fields.description);
      // Jira's limit for a text field is 32,767 characters; stay far below it whatever the input.
      expect(serialized.length).toBeLessThan(20_000);
      expect(serialized).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u202A-\u202E\u2066-\u2069]/);
      expect(serialized).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    });
  });

  it('keeps markup as literal text instead of escaping or interpreting it', () => {
    const incident = makeIncident({ title: '<script>alert("x")</script> & <b>bold</b>' });
    const fields = buildIssueFields({ incident, samples: ['<img src=x onerror=alert(1)>'], kioskCounts: {}, settings: SETTINGS });
    const texts = adfTexts(fields.description);
    expect(texts).toContain('<script>alert("x")</script> & <b>bold</b>');
    expect(texts.join('\n')).toContain('<img src=x onerror=alert(1)>');
    expect(fields.summary).toBe('[HIGH] MISSING_PRICE: <script>alert("x")</script> & <b>bold</b>');
  });

  it('describes what happened, where, when, how often, with samples, the analysis and a link back', () => {
    const incident = makeIncident();
    const fields = buildIssueFields({
      incident,
      analysis: makeAnalysis(),
      samples: ['line one', 'line two'],
      kioskCounts: { 'S001/K01': 20, 'S001/K02': 10, 'S002/K04': 12 },
      settings: SETTINGS,
      dashboardUrl: 'https://stacklens.example.com/',
    });
    const all = adfTexts(fields.description).join('|');
    for (const expected of [
      'Product Has No Price',
      'MISSING_PRICE',
      'inventory',
      'high',
      '42',
      '2025-03-01 14:02:07 UTC',
      '2025-03-01 14:09:55 UTC',
      'S001',
      '30',
      'S001/K01',
      'Product 999 has no price',
      'The nightly price sync skipped product 999.',
      'Add a price for product 999 in the back office',
      '72%',
      'two similar incidents',
      'StackLens built-in knowledge base',
      'PRICE_NOT_FOUND: Price Lookup Failure',
      '81% similar',
      'stacklens-3f9a1c0de4b27a51',
    ]) {
      expect(all).toContain(expected);
    }
    const code = adfNodes(fields.description, 'codeBlock');
    expect(code).toHaveLength(1);
    expect(adfTexts(code)).toEqual(['line one\nline two']);
    const hrefs = JSON.stringify(fields.description).match(/"href":"[^"]+"/g);
    expect(hrefs).toContain('"href":"https://stacklens.example.com/incidents/3f9a1c0de4b27a51"');
    expect(hrefs).toContain('"href":"https://stacklens.example.com/incidents/aa00bb11cc22dd33"');
    expect(adfNodes(fields.description, 'table').length).toBeGreaterThanOrEqual(2);
    expect(adfNodes(fields.description, 'bulletList').length).toBeGreaterThanOrEqual(1);
  });

  it('says when no analysis was available, and names Bedrock and its fallback reason when there was one', () => {
    const none = adfTexts(buildIssueFields({ incident: makeIncident(), samples: [], kioskCounts: {}, settings: SETTINGS }).description).join(' ');
    expect(none).toContain('No analysis was available');
    const fallback = adfTexts(
      buildIssueFields({
        incident: makeIncident(),
        analysis: makeAnalysis({ fallbackReason: 'ThrottlingException' }),
        samples: [],
        kioskCounts: {},
        settings: SETTINGS,
      }).description,
    ).join(' ');
    expect(fallback).toContain('Bedrock unavailable: ThrottlingException');
    const bedrock = adfTexts(
      buildIssueFields({
        incident: makeIncident(),
        analysis: makeAnalysis({ source: 'bedrock', model: 'anthropic.claude-3-haiku' }),
        samples: [],
        kioskCounts: {},
        settings: SETTINGS,
      }).description,
    ).join(' ');
    expect(bedrock).toContain('Amazon Bedrock (anthropic.claude-3-haiku)');
  });

  it('keeps at most five sample records, each line shortened, and says so', () => {
    const samples = Array.from({ length: 9 }, (_, i) => `sample ${i} ${'y'.repeat(1000)}`);
    const fields = buildIssueFields({ incident: makeIncident(), samples, kioskCounts: {}, settings: SETTINGS });
    const [block] = adfTexts(adfNodes(fields.description, 'codeBlock'));
    const lines = block!.split('\n');
    expect(lines.length).toBeLessThanOrEqual(5);
    expect(lines.every((l) => l.length <= 300)).toBe(true);
    expect(lines[0]!.endsWith('…')).toBe(true);
    expect(adfTexts(fields.description).join(' ')).toContain('shortened');
  });

  it('masks a Luhn-valid card number in samples but leaves other long digit runs alone', () => {
    expect(maskCardNumbers('pan=4111 1111 1111 1111 ok')).toBe('pan=[card ••••1111] ok');
    expect(maskCardNumbers('pan=5500-0000-0000-0004')).toBe('pan=[card ••••0004]');
    expect(maskCardNumbers('order 1234567890123456 total')).toBe('order 1234567890123456 total');
    const fields = buildIssueFields({ incident: makeIncident(), samples: ['card 4111111111111111 declined'], kioskCounts: {}, settings: SETTINGS });
    expect(JSON.stringify(fields.description)).not.toContain('4111111111111111');
  });

  it('lists the top stores and kiosks and summarises the rest', () => {
    const storeCounts = Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`S${String(i).padStart(3, '0')}`, 100 - i]));
    const kioskCounts = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`S000/K${i}`, 50 - i]));
    const fields = buildIssueFields({ incident: makeIncident({ storeCounts }), samples: [], kioskCounts, settings: SETTINGS });
    const all = adfTexts(fields.description).join('|');
    expect(all).toContain('14 stores and 8 kiosks affected.');
    expect(all).toContain('…and 4 more stores (354 occurrences).');
    expect(all).toContain('…and 3 more kiosks (132 occurrences).');
    expect(all).not.toContain('S013');
  });

  it('maps severity to the configured priority and omits priority when none is configured', () => {
    for (const severity of SEVERITIES) {
      const fields = buildIssueFields({ incident: makeIncident({ severity }), samples: [], kioskCounts: {}, settings: SETTINGS });
      expect(fields.priority).toEqual({ name: SETTINGS.priorityMap[severity] });
    }
    const fields = buildIssueFields({
      incident: makeIncident(),
      samples: [],
      kioskCounts: {},
      settings: { ...SETTINGS, priorityMap: { ...SETTINGS.priorityMap, high: ' ' } },
    });
    expect(fields).not.toHaveProperty('priority');
    expect(fields.project).toEqual({ key: 'PROJ' });
    expect(fields.issuetype).toEqual({ name: 'Bug' });
  });

  it('links no dashboard when its URL is missing or not http(s)', () => {
    for (const dashboardUrl of [undefined, 'javascript:alert(1)', 'not a url', 'data:text/html,hi']) {
      const fields = buildIssueFields({
        incident: makeIncident(),
        samples: [],
        kioskCounts: {},
        settings: SETTINGS,
        ...(dashboardUrl === undefined ? {} : { dashboardUrl }),
      });
      expect(
        adfNodes(fields.description, 'text').some((n) => Array.isArray(n['marks']) && (n['marks'] as Array<{ type: string }>).some((m) => m.type === 'link')),
      ).toBe(false);
      expect(adfTexts(fields.description).join('')).toContain('3f9a1c0de4b27a51');
    }
  });

  it('links no similar incident whose id is a dot-segment, which would resolve to another page (found by seed -573645810)', () => {
    const fields = buildIssueFields({
      incident: makeIncident(),
      analysis: makeAnalysis({ similarIncidents: ['.', '..', ''].map((id) => ({ id, code: 'X', title: 'x', similarity: 0.5 })) }),
      samples: [],
      kioskCounts: {},
      settings: SETTINGS,
      dashboardUrl: 'https://stacklens.example.com/base',
    });
    const hrefs = adfNodes(fields.description, 'text').flatMap((n) =>
      ((n['marks'] as Array<{ type: string; attrs?: { href?: string } }>) ?? []).map((m) => m.attrs?.href ?? ''),
    );
    expect(hrefs.filter((href) => href !== '')).toEqual(['https://stacklens.example.com/base/incidents/3f9a1c0de4b27a51']);
  });
});

describe('issueSummary', () => {
  it('reads [SEVERITY] CODE: title', () => {
    expect(issueSummary(makeIncident())).toBe('[HIGH] MISSING_PRICE: Product Has No Price');
    expect(issueSummary(makeIncident({ title: '' }))).toBe('[HIGH] MISSING_PRICE');
  });

  it('truncates with an ellipsis below 255 characters without splitting a surrogate pair', () => {
    const summary = issueSummary(makeIncident({ title: `${'a'.repeat(226)}${'🧾'.repeat(40)}` }));
    expect(summary.length).toBeLessThanOrEqual(SUMMARY_MAX_CHARS);
    expect(summary.endsWith('…')).toBe(true);
    expect(summary).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('labels', () => {
  it('carries the per-incident label, the product label, the severity and the lower-cased code', () => {
    expect(issueLabels(makeIncident())).toEqual(['stacklens', 'stacklens-3f9a1c0de4b27a51', 'sev-high', 'code-missing_price']);
    expect(issueLabels(makeIncident({ code: 'Weird Code/ä' }))).toContain('code-weird-code');
    expect(issueLabels(makeIncident({ code: '' }))).toContain('code-unknown');
  });

  it('refuses an incident id that cannot be a label verbatim rather than mangling it into a shared one', () => {
    expect(incidentLabel('3f9a1c0de4b27a51')).toBe('stacklens-3f9a1c0de4b27a51');
    for (const bad of ['', 'has space', 'quote"', 'x'.repeat(300), '-leading']) {
      expect(() => incidentLabel(bad)).toThrow(ValidationError);
    }
  });
});

describe('incidentUrl', () => {
  it('joins the dashboard URL and the encoded incident id', () => {
    expect(incidentUrl('https://stacklens.example.com', 'abc')).toBe('https://stacklens.example.com/incidents/abc');
    expect(incidentUrl('https://stacklens.example.com/app//', 'a/b')).toBe('https://stacklens.example.com/app/incidents/a%2Fb');
    expect(incidentUrl('http://127.0.0.1:5173/?q=1#x', 'abc')).toBe('http://127.0.0.1:5173/incidents/abc');
  });
});

describe('buildRecurrenceComment', () => {
  it('states the new count, the window, the total and the stores', () => {
    const doc = buildRecurrenceComment({
      incident: makeIncident({ occurrences: 1042 }),
      newOccurrences: 37,
      windowMinutes: 15,
      storeCounts: { S001: 30, S002: 7 },
      dashboardUrl: 'https://stacklens.example.com',
    });
    expect(validateAdf(doc).errors).toEqual([]);
    expect(check(commentBody, { body: doc }).errors).toEqual([]);
    const all = adfTexts(doc).join('');
    expect(all).toContain('37 new occurrences in the last 15 minutes; 1,042 in total since 2025-03-01 14:02:07 UTC.');
    expect(all).toContain('Stores: S001 (30), S002 (7).');
    expect(all).not.toContain('Resolved incident recurred');
  });

  it('says a resolved incident recurred when it regressed', () => {
    const doc = buildRecurrenceComment({ incident: makeIncident(), newOccurrences: 1, windowMinutes: 1, regressed: true });
    expect(validateAdf(doc).errors).toEqual([]);
    const all = adfTexts(doc).join('');
    expect(all).toContain('Resolved incident recurred.');
    expect(all).toContain('1 new occurrence in the last 1 minute;');
  });

  it('stays valid for hostile store names and nonsense counts', () => {
    HOSTILE_STRINGS.forEach((text, i) => {
      const doc = buildRecurrenceComment({
        incident: hostileIncident(text, i),
        newOccurrences: Number.NaN,
        windowMinutes: -3,
        storeCounts: { [text.slice(0, 200) || 'x']: 2, '': 5 },
      });
      expect(validateAdf(doc).errors).toEqual([]);
      expect(JSON.stringify(doc).length).toBeLessThan(5_000);
    });
  });
});

describe('text helpers', () => {
  it('oneLine collapses whitespace and strips control and bidi characters', () => {
    expect(oneLine(' a\n\tb\u0000c\u202Ed ', 100)).toBe('a bcd');
  });

  it('truncate cuts to the limit including the ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('a🧾b', 3)).toBe('a…');
  });
});
