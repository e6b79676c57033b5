/**
 * The session endpoint over a real WebSocket with a stand-in apiserver stream: the requester must prove the reply
 * key; frames open only with the session keys; a session is cut for its token (revocation) and closed at its
 * maximum duration, each with a closing frame and a record whose digest both ends agree on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { generateEncryptionKey } from '../core/crypto/index.js';
import type { RequestSubmitted } from '../core/events/index.js';
import type { KubeForwarder } from '../core/kube/forward.js';
import { FRAME, SessionChannel, type SessionGrant } from '../core/session/index.js';
import { revocationReason } from './session-revoker.js';
import { SessionHub, type SessionRecord } from './sessions.js';

const TOKEN = '0x' + '0c'.repeat(32);

/** An apiserver watch that sends one event and then stays open until aborted. */
const forwarder = {
  async stream(_req: unknown, _as: unknown, signal: AbortSignal) {
    async function* body() {
      yield Buffer.from('{"type":"ADDED","object":{}}\n');
      await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
    }
    return { status: 200, headers: [['content-type', 'application/json']] as Array<[string, string]>, body: body() };
  },
} as unknown as KubeForwarder;

let hub: SessionHub;
afterEach(async () => hub?.close());

function event(reply: Uint8Array): RequestSubmitted {
  return {
    $kind: 'RequestSubmitted',
    packageId: '0x1',
    requestId: '0x' + 'ab'.repeat(32),
    clusterId: '0x' + 'cc'.repeat(32),
    requester: '0x' + '0a'.repeat(32),
    gateway: null,
    tokenId: TOKEN,
    role: 2,
    method: 'GET',
    path: '/api/v1/namespaces/default/pods',
    namespace: 'default',
    resource: 'pods',
    bodyDigest: new Uint8Array(32),
    bodySize: 0n,
    body: new Uint8Array(),
    bodyBlob: '',
    replyKey: reply,
    submittedMs: 0n,
    fee: 0n,
    deadlineMs: BigInt(Date.now() + 30_000),
  };
}

async function open(maxSessionMs = 60_000, replySecret?: Uint8Array, recordEveryMs?: number) {
  hub = new SessionHub({ forwarder, maxSessionMs, recordEveryMs });
  await hub.listen('127.0.0.1', 0);
  const reply = generateEncryptionKey();
  const records: SessionRecord[] = [];
  hub.onRecord = (r) => records.push(r);
  const ev = event(reply.publicKey);
  const grant: SessionGrant = hub.grant(ev, { method: 'GET', url: '/api/v1/namespaces/default/pods?watch=true', headers: [], body: new Uint8Array() }, { user: ev.requester, groups: [] });
  const channel = SessionChannel.requester(grant.sessionId, replySecret ?? reply.secretKey, new Uint8Array(Buffer.from(grant.sessionKey, 'hex')));
  const ws = new WebSocket(grant.endpoint);
  const frames: Array<{ kind: number; text: string }> = [];
  const closed = new Promise<void>((r) => ws.on('close', () => r()));
  ws.on('message', (d: Buffer) => {
    const f = channel.receive(new Uint8Array(d));
    frames.push({ kind: f.kind, text: Buffer.from(f.payload).toString() });
  });
  await new Promise<void>((r) => ws.on('open', () => r()));
  ws.send(channel.send(FRAME.hello));
  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  };
  return { ws, frames, closed, records, channel, until, grant };
}

describe('SessionHub', () => {
  it('relays the stream in sealed frames; a revoked token\'s session is cut with a closing frame and a record both ends agree on', async () => {
    const s = await open();
    await s.until(() => s.frames.length >= 2);
    expect(s.frames.map((f) => f.kind)).toEqual([FRAME.head, FRAME.data]);
    expect(JSON.parse(s.frames[0].text)).toMatchObject({ status: 200 });
    expect(s.frames[1].text).toContain('"ADDED"');
    expect(hub.openCount).toBe(1);
    expect(hub.cutToken('0x' + '99'.repeat(32), 'other token')).toBe(0);
    expect(hub.cutToken(TOKEN, 'the SealToken was unstaked')).toBe(1);
    await s.closed;
    const end = JSON.parse(s.frames.at(-1)!.text) as { reason: string; detail: string };
    expect([s.frames.at(-1)!.kind, end.reason, end.detail]).toEqual([FRAME.end, 'cut', 'the SealToken was unstaked']);
    expect(s.records).toHaveLength(1);
    expect(s.records[0]).toMatchObject({ reason: 'cut', reasonCode: 3, detail: 'the SealToken was unstaked' });
    expect(s.records[0].digest).toBe(s.channel.digest);
    expect(s.records[0].bytesDown).toBe(s.channel.bytesDown);
    expect(hub.openCount).toBe(0);
  });

  it('closes a session at its maximum duration', async () => {
    const s = await open(300);
    await s.closed;
    expect(s.frames.at(-1)!.kind).toBe(FRAME.end);
    expect(JSON.parse(s.frames.at(-1)!.text).reason).toBe('maximum duration');
    expect(s.records[0].reasonCode).toBe(2);
  });

  it('records a long session periodically (reason open) before its closing record', async () => {
    const s = await open(450, undefined, 100);
    await s.closed;
    const periodic = s.records.filter((r) => r.reason === 'open');
    expect(periodic.length).toBeGreaterThanOrEqual(2);
    expect(periodic[0].reasonCode).toBe(6);
    expect(s.records.at(-1)!.reason).toBe('maximum duration');
  });

  it('refuses a connection that cannot prove the reply key, and a grant is used once', async () => {
    hub = new SessionHub({ forwarder });
    await hub.listen('127.0.0.1', 0);
    const ev = event(generateEncryptionKey().publicKey);
    const grant = hub.grant(ev, { method: 'GET', url: '/api/v1/pods?watch=1', headers: [], body: new Uint8Array() }, { user: ev.requester, groups: [] });
    const stranger = SessionChannel.requester(grant.sessionId, generateEncryptionKey().secretKey, new Uint8Array(Buffer.from(grant.sessionKey, 'hex')));
    const ws = new WebSocket(grant.endpoint);
    const got: Buffer[] = [];
    ws.on('message', (d: Buffer) => got.push(d));
    await new Promise<void>((r) => ws.on('open', () => r()));
    ws.send(stranger.send(FRAME.hello));
    await new Promise<void>((r) => ws.on('close', () => r()));
    expect(got).toEqual([]);
    expect(hub.openCount).toBe(0);
    const again = new WebSocket(grant.endpoint);
    const status = await new Promise<number>((r) => again.on('unexpected-response', (_q, res) => r(res.statusCode ?? 0)));
    expect(status).toBe(404);
  });
});

describe('revocationReason', () => {
  it('cuts on unstake and role revocation, and on a slash only below the minimum stake', () => {
    expect(revocationReason({ $kind: 'Unstaked' }, 100n)).toMatch(/unstaked/);
    expect(revocationReason({ $kind: 'RoleRevoked' }, 100n)).toMatch(/revoked/);
    expect(revocationReason({ $kind: 'Slashed', remaining: 99n }, 100n)).toMatch(/below the minimum stake \(99 < 100 MIST\)/);
    expect(revocationReason({ $kind: 'Slashed', remaining: 100n }, 100n)).toBeNull();
    expect(revocationReason({ $kind: 'Slashed' }, 100n)).toBeNull();
    expect(revocationReason({ $kind: 'Staked' }, 100n)).toBeNull();
  });
});
