/**
 * The simulated control plane and node: the controllers of src/kube/controllers (level-triggered passes, debounced
 * per turn) and the kubelet running pods as simulated containers, all on one injectable clock.
 */
import { systemClock, type Clock } from './clock.js';
import type { Controller, ControllerContext } from './controllers/common.js';
import { cronJobController } from './controllers/cronjob.js';
import { daemonSetController } from './controllers/daemonset.js';
import { deploymentController } from './controllers/deployment.js';
import { disruptionController } from './controllers/disruption.js';
import { endpointsController } from './controllers/endpoints.js';
import { jobController } from './controllers/job.js';
import { namespaceController } from './controllers/namespace.js';
import { nodeLifecycleController } from './controllers/node-lifecycle.js';
import { replicaSetController } from './controllers/replicaset.js';
import { statefulSetController } from './controllers/statefulset.js';
import { Kubelet } from './kubelet.js';
import { resourceForKind } from './registry.js';
import type { KubeStore } from './store.js';

export interface SimulationOptions {
  /** Delay before a new pod is scheduled and its containers start (ms). Default 200. */
  podStartDelayMs?: number;
  /** The cluster's time: container sleeps, grace periods, back-offs, cron schedules, heartbeats. */
  clock?: Clock;
  /** The CA bundle published in every namespace as ConfigMap kube-root-ca.crt. */
  caPem?: string;
  /** Called when a controller pass throws (a bug, or a race with a deletion); the pass is retried on the next change. */
  onError?: (controller: number, err: unknown) => void;
}

/** The controllers' names, in the order Simulation runs them (the index `onError` reports). */
export const CONTROLLER_NAMES = ['namespace', 'deployment', 'replicaset', 'statefulset', 'daemonset', 'job', 'cronjob', 'endpoints', 'disruption', 'node-lifecycle'] as const;

export class Simulation {
  readonly clock: Clock;
  readonly kubelet: Kubelet;
  private readonly controllers: Controller[];
  private readonly dirty = new Set<Controller>();
  private readonly cancels = new Set<() => void>();
  private scheduled = false;
  private stopped = false;
  private readonly unsubscribe: () => void;
  private caPem: string | undefined;

  constructor(private readonly store: KubeStore, private readonly opts: SimulationOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.caPem = opts.caPem;
    this.kubelet = new Kubelet(store, { clock: this.clock, podStartDelayMs: opts.podStartDelayMs });
    const ctx: ControllerContext = {
      store,
      clock: this.clock,
      kubelet: this.kubelet,
      after: (ms, fn) => this.after(ms, fn),
      requeue: () => this.requeueAll(),
    };
    this.controllers = [
      namespaceController(ctx, () => this.caPem),
      deploymentController(ctx),
      replicaSetController(ctx),
      statefulSetController(ctx),
      daemonSetController(ctx),
      jobController(ctx),
      cronJobController(ctx),
      endpointsController(ctx),
      disruptionController(ctx),
      nodeLifecycleController(ctx),
    ];
    const byKind = new Map<string, Controller[]>();
    for (const c of this.controllers) for (const k of c.watches) byKind.set(k, [...(byKind.get(k) ?? []), c]);
    this.unsubscribe = store.onChange((type, def, obj) => {
      if (this.stopped) return;
      if (def.kind === 'Pod') this.kubelet.onPod(type, obj);
      if (def.kind === 'Node' && type !== 'DELETED') this.kubelet.retryPending();
      for (const c of byKind.get(def.kind) ?? []) this.dirty.add(c);
      if (byKind.has(def.kind)) this.schedule();
    });
    // objects already in the store (the standard namespaces, a restored cluster) get their first pass now
    for (const p of store.list(resourceForKind('Pod'))) this.kubelet.onPod('ADDED', p);
    this.requeueAll();
  }

  /** Sets the CA published as kube-root-ca.crt (known only once TLS material exists). */
  setCaPem(pem: string): void {
    this.caPem = pem;
    this.requeueAll();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    for (const c of this.controllers) c.stop?.();
    for (const c of this.cancels) c();
    this.cancels.clear();
    this.kubelet.stop();
  }

  private after(ms: number, fn: () => void): () => void {
    const cancel = this.clock.after(ms, () => {
      this.cancels.delete(cancel);
      if (!this.stopped) fn();
    });
    this.cancels.add(cancel);
    return () => {
      cancel();
      this.cancels.delete(cancel);
    };
  }

  private requeueAll(): void {
    for (const c of this.controllers) this.dirty.add(c);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.stopped) this.reconcile();
    });
  }

  /** Runs every controller with pending changes once; their writes mark controllers dirty for the next turn. */
  reconcile(): void {
    const batch = this.controllers.filter((c) => this.dirty.has(c));
    this.dirty.clear();
    for (const c of batch) {
      try {
        c.reconcile();
      } catch (err) {
        this.opts.onError?.(this.controllers.indexOf(c), err);
      }
    }
  }
}
