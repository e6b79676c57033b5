/** The table of resources the embedded API serves: one entry per kind, everything else is generic. */
import { printers, type PrinterColumn } from './printers.js';

export interface ResourceDef {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  namespaced: boolean;
  categories: string[];
  /** Subresources served beside the main resource (`status`, `scale`, `log`). */
  subresources: string[];
  /** Whether spec changes bump metadata.generation. */
  hasSpec: boolean;
  columns: PrinterColumn[];
  /** Verbs when not the full CRUD set (the create-only review APIs). */
  verbs?: string[];
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function def(
  group: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  extra: Partial<ResourceDef> = {},
): ResourceDef {
  return {
    group,
    version: 'v1',
    kind,
    plural,
    singular: kind.toLowerCase(),
    shortNames: [],
    namespaced,
    categories: [],
    subresources: [],
    hasSpec: false,
    columns: printers[kind] ?? printers.Default,
    ...extra,
  };
}

export const RESOURCES: readonly ResourceDef[] = [
  def('', 'Namespace', 'namespaces', false, { shortNames: ['ns'], subresources: ['status', 'finalize'] }),
  def('', 'Node', 'nodes', false, { shortNames: ['no'], subresources: ['status'] }),
  def('', 'Pod', 'pods', true, {
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', 'log', 'exec', 'attach', 'portforward', 'binding', 'eviction'],
  }),
  def('', 'Service', 'services', true, { shortNames: ['svc'], categories: ['all'], subresources: ['status'] }),
  def('', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  def('', 'Secret', 'secrets', true),
  def('', 'Event', 'events', true, { shortNames: ['ev'] }),
  def('', 'ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'] }),
  def('apps', 'Deployment', 'deployments', true, {
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    hasSpec: true,
  }),
  def('apps', 'ReplicaSet', 'replicasets', true, {
    shortNames: ['rs'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    hasSpec: true,
  }),
  // RBAC and the review APIs (added by K2 for enforcement; K1's table may supersede these entries)
  def('rbac.authorization.k8s.io', 'ClusterRole', 'clusterroles', false),
  def('rbac.authorization.k8s.io', 'ClusterRoleBinding', 'clusterrolebindings', false),
  def('rbac.authorization.k8s.io', 'Role', 'roles', true),
  def('rbac.authorization.k8s.io', 'RoleBinding', 'rolebindings', true),
  def('authorization.k8s.io', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false, { verbs: ['create'] }),
  def('authorization.k8s.io', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', false, { verbs: ['create'] }),
  def('authorization.k8s.io', 'SubjectAccessReview', 'subjectaccessreviews', false, { verbs: ['create'] }),
  def('authorization.k8s.io', 'LocalSubjectAccessReview', 'localsubjectaccessreviews', true, { verbs: ['create'] }),
  def('authentication.k8s.io', 'SelfSubjectReview', 'selfsubjectreviews', false, { verbs: ['create'] }),
  // What nautilus provisions for tenants (quota, limits, isolation).
  def('', 'ResourceQuota', 'resourcequotas', true, { shortNames: ['quota'], subresources: ['status'], hasSpec: true }),
  def('', 'LimitRange', 'limitranges', true, { shortNames: ['limits'], hasSpec: true }),
  def('networking.k8s.io', 'NetworkPolicy', 'networkpolicies', true, { shortNames: ['netpol'], hasSpec: true }),
];

export const RESOURCE_VERBS: readonly string[] = VERBS;

export function apiVersionOf(d: ResourceDef): string {
  return d.group ? `${d.group}/${d.version}` : d.version;
}

export function findResource(group: string, version: string, plural: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function resourceForKind(kind: string): ResourceDef {
  const found = RESOURCES.find((r) => r.kind === kind);
  if (!found) throw new Error(`no resource registered for kind ${kind}`);
  return found;
}

/** Distinct group/version pairs, core ("") first. */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
  return [...seen.values()];
}
