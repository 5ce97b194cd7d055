// Property-based tests of the CloudWatch Logs filter pattern engine: arbitrary patterns never escape as anything but the
// service's InvalidParameterException, compiled matchers never throw, and each pattern family agrees with a small model
// of what its documentation says it matches. A failure prints the seed and the shrunk pattern to replay.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AwsServiceError } from '../../../src/local/aws-error.js';
import { compileFilterPattern, compileRegex, MAX_FILTER_PATTERN_LENGTH, type MessageMatcher } from '../../../src/local/cloudwatch-logs/filter-pattern.js';

/** Compiles, or returns the typed error; anything else thrown fails the property where it happens. */
function compileOrInvalid(pattern: string): MessageMatcher | AwsServiceError {
  try {
    return compileFilterPattern(pattern);
  } catch (err) {
    expect(err).toBeInstanceOf(AwsServiceError);
    expect((err as AwsServiceError).type).toBe('InvalidParameterException');
    expect((err as AwsServiceError).message).toMatch(/^Invalid filter pattern: \S/);
    return err as AwsServiceError;
  }
}

function mustCompile(pattern: string): MessageMatcher {
  const compiled = compileOrInvalid(pattern);
  if (compiled instanceof AwsServiceError) throw new Error(`expected ${JSON.stringify(pattern)} to compile, got: ${compiled.message}`);
  return compiled;
}

// ── Generators ─────────────────────────────────────────────────────────────────────────────────────────────────────

/** Pieces of every pattern family, so random concatenations reach deep into each parser instead of failing at once. */
const patternTokenArb = fc.constantFrom(
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  '$',
  '$.',
  '$.level',
  '$.a.b',
  '$.ids[0]',
  '$[1]',
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  '==',
  '=<',
  '&&',
  '||',
  '&',
  '|',
  '"',
  '\\"',
  '\\',
  '%',
  '%ERROR%',
  '%[0-9]+%',
  '%a*b+%',
  '%(x)%',
  '%\\1%',
  '%é%',
  '?',
  '-',
  '- ',
  ',',
  '...',
  '*',
  'IS',
  'NULL',
  'TRUE',
  'FALSE',
  'NOT',
  'EXISTS',
  'is null',
  'ERROR',
  'WARN',
  'Exception',
  '_x9',
  '42',
  '-3.5e2',
  '.5',
  '+7',
  '0x10',
  ' ',
  '  ',
  '\t',
  '\n',
  'é',
  '日本',
  '{}',
  '[]',
  '""',
  '"a b"',
  '"\\\\"',
  '{2,1}',
  '{1001}',
  '{3,}',
  '.*',
  '[a-z]',
  '^',
  '$x',
);

const selectorArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('$.level', '$.a', '$.a.b', '$.ids[0]', '$[1]', '$.x-y', '$') },
  { weight: 1, arbitrary: fc.constantFrom('$..a', '$.a[', 'level') },
);
const valueArb = fc.constantFrom('"ERROR"', 'ERROR', 'ERR*', '*', '"*"', '42', '-3.5e2', '%ERROR%', '%[0-9]+%', '%(x)%', 'true', '""', '"a b"');
const conditionArb = fc.oneof(
  fc.tuple(selectorArb, fc.constantFrom('=', '!=', '<', '<=', '>', '>='), valueArb).map((parts) => parts.join(' ')),
  fc.tuple(selectorArb, fc.constantFrom('IS NULL', 'IS TRUE', 'IS FALSE', 'NOT EXISTS', 'IS', 'NOT')).map((parts) => parts.join(' ')),
);
/** Well-formed JSON and space-delimited patterns, then one token dropped, doubled or swapped: parsers fail late, not at once. */
const structuredTokensArb = fc.oneof(
  fc
    .array(fc.tuple(conditionArb, fc.constantFrom('&&', '||')), { minLength: 1, maxLength: 4 })
    .map((parts) => ['{', ...parts.flatMap(([condition, joiner]) => [...condition.split(' '), joiner]).slice(0, -1), '}']),
  fc
    .array(
      fc.oneof(
        fc.constantFrom('ip', 'user', '...', 'status', 'x_1'),
        fc.tuple(fc.constantFrom('status', 'size'), fc.constantFrom('=', '!=', '>'), valueArb).map((p) => p.join(' ')),
      ),
      {
        minLength: 1,
        maxLength: 5,
      },
    )
    .map((slots) => ['[', ...slots.flatMap((slot) => [...slot.split(' '), ',']).slice(0, -1), ']']),
);
const mutatedStructuredArb = fc
  .tuple(structuredTokensArb, fc.nat(), fc.constantFrom('keep', 'drop', 'double', 'swap', 'insert'), patternTokenArb)
  .map(([tokens, at, mutation, extra]) => {
    const index = at % tokens.length;
    const copy = [...tokens];
    if (mutation === 'drop') copy.splice(index, 1);
    else if (mutation === 'double') copy.splice(index, 0, copy[index]!);
    else if (mutation === 'swap' && index + 1 < copy.length) [copy[index], copy[index + 1]] = [copy[index + 1]!, copy[index]!];
    else if (mutation === 'insert') copy.splice(index, 0, extra);
    return copy.join(' ');
  });

const arbitraryPatternArb = fc.oneof(
  { weight: 4, arbitrary: mutatedStructuredArb },
  { weight: 5, arbitrary: fc.array(patternTokenArb, { maxLength: 24 }).map((tokens) => tokens.join('')) },
  { weight: 2, arbitrary: fc.array(patternTokenArb, { maxLength: 24 }).map((tokens) => tokens.join(' ')) },
  { weight: 2, arbitrary: fc.string({ maxLength: 80 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', '%', '\\', ' ', '$', '.', 'a', '=', '*'), maxLength: 40 }) },
);

/** Messages of every shape a matcher meets: text, JSON documents (also broken ones), space-delimited access logs. */
const messageArb = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value) ?? 'null'),
  fc
    .array(fc.constantFrom('127.0.0.1', '-', '"GET / HTTP/1.1"', '[26/Nov/2026:12:00:00 +0000]', '200', 'ERROR', '{', '"', '['), { maxLength: 8 })
    .map((fields) => fields.join(' ')),
);

// ── Any pattern ────────────────────────────────────────────────────────────────────────────────────────────────────

describe('Property: compileFilterPattern on arbitrary patterns', () => {
  it('either compiles or throws InvalidParameterException with a message, and its matcher never throws', () => {
    fc.assert(
      fc.property(arbitraryPatternArb, fc.array(messageArb, { maxLength: 6 }), (pattern, messages) => {
        const compiled = compileOrInvalid(pattern);
        if (compiled instanceof AwsServiceError) return;
        for (const message of messages) expect(typeof compiled(message)).toBe('boolean');
      }),
      { numRuns: 4_000 },
    );
  });

  it('refuses every pattern longer than the 1024-character limit, whatever it holds', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 200 }), (unit, extra) => {
        const pattern = unit.repeat(Math.ceil((MAX_FILTER_PATTERN_LENGTH + extra) / unit.length));
        const compiled = compileOrInvalid(pattern);
        expect(compiled).toBeInstanceOf(AwsServiceError);
      }),
      { numRuns: 200 },
    );
  });

  it('matches every message with a blank or "" pattern', () => {
    fc.assert(
      fc.property(fc.constantFrom('', ' ', '\t\n ', '""', ' "" '), messageArb, (pattern, message) => {
        expect(mustCompile(pattern)(message)).toBe(true);
      }),
    );
  });
});

// ── Unstructured terms ─────────────────────────────────────────────────────────────────────────────────────────────

interface TermSpec {
  readonly text: string;
  readonly quoted: boolean;
  readonly kind: 'required' | 'excluded' | 'alternative';
}

const WORD_CHARS = ['E', 'R', 'O', 'r', 'o', 'x', '1', '0', '_', 'é', 'ß', '日'];
const PHRASE_CHARS = [...WORD_CHARS, ' ', '"', '\\', '.', '*', '(', ')', '[', '$', '|', '?', '-', '%', '{', '/', '+', '^'];

const wordArb = fc.string({ unit: fc.constantFrom(...WORD_CHARS), minLength: 1, maxLength: 5 });
const phraseArb = fc.string({ unit: fc.constantFrom(...PHRASE_CHARS), maxLength: 6 });

const termArb: fc.Arbitrary<TermSpec> = fc.oneof(
  fc.record({ text: wordArb, quoted: fc.boolean(), kind: fc.constantFrom('required', 'excluded', 'alternative') }),
  fc.record({ text: phraseArb, quoted: fc.constant(true), kind: fc.constantFrom('required', 'excluded', 'alternative') }),
) as fc.Arbitrary<TermSpec>;

/** How aws-cdk's FilterPattern quotes a term: backslash before `"` and `\`. */
function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, '\\$&')}"`;
}

function renderTerms(terms: readonly TermSpec[], spaceAfterMinus: readonly boolean[]): string {
  return terms
    .map((term, index) => {
      const body = term.quoted ? quote(term.text) : term.text;
      if (term.kind === 'excluded') return `-${spaceAfterMinus[index] ? ' ' : ''}${body}`;
      if (term.kind === 'alternative') return `?${body}`;
      return body;
    })
    .join(' ');
}

/**
 * The documented reading: every required term present and every excluded one absent; when there are `?` terms, at
 * least one group (a `?` term and the terms after it up to the next `?`) holds in full. A term is a plain substring.
 */
function termModel(terms: readonly TermSpec[], message: string): boolean {
  const holds = (term: TermSpec): boolean => message.includes(term.text) === (term.kind !== 'excluded');
  const firstAlternative = terms.findIndex((term) => term.kind === 'alternative');
  const leading = firstAlternative < 0 ? terms : terms.slice(0, firstAlternative);
  if (!leading.every(holds)) return false;
  if (firstAlternative < 0) return true;
  const groups: TermSpec[][] = [];
  for (const term of terms.slice(firstAlternative)) {
    if (term.kind === 'alternative') groups.push([term]);
    else groups.at(-1)!.push(term);
  }
  return groups.some((group) => group.every(holds));
}

/** Messages built from the terms themselves, their pieces and noise, so both outcomes of every term come up. */
function messagesFor(terms: readonly TermSpec[]): fc.Arbitrary<string[]> {
  const pieces = terms.flatMap((term) => [term.text, term.text.slice(1), term.text.slice(0, -1)]);
  const fragmentArb = fc.oneof(
    { weight: 3, arbitrary: pieces.length > 0 ? fc.constantFrom(...pieces) : fc.constant('') },
    { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...PHRASE_CHARS), maxLength: 4 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
  );
  return fc.array(
    fc.array(fragmentArb, { maxLength: 8 }).map((fragments) => fragments.join('')),
    { minLength: 1, maxLength: 8 },
  );
}

describe('Property: term patterns against the documented model', () => {
  it('match a message exactly when the AND / -exclude / ?alternative-group model says so', () => {
    const caseArb = fc
      .tuple(fc.array(termArb, { minLength: 1, maxLength: 6 }), fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }))
      .chain(([terms, spaces]) => fc.tuple(fc.constant(terms), fc.constant(spaces), messagesFor(terms)));
    fc.assert(
      fc.property(caseArb, ([terms, spaces, messages]) => {
        const pattern = renderTerms(terms, spaces);
        const matches = mustCompile(pattern);
        for (const message of messages)
          expect({ pattern, message, matched: matches(message) }).toEqual({ pattern, message, matched: termModel(terms, message) });
      }),
      { numRuns: 3_000 },
    );
  });

  it('match the same messages whether a word term is quoted or not', () => {
    const caseArb = fc
      .array(fc.record({ text: wordArb, quoted: fc.constant(false), kind: fc.constantFrom('required', 'excluded', 'alternative') }) as fc.Arbitrary<TermSpec>, {
        minLength: 1,
        maxLength: 5,
      })
      .chain((terms) => fc.tuple(fc.constant(terms), messagesFor(terms)));
    const noSpaces = [false, false, false, false, false];
    fc.assert(
      fc.property(caseArb, ([terms, messages]) => {
        const bare = mustCompile(renderTerms(terms, noSpaces));
        const quoted = mustCompile(
          renderTerms(
            terms.map((term) => ({ ...term, quoted: true })),
            noSpaces,
          ),
        );
        for (const message of messages) expect(quoted(message)).toBe(bare(message));
      }),
      { numRuns: 1_000 },
    );
  });

  it('refuses an unquoted term holding anything but letters, digits and _', () => {
    const badTermArb = fc
      .tuple(wordArb, fc.constantFrom('.', '-', ':', '"', '*', '(', '/', '@', '!', '#'), wordArb)
      .map(([before, bad, after]) => `${before}${bad}${after}`)
      .filter((term) => !/^[-?]/.test(term));
    fc.assert(
      fc.property(badTermArb, (term) => {
        expect(compileOrInvalid(`ERROR ${term}`)).toBeInstanceOf(AwsServiceError);
      }),
      { numRuns: 500 },
    );
  });
});

// ── Regular expressions ────────────────────────────────────────────────────────────────────────────────────────────

const regexSourceArb = fc.string({
  unit: fc.constantFrom('a', 'b', 'E', '0', '9', '_', ' ', ':', '-', '.', '*', '+', '?', '^', '$', '|', '[', ']', '{', '}', ',', '1', '3', '\\d', '\\s', '\\w'),
  minLength: 1,
  maxLength: 14,
});

describe('Property: %regex% patterns', () => {
  it('accept a documented-subset expression only when it is a valid JavaScript regex, and then search like it', () => {
    fc.assert(
      fc.property(
        regexSourceArb,
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'E', '0', '9', '_', ' ', ':', '-', '1', '3'), maxLength: 24 }), { maxLength: 6 }),
        (source, messages) => {
          let reference: RegExp | undefined;
          try {
            reference = new RegExp(source);
          } catch {
            reference = undefined;
          }
          const compiled = compileOrInvalid(`%${source}%`);
          if (reference === undefined) {
            expect(compiled).toBeInstanceOf(AwsServiceError);
            return;
          }
          if (compiled instanceof AwsServiceError) {
            // Refusals of valid JavaScript regexes are the documented restrictions only.
            expect(compiled.message).toMatch(/unbounded quantifiers|Repetition counts above|Invalid repetition|not supported/);
            return;
          }
          for (const message of messages) expect(compiled(message)).toBe(reference.test(message));
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it('never compiles an expression with groups, back-references or non-ASCII characters', () => {
    const forbiddenArb = fc
      .tuple(regexSourceArb, fc.constantFrom('(', ')', '(a)', '\\1', '\\5', 'é', '日', '\\é'), regexSourceArb)
      .map(([before, forbidden, after]) => `${before}${forbidden}${after}`.replaceAll('%', ''));
    fc.assert(
      fc.property(forbiddenArb, (source) => {
        expect(() => compileRegex(source)).toThrow(AwsServiceError);
      }),
      { numRuns: 1_000 },
    );
  });
});

// ── JSON patterns ──────────────────────────────────────────────────────────────────────────────────────────────────

type Scalar = string | number | boolean | null;
const KEYS = ['a', 'b', 'c'] as const;

const fieldValueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<Scalar>('ERROR', 'ERR', 'error', 'xERROR', 'ERRORx', '', ' 7 ', '7', '-2.5', '1e3', 'true', true, false, null, 0, 7, -2.5, 1000, 7.000001),
  fc.integer({ min: -20, max: 20 }),
  fc.constant([1, 2]),
  fc.constant({ nested: 'ERROR' }),
);

const documentArb = fc.dictionary(fc.constantFrom(...KEYS), fieldValueArb, { maxKeys: 3 }) as fc.Arbitrary<Record<string, unknown>>;

type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=';

const numericLiteralArb = fc.constantFrom('0', '7', '-2.5', '1000', '1e3', '7.0', '-20', '20');
const stringLiteralArb = fc.constantFrom('ERROR', 'ERR*', '*ROR', '*RRO*', '*', '"ERROR"', '"*"', '"ERROR x"', 'true', '"7"');

const comparisonArb = fc.oneof(
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom<Operator>('=', '!=', '<', '<=', '>', '>='), literal: numericLiteralArb }),
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom<Operator>('=', '!='), literal: stringLiteralArb }),
);

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** What the docs describe: a selector must reach a string, number or boolean; numbers compare numerically, strings exactly or by `*` at either end. */
function comparisonModel(document: Record<string, unknown>, key: string, operator: Operator, literal: string): boolean {
  if (!Object.hasOwn(document, key)) return false;
  const value = document[key];
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return false;
  if (DECIMAL.test(literal)) {
    const target = Number(literal);
    const field = typeof value === 'number' ? value : typeof value === 'string' && DECIMAL.test(value.trim()) ? Number(value.trim()) : undefined;
    if (field === undefined) return operator === '!=';
    return { '=': field === target, '!=': field !== target, '<': field < target, '<=': field <= target, '>': field > target, '>=': field >= target }[operator];
  }
  const raw = literal.startsWith('"') ? literal.slice(1, -1) : literal;
  const text = String(value);
  let equal: boolean;
  if (raw === '*') equal = true;
  else if (raw.startsWith('*') && raw.endsWith('*')) equal = text.includes(raw.slice(1, -1));
  else if (raw.endsWith('*')) equal = text.startsWith(raw.slice(0, -1));
  else if (raw.startsWith('*')) equal = text.endsWith(raw.slice(1));
  else equal = text === raw;
  return operator === '=' ? equal : !equal;
}

type BoolTree =
  { readonly leaf: { readonly key: string; readonly truth: boolean } } | { readonly op: '&&' | '||'; readonly left: BoolTree; readonly right: BoolTree };

const boolTreeArb: fc.Arbitrary<BoolTree> = fc.letrec<{ tree: BoolTree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ leaf: fc.record({ key: fc.constantFrom(...KEYS), truth: fc.boolean() }) }),
    fc.record({ op: fc.constantFrom<'&&' | '||'>('&&', '||'), left: tie('tree'), right: tie('tree') }),
  ),
})).tree;

/** Renders with only the parentheses precedence needs (&& binds tighter), or with every one, as `full` says. */
function renderTree(tree: BoolTree, full: boolean): string {
  if ('leaf' in tree) return `$.${tree.leaf.key} IS ${tree.leaf.truth ? 'TRUE' : 'FALSE'}`;
  const side = (child: BoolTree): string => {
    const text = renderTree(child, full);
    const needs = full || ('op' in child && child.op === '||' && tree.op === '&&');
    return needs ? `(${text})` : text;
  };
  return `${side(tree.left)} ${tree.op} ${side(tree.right)}`;
}

function evaluateTree(tree: BoolTree, document: Record<string, unknown>): boolean {
  if ('leaf' in tree) return document[tree.leaf.key] === tree.leaf.truth;
  return tree.op === '&&'
    ? evaluateTree(tree.left, document) && evaluateTree(tree.right, document)
    : evaluateTree(tree.left, document) || evaluateTree(tree.right, document);
}

describe('Property: JSON patterns against the documented model', () => {
  it('compare one selected field the way the model does, for every operator and literal kind', () => {
    fc.assert(
      fc.property(comparisonArb, fc.array(documentArb, { minLength: 1, maxLength: 8 }), fc.boolean(), ({ key, operator, literal }, documents, spaced) => {
        const pattern = spaced ? `{ $.${key} ${operator} ${literal} }` : `{$.${key}${operator}${literal}}`;
        const matches = mustCompile(pattern);
        for (const document of documents) {
          const message = JSON.stringify(document);
          expect({ pattern, message, matched: matches(message) }).toEqual({ pattern, message, matched: comparisonModel(document, key, operator, literal) });
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it('bind && tighter than ||: minimal and full parenthesisations both evaluate like JavaScript', () => {
    const boolDocumentArb = fc.record({ a: fc.boolean(), b: fc.boolean(), c: fc.boolean() });
    fc.assert(
      fc.property(boolTreeArb, fc.array(boolDocumentArb, { minLength: 1, maxLength: 8 }), (tree, documents) => {
        const minimal = mustCompile(`{ ${renderTree(tree, false)} }`);
        const full = mustCompile(`{ ${renderTree(tree, true)} }`);
        for (const document of documents) {
          const message = JSON.stringify(document);
          expect(minimal(message)).toBe(evaluateTree(tree, document));
          expect(full(message)).toBe(evaluateTree(tree, document));
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('never match a message that is not a JSON document, whatever the condition', () => {
    const notJsonArb = fc.string({ maxLength: 40 }).filter((text) => {
      try {
        JSON.parse(text);
        return false;
      } catch {
        return true;
      }
    });
    fc.assert(
      fc.property(comparisonArb, notJsonArb, ({ key, operator, literal }, message) => {
        expect(mustCompile(`{ $.${key} ${operator} ${literal} }`)(message)).toBe(false);
        expect(mustCompile(`{ $.${key} NOT EXISTS }`)(message)).toBe(false);
      }),
      { numRuns: 1_000 },
    );
  });
});

// ── Space-delimited patterns ───────────────────────────────────────────────────────────────────────────────────────

const plainFieldArb = fc.string({ unit: fc.constantFrom('a', 'b', 'E', 'R', '0', '7', '-', '.', ':', '/'), minLength: 1, maxLength: 5 });

describe('Property: space-delimited patterns against the documented model', () => {
  it('match on field count: exactly N fields without "...", at least N-1 with it', () => {
    fc.assert(
      fc.property(
        fc.array(plainFieldArb, { maxLength: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.option(fc.nat(8), { nil: undefined }),
        (fields, slots, ellipsisAt) => {
          const names = Array.from({ length: slots }, (_, index) => `f${index}`);
          if (ellipsisAt !== undefined) names.splice(Math.min(ellipsisAt, names.length), 0, '...');
          const matches = mustCompile(`[${names.join(', ')}]`);
          const expected = ellipsisAt === undefined ? fields.length === slots : fields.length >= slots;
          expect(matches(fields.join(' '))).toBe(expected);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('test a named field against a word literal exactly, counting fields from the end after "..."', () => {
    const wordLiteralArb = fc.string({ unit: fc.constantFrom('a', 'b', 'E', 'R'), minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'E', 'R'), minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 }),
        wordLiteralArb,
        fc.boolean(),
        fc.boolean(),
        (fields, literal, fromEnd, negate) => {
          const operator = negate ? '!=' : '=';
          const pattern = fromEnd ? `[..., last ${operator} ${literal}]` : `[first ${operator} ${literal}, ...]`;
          const field = fromEnd ? fields.at(-1)! : fields[0]!;
          expect(mustCompile(pattern)(fields.join(' '))).toBe((field === literal) !== negate);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
