/**
 * On-chain heartbeats: `workers::heartbeat` every third of the cluster's heartbeat timeout, so one or two lost
 * beats never get a live worker marked inactive. A failed beat is retried at the next tick; an `EInactive` abort
 * means the cluster already marked this worker inactive, and ends the loop.
 */
import type { TransactionExecutor } from '../core/chain/index.js';
import { MoveAbortError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/log.js';
import { sendHeartbeat } from './chain.js';

export interface HeartbeatOptions {
  executor: TransactionExecutor;
  packageId: string;
  workerId: string;
  /** `cluster.heartbeat_timeout_ms`; beats go out every third of it. */
  heartbeatTimeoutMs: bigint | number;
  logger?: Logger;
  onBeat?: (timestampMs: bigint) => void;
  /** The chain refused a beat because the worker is inactive; the loop has stopped. */
  onInactive?: () => void;
}

export function heartbeatInterval(heartbeatTimeoutMs: bigint | number): number {
  return Math.max(250, Math.floor(Number(heartbeatTimeoutMs) / 3));
}

export class HeartbeatLoop {
  readonly #o: HeartbeatOptions;
  readonly #log: Logger;
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | null = null;
  #inflight: Promise<void> | null = null;
  #beats = 0;
  #failures = 0;
  #last: bigint | null = null;

  constructor(options: HeartbeatOptions) {
    this.#o = options;
    this.#log = (options.logger ?? silentLogger).child({ component: 'heartbeat', worker: options.workerId });
  }

  get intervalMs(): number {
    return heartbeatInterval(this.#o.heartbeatTimeoutMs);
  }
  get beats(): number {
    return this.#beats;
  }
  get lastBeatMs(): bigint | null {
    return this.#last;
  }

  start(): this {
    this.#schedule();
    return this;
  }

  #schedule(): void {
    if (this.#abort.signal.aborted) return;
    this.#timer = setTimeout(() => {
      this.#inflight = this.beat().finally(() => {
        this.#inflight = null;
        this.#schedule();
      });
    }, this.intervalMs);
  }

  /** Sends one heartbeat now. */
  async beat(): Promise<void> {
    try {
      const ev = await sendHeartbeat(this.#o.executor, this.#o.packageId, this.#o.workerId, this.#abort.signal);
      this.#beats++;
      this.#failures = 0;
      this.#last = ev.timestampMs;
      this.#o.onBeat?.(ev.timestampMs);
    } catch (err) {
      if (this.#abort.signal.aborted) return;
      if (err instanceof MoveAbortError && err.abortName === 'EInactive') {
        this.#log.error('the cluster marked this worker inactive (heartbeats missed); leave and join again');
        this.stop();
        this.#o.onInactive?.();
        return;
      }
      this.#failures++;
      this.#log.warn('heartbeat failed; retrying at the next tick', { error: err, failures: this.#failures });
    }
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    if (this.#timer) clearTimeout(this.#timer);
    await this.#inflight?.catch(() => undefined);
  }
}
