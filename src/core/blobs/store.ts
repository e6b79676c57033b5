/**
 * Off-chain storage for ciphertexts too large to ride in a transaction. Blobs are content-addressed: the id is the
 * sha256 of the bytes and travels on chain (`body_blob`), and every reader verifies the digest before decrypting, so
 * a store can lose or withhold a blob but never substitute one.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { K3sDaasError } from '../errors.js';

export interface BlobStore {
  /** Stores `bytes`; resolves the blob id recorded on chain. */
  put(bytes: Uint8Array, options?: { signal?: AbortSignal }): Promise<string>;
  /** Fetches a blob and verifies that its bytes hash to `id`. */
  get(id: string, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
}

export class BlobError extends K3sDaasError {
  constructor(code: 'BLOB_DIGEST_MISMATCH' | 'BLOB_NOT_FOUND' | 'BLOB_UNAVAILABLE' | 'BLOB_INVALID_ID' | 'BLOB_TOO_LARGE', message: string, retryable = false) {
    super(code, message, { retryable });
  }
}

/**
 * Blob ids end in the sha256 of the bytes: `sha256:<hex>` for the local service, `walrus:<walrus blob id>:sha256:<hex>`
 * for Walrus (whose own id is an erasure-coding commitment a reader cannot recompute cheaply).
 */
const ID = /^(?:walrus:([A-Za-z0-9_-]{1,128}):)?(sha256:[0-9a-f]{64})$/;

export function blobId(bytes: Uint8Array): string {
  return 'sha256:' + Buffer.from(sha256(bytes)).toString('hex');
}

/** Splits a blob id into its store-specific part (Walrus blob id, if any) and its sha256 digest id. */
export function parseBlobId(id: string): { walrus?: string; digest: string } {
  const m = ID.exec(id);
  if (!m) throw new BlobError('BLOB_INVALID_ID', `not a blob id: ${id.slice(0, 80)}`);
  return { walrus: m[1], digest: m[2] };
}

export function assertBlobId(id: string): void {
  parseBlobId(id);
}

/** Throws unless `bytes` are the blob named `id`. */
export function verifyBlob(id: string, bytes: Uint8Array): Uint8Array {
  const { digest } = parseBlobId(id);
  if (blobId(bytes) !== digest) throw new BlobError('BLOB_DIGEST_MISMATCH', `blob ${id} failed verification: its bytes hash to ${blobId(bytes)}`);
  return bytes;
}

/** In-process store (tests, and the server side of the local blob service). */
export class MemoryBlobStore implements BlobStore {
  readonly #blobs = new Map<string, Uint8Array>();
  async put(bytes: Uint8Array): Promise<string> {
    const id = blobId(bytes);
    this.#blobs.set(id, bytes);
    return id;
  }
  async get(id: string): Promise<Uint8Array> {
    assertBlobId(id);
    const bytes = this.#blobs.get(id);
    if (!bytes) throw new BlobError('BLOB_NOT_FOUND', `blob ${id} not found`);
    return verifyBlob(id, bytes);
  }
  /** Test hook: replace a stored blob's bytes (a tampering store). */
  tamper(id: string, bytes: Uint8Array): void {
    this.#blobs.set(id, bytes);
  }
}
