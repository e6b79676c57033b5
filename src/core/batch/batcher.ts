/**
 * An adaptive batching window: no added latency when idle (an item arriving while no batch runs is sent at once,
 * with whatever else is waiting), and items arriving while every slot is busy are gathered into the next batch, up
 * to `maxItems` items and `maxBytes` (by `sizeOf`). With a `window`, a free slot while other batches are still in
 * flight (the system is busy, not idle) waits that long for more items before it sends, unless the batch is full
 * already: under load, bursts (a checkpoint's worth of events answered at once) go in one batch instead of one per
 * free slot. Each item's promise settles with its own outcome from `run`.
 */
import { rejected, type Settled } from './settled.js';

export interface BatchLimits {
  /** Batches running at once (for transactions: the signer's gas coins). */
  maxInFlight: number;
  /** Items per batch. */
  maxItems: number;
  /** Total `sizeOf` per batch; an item larger than this goes alone. */
  maxBytes: number;
}

export interface BatcherOptions<I, O> {
  /** Runs one batch; returns one outcome per item, in order. A throw settles every item with that error. */
  run: (items: I[]) => Promise<Array<Settled<O>>>;
  limits: BatchLimits;
  sizeOf?: (item: I) => number;
  /** How long a batch may wait for more items while others are in flight (ms, read each time); default 0. */
  window?: () => number;
  /** Injectable for tests. */
  timers?: { setTimeout: (fn: () => void, ms: number) => unknown; clearTimeout: (t: unknown) => void };
}

interface Waiting<I, O> {
  item: I;
  size: number;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

export class Batcher<I, O> {
  readonly #o: BatcherOptions<I, O>;
  #waiting: Array<Waiting<I, O>> = [];
  #inFlight = 0;
  #batches = 0;
  #items = 0;
  /** The pending window's timer; when it fires the waiting items go whatever else is in flight. */
  #windowTimer: unknown = undefined;
  #windowOver = false;

  constructor(options: BatcherOptions<I, O>) {
    if (options.limits.maxInFlight < 1 || options.limits.maxItems < 1) throw new RangeError('batch limits must be at least 1');
    this.#o = options;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#waiting.push({ item, size: this.#o.sizeOf?.(item) ?? 0, resolve, reject });
      this.#pump();
    });
  }

  /** Items waiting for a slot, batches running, and how many batches and items have been run. */
  get stats(): { waiting: number; inFlight: number; batches: number; items: number } {
    return { waiting: this.#waiting.length, inFlight: this.#inFlight, batches: this.#batches, items: this.#items };
  }

  #take(): Array<Waiting<I, O>> {
    const { maxItems, maxBytes } = this.#o.limits;
    let bytes = 0;
    let n = 0;
    while (n < this.#waiting.length && n < maxItems) {
      const size = this.#waiting[n].size;
      if (n > 0 && bytes + size > maxBytes) break;
      bytes += size;
      n++;
    }
    return this.#waiting.splice(0, n);
  }

  /** Whether the waiting items already fill a batch (nothing to wait for). */
  #full(): boolean {
    const { maxItems, maxBytes } = this.#o.limits;
    if (this.#waiting.length >= maxItems) return true;
    let bytes = 0;
    for (const w of this.#waiting) if ((bytes += w.size) >= maxBytes) return true;
    return false;
  }

  /** True when the next batch should wait for more items (busy, not full, window open); arms the window's timer. */
  #linger(): boolean {
    if (this.#windowOver || this.#inFlight === 0 || this.#full()) return false;
    const ms = this.#o.window?.() ?? 0;
    if (ms <= 0) return false;
    if (this.#windowTimer === undefined) {
      const timers = this.#o.timers ?? { setTimeout, clearTimeout: (t: unknown) => clearTimeout(t as NodeJS.Timeout) };
      this.#windowTimer = timers.setTimeout(() => {
        this.#windowTimer = undefined;
        this.#windowOver = true;
        this.#pump();
      }, ms);
    }
    return true;
  }

  #pump(): void {
    while (this.#inFlight < this.#o.limits.maxInFlight && this.#waiting.length) {
      if (this.#linger()) return;
      if (this.#windowTimer !== undefined) {
        (this.#o.timers ?? { clearTimeout: (t: unknown) => clearTimeout(t as NodeJS.Timeout) }).clearTimeout(this.#windowTimer);
        this.#windowTimer = undefined;
      }
      this.#windowOver = false;
      const batch = this.#take();
      this.#inFlight++;
      this.#batches++;
      this.#items += batch.length;
      void this.#runBatch(batch).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  async #runBatch(batch: Array<Waiting<I, O>>): Promise<void> {
    let outcomes: Array<Settled<O>>;
    try {
      outcomes = await this.#o.run(batch.map((w) => w.item));
    } catch (err) {
      outcomes = batch.map(() => rejected<O>(err));
    }
    batch.forEach((w, i) => {
      const o = outcomes[i] ?? rejected<O>(new Error('the batch returned no outcome for this item'));
      if (o.ok) w.resolve(o.value);
      else w.reject(o.error);
    });
  }
}
