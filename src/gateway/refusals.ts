/**
 * Requests that cannot be served (the proxy subresource; exec, attach, port-forward without an upgrade) are refused at once
 * with a Status that names the limitation — never a hang or a silently empty stream. Also maps failures to the Status kubectl prints.
 */
import { abortMessage } from '../core/abort-messages.js';
import { isWriteMethod, K3sDaasError, MAY_HAVE_BEEN_APPLIED, MoveAbortError, transportFailure } from '../core/errors.js';
import { statusResponse } from '../core/kube/index.js';
import { AUTHZ_ERRORS, isValidMethod, isValidPath } from '../core/authz.js';
import { publicPath } from '../core/protocol/index.js';
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
    // exec/attach/portforward upgrades never reach here: the server's 'upgrade' event relays them (upgrade.ts).
    if (last !== 'proxy') return statusResponse(400, 'Upgrade request required');
    return statusResponse(403, `k3sdaas: ${last} opens an interactive stream, which cannot ride on chain transactions`);
  }
  if (method === 'CONNECT') return statusResponse(403, 'k3sdaas: CONNECT is not supported');
  return null;
}

/**
 * What the contract would certainly refuse, whoever asks: a method or path `request::submit*` aborts on
 * (EInvalidMethod, EInvalidPath — the rules of src/core/authz.ts). Checked for free before anything is submitted,
 * so such a request costs no gas and leaves no record. `rawUrl` is the request target as kubectl sent it (not
 * normalized: `..` must be seen as the chain would see it).
 */
export function refuseOffChain(method: string, rawUrl: string): HttpResponseEnvelope | null {
  const error = !isValidMethod(method) ? 'EInvalidMethod' : !isValidPath(publicPath(rawUrl)) ? 'EInvalidPath' : null;
  if (!error) return null;
  const { module } = AUTHZ_ERRORS[error];
  return statusResponse(400, `k3sdaas: ${abortMessage(error)} (contract ${module}::${error}; checked before submitting, nothing was submitted or paid)`);
}

/** What the frontend knows about a failed request, so the Status can say where and what happened. */
export interface FailureContext {
  /** The Sui fullnode the gateway talks to (named when it is unreachable). */
  chainEndpoint?: string;
  /** kubectl's method: a write whose outcome is unknown says it may have been applied. */
  method?: string;
  /** The on-chain request, once submitted. */
  requestId?: string;
}

/** Maps a submission failure to the Status kubectl shows. */
export function failureResponse(err: unknown, ctx: FailureContext = {}): HttpResponseEnvelope {
  const write = ctx.method !== undefined && isWriteMethod(ctx.method);
  const unknownOutcome = write ? `; ${MAY_HAVE_BEEN_APPLIED}` : '';
  if (err instanceof MoveAbortError) {
    const reason = `${abortMessage(err.abortName)} (contract ${err.module}::${err.abortName ?? err.abortCode})`;
    if (err.abortName === 'EBodyTooLarge') return statusResponse(413, `k3sdaas: ${reason}`);
    if (err.abortName === 'EInvalidPath' || err.abortName === 'EInvalidMethod') return statusResponse(400, `k3sdaas: ${reason}`);
    if (err.abortName === 'EExpired') return statusResponse(401, `k3sdaas: ${reason}`);
    return statusResponse(403, `k3sdaas: ${reason}`);
  }
  if (err instanceof K3sDaasError && err.code.startsWith('CHAIN_')) {
    const transport = err.code === 'CHAIN_UNAVAILABLE' ? (transportFailure(err) ?? err.message) : transportFailure(err);
    if (transport !== undefined) {
      const where = ctx.chainEndpoint ? `the Sui fullnode at ${ctx.chainEndpoint}` : 'the Sui fullnode';
      // A failed simulation never reached the network: nothing was submitted. A failed execution may have.
      const outcome =
        err.code === 'CHAIN_SIMULATION_FAILED'
          ? '; the request was not submitted, retry when the chain is reachable'
          : ctx.requestId
            ? unknownOutcome
            : write
              ? `; the transaction's outcome is unknown and ${MAY_HAVE_BEEN_APPLIED}`
              : '';
      return statusResponse(503, `k3sdaas: ${where} is unreachable (${transport})${outcome}`);
    }
  }
  if (err instanceof K3sDaasError) {
    switch (err.code) {
      case 'UNAUTHORIZED':
        return statusResponse(401, `k3sdaas: ${err.message}`);
      case 'REQUEST_TOO_LARGE':
        return statusResponse(413, `k3sdaas: ${err.message}`);
      case 'REQUEST_DEADLINE':
        return statusResponse(504, `k3sdaas: ${err.message}${unknownOutcome}`);
      case 'SHUTTING_DOWN':
        return statusResponse(503, `k3sdaas: the gateway is shutting down${ctx.requestId ? ` (on-chain request ${ctx.requestId} was submitted)` : ''}${ctx.requestId ? unknownOutcome : ''}`);
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
    return statusResponse(500, `k3sdaas: ${err.message}${ctx.requestId ? unknownOutcome : ''}`);
  }
  return statusResponse(500, `k3sdaas: ${(err as Error)?.message ?? String(err)}${ctx.requestId ? unknownOutcome : ''}`);
}
