/**
 * Requests that cannot be served yet (interactive upgrades: exec, attach, port-forward, proxy) are refused at once
 * with a Status that names the limitation — never a hang or a silently empty stream. Also maps failures to the Status kubectl prints.
 */
import { abortMessage } from '../core/abort-messages.js';
import { K3sDaasError, MoveAbortError } from '../core/errors.js';
import { statusResponse } from '../core/kube/index.js';
import type { HttpResponseEnvelope } from '../core/envelope/index.js';

const STREAM_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy']);

/** A Status for a request that is a stream, or null when the request can be submitted. */
export function refuseStream(method: string, url: URL): HttpResponseEnvelope | null {
  // Watches (`?watch=1|true`) and log follows are sessions (core/session); the old `/watch/` paths are not served.
  if (url.pathname.includes('/watch/')) {
    return statusResponse(404, 'k3sdaas: the deprecated /watch/ paths are not served; use ?watch=true');
  }
  const segments = url.pathname.split('/').filter(Boolean);
  const last = segments[segments.length - 1];
  if (segments.length >= 2 && STREAM_SUBRESOURCES.has(last)) {
    return statusResponse(403, `k3sdaas: ${last} opens an interactive stream, which cannot ride on chain transactions`);
  }
  if (method === 'CONNECT') return statusResponse(403, 'k3sdaas: CONNECT is not supported');
  return null;
}

/** Maps a submission failure to the Status kubectl shows. */
export function failureResponse(err: unknown): HttpResponseEnvelope {
  if (err instanceof MoveAbortError) {
    const reason = `${abortMessage(err.abortName)} (contract ${err.module}::${err.abortName ?? err.abortCode})`;
    if (err.abortName === 'EBodyTooLarge') return statusResponse(413, `k3sdaas: ${reason}`);
    if (err.abortName === 'EInvalidPath' || err.abortName === 'EInvalidMethod') return statusResponse(400, `k3sdaas: ${reason}`);
    if (err.abortName === 'EExpired') return statusResponse(401, `k3sdaas: ${reason}`);
    return statusResponse(403, `k3sdaas: ${reason}`);
  }
  if (err instanceof K3sDaasError) {
    switch (err.code) {
      case 'UNAUTHORIZED':
        return statusResponse(401, `k3sdaas: ${err.message}`);
      case 'REQUEST_TOO_LARGE':
        return statusResponse(413, `k3sdaas: ${err.message}`);
      case 'REQUEST_DEADLINE':
        return statusResponse(504, `k3sdaas: ${err.message}`);
      case 'NO_ENCLAVE':
      case 'CHAIN_UNAVAILABLE':
        return statusResponse(503, `k3sdaas: ${err.message}`);
      case 'BLOB_UNAVAILABLE':
      case 'BLOB_NOT_FOUND':
        return statusResponse(502, `k3sdaas: ${err.message}`);
      case 'CRYPTO_DECRYPT_FAILED':
      case 'BLOB_DIGEST_MISMATCH':
      case 'DIGEST_MISMATCH':
        return statusResponse(502, `k3sdaas: the answer on chain failed verification: ${err.message}`);
    }
    return statusResponse(500, `k3sdaas: ${err.message}`);
  }
  return statusResponse(500, `k3sdaas: ${(err as Error)?.message ?? String(err)}`);
}
