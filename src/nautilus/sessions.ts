/**
 * Sessions: the off-chain half of a streaming request (a watch, a log follow). The chain authorized and recorded
 * the request; the enclave answered it on chain with a session grant (core/session/grant.ts). The requester side
 * then connects here over a WebSocket (`ws`), proves it holds the reply key (its first frame must open under the
 * session keys), and the enclave relays the apiserver's stream to it, impersonating the requester exactly as for
 * ordinary requests, each chunk sealed end to end (core/session/channel.ts): this host and any relay see only
 * ciphertext. A session ends when the apiserver ends the stream, the requester goes away, its maximum duration
 * passes, or it is cut (`cut`).
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { generateEncryptionKey } from '../core/crypto/index.js';
import type { HttpRequestEnvelope } from '../core/envelope/index.js';
import type { RequestSubmitted } from '../core/events/index.js';
import type { Impersonation, KubeForwarder } from '../core/kube/forward.js';
import { FRAME, SessionChannel, type SessionGrant } from '../core/session/index.js';
import { silentLogger, type Logger } from '../core/log.js';
import { SESSION_REASONS, type SessionReason } from '../core/session/payloads.js';
import { isUpgradeRequest } from '../core/session/upgrade.js';
import { relayUpgrade } from './session-upgrade.js';

export const SESSION_PATH = '/k3sdaas/v1/sessions/';

export interface SessionHubOptions {
  forwarder: KubeForwarder;
  /** The public base URL of the session endpoint (ws://host:port); set by `listen` when omitted. */
  endpoint?: string;
  /** Longest a session may last (ms): lowers the cluster's `max_session_ms` (`clusterMaxSessionMs`), never raises it. */
  maxSessionMs?: number;
  /** How long a grant waits for its connection (ms). */
  connectWithinMs?: number;
  /** A long session is also recorded on chain this often while it lasts (ms; reason 'open'). */
  recordEveryMs?: number;
  logger?: Logger;
  now?: () => number;
}

/** What the enclave reports when a session ends (the session record). */
export interface SessionRecord {
  sessionId: string;
  requester: string;
  method: string;
  path: string;
  reason: SessionReason;
  /** Index of `reason` in SESSION_REASONS (the on-chain code). */
  reasonCode: number;
  detail?: string;
  openedMs: number;
  closedMs: number;
  durationMs: number;
  bytesDown: number;
  bytesUp: number;
  frames: number;
  digest: string;
  /** The command's exit status (exec/attach: the v4/v5 error channel's Status), when it reported one. */
  exitCode?: number;
}

interface Pending {
  ev: RequestSubmitted;
  request: HttpRequestEnvelope;
  as: Impersonation;
  secret: Uint8Array;
  expiresAtMs: number;
  timer: NodeJS.Timeout;
}

interface Open {
  requester: string;
  tokenId: string;
  end(reason: SessionReason, detail?: string): void;
}

export class SessionHub {
  readonly #o: SessionHubOptions;
  readonly #log: Logger;
  readonly #pending = new Map<string, Pending>();
  readonly #open = new Map<string, Open>();
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  readonly records: SessionRecord[] = [];
  #server: Server | null = null;
  #endpoint: string | undefined;
  /** The cluster's `max_session_ms` as nautilus last read it on chain (session-limit.ts); 30 min until known. */
  clusterMaxSessionMs: number | undefined;
  /** Told of every ended session (its record). */
  onRecord?: (r: SessionRecord) => void;
  /** Told when a session opens (the requester proved its key). */
  onOpen?: (o: { sessionId: string; requester: string; openedMs: number; expiresAtMs: number }) => void;

  constructor(options: SessionHubOptions) {
    this.#o = options;
    this.#endpoint = options.endpoint;
    this.#log = (options.logger ?? silentLogger).child({ component: 'sessions' });
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now();
  }

  get openCount(): number {
    return this.#open.size;
  }

  /** How long a session granted now may last: the cluster's maximum, lowered by the `maxSessionMs` option. */
  get maxSessionMs(): number {
    return Math.min(this.clusterMaxSessionMs ?? 30 * 60_000, this.#o.maxSessionMs ?? Infinity);
  }

  /** Grants a session for an authorized streaming request; the grant is what the enclave answers on chain. */
  grant(ev: RequestSubmitted, request: HttpRequestEnvelope, as: Impersonation): SessionGrant {
    if (!this.#endpoint) throw new Error('session endpoint not listening');
    const key = generateEncryptionKey();
    const expiresAtMs = this.#now() + this.maxSessionMs;
    const connectWithin = Math.max(this.#o.connectWithinMs ?? 60_000, Number(ev.deadlineMs) - this.#now());
    const timer = setTimeout(() => this.#pending.delete(ev.requestId), connectWithin);
    timer.unref();
    this.#pending.set(ev.requestId, { ev, request, as, secret: key.secretKey, expiresAtMs, timer });
    return {
      sessionId: ev.requestId,
      endpoint: this.#endpoint + SESSION_PATH + ev.requestId,
      sessionKey: Buffer.from(key.publicKey).toString('hex'),
      expiresAtMs,
    };
  }

  /** Ends every open session of a requester (revoked, slashed, unstaked). */
  cut(requester: string, detail: string): number {
    let n = 0;
    for (const s of [...this.#open.values()]) {
      if (s.requester === requester) {
        s.end('cut', detail);
        n++;
      }
    }
    return n;
  }

  /** Ends every open session of a SealToken (revoked, slashed below the minimum, unstaked). */
  cutToken(tokenId: string, detail: string): number {
    let n = 0;
    for (const s of [...this.#open.values()]) {
      if (normalizeSuiAddress(s.tokenId) === normalizeSuiAddress(tokenId)) {
        s.end('cut', detail);
        n++;
      }
    }
    // A grant not yet connected is withdrawn too: its connection would otherwise open after the revocation.
    for (const [id, p] of [...this.#pending]) {
      if (normalizeSuiAddress(p.ev.tokenId) === normalizeSuiAddress(tokenId)) {
        clearTimeout(p.timer);
        this.#pending.delete(id);
        this.#log.warn('session grant withdrawn before it connected', { request: id, reason: detail });
      }
    }
    return n;
  }

  /** Handles an HTTP upgrade on a server this hub shares (e.g. the health server). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (!path.startsWith(SESSION_PATH)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const id = path.slice(SESSION_PATH.length);
    const pending = this.#pending.get(id);
    if (!pending) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\nno such session (unknown, used or expired)');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#run(id, pending, ws));
  }

  /** Listens on its own HTTP server (plain: the frames are end-to-end encrypted and authenticated). */
  async listen(host: string, port: number, publicHost?: string): Promise<string> {
    const server = createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('k3sdaas session endpoint: WebSocket only');
    });
    server.on('upgrade', (req, socket, head) => this.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.#server = server;
    const { port: p } = server.address() as AddressInfo;
    this.#endpoint ??= `ws://${publicHost ?? (host === '0.0.0.0' ? '127.0.0.1' : host)}:${p}`;
    return this.#endpoint;
  }

  async close(): Promise<void> {
    for (const s of [...this.#open.values()]) s.end('enclave stopped');
    for (const p of this.#pending.values()) clearTimeout(p.timer);
    this.#pending.clear();
    this.#wss.close();
    const server = this.#server;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  #run(id: string, p: Pending, ws: WebSocket): void {
    const log = this.#log.child({ request: id });
    const channel = SessionChannel.enclave(id, p.secret, p.ev.replyKey);
    const started = this.#now();
    const upstream = new AbortController();
    let ended = false;
    let proven = false;
    let exitCode: number | undefined;
    const end = (reason: SessionReason, detail?: string) => {
      if (ended) return;
      ended = true;
      clearTimeout(maxTimer);
      clearInterval(progressTimer);
      // Ended by the enclave (not by either stream): the reason goes to the relay, which tells kubectl where it can.
      const byEnclave = reason === 'cut' || reason === 'maximum duration' || reason === 'enclave stopped';
      upstream.abort(byEnclave ? `k3sdaas: session ${id} ${reason === 'cut' ? 'cut' : 'closed'}: ${detail ?? reason}` : undefined);
      this.#open.delete(id);
      const record: SessionRecord = {
        sessionId: id,
        requester: p.ev.requester,
        method: p.ev.method,
        path: p.ev.path,
        reason,
        reasonCode: SESSION_REASONS.indexOf(reason),
        detail,
        openedMs: started,
        closedMs: this.#now(),
        durationMs: this.#now() - started,
        bytesDown: channel.bytesDown,
        bytesUp: channel.bytesUp,
        frames: 0,
        digest: '',
        ...(exitCode !== undefined ? { exitCode } : {}),
      };
      if (proven && ws.readyState === ws.OPEN) {
        // The closing frame carries the record; its own digest step is included in what it reports.
        const body = { reason, detail, durationMs: record.durationMs, bytesDown: record.bytesDown, bytesUp: record.bytesUp };
        ws.send(channel.send(FRAME.end, new TextEncoder().encode(JSON.stringify(body))));
        ws.close(1000, reason.slice(0, 100));
      } else ws.terminate();
      record.digest = channel.digest;
      // The record counts every frame and byte both ways, the closing frame included (as the digest does).
      record.frames = channel.frames;
      record.bytesDown = channel.bytesDown;
      record.bytesUp = channel.bytesUp;
      this.records.push(record);
      if (this.records.length > 1000) this.records.shift();
      log.info('session closed', { ...record });
      // Recorded on chain only for sessions that opened (a refused connection has nothing to report).
      if (proven) this.onRecord?.(record);
    };
    const maxTimer = setTimeout(() => end('maximum duration'), Math.max(0, p.expiresAtMs - this.#now()));
    maxTimer.unref();
    let progressTimer: NodeJS.Timeout | undefined;
    ws.on('close', () => end('requester closed'));
    ws.on('error', (err) => end('requester closed', `connection failed: ${err.message}`));
    ws.once('message', (data: Buffer, isBinary: boolean) => {
      // The grant is used once: a second connection for the same id finds nothing.
      this.#pending.delete(id);
      clearTimeout(p.timer);
      try {
        if (!isBinary || channel.receive(new Uint8Array(data)).kind !== FRAME.hello) throw new Error('first frame is not a hello');
      } catch {
        log.warn('session refused: the first frame does not open under the session key');
        end('requester closed', 'the requester could not prove the reply key');
        return;
      }
      proven = true;
      progressTimer = setInterval(() => {
        // A periodic record: what flowed so far and the digest up to now; the session goes on.
        const now = this.#now();
        this.onRecord?.({
          sessionId: id, requester: p.ev.requester, method: p.ev.method, path: p.ev.path, reason: 'open', reasonCode: SESSION_REASONS.indexOf('open'),
          openedMs: started, closedMs: now, durationMs: now - started, bytesDown: channel.bytesDown, bytesUp: channel.bytesUp, frames: channel.frames, digest: channel.digest,
        });
      }, this.#o.recordEveryMs ?? 10 * 60_000);
      progressTimer.unref();
      this.#open.set(id, { requester: p.ev.requester, tokenId: p.ev.tokenId, end });
      log.info('session opened', { method: p.ev.method, path: p.ev.path });
      this.onOpen?.({ sessionId: id, requester: p.ev.requester, openedMs: started, expiresAtMs: p.expiresAtMs });
      const relay = isUpgradeRequest(p.request)
        ? relayUpgrade({ forwarder: this.#o.forwarder, request: p.request, as: p.as, channel, requester: ws, signal: upstream.signal, onExitStatus: (c) => (exitCode = c) })
        : this.#relay(p, channel, ws, upstream.signal);
      void relay.then(
        () => end('stream ended'),
        (err: unknown) => {
          if (!ended) log.warn('session stream failed', { error: err });
          end('stream failed', (err as Error).message);
        },
      );
    });
  }

  async #relay(p: Pending, channel: SessionChannel, ws: WebSocket, signal: AbortSignal): Promise<void> {
    const res = await this.#o.forwarder.stream(p.request, p.as, signal);
    const head = JSON.stringify({ status: res.status, headers: res.headers });
    ws.send(channel.send(FRAME.head, new TextEncoder().encode(head)));
    for await (const chunk of res.body) {
      if (signal.aborted) return;
      ws.send(channel.send(FRAME.data, new Uint8Array(chunk)));
    }
  }
}
