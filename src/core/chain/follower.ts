/**
 * Follows K3s-DaaS events on chain, gap-free and in order. SubscribeCheckpoints is the low-latency wake-up: each
 * checkpoint frame triggers a drain of ListEvents from the persisted cursor of every stream, so a lost frame or a
 * dropped connection costs latency, never an event. Reconnects back off exponentially with jitter, one log line each.
 */
import type { SuiClientTypes } from '@mysten/sui/client';
import { silentLogger, type Logger } from '../log.js';
import type { ChainClient } from './client.js';
import type { CursorStore } from './cursor-store.js';

export interface FollowStream {
  /** Name under which the cursor is stored, e.g. `request`. */
  name: string;
  filter: SuiClientTypes.EventFilter;
}

export interface ChainFollowerOptions {
  client: ChainClient;
  streams: FollowStream[];
  cursors: CursorStore;
  /** Called with each page of new events, in ledger order; the cursor advances only after it resolves. */
  onEvents: (stream: string, events: SuiClientTypes.EventEntry[]) => Promise<void> | void;
  /** Where to begin a stream that has no stored cursor. */
  startAt?: 'beginning' | 'now';
  logger?: Logger;
  backoff?: { initialMs: number; maxMs: number };
  /** A drain also runs this often without a checkpoint frame (belt and braces). */
  safetyPollMs?: number;
  pageSize?: number;
}

type ResolvedOptions = Required<Omit<ChainFollowerOptions, 'logger'>> & { logger: Logger };

export class ChainFollower {
  readonly #o: ResolvedOptions;
  #abort = new AbortController();
  #draining: Promise<void> | null = null;
  #again = false;
  #running: Promise<void> | null = null;
  #caughtUp = false;
  #caughtUpWaiters: Array<() => void> = [];
  #lastCheckpoint: bigint | null = null;
  #drainedThrough: bigint | null = null;
  #reconnects = 0;

  constructor(options: ChainFollowerOptions) {
    this.#o = {
      startAt: 'beginning',
      backoff: { initialMs: 200, maxMs: 10_000 },
      safetyPollMs: 5_000,
      pageSize: 50,
      logger: silentLogger,
      ...options,
    };
  }

  /** True once every stream has been drained up to the chain's head at least once. */
  get caughtUp(): boolean {
    return this.#caughtUp;
  }

  get lastCheckpoint(): bigint | null {
    return this.#lastCheckpoint;
  }

  get reconnects(): number {
    return this.#reconnects;
  }

  /**
   * Checkpoints the follower is behind: the newest checkpoint the node announced minus the newest one whose events
   * have been fully handed to `onEvents`. 0 when caught up (or before the first checkpoint frame).
   */
  get lagCheckpoints(): number {
    if (this.#lastCheckpoint === null) return 0;
    if (this.#drainedThrough === null) return Number(this.#lastCheckpoint);
    return Math.max(0, Number(this.#lastCheckpoint - this.#drainedThrough));
  }

  waitCaughtUp(): Promise<void> {
    if (this.#caughtUp) return Promise.resolve();
    return new Promise((resolve) => this.#caughtUpWaiters.push(resolve));
  }

  start(): this {
    if (!this.#running) this.#running = this.#run();
    return this;
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running?.catch(() => undefined);
    await this.#draining?.catch(() => undefined);
  }

  /** Drains now (coalescing concurrent calls); resolves when caught up with what the node had at call time. */
  poke(): Promise<void> {
    if (this.#draining) {
      this.#again = true;
      return this.#draining;
    }
    this.#draining = (async () => {
      try {
        do {
          this.#again = false;
          // Everything up to the checkpoint announced now is on the node; once drained, we are past it.
          const target = this.#lastCheckpoint;
          for (const stream of this.#o.streams) await this.#drain(stream);
          if (target !== null && (this.#drainedThrough === null || target > this.#drainedThrough)) this.#drainedThrough = target;
        } while (this.#again && !this.#abort.signal.aborted);
        if (!this.#caughtUp) {
          this.#caughtUp = true;
          this.#caughtUpWaiters.splice(0).forEach((w) => w());
        }
      } finally {
        this.#draining = null;
      }
    })();
    return this.#draining;
  }

  async #initialCursor(stream: FollowStream): Promise<string | null> {
    const stored = this.#o.cursors.get(stream.name);
    if (stored || this.#o.startAt === 'beginning') return stored;
    const latest = await this.#o.client.core.listEvents({ filter: stream.filter, order: 'descending', limit: 1 });
    const cursor = latest.startCursor ?? null;
    if (cursor) this.#o.cursors.set(stream.name, cursor);
    return cursor;
  }

  async #drain(stream: FollowStream): Promise<void> {
    let after = await this.#initialCursor(stream);
    for (;;) {
      if (this.#abort.signal.aborted) return;
      const page = await this.#o.client.core.listEvents({
        filter: stream.filter,
        after,
        limit: this.#o.pageSize,
        signal: this.#abort.signal,
      });
      if (page.events.length) await this.#o.onEvents(stream.name, page.events);
      if (page.endCursor) {
        after = page.endCursor;
        this.#o.cursors.set(stream.name, after);
      }
      if (!page.hasNextPage) return;
    }
  }

  async #run(): Promise<void> {
    const { logger, backoff } = this.#o;
    const signal = this.#abort.signal;
    const safety = setInterval(() => void this.poke().catch(() => undefined), this.#o.safetyPollMs);
    let delay = backoff.initialMs;
    try {
      while (!signal.aborted) {
        try {
          await this.poke();
          const call = this.#o.client.subscriptionService.subscribeCheckpoints(
            { readMask: { paths: ['sequence_number'] } },
            { abort: signal },
          );
          for await (const frame of call.responses) {
            delay = backoff.initialMs;
            const seq = frame.checkpoint?.sequenceNumber ?? frame.cursor;
            if (seq !== undefined && (this.#lastCheckpoint === null || seq > this.#lastCheckpoint)) {
              this.#lastCheckpoint = seq;
              if (frame.checkpoint) await this.poke();
            }
          }
          if (signal.aborted) return;
          throw new Error('checkpoint stream ended');
        } catch (err) {
          if (signal.aborted) return;
          this.#reconnects++;
          const wait = Math.round(delay / 2 + Math.random() * delay);
          logger.warn('chain follower reconnecting', { error: (err as Error).message, retryInMs: wait, attempt: this.#reconnects });
          await sleep(wait, signal);
          delay = Math.min(delay * 2, backoff.maxMs);
        }
      }
    } finally {
      clearInterval(safety);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}
