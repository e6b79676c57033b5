/** PodDisruptionBudget status (the disruption controller): healthy pods against minAvailable/maxUnavailable. */
import { isPodReady } from '../kubelet.js';
import { resourceForKind } from '../registry.js';
import { deepEqual } from '../types.js';
import { condition, isActive, isTerminal, matchesSelector, type Any, type Controller, type ControllerContext } from './common.js';

const PDB = resourceForKind('PodDisruptionBudget');
const POD = resourceForKind('Pod');

function count(v: number | string | undefined, of: number, roundUp: boolean): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number' || /^\d+$/.test(v)) return Number(v);
  const pct = Number(String(v).replace('%', '')) / 100;
  return roundUp ? Math.ceil(pct * of) : Math.floor(pct * of);
}

export function disruptionController(ctx: ControllerContext): Controller {
  const { store, clock } = ctx;
  const reconcile = (pdb: Any) => {
    const ns = pdb.metadata.namespace;
    const pods = (store.list(POD, { namespace: ns }) as Any[]).filter((p) => matchesSelector(pdb.spec?.selector, p.metadata.labels) && !isTerminal(p));
    const expected = pods.length;
    const healthy = pods.filter((p) => isActive(p) && isPodReady(p)).length;
    const min = count(pdb.spec?.minAvailable, expected, true);
    const maxUnavailable = count(pdb.spec?.maxUnavailable, expected, true);
    const desired = min ?? (maxUnavailable !== undefined ? Math.max(0, expected - maxUnavailable) : expected);
    const disrupted = Object.fromEntries(Object.entries((pdb.status?.disruptedPods ?? {}) as Record<string, string>).filter(([name]) => pods.some((p) => p.metadata.name === name && isActive(p))));
    const allowed = Math.max(0, healthy - desired - Object.keys(disrupted).length);
    const status = {
      observedGeneration: pdb.metadata.generation,
      ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
      disruptionsAllowed: allowed,
      currentHealthy: healthy,
      desiredHealthy: desired,
      expectedPods: expected,
      conditions: [condition(clock, pdb.status?.conditions, 'DisruptionAllowed', allowed > 0 ? 'True' : 'False', allowed > 0 ? 'SufficientPods' : 'InsufficientPods', '', true)].map(({ lastUpdateTime: _u, lastProbeTime: _p, ...c }) => ({ ...c, observedGeneration: pdb.metadata.generation })),
    };
    if (!deepEqual(pdb.status, status)) store.update(PDB, ns, pdb.metadata.name, { ...pdb, status }, { subresource: 'status' });
  };
  return { watches: ['PodDisruptionBudget', 'Pod'], reconcile: () => store.list(PDB).forEach(reconcile) };
}
