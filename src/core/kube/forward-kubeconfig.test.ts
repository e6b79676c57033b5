/**
 * Kubeconfig fields the forwarder must honour as kubectl does (or refuse at start): per-request credentials that
 * refresh (exec plugins, token files rotated under it), basic auth, tls-server-name, an http proxy-url; and what
 * the apiserver says back that kubectl acts on (Retry-After).
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTlsMaterial } from '../../gateway/tls.js';
import { KubeForwarder, loadKubeConfig } from './forward.js';

const dir = mkdtempSync(join(tmpdir(), 'k3sdaas-fwd-kc-'));
const seen: IncomingMessage[] = [];
const server = createServer((req, res) => {
  seen.push(req);
  if (req.url === '/busy') {
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
    return res.end('{"kind":"Status","code":429}');
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{}');
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

function kubeconfig(name: string, cluster: Record<string, unknown>, user: Record<string, unknown>): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  return file;
}

const get = (fwd: KubeForwarder, path = '/api') => fwd.forward({ method: 'GET', url: path, headers: [], body: new Uint8Array() }, { user: 'u', groups: [] });

describe('kubeconfig forwarding', () => {
  it('a token file is re-read (rotated service-account tokens), not read once at start', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'first-token');
    const fwd = new KubeForwarder({ kubeconfig: loadKubeConfig(kubeconfig('tokenfile', { server: url }, { tokenFile })) });
    await get(fwd);
    expect(seen.at(-1)!.headers.authorization).toBe('Bearer first-token');
    writeFileSync(tokenFile, 'rotated-token');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 61_000 });
    try {
      await get(fwd);
    } finally {
      vi.useRealTimers();
    }
    expect(seen.at(-1)!.headers.authorization).toBe('Bearer rotated-token');
    await fwd.close();
  });

  it('an exec plugin is run again once its credential expires (per-request credentials)', async () => {
    const counter = join(dir, 'exec-count');
    writeFileSync(counter, '0');
    const plugin = join(dir, 'plugin.mjs');
    writeFileSync(
      plugin,
      `import { readFileSync, writeFileSync } from 'node:fs';
const n = Number(readFileSync(${JSON.stringify(counter)}, 'utf8')) + 1;
writeFileSync(${JSON.stringify(counter)}, String(n));
process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential',
  status: { token: 'exec-' + n, expirationTimestamp: new Date(Date.now() - 1000).toISOString() } }));`,
    );
    chmodSync(plugin, 0o755);
    const kc = kubeconfig('exec', { server: url }, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [plugin], interactiveMode: 'Never' } });
    const fwd = new KubeForwarder({ kubeconfig: loadKubeConfig(kc) });
    await get(fwd);
    const first = seen.at(-1)!.headers.authorization;
    await get(fwd);
    const second = seen.at(-1)!.headers.authorization;
    expect(first).toMatch(/^Bearer exec-\d+$/);
    expect(second).toMatch(/^Bearer exec-\d+$/);
    expect(second).not.toBe(first);
    await fwd.close();
  }, 30_000);

  it('basic auth is sent, and Retry-After comes back for kubectl', async () => {
    const fwd = new KubeForwarder({ kubeconfig: loadKubeConfig(kubeconfig('basic', { server: url }, { username: 'admin', password: 's3cret' })) });
    const r = await get(fwd, '/busy');
    expect(seen.at(-1)!.headers.authorization).toBe(`Basic ${Buffer.from('admin:s3cret').toString('base64')}`);
    expect(r.status).toBe(429);
    expect(r.headers).toContainEqual(['retry-after', '7']);
    await fwd.close();
  });

  it('tls-server-name is the name the certificate is checked against', async () => {
    const tls = await createTlsMaterial(['kube.internal']);
    const https = createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, (_req, res) => res.end('{}'));
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
    const target = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
    const ca = Buffer.from(tls.caPem).toString('base64');
    try {
      const named = new KubeForwarder({ kubeconfig: loadKubeConfig(kubeconfig('sni', { server: target, 'certificate-authority-data': ca, 'tls-server-name': 'kube.internal' }, { token: 't' })) });
      expect((await get(named)).status).toBe(200);
      await named.close();
      const unnamed = new KubeForwarder({ kubeconfig: loadKubeConfig(kubeconfig('nosni', { server: target, 'certificate-authority-data': ca }, { token: 't' })) });
      await expect(get(unnamed)).rejects.toMatchObject({ code: 'UPSTREAM_UNREACHABLE' });
      await unnamed.close();
    } finally {
      https.close();
    }
  });

  it('proxy-url: requests go through the http proxy; a SOCKS proxy is refused at start', async () => {
    const tunnels: string[] = [];
    // A forward proxy: absolute-URI requests (plain http targets) and CONNECT tunnels (https targets).
    const proxy = createServer((req, res) => {
      tunnels.push(new URL(req.url!).host);
      const up = httpRequest(req.url!, { method: req.method, headers: req.headers }, (ur) => {
        res.writeHead(ur.statusCode!, ur.headers);
        ur.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    proxy.on('connect', (req, socket, head) => {
      tunnels.push(req.url!);
      const [host, port] = req.url!.split(':');
      const up = netConnect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.write(head);
        up.pipe(socket);
        socket.pipe(up);
      });
      up.on('error', () => socket.destroy());
      socket.on('error', () => up.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const fwd = new KubeForwarder({ kubeconfig: loadKubeConfig(kubeconfig('proxy', { server: url, 'proxy-url': proxyUrl }, { token: 't' })) });
      await fwd.ready();
      expect((await get(fwd)).status).toBe(200);
      expect(tunnels).toEqual([new URL(url).host]);
      await fwd.close();
    } finally {
      proxy.close();
    }
    const socks = new KubeForwarder({ kubeconfig: loadKubeConfig(kubeconfig('socks', { server: url, 'proxy-url': 'socks5://127.0.0.1:1080' }, { token: 't' })) });
    await expect(socks.ready()).rejects.toThrow('kubeconfig cluster c: proxy-url socks5://127.0.0.1:1080 is not supported (only http:// and https:// proxies)');
  });
});
