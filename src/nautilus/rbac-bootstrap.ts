/**
 * The cluster RBAC for the identities nautilus impersonates (roles.ts), installed at every start so a fresh k3s
 * (`--k3s`) or any cluster named by `--kubeconfig` answers requests the chain allowed without hand-written bindings.
 * The cluster's rules mirror the contract's, as defence in depth (the chain decides first):
 * - `k3sdaas:viewer`: the built-in `view` (namespaced reads, no secrets) + reads of cluster-scoped kinds.
 * - `k3sdaas:editor`: the built-in `admin` in every namespace (namespaced writes, no quota or namespace writes) +
 *   the same cluster-scoped reads.
 * - `k3sdaas:admin`: `cluster-admin`.
 * - `k3sdaas:tenant`: nothing cluster-wide; each tenant's own RoleBinding in its namespace (tenants.ts).
 * Applying is idempotent (server-side apply under one field manager).
 */
import type { Logger } from '../core/log.js';
import { silentLogger } from '../core/log.js';
import type { KubeAdmin, KubeObjectRef } from './kube-admin.js';
import { ROLE_GROUPS } from './roles.js';

const RBAC = 'rbac.authorization.k8s.io/v1';
const MANAGED = { 'app.kubernetes.io/managed-by': 'k3sdaas-nautilus' };

/** Reads of cluster-scoped kinds, which the built-in `view`/`admin` roles (namespaced) do not give. */
// Object names use `-` (not the groups' `:`): valid everywhere, also where names are checked as DNS-1123 subdomains.
export const CLUSTER_READER_ROLE = 'k3sdaas-cluster-reader';
const objectName = (group: string, role: string) => `${group.replace(/:/g, '-')}-${role}`;

const clusterReader: KubeObjectRef = {
  apiVersion: RBAC,
  kind: 'ClusterRole',
  metadata: { name: CLUSTER_READER_ROLE, labels: MANAGED },
  rules: [
    { apiGroups: [''], resources: ['namespaces', 'nodes', 'persistentvolumes', 'componentstatuses'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['storage.k8s.io'], resources: ['storageclasses', 'csidrivers', 'csinodes', 'volumeattachments'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['networking.k8s.io'], resources: ['ingressclasses'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['scheduling.k8s.io'], resources: ['priorityclasses'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['node.k8s.io'], resources: ['runtimeclasses'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['metrics.k8s.io'], resources: ['nodes', 'pods'], verbs: ['get', 'list', 'watch'] },
    { nonResourceURLs: ['*'], verbs: ['get'] },
  ],
};

function binding(name: string, group: string, clusterRole: string): KubeObjectRef {
  return {
    apiVersion: RBAC,
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: MANAGED },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
  };
}

/** Every object the bootstrap installs, in apply order (roles before the bindings naming them). */
export function clusterRbacObjects(): KubeObjectRef[] {
  const viewer = ROLE_GROUPS[0];
  const editor = ROLE_GROUPS[1];
  const admin = ROLE_GROUPS[2];
  return [
    clusterReader,
    binding(objectName(viewer, 'view'), viewer, 'view'),
    binding(objectName(viewer, 'cluster-reader'), viewer, CLUSTER_READER_ROLE),
    binding(objectName(editor, 'admin'), editor, 'admin'),
    binding(objectName(editor, 'cluster-reader'), editor, CLUSTER_READER_ROLE),
    binding(objectName(admin, 'cluster-admin'), admin, 'cluster-admin'),
  ];
}

/** Installs (or re-applies) the cluster RBAC; a failure is returned to the caller (nautilus start fails loudly). */
export async function installClusterRbac(admin: KubeAdmin, logger: Logger = silentLogger): Promise<number> {
  const objects = clusterRbacObjects();
  for (const obj of objects) await admin.apply(obj);
  logger.info('cluster RBAC for impersonated groups installed', { objects: objects.map((o) => `${o.kind}/${o.metadata.name}`) });
  return objects.length;
}
