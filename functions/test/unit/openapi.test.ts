import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { API_ROUTES, PUBLIC_ROUTES } from '../../src/handlers/api.js';

// No YAML parser is a dependency of this repo, so the document is read line by line. That only works while the file
// keeps a regular layout (paths at 2 spaces, methods at 4, operation fields at 6, quoted response codes at 8); the
// reader throws on anything else under `paths:`, so a layout change fails here loudly instead of hiding a route.

interface DocumentedOperation {
  /** `METHOD /path`, the same key API_ROUTES uses */
  readonly key: string;
  readonly line: number;
  readonly responses: string[];
  /** declares `security: []`, i.e. needs no token */
  readonly public: boolean;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function meaningful(line: string): boolean {
  const trimmed = line.trim();
  return trimmed !== '' && !trimmed.startsWith('#');
}

function readOperations(text: string): DocumentedOperation[] {
  const lines = text.split(/\r?\n/);
  const start = lines.indexOf('paths:');
  if (start < 0) throw new Error('No top-level `paths:` line');

  const operations: { key: string; line: number; responses: string[]; public: boolean }[] = [];
  let path: string | undefined;
  let operation: (typeof operations)[number] | undefined;
  let inResponses = false;
  // Block scalars (`description: |`) can hold any text at any depth; their lines are skipped until the indent drops back.
  let blockScalarIndent: number | undefined;

  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const lineNo = i + 1;
    if (!meaningful(line)) continue;
    if (line.includes('\t')) throw new Error(`Line ${lineNo}: tab in indentation`);
    const indent = indentOf(line);
    if (blockScalarIndent !== undefined) {
      if (indent > blockScalarIndent) continue;
      blockScalarIndent = undefined;
    }
    if (indent === 0) break;
    if (/:\s*[|>][-+]?\s*$/.test(line)) blockScalarIndent = indent;

    if (indent === 2) {
      const match = /^ {2}(\/\S*):\s*$/.exec(line);
      if (!match?.[1]) throw new Error(`Line ${lineNo}: expected a path such as \`  /api/x:\`, got ${JSON.stringify(line)}`);
      path = match[1];
      operation = undefined;
      inResponses = false;
    } else if (indent === 4) {
      const match = /^ {4}([A-Za-z$-]+):(.*)$/.exec(line);
      const field = match?.[1];
      if (!field || !path) throw new Error(`Line ${lineNo}: expected a path item field, got ${JSON.stringify(line)}`);
      inResponses = false;
      if (METHODS.has(field)) {
        if (match?.[2]?.trim()) throw new Error(`Line ${lineNo}: write the ${field} operation in block style`);
        operation = { key: `${field.toUpperCase()} ${path}`, line: lineNo, responses: [], public: false };
        operations.push(operation);
      } else {
        operation = undefined;
      }
    } else if (indent === 6 && operation) {
      inResponses = /^ {6}responses:\s*$/.test(line);
      if (/^ {6}security:/.test(line)) {
        if (!/^ {6}security:\s*\[\s*\]\s*$/.test(line)) throw new Error(`Line ${lineNo}: only \`security: []\` is understood on an operation`);
        operation.public = true;
      }
    } else if (indent === 8 && operation && inResponses) {
      const match = /^ {8}'(\d{3}|default)':/.exec(line);
      if (!match?.[1]) throw new Error(`Line ${lineNo}: expected a quoted response code such as \`        '200':\`, got ${JSON.stringify(line)}`);
      operation.responses.push(match[1]);
    } else if (indent % 2 !== 0) {
      throw new Error(`Line ${lineNo}: odd indentation`);
    }
  }
  return operations;
}

/** `#/components/<kind>/<Name>` for every component the document defines. */
function readComponents(text: string): Set<string> {
  const lines = text.split(/\r?\n/);
  const start = lines.indexOf('components:');
  if (start < 0) throw new Error('No top-level `components:` line');
  const names = new Set<string>();
  let kind: string | undefined;
  for (const line of lines.slice(start + 1)) {
    if (!meaningful(line)) continue;
    const indent = indentOf(line);
    if (indent === 0) break;
    const key = /^\s*([A-Za-z0-9_.-]+):/.exec(line)?.[1];
    if (indent === 2) kind = key;
    else if (indent === 4 && kind && key) names.add(`#/components/${kind}/${key}`);
  }
  return names;
}

const documentText = readFileSync(new URL('../../../docs/openapi.yaml', import.meta.url), 'utf8');
const documented = readOperations(documentText);
const documentedKeys = documented.map((op) => op.key);
const served: readonly string[] = API_ROUTES;
const isPublic = (key: string) => (PUBLIC_ROUTES as ReadonlySet<string>).has(key);

describe('the OpenAPI line reader', () => {
  it('reads operations, their response codes and public marks, skipping block-scalar text', () => {
    const sample = [
      'paths:',
      '  /api/a/{id}:',
      '    parameters:',
      "      - { $ref: '#/components/parameters/Id' }",
      '    get:',
      '      description: |',
      '        get:',
      "        '999': looks like a code but is prose",
      '      responses:',
      "        '200': { description: ok }",
      "        '404':",
      '          description: missing',
      '    delete:',
      '      security: []',
      '      responses:',
      "        '204': { description: gone }",
      'components:',
      '  schemas: {}',
    ].join('\n');
    expect(readOperations(sample)).toEqual([
      { key: 'GET /api/a/{id}', line: 5, responses: ['200', '404'], public: false },
      { key: 'DELETE /api/a/{id}', line: 13, responses: ['204'], public: true },
    ]);
  });

  it('refuses a layout it cannot read rather than skipping the route', () => {
    expect(() => readOperations(['paths:', '   /api/misaligned:', '    get:'].join('\n'))).toThrow(/odd indentation|expected a path/);
    expect(() => readOperations(['paths:', '  /api/a:', '    get: { responses: {} }'].join('\n'))).toThrow(/block style/);
    expect(() => readOperations(['paths:', '  /api/a:', '    get:', '      responses:', '        200:'].join('\n'))).toThrow(/quoted response code/);
  });
});

describe('docs/openapi.yaml', () => {
  it('documents every route the API handler serves', () => {
    expect(served.filter((key) => !documentedKeys.includes(key))).toEqual([]);
  });

  it('documents no operation the API handler does not serve', () => {
    expect(documentedKeys.filter((key) => !served.includes(key))).toEqual([]);
  });

  it('documents each operation once', () => {
    expect(documentedKeys.filter((key, i) => documentedKeys.indexOf(key) !== i)).toEqual([]);
  });

  it('marks exactly the public routes as needing no token', () => {
    const documentedPublic = documented.filter((op) => op.public).map((op) => op.key);
    expect(documentedPublic.sort()).toEqual([...PUBLIC_ROUTES].sort());
  });

  it('declares 401 on every route that needs a token', () => {
    const missing = documented.filter((op) => !isPublic(op.key) && !op.responses.includes('401')).map((op) => op.key);
    expect(missing).toEqual([]);
  });

  it('declares 403 on every route a viewer may not call (every non-GET that needs a token)', () => {
    const missing = documented.filter((op) => !isPublic(op.key) && !op.key.startsWith('GET ') && !op.responses.includes('403')).map((op) => op.key);
    expect(missing).toEqual([]);
  });

  it('declares a success response on every operation', () => {
    const missing = documented.filter((op) => !op.responses.some((code) => code.startsWith('2'))).map((op) => op.key);
    expect(missing).toEqual([]);
  });

  it('refers only to components it defines', () => {
    const defined = readComponents(documentText);
    const referenced = new Set([...documentText.matchAll(/\$ref:\s*'([^']+)'/g)].map((m) => m[1] ?? ''));
    expect([...referenced].filter((ref) => !defined.has(ref))).toEqual([]);
  });
});
