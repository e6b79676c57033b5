/**
 * Exclusive locks on owned objects (gas coins, SealTokens, caps) for one signer: a transaction holds every owned
 * object it uses for as long as it is in flight, so no two in-flight transactions of a key ever sign the same
 * object version (which on Sui equivocates and can lock the object until the end of the epoch).
 *
 * A request for several objects is registered in all their queues at once, in arrival order, so two requests can
 * never wait on each other (no deadlock) and each object is granted first come, first served.
 */
import { normalizeSuiAddress } from '@mysten/sui/utils';

export type Release = () => void;

interface Waiter {
  ids: string[];
  pending: number;
  grant: () => void;
}

export class ObjectLocks {
  /** Per object: the holder first, then those waiting, in arrival order. */
  readonly #queues = new Map<string, Waiter[]>();

  /** Objects currently held (by a transaction in flight or about to be). */
  isHeld(id: string): boolean {
    return this.#queues.has(normalizeSuiAddress(id));
  }

  get held(): string[] {
    return [...this.#queues.keys()];
  }

  /**
   * Resolves with a release function once every object in `ids` is held by the caller. Releasing twice is a no-op;
   * `release(id)` lets one object go early (e.g. an input that turned out to be shared).
   */
  acquire(ids: Iterable<string>, signal?: AbortSignal): Promise<Release & { only: (id: string) => void }> {
    const unique = [...new Set([...ids].map((id) => normalizeSuiAddress(id)))];
    return new Promise((resolve, reject) => {
      const held = new Set<string>();
      const releaseOne = (id: string) => {
        if (!held.delete(id)) return;
        const q = this.#queues.get(id)!;
        q.shift();
        if (q.length === 0) this.#queues.delete(id);
        else if (--q[0]!.pending === 0) q[0]!.grant();
      };
      const release = Object.assign(() => [...held].forEach(releaseOne), { only: (id: string) => releaseOne(normalizeSuiAddress(id)) });
      let granted = false;
      const waiter: Waiter = {
        ids: unique,
        pending: 0,
        grant: () => {
          granted = true;
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      const onAbort = () => {
        if (granted) return;
        // Leave every queue: where we were first in line (not yet granted as a whole), pass the object on.
        for (const id of unique) {
          const q = this.#queues.get(id);
          if (!q) continue;
          const i = q.indexOf(waiter);
          if (i < 0) continue;
          q.splice(i, 1);
          if (q.length === 0) this.#queues.delete(id);
          else if (i === 0 && --q[0]!.pending === 0) q[0]!.grant();
        }
        reject(signal!.reason ?? new Error('aborted'));
      };
      for (const id of unique) {
        const q = this.#queues.get(id);
        if (q) {
          q.push(waiter);
          waiter.pending++;
        } else this.#queues.set(id, [waiter]);
        held.add(id);
      }
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (waiter.pending === 0) waiter.grant();
    });
  }
}
