/**
 * The table of resources the embedded API serves: one entry per resource, everything else is generic. Built-in
 * entries mirror `kubectl api-resources` of a v1.32 kube-apiserver; custom resources are added and removed at run time
 * (see crds.ts) through registerResource/unregisterResources.
 */
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
  /** Verbs of the main resource as discovery lists them. */
  verbs: string[];
  /** Subresources served beside the main resource (`status`, `scale`, `log`). */
  subresources: string[];
  /** Whether spec changes bump metadata.generation. */
  hasSpec: boolean;
  columns: PrinterColumn[];
  /** The OpenAPI v3 schema of a custom resource (built-in kinds take theirs from schemas/builtin.ts). */
  schema?: Record<string, unknown>;
  /** Set for custom resources: the name of the CustomResourceDefinition that registered this entry. */
  crd?: string;
  /** A custom resource's scale subresource paths (`.spec.replicas`, …) as its CRD declares them. */
  scalePaths?: ScalePaths;
}

export interface ScalePaths {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export const CRUD_VERBS: readonly string[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
/** Review kinds (SubjectAccessReview, TokenReview, …): create-only, answered rather than stored. */
const CREATE_ONLY: readonly string[] = ['create'];
const READ_ONLY = ['get', 'list'];

type Extra = Partial<Omit<ResourceDef, 'group' | 'kind' | 'plural' | 'namespaced'>>;

function def(group: string, kind: string, plural: string, namespaced: boolean, extra: Extra = {}): ResourceDef {
  return {
    group,
    version: 'v1',
    kind,
    plural,
    singular: kind.toLowerCase(),
    shortNames: [],
    namespaced,
    categories: [],
    verbs: [...CRUD_VERBS],
    subresources: [],
    hasSpec: false,
    columns: printers[kind] ?? printers.Default,
    ...extra,
  };
}

const ALL = ['all'];
const workload = (extra: Extra = {}): Extra => ({ categories: ALL, subresources: ['status'], hasSpec: true, ...extra });
const review: Extra = { verbs: [...CREATE_ONLY] };

// Groups in the order a v1.32 kube-apiserver lists them under /apis.
const BUILTIN: ResourceDef[] = [
  // core/v1
  def('', 'Binding', 'bindings', true, review),
  def('', 'ComponentStatus', 'componentstatuses', false, { shortNames: ['cs'], verbs: READ_ONLY }),
  def('', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  def('', 'Endpoints', 'endpoints', true, { shortNames: ['ep'] }),
  def('', 'Event', 'events', true, { shortNames: ['ev'] }),
  def('', 'LimitRange', 'limitranges', true, { shortNames: ['limits'] }),
  def('', 'Namespace', 'namespaces', false, {
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: ['finalize', 'status'],
  }),
  def('', 'Node', 'nodes', false, { shortNames: ['no'], subresources: ['proxy', 'status'] }),
  def('', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, { shortNames: ['pvc'], subresources: ['status'] }),
  def('', 'PersistentVolume', 'persistentvolumes', false, { shortNames: ['pv'], subresources: ['status'] }),
  def('', 'Pod', 'pods', true, {
    shortNames: ['po'],
    categories: ALL,
    subresources: ['attach', 'binding', 'ephemeralcontainers', 'eviction', 'exec', 'log', 'portforward', 'proxy', 'resize', 'status'],
  }),
  def('', 'PodTemplate', 'podtemplates', true),
  def('', 'ReplicationController', 'replicationcontrollers', true, workload({ shortNames: ['rc'], subresources: ['scale', 'status'] })),
  def('', 'ResourceQuota', 'resourcequotas', true, { shortNames: ['quota'], subresources: ['status'] }),
  def('', 'Secret', 'secrets', true),
  def('', 'ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'], subresources: ['token'] }),
  def('', 'Service', 'services', true, { shortNames: ['svc'], categories: ALL, subresources: ['proxy', 'status'] }),
  // apps/v1
  def('apps', 'ControllerRevision', 'controllerrevisions', true),
  def('apps', 'DaemonSet', 'daemonsets', true, workload({ shortNames: ['ds'] })),
  def('apps', 'Deployment', 'deployments', true, workload({ shortNames: ['deploy'], subresources: ['scale', 'status'] })),
  def('apps', 'ReplicaSet', 'replicasets', true, workload({ shortNames: ['rs'], subresources: ['scale', 'status'] })),
  def('apps', 'StatefulSet', 'statefulsets', true, workload({ shortNames: ['sts'], subresources: ['scale', 'status'] })),
  // authentication.k8s.io/v1
  def('authentication.k8s.io', 'SelfSubjectReview', 'selfsubjectreviews', false, review),
  def('authentication.k8s.io', 'TokenReview', 'tokenreviews', false, review),
  // authorization.k8s.io/v1
  def('authorization.k8s.io', 'LocalSubjectAccessReview', 'localsubjectaccessreviews', true, review),
  def('authorization.k8s.io', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false, review),
  def('authorization.k8s.io', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', false, review),
  def('authorization.k8s.io', 'SubjectAccessReview', 'subjectaccessreviews', false, review),
  // autoscaling/v2 (preferred) and autoscaling/v1 (what `kubectl autoscale` may send)
  def('autoscaling', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, workload({ version: 'v2', shortNames: ['hpa'] })),
  def('autoscaling', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, workload({ shortNames: ['hpa'] })),
  // batch/v1
  def('batch', 'CronJob', 'cronjobs', true, workload({ shortNames: ['cj'] })),
  def('batch', 'Job', 'jobs', true, workload()),
  // certificates.k8s.io/v1
  def('certificates.k8s.io', 'CertificateSigningRequest', 'certificatesigningrequests', false, {
    shortNames: ['csr'],
    subresources: ['approval', 'status'],
  }),
  // networking.k8s.io/v1
  def('networking.k8s.io', 'IngressClass', 'ingressclasses', false),
  def('networking.k8s.io', 'Ingress', 'ingresses', true, { shortNames: ['ing'], subresources: ['status'], hasSpec: true }),
  def('networking.k8s.io', 'NetworkPolicy', 'networkpolicies', true, { shortNames: ['netpol'], hasSpec: true }),
  // policy/v1
  def('policy', 'PodDisruptionBudget', 'poddisruptionbudgets', true, { shortNames: ['pdb'], subresources: ['status'], hasSpec: true }),
  // rbac.authorization.k8s.io/v1
  def('rbac.authorization.k8s.io', 'ClusterRoleBinding', 'clusterrolebindings', false),
  def('rbac.authorization.k8s.io', 'ClusterRole', 'clusterroles', false),
  def('rbac.authorization.k8s.io', 'RoleBinding', 'rolebindings', true),
  def('rbac.authorization.k8s.io', 'Role', 'roles', true),
  // storage.k8s.io/v1
  def('storage.k8s.io', 'CSIDriver', 'csidrivers', false),
  def('storage.k8s.io', 'CSINode', 'csinodes', false),
  def('storage.k8s.io', 'CSIStorageCapacity', 'csistoragecapacities', true),
  def('storage.k8s.io', 'StorageClass', 'storageclasses', false, { shortNames: ['sc'] }),
  def('storage.k8s.io', 'VolumeAttachment', 'volumeattachments', false, { subresources: ['status'] }),
  // admissionregistration.k8s.io/v1
  def('admissionregistration.k8s.io', 'MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', false, { categories: ['api-extensions'] }),
  def('admissionregistration.k8s.io', 'ValidatingAdmissionPolicy', 'validatingadmissionpolicies', false, { categories: ['api-extensions'], subresources: ['status'] }),
  def('admissionregistration.k8s.io', 'ValidatingAdmissionPolicyBinding', 'validatingadmissionpolicybindings', false, { categories: ['api-extensions'] }),
  def('admissionregistration.k8s.io', 'ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', false, { categories: ['api-extensions'] }),
  // apiextensions.k8s.io/v1
  def('apiextensions.k8s.io', 'CustomResourceDefinition', 'customresourcedefinitions', false, {
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: ['status'],
  }),
  // scheduling.k8s.io/v1
  def('scheduling.k8s.io', 'PriorityClass', 'priorityclasses', false, { shortNames: ['pc'] }),
  // coordination.k8s.io/v1
  def('coordination.k8s.io', 'Lease', 'leases', true),
  // node.k8s.io/v1
  def('node.k8s.io', 'RuntimeClass', 'runtimeclasses', false),
  // discovery.k8s.io/v1
  def('discovery.k8s.io', 'EndpointSlice', 'endpointslices', true),
  // flowcontrol.apiserver.k8s.io/v1
  def('flowcontrol.apiserver.k8s.io', 'FlowSchema', 'flowschemas', false, { subresources: ['status'] }),
  def('flowcontrol.apiserver.k8s.io', 'PriorityLevelConfiguration', 'prioritylevelconfigurations', false, { subresources: ['status'] }),
];

const table: ResourceDef[] = [...BUILTIN];
let generation = 0;

/** Bumped on every change to the table (documents derived from it are cached per generation). */
export function registryGeneration(): number {
  return generation;
}

/** Every served resource, built-in entries first (a live view: custom resources come and go). */
export const RESOURCES: readonly ResourceDef[] = table;

export function apiVersionOf(d: ResourceDef): string {
  return d.group ? `${d.group}/${d.version}` : d.version;
}

export function findResource(group: string, version: string, plural: string): ResourceDef | undefined {
  return table.find((r) => r.group === group && r.version === version && r.plural === plural);
}

/** The resource of a kind (its preferred version: the first registered); built-in kinds win over custom ones. */
export function resourceForKind(kind: string): ResourceDef {
  const found = table.find((r) => r.kind === kind);
  if (!found) throw new Error(`no resource registered for kind ${kind}`);
  return found;
}

/** The resource serving `apiVersion` + `kind`, if any. */
export function resourceForObject(apiVersion: string | undefined, kind: string | undefined): ResourceDef | undefined {
  return table.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
}

/** Distinct group/version pairs in registration order (core first; a group's preferred version first). */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of table) seen.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
  return [...seen.values()];
}

/** Adds (or replaces) a resource; built-in group/version/plural triples cannot be taken over. */
export function registerResource(d: ResourceDef): void {
  const at = table.findIndex((r) => r.group === d.group && r.version === d.version && r.plural === d.plural);
  if (at >= 0 && !table[at].crd) throw new Error(`${d.plural}.${d.group}/${d.version} is a built-in resource`);
  if (at >= 0) table[at] = d;
  else table.push(d);
  generation++;
}

/** Removes every resource a CustomResourceDefinition registered. */
export function unregisterResources(crd: string): ResourceDef[] {
  const gone = table.filter((r) => r.crd === crd);
  for (const r of gone) table.splice(table.indexOf(r), 1);
  if (gone.length) generation++;
  return gone;
}
