/**
 * The signer's gas: a pool of its own SUI coins, one per transaction in flight, kept healthy for as long as the
 * process runs. Each coin's reference AND balance are tracked from the effects of the transaction that used it;
 * a coin that falls below `minBalance` leaves the pool as dust; when the pool has fewer usable coins than `size`
 * (or a transaction needs a bigger coin than any it holds) one maintenance transaction merges the dust and the
 * account's other coins and splits fresh coins of `coinBalance` (and the big one asked for). Every coin a
 * maintenance transaction touches is locked like any other owned object, so maintenance never races a
 * transaction of the same key.
 */
import { Transaction } from '@mysten/sui/transactions';
import type { Signer } from '@mysten/sui/cryptography';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import type { SuiClientTypes } from '@mysten/sui/client';
import { ChainError, transportFailure } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { ChainClient } from './client.js';
import type { ObjectLocks } from './object-locks.js';

export interface GasCoin {
  objectId: string;
  version: string;
  digest: string;
}

export interface PooledCoin extends GasCoin {
  /** MIST, as of the last effects seen (or read). */
  balance: bigint;
}

/** What became of a gas coin after one transaction. */
export type Settle =
  | { kind: 'untouched' }
  /** Executed (successfully or not): its new reference, and its balance when the effects tell it. */
  | { kind: 'executed'; version: string; digest: string; balance?: bigint }
  | { kind: 'unknown' }
  /** The node says the coin's version is old (another process spent it): never signed at a new version, re-read now. */
  | { kind: 'stale' };

export interface GasPoolOptions {
  /** Coins in the pool (= transactions of this key in flight at once). Default 1. */
  size?: number;
  /** Balance of each fresh pool coin. Default 0.5 SUI. */
  coinBalance?: bigint;
  /** A coin below this leaves the pool (merged into the next refill). Default 50,000,000 MIST (0.05 SUI). */
  minBalance?: bigint;
  /** How long a coin whose transaction's fate is unknown is held back before being re-read. Default 30 s. */
  quarantineMs?: number;
  logger?: Logger;
}

export interface GasPoolHealth {
  size: number;
  /** Pool coins free and in use. */
  coins: number;
  free: number;
  inUse: number;
  quarantined: number;
  /** Lowest balance of a pool coin (MIST). */
  lowest: bigint;
  /** Sum of pool coins (MIST). */
  pooled: bigint;
  refills: number;
  /** Coins merged by maintenance (dust and account coins). */
  merged: number;
}

/** Most coins one transaction may pay with (Sui's max_gas_payment_objects is 256). */
const MAX_PAYMENT = 200;
/** Merged-away coin ids remembered (a lagging index may still list them). */
const GONE_MAX = 1_024;
/** Gas budget of a maintenance transaction (merge + splits + transfers; its real cost is far lower). */
const MAINTENANCE_BUDGET = 50_000_000n;

/** Net gas a transaction charged its gas coin (computation + storage − rebate), from the SDK's effects. */
export function gasCharged(effects: SuiClientTypes.TransactionEffects | undefined | null): bigint | undefined {
  const g = effects?.gasUsed;
  if (!g) return undefined;
  return BigInt(g.computationCost) + BigInt(g.storageCost) - BigInt(g.storageRebate);
}

export class GasPool {
  size: number;
  readonly coinBalance: bigint;
  readonly minBalance: bigint;
  quarantineMs: number;
  readonly owner: string;
  #free: PooledCoin[] = [];
  #inUse = new Map<string, PooledCoin>();
  #quarantined = new Set<string>();
  /** Coins that left the pool (dust) and the maintenance transaction's remainder: merged into the next refill. */
  #spare = new Map<string, PooledCoin>();
  #waiters: Array<{ min: bigint; resolve: (c: PooledCoin) => void; reject: (e: unknown) => void }> = [];
  #maintaining: Promise<void> | null = null;
  /** Maintenance was asked for while a refill ran: run once more after it (settled() waits for that one too). */
  #maintainAgain = false;
  #refills = 0;
  #lastError: Error | null = null;
  /** Coins our own refills merged away: a lagging index may still list them. */
  readonly #gone = new Set<string>();
  #merged = 0;
  #gasPrice: bigint | null = null;
  readonly #log: Logger;

  constructor(
    readonly client: ChainClient,
    readonly signer: Signer,
    readonly locks: ObjectLocks,
    options: GasPoolOptions = {},
  ) {
    this.owner = normalizeSuiAddress(signer.toSuiAddress());
    this.size = Math.max(1, options.size ?? 1);
    this.coinBalance = options.coinBalance ?? 500_000_000n;
    this.minBalance = options.minBalance ?? 50_000_000n;
    if (this.coinBalance < this.minBalance) throw new ChainError('GAS_POOL_CONFIG', 'gas pool coinBalance must be at least minBalance');
    this.quarantineMs = options.quarantineMs ?? 30_000;
    this.#log = options.logger ?? silentLogger;
  }

  /** Changes how many coins the pool keeps (more: made at the next acquire; fewer: extra coins simply stay). */
  resize(size: number): void {
    this.size = Math.max(1, size);
  }

  health(): GasPoolHealth {
    const all = [...this.#free, ...this.#inUse.values()];
    return {
      size: this.size,
      coins: all.length,
      free: this.#free.length,
      inUse: this.#inUse.size,
      quarantined: this.#quarantined.size,
      lowest: all.reduce((m, c) => (m === -1n || c.balance < m ? c.balance : m), -1n),
      pooled: all.reduce((s, c) => s + c.balance, 0n),
      refills: this.#refills,
      merged: this.#merged,
    };
  }

  /** Resolves when no maintenance (refill) is running or due to follow. */
  async settled(): Promise<void> {
    while (this.#maintaining) await this.#maintaining;
  }

  /** Fills the pool from the account's coins (call once before use; `acquire` also does it lazily). */
  async fill(): Promise<this> {
    await this.#maintain(0n);
    return this;
  }

  /**
   * A free pool coin of at least `minBalance` MIST (the transaction's budget plus what it takes from the gas coin),
   * locked for the caller. When no pool coin is big enough, maintenance makes one from the account's balance.
   */
  async acquire(minBalance = 0n, signal?: AbortSignal): Promise<PooledCoin> {
    for (;;) {
      signal?.throwIfAborted();
      const i = this.#free.findIndex((c) => c.balance >= minBalance);
      if (i >= 0) {
        const [coin] = this.#free.splice(i, 1);
        this.#inUse.set(coin!.objectId, coin!);
        return coin!;
      }
      const usable = this.#free.length + this.#inUse.size;
      const bigEnough = [...this.#inUse.values()].some((c) => c.balance >= minBalance);
      if (usable < this.size || !bigEnough || this.#free.length > 0) {
        // Too few coins, or none (free or busy) big enough: make some, and a big one if no pool coin holds enough
        // (a pool coin spent below what a large batch needs).
        await this.#maintain(minBalance > this.coinBalance || !bigEnough ? minBalance : 0n);
        const j = this.#free.findIndex((c) => c.balance >= minBalance);
        if (j >= 0) continue;
        if (![...this.#inUse.values()].some((c) => c.balance >= minBalance)) {
          const why = this.#lastError ? `the last gas pool refill failed: ${this.#lastError.message}` : 'its coins do not hold that much';
          // A refill that could not reach the chain makes this an unreachable chain, not a lack of SUI.
          const unreachable = this.#lastError !== null && transportFailure(this.#lastError) !== undefined;
          throw new ChainError(unreachable ? 'CHAIN_UNAVAILABLE' : 'GAS_INSUFFICIENT', `${this.owner} cannot fund a transaction needing ${minBalance} MIST of gas: ${why}`, {
            data: { owner: this.owner, needed: minBalance },
            retryable: this.#lastError !== null,
            cause: this.#lastError ?? undefined,
          });
        }
      }
      // Every coin big enough is in flight: wait for one to come back.
      try {
        const coin = await new Promise<PooledCoin>((resolve, reject) => this.#waiters.push({ min: minBalance, resolve, reject }));
        this.#inUse.set(coin.objectId, coin);
        return coin;
      } catch (err) {
        if (err !== RETRY) throw err;
      }
    }
  }

  /**
   * Returns a coin: unchanged if it was never used, at its new version and balance after execution. When the outcome
   * is unknown (the transaction may still land), the coin is held back and re-read: signing its old version again
   * could equivocate and lock it for the epoch.
   */
  settle(coin: PooledCoin, outcome: Settle): void {
    this.#inUse.delete(coin.objectId);
    if (outcome.kind === 'untouched') return this.#give(coin);
    if (outcome.kind === 'stale') return void this.#reread(coin);
    if (outcome.kind === 'executed') {
      const next = { objectId: coin.objectId, version: outcome.version, digest: outcome.digest, balance: outcome.balance ?? coin.balance };
      if (outcome.balance === undefined) return void this.#reread(next);
      return this.#give(next);
    }
    this.#quarantined.add(coin.objectId);
    setTimeout(() => void this.#reread(coin), this.quarantineMs).unref();
  }

  async #reread(coin: PooledCoin): Promise<void> {
    try {
      const res = await this.client.core.getObjects({ objectIds: [coin.objectId], include: { content: true } });
      const obj = res.objects[0];
      this.#quarantined.delete(coin.objectId);
      if (!obj || obj instanceof Error) return this.#wake(); // gone (e.g. transferred or merged away)
      if (obj.owner?.$kind !== 'AddressOwner' || normalizeSuiAddress(obj.owner.AddressOwner) !== this.owner) return this.#wake();
      this.#give({ objectId: obj.objectId, version: obj.version, digest: obj.digest, balance: coinBalanceOf(obj.content) });
    } catch {
      this.#quarantined.add(coin.objectId);
      setTimeout(() => void this.#reread(coin), this.quarantineMs).unref();
    }
  }

  #give(coin: PooledCoin): void {
    if (coin.balance < this.minBalance) {
      this.#spare.set(coin.objectId, coin);
      this.#wake();
      // Replace it now, not when the next transaction finds the pool short (which would wait for the refill).
      void this.#maintain(0n);
      return;
    }
    const i = this.#waiters.findIndex((w) => coin.balance >= w.min);
    if (i >= 0) {
      const [w] = this.#waiters.splice(i, 1);
      w!.resolve(coin);
      return;
    }
    this.#free.push(coin);
    // A waiter counted on a coin in flight being big enough; if none is any more (this one came back smaller), it
    // would wait forever: let it re-check, which makes a coin big enough.
    const inFlight = [...this.#inUse.values()];
    for (const w of [...this.#waiters]) {
      if (inFlight.some((c) => c.balance >= w.min)) continue;
      this.#waiters.splice(this.#waiters.indexOf(w), 1);
      w.reject(RETRY);
    }
  }

  /** A coin left the pool: let one waiter re-check (it may need maintenance now). */
  #wake(): void {
    const w = this.#waiters.shift();
    if (!w) return;
    w.reject(RETRY);
  }

  #maintain(big: bigint): Promise<void> {
    if (this.#maintaining) {
      // That refill counted the coins when it began: one asked for since (a coin came back spent) runs after it.
      this.#maintainAgain = true;
      return this.#maintaining;
    }
    this.#maintaining = this.#refill(big)
      .then(
        () => void (this.#lastError = null),
        (err) => {
          // The transaction that needed the coin gets a clear error below; the pool tries again next time.
          this.#lastError = err as Error;
          this.#log.warn('gas pool refill failed', { owner: this.owner, error: (err as Error).message });
        },
      )
      .finally(() => {
        this.#maintaining = null;
        if (this.#maintainAgain) {
          this.#maintainAgain = false;
          void this.#maintain(0n);
        }
      });
    return this.#maintaining;
  }

  /** One transaction: merge dust + account coins, split `missing` fresh coins (and one of `big` MIST if asked). */
  async #refill(big: bigint): Promise<void> {
    const missing = Math.max(0, this.size - this.#free.length - this.#inUse.size - this.#quarantined.size);
    if (missing === 0 && big === 0n) return;
    const known = new Set([...this.#free, ...this.#inUse.values()].map((c) => c.objectId).concat([...this.#quarantined]));
    // Sources: the spare coins we know, then every other coin of the account nobody holds.
    const sources = new Map<string, PooledCoin>();
    for (const c of this.#spare.values()) if (!this.locks.isHeld(c.objectId)) sources.set(c.objectId, c);
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<ChainClient['core']['listCoins']>> = await this.client.core.listCoins({ owner: this.owner, cursor });
      for (const c of page.objects) {
        const id = normalizeSuiAddress(c.objectId);
        if (known.has(id) || this.locks.isHeld(id) || this.#gone.has(id)) continue;
        const mine = sources.get(id);
        // Our own record is newer than a lagging index; otherwise trust the node.
        if (!mine || BigInt(c.version) > BigInt(mine.version)) sources.set(id, { objectId: id, version: c.version, digest: c.digest, balance: BigInt(c.balance) });
      }
      cursor = page.hasNextPage ? page.cursor : null;
    } while (cursor);
    let ranked = [...sources.values()].sort((a, b) => (b.balance > a.balance ? 1 : b.balance < a.balance ? -1 : 0));
    // Coins of a pool coin's size join the pool as they are (no transaction); bigger ones are split, smaller merged.
    let adopt = big > 0n ? 0 : missing;
    for (const c of [...ranked].reverse()) {
      if (adopt === 0) break;
      if (c.balance < this.minBalance || c.balance > 2n * this.coinBalance) continue;
      ranked = ranked.filter((x) => x !== c);
      this.#spare.delete(c.objectId);
      this.#give(c);
      adopt--;
    }
    const stillMissing = big > 0n ? missing : adopt;
    if (stillMissing === 0 && big === 0n) return;
    // Checked again right before locking (synchronously): a transaction may have taken one while we listed.
    const chosen = ranked.filter((c) => !this.locks.isHeld(c.objectId)).slice(0, MAX_PAYMENT);
    const total = chosen.reduce((s, c) => s + c.balance, 0n);
    const wants = (big > 0n ? [big] : []).concat(Array.from({ length: stillMissing }, () => this.coinBalance));
    const amounts: bigint[] = [];
    let left = total - MAINTENANCE_BUDGET;
    for (const a of wants) {
      if (left < a) break;
      amounts.push(a);
      left -= a;
    }
    if (amounts.length === 0) {
      if (this.#free.length + this.#inUse.size === 0 || big > 0n) {
        this.#log.warn('gas pool cannot refill: the account holds too little SUI', { owner: this.owner, balance: total.toString(), wanted: wants.map(String) });
      }
      return;
    }
    const release = await this.locks.acquire(chosen.map((c) => c.objectId));
    // Whatever happens next, these references are spent or stale: the node's listing is the truth from now on.
    for (const c of chosen) this.#spare.delete(c.objectId);
    try {
      this.#gasPrice ??= BigInt((await this.client.core.getReferenceGasPrice()).referenceGasPrice);
      const tx = new Transaction();
      tx.setSender(this.owner);
      tx.setGasPrice(this.#gasPrice);
      tx.setGasBudget(MAINTENANCE_BUDGET);
      tx.setGasPayment(chosen.map(({ objectId, version, digest }) => ({ objectId, version, digest })));
      const parts = tx.splitCoins(tx.gas, amounts);
      tx.transferObjects(amounts.map((_, i) => parts[i]!), this.owner);
      const bytes = await tx.build({ client: this.client });
      const { signature } = await this.signer.signTransaction(bytes);
      const res = await this.client.core.executeTransaction({ transaction: bytes, signatures: [signature], include: { effects: true } });
      const done = res.Transaction ?? res.FailedTransaction!;
      if (!done.status.success) throw new ChainError('GAS_REFILL_FAILED', `gas pool refill ${done.digest} failed: ${JSON.stringify(done.status.error)}`);
      const effects = done.effects!;
      for (const o of effects.changedObjects) if (o.outputState !== 'ObjectWrite') this.#gone.add(normalizeSuiAddress(o.objectId));
      // Only a lagging index needs these: the oldest are dropped, so a long-running signer's set stays bounded.
      for (const id of this.#gone) {
        if (this.#gone.size <= GONE_MAX) break;
        this.#gone.delete(id);
      }
      const gasId = normalizeSuiAddress(effects.gasObject?.objectId ?? '');
      const created = effects.changedObjects.filter((o) => o.idOperation === 'Created' && o.outputState === 'ObjectWrite');
      if (big === 0n) {
        // Every fresh coin holds coinBalance: the effects say all there is to know.
        for (const o of created) this.#give({ objectId: normalizeSuiAddress(o.objectId), version: o.outputVersion!, digest: o.outputDigest!, balance: this.coinBalance });
      } else {
        // Which created coin is the big one: read them (once the node has indexed the transaction).
        await this.client.core.waitForTransaction({ digest: done.digest });
        const fresh = await this.client.core.getObjects({ objectIds: created.map((o) => o.objectId), include: { content: true } });
        for (const o of fresh.objects) {
          if (o instanceof Error) continue;
          this.#give({ objectId: normalizeSuiAddress(o.objectId), version: o.version, digest: o.digest, balance: coinBalanceOf(o.content) });
        }
      }
      const g = effects.gasObject;
      if (g?.outputVersion && g.outputDigest) {
        const rest = total - amounts.reduce((s, a) => s + a, 0n) - (gasCharged(effects) ?? 0n);
        this.#spare.set(gasId, { objectId: gasId, version: g.outputVersion, digest: g.outputDigest, balance: rest });
      }
      this.#refills++;
      this.#merged += chosen.length;
      this.#log.info('gas pool refilled', { owner: this.owner, merged: chosen.length, coins: amounts.length, tx: done.digest, pool: this.health().coins });
    } finally {
      release();
    }
  }
}

/** Sentinel: a waiter was woken to re-check the pool rather than handed a coin. */
const RETRY = Symbol('retry');

/** Balance of a `Coin<T>` from its BCS contents (UID, then the u64 balance). */
export function coinBalanceOf(content: Uint8Array | undefined): bigint {
  if (!content || content.length < 40) return 0n;
  return new DataView(content.buffer, content.byteOffset + 32, 8).getBigUint64(0, true);
}
