/**
 * The one event feed of k3sdaas (gateway tracker, nautilus, join-token issuer, watch), built for real fullnodes:
 * - ListEvents from a persisted cursor is the only source of events, so they come gap-free, in ledger order, and
 *   each exactly once (the cursor advances only after `onEvents` resolves);
 * - one filtered SubscribeEvents stream (the OR of every stream's filter) is the wake-up: an event frame triggers a
 *   drain; watermark-only frames just move the known tip. Subscriptions start at the tip and cannot resume, so on
 *   every (re)connect the gap is replayed with ListEvents from the stored cursor up to the position of the first
 *   frame, repeating while the index catches up;
 * - every QueryEnd reason is honoured: ITEM_LIMIT and SCAN_LIMIT continue from the last watermark (even when the
 *   page was empty), LEDGER_TIP / CHECKPOINT_BOUND / CURSOR_BOUND end the drain;
 * - a stream with no cursor starts at `startCheckpoint` (the cluster's creation checkpoint) or the tip, never at
 *   genesis; when history there is pruned (`lowest_available_checkpoint`) it starts at the lowest available
 *   checkpoint and says so;
 * - idle, it makes one ListEvents call per `safetyPollMs` (default 10 s) and nothing else (the stream's progress
 *   frames cost no call). Reconnects back off exponentially with jitter, one log line each.
 */
import type { SuiClientTypes } from '@mysten/sui/client';
import { fromBase64, toBase64 } from '@mysten/sui/utils';
import { silentLogger, type Logger } from '../log.js';
import type { ChainClient } from './client.js';
import type { CursorStore } from './cursor-store.js';
import { EVENT_READ_MASK, grpcEventFilter, listEventsPage, matches, type StreamFilter } from './event-query.js';

export interface FollowStream {
  /** Name under which the cursor is stored, e.g. `request`. */
  name: string;
  /** Prefer `eventType: '0xORIGINAL::module'`: event types keep the original package id across upgrades. */
  filter: StreamFilter | SuiClientTypes.EventFilter;
}

/** Timers the follower uses (injectable so tests can simulate hours of idling without waiting). */
export interface FollowerTimers {
  every(ms: number, fn: () => void): () => void;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface ChainFollowerOptions {
  client: ChainClient;
  streams: FollowStream[];
  cursors: CursorStore;
  /** Called with each page of new events of a stream, in ledger order; the cursor advances only after it resolves. */
  onEvents: (stream: string, events: SuiClientTypes.EventEntry[]) => Promise<void> | void;
  /**
   * Where to begin when no cursor is stored: `now` (the tip) or `beginning` (= `startCheckpoint`, or the lowest
   * available checkpoint). Default `beginning`.
   */
  startAt?: 'beginning' | 'now';
  /**
   * First checkpoint of interest, e.g. the cluster's creation checkpoint (with `startAt: 'beginning'`), or a function
   * finding it (see `creationCheckpoint`); undefined from it = the lowest available checkpoint.
   */
  startCheckpoint?: bigint | (() => Promise<bigint | undefined>);
  logger?: Logger;
  backoff?: { initialMs: number; maxMs: number };
  /** A drain also runs this often without a wake-up (belt and braces; the only call made while idle). */
  safetyPollMs?: number;
  pageSize?: number;
  timers?: FollowerTimers;
}

const realTimers: FollowerTimers = {
  every(ms, fn) {
    const t = setInterval(fn, ms);
    t.unref();
    return () => clearInterval(t);
  },
  sleep(ms, signal) {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  },
};

function toStreamFilter(f: FollowStream['filter']): StreamFilter {
  const any = f as Record<string, unknown>;
  if (typeof any.eventType === 'string') return { eventType: any.eventType };
  if (typeof any.emitModule === 'string') return { emitModule: any.emitModule };
  if (typeof any.sender === 'string') return { sender: any.sender };
  throw new Error(`unsupported event filter ${JSON.stringify(f)}`);
}

/** While the index catches up with a subscription's position: retries of a drain, and the pause between them. */
const CATCH_UP_TRIES = 20;
const CATCH_UP_PAUSE_MS = 100;

export class ChainFollower {
  readonly #o: Required<Omit<ChainFollowerOptions, 'logger' | 'startCheckpoint'>> & { logger: Logger; startCheckpoint?: ChainFollowerOptions['startCheckpoint'] };
  readonly #filters: StreamFilter[];
  readonly #filter: ReturnType<typeof grpcEventFilter>;
  /** Where the cursor of this feed is stored: the stream names joined (one stream: its own name, as before). */
  readonly #key: string;
  #abort = new AbortController();
  #draining: Promise<void> | null = null;
  #again = false;
  #running: Promise<void> | null = null;
  #caughtUp = false;
  #caughtUpWaiters: Array<() => void> = [];
  #lastCheckpoint: bigint | null = null;
  #drainedThrough: bigint | null = null;
  /** The checkpoint the newest subscription frame showed: a drain must reach it. */
  #wanted: bigint | null = null;
  #start: bigint | undefined;
  #initialised: Promise<void> | null = null;
  #reconnects = 0;
  #calls = { listEvents: 0, subscribe: 0, serviceInfo: 0 };

  constructor(options: ChainFollowerOptions) {
    this.#o = {
      startAt: 'beginning',
      backoff: { initialMs: 200, maxMs: 10_000 },
      safetyPollMs: 10_000,
      pageSize: 100,
      logger: silentLogger,
      timers: realTimers,
      ...(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as ChainFollowerOptions),
    };
    this.#filters = options.streams.map((s) => toStreamFilter(s.filter));
    this.#filter = grpcEventFilter(this.#filters);
    this.#key = options.streams.map((s) => s.name).join('+');
  }

  /** True once every stream has been drained up to the chain's head at least once. */
  get caughtUp(): boolean {
    return this.#caughtUp;
  }

  /** The newest checkpoint the node announced. */
  get lastCheckpoint(): bigint | null {
    return this.#lastCheckpoint;
  }

  get reconnects(): number {
    return this.#reconnects;
  }

  /** RPC calls made so far (what an operator pays a provider for; idle, only the safety poll). */
  get calls(): Readonly<{ listEvents: number; subscribe: number; serviceInfo: number }> {
    return this.#calls;
  }

  /**
   * Checkpoints the follower is behind: the newest checkpoint the node announced minus the newest one whose events
   * have all been handed to `onEvents`. Before the first drain it counts from where the feed starts.
   */
  get lagCheckpoints(): number {
    if (this.#lastCheckpoint === null) return 0;
    const through = this.#drainedThrough ?? (this.#start !== undefined ? this.#start - 1n : null);
    if (through === null) return 0;
    return Math.max(0, Number(this.#lastCheckpoint - through));
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
    // A file store writes behind: what this feed handed out is on disk before a restart reads it.
    await this.#o.cursors.flush?.().catch((err) => this.#o.logger.warn('storing the event cursor failed', { error: (err as Error).message }));
  }

  /** Drains now (coalescing concurrent calls); resolves when caught up with what the node had at call time. */
  poke(): Promise<void> {
    if (this.#draining) {
      this.#again = true;
      return this.#draining;
    }
    this.#draining = (async () => {
      try {
        await this.#init();
        do {
          this.#again = false;
          await this.#drainToTip();
        } while (this.#again && !this.#abort.signal.aborted);
        if (!this.#caughtUp && !this.#abort.signal.aborted) {
          this.#caughtUp = true;
          this.#caughtUpWaiters.splice(0).forEach((w) => w());
        }
      } finally {
        this.#draining = null;
      }
    })();
    return this.#draining;
  }

  /** Learns the tip and the pruning horizon once, and fixes where a feed without a cursor starts. */
  #init(): Promise<void> {
    this.#initialised ??= (async () => {
      this.#calls.serviceInfo++;
      const { response: info } = await this.#o.client.ledgerService.getServiceInfo({}, { abort: this.#abort.signal });
      const tip = info.checkpointHeight ?? 0n;
      const lowest = info.lowestAvailableCheckpoint ?? 0n;
      if (this.#lastCheckpoint === null || tip > this.#lastCheckpoint) this.#lastCheckpoint = tip;
      const stored = this.#o.cursors.get(this.#key);
      const storedAt = this.#o.cursors.get(`${this.#key}@checkpoint`);
      if (stored) {
        this.#start = storedAt ? BigInt(storedAt) + 1n : undefined;
        if (storedAt && BigInt(storedAt) + 1n < lowest) {
          this.#o.logger.warn('event history after the stored cursor is pruned on this node; resuming at its lowest available checkpoint (older events are only on an archival node)', {
            storedCheckpoint: storedAt,
            lowestAvailable: lowest.toString(),
          });
          this.#start = lowest;
          this.#resetCursor();
        }
        return;
      }
      const wanted = typeof this.#o.startCheckpoint === 'function' ? await this.#o.startCheckpoint() : this.#o.startCheckpoint;
      if (this.#o.startAt !== 'now' && wanted === undefined) {
        this.#o.logger.info('no start checkpoint known for this feed: following from the lowest available checkpoint', { lowestAvailable: lowest.toString() });
      }
      // 'now': from the tip's checkpoint on (a node may refuse a start beyond its tip).
      let start = this.#o.startAt === 'now' ? tip : (wanted ?? lowest);
      if (start < lowest) {
        this.#o.logger.warn('history before the lowest available checkpoint is pruned on this node: following from there (older events are only on an archival node)', {
          wanted: start.toString(),
          lowestAvailable: lowest.toString(),
        });
        start = lowest;
      }
      this.#start = start;
    })();
    this.#initialised.catch(() => (this.#initialised = null));
    return this.#initialised;
  }

  #resetCursor(): void {
    this.#save({ [this.#key]: '', [`${this.#key}@checkpoint`]: '' });
  }

  /** Stores the cursor and its checkpoint together (one write for a file store). */
  #save(cursors: Record<string, string>): void {
    const { cursors: store } = this.#o;
    if (store.setAll) store.setAll(cursors);
    else for (const [k, v] of Object.entries(cursors)) store.set(k, v);
  }

  /** ListEvents from the cursor until LEDGER_TIP (or a bound), and until the subscription's position is reached. */
  async #drainToTip(): Promise<void> {
    const signal = this.#abort.signal;
    for (let tries = 0; ; tries++) {
      const reached = await this.#drain();
      const wanted = this.#wanted;
      if (signal.aborted || wanted === null || (reached !== undefined && reached >= wanted) || tries >= CATCH_UP_TRIES) return;
      // The subscription showed a later checkpoint than the index has: let the index catch up.
      await this.#o.timers.sleep(CATCH_UP_PAUSE_MS, signal);
    }
  }

  async #drain(): Promise<bigint | undefined> {
    const signal = this.#abort.signal;
    let reached: bigint | undefined;
    for (;;) {
      if (signal.aborted) return reached;
      const stored = this.#o.cursors.get(this.#key);
      this.#calls.listEvents++;
      const page = await listEventsPage(this.#o.client, {
        filter: this.#filter,
        after: stored ? fromBase64(stored) : undefined,
        startCheckpoint: this.#start,
        limit: this.#o.pageSize,
        signal,
      });
      if (page.events.length) {
        const entries = page.events.map((e) => e.entry);
        for (const [i, stream] of this.#o.streams.entries()) {
          const mine = entries.filter((e) => matches(this.#filters[i]!, e));
          if (mine.length) await this.#o.onEvents(stream.name, mine);
        }
      }
      if (signal.aborted) return reached;
      const cursor = page.cursor ? toBase64(page.cursor) : undefined;
      const moved = cursor !== undefined && cursor !== stored;
      const save: Record<string, string> = {};
      if (moved) save[this.#key] = cursor;
      if (page.checkpoint !== undefined) save[`${this.#key}@checkpoint`] = page.checkpoint.toString();
      this.#save(save);
      if (page.checkpoint !== undefined) {
        reached = page.checkpoint;
        if (this.#drainedThrough === null || page.checkpoint > this.#drainedThrough) this.#drainedThrough = page.checkpoint;
        if (this.#lastCheckpoint === null || page.checkpoint > this.#lastCheckpoint) this.#lastCheckpoint = page.checkpoint;
      }
      // ITEM_LIMIT and SCAN_LIMIT: more may follow, from the last watermark (even after an empty page).
      const more = page.end === 'ITEM_LIMIT' || page.end === 'SCAN_LIMIT' || (page.end === 'NONE' && moved);
      if (!more) return reached;
      if (!moved && page.events.length === 0) return reached; // no progress: never spin
    }
  }

  async #run(): Promise<void> {
    const { logger, backoff } = this.#o;
    const signal = this.#abort.signal;
    const stopPoll = this.#o.timers.every(this.#o.safetyPollMs, () => void this.poke().catch(() => undefined));
    let delay = backoff.initialMs;
    // Replay from the stored cursor right away; the subscription's first frame then fixes how far it must reach.
    void this.poke().catch((err) => logger.warn('event replay failed', { error: (err as Error).message }));
    try {
      while (!signal.aborted) {
        try {
          this.#calls.subscribe++;
          const call = this.#o.client.subscriptionService.subscribeEvents(
            { readMask: { paths: ['event_type', 'checkpoint'] }, filter: this.#filter } as any,
            { abort: signal },
          );
          let first = true;
          for await (const frame of call.responses as AsyncIterable<any>) {
            delay = backoff.initialMs;
            const cp: bigint | undefined = frame.event?.checkpoint ?? frame.watermark?.checkpoint;
            if (cp !== undefined && (this.#lastCheckpoint === null || cp > this.#lastCheckpoint)) this.#lastCheckpoint = cp;
            if (first) {
              // The stream's start is fixed: replay the gap from the stored cursor up to it.
              first = false;
              if (cp !== undefined) this.#wanted = cp;
              void this.poke().catch((err) => logger.warn('event replay failed', { error: (err as Error).message }));
              continue;
            }
            if (frame.event) {
              if (cp !== undefined) this.#wanted = cp;
              void this.poke().catch((err) => logger.warn('event drain failed', { error: (err as Error).message }));
            } else if (cp !== undefined && this.#caughtUp && !this.#draining && this.#drainedThrough !== null && this.#wanted !== null && this.#drainedThrough >= this.#wanted) {
              // Nothing matched up to this checkpoint and everything before it was drained: we are there too.
              if (cp > this.#drainedThrough) this.#drainedThrough = cp;
            }
          }
          if (signal.aborted) return;
          throw new Error('event subscription ended');
        } catch (err) {
          if (signal.aborted) return;
          this.#reconnects++;
          const wait = Math.round(delay / 2 + Math.random() * delay);
          logger.warn('chain follower reconnecting', { error: (err as Error).message, retryInMs: wait, attempt: this.#reconnects });
          await this.#o.timers.sleep(wait, signal);
          delay = Math.min(delay * 2, backoff.maxMs);
        }
      }
    } finally {
      stopPoll();
    }
  }
}

export { EVENT_READ_MASK };
