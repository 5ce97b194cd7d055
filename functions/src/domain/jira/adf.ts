// A minimal typing of the Atlassian Document Format nodes StackLens writes, with builders that keep every document
// valid against @atlaskit/adf-schema: ADF forbids empty text nodes, code marks cannot combine with other marks, and a
// codeBlock holds unmarked text only. Builders drop empty text rather than emit a node Jira would reject.

export type AdfMark =
  { readonly type: 'strong' } | { readonly type: 'em' } | { readonly type: 'code' } | { readonly type: 'link'; readonly attrs: { readonly href: string } };

export interface AdfText {
  readonly type: 'text';
  readonly text: string;
  readonly marks?: readonly AdfMark[];
}
export interface AdfHardBreak {
  readonly type: 'hardBreak';
}
export interface AdfInlineCard {
  readonly type: 'inlineCard';
  readonly attrs: { readonly url: string };
}
export type AdfInline = AdfText | AdfHardBreak | AdfInlineCard;

export interface AdfParagraph {
  readonly type: 'paragraph';
  readonly content: readonly AdfInline[];
}
export interface AdfHeading {
  readonly type: 'heading';
  readonly attrs: { readonly level: 1 | 2 | 3 | 4 | 5 | 6 };
  readonly content: readonly AdfInline[];
}
export interface AdfCodeBlock {
  readonly type: 'codeBlock';
  readonly attrs?: { readonly language?: string };
  /** unmarked text only */
  readonly content: readonly AdfText[];
}
export interface AdfListItem {
  readonly type: 'listItem';
  readonly content: readonly [AdfParagraph, ...Array<AdfParagraph | AdfBulletList>];
}
export interface AdfBulletList {
  readonly type: 'bulletList';
  readonly content: readonly [AdfListItem, ...AdfListItem[]];
}
export interface AdfTableCell {
  readonly type: 'tableCell' | 'tableHeader';
  readonly content: readonly [AdfParagraph, ...AdfParagraph[]];
}
export interface AdfTableRow {
  readonly type: 'tableRow';
  readonly content: readonly AdfTableCell[];
}
export interface AdfTable {
  readonly type: 'table';
  readonly attrs?: { readonly isNumberColumnEnabled?: boolean; readonly layout?: 'default' | 'center' | 'wide' | 'full-width' };
  readonly content: readonly [AdfTableRow, ...AdfTableRow[]];
}
export interface AdfRule {
  readonly type: 'rule';
}
export type AdfBlock = AdfParagraph | AdfHeading | AdfCodeBlock | AdfBulletList | AdfTable | AdfRule;

export interface AdfDoc {
  readonly type: 'doc';
  readonly version: 1;
  readonly content: readonly AdfBlock[];
}

// Log text reaches Jira from arbitrary devices. C0/C1 controls (other than tab and newlines) are invisible or break
// rendering, and bidirectional overrides make a line display differently from what it contains ("Trojan Source").
const UNSAFE_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFEFF]/g;
// A lone surrogate is not valid Unicode; Jira's JSON parser may reject or mangle it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Multi-line text: unsafe characters removed, line breaks normalised to `\n`, tabs kept. */
export function cleanText(value: string): string {
  return value
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(UNSAFE_CHARS, '');
}

/** Single-line text: every run of whitespace (newlines included) becomes one space, then trimmed and truncated. */
export function oneLine(value: string, maxChars: number): string {
  return truncate(cleanText(value).replace(/\s+/g, ' ').trim(), maxChars);
}

/**
 * At most `maxChars` UTF-16 code units (Jira counts Java string length, which is the same unit), ending in `…` when
 * cut. Never splits a surrogate pair.
 */
export function truncate(value: string, maxChars: number): string {
  if (value.length <= maxChars) return value;
  if (maxChars <= 0) return '';
  let end = maxChars - 1;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${value.slice(0, end)}…`;
}

export function text(value: string, ...marks: AdfMark[]): AdfText | undefined {
  if (value.length === 0) return undefined;
  return marks.length === 0 ? { type: 'text', text: value } : { type: 'text', text: value, marks };
}

type InlinePart = AdfInline | string | undefined | false;

function inlines(parts: readonly InlinePart[]): AdfInline[] {
  const out: AdfInline[] = [];
  for (const part of parts) {
    if (part === undefined || part === false) continue;
    if (typeof part === 'string') {
      const node = text(part);
      if (node) out.push(node);
    } else if (part.type !== 'text' || part.text.length > 0) {
      out.push(part);
    }
  }
  return out;
}

export function paragraph(...parts: InlinePart[]): AdfParagraph {
  return { type: 'paragraph', content: inlines(parts) };
}

export function heading(level: AdfHeading['attrs']['level'], ...parts: InlinePart[]): AdfHeading {
  return { type: 'heading', attrs: { level }, content: inlines(parts) };
}

export function strong(value: string): AdfText | undefined {
  return text(value, { type: 'strong' });
}

export function code(value: string): AdfText | undefined {
  return text(value, { type: 'code' });
}

export function link(value: string, href: string): AdfText | undefined {
  return text(value, { type: 'link', attrs: { href } });
}

export function codeBlock(body: string, language?: string): AdfCodeBlock {
  const node = text(body);
  return { type: 'codeBlock', ...(language ? { attrs: { language } } : {}), content: node ? [node] : [] };
}

/** A bullet list, or undefined when there is nothing to list (ADF requires at least one item). */
export function bulletList(items: readonly AdfParagraph[]): AdfBulletList | undefined {
  const listItems = items.map((item): AdfListItem => ({ type: 'listItem', content: [item] }));
  const [first, ...rest] = listItems;
  return first ? { type: 'bulletList', content: [first, ...rest] } : undefined;
}

function cell(type: AdfTableCell['type'], value: AdfParagraph | string): AdfTableCell {
  // A cell must hold a paragraph; an empty value shows as a dash rather than an empty text node.
  const content = typeof value === 'string' ? paragraph(value.length > 0 ? value : '—') : value;
  return { type, content: [content] };
}

/** A table whose first row holds headers, or undefined without data rows. */
export function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<AdfParagraph | string>>): AdfTable | undefined {
  if (rows.length === 0) return undefined;
  const headerRow: AdfTableRow = { type: 'tableRow', content: headers.map((h) => cell('tableHeader', h)) };
  const dataRows = rows.map((row): AdfTableRow => ({ type: 'tableRow', content: row.map((v) => cell('tableCell', v)) }));
  return { type: 'table', attrs: { isNumberColumnEnabled: false, layout: 'default' }, content: [headerRow, ...dataRows] };
}

/** A two-column table whose left column is a header per row (label → value). */
export function factTable(facts: ReadonlyArray<readonly [string, AdfParagraph | string]>): AdfTable | undefined {
  const rows = facts.map(([label, value]): AdfTableRow => ({ type: 'tableRow', content: [cell('tableHeader', label), cell('tableCell', value)] }));
  const [first, ...rest] = rows;
  return first ? { type: 'table', attrs: { isNumberColumnEnabled: false, layout: 'default' }, content: [first, ...rest] } : undefined;
}

export function rule(): AdfRule {
  return { type: 'rule' };
}

export function doc(blocks: ReadonlyArray<AdfBlock | undefined>): AdfDoc {
  return { type: 'doc', version: 1, content: blocks.filter((b): b is AdfBlock => b !== undefined) };
}
