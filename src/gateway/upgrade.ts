/**
 * kubectl's exec, attach and port-forward through the chain: the HTTPS server's `upgrade` event. A WebSocket
 * upgrade of `pods/NAME/exec|attach|portforward` is submitted on chain as `POST` (the apiserver's rule: `create` on
 * the subresource, whatever the method), with the upgrade and kubectl's subprotocols sealed inside; the contract
 * decides (role, tenant namespace, stake, fee). The enclave answers with a session grant, and the upgrade is relayed
 * over the end-to-end encrypted session (streams/upgrade-client.ts). Anything else that asks to upgrade gets a
 * Status. kubectl's SPDY fallback after a refused WebSocket upgrade gets the same refusal, not a second submission.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HttpRequestEnvelope, HttpResponseEnvelope } from '../core/envelope/index.js';
import { isEnclaveKeyRotated, statusResponse } from '../core/kube/index.js';
import { bodyCiphertext, openResponse } from '../core/protocol/index.js';
import { MoveAbortError } from '../core/errors.js';
import { grantOf } from '../core/session/index.js';
import { upgradeSubresource } from '../core/session/upgrade.js';
import type { Logger } from '../core/log.js';
import { failureResponse, refuseOffChain } from './refusals.js';
import type { FrontendOptions } from './frontend.js';
import type { GatewayMetrics } from './metrics.js';
import { answerUpgrade, relayUpgradeSession } from './streams/upgrade-client.js';

const MAX_KEY_ROTATION_ATTEMPTS = 3;
/** How long a refused WebSocket upgrade's answer is given to kubectl's SPDY retry of the same request. */
const FALLBACK_MS = 30_000;

export class UpgradeRelay {
  readonly #o: FrontendOptions;
  readonly #log: Logger;
  readonly #metrics: GatewayMetrics;
  readonly #refused = new Map<string, { answer: HttpResponseEnvelope; warning?: string; until: number }>();

  constructor(o: FrontendOptions, log: Logger, metrics: GatewayMetrics) {
    this.#o = o;
    this.#log = log;
    this.#metrics = metrics;
  }

  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    void this.#serve(req, socket, head).catch((err: unknown) => {
      this.#log.error('upgrade failed', { error: err });
      if (socket.writable) answerUpgrade(socket, statusResponse(500, 'k3sdaas: internal error'));
    });
  }

  #key(req: IncomingMessage, url: URL): string {
    return createHash('sha256').update(`${req.headers.authorization ?? ''}\n${url.pathname}${url.search}`).digest('hex');
  }

  #refuse(req: IncomingMessage, url: URL, socket: Duplex, answer: HttpResponseEnvelope, warning?: string): void {
    const now = Date.now();
    for (const [k, v] of this.#refused) if (v.until < now) this.#refused.delete(k);
    this.#refused.set(this.#key(req, url), { answer, warning, until: now + FALLBACK_MS });
    answerUpgrade(socket, answer, warning);
  }

  async #serve(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://gateway');
    const sub = upgradeSubresource(url.pathname);
    const verb = 'create';
    if (!sub) {
      this.#metrics.requests.inc({ verb: 'upgrade', outcome: 'refused' });
      return answerUpgrade(socket, statusResponse(400, `k3sdaas: ${url.pathname} cannot be upgraded: only pods/exec, pods/attach and pods/portforward stream`));
    }
    if (!/\bwebsocket\b/i.test(String(req.headers.upgrade ?? ''))) {
      // kubectl retries a failed WebSocket upgrade over SPDY: give it the answer the chain gave, so it prints that.
      const prior = this.#refused.get(this.#key(req, url));
      if (prior && prior.until >= Date.now()) return answerUpgrade(socket, prior.answer, prior.warning);
      this.#metrics.requests.inc({ verb, outcome: 'refused' });
      return answerUpgrade(
        socket,
        statusResponse(400, `k3sdaas: ${sub} over ${req.headers.upgrade ?? 'a plain request'} is not relayed; k3sdaas relays ${sub} over WebSocket (kubectl 1.30+ uses it by default)`),
      );
    }
    let identity;
    try {
      identity = await this.#o.submitter.authenticate(req.headers.authorization);
    } catch (err) {
      this.#metrics.requests.inc({ verb, outcome: 'unauthorized' });
      return answerUpgrade(socket, failureResponse(err, { method: 'POST' }));
    }
    const certain = refuseOffChain('POST', req.url ?? '/');
    if (certain) return this.#refuse(req, url, socket, certain);
    const headers: Array<[string, string]> = [['upgrade', 'websocket']];
    const protocols = req.headers['sec-websocket-protocol'];
    if (typeof protocols === 'string') headers.push(['sec-websocket-protocol', protocols]);
    for (const name of ['user-agent', 'kubectl-command', 'kubectl-session']) {
      const v = req.headers[name];
      if (typeof v === 'string') headers.push([name, v]);
    }
    const http: HttpRequestEnvelope = { method: 'POST', url: req.url ?? '/', headers, body: new Uint8Array() };
    let requestId: string | undefined;
    try {
      for (let attempt = 1; ; attempt++) {
        const enclaveKey = await this.#o.tracker.enclaveKey();
        const submitted = await this.#o.submitter.submit(http, identity, enclaveKey);
        requestId = submitted.requestId;
        const log = this.#log.child({ request: requestId, user: identity.user });
        log.info('submitted', { method: 'POST', path: url.pathname, upgrade: sub, tx: submitted.txDigest, attempt });
        const outcome = await this.#o.tracker.wait(requestId, submitted.deadlineMs, this.#o.submitter.janitor);
        const warning = `k3sdaas request ${requestId}`;
        if (outcome.$kind === 'RequestExpired') {
          this.#metrics.requests.inc({ verb, outcome: 'expired' });
          return answerUpgrade(socket, statusResponse(504, `k3sdaas: on-chain request ${requestId} expired without an answer`), warning);
        }
        const answer = openResponse(outcome, submitted.reply.secretKey, await bodyCiphertext(outcome, this.#o.blobs));
        this.#o.onReplyKey?.(requestId, submitted.reply.secretKey);
        if (isEnclaveKeyRotated(answer) && attempt < MAX_KEY_ROTATION_ATTEMPTS) {
          log.warn('sealed to a previous enclave key (nautilus restarted): resubmitting', { attempt });
          await this.#o.tracker.refreshEnclaveKey();
          continue;
        }
        const grant = grantOf(answer);
        if (!grant) {
          this.#metrics.requests.inc({ verb, outcome: String(answer.status) });
          return this.#refuse(req, url, socket, answer, warning);
        }
        this.#metrics.requests.inc({ verb, outcome: 'session' });
        log.info('session granted', { endpoint: grant.endpoint, expiresAtMs: grant.expiresAtMs, upgrade: sub });
        const end = await relayUpgradeSession({ grant, replySecret: submitted.reply.secretKey, req, socket, head, warning, log });
        log.info('session ended', { ...end });
        return;
      }
    } catch (err) {
      const r = failureResponse(err, { method: 'POST', requestId, chainEndpoint: this.#o.chainEndpoint });
      this.#metrics.requests.inc({ verb, outcome: `error_${r.status}` });
      this.#log.warn('upgrade request failed', { request: requestId, status: r.status, error: err });
      const recorded = err instanceof MoveAbortError ? (err.data.recordedIn as string | undefined) : undefined;
      const notRecorded = err instanceof MoveAbortError ? (err.data.notRecorded as string | undefined) : undefined;
      const warning = requestId
        ? `k3sdaas request ${requestId}`
        : recorded
          ? `k3sdaas refusal recorded on chain in transaction ${recorded}`
          : notRecorded
            ? `k3sdaas refusal not recorded on chain: ${notRecorded}`
            : undefined;
      return this.#refuse(req, url, socket, r, warning);
    }
  }
}
