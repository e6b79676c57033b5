/**
 * CustomResourceDefinitions: creating one registers its served versions in the resource table (so discovery,
 * OpenAPI, routing, tables and validation pick them up), marks it Established, and deleting it removes them along
 * with every custom resource stored under it.
 */
import { humanDuration } from './age.js';
import type { PrinterColumn } from './printers.js';
import { registerResource, resourceForKind, unregisterResources, type ResourceDef } from './registry.js';
import { nowTimestamp, type KubeStore } from './store.js';
import type { KubeObject } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const CRD_KIND = 'CustomResourceDefinition';

/** Evaluates the JSONPath subset printer columns use: `.a.b`, `.a[0]`, `.a[?(@.k=="v")].b`. */
export function jsonPath(obj: unknown, path: string): unknown[] {
  const tokens = path.replace(/^\{|\}$/g, '').match(/\[\?\(@\.[^)]*\)\]|\[\d+\]|\[\*\]|\.[^.[]+/g) ?? [];
  let cur: unknown[] = [obj];
  for (const t of tokens) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (v === null || v === undefined) continue;
      if (t.startsWith('.')) next.push(typeof v === 'object' && Object.hasOwn(v as object, t.slice(1)) ? (v as Any)[t.slice(1)] : undefined);
      else if (t === '[*]') next.push(...(Array.isArray(v) ? v : Object.values(v as object)));
      else if (/^\[\d+\]$/.test(t)) next.push(Array.isArray(v) ? v[Number(t.slice(1, -1))] : undefined);
      else {
        const m = /^\[\?\(@\.([\w.-]+)\s*==\s*["']?([^"')]*)["']?\)\]$/.exec(t);
        if (m && Array.isArray(v)) next.push(...v.filter((x) => String(jsonPath(x, `.${m[1]}`)[0]) === m[2]));
      }
    }
    cur = next.filter((x) => x !== undefined);
  }
  return cur;
}

function printerColumn(c: Any): PrinterColumn {
  const type = (['integer', 'number', 'date'].includes(c.type) ? c.type : 'string') as PrinterColumn['type'];
  return {
    name: c.name,
    type,
    format: c.format,
    description: c.description ?? '',
    priority: c.priority ?? 0,
    cell: (o, now) => {
      const values = jsonPath(o, c.jsonPath);
      if (values.length === 0) return '<none>';
      const v = values[0];
      if (type === 'date') return typeof v === 'string' ? humanDuration(now - Date.parse(v)) : '<invalid>';
      if ((type === 'integer' || type === 'number') && typeof v === 'number') return v;
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
    },
  };
}

const NAME_COLUMN: PrinterColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  priority: 0,
  cell: (o) => o.metadata.name ?? '',
};

const AGE = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' };

/** Kubernetes version priority: GA > beta > alpha, higher numbers first (v2 > v1 > v1beta2 > v1beta1 > v1alpha1). */
function versionRank(v: string): number[] {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return [0, 0, 0];
  return [m[2] ? (m[2] === 'beta' ? 2 : 1) : 3, Number(m[1]), Number(m[3] ?? 0)];
}

function byPriority(a: string, b: string): number {
  const [x, y] = [versionRank(a), versionRank(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return y[i] - x[i];
  return a.localeCompare(b);
}

/** The resource table entries of one CRD (its served versions, preferred first). */
export function resourcesOfCrd(crd: KubeObject): ResourceDef[] {
  const spec = (crd.spec ?? {}) as Any;
  const names = spec.names ?? {};
  const versions = ((spec.versions ?? []) as Any[]).filter((v) => v.served !== false).sort((a, b) => byPriority(a.name, b.name));
  return versions.map((v) => {
    const subs = v.subresources ?? {};
    const columns = (v.additionalPrinterColumns?.length ? v.additionalPrinterColumns : [AGE]) as Any[];
    return {
      group: spec.group,
      version: v.name,
      kind: names.kind,
      plural: names.plural,
      singular: names.singular || String(names.kind).toLowerCase(),
      shortNames: names.shortNames ?? [],
      namespaced: spec.scope === 'Namespaced',
      categories: names.categories ?? [],
      verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
      subresources: [...(subs.status ? ['status'] : []), ...(subs.scale ? ['scale'] : [])],
      hasSpec: true,
      columns: [NAME_COLUMN, ...columns.map(printerColumn)],
      schema: v.schema?.openAPIV3Schema,
      crd: crd.metadata.name,
      ...(subs.scale ? { scalePaths: subs.scale } : {}),
    };
  });
}

function establish(store: KubeStore, crdDef: ResourceDef, crd: KubeObject): void {
  const status = (crd.status ?? {}) as Any;
  if ((status.conditions ?? []).some((c: Any) => c.type === 'Established' && c.status === 'True')) return;
  const spec = crd.spec as Any;
  const now = nowTimestamp();
  const cond = (type: string, reason: string, message: string) => ({ type, status: 'True', lastTransitionTime: now, reason, message });
  store.update(
    crdDef,
    undefined,
    crd.metadata.name ?? '',
    {
      ...crd,
      status: {
        acceptedNames: { ...spec.names },
        conditions: [cond('NamesAccepted', 'NoConflicts', 'no conflicts found'), cond('Established', 'InitialNamesAccepted', 'the initial names have been accepted')],
        storedVersions: ((spec.versions ?? []) as Any[]).filter((v) => v.storage).map((v) => v.name),
      },
    },
    { subresource: 'status' },
  );
}

function removeCustomResources(store: KubeStore, defs: ResourceDef[]): void {
  const first = defs[0];
  if (!first) return;
  for (const o of store.list(first)) store.delete(first, o.metadata.namespace, o.metadata.name ?? '');
}

/** A CRD naming a built-in resource (`deployments.apps`) is stored but serves nothing, as its names conflict. */
function tryRegister(d: ResourceDef): void {
  try {
    registerResource(d);
  } catch {
    /* conflicts with a built-in resource */
  }
}

/** Keeps the resource table in step with the CustomResourceDefinitions in the store; returns the unsubscribe. */
export function watchCustomResourceDefinitions(store: KubeStore): () => void {
  const crdDef = resourceForKind(CRD_KIND);
  for (const crd of store.list(crdDef)) for (const d of resourcesOfCrd(crd)) tryRegister(d);
  const unsubscribe = store.onChange((type, def, obj) => {
    if (def.kind !== CRD_KIND || def.group !== crdDef.group) return;
    const name = obj.metadata.name ?? '';
    if (type === 'DELETED') {
      removeCustomResources(store, unregisterResources(name));
      return;
    }
    const defs = resourcesOfCrd(obj);
    const stale = unregisterResources(name).filter((old) => !defs.some((d) => d.version === old.version));
    for (const d of defs) tryRegister(d);
    if (stale.length && defs.length === 0) removeCustomResources(store, stale);
    if (type === 'ADDED') establish(store, crdDef, obj);
  });
  return () => {
    unsubscribe();
    for (const crd of store.list(crdDef)) unregisterResources(crd.metadata.name ?? '');
  };
}
