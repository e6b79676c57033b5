/** Deployment → ReplicaSets: one ReplicaSet per template (pod-template-hash), revisions, rollbacks, status roll-up. */
import { recordEvent } from '../events.js';
import { resourceForKind } from '../registry.js';
import { deepEqual } from '../types.js';
import { condition, controllerRef, isActive, ownedBy, templateHash, type Any, type Controller, type ControllerContext } from './common.js';

const DEPLOY = resourceForKind('Deployment');
const RS = resourceForKind('ReplicaSet');

export function deploymentController(ctx: ControllerContext): Controller {
  const { store, clock } = ctx;
  const revisionOf = (rs: Any) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);

  const reconcile = (d: Any) => {
    if (!isActive(d)) return;
    const ns = d.metadata.namespace;
    const hash = templateHash(d.spec.template);
    const name = `${d.metadata.name}-${hash}`;
    const owned = ownedBy(store.list(RS, { namespace: ns }), d) as Any[];
    const replicas = d.spec.replicas ?? 1;
    let current = owned.find((rs) => rs.metadata.name === name);
    const maxRevision = Math.max(0, ...owned.map(revisionOf));
    if (current && revisionOf(current) < maxRevision) {
      // a rollback to an older template: that ReplicaSet becomes the newest revision again
      const annotations = { ...current.metadata.annotations, 'deployment.kubernetes.io/revision': String(maxRevision + 1) };
      current = store.update(RS, ns, name, { ...current, metadata: { ...current.metadata, annotations } }) as Any;
    }
    if (!current) {
      const labels = { ...d.spec.template?.metadata?.labels, 'pod-template-hash': hash };
      current = store.create(RS, ns, {
        metadata: {
          name,
          labels,
          annotations: { 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas), 'deployment.kubernetes.io/revision': String(maxRevision + 1) },
          ownerReferences: [controllerRef(d, DEPLOY)],
        },
        spec: {
          replicas,
          selector: { ...d.spec.selector, matchLabels: { ...d.spec.selector?.matchLabels, 'pod-template-hash': hash } },
          template: { ...d.spec.template, metadata: { ...d.spec.template?.metadata, labels } },
        },
      });
      recordEvent(store, d, { reason: 'ScalingReplicaSet', message: `Scaled up replica set ${name} from 0 to ${replicas}`, component: 'deployment-controller' });
    } else if (current.spec.replicas !== replicas) {
      const from = current.spec.replicas;
      store.update(RS, ns, name, { ...current, spec: { ...current.spec, replicas } });
      recordEvent(store, d, { reason: 'ScalingReplicaSet', message: `Scaled ${replicas > from ? 'up' : 'down'} replica set ${name} from ${from} to ${replicas}`, component: 'deployment-controller' });
    }
    const revision = String(revisionOf(current));
    if (d.metadata.annotations?.['deployment.kubernetes.io/revision'] !== revision) {
      const fresh = store.get(DEPLOY, ns, d.metadata.name);
      if (fresh) store.update(DEPLOY, ns, d.metadata.name, { ...fresh, metadata: { ...fresh.metadata, annotations: { ...fresh.metadata.annotations, 'deployment.kubernetes.io/revision': revision } } });
    }
    for (const old of owned) {
      if (old.metadata.name === name || old.spec.replicas === 0) continue;
      store.update(RS, ns, old.metadata.name, { ...old, spec: { ...old.spec, replicas: 0 } });
      recordEvent(store, d, { reason: 'ScalingReplicaSet', message: `Scaled down replica set ${old.metadata.name} from ${old.spec.replicas} to 0`, component: 'deployment-controller' });
    }
  };

  const status = (d: Any) => {
    const ns = d.metadata.namespace;
    const fresh = store.get(DEPLOY, ns, d.metadata.name) as Any;
    if (!fresh) return;
    const owned = ownedBy(store.list(RS, { namespace: ns }), fresh) as Any[];
    const currentName = `${fresh.metadata.name}-${templateHash(fresh.spec.template)}`;
    const sum = (f: string) => owned.reduce((n, rs) => n + (rs.status?.[f] ?? 0), 0);
    const desired = fresh.spec.replicas ?? 1;
    const replicas = sum('replicas');
    const available = sum('availableReplicas');
    const ready = sum('readyReplicas');
    const updated = owned.find((rs) => rs.metadata.name === currentName)?.status?.replicas ?? 0;
    const prev = fresh.status?.conditions;
    const isAvailable = available >= desired;
    const complete = updated === desired && available >= desired && replicas === desired;
    const next = {
      observedGeneration: fresh.metadata.generation,
      ...(replicas ? { replicas } : {}),
      ...(updated ? { updatedReplicas: updated } : {}),
      ...(ready ? { readyReplicas: ready } : {}),
      ...(available ? { availableReplicas: available } : {}),
      ...(replicas - available > 0 ? { unavailableReplicas: replicas - available } : {}),
      conditions: [
        condition(clock, prev, 'Available', isAvailable ? 'True' : 'False', isAvailable ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', isAvailable ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.'),
        condition(clock, prev, 'Progressing', 'True', complete ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated', complete ? `ReplicaSet "${currentName}" has successfully progressed.` : `ReplicaSet "${currentName}" is progressing.`),
      ],
    };
    if (!deepEqual(fresh.status, next)) store.update(DEPLOY, ns, fresh.metadata.name, { ...fresh, status: next }, { subresource: 'status' });
  };

  return {
    watches: ['Deployment', 'ReplicaSet'],
    reconcile: () => {
      for (const d of store.list(DEPLOY)) reconcile(d);
      for (const d of store.list(DEPLOY)) status(d);
    },
  };
}
