/**
 * Runs items together and, when the whole fails for a reason one item may have caused (a Move abort, a size
 * limit), splits the batch in halves and runs each again, down to single items: good items still go through and a
 * bad one fails alone with its own error. Failures no item can cause (the chain unreachable) fail every item.
 */
import { fulfilled, rejected, type Settled } from './settled.js';

export interface BisectOptions<I, O> {
  /**
   * Runs two or more items as one; returns each item's outcome in order (an item whose result cannot be read is
   * its own failure, not the batch's: the batch ran and must not run again). A throw means nothing ran.
   */
  many: (items: I[]) => Promise<Array<Settled<O>>>;
  /** Runs a single item (it may differ from `many([item])`, e.g. to record a refusal). */
  one: (item: I) => Promise<O>;
  /** Whether a failure of `many` may be the fault of one of its items. */
  splittable: (err: unknown) => boolean;
  /** Told each time a batch is split (logs, metrics). */
  onSplit?: (size: number, err: unknown) => void;
}

export async function bisect<I, O>(items: I[], o: BisectOptions<I, O>): Promise<Array<Settled<O>>> {
  if (items.length === 0) return [];
  if (items.length === 1) {
    try {
      return [fulfilled(await o.one(items[0]))];
    } catch (err) {
      return [rejected(err)];
    }
  }
  try {
    return await o.many(items);
  } catch (err) {
    if (!o.splittable(err)) return items.map(() => rejected<O>(err));
    o.onSplit?.(items.length, err);
    const mid = Math.ceil(items.length / 2);
    const [a, b] = await Promise.all([bisect(items.slice(0, mid), o), bisect(items.slice(mid), o)]);
    return [...a, ...b];
  }
}
