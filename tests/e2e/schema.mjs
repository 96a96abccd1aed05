// Validation of REST responses against Qdrant's OpenAPI 3.0 document.
//
// The document lives outside this repository: <repo>/../shared/qdrant/openapi.json (override
// with QDRANT_OPENAPI). OpenAPI 3.0 schemas are not quite JSON Schema, so the component and
// response schemas are converted once before Ajv sees them:
//   * `nullable: true` becomes "or null" (`{nullable: true}` alone, used by Qdrant inside
//     `anyOf: [X, {nullable: true}]`, means just `null`);
//   * `$ref: '#/components/...'` is made absolute against one registered document;
//   * Qdrant's numeric `format`s (uint, uint64, float, ...) are registered as real checks.
// Keys of `properties` are property names, never keywords, so the walk is keyword-aware.

import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..', '..');
export const OPENAPI_PATH =
  process.env.QDRANT_OPENAPI ?? path.resolve(REPO_ROOT, '..', 'shared', 'qdrant', 'openapi.json');

const DOC_ID = 'qdrant-openapi';

// Keywords whose value is a map from names to schemas.
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs']);
// Keywords whose value is one schema.
const SCHEMA_ONE = new Set(['items', 'additionalProperties', 'not', 'propertyNames', 'contains']);
// Keywords whose value is a list of schemas.
const SCHEMA_LIST = new Set(['anyOf', 'oneOf', 'allOf']);
// Keywords that carry no constraint; a schema made only of these accepts anything.
const ANNOTATIONS = new Set([
  'description', 'title', 'default', 'example', 'examples', 'deprecated', 'readOnly',
  'writeOnly', 'externalDocs', 'xml', 'discriminator',
]);

function convertRef(ref) {
  return ref.startsWith('#/') ? `${DOC_ID}${ref}` : ref;
}

export function convertSchema(schema) {
  if (Array.isArray(schema)) return schema.map(convertSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable' || key === 'example' || key === 'discriminator') continue;
    if (key === '$ref') out.$ref = convertRef(value);
    else if (SCHEMA_MAPS.has(key)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, convertSchema(sub)]));
    } else if (SCHEMA_ONE.has(key)) {
      out[key] = typeof value === 'object' ? convertSchema(value) : value;
    } else if (SCHEMA_LIST.has(key)) out[key] = value.map(convertSchema);
    else out[key] = value;
  }
  if (schema.nullable === true) {
    const constraining = Object.keys(out).filter((k) => !ANNOTATIONS.has(k));
    if (constraining.length === 0) return { type: 'null' };
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

const isUint = (n) => Number.isInteger(n) && n >= 0;
const NUMERIC_FORMATS = {
  uint: isUint,
  uint64: isUint,
  uint32: (n) => isUint(n) && n <= 0xffffffff,
  uint16: (n) => isUint(n) && n <= 0xffff,
  uint8: (n) => isUint(n) && n <= 0xff,
  int64: Number.isInteger,
  int32: (n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31,
  float: (n) => Number.isFinite(n),
  double: (n) => Number.isFinite(n),
};

let cached = null;

function load() {
  if (cached) return cached;
  const doc = JSON.parse(fs.readFileSync(OPENAPI_PATH, 'utf8'));
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false });
  addFormats(ajv);
  for (const [name, validate] of Object.entries(NUMERIC_FORMATS)) {
    ajv.addFormat(name, { type: 'number', validate });
  }
  ajv.addFormat('partial-date-time', true);
  ajv.addFormat('binary', true);
  const schemas = Object.fromEntries(
    Object.entries(doc.components.schemas).map(([name, s]) => [name, convertSchema(s)]));
  ajv.addSchema({ $id: DOC_ID, components: { schemas } });
  cached = { doc, ajv, validators: new Map() };
  return cached;
}

/** The OpenAPI document as parsed JSON. */
export function openapi() {
  return load().doc;
}

/** True when the document describes `method` on `operationPath` (e.g. '/collections/{collection_name}'). */
export function hasOperation(operationPath, method) {
  const item = load().doc.paths[operationPath];
  return Boolean(item && item[method.toLowerCase()]);
}

function responseSchemaFor(operationPath, method, status) {
  const { doc } = load();
  const item = doc.paths[operationPath];
  assert.ok(item, `OpenAPI has no path ${operationPath}`);
  const op = item[method.toLowerCase()];
  assert.ok(op, `OpenAPI has no ${method.toUpperCase()} ${operationPath}`);
  const responses = op.responses ?? {};
  const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => responses[k]);
  if (!key) return { key: null, schema: null };
  const content = responses[key].content ?? {};
  const media = content['application/json'] ?? Object.values(content)[0];
  return { key, schema: media?.schema ?? null };
}

function formatErrors(errors, body) {
  const shown = (errors ?? []).slice(0, 12).map((e) =>
    `  ${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)} [schema ${e.schemaPath}]`);
  let text = JSON.stringify(body);
  if (text && text.length > 1500) text = `${text.slice(0, 1500)}...`;
  return `${shown.join('\n')}\nbody: ${text}`;
}

/**
 * Asserts that `body` matches the response schema Qdrant documents for `method operationPath`
 * answering `status` (exact code, then `4XX`-style, then `default`). Throws an AssertionError
 * listing the mismatches. Returns false when the document has no JSON schema for that response.
 */
export function validate(operationPath, method, status, body) {
  const state = load();
  const cacheKey = `${method.toLowerCase()} ${operationPath} ${status}`;
  let validator = state.validators.get(cacheKey);
  if (validator === undefined) {
    const { schema } = responseSchemaFor(operationPath, method, status);
    validator = schema ? state.ajv.compile(convertSchema(schema)) : null;
    state.validators.set(cacheKey, validator);
  }
  if (!validator) return false;
  if (!validator(body)) {
    assert.fail(`response of ${method.toUpperCase()} ${operationPath} (${status}) does not match ` +
      `Qdrant's OpenAPI schema:\n${formatErrors(validator.errors, body)}`);
  }
  return true;
}

/** Asserts that `value` matches `#/components/schemas/<name>` (for endpoints the document omits). */
export function validateComponent(name, value) {
  const state = load();
  const cacheKey = `component ${name}`;
  let validator = state.validators.get(cacheKey);
  if (validator === undefined) {
    assert.ok(state.doc.components.schemas[name], `OpenAPI has no component schema ${name}`);
    validator = state.ajv.compile({ $ref: `${DOC_ID}#/components/schemas/${name}` });
    state.validators.set(cacheKey, validator);
  }
  if (!validator(value)) {
    assert.fail(`value does not match Qdrant's schema ${name}:\n${formatErrors(validator.errors, value)}`);
  }
}

// Concrete URL path -> OpenAPI path template, for validating traffic of the official client.
let templates = null;

/** Returns the OpenAPI path template matching a concrete path like '/collections/a/points/1'. */
export function matchOperationPath(urlPath, method) {
  if (!templates) {
    templates = Object.keys(load().doc.paths).map((tpl) => {
      const parts = tpl.split('/');
      const literal = parts.filter((p) => !p.startsWith('{')).length;
      return { tpl, parts, literal };
    });
    // Prefer templates with more literal segments: '/collections/aliases' over '/collections/{name}'.
    templates.sort((a, b) => b.literal - a.literal);
  }
  // Qdrant trims trailing slashes before routing (actix NormalizePath::trim).
  const parts = (urlPath.replace(/\/+$/, '') || '/').split('/');
  const m = method.toLowerCase();
  for (const { tpl, parts: tparts } of templates) {
    if (tparts.length !== parts.length) continue;
    if (!tparts.every((p, i) => (p.startsWith('{') ? parts[i] !== '' : p === parts[i]))) continue;
    if (!load().doc.paths[tpl][m]) continue;
    return tpl;
  }
  return null;
}
