/** Table columns of the workload, discovery, coordination and policy kinds (as kube-apiserver's printers). */
import { humanDuration } from './age.js';
import type { PrinterColumn } from './printers.js';
import type { KubeObject } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const col = (name: string, cell: PrinterColumn['cell'], priority = 0, type: PrinterColumn['type'] = 'string'): PrinterColumn => ({ name, type, description: name, priority, cell });
const ageOf = (ts: string | undefined, now: number) => (ts ? humanDuration(now - Date.parse(ts)) : '<unknown>');
const nameCol: PrinterColumn = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0, cell: (o) => o.metadata.name ?? '' };
const age = col('Age', (o, now) => ageOf(o.metadata.creationTimestamp, now));
const spec = (o: KubeObject): Any => (o.spec ?? {}) as Any;
const status = (o: KubeObject): Any => (o.status ?? {}) as Any;
const tmpl = (o: KubeObject): Any[] => (spec(o).jobTemplate?.spec?.template ?? spec(o).template)?.spec?.containers ?? [];
const containers = col('Containers', (o) => tmpl(o).map((c) => c.name).join(','), 1);
const images = col('Images', (o) => tmpl(o).map((c) => c.image).join(','), 1);
const selector = col('Selector', (o) => selectorText(spec(o).selector), 1);

function selectorText(sel: Any): string {
  if (!sel) return '<none>';
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of (sel.matchExpressions ?? []) as Any[]) parts.push(`${e.key} ${e.operator.toLowerCase()} (${(e.values ?? []).join(',')})`);
  return parts.join(',') || '<none>';
}

function jobStatus(o: KubeObject): string {
  const conds: Any[] = status(o).conditions ?? [];
  const has = (t: string) => conds.some((c) => c.type === t && c.status === 'True');
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (o.metadata.deletionTimestamp) return 'Terminating';
  if (has('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (has('FailureTarget')) return 'FailureTarget';
  if (has('Suspended')) return 'Suspended';
  return 'Running';
}

function jobDuration(o: KubeObject, now: number): string {
  const s = status(o);
  if (!s.startTime) return '';
  const end = s.completionTime ? Date.parse(s.completionTime) : now;
  return humanDuration(end - Date.parse(s.startTime));
}

function endpointsText(o: KubeObject): string {
  const list: string[] = [];
  for (const sub of ((o as Any).subsets ?? []) as Any[]) {
    const ports: Any[] = sub.ports?.length ? sub.ports : [{}];
    for (const a of (sub.addresses ?? []) as Any[]) for (const p of ports) list.push(p.port ? `${a.ip}:${p.port}` : a.ip);
  }
  if (!list.length) return '<none>';
  return list.length > 3 ? `${list.slice(0, 3).join(',')} + ${list.length - 3} more...` : list.join(',');
}

function sliceEndpoints(o: KubeObject): string {
  const addrs = (((o as Any).endpoints ?? []) as Any[]).flatMap((e) => e.addresses ?? []);
  if (!addrs.length) return '<unset>';
  return addrs.length > 3 ? `${addrs.slice(0, 3).join(',')} + ${addrs.length - 3} more...` : addrs.join(',');
}

function slicePorts(o: KubeObject): string {
  const ports: Any[] = (o as Any).ports ?? [];
  return ports.length ? ports.map((p) => p.port).join(',') : '<unset>';
}

export const workloadPrinters: Record<string, PrinterColumn[]> = {
  Job: [
    nameCol,
    col('Status', jobStatus),
    col('Completions', (o) => `${status(o).succeeded ?? 0}/${spec(o).completions ?? 1}`),
    col('Duration', jobDuration),
    age,
    containers,
    images,
    selector,
  ],
  CronJob: [
    nameCol,
    col('Schedule', (o) => spec(o).schedule ?? ''),
    col('Timezone', (o) => spec(o).timeZone ?? '<none>'),
    col('Suspend', (o) => (spec(o).suspend ? 'True' : 'False')),
    col('Active', (o) => (status(o).active ?? []).length, 0, 'integer'),
    col('Last Schedule', (o, now) => (status(o).lastScheduleTime ? ageOf(status(o).lastScheduleTime, now) : '<none>')),
    age,
    containers,
    images,
    col('Selector', () => '<none>', 1),
  ],
  StatefulSet: [nameCol, col('Ready', (o) => `${status(o).readyReplicas ?? 0}/${spec(o).replicas ?? 1}`), age, containers, images],
  DaemonSet: [
    nameCol,
    col('Desired', (o) => status(o).desiredNumberScheduled ?? 0, 0, 'integer'),
    col('Current', (o) => status(o).currentNumberScheduled ?? 0, 0, 'integer'),
    col('Ready', (o) => status(o).numberReady ?? 0, 0, 'integer'),
    col('Up-to-date', (o) => status(o).updatedNumberScheduled ?? 0, 0, 'integer'),
    col('Available', (o) => status(o).numberAvailable ?? 0, 0, 'integer'),
    col('Node Selector', (o) => Object.entries(spec(o).template?.spec?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>'),
    age,
    containers,
    images,
    selector,
  ],
  ControllerRevision: [
    nameCol,
    col('Controller', (o) => {
      const ref = (o.metadata.ownerReferences ?? []).find((r) => r.controller);
      return ref ? `${ref.kind.toLowerCase()}.${ref.apiVersion.split('/')[0]}/${ref.name}` : '<none>';
    }),
    col('Revision', (o) => (o as Any).revision ?? 0, 0, 'integer'),
    age,
  ],
  Endpoints: [nameCol, col('Endpoints', endpointsText), age],
  EndpointSlice: [nameCol, col('AddressType', (o) => (o as Any).addressType ?? ''), col('Ports', slicePorts), col('Endpoints', sliceEndpoints), age],
  Lease: [nameCol, col('Holder', (o) => spec(o).holderIdentity ?? ''), age],
  PodDisruptionBudget: [
    nameCol,
    col('Min Available', (o) => String(spec(o).minAvailable ?? 'N/A')),
    col('Max Unavailable', (o) => String(spec(o).maxUnavailable ?? 'N/A')),
    col('Allowed Disruptions', (o) => status(o).disruptionsAllowed ?? 0, 0, 'integer'),
    age,
  ],
};
