/**
 * The policy/v1 Eviction subresource of pods (what `kubectl drain` posts): allowed unless a PodDisruptionBudget
 * covering a healthy pod has no disruption left (429, as the real server answers); an allowed eviction is a graceful
 * delete, and the budget's disruptionsAllowed drops at once so parallel evictions cannot overrun it.
 */
import { resourceForKind } from '../registry.js';
import { matchesSelector } from './common.js';
import { KubeApiError, badRequest, successStatus, type StatusObject } from '../status.js';
import type { KubeStore } from '../store.js';
import type { KubeObject } from '../types.js';
import { isPodReady } from '../kubelet.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export function evictPod(store: KubeStore, ns: string, name: string, eviction: KubeObject): StatusObject {
  if (eviction.metadata.name && eviction.metadata.name !== name) throw badRequest(`name in URL does not match name in Eviction object`);
  const POD = resourceForKind('Pod');
  const pod = store.require(POD, ns, name) as Any;
  const opts = (eviction as Any).deleteOptions ?? {};
  const grace = typeof opts.gracePeriodSeconds === 'number' ? { gracePeriodSeconds: opts.gracePeriodSeconds } : {};
  const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed' || pod.status?.phase === 'Pending';
  if (!pod.metadata.deletionTimestamp && !terminal && isPodReady(pod)) {
    const PDB = resourceForKind('PodDisruptionBudget');
    const budgets = (store.list(PDB, { namespace: ns }) as Any[]).filter((b) => matchesSelector(b.spec?.selector, pod.metadata.labels));
    if (budgets.length > 1) throw new KubeApiError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    const pdb = budgets[0];
    if (pdb) {
      const allowed = pdb.status?.disruptionsAllowed ?? 0;
      if (allowed < 1) {
        throw new KubeApiError(429, 'TooManyRequests', 'Cannot evict pod as it would violate the pod\'s disruption budget.', {
          causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdb.metadata.name} needs ${pdb.status?.desiredHealthy ?? 0} healthy pods and has ${pdb.status?.currentHealthy ?? 0} currently` }],
        });
      }
      store.update(PDB, ns, pdb.metadata.name, { ...pdb, status: { ...pdb.status, disruptionsAllowed: allowed - 1, disruptedPods: { ...pdb.status?.disruptedPods, [name]: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } } }, { subresource: 'status' });
    }
  }
  store.delete(POD, ns, name, { ...grace, ...(opts.preconditions?.uid ? { preconditions: { uid: opts.preconditions.uid } } : {}) });
  return { ...successStatus(), code: 201 };
}
