/**
 * The requester's end of a session (a watch, a log follow): after the chain carried the request and the enclave's
 * signed answer (a session grant sealed to our reply key), connect to the enclave's session endpoint over a
 * WebSocket (`ws`), prove we hold the reply key with a first sealed frame, and relay what the enclave sends —
 * the apiserver's status, headers and stream, each frame opened with the session keys — to kubectl as a chunked
 * HTTP response. Ends when the enclave ends the session or kubectl goes away.
 */
import type { ServerResponse } from 'node:http';
import WebSocket from 'ws';
import { FRAME, SessionChannel, type Direction, type SessionGrant } from '../../core/session/index.js';
import type { Logger } from '../../core/log.js';
import { statusResponse } from '../../core/kube/index.js';

export interface SessionEnd {
  reason: string;
  digest: string;
  bytesDown: number;
  /** What the enclave reported in its closing frame (absent when the connection dropped first). */
  reported?: { reason: string; durationMs: number; bytesDown: number; bytesUp: number };
}

function sendStatus(res: ServerResponse, code: number, message: string, warning: string): void {
  const r = statusResponse(code, message);
  res.writeHead(r.status, { 'content-type': 'application/json', warning: `299 - "${warning}"` });
  res.end(Buffer.from(r.body));
}

export function relaySession(o: {
  grant: SessionGrant;
  replySecret: Uint8Array;
  res: ServerResponse;
  warning: string;
  log: Logger;
  /** Keeps the session's frames (kubectl-proxy --save-reply-keys: a transcript `k3sdaas verify` can check). */
  transcript?: { frame(dir: Direction, seq: number, plaintext: Uint8Array): void; close(end: { reason: string; digest: string }): void };
}): Promise<SessionEnd> {
  const { grant, res, log } = o;
  const channel = SessionChannel.requester(grant.sessionId, o.replySecret, new Uint8Array(Buffer.from(grant.sessionKey, 'hex')));
  if (o.transcript) channel.onFrame = (dir, seq, plain) => o.transcript!.frame(dir, seq, plain);
  return new Promise<SessionEnd>((resolve) => {
    const ws = new WebSocket(grant.endpoint, { perMessageDeflate: false });
    let reported: SessionEnd['reported'];
    let done = false;
    const finish = (reason: string) => {
      if (done) return;
      done = true;
      if (!res.headersSent) sendStatus(res, 502, `k3sdaas: session ${grant.sessionId} failed before the stream started: ${reason}`, o.warning);
      else res.end();
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.terminate();
      o.transcript?.close({ reason, digest: channel.digest });
      resolve({ reason, digest: channel.digest, bytesDown: channel.bytesDown, reported });
    };
    res.on('close', () => finish('kubectl closed the stream'));
    ws.on('open', () => ws.send(channel.send(FRAME.hello)));
    ws.on('message', (data: Buffer) => {
      let frame;
      try {
        frame = channel.receive(new Uint8Array(data));
      } catch (err) {
        log.warn('session frame refused', { error: err });
        return finish('a session frame did not open under the session key');
      }
      if (frame.kind === FRAME.head) {
        const head = JSON.parse(Buffer.from(frame.payload).toString()) as { status: number; headers: Array<[string, string]> };
        const headers: Record<string, string | string[]> = {};
        for (const [n, v] of head.headers) headers[n] = headers[n] === undefined ? v : ([] as string[]).concat(headers[n], v);
        headers.warning = ([] as string[]).concat(headers.warning ?? [], `299 - "${o.warning}"`);
        res.writeHead(head.status, headers);
        res.flushHeaders();
      } else if (frame.kind === FRAME.data) {
        if (res.headersSent) res.write(Buffer.from(frame.payload));
      } else if (frame.kind === FRAME.end) {
        reported = JSON.parse(Buffer.from(frame.payload).toString()) as SessionEnd['reported'];
        finish(reported!.reason);
      }
    });
    ws.on('unexpected-response', (_req, r) => finish(`session endpoint answered ${r.statusCode}`));
    ws.on('error', (err) => finish(`session endpoint unreachable: ${err.message}`));
    ws.on('close', () => finish('session connection closed'));
  });
}
