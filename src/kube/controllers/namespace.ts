/**
 * Namespaces: every active one gets the `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap; a deleted
 * one is Terminating (phase and the namespace controller's conditions) while its content is deleted, then its
 * `kubernetes` finalizer is removed and the store lets it go.
 */
import { timestamp } from '../clock.js';
import { RESOURCES, resourceForKind } from '../registry.js';
import { deepEqual } from '../types.js';
import type { Any, Controller, ControllerContext } from './common.js';

const NS = resourceForKind('Namespace');
const SA = resourceForKind('ServiceAccount');
const CM = resourceForKind('ConfigMap');
const ROOT_CA = 'kube-root-ca.crt';

export function namespaceController(ctx: ControllerContext, caPem: () => string | undefined): Controller {
  const { store, clock } = ctx;

  const ensureDefaults = (ns: string) => {
    if (!store.get(SA, ns, 'default')) store.create(SA, ns, { metadata: { name: 'default' } });
    const ca = caPem();
    if (!ca) return;
    const cm = store.get(CM, ns, ROOT_CA) as Any;
    const annotations = { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' };
    if (!cm) store.create(CM, ns, { metadata: { name: ROOT_CA, annotations }, data: { 'ca.crt': ca } });
    else if (cm.data?.['ca.crt'] !== ca) store.update(CM, ns, ROOT_CA, { ...cm, data: { 'ca.crt': ca } });
  };

  const terminate = (ns: Any) => {
    const name = ns.metadata.name;
    const remaining = new Map<string, number>();
    const finalizersLeft = new Map<string, number>();
    for (const def of RESOURCES) {
      if (!def.namespaced) continue;
      for (const o of store.list(def, { namespace: name })) {
        const key = `${def.plural}${def.group ? `.${def.group}` : ''}`;
        remaining.set(key, (remaining.get(key) ?? 0) + 1);
        for (const f of o.metadata.finalizers ?? []) finalizersLeft.set(f, (finalizersLeft.get(f) ?? 0) + 1);
        if (!o.metadata.deletionTimestamp) {
          try {
            store.delete(def, name, o.metadata.name ?? '', { propagationPolicy: 'Background' });
          } catch {
            // gone meanwhile (a cascade got there first)
          }
        }
      }
    }
    const fresh = store.get(NS, undefined, name) as Any;
    if (!fresh) return;
    const now = timestamp(clock);
    const prev: Any[] = fresh.status?.conditions ?? [];
    const cond = (type: string, status: string, reason: string, message: string) => {
      const old = prev.find((c) => c.type === type);
      return { type, status, lastTransitionTime: old?.status === status ? old.lastTransitionTime : now, reason, message };
    };
    const resourcesText = [...remaining].map(([k, n]) => `${k} has ${n} resource instances`).join(', ');
    const conditions = [
      cond('NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered'),
      cond('NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'),
      cond('NamespaceDeletionContentFailure', 'False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'),
      remaining.size
        ? cond('NamespaceContentRemaining', 'True', 'SomeResourcesRemain', `Some resources are remaining: ${resourcesText}`)
        : cond('NamespaceContentRemaining', 'False', 'ContentRemoved', 'All content successfully removed'),
      finalizersLeft.size
        ? cond('NamespaceFinalizersRemaining', 'True', 'SomeFinalizersRemain', `Some content in the namespace has finalizers remaining: ${[...finalizersLeft].map(([f, n]) => `${f} in ${n} resource instances`).join(', ')}`)
        : cond('NamespaceFinalizersRemaining', 'False', 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'),
    ];
    const status = { phase: 'Terminating', conditions };
    if (!deepEqual(fresh.status, status)) store.update(NS, undefined, name, { ...fresh, status }, { subresource: 'status' });
    if (remaining.size === 0 && (fresh.spec?.finalizers ?? []).includes('kubernetes')) {
      const current = store.get(NS, undefined, name) as Any;
      if (current) store.update(NS, undefined, name, { ...current, spec: { ...current.spec, finalizers: current.spec.finalizers.filter((f: string) => f !== 'kubernetes') } }, { subresource: 'finalize' });
    }
  };

  return {
    watches: RESOURCES.filter((r) => r.namespaced || r.kind === 'Namespace').map((r) => r.kind),
    reconcile: () => {
      for (const ns of store.list(NS) as Any[]) {
        if (ns.metadata.deletionTimestamp) terminate(ns);
        else ensureDefaults(ns.metadata.name);
      }
    },
  };
}
