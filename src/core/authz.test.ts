import { describe, expect, it } from 'vitest';
import { authorize, isDnsLabel, isDnsSubdomain, isReadMethod, isReservedNamespace, isValidPath, parseRequestPath, type AuthzErrorName } from './authz.js';
import { errorName } from './abi/package.js';

describe('parseRequestPath', () => {
  const table: Array<[string, { namespace: string; resource: string; baseResource?: string; name?: string; subresource?: string; nonResource?: boolean }]> = [
    ['/api/v1/pods', { namespace: '', resource: 'pods' }],
    ['/api/v1/namespaces/default/pods', { namespace: 'default', resource: 'pods' }],
    ['/api/v1/namespaces/default/pods/web-0', { namespace: 'default', resource: 'pods', name: 'web-0' }],
    ['/api/v1/namespaces/default/pods/web-0/log', { namespace: 'default', resource: 'pods/log', baseResource: 'pods', name: 'web-0', subresource: 'log' }],
    ['/api/v1/namespaces/default/pods/web-0/exec', { namespace: 'default', resource: 'pods/exec', baseResource: 'pods', name: 'web-0', subresource: 'exec' }],
    ['/api/v1/namespaces/kube-system/secrets/tok', { namespace: 'kube-system', resource: 'secrets', name: 'tok' }],
    ['/api/v1/secrets', { namespace: '', resource: 'secrets' }],
    ['/api/v1/nodes', { namespace: '', resource: 'nodes' }],
    ['/api/v1/nodes/worker-1', { namespace: '', resource: 'nodes', name: 'worker-1' }],
    ['/api/v1/nodes/worker-1/status', { namespace: '', resource: 'nodes/status', baseResource: 'nodes', name: 'worker-1', subresource: 'status' }],
    ['/api/v1/namespaces', { namespace: '', resource: 'namespaces' }],
    ['/api/v1/namespaces/dev', { namespace: 'dev', resource: 'namespaces', name: 'dev' }],
    ['/api/v1/namespaces/foo/status', { namespace: 'foo', resource: 'namespaces/status', baseResource: 'namespaces', name: 'foo', subresource: 'status' }],
    ['/api/v1/namespaces/foo/finalize', { namespace: 'foo', resource: 'namespaces/finalize', baseResource: 'namespaces', name: 'foo', subresource: 'finalize' }],
    ['/api/v1/namespaces//foo//finalize/', { namespace: 'foo', resource: 'namespaces/finalize', baseResource: 'namespaces', name: 'foo', subresource: 'finalize' }],
    ['/api/v1/namespaces/foo/configmaps', { namespace: 'foo', resource: 'configmaps' }],
    ['/api/v1/namespaces/foo/configmaps/status', { namespace: 'foo', resource: 'configmaps', name: 'status' }],
    ['/api/v1/namespaces/status/pods/finalize', { namespace: 'status', resource: 'pods', name: 'finalize' }],
    ['/apis/apps/v1/deployments', { namespace: '', resource: 'deployments' }],
    ['/apis/apps/v1/namespaces/prod/deployments', { namespace: 'prod', resource: 'deployments' }],
    ['/apis/apps/v1/namespaces/prod/deployments/web/scale', { namespace: 'prod', resource: 'deployments/scale', baseResource: 'deployments', name: 'web', subresource: 'scale' }],
    ['/apis/rbac.authorization.k8s.io/v1/clusterroles/admin', { namespace: '', resource: 'clusterroles', name: 'admin' }],
    ['//api//v1//namespaces//a//pods', { namespace: 'a', resource: 'pods' }],
    ['/api/v1/pods/', { namespace: '', resource: 'pods' }],
    // proxy subresources: segments after the subresource are ignored
    ['/api/v1/nodes/n1/proxy', { namespace: '', resource: 'nodes/proxy', baseResource: 'nodes', name: 'n1', subresource: 'proxy' }],
    ['/api/v1/nodes/n1:10250/proxy/metrics/cadvisor', { namespace: '', resource: 'nodes/proxy', baseResource: 'nodes', name: 'n1:10250', subresource: 'proxy' }],
    ['/api/v1/namespaces/default/services/web:80/proxy', { namespace: 'default', resource: 'services/proxy', baseResource: 'services', name: 'web:80', subresource: 'proxy' }],
    ['/api/v1/namespaces/default/pods/p/proxy/a/b', { namespace: 'default', resource: 'pods/proxy', baseResource: 'pods', name: 'p', subresource: 'proxy' }],
    ['/api/v1/namespaces/default/pods/proxy', { namespace: 'default', resource: 'pods', name: 'proxy' }],
  ];
  it.each(table)('%s', (path, want) => {
    const got = parseRequestPath(path);
    expect(got.nonResource).toBe(false);
    expect(got.namespace).toBe(want.namespace);
    expect(got.resource).toBe(want.resource);
    expect(got.baseResource).toBe(want.baseResource ?? want.resource);
    expect(got.name).toBe(want.name);
    expect(got.subresource).toBe(want.subresource);
  });

  it.each(['/', '/version', '/openapi/v3', '/openapi/v2', '/healthz', '/livez', '/metrics', '/api', '/api/v1', '/api/v1/', '/apis', '/apis/apps', '/apis/apps/v1', '/foo/bar/baz/qux'])(
    'non-resource %s',
    (path) => {
      expect(parseRequestPath(path)).toEqual({ namespace: '', resource: '', baseResource: '', nonResource: true });
    },
  );
});

describe('method and path validation', () => {
  it('reads and writes', () => {
    expect(isReadMethod('GET')).toBe(true);
    expect(isReadMethod('HEAD')).toBe(true);
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE', 'get', 'OPTIONS']) expect(isReadMethod(m)).toBe(false);
  });
  it('paths', () => {
    expect(isValidPath('/api/v1/pods')).toBe(true);
    expect(isValidPath('/' + 'a'.repeat(1023))).toBe(true);
    expect(isValidPath('/' + 'a'.repeat(1024))).toBe(false);
    expect(isValidPath('/' + 'é'.repeat(512))).toBe(false); // 1025 bytes
    expect(isValidPath('api/v1/pods')).toBe(false);
    expect(isValidPath('')).toBe(false);
    expect(isValidPath('/api/v1/pods?watch=1')).toBe(false);
  });
  it.each([
    '/',
    '/version',
    '/api',
    '/api/v1/namespaces/default/services/web:80/proxy',
    '/api/v1/namespaces/default/services/https:web:443/proxy/healthz',
    '/api/v1/namespaces/default/pods/web-0.x_y~z/log',
    '/apis/rbac.authorization.k8s.io/v1/clusterroles/system:node@x',
    "/api/v1/namespaces/a/configmaps/!$&'()*+,;=",
    '/.../..a/a..',
    '/.x/x.',
  ])('accepts %s', (path) => {
    expect(isValidPath(path)).toBe(true);
  });
  it.each([
    '//',
    '/api/v1/pods/',
    '/version/../api/v1/secrets',
    '/version/..',
    '/..',
    '/.',
    '/api/v1/./pods',
    '//10.0.0.7:10250/pods',
    '/api//v1',
    '/api/v1/namespaces/default/pods/%2e%2e/secrets',
    '/api/v1/namespaces/default/pods/%2E%2E',
    '/api/v1/pods\\..\\secrets',
    '/api/v1/pods/a b',
    '/api/v1/pods#x',
    '/api/v1/pods/\t',
    '/api/v1/pods/x\n',
    '/api/v1/pods/\u0000',
    '/api/v1/pods/\u007f',
    '/api/v1/pods/"x"',
    '/api/v1/pods/<x>',
    '/api/v1/pods/x|y',
    '/api/v1/pods/{x}',
    '/api/v1/pods/[::1]',
    '/api/v1/pods/^`',
    '/api/v1/namespaces/default/pods/café',
    '/api/v1/namespaces/default/pods/\ud800',
  ])('refuses %j', (path) => {
    expect(isValidPath(path)).toBe(false);
  });
  it('agrees with the WHATWG URL parser: every accepted path resolves to itself', () => {
    for (const path of ['/', '/version', '/api/v1/namespaces/default/services/web:80/proxy', "/a/!$&'()*+,;=:@-._~", '/.../..a']) {
      expect(isValidPath(path)).toBe(true);
      expect(new URL(path, 'http://127.0.0.1:6443').pathname).toBe(path);
    }
  });
});

describe('authorize', () => {
  const V = 0, E = 1, A = 2;
  type Want = 'ok' | AuthzErrorName;
  const cases: Array<[number, string, string, Want]> = [
    // non-resource paths
    [V, 'GET', '/version', 'ok'],
    [V, 'HEAD', '/openapi/v3', 'ok'],
    [E, 'GET', '/apis', 'ok'],
    [V, 'GET', '/api/v1', 'ok'],
    [V, 'POST', '/version', 'ERoleCannotWrite'],
    [E, 'POST', '/api/v1', 'ERoleCannotWrite'],
    [A, 'POST', '/version', 'ok'],
    // viewer
    [V, 'GET', '/api/v1/namespaces/default/pods', 'ok'],
    [V, 'GET', '/api/v1/namespaces/default/pods/web/log', 'ok'],
    [V, 'GET', '/api/v1/nodes', 'ok'],
    [V, 'GET', '/api/v1/namespaces/default/secrets', 'ERoleCannotReadSecrets'],
    [V, 'GET', '/api/v1/namespaces/default/secrets/tok', 'ERoleCannotReadSecrets'],
    [V, 'GET', '/api/v1/secrets', 'ERoleCannotReadSecrets'],
    [V, 'HEAD', '/api/v1/namespaces/default/secrets/tok', 'ERoleCannotReadSecrets'],
    [V, 'POST', '/api/v1/namespaces/default/pods', 'ERoleCannotWrite'],
    [V, 'DELETE', '/api/v1/namespaces/default/secrets/tok', 'ERoleCannotWrite'],
    [V, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/web', 'ERoleCannotWrite'],
    [V, 'GET', '/api/v1/namespaces/foo/status', 'ok'],
    [V, 'GET', '/api/v1/namespaces/foo', 'ok'],
    [V, 'GET', '/api/v1/nodes/n1/proxy/metrics', 'ERoleCannotProxy'],
    [V, 'GET', '/api/v1/nodes/n1/proxy', 'ERoleCannotProxy'],
    [V, 'GET', '/api/v1/namespaces/default/services/web:80/proxy', 'ERoleCannotProxy'],
    [V, 'HEAD', '/api/v1/namespaces/default/pods/p/proxy/a/b', 'ERoleCannotProxy'],
    [V, 'GET', '/api/v1/namespaces/default/secrets/s/proxy', 'ERoleCannotReadSecrets'],
    [V, 'POST', '/api/v1/namespaces/default/pods/p/proxy', 'ERoleCannotWrite'],
    [V, 'GET', '/api/v1/namespaces/default/pods/proxy', 'ok'],
    [V, 'GET', '/api/v1/namespaces/proxy/pods', 'ok'],
    [V, 'PUT', '/api/v1/namespaces/foo/finalize', 'ERoleCannotWrite'],
    // editor
    [E, 'GET', '/api/v1/namespaces/default/secrets/tok', 'ok'],
    [E, 'POST', '/api/v1/namespaces/default/pods', 'ok'],
    [E, 'PUT', '/apis/apps/v1/namespaces/prod/deployments/web/scale', 'ok'],
    [E, 'POST', '/api/v1/namespaces/foo/configmaps', 'ok'],
    [E, 'GET', '/api/v1/namespaces/dev', 'ok'],
    [E, 'GET', '/api/v1/namespaces/foo/status', 'ok'],
    [E, 'DELETE', '/api/v1/namespaces/dev', 'ERoleCannotWriteClusterScoped'],
    [E, 'DELETE', '/api/v1/namespaces/foo', 'ERoleCannotWriteClusterScoped'],
    [E, 'PUT', '/api/v1/namespaces/foo', 'ERoleCannotWriteClusterScoped'],
    [E, 'PATCH', '/api/v1/namespaces/foo', 'ERoleCannotWriteClusterScoped'],
    [E, 'PUT', '/api/v1/namespaces/foo/finalize', 'ERoleCannotWriteClusterScoped'],
    [E, 'PUT', '/api/v1/namespaces/foo/status', 'ERoleCannotWriteClusterScoped'],
    [E, 'POST', '/api/v1/namespaces', 'ERoleCannotWriteClusterScoped'],
    [E, 'DELETE', '/api/v1/nodes/worker-1', 'ERoleCannotWriteClusterScoped'],
    [E, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', 'ERoleCannotWriteClusterScoped'],
    [E, 'GET', '/api/v1/nodes/n1/proxy/pods', 'ERoleCannotProxy'],
    [E, 'POST', '/api/v1/nodes/n1:10250/proxy/run/default/p/c', 'ERoleCannotProxy'],
    [E, 'GET', '/api/v1/namespaces/default/services/web:80/proxy', 'ok'],
    [E, 'GET', '/api/v1/namespaces/default/services/https:web:443/proxy/healthz', 'ok'],
    [E, 'POST', '/api/v1/namespaces/default/pods/p/proxy/a/b', 'ok'],
    // admin
    [A, 'GET', '/api/v1/secrets', 'ok'],
    [A, 'POST', '/api/v1/namespaces', 'ok'],
    [A, 'DELETE', '/api/v1/namespaces/foo', 'ok'],
    [A, 'PUT', '/api/v1/namespaces/foo/finalize', 'ok'],
    [A, 'DELETE', '/api/v1/nodes/worker-1', 'ok'],
    [A, 'PATCH', '/api/v1/namespaces/default/pods/web', 'ok'],
    [A, 'GET', '/api/v1/nodes/n1/proxy/metrics', 'ok'],
    [A, 'POST', '/api/v1/nodes/n1/proxy/run/default/p/c', 'ok'],
    [A, 'GET', '/api/v1/namespaces/default/pods/p/proxy/a/b', 'ok'],
    // validation first
    [A, 'OPTIONS', '/api/v1/pods', 'EInvalidMethod'],
    [A, 'get', '/api/v1/pods', 'EInvalidMethod'],
    [V, 'OPTIONS', 'no-slash', 'EInvalidMethod'],
    [V, 'GET', 'api/v1/pods', 'EInvalidPath'],
    [V, 'GET', '/api/v1/pods?watch=true', 'EInvalidPath'],
    [A, 'POST', '/' + 'x'.repeat(1024), 'EInvalidPath'],
    // the review's bypasses: each resolves (WHATWG URL) to another path than the one authorized
    [V, 'GET', '/version/../api/v1/secrets', 'EInvalidPath'],
    [V, 'GET', '/api/v1/namespaces/default/pods/%2e%2e/secrets/db', 'EInvalidPath'],
    [E, 'DELETE', '/api/v1/namespaces/default/pods/../../../namespaces/victim', 'EInvalidPath'],
    [V, 'GET', '//10.0.0.7:10250/pods', 'EInvalidPath'],
    [V, 'GET', '/api/v1/./pods', 'EInvalidPath'],
    [V, 'GET', '/api/v1/pods/', 'EInvalidPath'],
    [A, 'GET', '/api/v1/pods\\..\\secrets', 'EInvalidPath'],
    [A, 'GET', '/api/v1/pods/a b', 'EInvalidPath'],
    [A, 'GET', '/api/v1/namespaces/default/pods/café', 'EInvalidPath'],
    [A, 'GET', '/api/v1/nodes/n1/proxy/../../../secrets', 'EInvalidPath'],
    // bad role
    [4, 'GET', '/version', 'EInvalidRole'],
  ];
  it.each(cases)('role %i %s %s -> %s', (role, method, path, want) => {
    const got = authorize({ role, method, path, stakeAmount: 100n, minWriteStake: 100n });
    if (want === 'ok') {
      expect(got.ok).toBe(true);
    } else {
      expect(got).toMatchObject({ ok: false, error: want });
      if (!got.ok) expect(errorName(got.module, got.code)).toBe(want);
    }
  });

  // Tenants (role 3) of `team-a`, and role holders with a namespace: the rules of access_tests.move.
  const T = 3;
  const tenantCases: Array<[number, string, string, string, string]> = [
    [T, 'team-a', 'POST', '/apis/apps/v1/namespaces/team-a/deployments', 'ok'],
    [T, 'team-a', 'GET', '/api/v1/namespaces/team-a/secrets/db', 'ok'],
    [T, 'team-a', 'DELETE', '/api/v1/namespaces/team-a/pods/web', 'ok'],
    [T, 'team-a', 'GET', '/api/v1/namespaces/team-a/services/web:80/proxy', 'ok'],
    [T, 'team-a', 'GET', '/api/v1/namespaces/team-a', 'ok'],
    [T, 'team-a', 'GET', '/api/v1/namespaces/team-a/status', 'ok'],
    [T, 'team-a', 'GET', '/version', 'ok'],
    [T, 'team-a', 'GET', '/api', 'ok'],
    [T, 'team-a', 'GET', '/api/v1', 'ok'],
    [T, 'team-a', 'GET', '/apis', 'ok'],
    [T, 'team-a', 'HEAD', '/apis/apps/v1', 'ok'],
    [T, 'team-a', 'GET', '/openapi/v3/apis/apps/v1', 'ok'],
    [T, 'team-a', 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', 'ok'],
    [T, 'team-a', 'POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', 'ok'],
    [T, 'team-a', 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', 'ok'],
    [T, 'team-a', 'GET', '/api/v1/namespaces/team-b/pods', 'ETenantOutsideNamespace'],
    [T, 'team-a', 'GET', '/api/v1/namespaces/kube-system/secrets', 'ETenantOutsideNamespace'],
    [T, 'team-a', 'DELETE', '/api/v1/namespaces/kube-system', 'ETenantOutsideNamespace'],
    [T, 'team-a', 'POST', '/api/v1/namespaces', 'ETenantClusterScoped'],
    [T, 'team-a', 'DELETE', '/api/v1/namespaces/team-a', 'ETenantClusterScoped'],
    [T, 'team-a', 'PUT', '/api/v1/namespaces/team-a/finalize', 'ETenantClusterScoped'],
    [T, 'team-a', 'GET', '/api/v1/nodes', 'ETenantClusterScoped'],
    [T, 'team-a', 'GET', '/api/v1/pods', 'ETenantClusterScoped'],
    [T, 'team-a', 'GET', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', 'ETenantClusterScoped'],
    [T, 'team-a', 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', 'ETenantClusterScoped'],
    [T, 'team-a', 'GET', '/metrics', 'ETenantNonResource'],
    [T, 'team-a', 'POST', '/version', 'ETenantNonResource'],
    // a revoked token without a namespace reads discovery only
    [T, '', 'GET', '/version', 'ok'],
    [T, '', 'GET', '/api/v1/namespaces/default/pods', 'ETenantOutsideNamespace'],
    // self-reviews are not writes, for every role
    [V, '', 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', 'ok'],
    [V, '', 'POST', '/apis/authentication.k8s.io/v1/selfsubjectaccessreviews', 'ERoleCannotWrite'],
    // a granted viewer keeps its own namespace as a tenant, and reads the cluster as a viewer
    [V, 'team-a', 'POST', '/api/v1/namespaces/team-a/pods', 'ok'],
    [V, 'team-a', 'GET', '/api/v1/nodes', 'ok'],
    [V, 'team-a', 'POST', '/api/v1/namespaces/team-b/pods', 'ERoleCannotWrite'],
    [A, 'team-a', 'POST', '/api/v1/namespaces', 'ok'],
  ];
  it.each(tenantCases)('role %i of %j %s %s -> %s', (role, namespace, method, path, want) => {
    // 10 MIST staked: below min_write_stake (100), at min_user_stake (10)
    const got = authorize({ role, namespace, method, path, stakeAmount: 10n, minUserStake: 10n, minWriteStake: role === A ? 10n : 100n });
    if (want === 'ok') expect(got.ok, JSON.stringify(got)).toBe(true);
    else {
      expect(got).toMatchObject({ ok: false, error: want });
      if (!got.ok) expect(errorName(got.module, got.code)).toBe(want);
    }
  });

  it('refuses every request of a token below min_user_stake (EStakeBelowMinimum), first', () => {
    expect(authorize({ role: A, method: 'GET', path: '/version', stakeAmount: 9n, minUserStake: 10n, minWriteStake: 0n })).toMatchObject({ ok: false, error: 'EStakeBelowMinimum' });
    expect(authorize({ role: T, namespace: 'a', method: 'POST', path: '/apis/authentication.k8s.io/v1/selfsubjectreviews', stakeAmount: 0n, minUserStake: 1n, minWriteStake: 0n })).toMatchObject({
      ok: false,
      error: 'EStakeBelowMinimum',
    });
  });

  it('names: DNS-1123 labels, subdomains and reserved namespaces like names.move', () => {
    for (const ok of ['a', 'team-a', '0x1', 'a'.repeat(63)]) expect(isDnsLabel(ok)).toBe(true);
    for (const bad of ['', 'Team', '-a', 'a-', 'a.b', 'a_b', 'café', 'a'.repeat(64)]) expect(isDnsLabel(bad)).toBe(false);
    for (const ok of ['w', 'worker-1', 'node.example.com', 'a-b.c-d']) expect(isDnsSubdomain(ok)).toBe(true);
    for (const bad of ['', '-w', 'w-', '.w', 'w.', 'w..x', 'W', 'w_1', 'a.-b', 'a'.repeat(64)]) expect(isDnsSubdomain(bad)).toBe(false);
    for (const r of ['default', 'kube-system', 'kube-x', 'k3sdaas-system']) expect(isReservedNamespace(r)).toBe(true);
    for (const r of ['kube', 'k3sdaas', 'defaults', 'team-a']) expect(isReservedNamespace(r)).toBe(false);
  });

  it('returns namespace and resource of namespace subresources', () => {
    expect(authorize({ role: V, method: 'GET', path: '/api/v1/namespaces/foo/status', stakeAmount: 0, minWriteStake: 0 })).toMatchObject({
      ok: true,
      namespace: 'foo',
      resource: 'namespaces/status',
      read: true,
    });
    expect(authorize({ role: A, method: 'PUT', path: '/api/v1/namespaces/foo/finalize', stakeAmount: 0, minWriteStake: 0 })).toMatchObject({
      ok: true,
      namespace: 'foo',
      resource: 'namespaces/finalize',
      read: false,
    });
  });

  it('returns namespace and resource', () => {
    expect(authorize({ role: E, method: 'GET', path: '/api/v1/namespaces/a/pods/p/log', stakeAmount: 0, minWriteStake: 0 })).toMatchObject({
      ok: true,
      namespace: 'a',
      resource: 'pods/log',
      read: true,
    });
  });

  it('writes need the minimum write stake (after the role rules)', () => {
    const base = { method: 'POST', path: '/api/v1/namespaces/a/pods', minWriteStake: 1_000n };
    expect(authorize({ ...base, role: A, stakeAmount: 999n })).toMatchObject({ ok: false, error: 'EInsufficientWriteStake', module: 'access', code: 8 });
    expect(authorize({ ...base, role: E, stakeAmount: 1_000n }).ok).toBe(true);
    expect(authorize({ ...base, role: V, stakeAmount: 0n })).toMatchObject({ error: 'ERoleCannotWrite', code: 5 });
    expect(authorize({ ...base, role: A, path: '/version', stakeAmount: 0n })).toMatchObject({ error: 'EInsufficientWriteStake' });
    // reads never need it
    expect(authorize({ ...base, method: 'GET', role: V, stakeAmount: 0n }).ok).toBe(true);
  });

  it('error codes match the ABI', () => {
    expect(authorize({ role: V, method: 'X', path: '/', stakeAmount: 0, minWriteStake: 0 })).toMatchObject({ module: 'request', code: 0 });
    expect(authorize({ role: V, method: 'GET', path: 'x', stakeAmount: 0, minWriteStake: 0 })).toMatchObject({ module: 'request', code: 1 });
    expect(authorize({ role: V, method: 'GET', path: '/api/v1/secrets', stakeAmount: 0, minWriteStake: 0 })).toMatchObject({ module: 'access', code: 6 });
    expect(authorize({ role: E, method: 'PUT', path: '/api/v1/nodes/n', stakeAmount: 0, minWriteStake: 0 })).toMatchObject({ module: 'access', code: 7 });
    expect(authorize({ role: E, method: 'DELETE', path: '/api/v1/namespaces/n', stakeAmount: 0, minWriteStake: 0 })).toMatchObject({ module: 'access', code: 7 });
    expect(authorize({ role: V, method: 'GET', path: '/api/v1/nodes/n/proxy', stakeAmount: 0, minWriteStake: 0 })).toMatchObject({ module: 'access', code: 10 });
    expect(errorName('access', 10)).toBe('ERoleCannotProxy');
  });
});
