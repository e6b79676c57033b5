/** ReplicaSet: keeps `replicas` pods of its template, deletes the least valuable extras, reports status. */
import { recordEvent } from '../events.js';
import { isPodReady } from '../kubelet.js';
import { resourceForKind } from '../registry.js';
import { deepEqual } from '../types.js';
import { isActive, isTerminal, matchesSelector, ownedBy, podFromTemplate, randomSuffix, type Any, type Controller, type ControllerContext } from './common.js';

const RS = resourceForKind('ReplicaSet');
const POD = resourceForKind('Pod');

export function replicaSetController(ctx: ControllerContext): Controller {
  const { store } = ctx;
  const reconcile = (rs: Any) => {
    if (!isActive(rs)) return;
    const ns = rs.metadata.namespace;
    const mine = () => ownedBy(store.list(POD, { namespace: ns }), rs).filter((p: Any) => matchesSelector(rs.spec.selector, p.metadata.labels)) as Any[];
    const live = mine().filter((p) => isActive(p) && !isTerminal(p));
    const want = rs.spec.replicas ?? 1;
    for (let i = live.length; i < want; i++) {
      const name = `${rs.metadata.name}-${randomSuffix()}`;
      store.create(POD, ns, podFromTemplate(rs.spec.template, rs, RS, { name }));
      recordEvent(store, rs, { reason: 'SuccessfulCreate', message: `Created pod: ${name}`, component: 'replicaset-controller' });
    }
    if (live.length > want) {
      const victims = [...live]
        .sort((a, b) => Number(!!a.spec?.nodeName) - Number(!!b.spec?.nodeName) || Number(isPodReady(a)) - Number(isPodReady(b)) || b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp))
        .slice(0, live.length - want);
      for (const v of victims) {
        store.delete(POD, ns, v.metadata.name);
        recordEvent(store, rs, { reason: 'SuccessfulDelete', message: `Deleted pod: ${v.metadata.name}`, component: 'replicaset-controller' });
      }
    }
    const pods = mine().filter((p) => isActive(p) && !isTerminal(p));
    const ready = pods.filter(isPodReady).length;
    const status = {
      replicas: pods.length,
      fullyLabeledReplicas: pods.length,
      ...(ready ? { readyReplicas: ready, availableReplicas: ready } : {}),
      observedGeneration: rs.metadata.generation,
    };
    const fresh = store.get(RS, ns, rs.metadata.name);
    if (fresh && !deepEqual(fresh.status, status)) store.update(RS, ns, rs.metadata.name, { ...fresh, status }, { subresource: 'status' });
  };
  return { watches: ['ReplicaSet', 'Pod'], reconcile: () => store.list(RS).forEach(reconcile) };
}
