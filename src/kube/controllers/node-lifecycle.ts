/**
 * Node heartbeats as a kubelet sends them: a coordination.k8s.io Lease per node in kube-node-lease renewed every
 * 10 s, and the node's Ready condition re-posted every minute (lastHeartbeatTime) — on the cluster's clock.
 */
import { microTimestamp, timestamp } from '../clock.js';
import { resourceForKind } from '../registry.js';
import { controllerRef, type Any, type Controller, type ControllerContext } from './common.js';

const NODE = resourceForKind('Node');
const LEASE = resourceForKind('Lease');
export const LEASE_RENEW_MS = 10_000;
export const NODE_STATUS_MS = 60_000;
const LEASE_DURATION_S = 40;

export function nodeLifecycleController(ctx: ControllerContext): Controller {
  const { store, clock } = ctx;
  let lastStatus = clock.now();
  let cancel: (() => void) | undefined;

  const renew = (node: Any, statusDue: boolean) => {
    const name = node.metadata.name;
    const lease = store.get(LEASE, 'kube-node-lease', name) as Any;
    const spec = { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_S, renewTime: microTimestamp(clock) };
    try {
      if (!lease) store.create(LEASE, 'kube-node-lease', { metadata: { name, ownerReferences: [{ ...controllerRef(node, NODE), controller: undefined, blockOwnerDeletion: undefined }] }, spec });
      else if (lease.spec?.holderIdentity !== name || statusDue || Date.parse(lease.spec?.renewTime ?? 0) + LEASE_RENEW_MS <= clock.now()) store.update(LEASE, 'kube-node-lease', name, { ...lease, spec: { ...lease.spec, ...spec } });
    } catch {
      // kube-node-lease deleted by a user: the lease comes back when it is recreated
    }
    if (statusDue) {
      const now = timestamp(clock);
      const conditions = ((node.status?.conditions ?? []) as Any[]).map((c) => ({ ...c, lastHeartbeatTime: now }));
      store.update(NODE, undefined, name, { ...node, status: { ...node.status, conditions } }, { subresource: 'status' });
    }
  };

  const tick = () => {
    const statusDue = clock.now() - lastStatus >= NODE_STATUS_MS;
    if (statusDue) lastStatus = clock.now();
    for (const n of store.list(NODE)) renew(n, statusDue);
    cancel = ctx.after(LEASE_RENEW_MS, tick);
  };

  return {
    watches: ['Node'],
    reconcile: () => {
      // new nodes get their lease at once; the timer keeps them all fresh
      for (const n of store.list(NODE)) if (!store.get(LEASE, 'kube-node-lease', n.metadata.name ?? '')) renew(n, false);
      if (!cancel) cancel = ctx.after(LEASE_RENEW_MS, tick);
    },
    stop: () => cancel?.(),
  };
}
