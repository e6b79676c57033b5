/**
 * One kubectl request on chain, from both ends. The requester seals the HTTP request envelope to the enclave and
 * names a fresh reply key; the enclave opens it, checks it is what the chain authorized (same method and path),
 * and seals the response to the reply key. Digests are of the plaintext envelopes; the ciphertexts are bound to
 * their request (see envelope/binding.ts), so nothing can be replayed into another request.
 */
import { MAX_INLINE_BODY } from '../abi/package.js';
import { CryptoError, digest, enclaveDecryptionKey, enclaveEncryptionKey, generateEncryptionKey, open, seal, type EncryptionKeyPair } from '../crypto/index.js';
import {
  compress,
  decodeRequestEnvelope,
  decodeResponseEnvelope,
  decompress,
  encodeRequestEnvelope,
  encodeResponseEnvelope,
  requestBinding,
  responseBinding,
  type HttpRequestEnvelope,
  type HttpResponseEnvelope,
} from '../envelope/index.js';
import { K3sDaasError } from '../errors.js';
import type { RequestSubmitted, ResponseStored } from '../events/index.js';
import type { BlobStore } from '../blobs/index.js';

export class ProtocolError extends K3sDaasError {
  constructor(
    code: 'REQUEST_TOO_LARGE' | 'REQUEST_MISMATCH' | 'DIGEST_MISMATCH' | 'BODY_UNAVAILABLE',
    message: string,
    data: Record<string, unknown> = {},
  ) {
    super(code, message, { data });
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The public part of a path: no query string (the query travels encrypted). */
export function publicPath(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

export interface SealedRequest {
  method: string;
  path: string;
  bodyDigest: Uint8Array;
  bodySize: number;
  /** Inline ciphertext; empty when it travels off chain. */
  body: Uint8Array;
  /** Blob id of the ciphertext when it travels off chain; '' when inline. */
  bodyBlob: string;
  reply: EncryptionKeyPair;
}

/**
 * Keeps a sealed body inline when it fits a transaction, otherwise stores the ciphertext in `blobs` and records its
 * id instead. Without a blob store, a body too large for the chain is refused.
 */
export async function placeBody<T extends { body: Uint8Array; bodyBlob: string }>(
  sealed: T,
  blobs: BlobStore | undefined,
  maxInline: number = MAX_INLINE_BODY,
): Promise<T> {
  if (sealed.body.length <= maxInline) return sealed;
  if (!blobs) {
    throw new ProtocolError('REQUEST_TOO_LARGE', `body is ${sealed.body.length} bytes sealed; at most ${maxInline} fit on chain and no blob store is configured`, {
      size: sealed.body.length,
      max: maxInline,
    });
  }
  return { ...sealed, body: new Uint8Array(), bodyBlob: await blobs.put(sealed.body) };
}

/** The ciphertext of a stored body: inline, or fetched from the blob store and verified against its id. */
export async function bodyCiphertext(event: { body: Uint8Array; bodyBlob: string }, blobs: BlobStore | undefined): Promise<Uint8Array> {
  if (!event.bodyBlob) return event.body;
  if (!blobs) throw new ProtocolError('BODY_UNAVAILABLE', `body is off chain (${event.bodyBlob}) and no blob store is configured`);
  return blobs.get(event.bodyBlob);
}

export function sealRequest(input: {
  clusterId: string;
  requester: string;
  enclavePublicKey: Uint8Array;
  http: HttpRequestEnvelope;
  /** The reply key; fresh per request unless given (tests replaying a key on purpose). */
  reply?: EncryptionKeyPair;
}): SealedRequest {
  const plain = encodeRequestEnvelope(input.http);
  const reply = input.reply ?? generateEncryptionKey();
  const method = input.http.method.toUpperCase();
  const path = publicPath(input.http.url);
  const aad = requestBinding({ clusterId: input.clusterId, requester: input.requester, replyKey: reply.publicKey, method, path });
  const body = seal(compress(plain), enclaveEncryptionKey(input.enclavePublicKey), 'request-body', aad);
  return { method, path, bodyDigest: digest(plain), bodySize: plain.length, body, bodyBlob: '', reply };
}

/**
 * Enclave side: opens a submitted request and checks it against what the chain authorized. `ciphertext` is the
 * body (see bodyCiphertext for off-chain bodies).
 */
export function openRequest(event: RequestSubmitted, enclaveSecret: Uint8Array, ciphertext: Uint8Array = event.body): HttpRequestEnvelope {
  const aad = requestBinding({
    clusterId: event.clusterId,
    requester: event.requester,
    replyKey: event.replyKey,
    method: event.method,
    path: event.path,
  });
  const plain = decompress(open(ciphertext, enclaveDecryptionKey(enclaveSecret), 'request-body', aad));
  if (!equalBytes(digest(plain), event.bodyDigest)) {
    throw new ProtocolError('DIGEST_MISMATCH', 'request body does not match the digest recorded on chain');
  }
  const http = decodeRequestEnvelope(plain);
  if (http.method.toUpperCase() !== event.method || publicPath(http.url) !== event.path) {
    throw new ProtocolError(
      'REQUEST_MISMATCH',
      `encrypted request ${http.method} ${publicPath(http.url)} differs from the authorized ${event.method} ${event.path}`,
    );
  }
  return http;
}

export interface SealedResponse {
  status: number;
  bodyDigest: Uint8Array;
  bodySize: number;
  body: Uint8Array;
  bodyBlob: string;
}

export function sealResponse(input: { requestId: string; replyKey: Uint8Array; http: HttpResponseEnvelope }): SealedResponse {
  const plain = encodeResponseEnvelope(input.http);
  const aad = responseBinding({ requestId: input.requestId, status: input.http.status });
  const body = seal(compress(plain), input.replyKey, 'response-body', aad);
  return { status: input.http.status, bodyDigest: digest(plain), bodySize: plain.length, body, bodyBlob: '' };
}

/** Requester side: opens the stored response with the request's reply key and checks its digest. */
export function openResponse(event: ResponseStored, replySecret: Uint8Array, ciphertext: Uint8Array = event.body): HttpResponseEnvelope {
  const aad = responseBinding({ requestId: event.requestId, status: event.status });
  let plain: Uint8Array;
  try {
    plain = decompress(open(ciphertext, replySecret, 'response-body', aad));
  } catch (err) {
    if (err instanceof CryptoError) throw err;
    throw new ProtocolError('DIGEST_MISMATCH', `response body does not decompress: ${(err as Error).message}`);
  }
  if (!equalBytes(digest(plain), event.bodyDigest)) {
    throw new ProtocolError('DIGEST_MISMATCH', 'response body does not match the digest the enclave signed');
  }
  const http = decodeResponseEnvelope(plain);
  if (http.status !== event.status) throw new ProtocolError('DIGEST_MISMATCH', 'response status differs from the signed status');
  return http;
}
