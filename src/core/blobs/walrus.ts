/**
 * Walrus as the blob store on public networks, through the Walrus HTTP API: a publisher stores blobs
 * (`PUT /v1/blobs?epochs=N`, paying storage with its own WAL) and any aggregator serves them
 * (`GET /v1/blobs/<blob id>`). The id recorded on chain carries the sha256 of the ciphertext, and the reader
 * verifies it before decrypting, so neither publisher nor aggregator is trusted with integrity.
 */
import { Agent, request } from 'undici';
import { BlobError, blobId, parseBlobId, verifyBlob, type BlobStore } from './store.js';

export interface WalrusOptions {
  publisherUrl: string;
  aggregatorUrl: string;
  /** Storage epochs per blob (answers are read within a request deadline; 1 is plenty). */
  epochs?: number;
}

interface PublisherResponse {
  newlyCreated?: { blobObject?: { blobId?: string } };
  alreadyCertified?: { blobId?: string };
}

export class WalrusBlobStore implements BlobStore {
  readonly #agent = new Agent();
  constructor(readonly o: WalrusOptions) {}

  async put(bytes: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<string> {
    const url = `${this.o.publisherUrl.replace(/\/+$/, '')}/v1/blobs?epochs=${this.o.epochs ?? 1}`;
    let res;
    try {
      res = await request(url, { method: 'PUT', body: bytes, dispatcher: this.#agent, signal: options.signal });
    } catch (err) {
      throw new BlobError('BLOB_UNAVAILABLE', `Walrus publisher unreachable: ${(err as Error).message}`, true);
    }
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new BlobError('BLOB_UNAVAILABLE', `Walrus publisher answered ${res.statusCode}: ${text.slice(0, 200)}`, res.statusCode >= 500);
    let body: PublisherResponse;
    try {
      body = JSON.parse(text) as PublisherResponse;
    } catch {
      throw new BlobError('BLOB_UNAVAILABLE', 'Walrus publisher answered something other than JSON');
    }
    const walrusId = body.newlyCreated?.blobObject?.blobId ?? body.alreadyCertified?.blobId;
    if (!walrusId) throw new BlobError('BLOB_UNAVAILABLE', 'Walrus publisher answer names no blob id');
    return `walrus:${walrusId}:${blobId(bytes)}`;
  }

  async get(id: string, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const { walrus } = parseBlobId(id);
    if (!walrus) throw new BlobError('BLOB_INVALID_ID', `${id} is not a Walrus blob id`);
    let res;
    try {
      res = await request(`${this.o.aggregatorUrl.replace(/\/+$/, '')}/v1/blobs/${walrus}`, { dispatcher: this.#agent, signal: options.signal });
    } catch (err) {
      throw new BlobError('BLOB_UNAVAILABLE', `Walrus aggregator unreachable: ${(err as Error).message}`, true);
    }
    const bytes = new Uint8Array(await res.body.arrayBuffer());
    if (res.statusCode === 404) throw new BlobError('BLOB_NOT_FOUND', `Walrus blob ${walrus} not found`);
    if (res.statusCode !== 200) throw new BlobError('BLOB_UNAVAILABLE', `Walrus aggregator answered ${res.statusCode}`, res.statusCode >= 500);
    return verifyBlob(id, bytes);
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}
