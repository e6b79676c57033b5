import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WalrusBlobStore } from './walrus.js';

// A stand-in for a Walrus publisher and aggregator speaking the Walrus HTTP API (the network is not reachable here).
const stored = new Map<string, Buffer>();
let tamper = false;
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (req.method === 'PUT' && url.pathname === '/v1/blobs') {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const id = `blob${stored.size}`;
      stored.set(id, Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ newlyCreated: { blobObject: { blobId: id, size: Buffer.concat(chunks).length } }, cost: 1 }));
    });
    return;
  }
  const m = /^\/v1\/blobs\/(\w+)$/.exec(url.pathname);
  if (req.method === 'GET' && m && stored.has(m[1])) {
    const b = Buffer.from(stored.get(m[1])!);
    if (tamper) b[0] ^= 1;
    res.writeHead(200);
    return res.end(b);
  }
  res.writeHead(404);
  res.end();
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

describe('Walrus blob store (HTTP API)', () => {
  it('stores through the publisher, reads through the aggregator, and verifies the digest', async () => {
    const w = new WalrusBlobStore({ publisherUrl: base, aggregatorUrl: base });
    const bytes = new Uint8Array(200_000).map((_, i) => i % 251);
    const id = await w.put(bytes);
    expect(id).toMatch(/^walrus:blob\d+:sha256:[0-9a-f]{64}$/);
    expect(await w.get(id)).toEqual(bytes);
    tamper = true;
    await expect(w.get(id)).rejects.toMatchObject({ code: 'BLOB_DIGEST_MISMATCH' });
    tamper = false;
    await expect(w.get('walrus:nope:sha256:' + '0'.repeat(64))).rejects.toMatchObject({ code: 'BLOB_NOT_FOUND' });
    await expect(w.get('sha256:' + '0'.repeat(64))).rejects.toMatchObject({ code: 'BLOB_INVALID_ID' });
    await w.close();
  });
});
