/**
 * DaemonSet: one pod per eligible node (nodeSelector, taints), pinned by node affinity and tolerating the node
 * conditions a real DaemonSet pod tolerates (so `kubectl drain` leaves it unless --ignore-daemonsets is refused).
 */
import { recordEvent } from '../events.js';
import { isPodReady } from '../kubelet.js';
import { resourceForKind } from '../registry.js';
import { deepEqual } from '../types.js';
import { isActive, isTerminal, ownedBy, podFromTemplate, randomSuffix, type Any, type Controller, type ControllerContext } from './common.js';
import { currentRevision } from './revisions.js';

const DS = resourceForKind('DaemonSet');
const POD = resourceForKind('Pod');
const NODE = resourceForKind('Node');

const DAEMON_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

function eligible(ds: Any, node: Any): boolean {
  const labels = node.metadata.labels ?? {};
  if (!Object.entries(ds.spec.template?.spec?.nodeSelector ?? {}).every(([k, v]) => labels[k] === v)) return false;
  const tolerations: Any[] = ds.spec.template?.spec?.tolerations ?? [];
  return ((node.spec?.taints ?? []) as Any[]).every(
    (t) => t.effect === 'PreferNoSchedule' || tolerations.some((x) => (x.operator === 'Exists' && (!x.key || x.key === t.key)) || (x.key === t.key && x.value === t.value)),
  );
}

const nodeOf = (p: Any): string | undefined =>
  p.spec?.nodeName ?? p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0];

export function daemonSetController(ctx: ControllerContext): Controller {
  const { store } = ctx;
  const reconcile = (ds: Any) => {
    if (!isActive(ds)) return;
    const ns = ds.metadata.namespace;
    const rev = currentRevision(store, ds, DS);
    const nodes = (store.list(NODE) as Any[]).filter((n) => eligible(ds, n));
    const pods = (ownedBy(store.list(POD, { namespace: ns }), ds) as Any[]).filter(isActive);
    const generation = String(ds.metadata.generation ?? 1);
    for (const p of pods) {
      const outdated = p.metadata.labels?.['controller-revision-hash'] !== rev.hash && (ds.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
      if (isTerminal(p) || !nodes.some((n) => n.metadata.name === nodeOf(p)) || outdated) {
        store.delete(POD, ns, p.metadata.name);
        recordEvent(store, ds, { reason: 'SuccessfulDelete', message: `Deleted pod: ${p.metadata.name}`, component: 'daemonset-controller' });
      }
    }
    const live = (ownedBy(store.list(POD, { namespace: ns }), ds) as Any[]);
    for (const n of nodes) {
      if (live.some((p) => nodeOf(p) === n.metadata.name)) continue;
      const name = `${ds.metadata.name}-${randomSuffix()}`;
      const tmpl = ds.spec.template?.spec ?? {};
      store.create(POD, ns, podFromTemplate(ds.spec.template, ds, DS, {
        name,
        labels: { 'controller-revision-hash': rev.hash, 'pod-template-generation': generation },
        spec: {
          affinity: { ...tmpl.affinity, nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [n.metadata.name] }] }] } } },
          tolerations: [...(tmpl.tolerations ?? []), ...DAEMON_TOLERATIONS],
        },
      }));
      recordEvent(store, ds, { reason: 'SuccessfulCreate', message: `Created pod: ${name}`, component: 'daemonset-controller' });
    }
    const now = (ownedBy(store.list(POD, { namespace: ns }), ds) as Any[]).filter(isActive);
    const ready = now.filter(isPodReady).length;
    const fresh = store.get(DS, ns, ds.metadata.name) as Any;
    if (!fresh) return;
    const status = {
      currentNumberScheduled: now.filter((p) => nodes.some((n) => n.metadata.name === nodeOf(p))).length,
      desiredNumberScheduled: nodes.length,
      numberMisscheduled: now.filter((p) => !nodes.some((n) => n.metadata.name === nodeOf(p))).length,
      numberReady: ready,
      ...(ready ? { numberAvailable: ready } : {}),
      ...(nodes.length - ready > 0 ? { numberUnavailable: nodes.length - ready } : {}),
      updatedNumberScheduled: now.filter((p) => p.metadata.labels?.['controller-revision-hash'] === rev.hash).length,
      observedGeneration: fresh.metadata.generation,
    };
    if (!deepEqual(fresh.status, status)) store.update(DS, ns, ds.metadata.name, { ...fresh, status }, { subresource: 'status' });
  };
  return { watches: ['DaemonSet', 'Pod', 'Node'], reconcile: () => store.list(DS).forEach(reconcile) };
}
