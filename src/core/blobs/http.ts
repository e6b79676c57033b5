/**
 * The local blob service: a content-addressed HTTP(S) store (`PUT`/`GET /blobs/<id>`) served next to nautilus for
 * the dev sandbox and self-hosted clusters, and its client. The server refuses bytes that do not hash to the id in
 * the URL; the client verifies what it reads. With `dir` the blobs are files in the data dir and survive restarts;
 * they are kept for `retentionMs` after they were stored (default 7 days: long after the requests that name them).
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { Agent, request } from 'undici';
import { BlobError, assertBlobId, blobId, verifyBlob, type BlobStore } from './store.js';
import { diskHeldBlobs, memoryHeldBlobs } from './held.js';

/** How long the blob service keeps a blob after it was stored, by default. */
export const DEFAULT_BLOB_RETENTION_MS = 7 * 24 * 3_600_000;

export const MAX_BLOB_BYTES = 32 * 1024 * 1024;
/** All blobs held at once by one blob service. */
export const MAX_STORED_BYTES = 512 * 1024 * 1024;

export class HttpBlobStore implements BlobStore {
  readonly #agent: Agent;
  readonly #token?: string;
  constructor(
    readonly baseUrl: string,
    options: { ca?: string; token?: string } = {},
  ) {
    this.#agent = new Agent({ connect: options.ca ? { ca: options.ca } : {} });
    this.#token = options.token;
  }

  async put(bytes: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<string> {
    const id = blobId(bytes);
    let res;
    try {
      res = await request(`${this.baseUrl}/blobs/${id}`, {
        method: 'PUT',
        body: bytes,
        headers: this.#token ? { authorization: `Bearer ${this.#token}` } : {},
        dispatcher: this.#agent,
        signal: options.signal,
      });
    } catch (err) {
      throw new BlobError('BLOB_UNAVAILABLE', `blob store ${this.baseUrl} unreachable: ${(err as Error).message}`, true);
    }
    const text = await res.body.text();
    if (res.statusCode !== 201 && res.statusCode !== 200) throw new BlobError('BLOB_UNAVAILABLE', `blob store refused the blob: ${res.statusCode} ${text}`);
    return id;
  }

  async get(id: string, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    assertBlobId(id);
    let res;
    try {
      res = await request(`${this.baseUrl}/blobs/${id}`, { dispatcher: this.#agent, signal: options.signal });
    } catch (err) {
      throw new BlobError('BLOB_UNAVAILABLE', `blob store ${this.baseUrl} unreachable: ${(err as Error).message}`, true);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of res.body) {
      size += (c as Buffer).length;
      if (size > MAX_BLOB_BYTES) {
        res.body.destroy();
        throw new BlobError('BLOB_TOO_LARGE', `blob ${id} is larger than ${MAX_BLOB_BYTES} bytes`);
      }
      chunks.push(c as Buffer);
    }
    if (res.statusCode === 404) throw new BlobError('BLOB_NOT_FOUND', `blob ${id} not found at ${this.baseUrl}`);
    if (res.statusCode !== 200) throw new BlobError('BLOB_UNAVAILABLE', `blob store answered ${res.statusCode}`);
    return verifyBlob(id, new Uint8Array(Buffer.concat(chunks)));
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}

export interface BlobServer {
  url: string;
  close(): Promise<void>;
}

/**
 * `token`: uploads need `Authorization: Bearer <token>` (the gateways that share the enclave host's blob service
 * are given it); reads are open, since blobs are ciphertexts named by their digest.
 */
export async function serveBlobs(o: {
  host?: string;
  port?: number;
  tls?: { certPem: string; keyPem: string };
  /** Keep each blob this long after it was stored (ms; default 7 days). */
  retentionMs?: number;
  token?: string;
  maxStoredBytes?: number;
  /** Hold blobs as files here (survive restarts); omitted = in memory. */
  dir?: string;
  now?: () => number;
}): Promise<BlobServer> {
  const held = { retentionMs: o.retentionMs ?? DEFAULT_BLOB_RETENTION_MS, maxBytes: o.maxStoredBytes ?? MAX_STORED_BYTES, now: o.now };
  const blobs = o.dir ? diskHeldBlobs(o.dir, held) : memoryHeldBlobs(held);
  blobs.sweep();
  const sweep = setInterval(() => blobs.sweep(), Math.min(60_000, Math.max(1_000, held.retentionMs / 10)));
  sweep.unref();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const m = /^\/blobs\/(sha256:[0-9a-f]{64})$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    const reply = (code: number, text: string) => {
      res.writeHead(code, { 'content-type': 'text/plain' });
      res.end(text);
    };
    if (!m) return reply(404, 'not found');
    const id = m[1];
    if (req.method === 'GET') {
      const b = blobs.get(id);
      if (!b) return reply(404, `blob ${id} not found`);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(b.length) });
      return res.end(Buffer.from(b));
    }
    if (req.method !== 'PUT') return reply(405, 'GET or PUT');
    if (o.token) {
      const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '');
      const want = Buffer.from(o.token);
      if (given.length !== want.length || !timingSafeEqual(given, want)) return reply(401, 'uploads need the blob service token');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BLOB_BYTES) {
        reply(413, `blob larger than ${MAX_BLOB_BYTES} bytes`);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BLOB_BYTES) return;
      const bytes = new Uint8Array(Buffer.concat(chunks));
      if (blobId(bytes) !== id) return reply(400, `bytes do not hash to ${id}`);
      if (!blobs.put(id, bytes)) return reply(507, 'blob service is full; try again later');
      reply(201, id);
    });
  };
  const server = o.tls ? createHttpsServer({ cert: o.tls.certPem, key: o.tls.keyPem }, handler) : createHttpServer(handler);
  await new Promise<void>((r) => server.listen(o.port ?? 0, o.host ?? '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${o.tls ? 'https' : 'http'}://${o.host ?? '127.0.0.1'}:${port}`,
    close: () =>
      new Promise((r) => {
        clearInterval(sweep);
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
