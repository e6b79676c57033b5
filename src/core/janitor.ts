/**
 * Expires Requests left unanswered past their deadline (`request::expire`, which anyone may call): the shared
 * object is deleted, its storage rebate goes to the caller, and RequestExpired tells the waiting kubectl. A
 * request is scheduled with its deadline and forgotten once answered; at deadline + grace the janitor sends
 * `expire` (batched with other expiries) and retries with the project's policy — a chain outage or a chain clock
 * behind ours (EDeadlineNotReached) delays it, nothing else stops it but the Request being gone or `stop`.
 */
import { CALL_OVERHEAD_BYTES, TransactionBatcher, perTransaction } from './batch/index.js';
import * as calls from './calls/index.js';
import type { ChainClient, TransactionExecutor } from './chain/index.js';
import { objectContent } from './chain/objects.js';
import { decodeEvent } from './events/index.js';
import { K3sDaasError, MoveAbortError } from './errors.js';
import { silentLogger, type Logger } from './log.js';
import { retry, type RetryPolicy } from './retry.js';

export interface JanitorOptions {
  client: ChainClient;
  /** Pays for `expire` (and receives the storage rebate). */
  executor: TransactionExecutor;
  packageId: string;
  logger?: Logger;
  now?: () => number;
  /** Wait this long past the deadline before expiring (the chain's clock decides; default 1 s). */
  graceMs?: number;
  /** Give up this long after the deadline (default 10 min). */
  giveUpAfterMs?: number;
  retryPolicy?: Partial<RetryPolicy>;
  /** Told when this janitor's transaction expired a request. */
  onExpired?: (requestId: string, txDigest: string) => void;
  /** Told how each expiry ended (e.g. `gone`: answered or expired by someone else). */
  onSettled?: (requestId: string, outcome: ExpiryOutcome) => void;
}

export type ExpiryOutcome = 'expired' | 'gone' | 'stopped' | 'gave up';

export class RequestJanitor {
  readonly #o: JanitorOptions;
  readonly #log: Logger;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #running = new Set<Promise<ExpiryOutcome>>();
  readonly #stop = new AbortController();
  readonly #batcher: TransactionBatcher<string, string>;
  #expired = 0;

  constructor(options: JanitorOptions) {
    this.#o = options;
    this.#log = (options.logger ?? silentLogger).child({ component: 'janitor' });
    const expiredIn = perTransaction((tx) => {
      const ids = new Set<string>();
      for (const e of tx.events) {
        const ev = decodeEvent(e, {});
        if (ev?.$kind === 'RequestExpired') ids.add(ev.requestId);
      }
      return ids;
    });
    this.#batcher = new TransactionBatcher<string, string>({
      executor: options.executor,
      call: (requestId) => calls.request.expire({ package: options.packageId, arguments: { request: requestId } }),
      sizeOf: () => CALL_OVERHEAD_BYTES,
      result: (requestId, tx) => {
        if (expiredIn(tx).has(requestId)) return tx.digest;
        throw new K3sDaasError('NO_EXPIRY_EVENT', `transaction ${tx.digest} did not expire ${requestId}`);
      },
    });
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now();
  }

  /** Requests waiting for their deadline, expiries under way, and requests this janitor expired. */
  get stats(): { scheduled: number; running: number; expired: number } {
    return { scheduled: this.#timers.size, running: this.#running.size, expired: this.#expired };
  }

  /** Expire `requestId` once `deadlineMs` has passed, unless it is forgotten (answered) first. */
  schedule(requestId: string, deadlineMs: number): void {
    if (this.#stop.signal.aborted || this.#timers.has(requestId)) return;
    const delay = Math.max(0, deadlineMs + (this.#o.graceMs ?? 1_000) - this.#now());
    const timer = setTimeout(() => {
      this.#timers.delete(requestId);
      void this.expire(requestId, deadlineMs);
    }, delay);
    timer.unref();
    this.#timers.set(requestId, timer);
  }

  /** The request was answered: nothing to expire. */
  forget(requestId: string): void {
    clearTimeout(this.#timers.get(requestId));
    this.#timers.delete(requestId);
  }

  /** Expires now (the deadline must have passed on chain), retrying until done or no longer possible. */
  expire(requestId: string, deadlineMs: number): Promise<ExpiryOutcome> {
    const p = this.#expire(requestId, deadlineMs);
    void p.then((outcome) => this.#o.onSettled?.(requestId, outcome));
    this.#running.add(p);
    void p.finally(() => this.#running.delete(p));
    return p;
  }

  async #expire(requestId: string, deadlineMs: number): Promise<ExpiryOutcome> {
    const signal = this.#stop.signal;
    const log = this.#log.child({ request: requestId });
    try {
      return await retry(
        async (attempt) => {
          try {
            const tx = await this.#batcher.submit(requestId);
            this.#expired++;
            log.info('expired unanswered request', { tx, attempt });
            this.#o.onExpired?.(requestId, tx);
            return 'expired' as const;
          } catch (err) {
            const early = err instanceof MoveAbortError && err.abortName === 'EDeadlineNotReached';
            if (!early) {
              const gone = await objectContent(this.#o.client, requestId, signal).then((o) => !o, () => false);
              if (gone) return 'gone' as const;
            }
            log.debug('expire failed, retrying', { error: err, attempt });
            throw new K3sDaasError('EXPIRE_FAILED', (err as Error).message, { retryable: true, cause: err });
          }
        },
        { signal, until: deadlineMs + (this.#o.giveUpAfterMs ?? 600_000), now: () => this.#now(), policy: this.#o.retryPolicy },
      );
    } catch (err) {
      if (signal.aborted) return 'stopped';
      log.warn('could not expire request', { error: err });
      return 'gave up';
    }
  }

  /** Resolves when no expiry is under way (scheduled ones may remain). */
  async idle(): Promise<void> {
    while (this.#running.size) await Promise.allSettled([...this.#running]);
  }

  async stop(): Promise<void> {
    this.#stop.abort(new K3sDaasError('SHUTTING_DOWN', 'janitor stopped'));
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    await this.idle();
  }
}
