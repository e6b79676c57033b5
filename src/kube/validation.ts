/**
 * One validation path for every kind, driven by the served OpenAPI schemas:
 * - field validation (`fieldValidation=Strict|Warn|Ignore`): unknown fields are refused with the real server's
 *   "strict decoding error", warned about, or dropped (pruned) as kube-apiserver's decoder does;
 * - structural validation of custom resources against their CRD's openAPIV3Schema (types, required, enum, bounds);
 * - the storage limits: 1.5 MiB per stored object (etcd's request limit).
 */
import { schemaOf } from './openapi.js';
import type { ResourceDef } from './registry.js';
import type { Schema } from './schemas/builtin.js';
import { KubeApiError, badRequest, type StatusCause } from './status.js';
import { isPlainObject, type KubeObject } from './types.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** etcd's default request limit (--max-request-bytes), which bounds one stored object. */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

export function parseFieldValidation(value: string | null): FieldValidation {
  if (value === null || value === '') return 'Warn';
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  throw badRequest(`fieldValidation: Unsupported value: "${value}": supported values: "Ignore", "Strict", "Warn"`);
}

function resolve(s: Schema | undefined, components: Record<string, Schema>): Schema | undefined {
  let cur = s;
  for (let i = 0; cur && i < 8; i++) {
    if (typeof cur.$ref === 'string') cur = components[cur.$ref.replace('#/components/schemas/', '')];
    else if (Array.isArray(cur.allOf) && cur.allOf.length === 1) cur = { ...cur, ...resolve(cur.allOf[0] as Schema, components), allOf: undefined };
    else return cur;
  }
  return cur;
}

const preserves = (s: Schema) => s['x-kubernetes-preserve-unknown-fields'] === true;

/** Removes fields the schema does not declare; returns their paths (`spec.replicaz`, `spec.containers[0].imagez`). */
export function pruneUnknown(value: unknown, schema: Schema | undefined, components: Record<string, Schema>, path = ''): string[] {
  const s = resolve(schema, components);
  if (!s || value === null || value === undefined) return [];
  const unknown: string[] = [];
  if (Array.isArray(value)) {
    const items = s.items as Schema | undefined;
    if (items) value.forEach((v, i) => unknown.push(...pruneUnknown(v, items, components, `${path}[${i}]`)));
    return unknown;
  }
  if (!isPlainObject(value) || s['x-kubernetes-int-or-string']) return [];
  const props = s.properties as Record<string, Schema> | undefined;
  const additional = s.additionalProperties;
  for (const key of Object.keys(value)) {
    if (key.startsWith('$')) continue; // strategic-merge-patch directives ($patch, $setElementOrder/…, $retainKeys)
    const child = path ? `${path}.${key}` : key;
    const known = (props && Object.hasOwn(props, key) ? props[key] : undefined) ?? (isPlainObject(additional) ? (additional as Schema) : undefined);
    if (known) unknown.push(...pruneUnknown(value[key], known, components, child));
    else if (!preserves(s) && additional !== true && (props || s.type === 'object')) {
      unknown.push(child);
      delete value[key];
    }
  }
  return unknown;
}

/**
 * Applies field validation to a decoded request object (in place: unknown fields are dropped). Strict throws the
 * real server's BadRequest; Warn returns one warning per unknown field; Ignore returns none.
 */
export function checkFields(def: ResourceDef, obj: unknown, mode: FieldValidation): string[] {
  const served = schemaOf(def);
  if (!served || !isPlainObject(obj)) return [];
  const unknown = pruneUnknown(obj, served.root, served.components);
  if (unknown.length === 0 || mode === 'Ignore') return [];
  if (mode === 'Strict') {
    const list = unknown.map((f) => `unknown field "${f}"`).join(', ');
    throw badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: strict decoding error: ${list}`);
  }
  return unknown.map((f) => `unknown field "${f}"`);
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function quoted(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : JSON.stringify(v);
}

/** Validates a value against an OpenAPI v3 structural schema (the subset CRDs use); returns field causes. */
export function validateSchema(value: unknown, schema: Schema | undefined, components: Record<string, Schema>, path = ''): StatusCause[] {
  const s = resolve(schema, components);
  if (!s || value === undefined) return [];
  const at = path || '<root>';
  const causes: StatusCause[] = [];
  const fail = (message: string, reason = 'FieldValueInvalid') => causes.push({ field: at, message, reason });
  if (value === null) {
    if (!s.nullable && s.type) fail(`Invalid value: "null": ${at} in body must be of type ${s.type}: "null"`, 'FieldValueTypeInvalid');
    return causes;
  }
  const t = typeOf(value);
  if (s['x-kubernetes-int-or-string']) {
    if (t !== 'integer' && t !== 'string') fail(`Invalid value: ${quoted(value)}: ${at} in body must be of type integer,string: "${t}"`, 'FieldValueTypeInvalid');
    return causes;
  }
  if (typeof s.type === 'string' && s.type !== t && !(s.type === 'number' && t === 'integer')) {
    fail(`Invalid value: "${t}": ${at} in body must be of type ${s.type}: "${t}"`, 'FieldValueTypeInvalid');
    return causes;
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    fail(`Unsupported value: ${quoted(value)}: supported values: ${s.enum.map(quoted).join(', ')}`, 'FieldValueNotSupported');
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) fail(`Invalid value: ${value}: ${at} in body should be greater than or equal to ${s.minimum}`);
    if (typeof s.maximum === 'number' && value > s.maximum) fail(`Invalid value: ${value}: ${at} in body should be less than or equal to ${s.maximum}`);
  }
  if (typeof value === 'string') {
    if (typeof s.minLength === 'number' && value.length < s.minLength) fail(`Invalid value: "${value}": ${at} in body should be at least ${s.minLength} chars long`);
    if (typeof s.maxLength === 'number' && value.length > s.maxLength) fail(`Too long: may not be more than ${s.maxLength} bytes`, 'FieldValueTooLong');
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value)) fail(`Invalid value: "${value}": ${at} in body should match '${s.pattern}'`);
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) fail(`Invalid value: ${value.length}: ${at} in body should have at least ${s.minItems} items`);
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) fail(`Too many: ${value.length}: must have at most ${s.maxItems} items`, 'FieldValueTooMany');
    value.forEach((v, i) => causes.push(...validateSchema(v, s.items as Schema, components, `${path}[${i}]`)));
  }
  if (isPlainObject(value)) {
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const r of (s.required ?? []) as string[]) {
      if (value[r] === undefined) causes.push({ field: path ? `${path}.${r}` : r, message: 'Required value', reason: 'FieldValueRequired' });
    }
    for (const [k, v] of Object.entries(value)) {
      const child = (Object.hasOwn(props, k) ? props[k] : undefined) ?? (isPlainObject(s.additionalProperties) ? (s.additionalProperties as Schema) : undefined);
      if (child) causes.push(...validateSchema(v, child, components, path ? `${path}.${k}` : k));
    }
  }
  return causes;
}

/** Schema validation of a custom resource (built-in kinds are validated by their own rules in defaults.ts). */
export function validateCustomResource(def: ResourceDef, obj: KubeObject): StatusCause[] {
  if (!def.crd) return [];
  const served = schemaOf(def);
  if (!served) return [];
  const { metadata: _metadata, apiVersion: _apiVersion, kind: _kind, ...rest } = obj;
  return validateSchema(rest, { ...served.root, required: ((served.root.required ?? []) as string[]).filter((r) => !['metadata', 'apiVersion', 'kind'].includes(r)) }, served.components);
}

/**
 * Refuses an object too large for storage as etcd does: kube-apiserver passes etcd's error through as a 500 with no
 * reason, which kubectl prints as `Error from server: etcdserver: request is too large`.
 */
export function checkObjectSize(obj: KubeObject): void {
  const size = Buffer.byteLength(JSON.stringify(obj));
  if (size > MAX_OBJECT_BYTES) throw new KubeApiError(500, '', 'etcdserver: request is too large');
}

/** Warnings as the `Warning` response header kubectl prints (`Warning: unknown field "spec.x"`). */
export function warningHeaders(warnings: string[]): Record<string, string> | undefined {
  if (warnings.length === 0) return undefined;
  return { Warning: warnings.map((w) => `299 - "${w.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(', ') };
}

/** Field validation of a request body by the request's `fieldValidation` parameter; returns the response headers. */
export function fieldValidation(def: ResourceDef, obj: unknown, query: URLSearchParams): Record<string, string> | undefined {
  return warningHeaders(checkFields(def, obj, parseFieldValidation(query.get('fieldValidation'))));
}

/** Applies the `default`s of a structural schema to missing fields (in place), as kube-apiserver does for custom resources. */
export function applySchemaDefaults(value: unknown, schema: Schema | undefined, components: Record<string, Schema>): void {
  const s = resolve(schema, components);
  if (!s) return;
  if (Array.isArray(value)) {
    for (const v of value) applySchemaDefaults(v, s.items as Schema | undefined, components);
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [k, child] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) {
    const c = resolve(child, components);
    if (value[k] === undefined && c && c.default !== undefined) value[k] = structuredClone(c.default);
    if (value[k] !== undefined) applySchemaDefaults(value[k], child, components);
  }
  if (isPlainObject(s.additionalProperties)) for (const v of Object.values(value)) applySchemaDefaults(v, s.additionalProperties as Schema, components);
}

/** Schema defaulting of a custom resource (metadata, apiVersion and kind excepted). */
export function defaultCustomResource(def: ResourceDef, obj: KubeObject): void {
  if (!def.crd) return;
  const served = schemaOf(def);
  if (!served) return;
  const props = { ...((served.root.properties ?? {}) as Record<string, Schema>) };
  delete props.metadata;
  applySchemaDefaults(obj, { ...served.root, properties: props }, served.components);
}
