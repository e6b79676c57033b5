/**
 * RBAC as the real API server evaluates it: Role/ClusterRole rules reached through RoleBindings (in the request's
 * namespace) and ClusterRoleBindings, subjects by User, Group or ServiceAccount, `system:masters` always allowed,
 * aggregated ClusterRoles (`admin`, `edit`, `view`) kept up to date from labelled roles by a small controller, and
 * the real server's Forbidden messages.
 */
import { KIND_SCHEMAS, ObjectMeta, type Schema } from './protobuf.js';
import { resourceForKind, type ResourceDef } from './registry.js';
import { KubeApiError } from './status.js';
import type { KubeStore } from './store.js';
import { deepEqual, type KubeObject } from './types.js';

export interface UserInfo {
  username: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  name?: string;
  namespace?: string;
}

export interface NonResourceAttributes {
  verb: string;
  path: string;
}

export type Attributes = { resource: ResourceAttributes } | { nonResource: NonResourceAttributes };

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

/** The group every request by system:masters belongs to; always allowed, as the real server's privileged group. */
export const MASTERS = 'system:masters';
export const AUTHENTICATED = 'system:authenticated';

// kubectl create role|clusterrole|rolebinding|clusterrolebinding send protobuf: k8s.io/api/rbac/v1 field numbers,
// registered beside the protobuf decoder's own kinds.
const PolicyRuleProto: Schema = { 1: ['verbs', 'strings'], 2: ['apiGroups', 'strings'], 3: ['resources', 'strings'], 4: ['resourceNames', 'strings'], 5: ['nonResourceURLs', 'strings'] };
const SubjectProto: Schema = { 1: ['kind', 'string'], 2: ['apiGroup', 'string'], 3: ['name', 'string'], 4: ['namespace', 'string'] };
const RoleRefProto: Schema = { 1: ['apiGroup', 'string'], 2: ['kind', 'string'], 3: ['name', 'string'] };
const bindingProto: Schema = { 1: ['metadata', { msg: ObjectMeta }], 2: ['subjects', { list: SubjectProto }], 3: ['roleRef', { msg: RoleRefProto }] };
Object.assign(KIND_SCHEMAS, {
  'rbac.authorization.k8s.io/v1/Role': { 1: ['metadata', { msg: ObjectMeta }], 2: ['rules', { list: PolicyRuleProto }] },
  'rbac.authorization.k8s.io/v1/ClusterRole': {
    1: ['metadata', { msg: ObjectMeta }],
    2: ['rules', { list: PolicyRuleProto }],
    3: ['aggregationRule', { msg: { 1: ['clusterRoleSelectors', { list: { 1: ['matchLabels', 'mapss'] } }] } }],
  },
  'rbac.authorization.k8s.io/v1/RoleBinding': bindingProto,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': bindingProto,
} satisfies Record<string, Schema>);

const CLUSTER_ROLE = resourceForKind('ClusterRole');
const CLUSTER_ROLE_BINDING = resourceForKind('ClusterRoleBinding');
const ROLE = resourceForKind('Role');
const ROLE_BINDING = resourceForKind('RoleBinding');

function subjectMatches(s: Subject, user: UserInfo, bindingNamespace?: string): boolean {
  if (s.kind === 'User') return s.name === user.username;
  if (s.kind === 'Group') return user.groups.includes(s.name);
  if (s.kind === 'ServiceAccount') {
    return user.username === `system:serviceaccount:${s.namespace ?? bindingNamespace ?? ''}:${s.name}`;
  }
  return false;
}

function describeSubject(s: Subject): string {
  if (s.kind === 'ServiceAccount') return `ServiceAccount "${s.namespace ? `${s.namespace}/` : ''}${s.name}"`;
  return `${s.kind} "${s.name}"`;
}

const has = (list: string[] | undefined, v: string) => (list ?? []).includes('*') || (list ?? []).includes(v);

export function ruleAllows(rule: PolicyRule, attrs: Attributes): boolean {
  const verb = 'resource' in attrs ? attrs.resource.verb : attrs.nonResource.verb;
  if (!has(rule.verbs, verb)) return false;
  if ('nonResource' in attrs) {
    return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === attrs.nonResource.path || (u.endsWith('*') && attrs.nonResource.path.startsWith(u.slice(0, -1))));
  }
  const a = attrs.resource;
  if (!has(rule.apiGroups, a.group)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resources = rule.resources ?? [];
  if (!resources.some((r) => r === '*' || r === combined || (a.subresource && r === `*/${a.subresource}`))) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (!!a.name && names.includes(a.name));
}

interface Grant {
  rules: PolicyRule[];
  describe: (subject: Subject) => string;
  subjects: Subject[];
  bindingNamespace?: string;
}

/** Every rule set that applies to `user` in `namespace` (cluster-wide ones always). */
function grantsFor(store: KubeStore, user: UserInfo, namespace: string | undefined): { rules: PolicyRule[]; reason: string }[] {
  const out: { rules: PolicyRule[]; reason: string }[] = [];
  const roleRules = (kind: string, name: string, ns?: string): PolicyRule[] | undefined => {
    const role = kind === 'ClusterRole' ? store.get(CLUSTER_ROLE, undefined, name) : ns ? store.get(ROLE, ns, name) : undefined;
    return role ? (((role as { rules?: PolicyRule[] }).rules ?? []) as PolicyRule[]) : undefined;
  };
  const grants: Grant[] = [];
  for (const b of store.list(CLUSTER_ROLE_BINDING)) {
    const ref = (b as { roleRef?: { kind: string; name: string } }).roleRef;
    if (!ref || ref.kind !== 'ClusterRole') continue;
    const rules = roleRules('ClusterRole', ref.name);
    if (!rules) continue;
    grants.push({ rules, subjects: ((b as { subjects?: Subject[] }).subjects ?? []), describe: (s) => `RBAC: allowed by ClusterRoleBinding "${b.metadata.name}" of ClusterRole "${ref.name}" to ${describeSubject(s)}` });
  }
  if (namespace) {
    for (const b of store.list(ROLE_BINDING, { namespace })) {
      const ref = (b as { roleRef?: { kind: string; name: string } }).roleRef;
      if (!ref) continue;
      const rules = roleRules(ref.kind, ref.name, namespace);
      if (!rules) continue;
      grants.push({
        rules,
        bindingNamespace: namespace,
        subjects: ((b as { subjects?: Subject[] }).subjects ?? []),
        describe: (s) => `RBAC: allowed by RoleBinding "${b.metadata.name}/${namespace}" of ${ref.kind} "${ref.name}" to ${describeSubject(s)}`,
      });
    }
  }
  for (const g of grants) {
    const s = g.subjects.find((x) => subjectMatches(x, user, g.bindingNamespace));
    if (s) out.push({ rules: g.rules, reason: g.describe(s) });
  }
  return out;
}

/** The RBAC decision for one request (no opinion = denied, with an empty reason, as the real server). */
export function authorize(store: KubeStore, user: UserInfo, attrs: Attributes): Decision {
  if (user.groups.includes(MASTERS)) return { allowed: true, reason: '' };
  const ns = 'resource' in attrs ? attrs.resource.namespace || undefined : undefined;
  for (const g of grantsFor(store, user, ns)) {
    if (g.rules.some((r) => ruleAllows(r, attrs))) return { allowed: true, reason: g.reason };
  }
  return { allowed: false, reason: '' };
}

/** What SelfSubjectRulesReview answers: every rule that applies in `namespace`. */
export function rulesFor(store: KubeStore, user: UserInfo, namespace: string): { resourceRules: PolicyRule[]; nonResourceRules: PolicyRule[] } {
  const rules = user.groups.includes(MASTERS)
    ? [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }]
    : grantsFor(store, user, namespace || undefined).flatMap((g) => g.rules);
  const resourceRules: PolicyRule[] = [];
  const nonResourceRules: PolicyRule[] = [];
  for (const r of rules) {
    if (r.nonResourceURLs?.length) nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs });
    if (r.resources?.length) {
      resourceRules.push({ verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources, ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}) });
    }
  }
  return { resourceRules, nonResourceRules };
}

/** The Forbidden Status the real server answers for a denied request. */
export function forbidden(user: UserInfo, attrs: Attributes, reason = ''): KubeApiError {
  const suffix = reason ? `: ${reason}` : '';
  if ('nonResource' in attrs) {
    return new KubeApiError(403, 'Forbidden', `forbidden: User "${user.username}" cannot ${attrs.nonResource.verb} path "${attrs.nonResource.path}"${suffix}`, {});
  }
  const a = attrs.resource;
  const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
  const what = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return new KubeApiError(
    403,
    'Forbidden',
    `${qualified}${a.name ? ` "${a.name}"` : ''} is forbidden: User "${user.username}" cannot ${a.verb} resource "${what}" in API group "${a.group}" ${scope}${suffix}`,
    { ...(a.name ? { name: a.name } : {}), ...(a.group ? { group: a.group } : {}), kind: a.resource },
  );
}

/** The authorization verb of a request (get/list/watch/create/update/patch/delete/deletecollection). */
export function requestVerb(method: string, hasName: boolean, query: URLSearchParams): string {
  const watch = query.get('watch') === 'true' || query.get('watch') === '1';
  switch (method) {
    case 'GET':
    case 'HEAD':
      return watch ? 'watch' : hasName ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

export function resourceAttributes(method: string, def: ResourceDef, route: { namespace?: string; name?: string; subresource?: string }, query: URLSearchParams): Attributes {
  const namespace = def.kind === 'Namespace' ? route.name : route.namespace;
  return {
    resource: {
      verb: requestVerb(method, !!route.name, query),
      group: def.group,
      resource: def.plural,
      ...(route.subresource ? { subresource: route.subresource } : {}),
      ...(route.name ? { name: route.name } : {}),
      ...(namespace ? { namespace } : {}),
    },
  };
}

// === Bootstrap policy: the real server's default roles (abridged to the resources served here) ===

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const AGG = 'rbac.authorization.k8s.io/aggregate-to-';
const BOOTSTRAP = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };

function clusterRole(name: string, rules: PolicyRule[], labels: Record<string, string> = {}, aggregateFrom?: string): KubeObject {
  return {
    metadata: { name, labels: { ...BOOTSTRAP, ...labels }, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } },
    rules,
    ...(aggregateFrom ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`${AGG}${aggregateFrom}`]: 'true' } }] } } : {}),
  };
}

function binding(name: string, role: string, subjects: Subject[]): KubeObject {
  return {
    metadata: { name, labels: { ...BOOTSTRAP }, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: subjects.map((s) => (s.kind === 'ServiceAccount' ? s : { apiGroup: 'rbac.authorization.k8s.io', ...s })),
  };
}

const VIEW_RULES: PolicyRule[] = [
  {
    apiGroups: [''],
    resources: ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status'],
    verbs: READ,
  },
  {
    apiGroups: [''],
    resources: ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status'],
    verbs: READ,
  },
  { apiGroups: [''], resources: ['namespaces'], verbs: READ },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  {
    apiGroups: ['apps'],
    resources: ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status'],
    verbs: READ,
  },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], verbs: READ },
  { apiGroups: ['batch'], resources: ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'], verbs: READ },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets', 'poddisruptionbudgets/status'], verbs: READ },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'ingresses/status', 'networkpolicies'], verbs: READ },
];

const EDIT_RULES: PolicyRule[] = [
  { apiGroups: [''], resources: ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], verbs: READ },
  { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] },
  { apiGroups: [''], resources: ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], verbs: WRITE },
  { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
  {
    apiGroups: [''],
    resources: ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy'],
    verbs: WRITE,
  },
  { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
  {
    apiGroups: ['apps'],
    resources: ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale'],
    verbs: WRITE,
  },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: WRITE },
  { apiGroups: ['batch'], resources: ['cronjobs', 'jobs'], verbs: WRITE },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: WRITE },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'], verbs: WRITE },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: [...READ, ...WRITE] },
];

const ADMIN_RULES: PolicyRule[] = [
  { apiGroups: ['authorization.k8s.io'], resources: ['localsubjectaccessreviews'], verbs: ['create'] },
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings', 'roles'], verbs: [...READ, ...WRITE] },
];


export function bootstrapObjects(): { roles: KubeObject[]; bindings: KubeObject[] } {
  const roles = [
    clusterRole('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }]),
    clusterRole('admin', [], {}, 'admin'),
    clusterRole('edit', [], { [`${AGG}admin`]: 'true' }, 'edit'),
    clusterRole('view', [], { [`${AGG}edit`]: 'true' }, 'view'),
    clusterRole('system:aggregate-to-admin', ADMIN_RULES, { [`${AGG}admin`]: 'true' }),
    clusterRole('system:aggregate-to-edit', EDIT_RULES, { [`${AGG}edit`]: 'true' }),
    clusterRole('system:aggregate-to-view', VIEW_RULES, { [`${AGG}view`]: 'true' }),
    clusterRole('system:basic-user', [
      { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
      { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
    ]),
    clusterRole('system:discovery', [
      { nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], verbs: ['get'] },
    ]),
    clusterRole('system:public-info-viewer', [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }]),
  ];
  const bindings = [
    binding('cluster-admin', 'cluster-admin', [{ kind: 'Group', name: MASTERS }]),
    binding('system:basic-user', 'system:basic-user', [{ kind: 'Group', name: AUTHENTICATED }]),
    binding('system:discovery', 'system:discovery', [{ kind: 'Group', name: AUTHENTICATED }]),
    binding('system:public-info-viewer', 'system:public-info-viewer', [{ kind: 'Group', name: AUTHENTICATED }, { kind: 'Group', name: 'system:unauthenticated' }]),
  ];
  return { roles, bindings };
}

/** Creates the default roles and bindings that are missing (an existing one is the operator's to keep). */
export function bootstrapRbac(store: KubeStore): void {
  const { roles, bindings } = bootstrapObjects();
  for (const r of roles) if (!store.get(CLUSTER_ROLE, undefined, r.metadata.name ?? '')) store.create(CLUSTER_ROLE, undefined, r);
  for (const b of bindings) if (!store.get(CLUSTER_ROLE_BINDING, undefined, b.metadata.name ?? '')) store.create(CLUSTER_ROLE_BINDING, undefined, b);
  aggregateClusterRoles(store);
}

function labelsMatch(selector: { matchLabels?: Record<string, string> }, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v);
}

/** The clusterrole-aggregation controller: an aggregated role's rules are the union of the roles its selectors pick. */
export function aggregateClusterRoles(store: KubeStore): void {
  for (let pass = 0; pass < 5; pass++) {
    let changed = false;
    const all = store.list(CLUSTER_ROLE);
    for (const role of all) {
      const agg = (role as { aggregationRule?: { clusterRoleSelectors?: { matchLabels?: Record<string, string> }[] } }).aggregationRule;
      if (!agg?.clusterRoleSelectors?.length) continue;
      const rules: PolicyRule[] = [];
      for (const other of all) {
        if (other.metadata.name === role.metadata.name) continue;
        if (!agg.clusterRoleSelectors.some((s) => labelsMatch(s, other.metadata.labels))) continue;
        for (const r of ((other as { rules?: PolicyRule[] }).rules ?? [])) if (!rules.some((x) => deepEqual(x, r))) rules.push(r);
      }
      if (!deepEqual((role as { rules?: PolicyRule[] }).rules ?? [], rules)) {
        store.update(CLUSTER_ROLE, undefined, role.metadata.name ?? '', { ...role, rules });
        changed = true;
      }
    }
    if (!changed) return;
  }
}

/** Keeps aggregated ClusterRoles current as roles change; returns the unsubscribe. */
export function startRoleAggregation(store: KubeStore): () => void {
  let pending = false;
  return store.onChange((_type, def) => {
    if (def.kind !== 'ClusterRole' || pending) return;
    pending = true;
    setImmediate(() => {
      pending = false;
      try {
        aggregateClusterRoles(store);
      } catch {
        // a concurrent change triggers another pass
      }
    });
  });
}

// === Escalation prevention (the real server's RBAC storage strategy) ===

const RBAC_GROUP = 'rbac.authorization.k8s.io';

function expand(rule: PolicyRule, namespace: string | undefined): Attributes[] {
  if (rule.nonResourceURLs?.length) return rule.verbs.flatMap((verb) => rule.nonResourceURLs!.map((path) => ({ nonResource: { verb, path } })));
  const names = rule.resourceNames?.length ? rule.resourceNames : [undefined];
  return rule.verbs.flatMap((verb) =>
    (rule.apiGroups ?? []).flatMap((group) =>
      (rule.resources ?? []).flatMap((res) => {
        const [resource, subresource] = res.split('/');
        return names.map((name) => ({ resource: { verb, group, resource, ...(subresource ? { subresource } : {}), ...(name ? { name } : {}), ...(namespace ? { namespace } : {}) } }));
      }),
    ),
  );
}

function ruleText(r: PolicyRule): string {
  const list = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;
  const parts = [
    ...(r.apiGroups ? [`APIGroups:${list(r.apiGroups)}`] : []),
    ...(r.resources ? [`Resources:${list(r.resources)}`] : []),
    ...(r.resourceNames?.length ? [`ResourceNames:${list(r.resourceNames)}`] : []),
    ...(r.nonResourceURLs?.length ? [`NonResourceURLs:${list(r.nonResourceURLs)}`] : []),
    `Verbs:${list(r.verbs)}`,
  ];
  return `{${parts.join(', ')}}`;
}

/**
 * Refuses a Role/ClusterRole granting, or a binding to a role holding, permissions the requester does not have —
 * unless it holds `escalate` (roles) or `bind` (bindings) on that role, as the real server.
 */
export function checkEscalation(store: KubeStore, user: UserInfo, def: ResourceDef, namespace: string | undefined, obj: KubeObject): void {
  if (def.group !== RBAC_GROUP || user.groups.includes(MASTERS)) return;
  const ns = def.namespaced ? namespace ?? obj.metadata.namespace : undefined;
  const name = obj.metadata.name ?? '';
  let rules: PolicyRule[];
  if (def.kind === 'Role' || def.kind === 'ClusterRole') {
    if (authorize(store, user, { resource: { verb: 'escalate', group: RBAC_GROUP, resource: def.plural, name, ...(ns ? { namespace: ns } : {}) } }).allowed) return;
    rules = ((obj as { rules?: PolicyRule[] }).rules ?? []) as PolicyRule[];
  } else if (def.kind === 'RoleBinding' || def.kind === 'ClusterRoleBinding') {
    const ref = (obj as { roleRef?: { kind?: string; name?: string } }).roleRef;
    if (!ref?.name) return;
    const roleResource = ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles';
    if (authorize(store, user, { resource: { verb: 'bind', group: RBAC_GROUP, resource: roleResource, name: ref.name, ...(ns ? { namespace: ns } : {}) } }).allowed) return;
    const role = ref.kind === 'ClusterRole' ? store.get(CLUSTER_ROLE, undefined, ref.name) : ns ? store.get(ROLE, ns, ref.name) : undefined;
    if (!role) return; // a binding to a missing role grants nothing (yet), as the real server allows
    rules = ((role as { rules?: PolicyRule[] }).rules ?? []) as PolicyRule[];
  } else return;
  const missing = rules.filter((r) => !expand(r, ns).every((a) => authorize(store, user, a).allowed));
  if (missing.length === 0) return;
  throw new KubeApiError(
    403,
    'Forbidden',
    `${def.plural}.${RBAC_GROUP} "${name}" is forbidden: user "${user.username}" (groups=[${user.groups.map((g) => JSON.stringify(g)).join(' ')}]) is attempting to grant RBAC permissions not currently held:\n${missing.map(ruleText).join('\n')}`,
    { name, group: RBAC_GROUP, kind: def.plural },
  );
}
