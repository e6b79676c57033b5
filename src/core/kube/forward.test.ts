import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeForwarder, UpstreamError } from './forward.js';

function kubeconfigFor(server: string, token = 'cluster-token'): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: server.startsWith('http:') }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kc;
}

let seen: { req: IncomingMessage; body: string } | undefined;
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    seen = { req, body };
    if (req.url?.startsWith('/slow')) return setTimeout(() => res.end('late'), 2_000);
    res.writeHead(201, { 'content-type': 'application/json', 'x-secret-internal': 'no', warning: '299 - "careful"' });
    res.end(JSON.stringify({ kind: 'ConfigMap' }));
  });
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

describe('KubeForwarder', () => {
  it('forwards method, path with query, the headers that matter and the body; impersonates the requester', async () => {
    const fwd = new KubeForwarder({ kubeconfig: kubeconfigFor(url) });
    const res = await fwd.forward(
      {
        method: 'POST',
        url: '/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create',
        headers: [
          ['Content-Type', 'application/json'],
          ['Accept', 'application/json'],
          ['Authorization', 'Bearer user-token-must-not-pass'],
          ['Connection', 'keep-alive'],
        ],
        body: new TextEncoder().encode('{"kind":"ConfigMap"}'),
      },
      { user: '0xabc', groups: ['k3sdaas:editor', 'system:authenticated'] },
    );
    expect(res.status).toBe(201);
    expect(new TextDecoder().decode(res.body)).toBe('{"kind":"ConfigMap"}');
    expect(res.headers).toContainEqual(['content-type', 'application/json']);
    expect(res.headers).toContainEqual(['warning', '299 - "careful"']);
    expect(res.headers.map(([n]) => n)).not.toContain('x-secret-internal');
    expect(seen!.req.method).toBe('POST');
    expect(seen!.req.url).toBe('/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create');
    expect(seen!.body).toBe('{"kind":"ConfigMap"}');
    expect(seen!.req.headers.authorization).toBe('Bearer cluster-token');
    expect(seen!.req.headers['impersonate-user']).toBe('0xabc');
    // One header line per group, never one comma-joined value.
    const raw = seen!.req.rawHeaders;
    const groupLines = raw.filter((_, i) => i % 2 === 0 && raw[i].toLowerCase() === 'impersonate-group').length;
    expect(groupLines).toBe(2);
    expect(seen!.req.headersDistinct['impersonate-group']).toEqual(['k3sdaas:editor', 'system:authenticated']);
    await fwd.close();
  });

  it('without an impersonation the kubeconfig identity is used and no Impersonate-* header is sent', async () => {
    const fwd = new KubeForwarder({ kubeconfig: kubeconfigFor(url) });
    await fwd.forward({ method: 'GET', url: '/api/v1/namespaces', headers: [['Impersonate-User', 'forged']], body: new Uint8Array() }, null);
    expect(seen!.req.headers.authorization).toBe('Bearer cluster-token');
    expect(Object.keys(seen!.req.headers).filter((h) => h.startsWith('impersonate-'))).toEqual([]);
    await fwd.close();
  });

  it('an unreachable apiserver is an UpstreamError, not a hang', async () => {
    const fwd = new KubeForwarder({ kubeconfig: kubeconfigFor('http://127.0.0.1:1') });
    await expect(fwd.forward({ method: 'GET', url: '/api', headers: [], body: new Uint8Array() }, { user: 'x', groups: [] })).rejects.toMatchObject({
      code: 'UPSTREAM_UNREACHABLE',
    });
    await fwd.close();
  });

  it('a slow apiserver times out per phase', async () => {
    const fwd = new KubeForwarder({ kubeconfig: kubeconfigFor(url), timeouts: { headers: 300 } });
    const err = await fwd.forward({ method: 'GET', url: '/slow', headers: [], body: new Uint8Array() }, { user: 'x', groups: [] }).catch((e) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.code).toBe('UPSTREAM_TIMEOUT');
    await fwd.close();
  });

  it('a request cut off by its deadline says so in words, naming the apiserver, with no DOMException code', async () => {
    const fwd = new KubeForwarder({ kubeconfig: kubeconfigFor(url) });
    const err = await fwd
      .forward({ method: 'POST', url: '/slow', headers: [], body: new TextEncoder().encode('{}') }, { user: 'x', groups: [] }, AbortSignal.timeout(200))
      .catch((e) => e);
    expect(err.code).toBe('UPSTREAM_TIMEOUT');
    expect(err.message).toBe(`kube-apiserver ${url} did not answer in time`);
    expect(err.message).not.toMatch(/\(\d+\)/);
    // The request reached the apiserver: a write's outcome is unknown.
    expect(err.maybeSent).toBe(true);
    await fwd.close();
  });

  it('a refused connection names the apiserver and the reason, and was certainly not sent', async () => {
    const fwd = new KubeForwarder({ kubeconfig: kubeconfigFor('http://127.0.0.1:1') });
    const err = await fwd.forward({ method: 'POST', url: '/api', headers: [], body: new Uint8Array() }, { user: 'x', groups: [] }).catch((e) => e);
    expect(err.message).toMatch(/^kube-apiserver http:\/\/127\.0\.0\.1:1 unreachable: connect ECONNREFUSED 127\.0\.0\.1:1$/);
    expect(err.maybeSent).toBe(false);
    await fwd.close();
  });
});
