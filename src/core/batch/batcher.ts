/**
 * An adaptive batching window: no added latency when idle (an item arriving while fewer than `maxInFlight`
 * batches run is sent at once, with whatever else is waiting), and items arriving while every slot is busy are
 * gathered into the next batch, up to `maxItems` items and `maxBytes` (by `sizeOf`). Each item's promise settles
 * with its own outcome from `run`.
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

  #pump(): void {
    while (this.#inFlight < this.#o.limits.maxInFlight && this.#waiting.length) {
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
