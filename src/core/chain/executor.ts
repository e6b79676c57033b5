/**
 * Signs and executes transactions for one signer, one at a time (so owned gas coins are never used twice), and
 * turns failures into typed errors: a Move abort in the K3s-DaaS package becomes a MoveAbortError naming the
 * contract's error constant, whether it surfaced at simulation (build) or execution.
 */
import { SimulationError, type SuiClientTypes } from '@mysten/sui/client';
import type { Signer } from '@mysten/sui/cryptography';
import { Transaction } from '@mysten/sui/transactions';
import { ChainError, MoveAbortError } from '../errors.js';
import type { ChainClient } from './client.js';
import { GasPool, type GasCoin, type Settle } from './gas-pool.js';

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

/** Gas budget of a transaction recorded despite a failed simulation (what an abort can cost is bounded). */
const RECORDED_ABORT_BUDGET = 50_000_000n;

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
  #queue: Promise<unknown> = Promise.resolve();
  #pool: GasPool | null = null;
  #concurrency = 1;
  constructor(
    readonly client: ChainClient,
    readonly signer: Signer,
  ) {}

  /**
   * Lets up to `size` transactions execute at once, each paying with its own coin (see GasPool). Without it,
   * transactions run one after another.
   */
  async enableConcurrency(size: number, minBalance = 1_000_000_000n): Promise<this> {
    if (size > 1) {
      this.#pool = await GasPool.create(this.client, this.signer, size, minBalance);
      this.#concurrency = size;
    }
    return this;
  }

  get address(): string {
    return this.signer.toSuiAddress();
  }

  /** How many transactions this executor runs at once (its gas pool's size, else 1). */
  get concurrency(): number {
    return this.#concurrency;
  }

  /** Builds a transaction from Move-call thunks, signs, executes and returns its events and effects. */
  execute(build: (tx: Transaction) => void, options: ExecuteOptions = {}): Promise<ExecutedTransaction> {
    const pool = this.#pool;
    if (pool) {
      return (async () => {
        const coin = await pool.acquire();
        let settle: Settle = { kind: 'unknown' };
        try {
          const done = await this.#run(build, options, coin, (s) => (settle = s));
          return done;
        } finally {
          pool.settle(coin, settle);
        }
      })();
    }
    const next = this.#queue.then(
      () => this.#run(build, options),
      () => this.#run(build, options),
    );
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /**
   * `onGas` learns what became of the gas coin: untouched (refused before signing, e.g. a Move abort at
   * simulation), its new reference (executed, successfully or not), or unknown (a transport failure after sending).
   */
  async #run(
    build: (tx: Transaction) => void,
    options: ExecuteOptions,
    gas?: GasCoin,
    onGas: (s: Settle) => void = () => undefined,
  ): Promise<ExecutedTransaction> {
    onGas({ kind: 'untouched' });
    options.signal?.throwIfAborted();
    const tx = new Transaction();
    tx.setSender(this.address);
    if (options.gasBudget) tx.setGasBudget(options.gasBudget);
    if (gas) tx.setGasPayment([gas]);
    build(tx);
    let result;
    try {
      result = await this.client.signAndExecuteTransaction({
        transaction: tx,
        signer: this.signer,
        include: { effects: true, events: true },
      });
    } catch (err) {
      // The SDK simulates before signing: a simulation failure never reached the network.
      if (!(err instanceof SimulationError)) onGas({ kind: 'unknown' });
      const mapped = toChainError(err);
      if (options.recordAborts && mapped instanceof MoveAbortError) await this.#record(build, mapped, gas, onGas);
      throw mapped;
    }
    const done = result.Transaction ?? result.FailedTransaction!;
    const g = done.effects?.gasObject;
    onGas(g?.outputVersion && g.outputDigest ? { kind: 'executed', version: g.outputVersion, digest: g.outputDigest } : { kind: 'unknown' });
    if (!done.status.success) {
      throw (
        abortOf(done.status.error) ??
        new ChainError('CHAIN_EXECUTION_FAILED', `transaction ${done.digest} failed: ${JSON.stringify(done.status.error)}`)
      );
    }
    return { digest: done.digest, events: done.events ?? [], effects: done.effects! };
  }

  #gasPrice: Promise<bigint> | null = null;

  /** Executes a transaction the simulation refused, without simulating, so the chain records the refusal. */
  async #record(build: (tx: Transaction) => void, abort: MoveAbortError, gas: GasCoin | undefined, onGas: (s: Settle) => void): Promise<void> {
    try {
      const kind = new Transaction();
      build(kind);
      const tx = Transaction.fromKind(await kind.build({ client: this.client, onlyTransactionKind: true }));
      this.#gasPrice ??= this.client.core.getReferenceGasPrice().then((r) => BigInt(r.referenceGasPrice));
      let payment = gas;
      if (!payment) {
        const { objects } = await this.client.core.listCoins({ owner: this.address });
        const richest = [...objects].sort((a, b) => (BigInt(b.balance) > BigInt(a.balance) ? 1 : -1))[0];
        if (!richest) return;
        payment = { objectId: richest.objectId, version: richest.version, digest: richest.digest };
      }
      tx.setSender(this.address);
      tx.setGasPrice(await this.#gasPrice);
      tx.setGasBudget(RECORDED_ABORT_BUDGET);
      tx.setGasPayment([payment]);
      const bytes = await tx.build();
      const { signature } = await this.signer.signTransaction(bytes);
      onGas({ kind: 'unknown' });
      const res = await this.client.core.executeTransaction({ transaction: bytes, signatures: [signature], include: { effects: true } });
      const done = res.Transaction ?? res.FailedTransaction!;
      const g = done.effects?.gasObject;
      if (g?.outputVersion && g.outputDigest) onGas({ kind: 'executed', version: g.outputVersion, digest: g.outputDigest });
      abort.data.recordedIn = done.digest;
    } catch (err) {
      // Recording is best effort: the caller still gets the refusal itself.
      abort.data.recordFailed = (err as Error).message;
    }
  }
}
