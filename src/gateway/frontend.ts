/**
 * What kubectl talks to: an HTTPS server that looks like a kube-apiserver. It answers /version, health and
 * metrics itself; every other request becomes one on-chain request and its answer is the cluster's original status,
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
import { VERSION } from '../core/version.js';
import { failureForPath } from './discovery-errors.js';
import { MoveAbortError } from '../core/errors.js';
import { failureResponse, refuseStream } from './refusals.js';
import type { Submitter } from './submitters.js';
import type { RequestTracker } from './tracker.js';
import type { TlsMaterial } from './tls.js';
import { GatewayMetrics } from './metrics.js';

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
}

export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: `v1.32.4-k3sdaas.${VERSION}`,
  gitCommit: 'k3sdaas',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function send(res: ServerResponse, r: HttpResponseEnvelope, warning?: string): void {
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

  constructor(options: FrontendOptions) {
    this.#o = options;
    this.#log = (options.logger ?? silentLogger).child({ component: options.submitter.mode });
    this.metrics = new GatewayMetrics(options.tracker.follower);
  }

  async listen(): Promise<string> {
    const server = createServer({ cert: this.#o.tls.certPem, key: this.#o.tls.keyPem }, (req, res) => {
      void this.#handle(req, res).catch((err) => {
        this.#log.error('unhandled', { error: err });
        if (!res.headersSent) send(res, statusResponse(500, 'k3sdaas: internal error'));
        else res.destroy();
      });
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

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    await new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://gateway');
    const method = (req.method ?? 'GET').toUpperCase();
    switch (url.pathname) {
      case '/version':
        return json(res, 200, VERSION_INFO);
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
      return send(res, failureForPath(url.pathname, failureResponse(err)));
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
        this.metrics.requests.inc({ verb, outcome: String(answer.status) });
        this.metrics.seconds.observe({ phase: 'total' }, (performance.now() - started) / 1000);
        log.info('answered', { status: answer.status, ms: Math.round(performance.now() - started) });
        return send(res, answer, `k3sdaas request ${requestId}`);
      }
    } catch (err) {
      const r = failureResponse(err);
      this.metrics.requests.inc({ verb, outcome: `error_${r.status}` });
      this.#log.warn('request failed', { request: requestId, status: r.status, error: err });
      const recorded = err instanceof MoveAbortError ? (err.data.recordedIn as string | undefined) : undefined;
      const warning = requestId
        ? `k3sdaas request ${requestId}`
        : recorded
          ? `k3sdaas refusal recorded on chain in transaction ${recorded}`
          : undefined;
      return send(res, failureForPath(url.pathname, r), warning);
    }
  }
}
