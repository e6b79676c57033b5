import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createTlsMaterial } from './tls.js';

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
});
