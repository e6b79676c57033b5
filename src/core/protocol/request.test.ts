import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bodyCiphertext, openRequest, openResponse, placeBody, sealRequest, sealResponse } from './request.js';
import { MemoryBlobStore } from '../blobs/index.js';
import type { RequestSubmitted, ResponseStored } from '../events/index.js';

const enclave = ed25519.keygen();
const cluster = '0x' + '1'.repeat(64);
const requester = '0x' + '2'.repeat(64);
const requestId = '0x' + '3'.repeat(64);
const http = {
  method: 'POST',
  url: '/api/v1/namespaces/default/secrets?fieldManager=kubectl-create',
  headers: [['content-type', 'application/json']] as Array<[string, string]>,
  body: new TextEncoder().encode('{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}'),
};

function submitted(sealed: ReturnType<typeof sealRequest>, over: Partial<RequestSubmitted> = {}): RequestSubmitted {
  return {
    $kind: 'RequestSubmitted', packageId: '0x1', requestId, clusterId: cluster, requester, gateway: null, tokenId: '0x4', role: 1,
    method: sealed.method, path: sealed.path, namespace: 'default', resource: 'secrets', bodyDigest: sealed.bodyDigest,
    bodySize: BigInt(sealed.bodySize), body: sealed.body, bodyBlob: sealed.bodyBlob, replyKey: sealed.reply.publicKey, submittedMs: 1n, deadlineMs: 2n, fee: 0n,
    ...over,
  };
}

describe('request protocol', () => {
  const sealed = sealRequest({ clusterId: cluster, requester, enclavePublicKey: enclave.publicKey, http });

  it('the public fields are method and path only; the query and body are sealed', () => {
    expect(sealed.method).toBe('POST');
    expect(sealed.path).toBe('/api/v1/namespaces/default/secrets');
    const raw = Buffer.from(sealed.body);
    for (const needle of ['aHVudGVyMg==', 'hunter2', 'fieldManager']) expect(raw.includes(Buffer.from(needle))).toBe(false);
  });

  it('the enclave opens what the requester sealed', () => {
    expect(openRequest(submitted(sealed), enclave.secretKey)).toEqual(http);
  });

  it('a ciphertext moved into another request (another reply key) does not open', () => {
    const other = sealRequest({ clusterId: cluster, requester, enclavePublicKey: enclave.publicKey, http });
    expect(() => openRequest(submitted(sealed, { replyKey: other.reply.publicKey }), enclave.secretKey)).toThrow(/does not open/);
  });

  it('a body that is not what the chain authorized is refused', () => {
    const lying = sealRequest({ clusterId: cluster, requester, enclavePublicKey: enclave.publicKey, http: { ...http, method: 'DELETE' } });
    // Forged event claiming a GET of the same path but carrying the DELETE ciphertext: the binding fails first.
    expect(() => openRequest(submitted(lying, { method: 'GET' }), enclave.secretKey)).toThrow();
    expect(() => openRequest(submitted(sealed, { bodyDigest: new Uint8Array(32) }), enclave.secretKey)).toThrow(/digest/);
  });

  it('responses open only with the reply key and carry the signed digest', () => {
    const res = { status: 201, headers: [['content-type', 'application/json']] as Array<[string, string]>, body: new TextEncoder().encode('{"ok":true}') };
    const s = sealResponse({ requestId, replyKey: sealed.reply.publicKey, http: res });
    const stored: ResponseStored = {
      $kind: 'ResponseStored', packageId: '0x1', requestId, clusterId: cluster, requester, status: 201, bodyDigest: s.bodyDigest,
      bodySize: BigInt(s.bodySize), body: s.body, bodyBlob: '', timestampMs: 1n, signature: new Uint8Array(64), latencyMs: 1n, fee: 0n,
    };
    expect(openResponse(stored, sealed.reply.secretKey)).toEqual(res);
    expect(() => openResponse({ ...stored, status: 200 }, sealed.reply.secretKey)).toThrow();
    expect(() => openResponse({ ...stored, requestId: '0x' + '9'.repeat(64) }, sealed.reply.secretKey)).toThrow();
    expect(() => openResponse({ ...stored, bodyDigest: new Uint8Array(32) }, sealed.reply.secretKey)).toThrow(/digest/);
  });

  it('large bodies go off chain: refused without a blob store, stored and verified with one', async () => {
    const big = new Uint8Array(200_000).map(() => Math.floor(Math.random() * 256));
    const s = sealRequest({ clusterId: cluster, requester, enclavePublicKey: enclave.publicKey, http: { ...http, body: big } });
    await expect(placeBody(s, undefined)).rejects.toThrow(/at most/);
    const blobs = new MemoryBlobStore();
    const placed = await placeBody(s, blobs);
    expect(placed.body.length).toBe(0);
    expect(placed.bodyBlob).toMatch(/^sha256:[0-9a-f]{64}$/);
    const ev = submitted(placed);
    expect(openRequest(ev, enclave.secretKey, await bodyCiphertext(ev, blobs)).body).toEqual(big);
    // A store that hands back other bytes is caught before decryption.
    blobs.tamper(placed.bodyBlob, s.body.map((b, i) => (i === 100 ? b ^ 1 : b)));
    await expect(bodyCiphertext(ev, blobs)).rejects.toThrow(/failed verification/);
  });

  it('small bodies stay inline', async () => {
    const placed = await placeBody(sealed, new MemoryBlobStore());
    expect(placed.bodyBlob).toBe('');
    expect(placed.body).toBe(sealed.body);
  });
});
