/** Per-kind table columns, as `kubectl get` shows them (the server-side printers of kube-apiserver). */
import { humanDuration } from './age.js';
import type { KubeObject } from './types.js';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'date';
  format?: string;
  description: string;
  priority: number;
  cell: (obj: KubeObject, now: number) => string | number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const name: PrinterColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  priority: 0,
  cell: (o) => o.metadata.name ?? '',
};

const age: PrinterColumn = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
  cell: (o, now) => ageOf(o.metadata.creationTimestamp, now),
};

function ageOf(ts: string | undefined, now: number): string {
  return ts ? humanDuration(now - Date.parse(ts)) : '<unknown>';
}

function col(title: string, cell: PrinterColumn['cell'], priority = 0, type: PrinterColumn['type'] = 'string'): PrinterColumn {
  return { name: title, type, description: title, priority, cell };
}

const spec = (o: KubeObject): Any => (o.spec ?? {}) as Any;
const status = (o: KubeObject): Any => (o.status ?? {}) as Any;
const count = (v: unknown): number => (v && typeof v === 'object' ? Object.keys(v).length : 0);
const orNone = (s: string): string => (s === '' ? '<none>' : s);
const containers = (o: KubeObject): Any[] => spec(o).template?.spec?.containers ?? [];

function podReady(o: KubeObject): string {
  const cs: Any[] = status(o).containerStatuses ?? [];
  const total = (spec(o).containers ?? []).length;
  return `${cs.filter((c) => c.ready).length}/${total}`;
}

function podStatus(o: KubeObject): string {
  if (o.metadata.deletionTimestamp) return 'Terminating';
  const s = status(o);
  for (const c of (s.containerStatuses ?? []) as Any[]) {
    if (c.state?.waiting?.reason) return c.state.waiting.reason;
    if (c.state?.terminated?.reason) return c.state.terminated.reason;
  }
  return s.reason ?? s.phase ?? 'Pending';
}

function podRestarts(o: KubeObject): number {
  return ((status(o).containerStatuses ?? []) as Any[]).reduce((n, c) => n + (c.restartCount ?? 0), 0);
}

function servicePorts(o: KubeObject): string {
  const ports: Any[] = spec(o).ports ?? [];
  if (ports.length === 0) return '<none>';
  return ports
    .map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`)
    .join(',');
}

function selectorText(sel: Record<string, string> | undefined): string {
  return orNone(Object.entries(sel ?? {}).map(([k, v]) => `${k}=${v}`).join(','));
}

function nodeReady(o: KubeObject): string {
  const ready = ((status(o).conditions ?? []) as Any[]).find((c) => c.type === 'Ready');
  const base = ready?.status === 'True' ? 'Ready' : 'NotReady';
  return spec(o).unschedulable ? `${base},SchedulingDisabled` : base;
}

function nodeRoles(o: KubeObject): string {
  const roles = Object.keys(o.metadata.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length));
  return orNone(roles.join(','));
}

function eventObject(o: KubeObject): string {
  const io = (o as Any).involvedObject ?? {};
  return `${String(io.kind ?? '').toLowerCase()}/${io.name ?? ''}`;
}

const images = (o: KubeObject) => containers(o).map((c) => c.image).join(',');
const containerNames = (o: KubeObject) => containers(o).map((c) => c.name).join(',');

export const printers: Record<string, PrinterColumn[]> = {
  Default: [name, age],
  Namespace: [name, col('Status', (o) => status(o).phase ?? 'Active'), age],
  Node: [
    name,
    col('Status', nodeReady),
    col('Roles', nodeRoles),
    age,
    col('Version', (o) => status(o).nodeInfo?.kubeletVersion ?? ''),
    col('Internal-IP', (o) => ((status(o).addresses ?? []) as Any[]).find((a) => a.type === 'InternalIP')?.address ?? '<none>', 1),
  ],
  Pod: [
    name,
    col('Ready', podReady),
    col('Status', podStatus),
    col('Restarts', podRestarts, 0, 'string'),
    age,
    col('IP', (o) => status(o).podIP ?? '<none>', 1),
    col('Node', (o) => spec(o).nodeName ?? '<none>', 1),
    col('Nominated Node', () => '<none>', 1),
    col('Readiness Gates', () => '<none>', 1),
  ],
  Service: [
    name,
    col('Type', (o) => spec(o).type ?? 'ClusterIP'),
    col('Cluster-IP', (o) => spec(o).clusterIP ?? '<none>'),
    col('External-IP', (o) => orNone((spec(o).externalIPs ?? []).join(','))),
    col('Port(s)', servicePorts),
    age,
    col('Selector', (o) => selectorText(spec(o).selector), 1),
  ],
  ConfigMap: [name, col('Data', (o) => count((o as Any).data) + count((o as Any).binaryData), 0, 'integer'), age],
  Secret: [
    name,
    col('Type', (o) => (o as Any).type ?? 'Opaque'),
    col('Data', (o) => count((o as Any).data), 0, 'integer'),
    age,
  ],
  Event: [
    col('Last Seen', (o, now) => ageOf((o as Any).lastTimestamp ?? o.metadata.creationTimestamp, now)),
    col('Type', (o) => (o as Any).type ?? 'Normal'),
    col('Reason', (o) => (o as Any).reason ?? ''),
    col('Object', eventObject),
    col('Message', (o) => (o as Any).message ?? ''),
  ],
  ServiceAccount: [name, col('Secrets', (o) => ((o as Any).secrets ?? []).length, 0, 'integer'), age],
  Deployment: [
    name,
    col('Ready', (o) => `${status(o).readyReplicas ?? 0}/${spec(o).replicas ?? 1}`),
    col('Up-to-date', (o) => status(o).updatedReplicas ?? 0, 0, 'integer'),
    col('Available', (o) => status(o).availableReplicas ?? 0, 0, 'integer'),
    age,
    col('Containers', containerNames, 1),
    col('Images', images, 1),
    col('Selector', (o) => selectorText(spec(o).selector?.matchLabels), 1),
  ],
  ReplicaSet: [
    name,
    col('Desired', (o) => spec(o).replicas ?? 1, 0, 'integer'),
    col('Current', (o) => status(o).replicas ?? 0, 0, 'integer'),
    col('Ready', (o) => status(o).readyReplicas ?? 0, 0, 'integer'),
    age,
    col('Containers', containerNames, 1),
    col('Images', images, 1),
    col('Selector', (o) => selectorText(spec(o).selector?.matchLabels), 1),
  ],
};
