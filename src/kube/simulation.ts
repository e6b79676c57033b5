/** Simulated controllers: Deployment → ReplicaSet → Pods, status roll-up, and pod start-up after a delay. */
import { createHash, randomInt } from 'node:crypto';
import { recordEvent } from './events.js';
import { isPodReady, startPod } from './kubelet.js';
import { apiVersionOf, resourceForKind, type ResourceDef } from './registry.js';
import { selectorFromLabels } from './selectors.js';
import { nowTimestamp, type KubeStore } from './store.js';
import { deepEqual, type KubeObject } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export interface SimulationOptions {
  /** Delay before a new pod is scheduled and Running (ms). Default 200. */
  podStartDelayMs?: number;
}

const DEPLOY = resourceForKind('Deployment');
const RS = resourceForKind('ReplicaSet');
const POD = resourceForKind('Pod');
const SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

function randomSuffix(n = 5): string {
  return Array.from({ length: n }, () => SUFFIX_CHARS[randomInt(SUFFIX_CHARS.length)]).join('');
}

/** Drops nulls (kubectl sends `creationTimestamp: null`) and the hash label itself, so equal templates hash equal. */
function normalized(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalized);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== null && x !== undefined && k !== 'pod-template-hash') out[k] = normalized(x);
  }
  return out;
}

function templateHash(template: unknown): string {
  const h = createHash('sha256').update(JSON.stringify(normalized(template ?? {}))).digest();
  return Array.from(h.subarray(0, 10), (b) => SUFFIX_CHARS[b % SUFFIX_CHARS.length]).join('');
}

function controllerRef(owner: KubeObject, def: ResourceDef) {
  return { apiVersion: apiVersionOf(def), kind: def.kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

function ownedBy(objs: KubeObject[], owner: KubeObject): KubeObject[] {
  return objs.filter((o) => (o.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid));
}

/** Keeps a condition's timestamps when nothing about it changed (so status writes converge). */
function condition(prev: Any[] | undefined, type: string, status: string, reason: string, message: string): Any {
  const old = (prev ?? []).find((c) => c.type === type);
  const now = nowTimestamp();
  if (old && old.status === status && old.reason === reason) return { ...old, message };
  return { type, status, lastUpdateTime: now, lastTransitionTime: old?.status === status ? old.lastTransitionTime : now, reason, message };
}

export class Simulation {
  private readonly timers = new Set<NodeJS.Timeout>();
  private pending = false;
  private stopped = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly store: KubeStore, private readonly opts: SimulationOptions = {}) {
    this.unsubscribe = store.onChange((type, def, obj) => {
      if (def.kind === 'Pod' && type === 'ADDED' && !(obj as Any).spec?.nodeName) this.schedulePod(obj);
      if (def.kind === 'Node' && type !== 'DELETED') this.retryPending();
      if (def.kind === 'Deployment' || def.kind === 'ReplicaSet' || def.kind === 'Pod') this.scheduleReconcile();
    });
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    t.unref?.();
    this.timers.add(t);
  }

  private schedulePod(pod: KubeObject): void {
    const ns = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name ?? '';
    this.later(this.opts.podStartDelayMs ?? 200, () => startPod(this.store, ns, name));
  }

  private retryPending(): void {
    for (const p of this.store.list(POD)) {
      if ((p as Any).status?.phase === 'Pending' && !(p as Any).spec?.nodeName) this.schedulePod(p);
    }
  }

  private scheduleReconcile(): void {
    if (this.pending || this.stopped) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      if (!this.stopped) this.reconcile();
    });
  }

  /** One pass over all controllers; writes only differences, so passes converge. */
  reconcile(): void {
    for (const d of this.store.list(DEPLOY)) this.reconcileDeployment(d);
    for (const rs of this.store.list(RS)) this.reconcileReplicaSet(rs);
    for (const d of this.store.list(DEPLOY)) this.deploymentStatus(d);
  }

  private reconcileDeployment(d: Any): void {
    const ns = d.metadata.namespace;
    const hash = templateHash(d.spec.template);
    const name = `${d.metadata.name}-${hash}`;
    const owned = ownedBy(this.store.list(RS, { namespace: ns }), d) as Any[];
    const replicas = d.spec.replicas ?? 1;
    let current = owned.find((rs) => rs.metadata.name === name);
    const revisionOf = (rs: Any) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
    const maxRevision = Math.max(0, ...owned.map(revisionOf));
    if (current && revisionOf(current) < maxRevision) {
      // a rollback to an older template: that ReplicaSet becomes the newest revision again
      const annotations = { ...current.metadata.annotations, 'deployment.kubernetes.io/revision': String(maxRevision + 1) };
      current = this.store.update(RS, ns, name, { ...current, metadata: { ...current.metadata, annotations } }) as Any;
    }
    if (!current) {
      const labels = { ...d.spec.template?.metadata?.labels, 'pod-template-hash': hash };
      const revision = maxRevision + 1;
      current = this.store.create(RS, ns, {
        metadata: {
          name,
          labels,
          annotations: { 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas), 'deployment.kubernetes.io/revision': String(revision) },
          ownerReferences: [controllerRef(d, DEPLOY)],
        },
        spec: {
          replicas,
          selector: { ...d.spec.selector, matchLabels: { ...d.spec.selector?.matchLabels, 'pod-template-hash': hash } },
          template: { ...d.spec.template, metadata: { ...d.spec.template?.metadata, labels } },
        },
      });
      recordEvent(this.store, d, { reason: 'ScalingReplicaSet', message: `Scaled up replica set ${name} from 0 to ${replicas}`, component: 'deployment-controller' });
    } else if (current.spec.replicas !== replicas) {
      const from = current.spec.replicas;
      this.store.update(RS, ns, name, { ...current, spec: { ...current.spec, replicas } });
      const verb = replicas > from ? 'up' : 'down';
      recordEvent(this.store, d, { reason: 'ScalingReplicaSet', message: `Scaled ${verb} replica set ${name} from ${from} to ${replicas}`, component: 'deployment-controller' });
    }
    const revision = String(revisionOf(current));
    if (d.metadata.annotations?.['deployment.kubernetes.io/revision'] !== revision) {
      const fresh = this.store.get(DEPLOY, ns, d.metadata.name);
      if (fresh) {
        const annotations = { ...fresh.metadata.annotations, 'deployment.kubernetes.io/revision': revision };
        this.store.update(DEPLOY, ns, d.metadata.name, { ...fresh, metadata: { ...fresh.metadata, annotations } });
      }
    }
    for (const old of owned) {
      if (old.metadata.name === name || old.spec.replicas === 0) continue;
      this.store.update(RS, ns, old.metadata.name, { ...old, spec: { ...old.spec, replicas: 0 } });
      recordEvent(this.store, d, { reason: 'ScalingReplicaSet', message: `Scaled down replica set ${old.metadata.name} from ${old.spec.replicas} to 0`, component: 'deployment-controller' });
    }
  }

  private reconcileReplicaSet(rs: Any): void {
    const ns = rs.metadata.namespace;
    const labels = selectorFromLabels(rs.spec.selector?.matchLabels);
    let pods = ownedBy(this.store.list(POD, { namespace: ns, labels }), rs) as Any[];
    const want = rs.spec.replicas ?? 1;
    for (let i = pods.length; i < want; i++) {
      const name = `${rs.metadata.name}-${randomSuffix()}`;
      this.store.create(POD, ns, {
        metadata: { name, labels: { ...rs.spec.template?.metadata?.labels }, annotations: rs.spec.template?.metadata?.annotations, ownerReferences: [controllerRef(rs, RS)] },
        spec: structuredClone(rs.spec.template?.spec ?? {}),
      });
      recordEvent(this.store, rs, { reason: 'SuccessfulCreate', message: `Created pod: ${name}`, component: 'replicaset-controller' });
    }
    if (pods.length > want) {
      const victims = [...pods].sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)) || b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp)).slice(0, pods.length - want);
      for (const v of victims) {
        this.store.delete(POD, ns, v.metadata.name);
        recordEvent(this.store, rs, { reason: 'SuccessfulDelete', message: `Deleted pod: ${v.metadata.name}`, component: 'replicaset-controller' });
      }
    }
    pods = ownedBy(this.store.list(POD, { namespace: ns, labels }), rs) as Any[];
    const ready = pods.filter(isPodReady).length;
    const status = {
      replicas: pods.length,
      fullyLabeledReplicas: pods.length,
      ...(ready ? { readyReplicas: ready, availableReplicas: ready } : {}),
      observedGeneration: rs.metadata.generation,
    };
    const fresh = this.store.get(RS, ns, rs.metadata.name);
    if (fresh && !deepEqual(fresh.status, status)) this.store.update(RS, ns, rs.metadata.name, { ...fresh, status }, { subresource: 'status' });
  }

  private deploymentStatus(d: Any): void {
    const ns = d.metadata.namespace;
    const owned = ownedBy(this.store.list(RS, { namespace: ns }), d) as Any[];
    const currentName = `${d.metadata.name}-${templateHash(d.spec.template)}`;
    const sum = (f: string) => owned.reduce((n, rs) => n + (rs.status?.[f] ?? 0), 0);
    const desired = d.spec.replicas ?? 1;
    const replicas = sum('replicas');
    const available = sum('availableReplicas');
    const ready = sum('readyReplicas');
    const updated = owned.find((rs) => rs.metadata.name === currentName)?.status?.replicas ?? 0;
    const prev = d.status?.conditions;
    const isAvailable = available >= desired;
    const complete = updated === desired && available >= desired && replicas === desired;
    const status = {
      observedGeneration: d.metadata.generation,
      ...(replicas ? { replicas } : {}),
      ...(updated ? { updatedReplicas: updated } : {}),
      ...(ready ? { readyReplicas: ready } : {}),
      ...(available ? { availableReplicas: available } : {}),
      ...(replicas - available > 0 ? { unavailableReplicas: replicas - available } : {}),
      conditions: [
        condition(prev, 'Available', isAvailable ? 'True' : 'False', isAvailable ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', isAvailable ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.'),
        condition(prev, 'Progressing', 'True', complete ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated', complete ? `ReplicaSet "${currentName}" has successfully progressed.` : `ReplicaSet "${currentName}" is progressing.`),
      ],
    };
    if (!deepEqual(d.status, status)) this.store.update(DEPLOY, ns, d.metadata.name, { ...d, status }, { subresource: 'status' });
  }
}
