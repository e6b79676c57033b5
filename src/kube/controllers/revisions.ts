/** ControllerRevisions: the template history of StatefulSets and DaemonSets (`rollout history`, revision hashes). */
import { resourceForKind, type ResourceDef } from '../registry.js';
import type { KubeStore } from '../store.js';
import { deepEqual } from '../types.js';
import { controllerRef, ownedBy, templateHash, type Any } from './common.js';

const CR = resourceForKind('ControllerRevision');

/** The revision of `owner`'s current template (created when new, or re-numbered when rolled back to); returns its hash. */
export function currentRevision(store: KubeStore, owner: Any, def: ResourceDef): { hash: string; name: string; revision: number } {
  const ns = owner.metadata.namespace;
  const hash = templateHash(owner.spec.template);
  const name = `${owner.metadata.name}-${hash}`;
  const owned = ownedBy(store.list(CR, { namespace: ns }), owner) as Any[];
  const max = Math.max(0, ...owned.map((r) => Number(r.revision ?? 0)));
  const existing = owned.find((r) => r.metadata.name === name);
  const data = { spec: { template: { ...owner.spec.template, $patch: 'replace' } } };
  if (!existing) {
    store.create(CR, ns, {
      metadata: { name, labels: { ...owner.spec.template?.metadata?.labels, 'controller-revision-hash': hash }, ownerReferences: [controllerRef(owner, def)] },
      data,
      revision: max + 1,
    });
    return { hash, name, revision: max + 1 };
  }
  if (Number(existing.revision) < max || !deepEqual(existing.data, data)) {
    const revision = Number(existing.revision) < max ? max + 1 : Number(existing.revision);
    store.update(CR, ns, name, { ...existing, data, revision });
    return { hash, name, revision };
  }
  // keep the history bounded (revisionHistoryLimit, default 10)
  const limit = owner.spec.revisionHistoryLimit ?? 10;
  const old = owned.filter((r) => r.metadata.name !== name).sort((a, b) => Number(a.revision) - Number(b.revision));
  for (const r of old.slice(0, Math.max(0, old.length - limit))) store.delete(CR, ns, r.metadata.name);
  return { hash, name, revision: Number(existing.revision) };
}
