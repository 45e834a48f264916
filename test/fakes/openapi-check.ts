import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * A small checker for the subset of OpenAPI 3.1 / JSON Schema 2020-12 that docs/erp-rest-contract.openapi.yaml uses
 * (https://spec.openapis.org/oas/v3.1.0, https://json-schema.org/draft/2020-12/json-schema-validation):
 * $ref, type (with 'null' and arrays of types), enum, pattern, min/maxLength, minimum/maximum, required, properties,
 * additionalProperties, items, min/maxItems, anyOf, oneOf. A keyword it does not know makes it throw, so the fake
 * can never skip a rule the file states.
 */
export type Schema = Record<string, unknown>;
export interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, Operation | unknown[]>>;
  webhooks?: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; parameters: Record<string, Parameter>; responses: Record<string, ResponseSpec> };
}
export interface Parameter { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema: Schema }
export interface ResponseSpec { description: string; content?: Record<string, { schema: Schema }>; headers?: Record<string, unknown> }
export interface Operation {
  operationId: string;
  parameters?: (Parameter | { $ref: string })[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, ResponseSpec | { $ref: string }>;
}

export const CONTRACT_FILE = new URL('../../docs/erp-rest-contract.openapi.yaml', import.meta.url);

export function loadOpenApi(file: URL = CONTRACT_FILE): OpenApiDoc {
  return parse(readFileSync(file, 'utf8')) as OpenApiDoc;
}

/** Follows a local `#/a/b/c` reference. */
export function resolveRef<T>(doc: OpenApiDoc, v: T | { $ref: string }): T {
  if (v && typeof v === 'object' && '$ref' in v && typeof v.$ref === 'string') {
    const parts = v.$ref.replace(/^#\//, '').split('/');
    let cur: unknown = doc;
    for (const p of parts) cur = (cur as Record<string, unknown> | undefined)?.[p];
    if (cur === undefined) throw new Error(`unresolved $ref ${v.$ref}`);
    return resolveRef(doc, cur as T);
  }
  return v as T;
}

const ANNOTATIONS = new Set(['description', 'examples', 'format', 'default', 'title', 'summary']);
const KNOWN = new Set(['$ref', 'type', 'enum', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'required', 'properties',
  'additionalProperties', 'items', 'minItems', 'maxItems', 'anyOf', 'oneOf', ...ANNOTATIONS]);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Every way `value` breaks `schema`, as `path: problem` lines (empty: it conforms). */
export function validate(doc: OpenApiDoc, schema: Schema, value: unknown, path = '$'): string[] {
  for (const k of Object.keys(schema)) if (!KNOWN.has(k)) throw new Error(`openapi-check: unsupported keyword "${k}" at ${path}`);
  if (typeof schema.$ref === 'string') return validate(doc, resolveRef<Schema>(doc, schema as { $ref: string }), value, path);
  const out: string[] = [];
  const t = typeOf(value);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    const ok = types.some((x) => x === t || (x === 'number' && t === 'integer'));
    if (!ok) return [`${path}: expected ${types.join(' or ')}, got ${t}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) out.push(`${path}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
  if (typeof value === 'string') {
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) out.push(`${path}: does not match ${schema.pattern}`);
    if (typeof schema.minLength === 'number' && [...value].length < schema.minLength) out.push(`${path}: shorter than ${schema.minLength}`);
    if (typeof schema.maxLength === 'number' && [...value].length > schema.maxLength) out.push(`${path}: longer than ${schema.maxLength}`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) out.push(`${path}: below ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) out.push(`${path}: above ${schema.maximum}`);
  }
  if (t === 'object') {
    const obj = value as Record<string, unknown>;
    for (const r of (schema.required as string[] | undefined) ?? []) if (!(r in obj)) out.push(`${path}.${r}: required`);
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) out.push(...validate(doc, props[k], v, `${path}.${k}`));
      else if (schema.additionalProperties === false) out.push(`${path}.${k}: not allowed`);
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') out.push(...validate(doc, schema.additionalProperties as Schema, v, `${path}.${k}`));
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) out.push(`${path}: fewer than ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) out.push(`${path}: more than ${schema.maxItems} items`);
    if (schema.items) value.forEach((v, i) => out.push(...validate(doc, schema.items as Schema, v, `${path}[${i}]`)));
  }
  if (Array.isArray(schema.anyOf) && !(schema.anyOf as Schema[]).some((s) => validate(doc, s, value, path).length === 0)) {
    out.push(`${path}: matches none of anyOf`);
  }
  if (Array.isArray(schema.oneOf) && (schema.oneOf as Schema[]).filter((s) => validate(doc, s, value, path).length === 0).length !== 1) {
    out.push(`${path}: does not match exactly one of oneOf`);
  }
  return out;
}

/** The path template of `doc.paths` that `segments` (decoded) match, with the values of its placeholders. */
export function matchPath(doc: OpenApiDoc, segments: string[]): { template: string; params: Record<string, string> } | null {
  // Literal segments first, so `/documents/by-id/7` is not read as an external key "by-id".
  const templates = Object.keys(doc.paths).sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
  for (const template of templates) {
    const parts = template.split('/').slice(1);
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = parts.every((p, i) => {
      const m = /^\{(\w+)\}$/.exec(p);
      if (m?.[1]) { params[m[1]] = segments[i] ?? ''; return true; }
      return p === segments[i];
    });
    if (ok) return { template, params };
  }
  return null;
}

/** An operation's parameters, references resolved (path-level ones first). */
export function operationParameters(doc: OpenApiDoc, template: string, method: string): Parameter[] {
  const item = doc.paths[template] ?? {};
  const shared = (item.parameters as (Parameter | { $ref: string })[] | undefined) ?? [];
  const op = item[method] as Operation | undefined;
  return [...shared, ...(op?.parameters ?? [])].map((p) => resolveRef<Parameter>(doc, p));
}

/** The JSON schema of an operation's answer with `status` (exact code, then `5XX`-style ranges), or null. */
export function responseSchema(doc: OpenApiDoc, op: Operation, status: number): Schema | null | undefined {
  const spec = op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`];
  if (!spec) return undefined;
  return resolveRef<ResponseSpec>(doc, spec).content?.['application/json']?.schema ?? null;
}
