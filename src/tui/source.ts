/**
 * Chain → lifecycle events for one package (and optionally one cluster). Events come gap-free from the ChainFollower
 * (event types of the request, workers and access modules, from the cluster's creation checkpoint); rejections —
 * submit transactions that aborted and so emitted nothing — come from the node's transaction index, filtered by
 * the server to calls of the package's `request` module: ListTransactions from the same start (paged by QueryEnd
 * reasons), and a filtered SubscribeTransactions as the wake-up. No checkpoint is downloaded whole.
 */
import type { SuiClientTypes } from '@mysten/sui/client';
import { GrpcTypes } from '@mysten/sui/grpc';
import { ChainFollower, creationCheckpoint, memoryCursorStore, type ChainClient } from '../core/chain/index.js';
import { decodeEvent } from '../core/events/index.js';
import { silentLogger, type Logger } from '../core/log.js';
import { lifecycleFromEvent, rejectionFromTransaction } from './chain-events.js';
import type { FeedStatus, LifecycleEvent } from './lifecycle.js';

export interface FeedListener {
  events(batch: LifecycleEvent[]): void;
  status?(status: Partial<FeedStatus>): void;
}

/** Anything that reports lifecycle events: the chain, or a script in tests. */
export interface LifecycleFeed {
  subscribe(listener: FeedListener): () => void;
}

/** The transaction fields a rejection needs. */
export const TRANSACTION_READ_MASK = ['digest', 'transaction.sender', 'transaction.kind', 'effects.status', 'checkpoint', 'timestamp'];

/** A drain of the transaction index also runs this often without a wake-up. */
const SAFETY_POLL_MS = 10_000;

export interface ChainSourceOptions {
  client: ChainClient;
  packageId: string;
  /** Only this cluster's requests and workers. */
  clusterId?: string;
  /** `beginning`: replay the package's history first (default); `now`: only what happens from now on. */
  startAt?: 'beginning' | 'now';
  /** The package's ORIGINAL id (event types keep it across upgrades; default packageId). */
  originalPackageId?: string;
  /** Find rejections (failed submits) in the node's filtered transaction index (default true). */
  rejections?: boolean;
  logger?: Logger;
  backoff?: { initialMs: number; maxMs: number };
}

export class ChainLifecycleSource implements LifecycleFeed {
  readonly #o: ChainSourceOptions;
  readonly #log: Logger;
  readonly #listeners = new Set<FeedListener>();
  readonly #abort = new AbortController();
  readonly #follower: ChainFollower;
  #scanned: bigint | null = null;
  #scanner: Promise<void> | null = null;
  #backfilled = false;
  #txCursor: Uint8Array | undefined;
  #txDrain: Promise<void> | null = null;
  #txAgain = false;
  #start: Promise<bigint | undefined> | null = null;

  constructor(options: ChainSourceOptions) {
    this.#o = options;
    this.#log = (options.logger ?? silentLogger).child({ component: 'watch' });
    const original = options.originalPackageId ?? options.packageId;
    this.#follower = new ChainFollower({
      client: options.client,
      streams: ['request', 'workers', 'access', 'cluster'].map((m) => ({ name: m, filter: { eventType: `${original}::${m}` } })),
      cursors: memoryCursorStore(),
      startAt: options.startAt ?? 'beginning',
      startCheckpoint: () => this.#startCheckpoint(),
      logger: this.#log,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      onEvents: (_stream, events) => this.#onEvents(events),
    });
  }

  subscribe(listener: FeedListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  start(): this {
    if (this.#scanner) return this;
    this.#follower.start();
    void this.#follower.waitCaughtUp().then(() => this.#status());
    if (this.#o.rejections === false) {
      this.#backfilled = true;
      this.#scanner = Promise.resolve();
    } else this.#scanner = this.#scanRejections();
    return this;
  }

  /** Resolves once history (events and backfilled rejections) has been delivered. */
  async waitCaughtUp(): Promise<void> {
    await this.#follower.waitCaughtUp();
    while (!this.#backfilled && !this.#abort.signal.aborted) await sleep(20, this.#abort.signal);
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#follower.stop();
    await this.#scanner?.catch(() => undefined);
  }

  /** Every lifecycle event as it arrives, until `stop()`. */
  async *[Symbol.asyncIterator](): AsyncGenerator<LifecycleEvent> {
    const queue: LifecycleEvent[] = [];
    let wake: (() => void) | null = null;
    const off = this.subscribe({ events: (batch) => (queue.push(...batch), wake?.()) });
    const onAbort = () => wake?.();
    this.#abort.signal.addEventListener('abort', onAbort);
    try {
      for (;;) {
        while (queue.length) yield queue.shift()!;
        if (this.#abort.signal.aborted) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    } finally {
      off();
      this.#abort.signal.removeEventListener('abort', onAbort);
    }
  }

  #emit(batch: LifecycleEvent[]): void {
    if (batch.length) for (const l of this.#listeners) l.events(batch);
  }

  #status(extra: Partial<FeedStatus> = {}): void {
    const cp = this.#follower.lastCheckpoint ?? this.#scanned;
    const status: Partial<FeedStatus> = {
      caughtUp: this.#follower.caughtUp && this.#backfilled,
      ...(cp !== null ? { checkpoint: cp.toString() } : {}),
      ...extra,
    };
    for (const l of this.#listeners) l.status?.(status);
  }

  #onEvents(events: SuiClientTypes.EventEntry[]): void {
    const batch: LifecycleEvent[] = [];
    for (const entry of events) {
      try {
        const decoded = decodeEvent(entry, { packageId: this.#o.originalPackageId ?? this.#o.packageId });
        const e = decoded && lifecycleFromEvent(decoded, { txDigest: entry.transactionDigest, checkpoint: entry.checkpoint }, this.#o.clusterId);
        if (e) batch.push(e);
      } catch (err) {
        this.#log.warn('undecodable event skipped', { type: entry.eventType, tx: entry.transactionDigest, error: err });
      }
    }
    this.#emit(batch);
  }

  /** Where history starts: the cluster's creation checkpoint (undefined: the node's lowest available). */
  #startCheckpoint(): Promise<bigint | undefined> {
    this.#start ??= this.#o.clusterId ? creationCheckpoint(this.#o.client, this.#o.clusterId, this.#abort.signal) : Promise.resolve(undefined);
    return this.#start;
  }

  #scanTransaction(tx: GrpcTypes.ExecutedTransaction): void {
    const e = rejectionFromTransaction(tx, this.#o.packageId, this.#o.clusterId);
    if (e) this.#emit([e]);
    if (tx.checkpoint !== undefined && (this.#scanned === null || tx.checkpoint > this.#scanned)) this.#scanned = tx.checkpoint;
  }

  /** The server-side filter: transactions calling the package's `request` module (latest and original id). */
  #txFilter() {
    const ids = [...new Set([this.#o.packageId, this.#o.originalPackageId ?? this.#o.packageId])];
    return { terms: ids.map((id) => ({ literals: [{ negated: false, predicate: { oneofKind: 'moveCall' as const, moveCall: { function: `${id}::request` } } }] })) };
  }

  /** ListTransactions from the cursor (or the start) until LEDGER_TIP; SCAN_LIMIT and ITEM_LIMIT continue. */
  #drainTransactions(): Promise<void> {
    if (this.#txDrain) {
      this.#txAgain = true;
      return this.#txDrain;
    }
    this.#txDrain = (async () => {
      const signal = this.#abort.signal;
      try {
        do {
          this.#txAgain = false;
          for (;;) {
            if (signal.aborted) return;
            let start: bigint | undefined;
            if (!this.#txCursor) {
              if ((this.#o.startAt ?? 'beginning') === 'now') {
                const { response } = await this.#o.client.ledgerService.getServiceInfo({}, { abort: signal });
                start = response.checkpointHeight ?? 0n;
              } else {
                const { response } = await this.#o.client.ledgerService.getServiceInfo({}, { abort: signal });
                const lowest = response.lowestAvailableCheckpoint ?? 0n;
                const wanted = await this.#startCheckpoint();
                start = wanted === undefined || wanted < lowest ? lowest : wanted;
              }
            }
            const call = this.#o.client.ledgerService.listTransactions(
              {
                readMask: { paths: TRANSACTION_READ_MASK },
                filter: this.#txFilter(),
                ...(this.#txCursor ? {} : { startCheckpoint: start }),
                options: { limit: 100, ...(this.#txCursor ? { after: this.#txCursor } : {}) },
              } as any,
              { abort: signal },
            );
            let end: number | undefined;
            let moved = false;
            for await (const frame of call.responses as AsyncIterable<any>) {
              if (frame.transaction) this.#scanTransaction(frame.transaction);
              if (frame.watermark?.cursor?.length) {
                this.#txCursor = frame.watermark.cursor;
                moved = true;
              }
              if (frame.watermark?.checkpoint !== undefined && (this.#scanned === null || frame.watermark.checkpoint > this.#scanned)) this.#scanned = frame.watermark.checkpoint;
              if (frame.end) end = frame.end.reason;
            }
            const more = end === GrpcTypes.QueryEndReason.ITEM_LIMIT || end === GrpcTypes.QueryEndReason.SCAN_LIMIT;
            if (!more || !moved) break;
          }
        } while (this.#txAgain && !signal.aborted);
      } finally {
        this.#txDrain = null;
      }
    })();
    return this.#txDrain;
  }

  async #scanRejections(): Promise<void> {
    const { client, backoff = { initialMs: 200, maxMs: 10_000 } } = this.#o;
    const signal = this.#abort.signal;
    let delay = backoff.initialMs;
    const poll = setInterval(() => void this.#drainTransactions().catch(() => undefined), SAFETY_POLL_MS);
    poll.unref();
    try {
      while (!signal.aborted) {
        try {
          const call = client.subscriptionService.subscribeTransactions({ readMask: { paths: ['digest', 'checkpoint'] }, filter: this.#txFilter() } as any, { abort: signal });
          let first = true;
          for await (const frame of call.responses as AsyncIterable<any>) {
            delay = backoff.initialMs;
            // The first frame fixes the stream's start: replay everything up to it; later matches wake a drain.
            if (first || frame.transaction) {
              const initial = first;
              first = false;
              await this.#drainTransactions();
              if (initial && !this.#backfilled) {
                this.#backfilled = true;
                this.#status();
              }
            }
            this.#status({ error: null });
          }
          if (signal.aborted) return;
          throw new Error('transaction stream ended');
        } catch (err) {
          if (signal.aborted) return;
          const wait = Math.round(delay / 2 + Math.random() * delay);
          this.#log.warn('transaction stream reconnecting', { error: (err as Error).message, retryInMs: wait });
          this.#status({ error: (err as Error).message });
          await sleep(wait, signal);
          delay = Math.min(delay * 2, backoff.maxMs);
        }
      }
    } finally {
      clearInterval(poll);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}
