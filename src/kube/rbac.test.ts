import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { SERVER_IDENTITY, identify } from './authn.js';
import { authorize, bootstrapRbac, forbidden, resourceAttributes, ruleAllows, rulesFor } from './rbac.js';
import { resourceForKind } from './registry.js';
import { KubeStore } from './store.js';

const RB = resourceForKind('RoleBinding');
const CR = resourceForKind('ClusterRole');
const CRB = resourceForKind('ClusterRoleBinding');
const POD = resourceForKind('Pod');

function seeded(): KubeStore {
  const store = new KubeStore();
  bootstrapRbac(store);
  store.create(resourceForKind('Namespace'), undefined, { metadata: { name: 'a' } });
  store.create(RB, 'a', { metadata: { name: 'x' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'User', name: 'x' }] });
  return store;
}

const req = (headers: Record<string, string[]>) => ({ headersDistinct: headers }) as unknown as IncomingMessage;
const attrs = (verb: string, resource: string, namespace?: string, extra: Record<string, string> = {}) => ({ resource: { verb, group: '', resource, ...(namespace ? { namespace } : {}), ...extra } });

describe('RBAC evaluation', () => {
  it('a RoleBinding grants in its namespace only; masters always; aggregated edit includes view', () => {
    const store = seeded();
    const x = { username: 'x', groups: ['system:authenticated'] };
    expect(authorize(store, x, attrs('create', 'pods', 'a'))).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "x/a" of ClusterRole "edit" to User "x"' });
    expect(authorize(store, x, attrs('list', 'events', 'a')).allowed).toBe(true); // from view, aggregated into edit
    expect(authorize(store, x, attrs('create', 'rolebindings', 'a', { group: 'rbac.authorization.k8s.io' })).allowed).toBe(false); // admin only
    expect(authorize(store, x, attrs('create', 'pods', 'b')).allowed).toBe(false);
    expect(authorize(store, x, { nonResource: { verb: 'get', path: '/apis/apps' } }).allowed).toBe(true);
    expect(authorize(store, x, { nonResource: { verb: 'get', path: '/metrics' } }).allowed).toBe(false);
    expect(authorize(store, SERVER_IDENTITY, attrs('delete', 'nodes')).allowed).toBe(true);
    store.close();
  });

  it('resourceNames, subresources and wildcards match as the real matcher', () => {
    const rule = { verbs: ['get'], apiGroups: [''], resources: ['pods/log'], resourceNames: ['p1'] };
    expect(ruleAllows(rule, attrs('get', 'pods', 'a', { subresource: 'log', name: 'p1' }))).toBe(true);
    expect(ruleAllows(rule, attrs('get', 'pods', 'a', { subresource: 'log', name: 'p2' }))).toBe(false);
    expect(ruleAllows(rule, attrs('get', 'pods', 'a', { name: 'p1' }))).toBe(false);
    expect(ruleAllows({ verbs: ['*'], apiGroups: ['*'], resources: ['*/status'] }, attrs('update', 'pods', 'a', { subresource: 'status' }))).toBe(true);
  });

  it('ServiceAccount and Group subjects; SelfSubjectRulesReview lists what applies', () => {
    const store = seeded();
    store.create(CR, undefined, { metadata: { name: 'reader' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }] });
    store.create(CRB, undefined, { metadata: { name: 'sa' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'reader' }, subjects: [{ kind: 'ServiceAccount', name: 'bot', namespace: 'a' }, { kind: 'Group', name: 'ops' }] });
    expect(authorize(store, { username: 'system:serviceaccount:a:bot', groups: [] }, attrs('get', 'secrets', 'z')).allowed).toBe(true);
    expect(authorize(store, { username: 'y', groups: ['ops'] }, attrs('get', 'secrets')).allowed).toBe(true);
    expect(rulesFor(store, { username: 'y', groups: ['ops'] }, 'a').resourceRules).toContainEqual({ verbs: ['get'], apiGroups: [''], resources: ['secrets'] });
    store.close();
  });

  it('request attributes and the real Forbidden messages', () => {
    const q = new URLSearchParams('watch=true');
    expect(resourceAttributes('GET', POD, { namespace: 'b' }, q)).toEqual(attrs('watch', 'pods', 'b'));
    expect(resourceAttributes('DELETE', resourceForKind('Namespace'), { name: 'kube-system' }, new URLSearchParams())).toEqual(attrs('delete', 'namespaces', 'kube-system', { name: 'kube-system' }));
    const u = { username: 'x', groups: [] };
    expect(forbidden(u, attrs('list', 'pods', 'b')).message).toBe('pods is forbidden: User "x" cannot list resource "pods" in API group "" in the namespace "b"');
    expect(forbidden(u, { resource: { verb: 'get', group: 'apps', resource: 'deployments', name: 'd', namespace: 'b', subresource: 'scale' } }).message).toBe(
      'deployments.apps "d" is forbidden: User "x" cannot get resource "deployments/scale" in API group "apps" in the namespace "b"',
    );
    expect(forbidden(u, { nonResource: { verb: 'get', path: '/metrics' } }).toStatus()).toMatchObject({ code: 403, reason: 'Forbidden', message: 'forbidden: User "x" cannot get path "/metrics"' });
  });
});

describe('impersonation', () => {
  it('the server identity may impersonate; groups stay separate lines; system:authenticated is added', () => {
    const store = seeded();
    const who = identify(req({ 'impersonate-user': ['x'], 'impersonate-group': ['a,b', 'c'] }), store, SERVER_IDENTITY, true);
    expect(who).toEqual({ username: 'x', groups: ['a,b', 'c', 'system:authenticated'] });
    expect(identify(req({}), store, SERVER_IDENTITY, true)).toBe(SERVER_IDENTITY);
    const sa = identify(req({ 'impersonate-user': ['system:serviceaccount:a:bot'] }), store, SERVER_IDENTITY, true);
    expect(sa.groups).toEqual(['system:authenticated', 'system:serviceaccounts', 'system:serviceaccounts:a']);
    store.close();
  });

  it('a requester without the impersonate verb is refused as the real server does', () => {
    const store = seeded();
    const plain = { username: 'plain', groups: ['system:authenticated'] };
    expect(() => identify(req({ 'impersonate-user': ['root'] }), store, plain, true)).toThrow('users "root" is forbidden: User "plain" cannot impersonate resource "users" in API group "" at the cluster scope');
    store.create(CR, undefined, { metadata: { name: 'imp' }, rules: [{ verbs: ['impersonate'], apiGroups: [''], resources: ['users'] }] });
    store.create(CRB, undefined, { metadata: { name: 'imp' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'imp' }, subjects: [{ kind: 'User', name: 'plain' }] });
    expect(identify(req({ 'impersonate-user': ['root'] }), store, plain, true).username).toBe('root');
    expect(() => identify(req({ 'impersonate-user': ['root'], 'impersonate-group': ['system:masters'] }), store, plain, true)).toThrow('groups "system:masters" is forbidden');
    expect(() => identify(req({ 'impersonate-group': ['g'] }), store, plain, true)).toThrow(/without impersonating a user/);
    store.close();
  });
});
