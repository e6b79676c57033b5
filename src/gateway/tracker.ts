/**
 * One chain follower shared by every waiting kubectl request (no poll loop per request): it delivers
 * ResponseStored / RequestExpired to whoever waits for that request id, and keeps the cluster's current enclave key
 * fresh from EnclaveRegistered. Results that arrive before anyone waits are kept for a while.
 */
import type { SuiClientTypes } from '@mysten/sui/client';
import { ChainFollower, memoryCursorStore, type ChainClient } from '../core/chain/index.js';
import { readCluster } from '../core/chain/objects.js';
import { decodeEvent, type RequestExpired, type ResponseStored } from '../core/events/index.js';
import { K3sDaasError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/log.js';
import type { RequestJanitor } from './janitor.js';

export type RequestOutcome = ResponseStored | RequestExpired;

/** Answers nobody waits for (yet) are kept this long, and at most this many (oldest dropped first). */
const EARLY_TTL_MS = 60_000;
const EARLY_MAX = 512;
/** With a janitor: how long past the deadline to wait for the RequestExpired it sends. */
const EXPIRY_WAIT_MS = 30_000;

export class DeadlineError extends K3sDaasError {
  constructor(requestId: string) {
    super('REQUEST_DEADLINE', `no answer for on-chain request ${requestId} before its deadline`, { data: { requestId } });
  }
}

interface Waiter {
  resolve: (o: RequestOutcome) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
}

export class RequestTracker {
  readonly follower: ChainFollower;
  #waiters = new Map<string, Waiter>();
  #early = new Map<string, { outcome: RequestOutcome; at: number }>();
  #enclaveKey: Uint8Array | null = null;

  constructor(
    readonly client: ChainClient,
    readonly packageId: string,
    readonly clusterId: string,
    logger: Logger = silentLogger,
    /** The package's ORIGINAL id (event types keep it across upgrades); default `packageId`. */
    readonly originalPackageId: string = packageId,
  ) {
    this.follower = new ChainFollower({
      client,
      // Only what a waiting request needs: its own submission is known from the transaction's effects, so the
      // RequestSubmitted events of every user (a drain each) are not followed.
      streams: [
        { name: 'answer', filter: { eventType: `${originalPackageId}::request::ResponseStored` } },
        { name: 'expiry', filter: { eventType: `${originalPackageId}::request::RequestExpired` } },
        { name: 'enclave', filter: { eventType: `${originalPackageId}::enclave` } },
      ],
      cursors: memoryCursorStore(),
      startAt: 'now',
      onEvents: (_s, events) => this.#deliver(events),
      logger,
    });
  }

  async start(): Promise<void> {
    this.follower.start();
    await this.follower.waitCaughtUp();
    await this.refreshEnclaveKey();
  }

  async stop(): Promise<void> {
    await this.follower.stop();
    for (const [id, w] of this.#waiters) {
      clearTimeout(w.timer);
      w.reject(new K3sDaasError('SHUTTING_DOWN', `stopped while waiting for ${id}`));
    }
    this.#waiters.clear();
  }

  async refreshEnclaveKey(): Promise<Uint8Array | null> {
    const cluster = await readCluster(this.client, this.clusterId);
    this.#enclaveKey = cluster.enclavePk.length ? cluster.enclavePk : null;
    return this.#enclaveKey;
  }

  /** The enclave key requests are sealed to; throws when the cluster has none yet. */
  async enclaveKey(): Promise<Uint8Array> {
    const key = this.#enclaveKey ?? (await this.refreshEnclaveKey());
    if (!key) throw new K3sDaasError('NO_ENCLAVE', `cluster ${this.clusterId} has no registered enclave key yet (is nautilus running?)`, { retryable: true });
    return key;
  }

  /** Per-request state held right now: waiters, and answers kept for a wait that has not come (bounded). */
  get retained(): { waiting: number; early: number } {
    return { waiting: this.#waiters.size, early: this.#early.size };
  }

  get hasEnclaveKey(): boolean {
    return this.#enclaveKey !== null;
  }

  /**
   * Resolves with the request's ResponseStored or RequestExpired. With a `janitor`, an unanswered request is
   * expired at its deadline and the wait goes on for the RequestExpired (up to EXPIRY_WAIT_MS more, for a chain
   * that is down at the deadline); without one, DeadlineError shortly after the deadline.
   */
  wait(requestId: string, deadlineMs: number, janitor?: RequestJanitor): Promise<RequestOutcome> {
    const early = this.#early.get(requestId);
    if (early) {
      this.#early.delete(requestId);
      return Promise.resolve(early.outcome);
    }
    janitor?.schedule(requestId, deadlineMs);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.#waiters.delete(requestId);
          reject(new DeadlineError(requestId));
        },
        Math.max(0, deadlineMs - Date.now()) + (janitor ? EXPIRY_WAIT_MS : 2_000),
      );
      this.#waiters.set(requestId, {
        resolve: (o) => (janitor?.forget(requestId), resolve(o)),
        reject: (e) => (janitor?.forget(requestId), reject(e)),
        timer,
      });
      // No extra drain here: an answer that came before this wait is in #early, and one that comes later wakes the
      // follower through its subscription (a drain started now would only delay the drain that frame asks for).
    });
  }

  #deliver(events: SuiClientTypes.EventEntry[]): void {
    const now = Date.now();
    for (const [id, e] of this.#early) if (now - e.at > EARLY_TTL_MS) this.#early.delete(id);
    for (const raw of events) {
      const ev = decodeEvent(raw, { packageId: this.originalPackageId });
      if (!ev || !('clusterId' in ev) || ev.clusterId !== this.clusterId) continue;
      if (ev.$kind === 'EnclaveRegistered') {
        this.#enclaveKey = ev.publicKey;
        continue;
      }
      if (ev.$kind !== 'ResponseStored' && ev.$kind !== 'RequestExpired') continue;
      const w = this.#waiters.get(ev.requestId);
      if (w) {
        clearTimeout(w.timer);
        this.#waiters.delete(ev.requestId);
        w.resolve(ev);
      } else {
        // Usually another gateway's request; kept briefly in case ours was answered before `wait` was called.
        this.#early.set(ev.requestId, { outcome: ev, at: now });
        if (this.#early.size > EARLY_MAX) this.#early.delete(this.#early.keys().next().value!);
      }
    }
  }
}
