/**
 * The enclave's half of an upgrade session (exec, attach, port-forward): opens the same WebSocket upgrade on the
 * apiserver with the subprotocols kubectl offered, impersonating the requester exactly as for ordinary requests,
 * and relays WebSocket messages both ways as opaque bytes in sealed session frames. The apiserver's answer to the
 * upgrade goes first (`head`: 101 and the chosen subprotocol, or its refusal); the exit status is read from the
 * v4/v5 error channel for the session record.
 */
import WebSocket from 'ws';
import type { HttpRequestEnvelope } from '../core/envelope/index.js';
import type { Impersonation, KubeForwarder } from '../core/kube/forward.js';
import { FRAME, type SessionChannel } from '../core/session/channel.js';
import { asToken, decodeMessage, encodeMessage, endedStatusMessage, exitStatusOf, fromToken, offeredProtocols, sendPaced, upgradeSubresource, type UpgradeHead } from '../core/session/upgrade.js';

export interface RelayUpgradeOptions {
  forwarder: KubeForwarder;
  request: HttpRequestEnvelope;
  as: Impersonation;
  channel: SessionChannel;
  /** The requester's connection (its first frame, the hello, was already read). */
  requester: WebSocket;
  /** Aborted when the session ends; a string reason means the enclave ended it (kubectl is told, as a Status). */
  signal: AbortSignal;
  onExitStatus: (code: number) => void;
}

/** Resolves when the apiserver ends the upgraded stream (or refuses the upgrade); rejects when it fails. */
export async function relayUpgrade(o: RelayUpgradeOptions): Promise<void> {
  const { channel, requester, signal } = o;
  const target = await o.forwarder.upgradeTarget({ ...o.request, method: 'GET' }, o.as);
  const offered = offeredProtocols(o.request);
  const sendHead = (h: UpgradeHead) => requester.send(channel.send(FRAME.head, new TextEncoder().encode(JSON.stringify(h))));
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return resolve();
    // '/' is spelled '~' for ws's checks and sent (and read back) as the apiserver spells it.
    const upstream = new WebSocket(target.url, offered.map(asToken), {
      headers: target.headers,
      ...target.tls,
      perMessageDeflate: false,
      maxPayload: 16 * 1024 * 1024,
      finishRequest: (req) => {
        if (offered.length) req.setHeader('Sec-WebSocket-Protocol', offered.join(', '));
        req.prependListener('upgrade', (res) => {
          const p = res.headers['sec-websocket-protocol'];
          if (typeof p === 'string') res.headers['sec-websocket-protocol'] = asToken(p);
        });
        req.end();
      },
    });
    let protocol: string | undefined;
    let settled = false;
    const done = (err?: Error) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (upstream.readyState === WebSocket.OPEN || upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => {
      // Cut or past its maximum: exec/attach tell kubectl why on the error channel, before the session's end frame.
      const told = typeof signal.reason === 'string' && upgradeSubresource(new URL(o.request.url, 'http://x').pathname) !== 'portforward'
        ? endedStatusMessage(protocol, signal.reason)
        : undefined;
      if (told && requester.readyState === WebSocket.OPEN) requester.send(channel.send(FRAME.data, encodeMessage(told, true)));
      if (upstream.readyState === WebSocket.OPEN) upstream.close(1000);
      done();
    };
    signal.addEventListener('abort', onAbort);
    upstream.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.length < 64 && chunks.push(c));
      res.on('end', () => {
        const headers: Array<[string, string]> = [];
        const ct = res.headers['content-type'];
        if (typeof ct === 'string') headers.push(['content-type', ct]);
        sendHead({ status: res.statusCode ?? 502, headers, body: Buffer.concat(chunks).toString('base64') });
        done();
      });
      res.on('error', (err) => done(err));
    });
    upstream.on('open', () => {
      protocol = upstream.protocol ? fromToken(upstream.protocol) : undefined;
      sendHead({ status: 101, protocol });
      requester.on('message', (data: Buffer) => {
        let frame;
        try {
          frame = channel.receive(new Uint8Array(data));
        } catch (err) {
          return done(err as Error);
        }
        if (frame.kind !== FRAME.data) return;
        const m = decodeMessage(frame.payload);
        sendPaced(upstream, requester, m.data, m.isBinary);
      });
    });
    upstream.on('message', (data: Buffer, isBinary: boolean) => {
      const code = exitStatusOf(protocol, data);
      if (code !== undefined) o.onExitStatus(code);
      sendPaced(requester, upstream, channel.send(FRAME.data, encodeMessage(data, isBinary)));
    });
    upstream.on('close', () => done());
    upstream.on('error', (err) => done(new Error(`kube-apiserver upgrade failed: ${err.message}`)));
  });
}
