/**
 * The one transaction-execution layer of a signer. Every component that signs with a key (gateway, kubectl-proxy,
 * nautilus, worker, CLI) goes through that key's single TransactionExecutor, which
 * - never lets two in-flight transactions use the same owned object: each transaction locks the owned objects it
 *   names (SealToken, caps, coins) before it is resolved, and the gas coin it pays with comes from the key's
 *   GasPool; unresolved inputs count as owned until a build shows they are shared (then they are let go at once);
 * - signs the versions the previous transaction's effects produced (the SDK's ObjectCache plugin, fed from
 *   effects), so it needs no wait for the node's index between two transactions on one SealToken;
 * - keeps its gas healthy (see GasPool): balances tracked from effects, dust merged, refills from the account, a
 *   transaction needing more gas than a pool coin holds gets a big enough coin;
 * - turns failures into typed errors: a Move abort in the K3s-DaaS package becomes a MoveAbortError naming the
 *   contract's error constant, whether it surfaced at simulation (build) or execution.
 */
import { SimulationError, type SuiClientTypes } from '@mysten/sui/client';
import type { Signer } from '@mysten/sui/cryptography';
import { ObjectCache, Transaction } from '@mysten/sui/transactions';
import { ChainError, MoveAbortError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ChainClient } from './client.js';
import { gasCharged, GasPool, type GasPoolOptions, type PooledCoin, type Settle } from './gas-pool.js';
import { ObjectLocks } from './object-locks.js';
import { gasCoinOutflow, ObjectRefCache, ownedCandidates, sharedInputs } from './owned-inputs.js';

export interface ExecutedTransaction {
  digest: string;
  events: SuiClientTypes.Event[];
  effects: SuiClientTypes.TransactionEffects;
}

export interface ExecuteOptions {
  signal?: AbortSignal;
  gasBudget?: bigint;
  /**
   * When the SDK's simulation says the transaction would abort, execute it anyway so the refusal is recorded on
   * chain (gas is paid; the chain keeps the failed transaction with its Move abort). The MoveAbortError is still
   * thrown, with `data.recordedIn` = the transaction digest.
   */
  recordAborts?: boolean;
}

export interface TransactionExecutorOptions {
  /** The gas pool's shape (size = transactions in flight at once; default 1). */
  gas?: GasPoolOptions;
  logger?: Logger;
}

/** Gas budget of a transaction recorded despite a failed simulation (what an abort can cost is bounded). */
const RECORDED_ABORT_BUDGET = 50_000_000n;
/** Budget assumed before simulation tells (a K3s-DaaS call costs a few million MIST). */
const ESTIMATED_BUDGET = 50_000_000n;
const GAS_PRICE_TTL_MS = 10 * 60_000;
/** The node knows a newer version of an input than the one the transaction was built with. */
const STALE_INPUT = /not available for consumption|did not match unresolved object/i;
const ref = ({ objectId, version, digest }: PooledCoin) => ({ objectId, version, digest });

function abortOf(error: SuiClientTypes.ExecutionError | undefined | null): MoveAbortError | undefined {
  const abort = (error as { MoveAbort?: SuiClientTypes.MoveAbort } | undefined)?.MoveAbort;
  if (!abort) return undefined;
  return new MoveAbortError(abort.location?.module ?? '', abort.abortCode, abort.location?.functionName);
}

/** Maps an SDK or transport failure to a K3sDaasError. */
export function toChainError(err: unknown): Error {
  if (err instanceof MoveAbortError || err instanceof ChainError) return err;
  if (err instanceof SimulationError) {
    return abortOf(err.executionError) ?? new ChainError('CHAIN_SIMULATION_FAILED', err.message, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  const transport = /fetch failed|ECONNREFUSED|ECONNRESET|socket hang up|UNAVAILABLE|DEADLINE_EXCEEDED/i.test(message);
  return new ChainError(transport ? 'CHAIN_UNAVAILABLE' : 'CHAIN_ERROR', message, { retryable: transport, cause: err });
}

export class TransactionExecutor {
  /** Owned objects held by this signer's transactions in flight. */
  readonly locks = new ObjectLocks();
  #gas: GasPool;
  readonly #refs = new ObjectRefCache();
  readonly #cache = new ObjectCache({ cache: this.#refs });
  #gasPrice: Promise<bigint> | null = null;
  #gasPriceAt = 0;
  readonly #options: TransactionExecutorOptions;

  constructor(
    readonly client: ChainClient,
    readonly signer: Signer,
    options: TransactionExecutorOptions = {},
  ) {
    this.#options = options;
    this.#gas = new GasPool(client, signer, this.locks, { logger: options.logger, ...options.gas });
  }

  /** Object references cached for signing (entries held; leak checks). */
  get cachedRefs(): { owned: number; shared: number } {
    return this.#refs.size;
  }

  /** The signer's gas pool (its health() is what operators and tests watch). */
  get gas(): GasPool {
    return this.#gas;
  }

  /**
   * Lets up to `size` transactions execute at once, each paying with its own pool coin. Call before the first
   * transaction (the pool is rebuilt around the account's coins).
   */
  async enableConcurrency(size: number, coinBalance?: bigint): Promise<this> {
    const opts = { ...this.#options.gas, size, ...(coinBalance !== undefined ? { coinBalance, minBalance: coinBalance / 10n } : {}) };
    if (opts.minBalance !== undefined && opts.coinBalance !== undefined && opts.minBalance > opts.coinBalance) opts.minBalance = opts.coinBalance;
    if (this.#gas.health().coins === 0) this.#gas = new GasPool(this.client, this.signer, this.locks, { logger: this.#options.logger, ...opts });
    else this.#gas.resize(size);
    await this.#gas.fill();
    return this;
  }

  get address(): string {
    return this.signer.toSuiAddress();
  }

  /** How many transactions this executor runs at once (its gas pool's size). */
  get concurrency(): number {
    return this.#gas.size;
  }

  /** Builds a transaction from Move-call thunks, signs, executes and returns its events and effects. */
  async execute(build: (tx: Transaction) => void, options: ExecuteOptions = {}): Promise<ExecutedTransaction> {
    for (let attempt = 0; ; attempt++) {
      const tx = new Transaction();
      build(tx);
      try {
        return await this.executeTransaction(tx, options);
      } catch (err) {
        // An owned object we cached was changed by another process signing with this key (nothing was signed at
        // the old version): its cached ref was dropped, so a transaction built afresh resolves the current one.
        if (attempt < 2 && err instanceof ChainError && STALE_INPUT.test(err.message)) continue;
        throw err;
      }
    }
  }

  /**
   * Executes a Transaction built elsewhere (e.g. several Move calls packed into one programmable transaction by a
   * batcher). The owned objects it names are locked from this call on (in call order), so it never shares one with
   * another transaction of this signer in flight. Do not set its gas payment: the executor's pool pays.
   */
  executeTransaction(tx: Transaction, options: ExecuteOptions = {}): Promise<ExecutedTransaction> {
    tx.setSenderIfNotSet(this.address);
    if (options.gasBudget) tx.setGasBudget(options.gasBudget);
    // getData() is a full (validated) snapshot of the transaction, costly for a big batch: taken once before the
    // build and once after it. Registered synchronously: transactions on one owned object run in the order asked.
    const unbuilt = tx.getData();
    const locked = this.locks.acquire(ownedCandidates(unbuilt, new Set()).filter((id) => !this.#refs.isShared(id)), options.signal);
    return this.#run(tx, options, locked, unbuilt);
  }

  async #run(
    tx: Transaction,
    options: ExecuteOptions,
    locked: ReturnType<ObjectLocks['acquire']>,
    unbuilt: ReturnType<Transaction['getData']>,
  ): Promise<ExecutedTransaction> {
    const release = await locked;
    let coin: PooledCoin | null = null;
    let settle: Settle = { kind: 'untouched' };
    try {
      options.signal?.throwIfAborted();
      // What the transaction takes out of its gas coin, when the data says so before resolution.
      const early = gasCoinOutflow(unbuilt) ?? 0n;
      coin = await this.#gas.acquire((options.gasBudget ?? 0n) + early, options.signal);
      tx.addBuildPlugin(this.#cache.asPlugin());
      tx.setGasPrice(await this.#price());
      tx.setGasPayment([ref(coin)]);
      let bytes: Uint8Array;
      for (let attempt = 0; ; attempt++) {
        try {
          bytes = await tx.build({ client: this.client });
          break;
        } catch (err) {
          const mapped = toChainError(err);
          // Resolution (intents such as coinWithBalance) may reveal a bigger draw on the gas coin than it holds.
          const outflow = gasCoinOutflow(tx.getData());
          if (attempt === 0 && !(mapped instanceof MoveAbortError) && outflow !== undefined && outflow + ESTIMATED_BUDGET > coin.balance) {
            this.#gas.settle(coin, { kind: 'untouched' });
            coin = null;
            coin = await this.#gas.acquire(outflow + ESTIMATED_BUDGET, options.signal);
            tx.setGasPayment([ref(coin)]);
            continue;
          }
          // An object (the gas coin or an owned input) was spent elsewhere since we last saw it — another process
          // signing with this key: re-read, and try again with fresh versions (nothing was signed yet).
          if (attempt < 3 && !(mapped instanceof MoveAbortError) && STALE_INPUT.test(mapped.message)) {
            this.#refs.forget(ownedCandidates(tx.getData(), new Set()));
            this.#gas.settle(coin, { kind: 'stale' });
            coin = null;
            coin = await this.#gas.acquire((options.gasBudget ?? 0n) + early, options.signal);
            tx.setGasPayment([ref(coin)]);
            continue;
          }
          // The simulation ran out of gas on this coin (a large batch): retry on a coin several times bigger.
          if (attempt < 3 && !(mapped instanceof MoveAbortError) && /insufficient gas|below the gas budget/i.test(mapped.message)) {
            const bigger = coin.balance * 4n;
            this.#gas.settle(coin, { kind: 'untouched' });
            coin = null;
            coin = await this.#gas.acquire(bigger, options.signal);
            tx.setGasPayment([ref(coin)]);
            continue;
          }
          // A stale cached version (the object changed elsewhere) must not poison later transactions.
          if (!(mapped instanceof MoveAbortError)) this.#refs.forget(ownedCandidates(tx.getData(), new Set()));
          if (options.recordAborts && mapped instanceof MoveAbortError) {
            ({ coin, settle } = await this.#record(tx, mapped, coin));
          }
          throw mapped;
        }
      }
      const data = tx.getData();
      // Inputs now known to be shared need no lock.
      for (const { objectId, initialSharedVersion } of sharedInputs(data)) {
        this.#refs.rememberShared(objectId, initialSharedVersion);
        release.only(objectId);
      }
      // A transaction needing more than its coin holds (gas budget + what it splits off the gas coin) gets a big one.
      const outflow = gasCoinOutflow(data);
      const need = BigInt(data.gasData.budget ?? 0) + (outflow ?? 0n);
      if (coin.balance < need) {
        this.#gas.settle(coin, { kind: 'untouched' });
        coin = null;
        coin = await this.#gas.acquire(need, options.signal);
        tx.setGasPayment([ref(coin)]);
        bytes = await tx.build({ client: this.client });
      }
      const { signature } = await this.signer.signTransaction(bytes);
      settle = { kind: 'unknown' };
      let result;
      try {
        result = await this.client.core.executeTransaction({ transaction: bytes, signatures: [signature], include: { effects: true, events: true } });
      } catch (err) {
        // The transaction may still land: its owned objects must be re-read before they are signed again.
        this.#refs.forget(ownedCandidates(data, new Set()));
        throw toChainError(err);
      }
      const done = result.Transaction ?? result.FailedTransaction!;
      if (done.effects) this.#refs.applyEffects(done.effects, this.address);
      settle = this.#gasOutcome(coin, done.effects, outflow);
      if (!done.status.success) {
        throw (
          abortOf(done.status.error) ??
          new ChainError('CHAIN_EXECUTION_FAILED', `transaction ${done.digest} failed: ${JSON.stringify(done.status.error)}`)
        );
      }
      return { digest: done.digest, events: done.events ?? [], effects: done.effects! };
    } finally {
      if (coin) this.#gas.settle(coin, settle);
      release();
    }
  }

  #gasOutcome(coin: PooledCoin, effects: SuiClientTypes.TransactionEffects | undefined | null, outflow: bigint | undefined): Settle {
    const g = effects?.gasObject;
    if (!g?.outputVersion || !g.outputDigest) return { kind: 'unknown' };
    const charged = gasCharged(effects);
    const balance = charged === undefined || outflow === undefined ? undefined : coin.balance - charged - outflow;
    return { kind: 'executed', version: g.outputVersion, digest: g.outputDigest, balance };
  }

  /** The reference gas price, re-read every few minutes (it changes at epoch boundaries). */
  #price(): Promise<bigint> {
    if (Date.now() - this.#gasPriceAt > GAS_PRICE_TTL_MS) this.#gasPrice = null;
    if (!this.#gasPrice) this.#gasPriceAt = Date.now();
    this.#gasPrice ??= this.client.core.getReferenceGasPrice().then(
      (r) => BigInt(r.referenceGasPrice),
      (err) => {
        this.#gasPrice = null;
        throw toChainError(err);
      },
    );
    return this.#gasPrice;
  }

  /**
   * Executes a transaction the simulation refused, without simulating (a fixed budget), so the chain records the
   * refusal. Its inputs are resolved by a kind-only build (which runs no checks); it pays with a big enough coin.
   */
  async #record(
    tx: Transaction,
    abort: MoveAbortError,
    coin: PooledCoin,
  ): Promise<{ coin: PooledCoin | null; settle: Settle }> {
    let current: PooledCoin | null = coin;
    let settle: Settle = { kind: 'untouched' };
    try {
      if (current.balance < RECORDED_ABORT_BUDGET) {
        this.#gas.settle(current, { kind: 'untouched' });
        current = null;
        current = await this.#gas.acquire(RECORDED_ABORT_BUDGET);
      }
      // Resolve the inputs without the checks that refused it (a kind-only build), then pay a fixed budget.
      const kind = await tx.build({ client: this.client, onlyTransactionKind: true });
      const record = Transaction.fromKind(kind);
      record.setSender(this.address);
      record.setGasPrice(await this.#price());
      record.setGasBudget(RECORDED_ABORT_BUDGET);
      record.setGasPayment([ref(current)]);
      const bytes = await record.build();
      const { signature } = await this.signer.signTransaction(bytes);
      settle = { kind: 'unknown' };
      const res = await this.client.core.executeTransaction({ transaction: bytes, signatures: [signature], include: { effects: true } });
      const done = res.Transaction ?? res.FailedTransaction!;
      if (done.effects) this.#refs.applyEffects(done.effects, this.address);
      settle = this.#gasOutcome(current, done.effects, gasCoinOutflow(record.getData()));
      abort.data.recordedIn = done.digest;
    } catch (err) {
      // Recording is best effort: the caller still gets the refusal itself.
      abort.data.recordFailed = (err as Error).message;
    }
    return { coin: current, settle };
  }
}
