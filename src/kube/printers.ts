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
const createdAt: PrinterColumn = col('Created At', (o) => o.metadata.creationTimestamp ?? '', 0, 'date');
const templateColumns = [col('Containers', containerNames, 1), col('Images', images, 1)];
const jobContainers = (o: KubeObject): Any[] => spec(o).jobTemplate?.spec?.template?.spec?.containers ?? [];

function labelSelectorText(sel: Any): string {
  if (!sel) return '<none>';
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of (sel.matchExpressions ?? []) as Any[]) {
    const op = String(e.operator ?? '');
    if (op === 'Exists') parts.push(e.key);
    else if (op === 'DoesNotExist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${op.toLowerCase()} (${(e.values ?? []).join(',')})`);
  }
  return parts.length ? parts.join(',') : '<none>';
}

function endpointsText(o: KubeObject): string {
  const out: string[] = [];
  for (const s of ((o as Any).subsets ?? []) as Any[]) {
    const ports: Any[] = s.ports?.length ? s.ports : [{}];
    for (const a of (s.addresses ?? []) as Any[]) for (const p of ports) out.push(p.port !== undefined ? `${a.ip}:${p.port}` : a.ip);
  }
  if (out.length === 0) return '<none>';
  return out.length > 3 ? `${out.slice(0, 3).join(',')} + ${out.length - 3} more...` : out.join(',');
}

function sliceEndpoints(o: KubeObject): string {
  const addrs = ((o as Any).endpoints ?? []).flatMap((e: Any) => e.addresses ?? []);
  if (addrs.length === 0) return '<unset>';
  return addrs.length > 3 ? `${addrs.slice(0, 3).join(',')} + ${addrs.length - 3} more...` : addrs.join(',');
}

function slicePorts(o: KubeObject): string {
  const ports: Any[] = (o as Any).ports ?? [];
  return ports.length ? ports.map((p) => p.port ?? '').join(',') : '<unset>';
}

function accessModes(modes: string[] | undefined): string {
  const short: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
  return (modes ?? []).map((m) => short[m] ?? m).join(',');
}

function jobStatus(o: KubeObject): string {
  const conds: Any[] = status(o).conditions ?? [];
  const has = (t: string) => conds.some((c) => c.type === t && c.status === 'True');
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (o.metadata.deletionTimestamp) return 'Terminating';
  if (has('FailureTarget')) return 'FailureTarget';
  if (has('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (has('Suspended')) return 'Suspended';
  return 'Running';
}

function jobDuration(o: KubeObject, now: number): string {
  const start = status(o).startTime;
  if (!start) return '';
  const end = status(o).completionTime;
  return humanDuration((end ? Date.parse(end) : now) - Date.parse(start));
}

function hpaTargets(o: KubeObject): string {
  const sp = spec(o);
  if (sp.targetCPUUtilizationPercentage !== undefined) {
    const cur = status(o).currentCPUUtilizationPercentage;
    return `cpu: ${cur === undefined ? '<unknown>' : `${cur}%`}/${sp.targetCPUUtilizationPercentage}%`;
  }
  const metrics: Any[] = sp.metrics ?? [];
  if (metrics.length === 0) return '<none>';
  const current: Any[] = status(o).currentMetrics ?? [];
  const parts = metrics.map((m, i) => {
    const target = m.resource?.target ?? m.containerResource?.target ?? {};
    const name = m.resource?.name ?? m.containerResource?.name ?? m.type;
    const cur = current[i]?.resource?.current?.averageUtilization;
    const want = target.averageUtilization !== undefined ? `${target.averageUtilization}%` : (target.averageValue ?? target.value ?? '');
    return `${name}: ${cur === undefined ? '<unknown>' : `${cur}%`}/${want}`;
  });
  return parts.length > 2 ? `${parts.slice(0, 2).join(', ')} + ${parts.length - 2} more...` : parts.join(', ');
}

function bindingSubjects(kind: string) {
  return (o: KubeObject) => orNone(((o as Any).subjects ?? []).filter((s: Any) => s.kind === kind).map((s: Any) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name)).join(', '));
}

const bindingColumns = [
  name,
  col('Role', (o) => `${(o as Any).roleRef?.kind ?? ''}/${(o as Any).roleRef?.name ?? ''}`),
  age,
  col('Users', bindingSubjects('User'), 1),
  col('Groups', bindingSubjects('Group'), 1),
  col('ServiceAccounts', bindingSubjects('ServiceAccount'), 1),
];

function csrCondition(o: KubeObject): string {
  const conds: Any[] = status(o).conditions ?? [];
  const names = conds.filter((c) => c.status !== 'False').map((c) => c.type);
  if (status(o).certificate) names.push('Issued');
  return names.length ? names.join(',') : 'Pending';
}

function ingressPorts(o: KubeObject): string {
  return (spec(o).tls ?? []).length ? '80, 443' : '80';
}

function lbAddresses(o: KubeObject): string {
  return ((status(o).loadBalancer?.ingress ?? []) as Any[]).map((i) => i.ip ?? i.hostname).join(',');
}

function pdbValue(v: unknown): string {
  return v === undefined ? 'N/A' : String(v);
}

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
  Endpoints: [name, col('Endpoints', endpointsText), age],
  EndpointSlice: [
    name,
    col('AddressType', (o) => (o as Any).addressType ?? ''),
    col('Ports', slicePorts),
    col('Endpoints', sliceEndpoints),
    age,
  ],
  PersistentVolumeClaim: [
    name,
    col('Status', (o) => status(o).phase ?? 'Pending'),
    col('Volume', (o) => spec(o).volumeName ?? ''),
    col('Capacity', (o) => status(o).capacity?.storage ?? ''),
    col('Access Modes', (o) => accessModes(status(o).accessModes)),
    col('StorageClass', (o) => spec(o).storageClassName ?? '<unset>'),
    col('VolumeAttributesClass', (o) => spec(o).volumeAttributesClassName ?? '<unset>'),
    age,
    col('VolumeMode', (o) => spec(o).volumeMode ?? 'Filesystem', 1),
  ],
  PersistentVolume: [
    name,
    col('Capacity', (o) => spec(o).capacity?.storage ?? ''),
    col('Access Modes', (o) => accessModes(spec(o).accessModes)),
    col('Reclaim Policy', (o) => spec(o).persistentVolumeReclaimPolicy ?? 'Retain'),
    col('Status', (o) => status(o).phase ?? 'Pending'),
    col('Claim', (o) => (spec(o).claimRef ? `${spec(o).claimRef.namespace}/${spec(o).claimRef.name}` : '')),
    col('StorageClass', (o) => spec(o).storageClassName ?? ''),
    col('VolumeAttributesClass', (o) => spec(o).volumeAttributesClassName ?? '<unset>'),
    col('Reason', (o) => status(o).reason ?? ''),
    age,
    col('VolumeMode', (o) => spec(o).volumeMode ?? 'Filesystem', 1),
  ],
  LimitRange: [name, createdAt],
  ResourceQuota: [
    name,
    age,
    col('Request', (o) => Object.entries(spec(o).hard ?? {}).filter(([k]) => !k.startsWith('limits.')).map(([k, v]) => `${k}: ${status(o).used?.[k] ?? 0}/${v}`).join(', ')),
    col('Limit', (o) => Object.entries(spec(o).hard ?? {}).filter(([k]) => k.startsWith('limits.')).map(([k, v]) => `${k}: ${status(o).used?.[k] ?? 0}/${v}`).join(', ')),
  ],
  PodTemplate: [
    col('Template', (o) => ((o as Any).template?.spec?.containers ?? []).map((c: Any) => c.name).join(',')),
    col('Containers', (o) => ((o as Any).template?.spec?.containers ?? []).map((c: Any) => c.name).join(',')),
    col('Images', (o) => ((o as Any).template?.spec?.containers ?? []).map((c: Any) => c.image).join(',')),
    col('Pod Labels', (o) => selectorText((o as Any).template?.metadata?.labels)),
  ],
  ReplicationController: [
    name,
    col('Desired', (o) => spec(o).replicas ?? 1, 0, 'integer'),
    col('Current', (o) => status(o).replicas ?? 0, 0, 'integer'),
    col('Ready', (o) => status(o).readyReplicas ?? 0, 0, 'integer'),
    age,
    ...templateColumns,
    col('Selector', (o) => selectorText(spec(o).selector), 1),
  ],
  ComponentStatus: [name, col('Status', () => 'Healthy'), col('Message', () => 'ok'), col('Error', () => '')],
  StatefulSet: [name, col('Ready', (o) => `${status(o).readyReplicas ?? 0}/${spec(o).replicas ?? 1}`), age, ...templateColumns],
  DaemonSet: [
    name,
    col('Desired', (o) => status(o).desiredNumberScheduled ?? 0, 0, 'integer'),
    col('Current', (o) => status(o).currentNumberScheduled ?? 0, 0, 'integer'),
    col('Ready', (o) => status(o).numberReady ?? 0, 0, 'integer'),
    col('Up-to-date', (o) => status(o).updatedNumberScheduled ?? 0, 0, 'integer'),
    col('Available', (o) => status(o).numberAvailable ?? 0, 0, 'integer'),
    col('Node Selector', (o) => selectorText(spec(o).template?.spec?.nodeSelector)),
    age,
    ...templateColumns,
    col('Selector', (o) => labelSelectorText(spec(o).selector), 1),
  ],
  ControllerRevision: [
    name,
    col('Controller', (o) => {
      const ref = (o.metadata.ownerReferences ?? []).find((r) => r.controller);
      if (!ref) return '<none>';
      const group = ref.apiVersion.includes('/') ? `.${ref.apiVersion.split('/')[0]}` : '';
      return `${ref.kind.toLowerCase()}${group}/${ref.name}`;
    }),
    col('Revision', (o) => (o as Any).revision ?? 0, 0, 'integer'),
    age,
  ],
  Job: [
    name,
    col('Status', jobStatus),
    col('Completions', (o) => `${status(o).succeeded ?? 0}/${spec(o).completions ?? 1}`),
    col('Duration', jobDuration),
    age,
    ...templateColumns,
    col('Selector', (o) => labelSelectorText(spec(o).selector), 1),
  ],
  CronJob: [
    name,
    col('Schedule', (o) => spec(o).schedule ?? ''),
    col('Timezone', (o) => spec(o).timeZone ?? '<none>'),
    col('Suspend', (o) => (spec(o).suspend ? 'True' : 'False')),
    col('Active', (o) => (status(o).active ?? []).length, 0, 'integer'),
    col('Last Schedule', (o, now) => (status(o).lastScheduleTime ? ageOf(status(o).lastScheduleTime, now) : '<none>')),
    age,
    col('Containers', (o) => jobContainers(o).map((c) => c.name).join(','), 1),
    col('Images', (o) => jobContainers(o).map((c) => c.image).join(','), 1),
    col('Selector', (o) => labelSelectorText(spec(o).jobTemplate?.spec?.selector), 1),
  ],
  HorizontalPodAutoscaler: [
    name,
    col('Reference', (o) => `${spec(o).scaleTargetRef?.kind ?? ''}/${spec(o).scaleTargetRef?.name ?? ''}`),
    col('Targets', hpaTargets),
    col('MinPods', (o) => spec(o).minReplicas ?? 1, 0, 'string'),
    col('MaxPods', (o) => spec(o).maxReplicas ?? 0, 0, 'integer'),
    col('Replicas', (o) => status(o).currentReplicas ?? 0, 0, 'integer'),
    age,
  ],
  CertificateSigningRequest: [
    name,
    age,
    col('SignerName', (o) => spec(o).signerName ?? ''),
    col('Requestor', (o) => spec(o).username ?? ''),
    col('RequestedDuration', (o) => (spec(o).expirationSeconds ? humanDuration(spec(o).expirationSeconds * 1000) : '<none>')),
    col('Condition', csrCondition),
  ],
  Lease: [name, col('Holder', (o) => spec(o).holderIdentity ?? ''), age],
  IngressClass: [
    name,
    col('Controller', (o) => spec(o).controller ?? ''),
    col('Parameters', (o) => (spec(o).parameters ? `${spec(o).parameters.kind}/${spec(o).parameters.name}` : '<none>')),
    age,
  ],
  Ingress: [
    name,
    col('Class', (o) => spec(o).ingressClassName ?? '<none>'),
    col('Hosts', (o) => ((spec(o).rules ?? []) as Any[]).map((r) => r.host ?? '*').join(',') || '*'),
    col('Address', lbAddresses),
    col('Ports', ingressPorts),
    age,
  ],
  NetworkPolicy: [name, col('Pod-Selector', (o) => labelSelectorText(spec(o).podSelector)), age],
  PodDisruptionBudget: [
    name,
    col('Min Available', (o) => pdbValue(spec(o).minAvailable)),
    col('Max Unavailable', (o) => pdbValue(spec(o).maxUnavailable)),
    col('Allowed Disruptions', (o) => status(o).disruptionsAllowed ?? 0, 0, 'integer'),
    age,
  ],
  Role: [name, createdAt],
  ClusterRole: [name, createdAt],
  RoleBinding: bindingColumns,
  ClusterRoleBinding: bindingColumns,
  PriorityClass: [
    name,
    col('Value', (o) => (o as Any).value ?? 0, 0, 'integer'),
    col('Global-Default', (o) => String((o as Any).globalDefault ?? false)),
    age,
    col('PreemptionPolicy', (o) => (o as Any).preemptionPolicy ?? 'PreemptLowerPriority'),
  ],
  StorageClass: [
    {
      ...name,
      cell: (o) => {
        const a = o.metadata.annotations ?? {};
        const isDefault = a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
        return `${o.metadata.name ?? ''}${isDefault ? ' (default)' : ''}`;
      },
    },
    col('Provisioner', (o) => (o as Any).provisioner ?? ''),
    col('ReclaimPolicy', (o) => (o as Any).reclaimPolicy ?? 'Delete'),
    col('VolumeBindingMode', (o) => (o as Any).volumeBindingMode ?? 'Immediate'),
    col('AllowVolumeExpansion', (o) => String((o as Any).allowVolumeExpansion ?? false)),
    age,
  ],
  RuntimeClass: [name, col('Handler', (o) => (o as Any).handler ?? ''), age],
  CustomResourceDefinition: [name, createdAt],
  MutatingWebhookConfiguration: [name, col('Webhooks', (o) => ((o as Any).webhooks ?? []).length, 0, 'integer'), age],
  ValidatingWebhookConfiguration: [name, col('Webhooks', (o) => ((o as Any).webhooks ?? []).length, 0, 'integer'), age],
};
