/**
 * What kubectl talks to: an HTTPS server that looks like a kube-apiserver. It answers health and metrics itself,
 * and /version from a cached answer of the cluster's; every other request becomes one on-chain request and its answer is the cluster's original status,
 * headers and body, with a Warning header naming the on-chain request id.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpRequestEnvelope, HttpResponseEnvelope } from '../core/envelope/index.js';
import { FORWARDED_REQUEST_HEADERS } from '../core/envelope/index.js';
import { isEnclaveKeyRotated, statusResponse } from '../core/kube/index.js';
import { bodyCiphertext, openResponse } from '../core/protocol/index.js';
import type { BlobStore } from '../core/blobs/index.js';
import { silentLogger, type Logger } from '../core/log.js';
import { failureForPath } from './discovery-errors.js';
import { K3sDaasError, MoveAbortError } from '../core/errors.js';
import { failureResponse, refuseOffChain, refuseStream } from './refusals.js';
import type { Submitter } from './submitters.js';
import type { RequestTracker } from './tracker.js';
import type { TlsMaterial } from './tls.js';
import { GatewayMetrics } from './metrics.js';
import { grantOf, isStreamRequest, type SessionGrant } from '../core/session/index.js';
import { relaySession } from './streams/session-client.js';
import { UpgradeRelay } from './upgrade.js';

export interface FrontendOptions {
  tls: TlsMaterial;
  submitter: Submitter;
  tracker: RequestTracker;
  host?: string;
  port?: number;
  logger?: Logger;
  /** Largest kubectl request body accepted (before sealing). */
  maxBodyBytes?: number;
  /** Extra public info served at /k3sdaas/v1/info. */
  info?: Record<string, unknown>;
  /** Where off-chain response ciphertexts are read from. */
  blobs?: BlobStore;
  /** Called with each answered request's reply key (kubectl-proxy --save-reply-keys, for `k3sdaas verify`). */
  onReplyKey?: (requestId: string, replySecret: Uint8Array) => void;
  /** Where a granted session's transcript is kept (kubectl-proxy --save-reply-keys), or nothing. */
  sessionTranscript?: (grant: SessionGrant) => Parameters<typeof relaySession>[0]['transcript'];
  /** Add `Warning: 299 - "k3sdaas request 0x…"` to answers (default true; config key requestWarnings). */
  requestWarnings?: boolean;
  /** The Sui fullnode's URL, named in the Status when it is unreachable. */
  chainEndpoint?: string;
  /** How long a graceful stop waits for in-flight requests before answering them itself (ms). */
  drainMs?: number;
}

/** A kubectl request being handled: what a graceful stop needs to answer it. */
interface InFlight {
  method: string;
  requestId?: string;
}

/** How long the cluster's /version answer is reused. */
const VERSION_CACHE_MS = 10 * 60_000;

function send(res: ServerResponse, r: HttpResponseEnvelope, warning?: string): void {
  // Answered already (a graceful stop answered it while it waited): the late outcome has nowhere to go.
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of r.headers) {
    const prev = headers[name];
    headers[name] = prev === undefined ? value : ([] as string[]).concat(prev, value);
  }
  if (warning) headers.warning = ([] as string[]).concat(headers.warning ?? [], `299 - "${warning}"`);
  headers['content-length'] = String(r.body.length);
  res.writeHead(r.status, headers);
  res.end(Buffer.from(r.body));
}

function json(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  send(res, { status, headers: [['content-type', type]], body: new TextEncoder().encode(JSON.stringify(body)) });
}

async function readBody(req: IncomingMessage, max: number): Promise<Uint8Array | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > max) return null;
    chunks.push(c as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** Submissions of one kubectl request when its answer says it was sealed to a previous enclave key. */
const MAX_KEY_ROTATION_ATTEMPTS = 3;

const VERBS: Record<string, string> = { GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

export class KubeFrontend {
  readonly metrics: GatewayMetrics;
  readonly #o: FrontendOptions;
  readonly #log: Logger;
  #server: Server | null = null;
  readonly #inFlight = new Map<ServerResponse, InFlight>();
  #version: { answer: HttpResponseEnvelope; until: number } | null = null;
  #draining = false;

  constructor(options: FrontendOptions) {
    this.#o = options;
    this.#log = (options.logger ?? silentLogger).child({ component: options.submitter.mode });
    this.metrics = new GatewayMetrics(options.tracker.follower, () => options.submitter.batching);
  }

  async listen(): Promise<string> {
    const server = createServer({ cert: this.#o.tls.certPem, key: this.#o.tls.keyPem }, (req, res) => {
      void this.#handle(req, res).catch((err) => {
        this.#log.error('unhandled', { error: err });
        if (!res.headersSent) send(res, statusResponse(500, 'k3sdaas: internal error'));
        else res.destroy();
      });
    });
    // CONNECT never reaches the request handler (Node emits 'connect'): answer it with its Status, not a dropped socket.
    server.on('connect', (req: IncomingMessage, socket: import('node:stream').Duplex) => {
      const r = refuseStream('CONNECT', new URL('/', 'https://gateway'))!;
      const body = Buffer.from(r.body);
      socket.on('error', () => undefined);
      socket.end(
        `HTTP/1.1 ${r.status} Forbidden\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n` +
          body.toString('utf8'),
      );
      this.metrics.requests.inc({ verb: 'connect', outcome: 'refused' });
      void req;
    });
    // exec, attach, port-forward: WebSocket upgrades submitted on chain and relayed as sessions (upgrade.ts).
    const upgrades = new UpgradeRelay(this.#o, this.#log, this.metrics);
    server.on('upgrade', (req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => {
      if (this.#draining) return void socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      upgrades.handle(req, socket, head);
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#o.port ?? 6443, this.#o.host ?? '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const host = this.#o.host && this.#o.host !== '0.0.0.0' ? this.#o.host : '127.0.0.1';
    return `https://${host}:${port}`;
  }

  /**
   * Graceful stop: no new connections, idle ones closed, in-flight kubectl requests get up to `drainMs` to be
   * answered; any still waiting then get a 503 Status saying the gateway stopped (and, for a submitted write, that
   * it may have been applied) — never an EOF.
   */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = null;
    this.#draining = true;
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeIdleConnections();
    const deadline = Date.now() + (this.#o.drainMs ?? 10_000);
    while (this.#inFlight.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    for (const [res, flight] of this.#inFlight) {
      const err = new K3sDaasError('SHUTTING_DOWN', 'the gateway is shutting down');
      const warning = flight.requestId ? `k3sdaas request ${flight.requestId}` : undefined;
      res.setHeader('connection', 'close');
      send(res, failureResponse(err, { method: flight.method, requestId: flight.requestId }), warning);
    }
    this.#inFlight.clear();
    // Let the answers reach the sockets before closing what is left.
    await new Promise((r) => setImmediate(r));
    server.closeAllConnections();
    await closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const flight: InFlight = { method: (req.method ?? 'GET').toUpperCase() };
    if (this.#draining) {
      res.setHeader('connection', 'close');
      return send(res, statusResponse(503, 'k3sdaas: the gateway is shutting down; nothing was submitted, retry against a running gateway'));
    }
    this.#inFlight.set(res, flight);
    try {
      await this.#serve(req, res, flight);
    } finally {
      this.#inFlight.delete(res);
    }
  }

  async #serve(req: IncomingMessage, res: ServerResponse, flight: InFlight): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://gateway');
    const method = (req.method ?? 'GET').toUpperCase();
    switch (url.pathname) {
      case '/version': {
        // The cluster's own version (asked on chain like any request, then cached): kubectl's version skew checks
        // and client-side decisions need the real server, not a made-up one.
        const cached = this.#version;
        if (method === 'GET' && cached && cached.until > Date.now()) return send(res, cached.answer);
        break;
      }
      case '/healthz':
      case '/livez':
        return send(res, { status: 200, headers: [['content-type', 'text/plain']], body: new TextEncoder().encode('ok') });
      case '/readyz': {
        const ready = this.#o.tracker.follower.caughtUp && this.#o.tracker.hasEnclaveKey;
        const text = ready ? 'ok' : 'not ready: ' + (this.#o.tracker.follower.caughtUp ? 'no enclave key on chain' : 'chain follower catching up');
        return send(res, { status: ready ? 200 : 503, headers: [['content-type', 'text/plain']], body: new TextEncoder().encode(text) });
      }
      case '/metrics':
        return send(res, { status: 200, headers: [['content-type', 'text/plain; version=0.0.4']], body: new TextEncoder().encode(this.metrics.render()) });
      case '/k3sdaas/v1/info':
        return json(res, 200, { mode: this.#o.submitter.mode, address: this.#o.submitter.address, caPem: this.#o.tls.caPem, ...this.#o.info });
    }
    const verb = VERBS[method] ?? method.toLowerCase();
    const started = performance.now();
    const refusal = refuseStream(method, url);
    if (refusal) {
      this.metrics.requests.inc({ verb, outcome: 'refused' });
      return send(res, refusal);
    }
    let identity;
    try {
      identity = await this.#o.submitter.authenticate(req.headers.authorization);
    } catch (err) {
      this.metrics.requests.inc({ verb, outcome: 'unauthorized' });
      return send(res, failureForPath(url.pathname, failureResponse(err, { method })));
    }
    const certain = refuseOffChain(method, req.url ?? '/');
    if (certain) {
      this.metrics.requests.inc({ verb, outcome: 'refused_off_chain' });
      return send(res, failureForPath(url.pathname, certain));
    }
    const body = await readBody(req, this.#o.maxBodyBytes ?? 16 * 1024 * 1024);
    if (!body) {
      this.metrics.requests.inc({ verb, outcome: 'too_large' });
      return send(res, statusResponse(413, 'k3sdaas: request body too large'));
    }
    const headers: Array<[string, string]> = [];
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const v = req.headers[name];
      if (typeof v === 'string') headers.push([name, v]);
    }
    const http: HttpRequestEnvelope = { method, url: req.url ?? '/', headers, body };
    let requestId: string | undefined;
    try {
      for (let attempt = 1; ; attempt++) {
        const enclaveKey = await this.#o.tracker.enclaveKey();
        const submitted = await this.#o.submitter.submit(http, identity, enclaveKey);
        requestId = submitted.requestId;
        flight.requestId = requestId;
        const onChain = performance.now();
        this.metrics.seconds.observe({ phase: 'chain' }, (onChain - started) / 1000);
        const log = this.#log.child({ request: requestId, user: identity.user });
        log.info('submitted', { method, path: url.pathname, tx: submitted.txDigest, attempt });
        const outcome = await this.#o.tracker.wait(requestId, submitted.deadlineMs, this.#o.submitter.janitor);
        this.metrics.seconds.observe({ phase: 'answer' }, (performance.now() - onChain) / 1000);
        if (outcome.$kind === 'RequestExpired') {
          this.metrics.requests.inc({ verb, outcome: 'expired' });
          const unknown = method === 'GET' || method === 'HEAD' ? '' : '; the change may or may not have been applied, check before retrying';
          return send(res, statusResponse(504, `k3sdaas: on-chain request ${requestId} expired without an answer${unknown}`), `k3sdaas request ${requestId}`);
        }
        const answer = openResponse(outcome, submitted.reply.secretKey, await bodyCiphertext(outcome, this.#o.blobs));
        this.#o.onReplyKey?.(requestId, submitted.reply.secretKey);
        // Sealed to the key of nautilus's previous run: provably not executed, so submit it again to the current key.
        if (isEnclaveKeyRotated(answer) && attempt < MAX_KEY_ROTATION_ATTEMPTS) {
          log.warn('sealed to a previous enclave key (nautilus restarted): resubmitting', { attempt });
          this.metrics.requests.inc({ verb, outcome: 'resubmitted' });
          await this.#o.tracker.refreshEnclaveKey();
          continue;
        }
        if (url.pathname === '/version' && method === 'GET' && answer.status === 200) this.#version = { answer, until: Date.now() + VERSION_CACHE_MS };
        const grant = isStreamRequest(method, http.url) ? grantOf(answer) : null;
        if (grant) {
          // A stream: the chain authorized it and the enclave granted a session; the data flows off chain.
          this.metrics.requests.inc({ verb: 'watch', outcome: 'session' });
          log.info('session granted', { endpoint: grant.endpoint, expiresAtMs: grant.expiresAtMs });
          const end = await relaySession({ grant, replySecret: submitted.reply.secretKey, res, warning: `k3sdaas request ${requestId}`, log, transcript: this.#o.sessionTranscript?.(grant) });
          log.info('session ended', { ...end });
          return;
        }
        this.metrics.requests.inc({ verb, outcome: String(answer.status) });
        this.metrics.seconds.observe({ phase: 'total' }, (performance.now() - started) / 1000);
        log.info('answered', { status: answer.status, ms: Math.round(performance.now() - started) });
        // quiet (requestWarnings false): answered requests go without; refusals and expiries keep theirs
        return send(res, answer, this.#o.requestWarnings === false ? undefined : `k3sdaas request ${requestId}`);
      }
    } catch (err) {
      const r = failureResponse(err, { method, requestId, chainEndpoint: this.#o.chainEndpoint });
      this.metrics.requests.inc({ verb, outcome: `error_${r.status}` });
      this.#log.warn('request failed', { request: requestId, status: r.status, error: err });
      const recorded = err instanceof MoveAbortError ? (err.data.recordedIn as string | undefined) : undefined;
      const notRecorded = err instanceof MoveAbortError ? (err.data.notRecorded as string | undefined) : undefined;
      const warning = requestId
        ? `k3sdaas request ${requestId}`
        : recorded
          ? `k3sdaas refusal recorded on chain in transaction ${recorded}`
          : notRecorded
            ? `k3sdaas refusal not recorded on chain: ${notRecorded}`
            : undefined;
      return send(res, failureForPath(url.pathname, r), warning);
    }
  }
}
