/** Discovery documents: aggregated (apidiscovery.k8s.io/v2) and legacy (APIVersions, APIGroupList, APIResourceList). */
import { RESOURCES, groupVersions, type ResourceDef } from './registry.js';

export const AGGREGATED_DISCOVERY_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** True when the Accept header lists the aggregated v2 discovery media type. */
export function wantsAggregated(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((p) => {
    const t = p.replace(/\s+/g, '');
    return t.includes('g=apidiscovery.k8s.io') && t.includes('v=v2') && t.includes('as=APIGroupDiscoveryList');
  });
}

const SUBRESOURCE_KINDS: Record<string, { group: string; version: string; kind: string; verbs: string[] }> = {
  status: { group: '', version: '', kind: '', verbs: ['get', 'patch', 'update'] },
  scale: { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] },
  log: { group: '', version: 'v1', kind: 'Pod', verbs: ['get'] },
  exec: { group: '', version: 'v1', kind: 'PodExecOptions', verbs: ['create', 'get'] },
  attach: { group: '', version: 'v1', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
  portforward: { group: '', version: 'v1', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  binding: { group: '', version: 'v1', kind: 'Binding', verbs: ['create'] },
  eviction: { group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
  finalize: { group: '', version: 'v1', kind: 'Namespace', verbs: ['update'] },
  proxy: { group: '', version: 'v1', kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  ephemeralcontainers: { group: '', version: 'v1', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
  resize: { group: '', version: 'v1', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
  token: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] },
  approval: { group: '', version: '', kind: '', verbs: ['get', 'patch', 'update'] },
};

const PROXY_KINDS: Record<string, string> = { Node: 'NodeProxyOptions', Pod: 'PodProxyOptions', Service: 'ServiceProxyOptions' };

function subresourceKind(r: ResourceDef, sub: string) {
  const s = SUBRESOURCE_KINDS[sub];
  if (sub === 'status' || sub === 'approval') return { group: r.group, version: r.version, kind: r.kind, verbs: s.verbs };
  if (sub === 'proxy') return { ...s, kind: PROXY_KINDS[r.kind] ?? s.kind };
  return s;
}

function inGroup(group: string, version: string): ResourceDef[] {
  return RESOURCES.filter((r) => r.group === group && r.version === version);
}

function aggregatedResource(r: ResourceDef) {
  return {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: [...r.verbs],
    ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length ? { categories: r.categories } : {}),
    subresources: r.subresources.map((sub) => {
      const k = subresourceKind(r, sub);
      return { subresource: sub, responseKind: { group: k.group, version: k.version, kind: k.kind }, verbs: k.verbs };
    }),
  };
}

/** `/api` (core) or `/apis` (named groups) as an APIGroupDiscoveryList. */
export function aggregatedDiscovery(core: boolean): Record<string, unknown> {
  const gvs = groupVersions().filter((gv) => (gv.group === '') === core);
  const groups = [...new Set(gvs.map((gv) => gv.group))];
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map((group) => ({
      metadata: group ? { name: group } : {},
      versions: gvs
        .filter((gv) => gv.group === group)
        .map((gv) => ({ version: gv.version, resources: inGroup(group, gv.version).map(aggregatedResource), freshness: 'Current' })),
    })),
  };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export function apiGroupList(): Record<string, unknown> {
  const gvs = groupVersions().filter((gv) => gv.group !== '');
  const groups = [...new Set(gvs.map((gv) => gv.group))];
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups.map((name) => apiGroup(name)).filter(Boolean),
  };
}

/** `/apis/<group>` as an APIGroup, or undefined for groups not served. */
export function apiGroup(name: string): Record<string, unknown> | undefined {
  const versions = groupVersions()
    .filter((gv) => gv.group === name && name !== '')
    .map((gv) => ({ groupVersion: `${name}/${gv.version}`, version: gv.version }));
  if (versions.length === 0) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions, preferredVersion: versions[0] };
}

export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const rs = inGroup(group, version);
  if (rs.length === 0) return undefined;
  const resources = rs.flatMap((r) => [
    {
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: [...r.verbs],
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
    },
    ...r.subresources.map((sub) => {
      const k = subresourceKind(r, sub);
      return { name: `${r.plural}/${sub}`, singularName: '', namespaced: r.namespaced, group: k.group, version: k.version, kind: k.kind, verbs: k.verbs };
    }),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}
