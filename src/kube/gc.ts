/**
 * The garbage collector of the embedded API: what kube-controller-manager's garbage collector and namespace
 * controller do to stored objects, run after each change (coalesced, off the request path):
 * - dependents whose owners are all gone are deleted (Background); dangling owner references are dropped;
 * - `orphan`: dependents lose the owner reference, then the finalizer goes;
 * - `foregroundDeletion`: dependents are deleted first, then the finalizer goes;
 * - a Terminating namespace has its contents deleted, then its `kubernetes` finalizer is removed;
 * - a pod deleted with a grace period is let go once its (simulated) containers have stopped.
 * The last two can be switched off when another controller (the simulated kubelet, a namespace controller) does it.
 */
import type { ResourceDef } from './registry.js';
import type { KubeStore } from './store.js';
import { FOREGROUND_FINALIZER, NAMESPACE_FINALIZER, ORPHAN_FINALIZER, isOwnedBy } from './store.js';
import type { KubeObject } from './types.js';

export interface GcOptions {
  /** Delete the contents of Terminating namespaces and finalize them. Default true. */
  namespaces?: boolean;
  /**
   * Pods deleted with a grace period: ms until their simulated containers have stopped and the pod is removed
   * (never later than the grace period). `false` leaves it to a kubelet. Default 0 (stopped at once).
   */
  podTerminationMs?: number | false;
}

export class GarbageCollector {
  private scheduled = false;
  private running = false;
  private stopped = false;
  private started = false;
  private waiters: (() => void)[] = [];
  private readonly podTimers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly store: KubeStore, private readonly opts: GcOptions = {}) {}

  start(): void {
    this.started = true;
    this.notify();
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.podTimers.values()) clearTimeout(t);
    this.podTimers.clear();
    this.flushWaiters();
  }

  notify(): void {
    if (!this.started || this.stopped || this.scheduled || this.running) {
      if (this.running) this.scheduled = true;
      return;
    }
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  idle(): Promise<void> {
    if (!this.scheduled && !this.running) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private flushWaiters(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private drain(): void {
    this.scheduled = false;
    if (this.stopped) return this.flushWaiters();
    this.running = true;
    try {
      for (let i = 0; i < 50 && this.pass(); i++);
    } finally {
      this.running = false;
    }
    if (this.scheduled) {
      this.scheduled = false;
      this.notify();
    } else this.flushWaiters();
  }

  /** One sweep; true when it changed something (so another sweep may find more). */
  private pass(): boolean {
    const all = [...this.store.entries()];
    const uids = new Set(all.map(([, o]) => o.metadata.uid));
    let changed = false;
    const attempt = (fn: () => void) => {
      try {
        fn();
        changed = true;
      } catch {
        // the object changed or went away meanwhile: the next change schedules another sweep
      }
    };
    for (const [def, o] of all) {
      const ns = o.metadata.namespace;
      const name = o.metadata.name ?? '';
      if (!o.metadata.deletionTimestamp) continue;
      const finalizers = o.metadata.finalizers ?? [];
      const uid = o.metadata.uid ?? '';
      const dependents = all.filter(([, d]) => isOwnedBy(d, uid));
      if (finalizers.includes(ORPHAN_FINALIZER)) {
        for (const [ddef, d] of dependents) {
          attempt(() => this.store.update(ddef, d.metadata.namespace, d.metadata.name ?? '', withoutOwner(d, uid)));
        }
        attempt(() => this.dropFinalizer(def, o, ORPHAN_FINALIZER));
      } else if (finalizers.includes(FOREGROUND_FINALIZER)) {
        const live = dependents.filter(([ddef, d]) => this.store.get(ddef, d.metadata.namespace, d.metadata.name ?? ''));
        for (const [ddef, d] of live) {
          if (!d.metadata.deletionTimestamp) attempt(() => this.store.delete(ddef, d.metadata.namespace, d.metadata.name ?? '', { propagationPolicy: 'Foreground' }));
        }
        const blocking = live.filter(([ddef, d]) => this.store.get(ddef, d.metadata.namespace, d.metadata.name ?? ''));
        if (blocking.length === 0) attempt(() => this.dropFinalizer(def, o, FOREGROUND_FINALIZER));
      }
      if (def.kind === 'Namespace' && this.opts.namespaces !== false) this.finalizeNamespace(all, o, attempt);
      if (def.kind === 'Pod' && Number(o.metadata.deletionGracePeriodSeconds ?? 0) > 0) this.terminatePod(def, ns ?? '', name, o);
    }
    // dependents of owners that are gone
    for (const [def, o] of all) {
      const refs = o.metadata.ownerReferences ?? [];
      if (refs.length === 0) continue;
      const live = refs.filter((r) => uids.has(r.uid));
      if (live.length === refs.length) continue;
      const current = this.store.get(def, o.metadata.namespace, o.metadata.name ?? '');
      if (!current) continue;
      if (live.length === 0) {
        if (!current.metadata.deletionTimestamp) attempt(() => this.store.delete(def, o.metadata.namespace, o.metadata.name ?? '', { propagationPolicy: 'Background' }));
      } else {
        attempt(() => this.store.update(def, o.metadata.namespace, o.metadata.name ?? '', { ...current, metadata: { ...current.metadata, ownerReferences: live } }));
      }
    }
    return changed;
  }

  private dropFinalizer(def: ResourceDef, o: KubeObject, finalizer: string): void {
    const current = this.store.get(def, o.metadata.namespace, o.metadata.name ?? '');
    if (!current) return;
    const finalizers = (current.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    const next: KubeObject = { ...current, metadata: { ...current.metadata, finalizers } };
    if (finalizers.length === 0) delete next.metadata.finalizers;
    this.store.update(def, current.metadata.namespace, current.metadata.name ?? '', next);
  }

  private finalizeNamespace(all: [ResourceDef, KubeObject][], ns: KubeObject, attempt: (fn: () => void) => void): void {
    const name = ns.metadata.name;
    const spec = (ns as { spec?: { finalizers?: string[] } }).spec;
    if (!(spec?.finalizers ?? []).includes(NAMESPACE_FINALIZER)) return;
    const contents = all.filter(([def, o]) => def.namespaced && o.metadata.namespace === name);
    for (const [def, o] of contents) {
      if (!o.metadata.deletionTimestamp) attempt(() => this.store.delete(def, name, o.metadata.name ?? '', { propagationPolicy: 'Background' }));
    }
    const remaining = contents.filter(([def, o]) => this.store.get(def, name, o.metadata.name ?? ''));
    if (remaining.length) return;
    const nsDef = all.find(([, o]) => o === ns)?.[0];
    if (!nsDef) return;
    attempt(() =>
      this.store.update(nsDef, undefined, name ?? '', { ...ns, spec: { ...spec, finalizers: (spec?.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER) } }, { subresource: 'finalize' }),
    );
  }

  private terminatePod(def: ResourceDef, ns: string, name: string, pod: KubeObject): void {
    if (this.opts.podTerminationMs === false) return;
    const key = `${ns}/${name}/${pod.metadata.uid}`;
    if (this.podTimers.has(key)) return;
    const graceMs = Number(pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
    const t = setTimeout(() => {
      this.podTimers.delete(key);
      if (this.stopped) return;
      const current = this.store.get(def, ns, name);
      if (current?.metadata.uid !== pod.metadata.uid) return;
      try {
        this.store.delete(def, ns, name, { gracePeriodSeconds: 0 });
      } catch {
        // gone meanwhile
      }
    }, Math.min(graceMs, this.opts.podTerminationMs ?? 0));
    t.unref?.();
    this.podTimers.set(key, t);
  }
}

function withoutOwner(o: KubeObject, uid: string): KubeObject {
  const refs = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
  const next: KubeObject = { ...o, metadata: { ...o.metadata, ownerReferences: refs } };
  if (refs.length === 0) delete next.metadata.ownerReferences;
  return next;
}
