/**
 * `k3sdaas verify` for sessions: the enclave's signed session reports (session.move's SessionOpened and
 * SessionClosed, which keep the signature) re-checked off chain against the enclave key, and — with the session's
 * transcript digest recomputed by the requester — the transcript itself.
 */
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { ed25519Verify } from '../crypto/ed25519.js';
import type { ChainClient } from '../chain/index.js';
import { decodeEvent, type SessionClosed, type SessionOpened } from '../events/index.js';
import { SESSION_REASONS, sessionOpenMessage, sessionRecordMessage } from '../session/payloads.js';

export interface SessionCheck {
  kind: 'opened' | 'closed';
  ok: boolean;
  detail: string;
}

function verifies(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return signature.length === 64 && ed25519Verify(signature, message, publicKey);
  } catch {
    return false;
  }
}

/** Whether a SessionOpened carries a valid enclave signature by `enclavePk`. */
export function checkSessionOpened(ev: SessionOpened, enclavePk: Uint8Array): SessionCheck {
  const ok = verifies(
    ev.signature,
    sessionOpenMessage(ev.openedMs, { cluster_id: ev.clusterId, request_id: ev.requestId, requester: ev.requester, expires_ms: ev.expiresMs }),
    enclavePk,
  );
  return { kind: 'opened', ok, detail: ok ? `opened ${new Date(Number(ev.openedMs)).toISOString()}, ends by ${new Date(Number(ev.expiresMs)).toISOString()}` : 'the open report is not signed by the enclave key' };
}

/**
 * Whether a SessionClosed carries a valid enclave signature by `enclavePk` over exactly these fields, and (given)
 * whether its transcript digest is the one the requester computed.
 */
export function checkSessionClosed(ev: SessionClosed, enclavePk: Uint8Array, transcriptDigest?: string): SessionCheck {
  const message = sessionRecordMessage(ev.timestampMs, {
    cluster_id: ev.clusterId,
    request_id: ev.requestId,
    requester: ev.requester,
    opened_ms: ev.openedMs,
    closed_ms: ev.closedMs,
    bytes_down: ev.bytesDown,
    bytes_up: ev.bytesUp,
    frames: ev.frames,
    has_exit_code: ev.hasExitCode,
    exit_code: ev.exitCode,
    reason: ev.reason,
    transcript_digest: ev.transcriptDigest,
  });
  if (!verifies(ev.signature, message, enclavePk)) return { kind: 'closed', ok: false, detail: 'the session record is not signed by the enclave key (altered or forged)' };
  const digest = Buffer.from(ev.transcriptDigest).toString('hex');
  if (transcriptDigest !== undefined && transcriptDigest.replace(/^0x/, '').toLowerCase() !== digest) {
    return { kind: 'closed', ok: false, detail: `the saved transcript's digest ${transcriptDigest} differs from the signed record's ${digest}` };
  }
  const reason = SESSION_REASONS[ev.reason] ?? `reason ${ev.reason}`;
  return {
    kind: 'closed',
    ok: true,
    detail: `${reason} after ${Number(ev.closedMs - ev.openedMs) / 1000}s: ${ev.bytesDown} bytes down, ${ev.bytesUp} up, ${ev.frames} frames${ev.hasExitCode ? `, exit ${ev.exitCode}` : ''}; transcript digest ${digest}${transcriptDigest ? ' (matches the saved transcript)' : ''}`,
  };
}

/** The session reports of one request (its session id), oldest first, scanning at most `maxScan` session events. */
export async function collectSessionEvents(client: ChainClient, packageId: string, requestId: string, maxScan = 20_000): Promise<Array<SessionOpened | SessionClosed>> {
  const id = normalizeSuiAddress(requestId);
  const out: Array<SessionOpened | SessionClosed> = [];
  let cursor: string | null = null;
  let seen = 0;
  for (;;) {
    const page = await client.core.listEvents({ filter: { eventType: `${packageId}::session` }, order: 'ascending', limit: 50, ...(cursor ? { after: cursor } : {}) });
    for (const e of page.events) {
      if (++seen > maxScan) return out;
      const ev = decodeEvent(e, { packageId });
      if ((ev?.$kind === 'SessionOpened' || ev?.$kind === 'SessionClosed') && normalizeSuiAddress(ev.requestId) === id) out.push(ev);
    }
    if (!page.hasNextPage || !page.endCursor) return out;
    cursor = page.endCursor;
  }
}
