/** Simulated scheduler + kubelet: binds pending pods to a Ready node and marks them Running/Ready after a delay. */
import { recordEvent } from './events.js';
import { resourceForKind } from './registry.js';
import { nowTimestamp, type KubeStore } from './store.js';
import type { KubeObject } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const POD = resourceForKind('Pod');
const NODE = resourceForKind('Node');

function pickNode(store: KubeStore, pod: Any): KubeObject | undefined {
  const wanted: Record<string, string> = pod.spec?.nodeSelector ?? {};
  return store.list(NODE).find((n) => {
    if (pod.spec?.nodeName) return n.metadata.name === pod.spec.nodeName;
    const ready = ((n as Any).status?.conditions ?? []).some((c: Any) => c.type === 'Ready' && c.status === 'True');
    const labels = n.metadata.labels ?? {};
    return ready && !(n as Any).spec?.unschedulable && Object.entries(wanted).every(([k, v]) => labels[k] === v);
  });
}

let ipCounter = 2;

function runningStatus(pod: Any, node: KubeObject): Any {
  const now = nowTimestamp();
  const cond = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now });
  const n = ipCounter++;
  const podIP = `10.42.${Math.floor(n / 250)}.${(n % 250) + 1}`;
  const hostIP = ((node as Any).status?.addresses ?? []).find((a: Any) => a.type === 'InternalIP')?.address ?? '10.0.0.2';
  return {
    phase: 'Running',
    conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(cond),
    hostIP,
    hostIPs: [{ ip: hostIP }],
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: now,
    qosClass: pod.status?.qosClass ?? 'BestEffort',
    containerStatuses: (pod.spec?.containers ?? []).map((c: Any) => ({
      name: c.name,
      image: c.image,
      imageID: `${c.image}@sha256:${'0'.repeat(64)}`,
      containerID: `containerd://${Buffer.from(`${pod.metadata.uid}/${c.name}`).toString('hex').slice(0, 64)}`,
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: now } },
      lastState: {},
    })),
  };
}

/** Schedules and starts one pod; returns false when it stays Pending (no suitable node). */
export function startPod(store: KubeStore, ns: string, name: string): boolean {
  const pod = store.get(POD, ns, name) as Any;
  if (!pod || pod.status?.phase === 'Running') return true;
  const node = pickNode(store, pod);
  if (!node) {
    recordEvent(store, pod, { reason: 'FailedScheduling', message: '0/0 nodes are available: no node matches the pod', component: 'default-scheduler', type: 'Warning' });
    return false;
  }
  const host = node.metadata.name ?? '';
  const bound = store.update(POD, ns, name, { ...pod, spec: { ...pod.spec, nodeName: host } });
  recordEvent(store, bound, { reason: 'Scheduled', message: `Successfully assigned ${ns}/${name} to ${host}`, component: 'default-scheduler' });
  for (const c of (pod.spec?.containers ?? []) as Any[]) {
    recordEvent(store, bound, { reason: 'Pulled', message: `Container image "${c.image}" already present on machine`, component: 'kubelet', host });
    recordEvent(store, bound, { reason: 'Created', message: `Created container: ${c.name}`, component: 'kubelet', host });
    recordEvent(store, bound, { reason: 'Started', message: `Started container ${c.name}`, component: 'kubelet', host });
  }
  const current = store.get(POD, ns, name);
  if (current) store.update(POD, ns, name, { ...current, status: runningStatus(current, node) }, { subresource: 'status' });
  return true;
}

export function isPodReady(pod: KubeObject): boolean {
  return ((pod as Any).status?.conditions ?? []).some((c: Any) => c.type === 'Ready' && c.status === 'True');
}

/** The simulated text of `kubectl logs`. */
export function podLogs(pod: KubeObject, container: string): string {
  const image = ((pod as Any).spec?.containers ?? []).find((c: Any) => c.name === container)?.image ?? '';
  const started = (pod as Any).status?.startTime ?? pod.metadata.creationTimestamp;
  return `${started} k3sdaas simulated container ${container} (${image}) started\n${started} no real workload runs in the dev sandbox\n`;
}
