/**
 * The session hub's limits: a session lasts at most the cluster's on-chain maximum, which `--max-session` only
 * lowers; a revoked token's grant that has not connected yet is withdrawn (its connection is refused).
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { generateEncryptionKey } from '../core/crypto/index.js';
import type { RequestSubmitted } from '../core/events/index.js';
import type { KubeForwarder } from '../core/kube/forward.js';
import { SessionHub } from './sessions.js';

const TOKEN = '0x' + '0d'.repeat(32);
const forwarder = {} as unknown as KubeForwarder;
let hub: SessionHub;
afterEach(async () => hub?.close());

function event(): RequestSubmitted {
  return {
    $kind: 'RequestSubmitted', packageId: '0x1', requestId: '0x' + 'ef'.repeat(32), clusterId: '0x' + 'cc'.repeat(32),
    requester: '0x' + '0a'.repeat(32), gateway: null, tokenId: TOKEN, role: 2, method: 'GET', path: '/api/v1/pods',
    namespace: '', resource: 'pods', bodyDigest: new Uint8Array(32), bodySize: 0n, body: new Uint8Array(), bodyBlob: '',
    replyKey: generateEncryptionKey().publicKey, submittedMs: 0n, fee: 0n, deadlineMs: BigInt(Date.now() + 30_000),
  };
}
const request = { method: 'GET', url: '/api/v1/pods?watch=true', headers: [], body: new Uint8Array() };

describe('session limits', () => {
  it("grants last the cluster's maximum; the --max-session option lowers it, never raises it", () => {
    const now = 1_000_000;
    hub = new SessionHub({ forwarder, endpoint: 'ws://127.0.0.1:1', now: () => now });
    expect(hub.maxSessionMs).toBe(30 * 60_000);
    hub.clusterMaxSessionMs = 2_000;
    expect(hub.grant(event(), request, { user: 'u', groups: [] }).expiresAtMs).toBe(now + 2_000);
    hub = new SessionHub({ forwarder, endpoint: 'ws://127.0.0.1:1', now: () => now, maxSessionMs: 60_000 });
    hub.clusterMaxSessionMs = 3_600_000;
    expect(hub.maxSessionMs).toBe(60_000);
    hub.clusterMaxSessionMs = 5_000;
    expect(hub.maxSessionMs).toBe(5_000);
  });

  it("withdraws a revoked token's grant that has not connected yet", async () => {
    hub = new SessionHub({ forwarder });
    await hub.listen('127.0.0.1', 0);
    const grant = hub.grant(event(), request, { user: 'u', groups: [] });
    expect(hub.cutToken(TOKEN, "the SealToken's role was revoked")).toBe(0);
    const ws = new WebSocket(grant.endpoint);
    const status = await new Promise<number>((r) => {
      ws.on('unexpected-response', (_q, res) => r(res.statusCode ?? 0));
      ws.on('open', () => r(101));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(404);
  });
});
