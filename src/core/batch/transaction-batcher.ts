/**
 * Many Move calls of one signer in one programmable transaction, on top of the TransactionExecutor: an adaptive
 * Batcher gathers calls while the signer's transactions are in flight, bisect keeps a refused call from sinking
 * the others, and `result` reads each call's own outcome (its event) back from the executed transaction.
 *
 * Sui's limits per transaction: 1,024 commands, 2,048 inputs, 128 KiB. A call here is a Move call plus at most a
 * MakeMoveVec and about ten inputs, so 128 calls stay far inside the command and input limits; `sizeOf` estimates
 * a call's bytes and batches stop at 96 KiB, leaving room for the rest of the transaction. An over-limit batch is
 * refused by the chain before it runs and bisected like any refusal.
 */
import type { Transaction } from '@mysten/sui/transactions';
import type { ExecuteOptions, ExecutedTransaction, TransactionExecutor } from '../chain/executor.js';
import { ChainError, MoveAbortError } from '../errors.js';
import { Batcher, type BatchLimits } from './batcher.js';
import { bisect } from './bisect.js';
import { fulfilled, rejected } from './settled.js';

export const SUI_TRANSACTION_LIMITS = { maxCommands: 1_024, maxInputs: 2_048, maxTxBytes: 128 * 1024 } as const;

export const DEFAULT_CALL_LIMITS = { maxItems: 128, maxBytes: 96 * 1024 } as const;

/** Bytes a Move call adds to a transaction besides its large arguments (object refs, small pure inputs, command). */
export const CALL_OVERHEAD_BYTES = 512;

/**
 * The batching window under load: a tenth of how long this signer's transactions take to execute (a moving
 * average), at most 50 ms. A transaction mostly waits for its checkpoint, so gathering for a tenth of that costs
 * little latency and turns a burst of calls into one transaction instead of one per free gas coin; on a chain that
 * answers in milliseconds the window shrinks with it. Idle, there is no window at all (see Batcher).
 */
export const WINDOW_SHARE = 0.1;
export const MAX_WINDOW_MS = 50;

export interface TransactionBatcherOptions<I, O> {
  executor: TransactionExecutor;
  /** The Move call(s) of one item (builders from core/calls). */
  call: (item: I) => (tx: Transaction) => void;
  /** Reads an item's own outcome from the transaction it ran in; throws when the transaction holds none. */
  result: (item: I, tx: ExecutedTransaction) => O;
  /** Estimated bytes of the item's call in the transaction. */
  sizeOf: (item: I) => number;
  /** How a single item is executed (e.g. `recordAborts`, or per item); batches of several are only simulated when refused. */
  single?: ExecuteOptions | ((item: I) => ExecuteOptions);
  limits?: Partial<BatchLimits>;
  onSplit?: (size: number, err: unknown) => void;
  /** The window under load (ms); default: WINDOW_SHARE of the average transaction time, at most MAX_WINDOW_MS. */
  window?: () => number;
}

/** A failure one call may have caused: a Move abort, or any refusal that is not the chain being unreachable. */
export function callMayBeAtFault(err: unknown): boolean {
  if (err instanceof MoveAbortError) return true;
  return err instanceof ChainError && !err.retryable;
}

/**
 * Memoizes `index(tx)` per executed transaction, so reading each of a batch's results decodes its events once
 * (not once per call): `result: (item, tx) => byKey(tx).get(item.key)`.
 */
export function perTransaction<T>(index: (tx: ExecutedTransaction) => T): (tx: ExecutedTransaction) => T {
  const cache = new WeakMap<ExecutedTransaction, T>();
  return (tx) => {
    let v = cache.get(tx);
    if (v === undefined) cache.set(tx, (v = index(tx)));
    return v;
  };
}

export class TransactionBatcher<I, O> {
  readonly #batcher: Batcher<I, O>;
  /** Moving average of how long a transaction of this batcher takes (ms), for the window. */
  #txMs = 0;

  constructor(readonly o: TransactionBatcherOptions<I, O>) {
    const timed = async <T>(p: () => Promise<T>): Promise<T> => {
      const t = performance.now();
      try {
        return await p();
      } finally {
        const ms = performance.now() - t;
        this.#txMs = this.#txMs === 0 ? ms : 0.8 * this.#txMs + 0.2 * ms;
      }
    };
    const read = (item: I, tx: ExecutedTransaction) => {
      try {
        return fulfilled(o.result(item, tx));
      } catch (err) {
        return rejected<O>(err);
      }
    };
    this.#batcher = new Batcher<I, O>({
      limits: {
        ...DEFAULT_CALL_LIMITS,
        ...o.limits,
        // One batch per gas coin, read each time (the executor's pool may be set up after this batcher).
        get maxInFlight() {
          return o.limits?.maxInFlight ?? o.executor.concurrency;
        },
      },
      sizeOf: o.sizeOf,
      window: o.window ?? (() => Math.min(MAX_WINDOW_MS, WINDOW_SHARE * this.#txMs)),
      run: (items) =>
        bisect(items, {
          many: async (batch) => {
            const tx = await timed(() => o.executor.execute((t) => batch.forEach((item) => o.call(item)(t))));
            return batch.map((item) => read(item, tx));
          },
          one: async (item) => o.result(item, await timed(() => o.executor.execute(o.call(item), typeof o.single === 'function' ? o.single(item) : o.single))),
          splittable: callMayBeAtFault,
          onSplit: o.onSplit,
        }),
    });
  }

  /** Executes the item's call, batched with whatever else is waiting; resolves with its own result. */
  submit(item: I): Promise<O> {
    return this.#batcher.submit(item);
  }

  get stats() {
    return this.#batcher.stats;
  }

  /** The window a batch waits under load right now (ms). */
  get windowMs(): number {
    return this.o.window?.() ?? Math.min(MAX_WINDOW_MS, WINDOW_SHARE * this.#txMs);
  }
}
