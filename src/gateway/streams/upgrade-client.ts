/**
 * The requester's end of an upgrade session (exec, attach, port-forward): after the chain carried the request and
 * the enclave granted a session, connect to the enclave's session endpoint, prove the reply key (hello), wait for
 * the apiserver's answer to the upgrade (`head`), then complete kubectl's WebSocket handshake with the subprotocol
 * the apiserver chose — or answer kubectl with the apiserver's refusal — and relay WebSocket messages both ways as
 * opaque bytes in sealed frames.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { FRAME, SessionChannel, type SessionGrant } from '../../core/session/index.js';
import { asToken, decodeMessage, encodeMessage, sendPaced, type UpgradeHead } from '../../core/session/upgrade.js';
import { statusResponse } from '../../core/kube/index.js';
import type { HttpResponseEnvelope } from '../../core/envelope/index.js';
import type { Logger } from '../../core/log.js';
import type { SessionEnd } from './session-client.js';

const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 413: 'Payload Too Large', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

/** Writes an HTTP answer (a Status) to an upgrade request that is not upgraded, and closes the socket. */
export function answerUpgrade(socket: Duplex, r: HttpResponseEnvelope, warning?: string): void {
  const body = Buffer.from(r.body);
  const ct = r.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? 'application/json';
  const lines = [`HTTP/1.1 ${r.status} ${REASONS[r.status] ?? 'Error'}`, `content-type: ${ct}`, `content-length: ${body.length}`, 'connection: close'];
  if (warning) lines.push(`warning: 299 - "${warning}"`);
  socket.on('error', () => undefined);
  socket.end(Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n'), body]));
}

export function relayUpgradeSession(o: {
  grant: SessionGrant;
  replySecret: Uint8Array;
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  warning: string;
  log: Logger;
}): Promise<SessionEnd & { upgraded: boolean }> {
  const { grant, req, socket, log } = o;
  const channel = SessionChannel.requester(grant.sessionId, o.replySecret, new Uint8Array(Buffer.from(grant.sessionKey, 'hex')));
  return new Promise((resolve) => {
    const session = new WebSocket(grant.endpoint, { perMessageDeflate: false, maxPayload: 32 * 1024 * 1024 });
    let kubectl: WebSocket | null = null;
    let upgraded = false;
    let reported: SessionEnd['reported'];
    let done = false;
    const early: Array<{ data: Buffer; isBinary: boolean }> = [];
    const finish = (reason: string) => {
      if (done) return;
      done = true;
      if (!upgraded) answerUpgrade(socket, statusResponse(502, `k3sdaas: session ${grant.sessionId} failed before the stream started: ${reason}`), o.warning);
      else if (kubectl && kubectl.readyState === WebSocket.OPEN) kubectl.close(1000);
      if (session.readyState === WebSocket.OPEN || session.readyState === WebSocket.CONNECTING) session.close(1000);
      resolve({ reason, digest: channel.digest, bytesDown: channel.bytesDown, reported, upgraded });
    };
    socket.on('error', () => undefined);
    socket.on('close', () => !upgraded && finish('kubectl went away before the upgrade'));
    const accept = (h: UpgradeHead) => {
      // kubectl's subprotocols reach ws as tokens ('/' spelled '~'), and the chosen one is answered as the apiserver spelled it.
      const offered = req.headers['sec-websocket-protocol'];
      if (offered) req.headers['sec-websocket-protocol'] = offered.split(',').map((p) => asToken(p.trim())).join(', ');
      const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024, handleProtocols: () => h.protocol ?? false });
      wss.on('headers', (headers) => headers.push(`Warning: 299 - "${o.warning}"`));
      upgraded = true;
      wss.handleUpgrade(req, socket, o.head, (ws) => {
        kubectl = ws;
        for (const m of early.splice(0)) ws.send(m.data, { binary: m.isBinary });
        ws.on('message', (data: Buffer, isBinary: boolean) => {
          if (session.readyState === WebSocket.OPEN) sendPaced(session, ws, channel.send(FRAME.data, encodeMessage(data, isBinary)));
        });
        ws.on('close', () => finish('kubectl closed the stream'));
        ws.on('error', () => finish('kubectl connection failed'));
      });
    };
    session.on('open', () => session.send(channel.send(FRAME.hello)));
    session.on('message', (data: Buffer) => {
      let frame;
      try {
        frame = channel.receive(new Uint8Array(data));
      } catch (err) {
        log.warn('session frame refused', { error: err });
        return finish('a session frame did not open under the session key');
      }
      if (frame.kind === FRAME.head) {
        const h = JSON.parse(Buffer.from(frame.payload).toString()) as UpgradeHead;
        if (h.status === 101) return accept(h);
        // The apiserver refused the upgrade (no such pod, container not running, …): its own Status, as kubectl expects.
        upgraded = true;
        answerUpgrade(socket, { status: h.status, headers: h.headers ?? [], body: new Uint8Array(Buffer.from(h.body ?? '', 'base64')) }, o.warning);
      } else if (frame.kind === FRAME.data) {
        const m = decodeMessage(frame.payload);
        if (kubectl) sendPaced(kubectl, session, m.data, m.isBinary);
        else early.push(m);
      } else if (frame.kind === FRAME.end) {
        reported = JSON.parse(Buffer.from(frame.payload).toString()) as SessionEnd['reported'];
        finish(reported!.reason);
      }
    });
    session.on('unexpected-response', (_r, res) => finish(`session endpoint answered ${res.statusCode}`));
    session.on('error', (err) => finish(`session endpoint unreachable: ${err.message}`));
    session.on('close', () => finish('session connection closed'));
  });
}
