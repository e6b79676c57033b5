/**
 * metadata.managedFields as the real server writes them: one entry per field manager, operation (Apply for
 * server-side apply, Update otherwise) and subresource, with the fields it set in FieldsV1 form
 * (`f:<field>`, `k:{"name":"c"}` for keyed list items, `v:"x"` for set items, `.` for a map or item itself).
 * Ownership is recorded per request (the fields the request carried), without structured-merge-diff's conflict
 * resolution.
 */
import { nowTimestamp } from './store.js';
import { isPlainObject, type KubeObject } from './types.js';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** Fields of string→value map type: listed with `.` and each key. */
const MAP_FIELDS = new Set(['labels', 'annotations', 'data', 'binaryData', 'stringData', 'matchLabels', 'nodeSelector', 'limits', 'requests', 'capacity', 'allocatable', 'hard', 'parameters']);
/** Keyed lists and their keys. */
const LIST_KEYS: Record<string, string[]> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  volumeMounts: ['mountPath'],
  imagePullSecrets: ['name'],
  conditions: ['type'],
  ownerReferences: ['uid'],
  ports: ['containerPort', 'port', 'protocol'],
};
/** Lists of scalars with set semantics. */
const SET_FIELDS = new Set(['finalizers']);

const ROOT_SKIP = new Set(['apiVersion', 'kind']);
const META_SKIP = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink', 'generateName']);

function itemKey(field: string, item: Record<string, unknown>): string | undefined {
  const keys = LIST_KEYS[field];
  if (!keys) return undefined;
  const parts: Record<string, unknown> = {};
  for (const k of keys) if (item[k] !== undefined) parts[k] = item[k];
  if (field === 'ports' && parts.protocol === undefined && (parts.containerPort !== undefined || parts.port !== undefined)) parts.protocol = 'TCP';
  if (Object.keys(parts).length === 0) return undefined;
  // the real encoding orders keys by name
  return `k:${JSON.stringify(Object.fromEntries(Object.entries(parts).sort(([a], [b]) => a.localeCompare(b))))}`;
}

function fieldSet(field: string, value: unknown, isMapValue: boolean): Record<string, unknown> {
  if (Array.isArray(value)) {
    if (SET_FIELDS.has(field) && value.every((v) => typeof v === 'string')) {
      return { '.': {}, ...Object.fromEntries(value.map((v) => [`v:${JSON.stringify(v)}`, {}])) };
    }
    if (value.every(isPlainObject) && value.length && value.every((v) => itemKey(field, v))) {
      const out: Record<string, unknown> = {};
      for (const item of value) out[itemKey(field, item) ?? ''] = { '.': {}, ...children(item as Record<string, unknown>) };
      return out;
    }
    return {};
  }
  if (isPlainObject(value)) {
    const map = MAP_FIELDS.has(field) || isMapValue;
    return { ...(map ? { '.': {} } : {}), ...children(value, MAP_FIELDS.has(field)) };
  }
  return {};
}

function children(obj: Record<string, unknown>, valuesAreMaps = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    out[`f:${k}`] = valuesAreMaps ? {} : fieldSet(k, v, false);
  }
  return out;
}

/** The FieldsV1 set of what `obj` carries (identity, status and server-owned metadata left out). */
export function fieldsV1Of(obj: KubeObject, opts: { status?: boolean } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null || ROOT_SKIP.has(k)) continue;
    if (k === 'status' && !opts.status) continue;
    if (k !== 'status' && opts.status) continue;
    if (k === 'metadata') {
      const meta = Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([mk, mv]) => !META_SKIP.has(mk) && mv !== undefined && mv !== null));
      if (Object.keys(meta).length) out['f:metadata'] = children(meta);
      continue;
    }
    out[`f:${k}`] = fieldSet(k, v, false);
  }
  return out;
}

export interface ManagerWrite {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  /** What the request carried: the applied configuration, the PUT/POST object, or the patched object. */
  fields: Record<string, unknown>;
}

/** managedFields after a write: the writer's entry replaced (or added), the others kept. */
export function withManager(existing: unknown, write: ManagerWrite): ManagedFieldsEntry[] {
  const prev = Array.isArray(existing) ? (existing as ManagedFieldsEntry[]) : [];
  const same = (e: ManagedFieldsEntry) => e.manager === write.manager && e.operation === write.operation && (e.subresource ?? '') === (write.subresource ?? '');
  const entry: ManagedFieldsEntry = {
    manager: write.manager,
    operation: write.operation,
    apiVersion: write.apiVersion,
    time: nowTimestamp(),
    fieldsType: 'FieldsV1',
    fieldsV1: write.fields,
    ...(write.subresource ? { subresource: write.subresource } : {}),
  };
  const out = prev.filter((e) => !same(e));
  const at = prev.findIndex(same);
  if (Object.keys(write.fields).length === 0 && write.operation === 'Update') return out;
  if (at >= 0) out.splice(at, 0, entry);
  else out.push(entry);
  return out;
}

/** The manager name of a request: `fieldManager`, else the user agent's program name (as the real server). */
export function managerName(query: URLSearchParams, userAgent: string | undefined): string {
  const explicit = query.get('fieldManager');
  if (explicit) return explicit;
  const prog = (userAgent ?? '').split('/')[0].trim();
  return prog || 'unknown';
}
