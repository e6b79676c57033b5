/**
 * StatefulSet: pods `name-0 … name-(n-1)` with stable hostnames, created in order (OrderedReady: the next only once
 * the previous is Ready; Parallel: all at once), removed from the highest ordinal, rolled to the current
 * ControllerRevision from the highest ordinal down.
 */
import { recordEvent } from '../events.js';
import { isPodReady } from '../kubelet.js';
import { resourceForKind } from '../registry.js';
import { deepEqual } from '../types.js';
import { isActive, isTerminal, ownedBy, podFromTemplate, type Any, type Controller, type ControllerContext } from './common.js';
import { currentRevision } from './revisions.js';

const STS = resourceForKind('StatefulSet');
const POD = resourceForKind('Pod');
const REVISION_LABEL = 'controller-revision-hash';

export function statefulSetController(ctx: ControllerContext): Controller {
  const { store } = ctx;
  const reconcile = (s: Any) => {
    if (!isActive(s)) return;
    const ns = s.metadata.namespace;
    const name = s.metadata.name;
    const rev = currentRevision(store, s, STS);
    const replicas = s.spec.replicas ?? 1;
    const parallel = s.spec.podManagementPolicy === 'Parallel';
    const pods = new Map<number, Any>();
    for (const p of ownedBy(store.list(POD, { namespace: ns }), s) as Any[]) {
      const m = new RegExp(`^${name.replace(/[.]/g, '\\.')}-(\\d+)$`).exec(p.metadata.name);
      if (m) pods.set(Number(m[1]), p);
    }
    const start = s.spec.ordinals?.start ?? 0;
    // failed pods are replaced; deleting ones are waited for
    for (const [i, p] of pods) if (isTerminal(p) && isActive(p)) store.delete(POD, ns, p.metadata.name);
    for (let i = start; i < start + replicas; i++) {
      const p = pods.get(i);
      if (!p) {
        const podName = `${name}-${i}`;
        if (store.get(POD, ns, podName)) break; // the previous incarnation is still terminating
        store.create(POD, ns, podFromTemplate(s.spec.template, s, STS, {
          name: podName,
          labels: { [REVISION_LABEL]: rev.name, 'statefulset.kubernetes.io/pod-name': podName, 'apps.kubernetes.io/pod-index': String(i) },
          spec: { hostname: podName, ...(s.spec.serviceName ? { subdomain: s.spec.serviceName } : {}) },
        }));
        recordEvent(store, s, { reason: 'SuccessfulCreate', message: `create Pod ${podName} in StatefulSet ${name} successful`, component: 'statefulset-controller' });
        if (!parallel) break;
      } else if (!parallel && (!isPodReady(p) || !isActive(p))) break;
    }
    // scale down from the highest ordinal, one at a time unless Parallel
    const extra = [...pods.keys()].filter((i) => i >= start + replicas || i < start).sort((a, b) => b - a);
    for (const i of parallel ? extra : extra.slice(0, 1)) {
      const p = pods.get(i)!;
      if (!isActive(p)) continue;
      store.delete(POD, ns, p.metadata.name);
      recordEvent(store, s, { reason: 'SuccessfulDelete', message: `delete Pod ${p.metadata.name} in StatefulSet ${name} successful`, component: 'statefulset-controller' });
    }
    // rolling update: with every pod ready, replace the highest-ordinal outdated one
    const inRange = [...pods.entries()].filter(([i]) => i >= start && i < start + replicas).sort((a, b) => b[0] - a[0]);
    const partition = s.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
    if ((s.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && inRange.length === replicas && inRange.every(([, p]) => isPodReady(p) && isActive(p))) {
      const outdated = inRange.find(([i, p]) => i >= partition && p.metadata.labels?.[REVISION_LABEL] !== rev.name);
      if (outdated) store.delete(POD, ns, outdated[1].metadata.name);
    }
    const live = (ownedBy(store.list(POD, { namespace: ns }), s) as Any[]).filter((p) => isActive(p));
    const ready = live.filter(isPodReady).length;
    const updated = live.filter((p) => p.metadata.labels?.[REVISION_LABEL] === rev.name).length;
    const revisions = new Set(live.map((p) => p.metadata.labels?.[REVISION_LABEL]));
    const fresh = store.get(STS, ns, name) as Any;
    if (!fresh) return;
    const currentRev = updated === live.length ? rev.name : (fresh.status?.currentRevision ?? rev.name);
    const status = {
      observedGeneration: fresh.metadata.generation,
      replicas: live.length,
      ...(ready ? { readyReplicas: ready } : {}),
      currentReplicas: live.filter((p) => p.metadata.labels?.[REVISION_LABEL] === currentRev).length,
      updatedReplicas: updated,
      currentRevision: revisions.size <= 1 ? rev.name : currentRev,
      updateRevision: rev.name,
      collisionCount: 0,
      availableReplicas: ready,
    };
    if (!deepEqual(fresh.status, status)) store.update(STS, ns, name, { ...fresh, status }, { subresource: 'status' });
  };
  return { watches: ['StatefulSet', 'Pod'], reconcile: () => store.list(STS).forEach(reconcile) };
}
