/** What every simulated controller shares: its context, owner references, selectors, names and conditions. */
import { createHash, randomInt } from 'node:crypto';
import { timestamp, type Clock } from '../clock.js';
import type { Kubelet } from '../kubelet.js';
import { apiVersionOf, type ResourceDef } from '../registry.js';
import type { ChangeType, KubeStore } from '../store.js';
import type { KubeObject, OwnerReference } from '../types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Any = any;

export interface ControllerContext {
  store: KubeStore;
  clock: Clock;
  kubelet: Kubelet;
  /** Runs `fn` after `ms` of the clock (cancelled when the simulation stops); returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
  /** Asks for another reconcile pass of every controller (e.g. when a timer fires). */
  requeue(): void;
}

/** A level-triggered controller: `reconcile` is one full pass that writes only differences, so passes converge. */
export interface Controller {
  /** Kinds whose changes trigger a pass. */
  watches: string[];
  reconcile(): void;
  /** Edge hook for the few things that need the event itself (the kubelet's pod lifecycle). */
  onChange?(type: ChangeType, def: ResourceDef, obj: KubeObject): void;
  stop?(): void;
}

const SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(n = 5): string {
  return Array.from({ length: n }, () => SUFFIX_CHARS[randomInt(SUFFIX_CHARS.length)]).join('');
}

/** Drops nulls (kubectl sends `creationTimestamp: null`) and the hash labels themselves, so equal templates hash equal. */
function normalized(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalized);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== null && x !== undefined && k !== 'pod-template-hash' && k !== 'controller-revision-hash') out[k] = normalized(x);
  }
  return out;
}

export function templateHash(template: unknown): string {
  const h = createHash('sha256').update(JSON.stringify(normalized(template ?? {}))).digest();
  return Array.from(h.subarray(0, 10), (b) => SUFFIX_CHARS[b % SUFFIX_CHARS.length]).join('');
}

export function controllerRef(owner: KubeObject, def: ResourceDef): OwnerReference {
  return { apiVersion: apiVersionOf(def), kind: def.kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

export function ownedBy<T extends KubeObject>(objs: T[], owner: KubeObject): T[] {
  return objs.filter((o) => (o.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid && r.controller));
}

/** A metav1.LabelSelector (matchLabels + matchExpressions) against labels; an empty selector matches everything. */
export function matchesSelector(sel: Any, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  if (!Object.entries(sel.matchLabels ?? {}).every(([k, v]) => l[k] === v)) return false;
  return ((sel.matchExpressions ?? []) as Any[]).every((e) => {
    const has = e.key in l;
    if (e.operator === 'In') return has && (e.values ?? []).includes(l[e.key]);
    if (e.operator === 'NotIn') return !has || !(e.values ?? []).includes(l[e.key]);
    if (e.operator === 'Exists') return has;
    if (e.operator === 'DoesNotExist') return !has;
    return false;
  });
}

/** Keeps a condition's timestamps when nothing about it changed (so status writes converge). */
export function condition(clock: Clock, prev: Any[] | undefined, type: string, status: string, reason: string, message: string, probe = false): Any {
  const old = (prev ?? []).find((c) => c.type === type);
  const now = timestamp(clock);
  if (old && old.status === status && old.reason === reason) return { ...old, message };
  return { type, status, ...(probe ? { lastProbeTime: now } : { lastUpdateTime: now }), lastTransitionTime: old?.status === status ? old.lastTransitionTime : now, reason, message };
}

export const isActive = (o: KubeObject) => !o.metadata.deletionTimestamp;
export const podPhase = (p: Any): string => p.status?.phase ?? 'Pending';
export const isTerminal = (p: Any) => podPhase(p) === 'Succeeded' || podPhase(p) === 'Failed';

/** A pod from a template, owned by `owner`. */
export function podFromTemplate(template: Any, owner: KubeObject, def: ResourceDef, extra: { name?: string; generateName?: string; labels?: Record<string, string>; annotations?: Record<string, string>; spec?: Any } = {}): KubeObject {
  return {
    metadata: {
      ...(extra.name ? { name: extra.name } : { generateName: extra.generateName }),
      labels: { ...template?.metadata?.labels, ...extra.labels },
      ...(template?.metadata?.annotations || extra.annotations ? { annotations: { ...template?.metadata?.annotations, ...extra.annotations } } : {}),
      ownerReferences: [controllerRef(owner, def)],
      ...(template?.metadata?.finalizers ? { finalizers: template.metadata.finalizers } : {}),
    },
    spec: { ...structuredClone(template?.spec ?? {}), ...extra.spec },
  };
}
