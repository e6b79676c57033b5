/**
 * Chain → lifecycle events for one package (and optionally one cluster). Events come gap-free from a ChainFollower
 * (ListEvents on the request, workers and access modules); rejections — submit transactions that aborted and so
 * emitted nothing — come from checkpoints read with their transactions and effects (SubscribeCheckpoints, and
 * GetCheckpoint to fill any checkpoint the stream skipped or that predates it).
 */
import type { SuiClientTypes } from '@mysten/sui/client';
import type { GrpcTypes } from '@mysten/sui/grpc';
import { ChainFollower, memoryCursorStore, type ChainClient } from '../core/chain/index.js';
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

/** The checkpoint fields a rejection needs. */
export const CHECKPOINT_READ_MASK = [
  'sequence_number',
  'transactions.digest',
  'transactions.transaction.sender',
  'transactions.transaction.kind',
  'transactions.effects.status',
  'transactions.checkpoint',
  'transactions.timestamp',
];

export interface ChainSourceOptions {
  client: ChainClient;
  packageId: string;
  /** Only this cluster's requests and workers. */
  clusterId?: string;
  /** `beginning`: replay the package's history first (default); `now`: only what happens from now on. */
  startAt?: 'beginning' | 'now';
  /** With `beginning`, how many checkpoints before the head are searched for rejections (default 2000). */
  rejectionBackfill?: number;
  /** Read checkpoints with their transactions to find rejections (default true; heavy on busy public networks). */
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

  constructor(options: ChainSourceOptions) {
    this.#o = options;
    this.#log = (options.logger ?? silentLogger).child({ component: 'watch' });
    const pkg = options.packageId;
    this.#follower = new ChainFollower({
      client: options.client,
      streams: ['request', 'workers', 'access', 'cluster'].map((m) => ({ name: m, filter: { emitModule: `${pkg}::${m}` } })),
      cursors: memoryCursorStore(),
      startAt: options.startAt ?? 'beginning',
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
        const decoded = decodeEvent(entry, { packageId: this.#o.packageId });
        const e = decoded && lifecycleFromEvent(decoded, { txDigest: entry.transactionDigest, checkpoint: entry.checkpoint }, this.#o.clusterId);
        if (e) batch.push(e);
      } catch (err) {
        this.#log.warn('undecodable event skipped', { type: entry.eventType, tx: entry.transactionDigest, error: err });
      }
    }
    this.#emit(batch);
  }

  #scanCheckpoint(cp: GrpcTypes.Checkpoint | undefined): void {
    if (!cp) return;
    const batch: LifecycleEvent[] = [];
    for (const tx of cp.transactions ?? []) {
      const e = rejectionFromTransaction(tx, this.#o.packageId, this.#o.clusterId);
      if (e) batch.push(e);
    }
    this.#emit(batch);
  }

  async #fetchCheckpoint(seq: bigint): Promise<GrpcTypes.Checkpoint | undefined> {
    const { response } = await this.#o.client.ledgerService.getCheckpoint(
      { checkpointId: { oneofKind: 'sequenceNumber', sequenceNumber: seq }, readMask: { paths: CHECKPOINT_READ_MASK } },
      { abort: this.#abort.signal },
    );
    return response.checkpoint;
  }

  /** Scans checkpoints `from`..`to` (inclusive), a few at a time, in order. */
  async #scanRange(from: bigint, to: bigint): Promise<void> {
    const PARALLEL = 8n;
    for (let start = from; start <= to && !this.#abort.signal.aborted; start += PARALLEL) {
      const seqs: bigint[] = [];
      for (let s = start; s < start + PARALLEL && s <= to; s++) seqs.push(s);
      const cps = await Promise.all(seqs.map((s) => this.#fetchCheckpoint(s)));
      cps.forEach((cp) => this.#scanCheckpoint(cp));
      this.#scanned = seqs[seqs.length - 1];
    }
  }

  async #scanRejections(): Promise<void> {
    const { client, backoff = { initialMs: 200, maxMs: 10_000 } } = this.#o;
    const signal = this.#abort.signal;
    let delay = backoff.initialMs;
    while (!signal.aborted) {
      try {
        if (this.#scanned === null) {
          const { response } = await client.ledgerService.getServiceInfo({}, { abort: signal });
          const head = response.checkpointHeight ?? 0n;
          const depth = BigInt(this.#o.rejectionBackfill ?? 2000);
          if ((this.#o.startAt ?? 'beginning') === 'beginning' && depth > 0n) {
            const from = head - depth + 1n > 0n ? head - depth + 1n : 0n;
            await this.#scanRange(from, head);
          }
          this.#scanned = head;
          this.#backfilled = true;
          this.#status();
        }
        const call = client.subscriptionService.subscribeCheckpoints({ readMask: { paths: CHECKPOINT_READ_MASK } }, { abort: signal });
        for await (const frame of call.responses) {
          delay = backoff.initialMs;
          const seq = frame.checkpoint?.sequenceNumber ?? frame.cursor;
          if (seq === undefined || seq <= this.#scanned!) continue;
          const last = frame.checkpoint ? seq - 1n : seq;
          if (last > this.#scanned!) await this.#scanRange(this.#scanned! + 1n, last);
          if (frame.checkpoint) {
            this.#scanCheckpoint(frame.checkpoint);
            this.#scanned = seq;
          }
          this.#status({ error: null });
        }
        if (signal.aborted) return;
        throw new Error('checkpoint stream ended');
      } catch (err) {
        if (signal.aborted) return;
        const wait = Math.round(delay / 2 + Math.random() * delay);
        this.#log.warn('checkpoint stream reconnecting', { error: (err as Error).message, retryInMs: wait });
        this.#status({ error: (err as Error).message });
        await sleep(wait, signal);
        delay = Math.min(delay * 2, backoff.maxMs);
      }
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
