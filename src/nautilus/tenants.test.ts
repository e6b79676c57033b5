import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeForwarder } from '../core/kube/index.js';
import { startKubeApi, type KubeApi } from '../kube/index.js';
import { KubeAdmin } from './kube-admin.js';
import { clusterRbacObjects, installClusterRbac } from './rbac-bootstrap.js';
import { BINDING_NAME, DEFAULT_TENANT_POLICY, TenantProvisioner } from './tenants.js';

let api: KubeApi;
let fwd: KubeForwarder;
let admin: KubeAdmin;
const audit: Array<{ method: string; path: string; user?: string }> = [];

const owner = '0x' + 'ab'.repeat(32);
const token = '0x' + 'cd'.repeat(32);
const other = '0x' + 'ef'.repeat(32);

beforeAll(async () => {
  api = await startKubeApi({ port: 0, onAudit: (e) => audit.push(e) });
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: api.url, skipTLSVerify: true }],
    users: [{ name: 'nautilus', token: 'x' }],
    contexts: [{ name: 'c', cluster: 'c', user: 'nautilus' }],
    currentContext: 'c',
  });
  fwd = new KubeForwarder({ kubeconfig: kc });
  admin = new KubeAdmin(fwd);
});
afterAll(async () => {
  await fwd?.close();
  await api?.close();
});

const get = (path: string) => fetch(api.url + path).then(async (r) => ({ status: r.status, json: (await r.json()) as any }));

describe('cluster RBAC bootstrap', () => {
  it('installs a ClusterRoleBinding per impersonated group, idempotently, as nautilus itself', async () => {
    audit.length = 0;
    expect(await installClusterRbac(admin)).toBe(clusterRbacObjects().length);
    await installClusterRbac(admin);
    expect(audit.every((e) => e.user === undefined)).toBe(true);
    // Only what nautilus applied (a cluster may hold others for the same groups).
    const bindings = ((await get('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings')).json.items as any[]).filter(
      (b) => b.metadata.labels?.['app.kubernetes.io/managed-by'] === 'k3sdaas-nautilus',
    );
    const byGroup = (g: string) => bindings.filter((b) => b.subjects[0].name === g).map((b) => b.roleRef.name).sort();
    expect(byGroup('k3sdaas:viewer')).toEqual(['k3sdaas-cluster-reader', 'view']);
    expect(byGroup('k3sdaas:editor')).toEqual(['admin', 'k3sdaas-cluster-reader']);
    expect(byGroup('k3sdaas:admin')).toEqual(['cluster-admin']);
    expect(bindings.filter((b) => b.subjects[0].name === 'k3sdaas:tenant')).toEqual([]);
    const reader = (await get('/apis/rbac.authorization.k8s.io/v1/clusterroles/k3sdaas-cluster-reader')).json;
    expect(reader.rules[0].resources).toContain('namespaces');
    expect(JSON.stringify(reader.rules)).not.toContain('secrets');
  });
});

describe('tenant namespaces', () => {
  it('a claim creates the namespace with quota, limits, isolation and an admin RoleBinding for the owner only there', async () => {
    const p = new TenantProvisioner({ admin });
    await p.apply({ kind: 'claimed', namespace: 'team-a', tokenId: token, owner });
    await p.apply({ kind: 'claimed', namespace: 'team-a', tokenId: token, owner }); // replayed: no error, same result
    const ns = (await get('/api/v1/namespaces/team-a')).json;
    expect(ns.metadata.labels['k3sdaas.io/tenant']).toBe('true');
    expect(ns.metadata.annotations['k3sdaas.io/seal-token']).toBe(token);
    const quota = (await get('/api/v1/namespaces/team-a/resourcequotas/k3sdaas-tenant-quota')).json;
    expect(quota.spec.hard).toEqual(DEFAULT_TENANT_POLICY.quota);
    const limits = (await get('/api/v1/namespaces/team-a/limitranges/k3sdaas-tenant-limits')).json;
    expect(limits.spec.limits[0]).toMatchObject({ type: 'Container', default: { cpu: '500m', memory: '512Mi' } });
    const np = (await get('/apis/networking.k8s.io/v1/namespaces/team-a/networkpolicies/k3sdaas-tenant-isolation')).json;
    expect(np.spec).toMatchObject({ podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: {} }] }] });
    const rb = (await get(`/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings/${BINDING_NAME}`)).json;
    expect(rb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' });
    expect(rb.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: owner }]);
    // Nothing cluster-wide for the tenant.
    const crbs = (await get('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings')).json.items as any[];
    expect(crbs.some((b) => b.subjects.some((s: any) => s.name === owner))).toBe(false);
  });

  it('a release removes the binding and keeps the namespace (default policy); a stale release changes nothing', async () => {
    const p = new TenantProvisioner({ admin });
    await p.apply({ kind: 'claimed', namespace: 'team-b', tokenId: token, owner });
    await p.apply({ kind: 'released', namespace: 'team-b', tokenId: token, reason: 'unstaked' });
    expect((await get(`/apis/rbac.authorization.k8s.io/v1/namespaces/team-b/rolebindings/${BINDING_NAME}`)).status).toBe(404);
    expect((await get('/api/v1/namespaces/team-b')).status).toBe(200);
    await p.apply({ kind: 'released', namespace: 'team-b', tokenId: token, reason: 'unstaked' }); // replay: 404 is fine
    // Claimed again by another token while the first tenant's namespace is kept: not bound (it would hand the new
    // tenant the old one's objects) until the operator deletes it.
    await fetch(`${api.url}/api/v1/namespaces/team-b/secrets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { name: 'old-tenants-secret' }, data: { k: 'dg==' } }),
    });
    await p.apply({ kind: 'claimed', namespace: 'team-b', tokenId: other, owner: other });
    expect(p.tenants().find((t) => t.namespace === 'team-b')).toMatchObject({ tokenId: other, state: 'blocked' });
    expect((await get(`/apis/rbac.authorization.k8s.io/v1/namespaces/team-b/rolebindings/${BINDING_NAME}`)).status).toBe(404);
    // An old release of the first token changes nothing for the new claim.
    await p.apply({ kind: 'released', namespace: 'team-b', tokenId: token, reason: 'replayed' });
    expect(p.tenants().find((t) => t.namespace === 'team-b')).toMatchObject({ tokenId: other, state: 'blocked' });
    // The operator deletes the kept namespace; the next reconcile (a restart) provisions it for the new tenant.
    await fetch(`${api.url}/api/v1/namespaces/team-b`, { method: 'DELETE' });
    for (let i = 0; i < 100 && (await get('/api/v1/namespaces/team-b')).status === 200; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await p.reconcile()).toMatchObject({ blocked: 0 });
    const rb = (await get(`/apis/rbac.authorization.k8s.io/v1/namespaces/team-b/rolebindings/${BINDING_NAME}`)).json;
    expect(rb.subjects[0].name).toBe(other);
    expect((await get('/api/v1/namespaces/team-b/secrets/old-tenants-secret')).status).toBe(404);
  });

  it('a namespace that exists outside k3sdaas is never handed to a tenant', async () => {
    await fetch(`${api.url}/api/v1/namespaces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'ops' } }) });
    const p = new TenantProvisioner({ admin });
    await p.apply({ kind: 'claimed', namespace: 'ops', tokenId: token, owner });
    expect(p.tenants()).toEqual([expect.objectContaining({ namespace: 'ops', state: 'blocked' })]);
    expect((await get(`/apis/rbac.authorization.k8s.io/v1/namespaces/ops/rolebindings/${BINDING_NAME}`)).status).toBe(404);
    expect((await get('/api/v1/namespaces/ops/resourcequotas/k3sdaas-tenant-quota')).status).toBe(404);
  });

  it('with onRelease=delete the namespace goes too', async () => {
    const p = new TenantProvisioner({ admin, policy: { ...DEFAULT_TENANT_POLICY, onRelease: 'delete' } });
    await p.apply({ kind: 'claimed', namespace: 'team-c', tokenId: token, owner });
    await p.apply({ kind: 'released', namespace: 'team-c', tokenId: token, reason: 'slashed below the minimum' });
    const ns = await get('/api/v1/namespaces/team-c');
    expect(ns.status === 404 || ns.json.status?.phase === 'Terminating').toBe(true);
  });

  it('restart: history folded, then one reconcile re-applies what drifted and unbinds released tenants', async () => {
    const history = [
      { kind: 'claimed', namespace: 'team-d', tokenId: token, owner },
      { kind: 'claimed', namespace: 'team-e', tokenId: other, owner: other },
      { kind: 'released', namespace: 'team-e', tokenId: other, reason: 'unstaked' },
    ] as const;
    const first = new TenantProvisioner({ admin });
    for (const c of history) await first.apply(c);
    // Someone deletes the tenant's quota and binding by hand; someone re-creates the released tenant's binding.
    await fetch(`${api.url}/api/v1/namespaces/team-d/resourcequotas/k3sdaas-tenant-quota`, { method: 'DELETE' });
    await fetch(`${api.url}/apis/rbac.authorization.k8s.io/v1/namespaces/team-d/rolebindings/${BINDING_NAME}`, { method: 'DELETE' });
    await fetch(`${api.url}/apis/rbac.authorization.k8s.io/v1/namespaces/team-e/rolebindings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { name: BINDING_NAME }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' }, subjects: [] }),
    });
    audit.length = 0;
    const restarted = new TenantProvisioner({ admin });
    for (const c of history) restarted.fold(c);
    expect(audit).toEqual([]); // folding touches nothing
    expect(await restarted.reconcile()).toEqual({ active: 1, released: 1, blocked: 0 });
    expect((await get('/api/v1/namespaces/team-d/resourcequotas/k3sdaas-tenant-quota')).status).toBe(200);
    expect((await get(`/apis/rbac.authorization.k8s.io/v1/namespaces/team-d/rolebindings/${BINDING_NAME}`)).status).toBe(200);
    expect((await get(`/apis/rbac.authorization.k8s.io/v1/namespaces/team-e/rolebindings/${BINDING_NAME}`)).status).toBe(404);
    expect(restarted.tenants().map((t) => [t.namespace, t.state])).toEqual([['team-d', 'active'], ['team-e', 'released']]);
  });

  it('a cluster that refuses is an error (so the chain cursor does not advance past the claim)', async () => {
    const p = new TenantProvisioner({ admin });
    await expect(p.apply({ kind: 'claimed', namespace: 'Not_A_Label', tokenId: token, owner })).rejects.toMatchObject({ code: 'KUBE_PROVISION_FAILED' });
    expect(p.tenants()).toEqual([]);
  });
});
