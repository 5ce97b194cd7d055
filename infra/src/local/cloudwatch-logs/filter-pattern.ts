// CloudWatch Logs filter patterns (subscription filters, metric filters, FilterLogEvents), compiled once
// into a predicate over a log event's message.
//
// Our reading of the service, kept in one place so it can be corrected in one place:
// - Patterns are case sensitive.
// - `""` or an empty/blank pattern matches every event.
// - Unstructured terms: whitespace separates terms and every term must appear (AND). A term is found as a
//   plain substring, quoted or not: the documentation's own example has `ERROR` matching
//   "Exiting with ERRORCODE: -1". The only difference quoting makes is what a term may contain: an unquoted
//   term may hold letters, digits and `_` only ("terms that include characters other than alphanumeric or
//   underscore must be placed inside double quotes"); anything else is rejected like the service rejects it.
//   A quoted term is an exact phrase (spaces included); `\"` and `\\` escape a quote and a backslash, which
//   is how aws-cdk's FilterPattern quotes terms.
// - `-term` excludes events containing the term (`"ERROR" - "Exiting"` in the older docs, with a space).
// - `?term` starts an alternative. Terms after a `?term` join its group, which is how aws-cdk renders
//   `FilterPattern.anyTermGroup(['ERROR','MainThread'],['WARN','Deadlock'])` as
//   `?"ERROR" "MainThread" ?"WARN" "Deadlock"` = (ERROR && MainThread) || (WARN && Deadlock).
//   Terms before the first `?` are not defined by the docs; we require them in every alternative, so
//   `-DEBUG ?ERROR ?WARN` reads as "not DEBUG, and ERROR or WARN".
// - `%regex%` as the whole pattern: an unanchored regex search, restricted to the documented character set
//   (no `(`/`)`, no multi-byte characters). RE2 has no backtracking blow-up, JavaScript does; without groups
//   the worst case is polynomial in the number of unbounded quantifiers, so we cap that number.
// - `{ ... }` JSON patterns: selectors `$.a.b[0]`, operators = != < > <= >=, `IS NULL`, `IS TRUE`,
//   `IS FALSE`, `NOT EXISTS`, `&&` binding tighter than `||`, parentheses. A selector must reach a value
//   node (string, number, boolean); on an object, array, null or a missing field both `=` and `!=` are false
//   (documented for arrays). `*` is a wildcard only at the start and/or end of a string value ("Ev*ent will
//   only match the actual string Ev*ent"); quoted values keep wildcards (aws-cdk's `exists()` emits
//   `$.f = "*"`). The message must be a JSON document; a text prefix in front of the JSON does not match.
// - `[a, b=c, ...]` space-delimited patterns: fields split on spaces, `"..."` and `[...]` each form one field;
//   without `...` the field count must be equal. `extractedFields` are not produced.
import { AwsServiceError } from '../aws-error.js';

export const MAX_FILTER_PATTERN_LENGTH = 1024;
/** Regexes allowed inside one JSON or space-delimited pattern (a standalone regex pattern has one). */
export const MAX_REGEXES_PER_PATTERN = 2;
/**
 * `*`, `+`, `{n,}` and `{m,n}` with n above WIDE_REPETITION, outside character classes. Each one can multiply the
 * backtracking work by the message length; beyond this a crafted pattern could stall the event loop.
 */
export const MAX_UNBOUNDED_QUANTIFIERS = 4;
const WIDE_REPETITION = 16;
const MAX_REPETITION_BOUND = 1000; // RE2's own limit for {m,n}

export type MessageMatcher = (message: string) => boolean;

export function compileFilterPattern(pattern: string): MessageMatcher {
  if (pattern.length > MAX_FILTER_PATTERN_LENGTH) {
    invalid(`Filter pattern is ${pattern.length} characters long; the limit is ${MAX_FILTER_PATTERN_LENGTH}.`);
  }
  const text = pattern.trim();
  if (text === '' || text === '""') return () => true;
  if (text.startsWith('{')) return compileJsonPattern(text);
  if (text.startsWith('[')) return compileDelimitedPattern(text);
  if (text.startsWith('%')) return compileStandaloneRegex(text);
  return compileTermPattern(text);
}

function invalid(message: string): never {
  throw new AwsServiceError('InvalidParameterException', `Invalid filter pattern: ${message}`);
}

// ---------------------------------------------------------------------------------------------------------
// Unstructured terms

interface Term {
  readonly text: string;
  readonly negated: boolean;
  readonly startsAlternative: boolean;
}

const UNQUOTED_TERM = /^[\p{L}\p{N}_]+$/u;

function compileTermPattern(text: string): MessageMatcher {
  const required: Term[] = [];
  const alternatives: Term[][] = [];
  for (const term of scanTerms(text)) {
    if (term.startsAlternative) alternatives.push([term]);
    else (alternatives.at(-1) ?? required).push(term);
  }
  const allPresent = (terms: readonly Term[], message: string): boolean => terms.every((term) => message.includes(term.text) !== term.negated);
  if (alternatives.length === 0) return (message) => allPresent(required, message);

  // Long `?"a" ?"b" ...` lists (like our error pattern) run once per event: one alternation of escaped literals
  // scans the message once instead of once per term, an order of magnitude faster in V8.
  const single = alternatives.filter((group) => group.length === 1 && !group[0]!.negated).map((group) => group[0]!.text);
  const compound = alternatives.filter((group) => !(group.length === 1 && !group[0]!.negated));
  const anySingle = single.length === 0 ? undefined : new RegExp(single.map(escapeRegExp).join('|'));
  return (message) => allPresent(required, message) && ((anySingle?.test(message) ?? false) || compound.some((group) => allPresent(group, message)));
}

function escapeRegExp(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function scanTerms(text: string): Term[] {
  const terms: Term[] = [];
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i += 1;
  };
  for (skipSpace(); i < text.length; skipSpace()) {
    let negated = false;
    let startsAlternative = false;
    if (text[i] === '?') {
      startsAlternative = true;
      i += 1;
    } else if (text[i] === '-') {
      negated = true;
      i += 1;
      skipSpace();
    }
    if (i >= text.length || /\s/.test(text[i]!)) invalid(`'${startsAlternative ? '?' : '-'}' must be followed by a term.`);
    let termText: string;
    if (text[i] === '"') {
      const quoted = readQuoted(text, i);
      termText = quoted.value;
      i = quoted.end;
      if (i < text.length && !/\s/.test(text[i]!)) invalid(`Quoted term "${termText}" must be followed by a space.`);
    } else {
      const start = i;
      while (i < text.length && !/\s/.test(text[i]!)) i += 1;
      termText = text.slice(start, i);
      if (termText.startsWith('%')) invalid('A regular expression (%...%) must be the whole pattern or sit inside a JSON or space-delimited pattern.');
      if (!UNQUOTED_TERM.test(termText)) {
        invalid(`Invalid character(s) in term '${termText}'. Enclose terms with characters other than letters, digits and _ in double quotes.`);
      }
    }
    terms.push({ text: termText, negated, startsAlternative });
  }
  return terms;
}

/** Reads a double-quoted string starting at `start` (the opening quote); `end` is just past the closing quote. */
function readQuoted(text: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < text.length && text[i] !== '"') {
    if (text[i] === '\\' && i + 1 < text.length) {
      value += text[i + 1];
      i += 2;
    } else {
      value += text[i];
      i += 1;
    }
  }
  if (i >= text.length) invalid(`Unterminated quoted string starting at position ${start}.`);
  return { value, end: i + 1 };
}

// ---------------------------------------------------------------------------------------------------------
// Regular expressions

const REGEX_LITERAL_CHARS = /[A-Za-z0-9_#=@/;,\-: ]/;
const REGEX_OPERATORS = new Set(['^', '$', '?', '[', ']', '{', '}', '|', '*', '+', '.']);

function compileStandaloneRegex(text: string): MessageMatcher {
  if (text.length < 3 || !text.endsWith('%') || text.slice(1, -1).includes('%')) {
    invalid('A regular expression pattern must be one expression enclosed in % signs, e.g. %ERROR [0-9]+%.');
  }
  const regex = compileRegex(text.slice(1, -1));
  return (message) => regex.test(message);
}

/** Validates against the documented regex subset, then compiles it with JavaScript's engine. */
export function compileRegex(source: string): RegExp {
  if (source.length === 0) invalid('Empty regular expression.');
  let unbounded = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i += 1) {
    const char = source[i]!;
    if (char.codePointAt(0)! > 0x7f) invalid(`Multi-byte characters are not supported in regular expressions: '${char}'.`);
    if (char === '\\') {
      const next = source[i + 1];
      if (next === undefined) invalid(`Regular expression %${source}% ends with a lone backslash.`);
      if (/[1-9]/.test(next)) invalid(`Back-references are not supported: '\\${next}'.`);
      if (next.codePointAt(0)! > 0x7f) invalid(`Multi-byte characters are not supported in regular expressions: '${next}'.`);
      i += 1;
      continue;
    }
    if (char === '(' || char === ')') invalid('The ( and ) operators are not supported in regular expressions.');
    if (!REGEX_LITERAL_CHARS.test(char) && !REGEX_OPERATORS.has(char)) {
      invalid(`Character '${char}' is not supported in regular expressions.`);
    }
    if (inClass) {
      if (char === ']') inClass = false;
      continue;
    }
    if (char === '[') {
      inClass = true;
    } else if (char === '*' || char === '+') {
      unbounded += 1;
    } else if (char === '{') {
      const repetition = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
      if (repetition) {
        const low = Number(repetition[1]);
        const high = repetition[3] === undefined ? low : repetition[3] === '' ? Infinity : Number(repetition[3]);
        if (high > WIDE_REPETITION) unbounded += 1;
        if (low > MAX_REPETITION_BOUND || (high !== Infinity && high > MAX_REPETITION_BOUND)) {
          invalid(`Repetition counts above ${MAX_REPETITION_BOUND} are not supported: '${repetition[0]}'.`);
        }
        if (high < low) invalid(`Invalid repetition '${repetition[0]}'.`);
      }
    }
  }
  if (unbounded > MAX_UNBOUNDED_QUANTIFIERS) {
    invalid(`Regular expression %${source}% has ${unbounded} unbounded quantifiers; at most ${MAX_UNBOUNDED_QUANTIFIERS} are allowed.`);
  }
  try {
    return new RegExp(source);
  } catch (err) {
    return invalid(`Invalid regular expression %${source}%: ${(err as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Values shared by JSON and space-delimited patterns

type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=';

type Literal =
  | { readonly kind: 'number'; readonly value: number; readonly text: string }
  | { readonly kind: 'string'; readonly value: string; readonly prefix: boolean; readonly suffix: boolean }
  | { readonly kind: 'regex'; readonly regex: RegExp };

const NUMBER_LITERAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function stringLiteral(raw: string): Literal {
  // `*` alone matches any value; `*x`, `x*`, `*x*` match by suffix, prefix, containment.
  const prefix = raw.length > 0 && raw.endsWith('*');
  const suffix = raw.length > 0 && raw.startsWith('*');
  let value = raw;
  if (suffix) value = value.slice(1);
  if (prefix && value.length > 0) value = value.slice(0, -1);
  return { kind: 'string', value, prefix, suffix };
}

function checkOperator(operator: Operator, literal: Literal, where: string): void {
  if (literal.kind !== 'number' && operator !== '=' && operator !== '!=') {
    invalid(`Operator '${operator}' in ${where} needs a number; strings and regular expressions take = or !=.`);
  }
}

function matchesString(text: string, literal: Extract<Literal, { kind: 'string' }>): boolean {
  if (literal.prefix && literal.suffix) return text.includes(literal.value);
  if (literal.prefix) return text.startsWith(literal.value);
  if (literal.suffix) return text.endsWith(literal.value);
  return text === literal.value;
}

function compareNumbers(left: number, operator: Operator, right: number): boolean {
  switch (operator) {
    case '=':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
  }
}

/** Compares a field's value (a JSON scalar or a delimited field's text) with a literal. */
function compareValue(field: string | number | boolean, operator: Operator, literal: Literal): boolean {
  if (literal.kind === 'number') {
    const numeric = typeof field === 'number' ? field : typeof field === 'string' && NUMBER_LITERAL.test(field.trim()) ? Number(field) : NaN;
    if (Number.isNaN(numeric)) return operator === '!=';
    return compareNumbers(numeric, operator, literal.value);
  }
  const text = String(field);
  const equal = literal.kind === 'regex' ? literal.regex.test(text) : matchesString(text, literal);
  return operator === '=' ? equal : !equal;
}

// ---------------------------------------------------------------------------------------------------------
// Tokenizer for JSON and space-delimited patterns

type Token =
  | { readonly type: 'punct'; readonly value: '(' | ')' | '&&' | '||' | ',' }
  | { readonly type: 'op'; readonly value: Operator }
  | { readonly type: 'quoted'; readonly value: string }
  | { readonly type: 'regex'; readonly value: string }
  | { readonly type: 'word'; readonly value: string };

function tokenize(text: string, allowCommas: boolean): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    const pair = text.slice(i, i + 2);
    if (/\s/.test(char)) {
      i += 1;
    } else if (char === '(' || char === ')' || (allowCommas && char === ',')) {
      tokens.push({ type: 'punct', value: char });
      i += 1;
    } else if (pair === '&&' || pair === '||') {
      tokens.push({ type: 'punct', value: pair });
      i += 2;
    } else if (pair === '!=' || pair === '<=' || pair === '>=') {
      tokens.push({ type: 'op', value: pair });
      i += 2;
    } else if (char === '=' || char === '<' || char === '>') {
      if (text[i + 1] === '=') invalid(`Unknown operator '${char}='; use =, !=, <, <=, > or >=.`);
      tokens.push({ type: 'op', value: char });
      i += 1;
    } else if (char === '"') {
      const quoted = readQuoted(text, i);
      tokens.push({ type: 'quoted', value: quoted.value });
      i = quoted.end;
    } else if (char === '%') {
      const close = text.indexOf('%', i + 1);
      if (close < 0) invalid('Unterminated regular expression: a % has no closing %.');
      tokens.push({ type: 'regex', value: text.slice(i + 1, close) });
      i = close + 1;
    } else {
      const start = i;
      while (i < text.length && !/[\s()=!<>"%&|]/.test(text[i]!) && !(allowCommas && text[i] === ',')) i += 1;
      if (i === start) invalid(`Unexpected character '${char}' at position ${i}.`);
      tokens.push({ type: 'word', value: text.slice(start, i) });
    }
  }
  return tokens;
}

class TokenStream {
  private position = 0;
  regexCount = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  peek(): Token | undefined {
    return this.tokens[this.position];
  }
  next(): Token | undefined {
    const token = this.tokens[this.position];
    this.position += 1;
    return token;
  }
  acceptPunct(value: string): boolean {
    const token = this.peek();
    if (token?.type === 'punct' && token.value === value) {
      this.position += 1;
      return true;
    }
    return false;
  }
  atEnd(): boolean {
    return this.position >= this.tokens.length;
  }

  literal(where: string): Literal {
    const token = this.next();
    if (token === undefined) return invalid(`A value is missing after the operator in ${where}.`);
    if (token.type === 'quoted') return stringLiteral(token.value);
    if (token.type === 'regex') {
      this.regexCount += 1;
      if (this.regexCount > MAX_REGEXES_PER_PATTERN) invalid(`At most ${MAX_REGEXES_PER_PATTERN} regular expressions are allowed in one pattern.`);
      return { kind: 'regex', regex: compileRegex(token.value) };
    }
    if (token.type === 'word') {
      if (NUMBER_LITERAL.test(token.value)) return { kind: 'number', value: Number(token.value), text: token.value };
      return stringLiteral(token.value);
    }
    return invalid(`Expected a value in ${where} but found '${token.value}'.`);
  }
}

function describe(token: Token | undefined): string {
  return token === undefined ? 'the end of the pattern' : `'${token.value}'`;
}

// ---------------------------------------------------------------------------------------------------------
// JSON patterns

type PathSegment = string | number;
type Condition = (root: unknown) => boolean;

const SELECTOR = /^\$((\.[A-Za-z0-9_\-]+)|(\[\d+\]))*$/;

function parseSelector(text: string): PathSegment[] {
  if (!SELECTOR.test(text)) {
    invalid(`Invalid selector '${text}'. Selectors start at $ and use .name and [index], e.g. $.user.ids[0].`);
  }
  const segments: PathSegment[] = [];
  for (const match of text.slice(1).matchAll(/\.([A-Za-z0-9_\-]+)|\[(\d+)\]/g)) {
    segments.push(match[1] ?? Number(match[2]));
  }
  return segments;
}

function resolvePath(root: unknown, path: readonly PathSegment[]): { found: boolean; value: unknown } {
  let current: unknown = root;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current) || segment >= current.length) return { found: false, value: undefined };
      current = current[segment];
    } else {
      if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, segment)) {
        return { found: false, value: undefined };
      }
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return { found: true, value: current };
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function compileJsonPattern(text: string): MessageMatcher {
  if (!text.endsWith('}')) invalid('A JSON pattern must end with }.');
  const body = text.slice(1, -1);
  if (body.trim() === '') invalid('A JSON pattern needs at least one condition between { and }.');
  const stream = new TokenStream(tokenize(body, false));
  const condition = parseJsonOr(stream);
  if (!stream.atEnd()) invalid(`Unexpected ${describe(stream.peek())} in JSON pattern.`);
  return (message) => {
    const trimmed = message.trimStart();
    if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return false;
    let root: unknown;
    try {
      root = JSON.parse(message);
    } catch {
      return false;
    }
    return condition(root);
  };
}

function parseJsonOr(stream: TokenStream): Condition {
  const parts = [parseJsonAnd(stream)];
  while (stream.acceptPunct('||')) parts.push(parseJsonAnd(stream));
  return parts.length === 1 ? parts[0]! : (root) => parts.some((part) => part(root));
}

function parseJsonAnd(stream: TokenStream): Condition {
  const parts = [parseJsonPrimary(stream)];
  while (stream.acceptPunct('&&')) parts.push(parseJsonPrimary(stream));
  return parts.length === 1 ? parts[0]! : (root) => parts.every((part) => part(root));
}

function parseJsonPrimary(stream: TokenStream): Condition {
  if (stream.acceptPunct('(')) {
    const inner = parseJsonOr(stream);
    if (!stream.acceptPunct(')')) invalid(`Expected ')' but found ${describe(stream.peek())}.`);
    return inner;
  }
  const selectorToken = stream.next();
  if (selectorToken?.type !== 'word' || !selectorToken.value.startsWith('$')) {
    return invalid(`Expected a selector such as $.level but found ${describe(selectorToken)}.`);
  }
  const path = parseSelector(selectorToken.value);
  const where = `the condition on ${selectorToken.value}`;
  const next = stream.next();
  if (next?.type === 'word') {
    const keyword = next.value.toUpperCase();
    const second = stream.next();
    const secondWord = second?.type === 'word' ? second.value.toUpperCase() : undefined;
    if (keyword === 'IS' && secondWord === 'NULL')
      return (root) => {
        const r = resolvePath(root, path);
        return r.found && r.value === null;
      };
    if (keyword === 'IS' && secondWord === 'TRUE') return (root) => resolvePath(root, path).value === true;
    if (keyword === 'IS' && secondWord === 'FALSE') return (root) => resolvePath(root, path).value === false;
    if (keyword === 'NOT' && secondWord === 'EXISTS') return (root) => !resolvePath(root, path).found;
    return invalid(`Expected IS NULL, IS TRUE, IS FALSE, NOT EXISTS or an operator after ${selectorToken.value}.`);
  }
  if (next?.type !== 'op') return invalid(`Expected an operator after ${selectorToken.value} but found ${describe(next)}.`);
  const operator = next.value;
  const literal = stream.literal(where);
  checkOperator(operator, literal, where);
  return (root) => {
    const { found, value } = resolvePath(root, path);
    return found && isScalar(value) && compareValue(value, operator, literal);
  };
}

// ---------------------------------------------------------------------------------------------------------
// Space-delimited patterns

const ELLIPSIS = '...';
const COLUMN_NAME = /^[A-Za-z0-9_\-]+$/;

interface ColumnCheck {
  readonly column: string;
  readonly operator: Operator;
  readonly literal: Literal;
}
/** A field slot: the ellipsis, or alternatives (||) of checks that must all hold (&&). */
type Slot = { readonly ellipsis: true } | { readonly ellipsis: false; readonly name: string; readonly anyOf: ColumnCheck[][] };

function compileDelimitedPattern(text: string): MessageMatcher {
  if (!text.endsWith(']')) invalid('A space-delimited pattern must end with ].');
  const stream = new TokenStream(tokenize(text.slice(1, -1), true));
  const slots: Slot[] = [];
  do {
    slots.push(parseSlot(stream));
  } while (stream.acceptPunct(','));
  if (!stream.atEnd()) invalid(`Unexpected ${describe(stream.peek())} in space-delimited pattern.`);
  const ellipsisAt = slots.findIndex((slot) => slot.ellipsis);
  if (slots.filter((slot) => slot.ellipsis).length > 1) invalid("A space-delimited pattern can use '...' only once.");
  const before = ellipsisAt < 0 ? slots : slots.slice(0, ellipsisAt);
  const after = ellipsisAt < 0 ? [] : slots.slice(ellipsisAt + 1);

  return (message) => {
    const fields = splitDelimited(message);
    if (ellipsisAt < 0 ? fields.length !== slots.length : fields.length < before.length + after.length) return false;
    const assigned = new Map<string, string>();
    const placed: Array<{ slot: Extract<Slot, { ellipsis: false }>; field: string }> = [];
    before.forEach((slot, index) => placed.push({ slot: slot as Extract<Slot, { ellipsis: false }>, field: fields[index]! }));
    after.forEach((slot, index) => placed.push({ slot: slot as Extract<Slot, { ellipsis: false }>, field: fields[fields.length - after.length + index]! }));
    for (const { slot, field } of placed) assigned.set(slot.name, field);
    return placed.every(({ slot, field }) =>
      slot.anyOf.some((all) => all.every((check) => compareValue(assigned.get(check.column) ?? field, check.operator, check.literal))),
    );
  };
}

function parseSlot(stream: TokenStream): Slot {
  const first = stream.peek();
  if (first?.type === 'word' && first.value === ELLIPSIS) {
    stream.next();
    return { ellipsis: true };
  }
  const anyOf: ColumnCheck[][] = [];
  let all: ColumnCheck[] = [];
  let name: string | undefined;
  for (;;) {
    const column = stream.next();
    if (column?.type !== 'word' || !COLUMN_NAME.test(column.value)) {
      return invalid(`Expected a field name in space-delimited pattern but found ${describe(column)}.`);
    }
    name ??= column.value;
    const op = stream.peek();
    if (op?.type === 'op') {
      stream.next();
      const where = `field ${column.value}`;
      const literal = stream.literal(where);
      checkOperator(op.value, literal, where);
      all.push({ column: column.value, operator: op.value, literal });
    }
    if (stream.acceptPunct('&&')) continue;
    if (stream.acceptPunct('||')) {
      anyOf.push(all);
      all = [];
      continue;
    }
    break;
  }
  // A bare name in an alternative puts no condition on it, so that alternative accepts any value.
  anyOf.push(all);
  return { ellipsis: false, name, anyOf };
}

function splitDelimited(message: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i < message.length) {
    const char = message[i]!;
    if (char === ' ' || char === '\t') {
      i += 1;
      continue;
    }
    const closer = char === '"' ? '"' : char === '[' ? ']' : undefined;
    if (closer !== undefined) {
      const close = message.indexOf(closer, i + 1);
      if (close >= 0) {
        fields.push(message.slice(i + 1, close));
        i = close + 1;
        continue;
      }
    }
    const start = i;
    while (i < message.length && message[i] !== ' ' && message[i] !== '\t') i += 1;
    fields.push(message.slice(start, i));
  }
  return fields;
}
