import { createHash, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTlsMaterial, type TlsMaterial } from '../gateway/tls.js';
import { verifyClusterCa } from './ca.js';

const sha = (pem: string) => new Uint8Array(createHash('sha256').update(new X509Certificate(pem).raw).digest());

function serve(tls: TlsMaterial, o: { chain?: boolean; cacerts?: string | null }): Promise<{ url: string; server: Server }> {
  const server = createServer({ key: tls.keyPem, cert: o.chain ? tls.certPem + tls.caPem : tls.certPem }, (req, res) => {
    if (req.url === '/cacerts' && o.cacerts) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(o.cacerts);
    } else res.writeHead(401).end('Unauthorized');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, server })));
}

let a: TlsMaterial;
let b: TlsMaterial;
const servers: Server[] = [];
beforeAll(async () => {
  [a, b] = await Promise.all([createTlsMaterial(['127.0.0.1']), createTlsMaterial(['127.0.0.1'])]);
});
afterAll(() => servers.forEach((s) => s.close()));

async function url(tls: TlsMaterial, o: { chain?: boolean; cacerts?: string | null }) {
  const s = await serve(tls, o);
  servers.push(s.server);
  return s.url;
}

describe('verifyClusterCa', () => {
  it('pins the CA served at /cacerts (as k3s does) and checks it issued the server certificate', async () => {
    await expect(verifyClusterCa(await url(a, { cacerts: a.caPem }), sha(a.caPem))).resolves.toMatchObject({ result: 'pinned', subject: 'CN=k3sdaas gateway CA' });
  });

  it('pins a CA the server presents in its chain', async () => {
    await expect(verifyClusterCa(await url(a, { chain: true, cacerts: null }), sha(a.caPem))).resolves.toMatchObject({ result: 'pinned' });
  });

  it('refuses a server whose CA does not match the hash on chain', async () => {
    await expect(verifyClusterCa(await url(a, { chain: true, cacerts: a.caPem }), sha(b.caPem))).rejects.toMatchObject({
      code: 'WORKER_CA_MISMATCH',
      message: expect.stringMatching(/does not present the CA pinned on chain/),
    });
  });

  it('refuses a server that shows the pinned CA but holds a certificate from another CA', async () => {
    await expect(verifyClusterCa(await url(b, { cacerts: a.caPem }), sha(a.caPem))).rejects.toMatchObject({
      code: 'WORKER_CA_MISMATCH',
      message: expect.stringMatching(/was not issued by the CA pinned on chain/),
    });
  });

  it('skips when nothing is pinned; refuses plain http when something is; unreachable is retryable', async () => {
    await expect(verifyClusterCa('https://127.0.0.1:1', new Uint8Array())).resolves.toEqual({ result: 'skipped' });
    await expect(verifyClusterCa('http://127.0.0.1:6443', sha(a.caPem))).rejects.toMatchObject({ code: 'WORKER_CA_MISMATCH' });
    await expect(verifyClusterCa('https://127.0.0.1:1', sha(a.caPem))).rejects.toMatchObject({ code: 'WORKER_CA_UNAVAILABLE', retryable: true });
  });
});
