/**
 * Upgrade sessions: kubectl's exec, attach and port-forward (a WebSocket upgrade on `pods/NAME/exec|attach|
 * portforward`). The chain carries the request as `POST` (what the apiserver authorizes: `create` on the
 * subresource) with the upgrade and the offered subprotocols inside the sealed envelope; the enclave answers with a
 * session grant and, once the requester connects, opens the same upgrade on the apiserver and relays WebSocket
 * messages as opaque bytes in session frames (the channel-byte protocol passes through unchanged).
 *
 * Frames of an upgrade session: `head` (down) = JSON {@link UpgradeHead}; `data` (both ways) = one WebSocket
 * message: one byte (1 binary, 0 text) then the message.
 */
import type { HttpRequestEnvelope } from '../envelope/index.js';

const UPGRADE_SUBRESOURCES = /^\/api\/v1\/namespaces\/[^/]+\/pods\/[^/]+\/(exec|attach|portforward)$/;

/** The subresource of an upgradeable path (`exec`, `attach`, `portforward`), or null. */
export function upgradeSubresource(pathname: string): 'exec' | 'attach' | 'portforward' | null {
  const m = UPGRADE_SUBRESOURCES.exec(pathname);
  return m ? (m[1] as 'exec' | 'attach' | 'portforward') : null;
}

function header(req: HttpRequestEnvelope, name: string): string | undefined {
  return req.headers.find(([n]) => n.toLowerCase() === name)?.[1];
}

/** Whether a request (as the enclave opened it) is a WebSocket upgrade of exec/attach/portforward. */
export function isUpgradeRequest(req: Pick<HttpRequestEnvelope, 'method' | 'url' | 'headers'>): boolean {
  if (req.method.toUpperCase() !== 'POST') return false;
  if (!upgradeSubresource(new URL(req.url, 'http://x').pathname)) return false;
  return /\bwebsocket\b/i.test(header(req as HttpRequestEnvelope, 'upgrade') ?? '');
}

/** The subprotocols kubectl offered, in its order. */
export function offeredProtocols(req: Pick<HttpRequestEnvelope, 'headers'>): string[] {
  return (header(req as HttpRequestEnvelope, 'sec-websocket-protocol') ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** The apiserver's answer to the upgrade: 101 with the chosen subprotocol, or its refusal (status, body). */
export interface UpgradeHead {
  status: number;
  protocol?: string;
  headers?: Array<[string, string]>;
  /** base64 of the refusal's body (a Status), when status is not 101. */
  body?: string;
}

export function encodeMessage(data: Buffer | Uint8Array, isBinary: boolean): Uint8Array {
  const out = new Uint8Array(1 + data.length);
  out[0] = isBinary ? 1 : 0;
  out.set(data, 1);
  return out;
}

export function decodeMessage(payload: Uint8Array): { data: Buffer; isBinary: boolean } {
  return { data: Buffer.from(payload.subarray(1)), isBinary: payload[0] === 1 };
}

/** ws refuses '/' in a subprotocol (not an RFC 7230 token); the apiserver takes `SPDY/3.1+portforward.k8s.io`. */
export const asToken = (p: string): string => p.replaceAll('/', '~');
export const fromToken = (p: string): string => p.replaceAll('~', '/');

const ERROR_CHANNEL = 3;

/**
 * The exit status in a message of the remote-command error channel (v4/v5.channel.k8s.io: channel byte 3, then a
 * metav1.Status): 0 for Success, N for a NonZeroExitCode failure, undefined for anything else.
 */
export function exitStatusOf(protocol: string | undefined, message: Uint8Array): number | undefined {
  if (!protocol || !/^v[45]\.channel\.k8s\.io$/.test(protocol) || message.length < 2 || message[0] !== ERROR_CHANNEL) return undefined;
  try {
    const s = JSON.parse(Buffer.from(message.subarray(1)).toString('utf8')) as {
      status?: string;
      reason?: string;
      details?: { causes?: Array<{ reason?: string; message?: string }> };
    };
    if (s.status === 'Success') return 0;
    if (s.reason !== 'NonZeroExitCode') return undefined;
    const n = Number(s.details?.causes?.find((c) => c.reason === 'ExitCode')?.message);
    return Number.isInteger(n) && n >= 0 && n <= 0xffffffff ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The error-channel message that tells kubectl its exec/attach stream was ended by k3sdaas (cut on revocation, past
 * the maximum duration): a metav1.Status Failure on channel 3 of v4/v5.channel.k8s.io, which kubectl prints as
 * `error: MESSAGE` and exits non-zero — a stream ended under it is not a clean exit. Undefined for other protocols.
 */
export function endedStatusMessage(protocol: string | undefined, message: string): Uint8Array | undefined {
  if (!protocol || !/^v[45]\.channel\.k8s\.io$/.test(protocol)) return undefined;
  const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Gone', code: 410 };
  return new Uint8Array([ERROR_CHANNEL, ...Buffer.from(JSON.stringify(status))]);
}

/** Buffered bytes toward one side above which the other side is read no further until it drains. */
const HIGH_WATER = 4 * 1024 * 1024;

interface PacedSocket {
  readonly bufferedAmount: number;
  readonly isPaused: boolean;
  send(data: Uint8Array, options: { binary: boolean }, cb: (err?: Error) => void): void;
  pause(): void;
  resume(): void;
}

/**
 * Sends `data` on `to`, pausing `from` (the socket it came from) while `to` has more than 4 MiB waiting, so a fast
 * side cannot fill memory faster than the slow side reads: flow control end to end, one hop at a time.
 */
export function sendPaced(to: PacedSocket, from: PacedSocket, data: Uint8Array, binary = true): void {
  to.send(data, { binary }, () => {
    if (from.isPaused && to.bufferedAmount < HIGH_WATER / 2) from.resume();
  });
  if (to.bufferedAmount > HIGH_WATER && !from.isPaused) from.pause();
}
