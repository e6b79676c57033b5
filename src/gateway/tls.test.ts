import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { certificateHosts, createTlsMaterial, ensureTlsMaterial, loadOperatorTls } from './tls.js';

describe('gateway TLS material', () => {
  it('a client trusting only the generated CA completes a handshake to 127.0.0.1 and localhost', async () => {
    const tls = await createTlsMaterial(['127.0.0.1', 'localhost']);
    const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const get = (host: string) =>
      new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', servername: host === '127.0.0.1' ? undefined : host, port, ca: tls.caPem, path: '/', headers: { host } }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve(body));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      expect(await get('127.0.0.1')).toBe('ok');
      expect(await get('localhost')).toBe('ok');
      const other = await createTlsMaterial(['127.0.0.1']);
      await expect(
        new Promise((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, ca: other.caPem, path: '/' }, resolve);
          req.on('error', reject);
          req.end();
        }),
      ).rejects.toThrow();
    } finally {
      server.close();
    }
  });

  it('keeps the CA key (0600) and re-issues the server certificate under the same CA when a host is added', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'k3sdaas-tls-')), 'tls');
    const first = await ensureTlsMaterial(dir, ['127.0.0.1', 'localhost']);
    expect(statSync(join(dir, 'ca.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'server.key')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    // Same hosts: nothing changes.
    expect(await ensureTlsMaterial(dir, ['127.0.0.1'])).toEqual(first);
    const why: string[] = [];
    const second = await ensureTlsMaterial(dir, ['127.0.0.1', 'gateway.example.com'], (w) => why.push(w));
    expect(why).toEqual(['it does not name gateway.example.com']);
    expect(second.caPem).toBe(first.caPem);
    expect(second.certPem).not.toBe(first.certPem);
    expect(certificateHosts(second.certPem).sort()).toEqual(['127.0.0.1', 'gateway.example.com', 'localhost']);
    // Signed by the CA kubeconfigs already pin.
    expect(new X509Certificate(second.certPem).verify(new X509Certificate(first.caPem).publicKey)).toBe(true);
    // And it is what the next start loads.
    expect(await ensureTlsMaterial(dir, ['gateway.example.com'])).toEqual(second);
  });

  it('material from before the CA key was kept: used while it fits, a clear error when it must be re-issued', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'k3sdaas-tls-')), 'tls');
    const first = await ensureTlsMaterial(dir, ['127.0.0.1']);
    rmSync(join(dir, 'ca.key'));
    expect(await ensureTlsMaterial(dir, ['127.0.0.1'])).toEqual({ ...first });
    await expect(ensureTlsMaterial(dir, ['127.0.0.1', 'new.example'])).rejects.toThrow(
      /must be re-issued \(it does not name new\.example\), but its CA key was not kept .* or pass --tls-cert\/--tls-key/,
    );
  });

  it('an operator certificate is checked at start: readable, the key matches', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k3sdaas-optls-'));
    const a = await createTlsMaterial(['gw.example']);
    const b = await createTlsMaterial(['gw.example']);
    writeFileSync(join(dir, 'cert.pem'), a.certPem + a.caPem);
    writeFileSync(join(dir, 'key.pem'), a.keyPem);
    writeFileSync(join(dir, 'other.key'), b.keyPem);
    const tls = loadOperatorTls(join(dir, 'cert.pem'), join(dir, 'key.pem'));
    expect(tls.caPem.trim()).toBe(a.caPem.trim());
    expect(tls.keyPem).toBe(a.keyPem);
    expect(() => loadOperatorTls(join(dir, 'cert.pem'), join(dir, 'other.key'))).toThrow(/--tls-key .*other\.key is not the key of the certificate in --tls-cert/);
    expect(() => loadOperatorTls(join(dir, 'missing.pem'), join(dir, 'key.pem'))).toThrow(/--tls-cert .*missing\.pem: cannot read it/);
    expect(() => loadOperatorTls(join(dir, 'key.pem'), join(dir, 'key.pem'))).toThrow(/no PEM certificate/);
  });
});
