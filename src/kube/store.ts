/** The in-memory object store: one global resourceVersion counter, owner-reference cascades, change listeners. */
import { randomBytes, randomUUID } from 'node:crypto';
import { applyDefaults, carryOver, validate } from './defaults.js';
import { buildNode } from './nodes.js';
import { apiVersionOf, resourceForKind, type ResourceDef } from './registry.js';
import { matchesFields, matchesLabels, type FieldRequirement, type LabelRequirement } from './selectors.js';
import { alreadyExists, badRequest, conflict, invalid, KubeApiError, notFound } from './status.js';
import { deepClone, deepEqual, type KubeObject } from './types.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';
export type ChangeListener = (type: ChangeType, def: ResourceDef, obj: KubeObject) => void;

export interface ListOptions {
  namespace?: string;
  labels?: LabelRequirement[];
  fields?: FieldRequirement[];
}

export interface WriteOptions {
  dryRun?: boolean;
  /** `status` writes change only .status; the main resource keeps the stored status. */
  subresource?: string;
}

export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  /** Pods: overrides spec.terminationGracePeriodSeconds; 0 deletes at once (the kubelet's final delete). */
  gracePeriodSeconds?: number;
  /** Refuse (409) unless the stored object still has this uid. */
  preconditionUid?: string;
}

export const INITIAL_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Finalizers that hold an object's deletion: metadata.finalizers, and for namespaces spec.finalizers too. */
export function pendingFinalizers(def: ResourceDef, obj: KubeObject): string[] {
  const spec = def.kind === 'Namespace' ? ((obj as { spec?: { finalizers?: string[] } }).spec?.finalizers ?? []) : [];
  return [...(obj.metadata.finalizers ?? []), ...spec];
}

export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

const keyOf = (def: ResourceDef) => `${def.group}/${def.plural}`;
const idOf = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;

function stripVolatile(o: KubeObject): KubeObject {
  const c = deepClone(o);
  delete c.metadata.resourceVersion;
  delete c.metadata.managedFields;
  delete c.metadata.generation;
  return c;
}

export class KubeStore {
  private readonly buckets = new Map<string, Map<string, KubeObject>>();
  private readonly listeners = new Set<ChangeListener>();
  private rv = 1;

  constructor() {
    for (const ns of INITIAL_NAMESPACES) this.create(resourceForKind('Namespace'), undefined, { metadata: { name: ns } });
  }

  resourceVersion(): string {
    return String(this.rv);
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private bucket(def: ResourceDef): Map<string, KubeObject> {
    let b = this.buckets.get(keyOf(def));
    if (!b) this.buckets.set(keyOf(def), (b = new Map()));
    return b;
  }

  private emit(type: ChangeType, def: ResourceDef, obj: KubeObject): void {
    for (const l of [...this.listeners]) l(type, def, deepClone(obj));
  }

  get(def: ResourceDef, ns: string | undefined, name: string): KubeObject | undefined {
    const o = this.bucket(def).get(idOf(def.namespaced ? ns : undefined, name));
    return o && deepClone(o);
  }

  require(def: ResourceDef, ns: string | undefined, name: string): KubeObject {
    const o = this.get(def, ns, name);
    if (!o) throw notFound(def.plural, def.group, name);
    return o;
  }

  list(def: ResourceDef, opts: ListOptions = {}): KubeObject[] {
    const out: KubeObject[] = [];
    for (const o of this.bucket(def).values()) {
      if (def.namespaced && opts.namespace && o.metadata.namespace !== opts.namespace) continue;
      if (opts.labels && !matchesLabels(opts.labels, o.metadata.labels)) continue;
      if (opts.fields && !matchesFields(opts.fields, o)) continue;
      out.push(deepClone(o));
    }
    return out.sort((a, b) =>
      `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`),
    );
  }

  private checkNamespace(def: ResourceDef, ns: string | undefined, obj: KubeObject, creating = false): string | undefined {
    if (!def.namespaced) {
      delete obj.metadata.namespace;
      return undefined;
    }
    const target = ns ?? obj.metadata.namespace ?? 'default';
    if (obj.metadata.namespace && obj.metadata.namespace !== target) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const namespace = this.bucket(resourceForKind('Namespace')).get(idOf(undefined, target));
    if (!namespace) throw notFound('namespaces', '', target);
    if (creating && namespace.metadata.deletionTimestamp) {
      throw new KubeApiError(403, 'Forbidden', `${def.plural} "${obj.metadata.name ?? ''}" is forbidden: unable to create new content in namespace ${target} because it is being terminated`, { name: obj.metadata.name, group: def.group || undefined, kind: def.plural, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${target} is being terminated`, field: 'metadata.namespace' }] });
    }
    obj.metadata.namespace = target;
    return target;
  }

  create(def: ResourceDef, ns: string | undefined, input: KubeObject, opts: WriteOptions = {}): KubeObject {
    const obj = deepClone(input);
    obj.metadata ??= {};
    obj.apiVersion = apiVersionOf(def);
    obj.kind = def.kind;
    const target = this.checkNamespace(def, ns, obj, true);
    if (!obj.metadata.name && obj.metadata.generateName) {
      obj.metadata.name = `${obj.metadata.generateName}${randomBytes(4).toString('hex').slice(0, 5)}`;
    }
    const name = obj.metadata.name;
    if (!name) {
      throw invalid(def.kind, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required', reason: 'FieldValueRequired' }]);
    }
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253) {
      throw invalid(def.kind, name, [{ field: 'metadata.name', message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'` }]);
    }
    if (this.bucket(def).has(idOf(target, name))) throw alreadyExists(def.plural, def.group, name);
    applyDefaults(obj);
    const causes = validate(obj);
    if (causes.length) throw invalid(def.kind, name, causes);
    Object.assign(obj.metadata, {
      uid: randomUUID(),
      creationTimestamp: nowTimestamp(),
      resourceVersion: opts.dryRun ? this.resourceVersion() : String(++this.rv),
      ...(def.hasSpec ? { generation: 1 } : {}),
    });
    delete obj.metadata.deletionTimestamp;
    delete obj.metadata.deletionGracePeriodSeconds;
    if (opts.dryRun) return obj;
    this.bucket(def).set(idOf(target, name), obj);
    this.emit('ADDED', def, obj);
    if (def.kind === 'Namespace') this.create(resourceForKind('ServiceAccount'), name, { metadata: { name: 'default' } });
    return deepClone(obj);
  }

  update(def: ResourceDef, ns: string | undefined, name: string, input: KubeObject, opts: WriteOptions = {}): KubeObject {
    const current = this.require(def, ns, name);
    const obj = deepClone(input);
    obj.metadata ??= {};
    if (obj.metadata.name && obj.metadata.name !== name) {
      throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    }
    const rv = obj.metadata.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) throw conflict(def.plural, def.group, name);
    let next: KubeObject;
    if (opts.subresource === 'status') {
      next = { ...current, status: obj.status };
    } else {
      next = { ...obj, apiVersion: apiVersionOf(def), kind: def.kind };
      if (def.subresources.includes('status') && current.status !== undefined) next.status = current.status;
      next.metadata = {
        ...obj.metadata,
        name,
        namespace: current.metadata.namespace,
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
      };
      if (!def.namespaced) delete next.metadata.namespace;
      // clients cannot set or clear a deletion in progress
      delete next.metadata.deletionTimestamp;
      delete next.metadata.deletionGracePeriodSeconds;
      if (current.metadata.deletionTimestamp) {
        next.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
        next.metadata.deletionGracePeriodSeconds = current.metadata.deletionGracePeriodSeconds;
      }
      carryOver(current, next);
      applyDefaults(next);
      const causes = validate(next);
      if (causes.length) throw invalid(def.kind, name, causes);
    }
    next.metadata.generation = current.metadata.generation;
    if (def.hasSpec && !deepEqual(next.spec, current.spec)) next.metadata.generation = (current.metadata.generation ?? 1) + 1;
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    if (deepEqual(stripVolatile(next), stripVolatile(current))) return current;
    if (opts.dryRun) return next;
    next.metadata.resourceVersion = String(++this.rv);
    if (next.metadata.deletionTimestamp && pendingFinalizers(def, next).length === 0 && !(next.metadata.deletionGracePeriodSeconds ?? 0)) {
      // the last finalizer is gone: the deletion completes now
      return this.remove(def, next, {});
    }
    this.bucket(def).set(idOf(current.metadata.namespace, name), next);
    this.emit('MODIFIED', def, next);
    return deepClone(next);
  }

  delete(def: ResourceDef, ns: string | undefined, name: string, opts: DeleteOptions = {}): KubeObject {
    const current = this.require(def, ns, name);
    if (opts.preconditionUid && current.metadata.uid !== opts.preconditionUid) {
      throw new KubeApiError(409, 'Conflict', `Operation cannot be fulfilled on ${def.plural}${def.group ? `.${def.group}` : ''} "${name}": Precondition failed: UID in precondition: ${opts.preconditionUid}, UID in object meta: ${current.metadata.uid}`, { name, group: def.group || undefined, kind: def.plural });
    }
    if (opts.dryRun) return current;
    const pending = this.pendingDeletion(def, current, opts);
    if (pending) return pending;
    return this.remove(def, current, opts);
  }

  /**
   * Graceful deletion and finalizers: a pod on a node gets a deletionTimestamp and its grace period (the kubelet
   * stops it, then deletes with grace 0); an object with finalizers (a namespace's `kubernetes` one included) stays,
   * marked, until the last finalizer is removed. Returns the marked object, or undefined to delete at once.
   */
  private pendingDeletion(def: ResourceDef, current: KubeObject, opts: DeleteOptions): KubeObject | undefined {
    const m = current.metadata;
    const pod = current as KubeObject & { spec?: { nodeName?: string; terminationGracePeriodSeconds?: number }; status?: { phase?: string } };
    const podGrace =
      def.kind === 'Pod' && pod.spec?.nodeName && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed'
        ? Math.max(0, opts.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30)
        : 0;
    if (podGrace === 0 && pendingFinalizers(def, current).length === 0) return undefined;
    if (m.deletionTimestamp && (def.kind !== 'Pod' || podGrace >= Number(m.deletionGracePeriodSeconds ?? 0))) return current;
    const next = deepClone(current);
    next.metadata.deletionTimestamp = new Date(Date.now() + podGrace * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    next.metadata.deletionGracePeriodSeconds = podGrace;
    if (def.kind === 'Namespace') next.status = { ...(next.status as object), phase: 'Terminating' };
    next.metadata.resourceVersion = String(++this.rv);
    this.bucket(def).set(idOf(m.namespace, m.name ?? ''), next);
    this.emit('MODIFIED', def, next);
    return deepClone(next);
  }

  private remove(def: ResourceDef, current: KubeObject, opts: DeleteOptions): KubeObject {
    const name = current.metadata.name ?? '';
    this.bucket(def).delete(idOf(current.metadata.namespace, name));
    this.rv++;
    current.metadata.deletionTimestamp ??= nowTimestamp();
    this.emit('DELETED', def, current);
    if (def.kind === 'Namespace') this.purgeNamespace(name);
    this.cascade(current.metadata.uid ?? '', opts.propagationPolicy === 'Orphan');
    return current;
  }

  private purgeNamespace(ns: string): void {
    for (const [key, bucket] of this.buckets) {
      for (const [id, o] of bucket) {
        if (o.metadata.namespace !== ns) continue;
        bucket.delete(id);
        const [group, plural] = key.split('/');
        const def = resourceForKind(o.kind ?? '');
        if (def.group === group && def.plural === plural) this.emit('DELETED', def, o);
      }
    }
  }

  private cascade(ownerUid: string, orphan: boolean): void {
    for (const bucket of this.buckets.values()) {
      for (const o of [...bucket.values()]) {
        const refs = o.metadata.ownerReferences ?? [];
        if (!refs.some((r) => r.uid === ownerUid)) continue;
        const def = resourceForKind(o.kind ?? '');
        if (orphan) {
          const next = deepClone(o);
          next.metadata.ownerReferences = refs.filter((r) => r.uid !== ownerUid);
          if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
          this.update(def, o.metadata.namespace, o.metadata.name ?? '', next);
        } else if (this.get(def, o.metadata.namespace, o.metadata.name ?? '')) {
          this.delete(def, o.metadata.namespace, o.metadata.name ?? '', { propagationPolicy: 'Background' });
        }
      }
    }
  }

  /** Adds (or relabels) a Ready node; workers call this when they join. */
  registerNode(name: string, labels: Record<string, string> = {}): KubeObject {
    const def = resourceForKind('Node');
    const existing = this.get(def, undefined, name);
    const node = buildNode(name, labels);
    if (!existing) return this.create(def, undefined, node);
    return this.update(def, undefined, name, { ...existing, metadata: { ...existing.metadata, labels: { ...existing.metadata.labels, ...labels } } });
  }

  /** Removes a node (a worker left); pods bound to it stay (as on a real cluster until evicted). */
  unregisterNode(name: string): void {
    const def = resourceForKind('Node');
    if (this.get(def, undefined, name)) this.delete(def, undefined, name);
  }
}
