// Validators for what goes to and comes from Jira Cloud, built from the published schemas rather than our reading
// of them:
// - jira-openapi-subset.json: Atlassian's OpenAPI 3.0.1 spec for the endpoints we use (copied beside this file from
//   shared/reference so tests do not depend on a directory outside the clone).
// - @atlaskit/adf-schema's json-schema/v1/full.json: the Atlassian Document Format.
//
// full.json declares draft-04. Ajv 8 ships no draft-04 meta-schema (that is the separate, uninstalled ajv-draft-04
// package) and refuses the `$schema` URI, so it is compiled with `$schema` removed, as draft-07. That is exact only
// while the schema avoids the keywords whose meaning changed after draft-04 (`id`, boolean
// `exclusiveMinimum`/`exclusiveMaximum`); loadAdfSchema checks that and fails loudly should a new adf-schema use them.
// Its tuple-form `items` needs `strictTuples: false`.
//
// The OpenAPI schemas are JSON Schema plus OpenAPI's own annotations (`xml`, `example`; `nullable` Ajv knows), so
// those are registered as annotation keywords and strict mode stays on to catch anything else.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);

export interface SchemaCheck {
  readonly ok: boolean;
  readonly errors: string[];
}

type OpenApiDoc = {
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: { content?: Record<string, { schema?: AnySchemaObject }> };
        responses?: Record<string, { content?: Record<string, { schema?: AnySchemaObject }> }>;
      }
    >
  >;
  components: { schemas: Record<string, AnySchemaObject> };
};

const OPENAPI_ID = 'jira-openapi.json';

let openApi: { doc: OpenApiDoc; ajv: Ajv } | undefined;
let adfValidate: ValidateFunction | undefined;

export function openApiDocument(): OpenApiDoc {
  return loadOpenApi().doc;
}

function loadOpenApi(): { doc: OpenApiDoc; ajv: Ajv } {
  if (openApi) return openApi;
  const doc = JSON.parse(readFileSync(new URL('./jira-openapi-subset.json', import.meta.url), 'utf8')) as OpenApiDoc;
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictTuples: false });
  addFormats.default(ajv);
  for (const keyword of ['xml', 'example', 'components']) ajv.addKeyword({ keyword });
  ajv.addSchema({ $id: OPENAPI_ID, components: doc.components });
  openApi = { doc, ajv };
  return openApi;
}

function rebase(schema: AnySchemaObject): AnySchemaObject {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${OPENAPI_ID}#/components/`)) as AnySchemaObject;
}

const compiled = new Map<string, ValidateFunction | null>();

function compileOperationSchema(key: string, find: (doc: OpenApiDoc) => AnySchemaObject | undefined): ValidateFunction | null {
  if (compiled.has(key)) return compiled.get(key) ?? null;
  const { doc, ajv } = loadOpenApi();
  const schema = find(doc);
  const validate = schema && Object.keys(schema).length > 0 ? ajv.compile(rebase(schema)) : null;
  compiled.set(key, validate);
  return validate;
}

/** The JSON request-body schema of an operation, e.g. ('post', '/rest/api/3/issue'); null when the spec has none. */
export function requestValidator(method: string, pathTemplate: string): ValidateFunction | null {
  const m = method.toLowerCase();
  return compileOperationSchema(`req ${m} ${pathTemplate}`, (doc) => doc.paths[pathTemplate]?.[m]?.requestBody?.content?.['application/json']?.schema);
}

/** The JSON schema of one response status of an operation; null when the spec describes no JSON body for it. */
export function responseValidator(method: string, pathTemplate: string, status: number): ValidateFunction | null {
  const m = method.toLowerCase();
  return compileOperationSchema(
    `res ${m} ${pathTemplate} ${status}`,
    (doc) => doc.paths[pathTemplate]?.[m]?.responses?.[String(status)]?.content?.['application/json']?.schema,
  );
}

export function componentValidator(name: string): ValidateFunction {
  const validate = loadOpenApi().ajv.getSchema(`${OPENAPI_ID}#/components/schemas/${name}`);
  if (!validate) throw new Error(`The Jira OpenAPI subset has no schema ${name}`);
  return validate;
}

export function loadAdfSchema(): AnySchemaObject {
  const full = require('@atlaskit/adf-schema/json-schema/v1/full.json') as AnySchemaObject;
  const { $schema, ...schema } = full;
  if ($schema !== 'http://json-schema.org/draft-04/schema#') throw new Error(`ADF schema declares ${String($schema)}; revisit how it is compiled`);
  const changedMeaning = findKeywords(
    schema,
    (key, value) => key === 'id' || ((key === 'exclusiveMinimum' || key === 'exclusiveMaximum') && typeof value === 'boolean'),
  );
  if (changedMeaning.length > 0) throw new Error(`ADF schema uses draft-04 keywords that draft-07 reads differently: ${changedMeaning.join(', ')}`);
  return schema;
}

function findKeywords(node: unknown, match: (key: string, value: unknown) => boolean, at = '#'): string[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => findKeywords(item, match, `${at}/${i}`));
  if (node === null || typeof node !== 'object') return [];
  const hits: string[] = [];
  for (const [key, value] of Object.entries(node)) {
    // Under `properties`/`definitions` a key is a name, not a keyword.
    const names = key === 'properties' || key === 'definitions' || key === 'patternProperties';
    if (!names && match(key, value)) hits.push(`${at}/${key}`);
    if (names && value !== null && typeof value === 'object') {
      for (const [name, sub] of Object.entries(value)) hits.push(...findKeywords(sub, match, `${at}/${key}/${name}`));
    } else {
      hits.push(...findKeywords(value, match, `${at}/${key}`));
    }
  }
  return hits;
}

export function validateAdf(document: unknown): SchemaCheck {
  if (!adfValidate) {
    const ajv = new Ajv({ allErrors: false, strict: true, strictTuples: false });
    adfValidate = ajv.compile(loadAdfSchema());
  }
  const ok = adfValidate(document);
  return { ok, errors: ok ? [] : formatErrors(adfValidate.errors) };
}

export function check(validate: ValidateFunction | null, value: unknown): SchemaCheck {
  if (!validate) return { ok: true, errors: [] };
  const ok = validate(value);
  return { ok, errors: ok ? [] : formatErrors(validate.errors) };
}

export function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  // An anyOf failure lists every branch it tried; the deepest errors are the ones closest to the real mistake.
  const lines = (errors ?? [])
    .slice()
    .sort((a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length)
    .map((e) => {
      const extra = typeof e.params['additionalProperty'] === 'string' ? ` (${e.params['additionalProperty']})` : '';
      return `${e.instancePath || '/'} ${e.message ?? e.keyword}${extra}`;
    });
  return [...new Set(lines)].slice(0, 8);
}
