/**
 * The session grant: what the enclave answers on chain (sealed to the reply key, signed by `respond`) to a
 * streaming request instead of a one-shot body. It names where to connect, the session's public key (see
 * channel.ts) and when the session ends at the latest.
 */
import type { HttpResponseEnvelope } from '../envelope/index.js';

export const SESSION_GRANT_TYPE = 'application/vnd.k3sdaas.session-grant+json';

export interface SessionGrant {
  /** The on-chain request id; also the session id. */
  sessionId: string;
  /** nautilus's session endpoint (ws:// or wss://); the path carries the session id. */
  endpoint: string;
  /** The enclave's X25519 public key for this session (hex). */
  sessionKey: string;
  /** Wall-clock time (ms) the enclave closes the session at the latest. */
  expiresAtMs: number;
}

export function grantResponse(grant: SessionGrant): HttpResponseEnvelope {
  return { status: 200, headers: [['content-type', SESSION_GRANT_TYPE]], body: new TextEncoder().encode(JSON.stringify(grant)) };
}

/** The grant in an answer, or null when the answer is an ordinary response (an error Status, say). */
export function grantOf(r: HttpResponseEnvelope): SessionGrant | null {
  if (r.status !== 200 || !r.headers.some(([n, v]) => n === 'content-type' && v === SESSION_GRANT_TYPE)) return null;
  return JSON.parse(new TextDecoder().decode(r.body)) as SessionGrant;
}

/**
 * Whether a kubectl request is a stream that the enclave answers with a session: a watch (`watch=1|true`) or a
 * log follow (`follow=true`), both GETs. Exec/attach/port-forward WebSocket upgrades are sessions too (see
 * upgrade.ts: `isUpgradeRequest`).
 */
export function isStreamRequest(method: string, url: string): boolean {
  if (method.toUpperCase() !== 'GET') return false;
  const u = new URL(url, 'http://x');
  const q = u.searchParams;
  if (q.get('watch') === 'true' || q.get('watch') === '1') return true;
  return q.get('follow') === 'true' && u.pathname.endsWith('/log');
}
