/**
 * What kubectl is told when something other than the contract fails: the chain unreachable, a write whose outcome
 * is unknown, a gateway stopping while requests are in flight, a CONNECT. The frontend runs for real (HTTPS, real
 * submitter and executor where the failure comes from them); only the chain follower is replaced.
 */
import { connect as tlsConnect } from 'node:tls';
import { request } from 'node:https';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { afterEach, describe, expect, it } from 'vitest';
import { createChainClient, TransactionExecutor } from '../core/chain/index.js';
import { generateEncryptionKey } from '../core/crypto/index.js';
import { KubeFrontend } from './frontend.js';
import { DeadlineError, type RequestTracker } from './tracker.js';
import { ProxySubmitter, type Submitter } from './submitters.js';
import { sealResponse } from '../core/protocol/index.js';
import type { ResponseStored } from '../core/events/index.js';
import { createTlsMaterial, type TlsMaterial } from './tls.js';

/** The enclave's key is an Ed25519 public key (sealing converts it to X25519). */
const ENCLAVE = Ed25519Keypair.generate().getPublicKey().toRawBytes();
let tls: TlsMaterial;
const started: KubeFrontend[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()));
});

function fakeTracker(wait: RequestTracker['wait']): RequestTracker {
  return {
    follower: { caughtUp: true, lagCheckpoints: 0, reconnects: 0 },
    hasEnclaveKey: true,
    enclaveKey: async () => ENCLAVE,
    refreshEnclaveKey: async () => undefined,
    wait,
  } as unknown as RequestTracker;
}

/** A submitter that records every submission on a pretend chain and returns at once. */
function acceptingSubmitter(): Submitter {
  let n = 0;
  return {
    mode: 'proxy',
    address: '0x1',
    authenticate: async () => ({ user: '0x1' }),
    submit: async () => ({
      requestId: `0x${(++n).toString(16).padStart(64, '0')}`,
      txDigest: 'digest',
      deadlineMs: Date.now() + 30_000,
      reply: generateEncryptionKey(),
      requester: '0x1',
    }),
  };
}

async function start(o: { submitter: Submitter; tracker: RequestTracker; chainEndpoint?: string; drainMs?: number }): Promise<{ url: string; frontend: KubeFrontend }> {
  tls ??= await createTlsMaterial(['127.0.0.1']);
  const frontend = new KubeFrontend({ tls, port: 0, ...o });
  started.push(frontend);
  return { url: await frontend.listen(), frontend };
}

interface Answer {
  status: number;
  body: { kind?: string; message?: string; code?: number; reason?: string };
  warning?: string | string[];
}

function call(url: string, method: string, path: string, body = ''): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method, ca: tls.caPem, headers: { authorization: 'Bearer x', 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text), warning: res.headers.warning }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('errors kubectl can act on', () => {
  it('chain unreachable: 503 naming the fullnode endpoint, not a 500 "fetch failed"', async () => {
    const endpoint = 'http://127.0.0.1:1';
    const executor = new TransactionExecutor(createChainClient({ rpcUrl: endpoint }), Ed25519Keypair.generate());
    const submitter = new ProxySubmitter({ executor, packageId: '0x2', clusterId: '0x3', tokenId: '0x4', secret: 'x', expireUnanswered: false, recordRefusals: false });
    const { url } = await start({ submitter, tracker: fakeTracker(async () => Promise.reject(new Error('unreachable'))), chainEndpoint: endpoint });
    const read = await call(url, 'GET', '/api/v1/namespaces/default/configmaps');
    expect(read.status).toBe(503);
    expect(read.body.reason).toBe('ServiceUnavailable');
    expect(read.body.message).toMatch(/^k3sdaas: the Sui fullnode at http:\/\/127\.0\.0\.1:1 is unreachable \(.*(ECONNREFUSED|fetch failed).*\)/);
    expect(read.body.message).not.toContain('InternalError');
    const write = await call(url, 'POST', '/api/v1/namespaces/default/configmaps', '{}');
    expect(write.status).toBe(503);
    expect(write.body.message).toContain('http://127.0.0.1:1 is unreachable');
    // Whether it failed before anything was sent or with the outcome unknown, the message says which.
    expect(write.body.message).toMatch(/the request was not submitted|may have been applied/);
  }, 60_000);

  it('a write submitted on chain but not answered in time says it may have been applied; a read does not', async () => {
    const tracker = fakeTracker(async (id) => Promise.reject(new DeadlineError(id)));
    const { url } = await start({ submitter: acceptingSubmitter(), tracker });
    const write = await call(url, 'POST', '/api/v1/namespaces/default/configmaps', '{}');
    expect(write.status).toBe(504);
    expect(write.body.message).toMatch(/^k3sdaas: no answer for on-chain request 0x0+1 before its deadline; the change may have been applied; check before retrying$/);
    expect(String(write.warning)).toContain('k3sdaas request 0x');
    const read = await call(url, 'GET', '/api/v1/namespaces/default/configmaps');
    expect(read.status).toBe(504);
    expect(read.body.message).not.toContain('may have been applied');
  });

  it('a graceful stop answers in-flight requests with a Status (no EOF) and refuses nothing silently', async () => {
    // The answer never comes: the stop must answer kubectl itself once the drain period is over.
    const tracker = fakeTracker(() => new Promise(() => undefined));
    const { url, frontend } = await start({ submitter: acceptingSubmitter(), tracker, drainMs: 200 });
    const write = call(url, 'POST', '/api/v1/namespaces/default/configmaps', '{}');
    const read = call(url, 'GET', '/api/v1/namespaces/default/configmaps');
    await new Promise((r) => setTimeout(r, 100));
    await frontend.close();
    const [w, r] = await Promise.all([write, read]);
    expect(w.status).toBe(503);
    expect(w.body.kind).toBe('Status');
    expect(w.body.message).toMatch(/^k3sdaas: the gateway is shutting down \(on-chain request 0x[0-9a-f]{64} was submitted\); the change may have been applied/);
    expect(r.status).toBe(503);
    expect(r.body.message).not.toContain('may have been applied');
  });

  it('a request answered during the drain period gets its real answer', async () => {
    let release: (() => void) | undefined;
    const tracker = fakeTracker((id) => new Promise((_, reject) => (release = () => reject(new DeadlineError(id)))));
    const { url, frontend } = await start({ submitter: acceptingSubmitter(), tracker, drainMs: 5_000 });
    const read = call(url, 'GET', '/api/v1/namespaces/default/configmaps');
    await new Promise((r) => setTimeout(r, 100));
    const closing = frontend.close();
    setTimeout(() => release?.(), 50);
    const r = await read;
    await closing;
    expect(r.status).toBe(504);
    expect(r.body.message).toContain('before its deadline');
  });

  it('CONNECT gets its 403 Status instead of a dropped connection', async () => {
    const { url } = await start({ submitter: acceptingSubmitter(), tracker: fakeTracker(() => new Promise(() => undefined)) });
    const { port } = new URL(url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: Number(port), ca: tls.caPem, servername: undefined }, () => {
        socket.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
      });
      let text = '';
      socket.on('data', (c) => (text += c));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
    expect(body).toMatchObject({ kind: 'Status', code: 403, reason: 'Forbidden', message: 'k3sdaas: CONNECT is not supported' });
  });

  it('a path the contract certainly refuses is answered 400 before anything is submitted (no gas, no record)', async () => {
    const submitter = acceptingSubmitter();
    let submits = 0;
    const counting: Submitter = { ...submitter, submit: (...a) => (submits++, submitter.submit(...a)) };
    const { url } = await start({ submitter: counting, tracker: fakeTracker(() => new Promise(() => undefined)) });
    const r = await call(url, 'GET', '/api/v1/namespaces/default/pods/..%2fsecrets');
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('(contract request::EInvalidPath; checked before submitting, nothing was submitted or paid)');
    expect(submits).toBe(0);
  });

  it('/version is the cluster\'s, asked on chain once and then served from the cache', async () => {
    const clusterVersion = { major: '1', minor: '31', gitVersion: 'v1.31.6+k3s1', platform: 'linux/arm64' };
    const replies = new Map<string, Uint8Array>();
    let submits = 0;
    const submitter: Submitter = {
      mode: 'proxy',
      address: '0x1',
      authenticate: async () => ({ user: '0x1' }),
      submit: async () => {
        const reply = generateEncryptionKey();
        const requestId = `0x${(++submits).toString(16).padStart(64, '0')}`;
        replies.set(requestId, reply.publicKey);
        return { requestId, txDigest: 'd', deadlineMs: Date.now() + 30_000, reply, requester: '0x1' };
      },
    };
    const tracker = fakeTracker(async (requestId) => {
      const http = { status: 200, headers: [['content-type', 'application/json']] as Array<[string, string]>, body: new TextEncoder().encode(JSON.stringify(clusterVersion)) };
      const sealed = sealResponse({ requestId, replyKey: replies.get(requestId)!, http });
      return { $kind: 'ResponseStored', requestId, status: sealed.status, bodyDigest: sealed.bodyDigest, body: sealed.body, bodyBlob: '' } as unknown as ResponseStored;
    });
    const { url } = await start({ submitter, tracker });
    const first = await call(url, 'GET', '/version');
    const second = await call(url, 'GET', '/version');
    expect(first.status).toBe(200);
    expect(first.body).toEqual(clusterVersion);
    expect(second.body).toEqual(clusterVersion);
    expect(submits).toBe(1);
  });
});
