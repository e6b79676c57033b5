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

// === Server-side apply conflicts ===

type Fields = Record<string, unknown>;
const MISSING = Symbol('missing');

/** Leaf paths of a FieldsV1 set (each a list of `f:`/`k:`/`v:` segments). */
export function leafPaths(fields: Fields, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (k === '.') continue;
    const children = Object.keys((v ?? {}) as Fields).filter((c) => c !== '.');
    if (children.length === 0) out.push([...prefix, k]);
    else out.push(...leafPaths(v as Fields, [...prefix, k]));
  }
  return out;
}

function hasPath(fields: Fields, path: string[]): boolean {
  let cur: unknown = fields;
  for (const seg of path) {
    if (!isPlainObject(cur) || !(seg in cur)) return false;
    cur = cur[seg];
  }
  return true;
}

function removePath(fields: Fields, path: string[]): void {
  const [head, ...rest] = path;
  if (!(head in fields)) return;
  if (rest.length === 0) {
    delete fields[head];
    return;
  }
  const child = fields[head];
  if (!isPlainObject(child)) return;
  removePath(child, rest);
  // a node left with nothing of its own goes too
  if (Object.keys(child).every((k) => k === '.')) delete fields[head];
}

function valueAt(obj: unknown, path: string[]): unknown {
  let cur: unknown = obj;
  for (const seg of path) {
    if (seg.startsWith('f:')) {
      if (!isPlainObject(cur) || !(seg.slice(2) in cur)) return MISSING;
      cur = cur[seg.slice(2)];
    } else if (seg.startsWith('k:')) {
      const key = JSON.parse(seg.slice(2)) as Record<string, unknown>;
      if (!Array.isArray(cur)) return MISSING;
      cur = cur.find((item) => isPlainObject(item) && Object.entries(key).every(([k, v]) => (item[k] ?? (k === 'protocol' ? 'TCP' : undefined)) === v));
      if (cur === undefined) return MISSING;
    } else if (seg.startsWith('v:')) {
      const v = JSON.parse(seg.slice(2));
      return Array.isArray(cur) && cur.includes(v) ? v : MISSING;
    }
  }
  return cur;
}

/** `.spec.containers[name="c"].image`, as the real conflict messages print paths. */
export function pathText(path: string[]): string {
  return path
    .map((seg) => {
      if (seg.startsWith('f:')) return `.${seg.slice(2)}`;
      if (seg.startsWith('k:')) {
        const key = JSON.parse(seg.slice(2)) as Record<string, unknown>;
        return `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
      }
      return `[=${seg.slice(2)}]`;
    })
    .join('');
}

export interface ApplyConflict {
  manager: string;
  apiVersion: string;
  path: string[];
}

/** Fields the applier sets to a different value than another manager owns them with. */
export function applyConflicts(current: KubeObject, applied: KubeObject, manager: string): ApplyConflict[] {
  const appliedFields = fieldsV1Of(applied);
  const out: ApplyConflict[] = [];
  for (const e of (current.metadata.managedFields ?? []) as ManagedFieldsEntry[]) {
    if (e.manager === manager && e.operation === 'Apply') continue;
    if (e.subresource) continue;
    for (const leaf of leafPaths(appliedFields)) {
      if (!hasPath(e.fieldsV1, leaf)) continue;
      const a = valueAt(applied, leaf);
      const c = valueAt(current, leaf);
      if (JSON.stringify(a) !== JSON.stringify(c)) out.push({ manager: e.manager, apiVersion: e.apiVersion, path: leaf });
    }
  }
  return out;
}

/** With `force`, the applier takes the conflicting fields: they leave the other managers' sets. */
export function takeOwnership(entries: unknown, conflicts: ApplyConflict[]): ManagedFieldsEntry[] {
  const list = structuredClone(Array.isArray(entries) ? (entries as ManagedFieldsEntry[]) : []);
  for (const c of conflicts) {
    for (const e of list) if (e.manager === c.manager && !e.subresource) removePath(e.fieldsV1, c.path);
  }
  return list.filter((e) => leafPaths(e.fieldsV1).length > 0);
}

function deleteAt(obj: unknown, path: string[]): void {
  let cur: unknown = obj;
  for (const [i, seg] of path.entries()) {
    const last = i === path.length - 1;
    if (seg.startsWith('f:')) {
      if (!isPlainObject(cur)) return;
      if (last) delete cur[seg.slice(2)];
      else cur = cur[seg.slice(2)];
    } else if (seg.startsWith('k:')) {
      if (!Array.isArray(cur)) return;
      const key = JSON.parse(seg.slice(2)) as Record<string, unknown>;
      const at = cur.findIndex((item) => isPlainObject(item) && Object.entries(key).every(([k, v]) => (item[k] ?? (k === 'protocol' ? 'TCP' : undefined)) === v));
      if (at < 0) return;
      if (last) cur.splice(at, 1);
      else cur = cur[at];
    } else if (seg.startsWith('v:')) {
      if (!Array.isArray(cur)) return;
      const v = JSON.parse(seg.slice(2));
      const at = cur.indexOf(v);
      if (at >= 0) cur.splice(at, 1);
      return;
    }
  }
}

/**
 * What server-side apply removes: fields the manager applied before, left out now, and owned by no one else
 * (the shortest such path goes, so a dropped list item or label leaves whole).
 */
export function pruneUnapplied(merged: KubeObject, owners: unknown, manager: string, applied: KubeObject): void {
  const entries = Array.isArray(owners) ? (owners as ManagedFieldsEntry[]) : [];
  const previous = entries.find((e) => e.manager === manager && e.operation === 'Apply' && !e.subresource);
  if (!previous) return;
  const now = fieldsV1Of(applied);
  const others = entries.filter((e) => e !== previous && !e.subresource);
  for (const leaf of leafPaths(previous.fieldsV1)) {
    if (hasPath(now, leaf)) continue;
    for (let n = 1; n <= leaf.length; n++) {
      const prefix = leaf.slice(0, n);
      if (hasPath(now, prefix) || others.some((e) => hasPath(e.fieldsV1, prefix))) continue;
      deleteAt(merged, prefix);
      break;
    }
  }
}
