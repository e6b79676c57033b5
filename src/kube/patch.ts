/** JSON patch (RFC 6902), JSON merge patch (RFC 7386) and Kubernetes strategic merge patch. */
import { KubeApiError, badRequest } from './status.js';
import { deepClone, deepEqual, isPlainObject } from './types.js';

type Obj = Record<string, unknown>;

export class PatchError extends KubeApiError {
  constructor(message: string, httpCode = 422) {
    super(httpCode, httpCode === 422 ? 'Invalid' : 'BadRequest', message);
    this.name = 'PatchError';
  }
}

// === JSON patch ===

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer "${pointer}"`, 400);
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, segs: string[], path: string): unknown {
  let cur = doc;
  for (const s of segs.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(s)];
    else if (isPlainObject(cur)) cur = cur[s];
    else cur = undefined;
    if (cur === undefined) throw new PatchError(`jsonpatch: path ${path} does not exist (missing ${s})`);
  }
  return cur;
}

function getAt(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const s of parsePointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(s)] : isPlainObject(cur) ? cur[s] : undefined;
    if (cur === undefined) throw new PatchError(`jsonpatch: path ${path} does not exist`);
  }
  return cur;
}

function removeAt(doc: unknown, path: string): unknown {
  const segs = parsePointer(path);
  const parent = parentOf(doc, segs, path);
  const last = segs[segs.length - 1];
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!(i >= 0 && i < parent.length)) throw new PatchError(`jsonpatch remove: index ${last} out of range`);
    return parent.splice(i, 1)[0];
  }
  if (!isPlainObject(parent) || !(last in parent)) throw new PatchError(`jsonpatch remove operation does not apply: doc is missing key: ${path}`);
  const old = parent[last];
  delete parent[last];
  return old;
}

function addAt(doc: unknown, path: string, value: unknown, replace: boolean): unknown {
  const segs = parsePointer(path);
  if (segs.length === 0) return deepClone(value);
  const parent = parentOf(doc, segs, path);
  const last = segs[segs.length - 1];
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!(i >= 0 && i <= parent.length)) throw new PatchError(`jsonpatch: index ${last} out of range`);
    if (replace) parent[i] = deepClone(value);
    else parent.splice(i, 0, deepClone(value));
  } else if (isPlainObject(parent)) {
    if (replace && !(last in parent)) throw new PatchError(`jsonpatch replace operation does not apply: doc is missing key: ${path}`);
    parent[last] = deepClone(value);
  } else throw new PatchError(`jsonpatch: path ${path} does not exist`);
  return doc;
}

export interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

export function applyJsonPatch<T>(original: T, ops: unknown): T {
  if (!Array.isArray(ops)) throw badRequest('json patch must be a JSON array of operations');
  let doc: unknown = deepClone(original);
  for (const op of ops as JsonPatchOp[]) {
    switch (op.op) {
      case 'add':
        doc = addAt(doc, op.path, op.value, false);
        break;
      case 'replace':
        doc = addAt(doc, op.path, op.value, true);
        break;
      case 'remove':
        removeAt(doc, op.path);
        break;
      case 'move': {
        const v = removeAt(doc, op.from ?? '');
        doc = addAt(doc, op.path, v, false);
        break;
      }
      case 'copy':
        doc = addAt(doc, op.path, getAt(doc, op.from ?? ''), false);
        break;
      case 'test':
        if (!deepEqual(getAt(doc, op.path), op.value)) throw new PatchError(`jsonpatch test operation does not apply: ${op.path}`);
        break;
      default:
        throw new PatchError(`Unexpected kind: ${String(op.op)}`, 400);
    }
  }
  return doc as T;
}

// === JSON merge patch ===

export function applyMergePatch<T>(original: T, patch: unknown): T {
  if (!isPlainObject(patch)) return deepClone(patch) as T;
  const out: Obj = isPlainObject(original) ? deepClone(original) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out as T;
}

// === strategic merge patch ===

const MERGE_KEYS: Record<string, string> = {
  containers: 'name', initContainers: 'name', ephemeralContainers: 'name', env: 'name', volumes: 'name',
  volumeMounts: 'mountPath', volumeDevices: 'devicePath', imagePullSecrets: 'name', conditions: 'type',
  ownerReferences: 'uid', hostAliases: 'ip', topologySpreadConstraints: 'topologyKey', resourceClaims: 'name',
  schedulingGates: 'name', podIPs: 'ip', addresses: 'type', taints: 'key', readinessGates: 'conditionType',
};
const SET_LISTS = new Set(['finalizers']);

/** The patchMergeKey of a list field; `ports` depends on whether it sits in a container or a service. */
export function mergeKeyFor(field: string, path: readonly string[]): string | undefined {
  if (field === 'ports') {
    return path.some((p) => p === 'containers' || p === 'initContainers' || p === 'ephemeralContainers') ? 'containerPort' : 'port';
  }
  return MERGE_KEYS[field];
}

function reorder(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const pos = (e: unknown) =>
    order.findIndex((o) => (key && isPlainObject(o) && isPlainObject(e) ? o[key] === e[key] : deepEqual(o, e)));
  const known = list.filter((e) => pos(e) >= 0).sort((a, b) => pos(a) - pos(b));
  return [...known, ...list.filter((e) => pos(e) < 0)];
}

function mergeList(orig: unknown, patch: unknown[], field: string, path: string[]): unknown[] {
  const key = mergeKeyFor(field, path);
  const childPath = [...path, field];
  if (key && patch.every(isPlainObject)) {
    const items = patch as Obj[];
    if (items.some((e) => e.$patch === 'replace')) {
      return items.filter((e) => e.$patch !== 'replace').map((e) => strategicMerge({}, e, childPath) as Obj);
    }
    const result: unknown[] = Array.isArray(orig) ? deepClone(orig) : [];
    for (const item of items) {
      const idx = result.findIndex((e) => isPlainObject(e) && e[key] === item[key]);
      if (item.$patch === 'delete') {
        if (idx >= 0) result.splice(idx, 1);
      } else if (idx >= 0) result[idx] = strategicMerge(result[idx], item, childPath);
      else result.push(strategicMerge({}, item, childPath));
    }
    return result;
  }
  if (SET_LISTS.has(field) && Array.isArray(orig)) {
    return [...orig, ...patch.filter((v) => !orig.some((o) => deepEqual(o, v)))];
  }
  return deepClone(patch);
}

/** Applies a strategic merge patch; `$patch`, `$retainKeys`, `$setElementOrder/…` and `$deleteFromPrimitiveList/…` honoured. */
export function strategicMerge(original: unknown, patch: unknown, path: string[] = []): unknown {
  if (!isPlainObject(patch)) return deepClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _drop, ...rest } = patch;
    return strategicMerge({}, rest, path);
  }
  const out: Obj = isPlainObject(original) ? deepClone(original) : {};
  const orders: [string, unknown[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue;
    if (k.startsWith('$setElementOrder/')) {
      if (Array.isArray(v)) orders.push([k.slice('$setElementOrder/'.length), v]);
      continue;
    }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[field]) && Array.isArray(v)) out[field] = (out[field] as unknown[]).filter((e) => !v.includes(e));
      continue;
    }
    if (k.startsWith('$')) continue;
    if (v === null) delete out[k];
    else if (Array.isArray(v)) out[k] = mergeList(out[k], v, k, path);
    else if (isPlainObject(v) && v.$patch === 'delete') delete out[k];
    else if (isPlainObject(v)) out[k] = strategicMerge(out[k], v, [...path, k]);
    else out[k] = v;
  }
  for (const [field, order] of orders) {
    if (Array.isArray(out[field])) out[field] = reorder(out[field] as unknown[], order, mergeKeyFor(field, path));
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as string[]);
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
  }
  return out;
}
