/**
 * A pool of the signer's own SUI coins, one per transaction in flight, so one key can have several transactions
 * executing at once (a gateway or nautilus under load) without ever using an owned coin version twice. Each coin's
 * reference is updated from the effects of the transaction that used it; after an unclear failure it is re-read.
 */
import { Transaction } from '@mysten/sui/transactions';
import type { Signer } from '@mysten/sui/cryptography';
import type { ChainClient } from './client.js';

export interface GasCoin {
  objectId: string;
  version: string;
  digest: string;
}

/** What became of a gas coin after one transaction. */
export type Settle = { kind: 'untouched' } | { kind: 'executed'; version: string; digest: string } | { kind: 'unknown' };

export class GasPool {
  /** How long a coin whose transaction's fate is unknown is held back before being re-read. */
  quarantineMs = 30_000;
  #free: GasCoin[] = [];
  #waiters: Array<(c: GasCoin) => void> = [];

  private constructor(
    readonly client: ChainClient,
    readonly owner: string,
  ) {}

  /**
   * Makes sure `owner` has `size` coins of at least `minBalance` MIST (splitting its largest coin once if needed)
   * and returns a pool over them.
   */
  static async create(client: ChainClient, signer: Signer, size: number, minBalance: bigint): Promise<GasPool> {
    const owner = signer.toSuiAddress();
    const pool = new GasPool(client, owner);
    let coins = await pool.#coins(minBalance);
    if (coins.length < size) {
      const tx = new Transaction();
      tx.setSender(owner);
      const missing = size - coins.length;
      const parts = tx.splitCoins(tx.gas, Array.from({ length: missing }, () => minBalance));
      tx.transferObjects(Array.from({ length: missing }, (_, i) => parts[i]), owner);
      const res = await client.signAndExecuteTransaction({ transaction: tx, signer, include: { effects: true } });
      await client.waitForTransaction({ result: res });
      coins = await pool.#coins(minBalance);
    }
    pool.#free = coins.slice(0, size);
    return pool;
  }

  async #coins(minBalance: bigint): Promise<GasCoin[]> {
    const out: GasCoin[] = [];
    let cursor: string | null = null;
    do {
      const page: { objects: Array<GasCoin & { balance: string }>; hasNextPage: boolean; cursor: string | null } =
        await this.client.core.listCoins({ owner: this.owner, cursor });
      for (const c of page.objects) if (BigInt(c.balance) >= minBalance) out.push({ objectId: c.objectId, version: c.version, digest: c.digest });
      cursor = page.hasNextPage ? page.cursor : null;
    } while (cursor);
    return out;
  }

  get size(): number {
    return this.#free.length;
  }

  acquire(): Promise<GasCoin> {
    const c = this.#free.shift();
    if (c) return Promise.resolve(c);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /**
   * Returns a coin to the pool: unchanged if it was never used, at its new version after execution. When the outcome
   * is unknown (the transaction may still land), the coin is held back for a while and re-read: signing its old
   * version again could equivocate and lock it for the epoch on a real network.
   */
  settle(coin: GasCoin, outcome: Settle): void {
    if (outcome.kind === 'untouched') return this.#give(coin);
    if (outcome.kind === 'executed') return this.#give({ objectId: coin.objectId, version: outcome.version, digest: outcome.digest });
    setTimeout(() => {
      void this.client.core
        .getObjects({ objectIds: [coin.objectId] })
        .then((res) => {
          const obj = res.objects[0];
          if (obj && !(obj instanceof Error)) this.#give({ objectId: obj.objectId, version: obj.version, digest: obj.digest });
        })
        .catch(() => this.settle(coin, outcome));
    }, this.quarantineMs).unref();
  }

  #give(coin: GasCoin): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(coin);
    else this.#free.push(coin);
  }
}
