/**
 * Endpoints and EndpointSlices follow each selector Service: the pods it selects that have an IP, ready ones as
 * addresses, others as notReadyAddresses (EndpointSlice conditions ready/serving/terminating), ports resolved
 * from the Service's targetPort (numbers or named container ports).
 */
import { timestamp } from '../clock.js';
import { isPodReady } from '../kubelet.js';
import { resourceForKind } from '../registry.js';
import { deepEqual } from '../types.js';
import { controllerRef, isActive, isTerminal, matchesSelector, randomSuffix, type Any, type Controller, type ControllerContext } from './common.js';

const SVC = resourceForKind('Service');
const EP = resourceForKind('Endpoints');
const SLICE = resourceForKind('EndpointSlice');
const POD = resourceForKind('Pod');
const MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
const SLICE_CONTROLLER = 'endpointslice-controller.k8s.io';
const SERVICE_NAME = 'kubernetes.io/service-name';

function targetPort(sp: Any, pod: Any): number | undefined {
  const t = sp.targetPort ?? sp.port;
  if (typeof t === 'number') return t;
  if (/^\d+$/.test(String(t))) return Number(t);
  for (const c of (pod?.spec?.containers ?? []) as Any[]) for (const p of (c.ports ?? []) as Any[]) if (p.name === t) return p.containerPort;
  return undefined;
}

export function endpointsController(ctx: ControllerContext): Controller {
  const { store, clock } = ctx;

  const reconcile = (svc: Any) => {
    const ns = svc.metadata.namespace;
    const name = svc.metadata.name;
    const selector = svc.spec?.selector;
    if (!selector || Object.keys(selector).length === 0 || svc.spec?.type === 'ExternalName') return;
    const pods = (store.list(POD, { namespace: ns }) as Any[]).filter((p) => matchesSelector({ matchLabels: selector }, p.metadata.labels) && p.status?.podIP && !isTerminal(p));
    const publishNotReady = !!svc.spec.publishNotReadyAddresses;
    const ports: Any[] = svc.spec.ports ?? [];
    const addr = (p: Any) => ({
      ip: p.status.podIP,
      ...(p.spec?.hostname && p.spec?.subdomain === name ? { hostname: p.spec.hostname } : {}),
      nodeName: p.spec.nodeName,
      targetRef: { kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid },
    });
    const byIp = (a: Any, b: Any) => a.ip.localeCompare(b.ip, 'en', { numeric: true });
    const ready = pods.filter((p) => isActive(p) && (isPodReady(p) || publishNotReady)).map(addr).sort(byIp);
    const notReady = pods.filter((p) => isActive(p) && !isPodReady(p) && !publishNotReady).map(addr).sort(byIp);
    const epPorts = ports
      .map((sp) => ({ ...(sp.name ? { name: sp.name } : {}), port: targetPort(sp, pods[0]), protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) }))
      .filter((p) => p.port !== undefined);
    const subsets = ready.length || notReady.length ? [{ ...(ready.length ? { addresses: ready } : {}), ...(notReady.length ? { notReadyAddresses: notReady } : {}), ...(epPorts.length ? { ports: epPorts } : {}) }] : undefined;
    const labels = { ...svc.metadata.labels, 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' };
    const ep = store.get(EP, ns, name) as Any;
    if (!ep) {
      store.create(EP, ns, { metadata: { name, labels, annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': timestamp(clock) } }, ...(subsets ? { subsets } : {}) });
    } else if (!deepEqual(ep.subsets, subsets) || !deepEqual(ep.metadata.labels, labels)) {
      const next: Any = { ...ep, metadata: { ...ep.metadata, labels, annotations: { ...ep.metadata.annotations, 'endpoints.kubernetes.io/last-change-trigger-time': timestamp(clock) } } };
      if (subsets) next.subsets = subsets;
      else delete next.subsets;
      store.update(EP, ns, name, next);
    }

    const endpoints = pods
      .map((p) => ({
        addresses: [p.status.podIP],
        conditions: { ready: isActive(p) && isPodReady(p), serving: isPodReady(p), terminating: !isActive(p) },
        ...(p.spec?.hostname && p.spec?.subdomain === name ? { hostname: p.spec.hostname } : {}),
        targetRef: { kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid },
        nodeName: p.spec.nodeName,
      }))
      .sort((a, b) => a.addresses[0].localeCompare(b.addresses[0], 'en', { numeric: true }));
    const slicePorts = ports.map((sp) => ({ name: sp.name ?? '', port: targetPort(sp, pods[0]), protocol: sp.protocol ?? 'TCP' })).filter((p) => p.port !== undefined);
    const sliceLabels = { ...svc.metadata.labels, [SERVICE_NAME]: name, [MANAGED_BY]: SLICE_CONTROLLER };
    const existing = (store.list(SLICE, { namespace: ns }) as Any[]).find((s) => s.metadata.labels?.[SERVICE_NAME] === name && s.metadata.labels?.[MANAGED_BY] === SLICE_CONTROLLER);
    const body = { addressType: 'IPv4', endpoints, ports: slicePorts };
    if (!existing) {
      store.create(SLICE, ns, { metadata: { name: `${name}-${randomSuffix()}`, labels: sliceLabels, ownerReferences: [controllerRef(svc, SVC)] }, ...body });
    } else if (!deepEqual({ addressType: existing.addressType, endpoints: existing.endpoints ?? [], ports: existing.ports ?? [] }, body) || !deepEqual(existing.metadata.labels, sliceLabels)) {
      store.update(SLICE, ns, existing.metadata.name, { ...existing, metadata: { ...existing.metadata, labels: sliceLabels }, ...body });
    }
  };

  /** Endpoints of services that are gone (slices go with their owner reference). */
  const orphans = () => {
    for (const ep of store.list(EP) as Any[]) {
      if (ep.metadata.labels?.['endpoints.kubernetes.io/managed-by'] !== 'endpoint-controller') continue;
      const svc = store.get(SVC, ep.metadata.namespace, ep.metadata.name) as Any;
      if (!svc || !svc.spec?.selector) store.delete(EP, ep.metadata.namespace, ep.metadata.name);
    }
  };

  return {
    watches: ['Service', 'Pod'],
    reconcile: () => {
      store.list(SVC).forEach(reconcile);
      orphans();
    },
  };
}
