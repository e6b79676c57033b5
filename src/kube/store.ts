/**
 * The object store: one global resourceVersion counter, a bounded history of changes (for watch and consistent
 * paginated lists), optional crash-safe persistence in a data dir, and the storage side of deletion — graceful
 * deletion (`deletionTimestamp`, `deletionGracePeriodSeconds`), finalizers and propagation policies. The garbage
 * collector (gc.ts) does the asynchronous part (dependents, namespace contents, finalizers it owns).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { applyDefaults, carryOver, validate } from './defaults.js';
import { GarbageCollector, type GcOptions } from './gc.js';
import { buildNode } from './nodes.js';
import { StoreLog, type ChangeRecord, type ChangeType, type Snapshot } from './persistence.js';
import { RESOURCES, apiVersionOf, resourceForKind, type ResourceDef } from './registry.js';
import { matchesFields, matchesLabels, type FieldRequirement, type LabelRequirement } from './selectors.js';
import { KubeApiError, alreadyExists, badRequest, conflict, invalid, notFound } from './status.js';
import { deepClone, deepEqual, type KubeObject } from './types.js';

export type { ChangeType } from './persistence.js';
export type ChangeListener = (type: ChangeType, def: ResourceDef, obj: KubeObject) => void;

/** A change in the history: the record plus the object as it was before (undefined for ADDED). */
export interface HistoryEntry extends ChangeRecord {
  prev?: KubeObject;
}

export interface ListOptions {
  namespace?: string;
  labels?: LabelRequirement[];
  fields?: FieldRequirement[];
}

export interface WriteOptions {
  dryRun?: boolean;
  /** `status` writes change only .status; `finalize` only a namespace's spec.finalizers. */
  subresource?: string;
}

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: PropagationPolicy;
  /** Pods only (as on a real server): seconds before the kubelet must have stopped it; 0 deletes at once. */
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface StoreOptions {
  /** Directory for the change log and snapshot; absent for an in-memory store. */
  dataDir?: string;
  /**
   * Changes kept for watch and continue tokens (older resourceVersions answer 410 Gone): at least `historySize`
   * (default 1,000), and everything younger than `historyRetentionMs` (default 5 min, etcd's compaction interval),
   * but never more than `maxHistory` (default 20,000) so memory stays bounded.
   */
  historySize?: number;
  historyRetentionMs?: number;
  maxHistory?: number;
  gc?: GcOptions;
}

/** Groups whose object names are validated as path segments rather than DNS subdomains. */
const PATH_SEGMENT_NAMES: ReadonlySet<string> = new Set(['rbac.authorization.k8s.io']);

export const INITIAL_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';
export const NAMESPACE_FINALIZER = 'kubernetes';

export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

export const keyOf = (def: ResourceDef): string => `${def.group}/${def.plural}`;
const idOf = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;

function stripVolatile(o: KubeObject): KubeObject {
  const c = deepClone(o);
  delete c.metadata.resourceVersion;
  delete c.metadata.managedFields;
  delete c.metadata.generation;
  return c;
}

/** Whether `o` names `owner` among its ownerReferences. */
export function isOwnedBy(o: KubeObject, ownerUid: string): boolean {
  return (o.metadata.ownerReferences ?? []).some((r) => r.uid === ownerUid);
}

/** The finalizers that still hold an object (metadata.finalizers, plus spec.finalizers for namespaces). */
export function pendingFinalizers(o: KubeObject): string[] {
  const spec = (o as { spec?: { finalizers?: string[] } }).spec;
  return [...(o.metadata.finalizers ?? []), ...(o.kind === 'Namespace' ? spec?.finalizers ?? [] : [])];
}

export class KubeStore {
  private readonly buckets = new Map<string, Map<string, KubeObject>>();
  private readonly defs = new Map<string, ResourceDef>();
  private readonly listeners = new Set<ChangeListener>();
  private readonly recordListeners = new Set<(e: HistoryEntry) => void>();
  private history: HistoryEntry[] = [];
  /** Every change after this resourceVersion is in `history`. */
  private historyStart = 0;
  private rv = 1;
  private readonly historySize: number;
  private readonly historyRetentionMs: number;
  private readonly maxHistory: number;
  private readonly log?: StoreLog;
  private readonly gc: GarbageCollector;
  /** Whether the store was loaded from a data dir that already held objects. */
  readonly resumed: boolean;

  constructor(opts: StoreOptions = {}) {
    this.historySize = Math.max(10, opts.historySize ?? 1_000);
    this.historyRetentionMs = opts.historyRetentionMs ?? 5 * 60_000;
    this.maxHistory = Math.max(this.historySize, opts.maxHistory ?? 20_000);
    let resumed = false;
    if (opts.dataDir) {
      const { log, loaded } = StoreLog.open(opts.dataDir);
      this.log = log;
      if (loaded) {
        this.restore(loaded.snapshot, loaded.records);
        resumed = true;
      }
    }
    this.resumed = resumed;
    this.gc = new GarbageCollector(this, opts.gc);
    // (also on resume: a crash during the very first start may have left some out)
    for (const ns of INITIAL_NAMESPACES) {
      if (!this.get(resourceForKind('Namespace'), undefined, ns)) this.create(resourceForKind('Namespace'), undefined, { metadata: { name: ns } });
    }
    this.gc.start();
  }

  private restore(snapshot: Snapshot, records: ChangeRecord[]): void {
    for (const [key, id, obj] of snapshot.objects) this.bucketByKey(key).set(id, obj);
    this.historyStart = snapshot.rv;
    this.rv = Math.max(1, snapshot.rv);
    for (const r of records) {
      const bucket = this.bucketByKey(r.key);
      const prev = bucket.get(r.id);
      if (r.type === 'DELETED') bucket.delete(r.id);
      else bucket.set(r.id, r.obj);
      this.history.push({ ...r, ...(prev ? { prev } : {}) });
      this.rv = r.rv;
    }
  }

  /** Resolves once every change so far is durable (the API awaits this before answering). */
  async flush(): Promise<void> {
    if (!this.log) return;
    await this.log.flush();
    this.compactIfDue();
  }

  /** Stops the garbage collector and closes the log. */
  close(): void {
    this.gc.stop();
    this.log?.close();
  }

  resourceVersion(): string {
    return String(this.rv);
  }

  /** The oldest resourceVersion a watch or continue token may start from. */
  oldestResourceVersion(): number {
    return this.historyStart;
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Low-level feed of history entries (watch.ts). */
  onRecord(listener: (e: HistoryEntry) => void): () => void {
    this.recordListeners.add(listener);
    return () => this.recordListeners.delete(listener);
  }

  /** Changes after `rv`, oldest first; 410 Expired when they are no longer all kept. */
  changesSince(rv: number): HistoryEntry[] {
    if (rv < this.historyStart) throw expired(rv, this.historyStart);
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid].rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  /** The resource registered for a bucket key (`group/plural`). */
  defForKey(key: string): ResourceDef | undefined {
    return this.defs.get(key) ?? RESOURCES.find((r) => keyOf(r) === key);
  }

  /** Registers a resource not in the static table (e.g. a CRD's) so its stored objects can be resolved. */
  registerDef(def: ResourceDef): void {
    this.defs.set(keyOf(def), def);
  }

  /** Every stored object with its resource (for the garbage collector and RBAC). */
  *entries(): Generator<[ResourceDef, KubeObject]> {
    for (const [key, bucket] of this.buckets) {
      const def = this.defForKey(key);
      if (!def) continue;
      for (const o of bucket.values()) yield [def, o];
    }
  }

  private bucketByKey(key: string): Map<string, KubeObject> {
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = new Map()));
    return b;
  }

  private bucket(def: ResourceDef): Map<string, KubeObject> {
    if (!this.defs.has(keyOf(def))) this.defs.set(keyOf(def), def);
    return this.bucketByKey(keyOf(def));
  }

  /** Records a change (log first, so an answered write is durable), then tells listeners. */
  private commit(type: ChangeType, def: ResourceDef, obj: KubeObject, prev: KubeObject | undefined): void {
    const id = idOf(def.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name ?? '');
    // stored objects are never mutated in place (readers get clones), so history shares them with the buckets
    const record: ChangeRecord = { type, rv: Number(obj.metadata.resourceVersion), key: keyOf(def), id, obj, at: Date.now() };
    this.log?.append([record]);
    const bucket = this.bucket(def);
    if (type === 'DELETED') bucket.delete(id);
    else bucket.set(id, obj);
    const entry: HistoryEntry = { ...record, ...(prev ? { prev } : {}) };
    this.history.push(entry);
    this.compactIfDue();
    for (const l of [...this.recordListeners]) l(entry);
    for (const l of [...this.listeners]) l(type, def, deepClone(obj));
    // the collector only has work when something went away or is going away
    if (type === 'DELETED' || obj.metadata.deletionTimestamp) this.gc.notify();
  }

  /** Compacts once at least `historySize` changes may go (old enough, or beyond `maxHistory`). */
  private compactIfDue(): void {
    // on disk, compaction waits for the flush in flight (the next flush retries)
    if (this.log?.busy()) return;
    const n = this.history.length;
    if (n <= 2 * this.historySize) return;
    const horizon = Date.now() - this.historyRetentionMs;
    let cut = 0;
    const limit = n - this.historySize;
    while (cut < limit && (this.history[cut].at ?? 0) <= horizon) cut++;
    if (n - cut > this.maxHistory) cut = n - this.maxHistory;
    if (cut >= this.historySize) this.compact(cut);
  }

  /** Drops the first `cut` changes; on disk, a snapshot of the state before the first kept change. */
  private compact(cut: number): void {
    const keep = this.history.slice(cut);
    const dropped = this.history.slice(0, cut);
    const base = dropped[dropped.length - 1].rv;
    if (this.log) {
      const state = new Map<string, Map<string, KubeObject>>();
      for (const [key, bucket] of this.buckets) state.set(key, new Map(bucket));
      for (let i = keep.length - 1; i >= 0; i--) {
        const e = keep[i];
        let b = state.get(e.key);
        if (!b) state.set(e.key, (b = new Map()));
        if (e.prev) b.set(e.id, e.prev);
        else b.delete(e.id);
      }
      const objects: Snapshot['objects'] = [];
      for (const [key, b] of state) for (const [id, o] of b) objects.push([key, id, o]);
      this.log.compact({ rv: base, objects }, keep.map(({ prev: _prev, ...r }) => r));
    }
    this.history = keep;
    this.historyStart = base;
  }

  private nextRv(): string {
    return String(++this.rv);
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
    return this.select(def, this.bucket(def).values(), opts);
  }

  /** The list as it was at resourceVersion `rv` (a consistent snapshot for continue tokens); 410 when too old. */
  listAt(def: ResourceDef, rv: number, opts: ListOptions = {}): KubeObject[] {
    if (rv >= this.rv) return this.list(def, opts);
    const later = this.changesSince(rv).filter((e) => e.key === keyOf(def));
    const state = new Map(this.bucket(def));
    for (let i = later.length - 1; i >= 0; i--) {
      const e = later[i];
      if (e.prev) state.set(e.id, e.prev);
      else state.delete(e.id);
    }
    return this.select(def, state.values(), opts);
  }

  private select(def: ResourceDef, objs: Iterable<KubeObject>, opts: ListOptions): KubeObject[] {
    const out: KubeObject[] = [];
    for (const o of objs) {
      if (def.namespaced && opts.namespace && o.metadata.namespace !== opts.namespace) continue;
      if (opts.labels && !matchesLabels(opts.labels, o.metadata.labels)) continue;
      if (opts.fields && !matchesFields(opts.fields, o)) continue;
      out.push(deepClone(o));
    }
    return out.sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
  }

  private checkNamespace(def: ResourceDef, ns: string | undefined, obj: KubeObject): string | undefined {
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
    if (namespace.metadata.deletionTimestamp) {
      throw new KubeApiError(
        403,
        'Forbidden',
        `${def.group ? `${def.plural}.${def.group}` : def.plural} "${obj.metadata.name ?? obj.metadata.generateName ?? ''}" is forbidden: unable to create new content in namespace ${target} because it is being terminated`,
        { name: obj.metadata.name, group: def.group || undefined, kind: def.plural, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${target} is being terminated`, field: 'metadata.namespace' }] },
      );
    }
    obj.metadata.namespace = target;
    return target;
  }

  create(def: ResourceDef, ns: string | undefined, input: KubeObject, opts: WriteOptions = {}): KubeObject {
    const obj = deepClone(input);
    obj.metadata ??= {};
    obj.apiVersion = apiVersionOf(def);
    obj.kind = def.kind;
    const target = this.checkNamespace(def, ns, obj);
    if (!obj.metadata.name && obj.metadata.generateName) {
      obj.metadata.name = `${obj.metadata.generateName}${randomBytes(4).toString('hex').slice(0, 5)}`;
    }
    const name = obj.metadata.name;
    if (!name) {
      throw invalid(def.kind, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required', reason: 'FieldValueRequired' }]);
    }
    if (PATH_SEGMENT_NAMES.has(def.group)) {
      // RBAC objects take any path segment as name (system:masters, k3sdaas:editor), as the real server
      if (name === '.' || name === '..' || /[/%]/.test(name)) {
        throw invalid(def.kind, name, [{ field: 'metadata.name', message: `Invalid value: "${name}": may not be '.' or '..' and may not contain '/' or '%'` }]);
      }
    } else if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253) {
      throw invalid(def.kind, name, [{ field: 'metadata.name', message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'` }]);
    }
    if (this.bucket(def).has(idOf(target, name))) throw alreadyExists(def.plural, def.group, name);
    // the uid comes before defaulting and validation, as in the apiserver's BeforeCreate (a Job's selector uses it)
    obj.metadata.uid = randomUUID();
    applyDefaults(obj);
    const causes = validate(obj);
    if (causes.length) throw invalid(def.kind, name, causes);
    delete obj.metadata.deletionTimestamp;
    delete obj.metadata.deletionGracePeriodSeconds;
    Object.assign(obj.metadata, {
      creationTimestamp: nowTimestamp(),
      resourceVersion: opts.dryRun ? this.resourceVersion() : this.nextRv(),
      ...(def.hasSpec ? { generation: 1 } : {}),
    });
    if (opts.dryRun) return obj;
    this.commit('ADDED', def, obj, undefined);
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
    } else if (opts.subresource === 'finalize') {
      const spec = (obj as { spec?: { finalizers?: string[] } }).spec;
      next = { ...current, spec: { ...(current.spec as object), finalizers: spec?.finalizers ?? [] } };
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
      carryOver(current, next);
      applyDefaults(next);
      const causes = validate(next);
      if (causes.length) throw invalid(def.kind, name, causes);
    }
    // deletion state belongs to the server: clients can neither set nor clear it
    next.metadata = { ...next.metadata };
    delete next.metadata.deletionTimestamp;
    delete next.metadata.deletionGracePeriodSeconds;
    if (current.metadata.deletionTimestamp) {
      next.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
      next.metadata.deletionGracePeriodSeconds = current.metadata.deletionGracePeriodSeconds;
    }
    next.metadata.generation = current.metadata.generation;
    if (def.hasSpec && !deepEqual(next.spec, current.spec)) next.metadata.generation = (current.metadata.generation ?? 1) + 1;
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    if (deepEqual(stripVolatile(next), stripVolatile(current))) return current;
    if (opts.dryRun) return next;
    next.metadata.resourceVersion = this.nextRv();
    if (next.metadata.deletionTimestamp && pendingFinalizers(next).length === 0 && !next.metadata.deletionGracePeriodSeconds) {
      // the last finalizer is gone: the object vanishes
      this.commit('DELETED', def, next, current);
      return deepClone(next);
    }
    this.commit('MODIFIED', def, next, current);
    return deepClone(next);
  }

  /**
   * Deletes as a real API server does: at once when nothing holds the object; otherwise it gets a
   * deletionTimestamp and stays (finalizers, a pod's grace period, Foreground/Orphan propagation with dependents)
   * until the garbage collector or the kubelet lets go. Answers the object as it is after the call.
   */
  delete(def: ResourceDef, ns: string | undefined, name: string, opts: DeleteOptions = {}): KubeObject {
    const current = this.require(def, ns, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== current.metadata.uid) {
      throw new KubeApiError(409, 'Conflict', `Operation cannot be fulfilled on ${def.group ? `${def.plural}.${def.group}` : def.plural} "${name}": Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`, { name, group: def.group || undefined, kind: def.plural });
    }
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw new KubeApiError(409, 'Conflict', `Operation cannot be fulfilled on ${def.group ? `${def.plural}.${def.group}` : def.plural} "${name}": Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in meta: ${current.metadata.resourceVersion}`, { name, group: def.group || undefined, kind: def.plural });
    }
    const next = deepClone(current);
    const policy = opts.propagationPolicy;
    const uid = current.metadata.uid ?? '';
    const hasDependents = () => [...this.entries()].some(([, o]) => isOwnedBy(o, uid));
    const finalizers = [...(next.metadata.finalizers ?? [])];
    if (policy === 'Foreground' && !finalizers.includes(FOREGROUND_FINALIZER) && hasDependents()) finalizers.push(FOREGROUND_FINALIZER);
    if (policy === 'Orphan' && !finalizers.includes(ORPHAN_FINALIZER) && hasDependents()) finalizers.push(ORPHAN_FINALIZER);
    if (finalizers.length) next.metadata.finalizers = finalizers;
    const grace = def.kind === 'Pod' ? podGrace(current, opts.gracePeriodSeconds) : 0;

    if (current.metadata.deletionTimestamp) {
      // already terminating: only a shorter grace period (or new propagation finalizers) changes anything
      const curGrace = Number(current.metadata.deletionGracePeriodSeconds ?? 0);
      if (grace < curGrace) {
        next.metadata.deletionGracePeriodSeconds = grace;
        next.metadata.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
      }
      if (deepEqual(next, current) || opts.dryRun) return current;
      next.metadata.resourceVersion = this.nextRv();
      if (pendingFinalizers(next).length === 0 && !next.metadata.deletionGracePeriodSeconds) this.commit('DELETED', def, next, current);
      else this.commit('MODIFIED', def, next, current);
      return deepClone(next);
    }
    if (opts.dryRun) return current;
    next.metadata.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    next.metadata.deletionGracePeriodSeconds = grace;
    if (def.kind === 'Namespace') (next as { status?: unknown }).status = { ...(next.status as object), phase: 'Terminating' };
    next.metadata.resourceVersion = this.nextRv();
    if (grace === 0 && pendingFinalizers(next).length === 0) {
      if (!current.metadata.finalizers) delete next.metadata.finalizers;
      this.commit('DELETED', def, next, current);
    } else {
      this.commit('MODIFIED', def, next, current);
    }
    return deepClone(next);
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

  /** Resolves once the garbage collector has nothing left to do right now (tests). */
  idle(): Promise<void> {
    return this.gc.idle();
  }
}

function sortKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** A pod's grace period: the request's, else the pod's own, else 30 s; 0 when no kubelet runs it. */
function podGrace(pod: KubeObject, requested: number | undefined): number {
  const spec = (pod as { spec?: { nodeName?: string; terminationGracePeriodSeconds?: number } }).spec;
  const phase = (pod as { status?: { phase?: string } }).status?.phase;
  if (!spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  const g = requested ?? spec.terminationGracePeriodSeconds ?? 30;
  return Math.max(0, Math.floor(Number(g) || 0));
}

/** The Status a watch or list answers for a resourceVersion older than the kept history. */
export function expired(rv: number, oldest: number): KubeApiError {
  return new KubeApiError(410, 'Expired', `too old resource version: ${rv} (${oldest + 1})`);
}
