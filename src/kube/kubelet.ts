/**
 * Simulated scheduler + kubelet: binds pending pods to a Ready node, runs their containers as simulated processes
 * (src/kube/containers), reports container states, restarts per restartPolicy with back-off, and carries out graceful
 * termination (SIGTERM, then SIGKILL at the grace period's end, then the final delete).
 */
import { systemClock, timestamp, type Clock } from './clock.js';
import { SimContainer, StartError } from './containers/container.js';
import { ContainerConfigError, containerEnv, podFilesystem } from './containers/pod-env.js';
import type { SimFilesystem } from './containers/filesystem.js';
import { recordEvent } from './events.js';
import { resourceForKind } from './registry.js';
import type { KubeStore } from './store.js';
import { deepEqual, type KubeObject } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const POD = resourceForKind('Pod');
const NODE = resourceForKind('Node');
const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;

export interface KubeletOptions {
  clock?: Clock;
  /** Delay before a new pod is scheduled and its containers start (ms). Default 200. */
  podStartDelayMs?: number;
}

interface ContainerSlot {
  container: SimContainer;
  init: boolean;
  restartCount: number;
  state: Any;
  lastState: Any;
  /** Set while the container waits to be restarted. */
  cancelRestart?: () => void;
}

interface PodSandbox {
  uid: string;
  ns: string;
  name: string;
  ip: string;
  hostIP: string;
  fs: SimFilesystem;
  startTime: string;
  slots: Map<string, ContainerSlot>;
  /** Index into initContainers still to run; equal to their count once all succeeded. */
  initDone: number;
  terminating: boolean;
  cancelKill?: () => void;
}

let ipCounter = 2;
function nextPodIP(): string {
  const n = ipCounter++;
  return `10.42.${Math.floor(n / 250)}.${(n % 250) + 1}`;
}

const runtimes = new WeakMap<KubeStore, Kubelet>();

/** The kubelet running a store's pods (for logs, and for exec/attach/port-forward in the streams issue). */
export function kubeletFor(store: KubeStore): Kubelet | undefined {
  return runtimes.get(store);
}

const nodeReady = (n: Any) => ((n.status?.conditions ?? []) as Any[]).some((c) => c.type === 'Ready' && c.status === 'True');

function tolerates(pod: Any, taint: Any): boolean {
  return ((pod.spec?.tolerations ?? []) as Any[]).some(
    (t) => (t.operator === 'Exists' && (!t.key || t.key === taint.key)) || (t.key === taint.key && (t.value ?? '') === (taint.value ?? '') && (!t.effect || t.effect === taint.effect)),
  );
}

/** Node affinity `matchFields metadata.name In [...]` (what DaemonSet pods carry) and matchExpressions on labels. */
function affinityAllows(pod: Any, node: Any): boolean {
  const terms: Any[] = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (!terms.length) return true;
  const labels = node.metadata.labels ?? {};
  return terms.some((t) =>
    [...((t.matchFields ?? []) as Any[]).map((f) => ({ ...f, value: f.key === 'metadata.name' ? node.metadata.name : undefined })), ...((t.matchExpressions ?? []) as Any[]).map((e) => ({ ...e, value: labels[e.key] }))].every((r) => {
      if (r.operator === 'In') return (r.values ?? []).includes(r.value);
      if (r.operator === 'NotIn') return !(r.values ?? []).includes(r.value);
      if (r.operator === 'Exists') return r.value !== undefined;
      if (r.operator === 'DoesNotExist') return r.value === undefined;
      return false;
    }),
  );
}

export function pickNode(store: KubeStore, pod: Any): KubeObject | undefined {
  const wanted: Record<string, string> = pod.spec?.nodeSelector ?? {};
  return store.list(NODE).find((n: Any) => {
    if (pod.spec?.nodeName) return n.metadata.name === pod.spec.nodeName;
    const labels = n.metadata.labels ?? {};
    const taints: Any[] = [...(n.spec?.taints ?? []), ...(n.spec?.unschedulable ? [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] : [])];
    return (
      nodeReady(n) &&
      taints.every((t) => t.effect === 'PreferNoSchedule' || tolerates(pod, t)) &&
      Object.entries(wanted).every(([k, v]) => labels[k] === v) &&
      affinityAllows(pod, n)
    );
  });
}

export function isPodReady(pod: KubeObject): boolean {
  return ((pod as Any).status?.conditions ?? []).some((c: Any) => c.type === 'Ready' && c.status === 'True');
}

export class Kubelet {
  private readonly clock: Clock;
  private readonly sandboxes = new Map<string, PodSandbox>();
  private readonly scheduled = new Set<string>();
  private stopped = false;
  private readonly cancels = new Set<() => void>();

  constructor(private readonly store: KubeStore, private readonly opts: KubeletOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    runtimes.set(store, this);
    // a restored cluster: new pods get addresses after the ones its pods already have
    for (const p of store.list(POD) as Any[]) {
      const m = /^10\.42\.(\d+)\.(\d+)$/.exec(p.status?.podIP ?? '');
      if (m) ipCounter = Math.max(ipCounter, Number(m[1]) * 250 + Number(m[2]));
    }
  }

  /** Called by the simulation for every pod change. */
  onPod(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: Any): void {
    if (this.stopped) return;
    const uid = pod.metadata.uid;
    if (type === 'DELETED') return this.discard(uid);
    if (pod.metadata.deletionTimestamp) return this.terminate(pod);
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    if (!pod.spec?.nodeName) {
      if (!this.scheduled.has(uid)) {
        this.scheduled.add(uid);
        this.after(this.opts.podStartDelayMs ?? 200, () => {
          this.scheduled.delete(uid);
          this.schedule(pod.metadata.namespace, pod.metadata.name, uid);
        });
      }
      return;
    }
    if (!this.sandboxes.has(uid) && !this.scheduled.has(uid)) {
      // bound elsewhere (a binding, a DaemonSet's nodeName) or found running after a restart: start it here
      this.scheduled.add(uid);
      this.after(this.opts.podStartDelayMs ?? 200, () => {
        this.scheduled.delete(uid);
        const fresh = this.store.get(POD, pod.metadata.namespace, pod.metadata.name) as Any;
        if (fresh && fresh.metadata.uid === uid && !fresh.metadata.deletionTimestamp) this.run(fresh);
      });
    }
  }

  /** Pods left Pending for want of a node get another chance when nodes change. */
  retryPending(): void {
    for (const p of this.store.list(POD) as Any[]) {
      if (p.status?.phase === 'Pending' && !p.spec?.nodeName && !p.metadata.deletionTimestamp) this.onPod('MODIFIED', p);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.cancels) c();
    for (const sb of this.sandboxes.values()) for (const s of sb.slots.values()) s.container.stop('SIGKILL');
    this.sandboxes.clear();
    if (runtimes.get(this.store) === this) runtimes.delete(this.store);
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

  /** The container of a running pod (exec/attach/port-forward). */
  container(ns: string, pod: string, name?: string): SimContainer | undefined {
    const obj = this.store.get(POD, ns, pod);
    const sb = obj && this.sandboxes.get(obj.metadata.uid ?? '');
    if (!sb) return undefined;
    const slots = [...sb.slots.values()].filter((s) => !s.init);
    return (name ? sb.slots.get(name) : slots[0])?.container;
  }

  /** `kubectl logs` text: the current run, or the previous one with `previous`. */
  logs(pod: KubeObject, container: string, q: { timestamps?: boolean; tailLines?: number; limitBytes?: number; sinceTime?: number; previous?: boolean } = {}): string | undefined {
    const sb = this.sandboxes.get(pod.metadata.uid ?? '');
    const slot = sb?.slots.get(container);
    if (!slot) return undefined;
    const c = q.previous ? this.previous.get(`${pod.metadata.uid}/${container}`) : slot.container;
    return c?.logText(q);
  }

  private readonly previous = new Map<string, SimContainer>();

  private schedule(ns: string, name: string, uid: string): void {
    const pod = this.store.get(POD, ns, name) as Any;
    if (!pod || pod.metadata.uid !== uid || pod.metadata.deletionTimestamp || pod.spec?.nodeName) return;
    const node = pickNode(this.store, pod);
    if (!node) {
      const nodes = this.store.list(NODE).length;
      recordEvent(this.store, pod, { reason: 'FailedScheduling', message: `0/${nodes} nodes are available: no node matches the pod's requirements.`, component: 'default-scheduler', type: 'Warning' });
      const status = { ...pod.status, phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: `0/${nodes} nodes are available.`, lastProbeTime: null, lastTransitionTime: timestamp(this.clock) }] };
      if (!deepEqual(status, pod.status)) this.store.update(POD, ns, name, { ...pod, status }, { subresource: 'status' });
      return;
    }
    const host = node.metadata.name ?? '';
    const bound = this.store.update(POD, ns, name, { ...pod, spec: { ...pod.spec, nodeName: host } });
    recordEvent(this.store, bound, { reason: 'Scheduled', message: `Successfully assigned ${ns}/${name} to ${host}`, component: 'default-scheduler' });
    this.run(bound as Any);
  }

  private run(pod: Any): void {
    const uid = pod.metadata.uid;
    if (this.sandboxes.has(uid)) return;
    const node = this.store.get(NODE, undefined, pod.spec.nodeName) as Any;
    const hostIP = ((node?.status?.addresses ?? []) as Any[]).find((a) => a.type === 'InternalIP')?.address ?? '10.0.0.2';
    const ip = pod.spec?.hostNetwork ? hostIP : (pod.status?.podIP ?? nextPodIP());
    const sb: PodSandbox = {
      uid,
      ns: pod.metadata.namespace,
      name: pod.metadata.name,
      ip,
      hostIP,
      fs: podFilesystem(this.store, pod, ip, () => this.clock.now()),
      startTime: pod.status?.startTime ?? timestamp(this.clock),
      slots: new Map(),
      initDone: 0,
      terminating: false,
    };
    const hostname = pod.spec?.hostname ?? pod.metadata.name;
    const make = (c: Any, init: boolean): ContainerSlot => {
      let env: Record<string, string> = {};
      let configError: string | undefined;
      try {
        env = containerEnv(this.store, pod, c, ip);
      } catch (e) {
        if (!(e instanceof ContainerConfigError)) throw e;
        configError = e.message;
      }
      const slot: ContainerSlot = {
        container: new SimContainer(c, env, sb.fs, hostname, this.clock),
        init,
        restartCount: 0,
        state: configError ? { waiting: { reason: 'CreateContainerConfigError', message: configError } } : { waiting: { reason: init ? 'PodInitializing' : 'ContainerCreating' } },
        lastState: {},
      };
      return slot;
    };
    for (const c of (pod.spec?.initContainers ?? []) as Any[]) sb.slots.set(c.name, make(c, true));
    for (const c of (pod.spec?.containers ?? []) as Any[]) sb.slots.set(c.name, make(c, false));
    this.sandboxes.set(uid, sb);
    this.advance(sb);
  }

  private initSlots(sb: PodSandbox): ContainerSlot[] {
    return [...sb.slots.values()].filter((s) => s.init);
  }

  /** Starts what should run next: the next init container, or all app containers once init is done. */
  private advance(sb: PodSandbox): void {
    const inits = this.initSlots(sb);
    if (sb.initDone < inits.length) this.startSlot(sb, inits[sb.initDone]);
    else for (const s of sb.slots.values()) if (!s.init && s.state.waiting && s.state.waiting.reason !== 'CrashLoopBackOff' && s.state.waiting.reason !== 'CreateContainerConfigError') this.startSlot(sb, s);
    this.report(sb);
  }

  private startSlot(sb: PodSandbox, slot: ContainerSlot): void {
    if (sb.terminating || this.stopped) return;
    const pod = this.store.get(POD, sb.ns, sb.name) as Any;
    if (!pod) return;
    const c = slot.container;
    const host = pod.spec?.nodeName;
    if (slot.restartCount === 0) recordEvent(this.store, pod, { reason: 'Pulled', message: `Container image "${c.spec.image}" already present on machine`, component: 'kubelet', host });
    recordEvent(this.store, pod, { reason: 'Created', message: `Created container: ${c.spec.name}`, component: 'kubelet', host });
    const startedAt = timestamp(this.clock);
    let proc;
    try {
      proc = c.start();
    } catch (e) {
      if (!(e instanceof StartError)) throw e;
      recordEvent(this.store, pod, { reason: 'Failed', message: `Error: failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ${e.message}: unknown`, component: 'kubelet', host, type: 'Warning' });
      this.exited(sb, slot, { exitCode: 128, reason: 'StartError', message: `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ${e.message}: unknown`, startedAt: '1970-01-01T00:00:00Z', finishedAt: timestamp(this.clock) });
      return;
    }
    recordEvent(this.store, pod, { reason: 'Started', message: `Started container ${c.spec.name}`, component: 'kubelet', host });
    slot.state = { running: { startedAt } };
    void proc.exited.then((code) => {
      if (this.sandboxes.get(sb.uid) !== sb || this.stopped) return;
      this.exited(sb, slot, { exitCode: code, reason: code === 0 ? 'Completed' : 'Error', startedAt, finishedAt: timestamp(this.clock) });
    });
  }

  private containerID(sb: PodSandbox, slot: ContainerSlot): string {
    return `containerd://${Buffer.from(`${sb.uid}/${slot.container.spec.name}/${slot.restartCount}`).toString('hex').padEnd(64, '0').slice(0, 64)}`;
  }

  private exited(sb: PodSandbox, slot: ContainerSlot, term: Any): void {
    const pod = this.store.get(POD, sb.ns, sb.name) as Any;
    slot.state = { terminated: { ...term, containerID: this.containerID(sb, slot) } };
    if (sb.terminating || !pod) return this.maybeFinishTermination(sb);
    const policy = pod.spec?.restartPolicy ?? 'Always';
    const restart = policy === 'Always' ? !slot.init || term.exitCode !== 0 : policy === 'OnFailure' ? term.exitCode !== 0 : false;
    if (slot.init && term.exitCode === 0) {
      sb.initDone++;
      return this.advance(sb);
    }
    if (restart) {
      const delay = Math.min(BACKOFF_BASE_MS * 2 ** slot.restartCount, BACKOFF_MAX_MS);
      const name = slot.container.spec.name;
      slot.lastState = slot.state;
      slot.state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${name} pod=${sb.name}_${sb.ns}(${sb.uid})` } };
      recordEvent(this.store, pod, { reason: 'BackOff', message: `Back-off restarting failed container ${name} in pod ${sb.name}_${sb.ns}(${sb.uid})`, component: 'kubelet', host: pod.spec?.nodeName, type: 'Warning' });
      slot.cancelRestart = this.after(delay, () => {
        slot.cancelRestart = undefined;
        if (this.sandboxes.get(sb.uid) !== sb || sb.terminating) return;
        this.previous.set(`${sb.uid}/${name}`, slot.container);
        slot.restartCount++;
        slot.container = slot.container.fresh();
        this.startSlot(sb, slot);
        this.report(sb);
      });
    }
    this.report(sb);
  }

  private statusOf(sb: PodSandbox, pod: Any): Any {
    const now = timestamp(this.clock);
    const apps = [...sb.slots.values()].filter((s) => !s.init);
    const inits = this.initSlots(sb);
    const toStatus = (s: ContainerSlot) => ({
      name: s.container.spec.name,
      image: s.container.spec.image,
      imageID: `${s.container.spec.image.includes('/') ? '' : 'docker.io/library/'}${s.container.spec.image.split(':')[0]}@sha256:${Buffer.from(s.container.spec.image).toString('hex').padEnd(64, '0').slice(0, 64)}`,
      containerID: s.state.waiting && s.restartCount === 0 ? undefined : this.containerID(sb, s),
      ready: !!s.state.running && !s.init,
      started: !!s.state.running,
      restartCount: s.restartCount,
      state: s.state,
      lastState: s.lastState,
    });
    const willRun = (s: ContainerSlot) => !!s.state.running || !!s.state.waiting || !!s.cancelRestart;
    const initFailed = inits.some((s) => s.state.terminated && s.state.terminated.exitCode !== 0 && !willRun(s));
    let phase = 'Pending';
    if (initFailed) phase = 'Failed';
    else if (sb.initDone >= inits.length) {
      const anyStarted = apps.some((s) => s.state.running || s.restartCount > 0 || s.state.terminated);
      const allDone = apps.every((s) => s.state.terminated && !s.cancelRestart);
      if (allDone) phase = apps.every((s) => s.state.terminated.exitCode === 0) ? 'Succeeded' : 'Failed';
      else if (anyStarted) phase = 'Running';
    }
    const ready = phase === 'Running' && apps.every((s) => s.state.running);
    const terminal = phase === 'Succeeded' || phase === 'Failed';
    const prev: Any[] = pod.status?.conditions ?? [];
    const cond = (type: string, ok: boolean, reason?: string) => {
      const status = ok ? 'True' : 'False';
      const old = prev.find((c) => c.type === type);
      return { type, status, lastProbeTime: null, lastTransitionTime: old?.status === status ? old.lastTransitionTime : now, ...(reason && !ok ? { reason } : {}) };
    };
    const notReadyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
    return {
      phase,
      conditions: [
        cond('PodReadyToStartContainers', !terminal),
        cond('Initialized', sb.initDone >= inits.length, terminal ? 'PodCompleted' : 'ContainersNotInitialized'),
        cond('Ready', ready, notReadyReason),
        cond('ContainersReady', ready, notReadyReason),
        cond('PodScheduled', true),
      ],
      hostIP: sb.hostIP,
      hostIPs: [{ ip: sb.hostIP }],
      podIP: sb.ip,
      podIPs: [{ ip: sb.ip }],
      startTime: sb.startTime,
      qosClass: pod.status?.qosClass ?? 'BestEffort',
      ...(inits.length ? { initContainerStatuses: inits.map(toStatus) } : {}),
      containerStatuses: apps.map(toStatus),
    };
  }

  private report(sb: PodSandbox): void {
    if (this.stopped) return;
    const pod = this.store.get(POD, sb.ns, sb.name) as Any;
    if (!pod || pod.metadata.uid !== sb.uid) return;
    const status = JSON.parse(JSON.stringify(this.statusOf(sb, pod)));
    if (!deepEqual(pod.status, status)) this.store.update(POD, sb.ns, sb.name, { ...pod, status }, { subresource: 'status' });
  }

  /** Graceful termination: SIGTERM now, SIGKILL when the grace period ends, the final delete once all stopped. */
  private terminate(pod: Any): void {
    const sb = this.sandboxes.get(pod.metadata.uid);
    if (!sb) {
      // never started here (unscheduled, or the kubelet restarted): nothing runs, finish the deletion
      this.finalDelete(pod.metadata.namespace, pod.metadata.name, pod.metadata.uid);
      return;
    }
    if (sb.terminating) return;
    sb.terminating = true;
    for (const s of sb.slots.values()) {
      s.cancelRestart?.();
      s.cancelRestart = undefined;
      if (s.state.running) {
        recordEvent(this.store, pod, { reason: 'Killing', message: `Stopping container ${s.container.spec.name}`, component: 'kubelet', host: pod.spec?.nodeName });
        s.container.stop('SIGTERM');
      }
    }
    const grace = Number(pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30);
    sb.cancelKill = this.after(grace * 1000, () => {
      for (const s of sb.slots.values()) s.container.stop('SIGKILL');
      this.finalDelete(sb.ns, sb.name, sb.uid);
    });
    this.maybeFinishTermination(sb);
  }

  private maybeFinishTermination(sb: PodSandbox): void {
    if (!sb.terminating) return;
    if ([...sb.slots.values()].some((s) => s.container.process?.running)) return;
    sb.cancelKill?.();
    // the next turn: the container's exit is reported first, as a kubelet does before the final delete
    this.after(0, () => this.finalDelete(sb.ns, sb.name, sb.uid));
  }

  private finalDelete(ns: string, name: string, uid: string): void {
    const pod = this.store.get(POD, ns, name);
    if (!pod || pod.metadata.uid !== uid) return;
    try {
      this.store.delete(POD, ns, name, { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch {
      // already gone
    }
  }

  private discard(uid: string): void {
    const sb = this.sandboxes.get(uid);
    if (!sb) return;
    sb.terminating = true;
    sb.cancelKill?.();
    for (const s of sb.slots.values()) {
      s.cancelRestart?.();
      s.container.stop('SIGKILL');
      this.previous.delete(`${uid}/${s.container.spec.name}`);
    }
    this.sandboxes.delete(uid);
  }
}

/** The text of `kubectl logs`: what the container wrote (empty before it started). */
export function podLogs(store: KubeStore, pod: KubeObject, container: string, q: Parameters<Kubelet['logs']>[2] = {}): string {
  return kubeletFor(store)?.logs(pod, container, q) ?? '';
}

/** `kubectl logs` query parameters: timestamps, tailLines, limitBytes, sinceSeconds/sinceTime, previous. */
export function logQuery(q: URLSearchParams): Parameters<Kubelet['logs']>[2] {
  const num = (k: string) => (q.get(k) !== null && q.get(k) !== '' ? Number(q.get(k)) : undefined);
  const since = num('sinceSeconds');
  const sinceTime = q.get('sinceTime');
  return {
    timestamps: q.get('timestamps') === 'true',
    previous: q.get('previous') === 'true',
    tailLines: num('tailLines'),
    limitBytes: num('limitBytes'),
    sinceTime: since !== undefined ? Date.now() - since * 1000 : sinceTime ? Date.parse(sinceTime) : undefined,
  };
}
