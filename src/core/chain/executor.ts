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
  constructor(
    readonly client: ChainClient,
    readonly signer: Signer,
  ) {}

  /**
   * Lets up to `size` transactions execute at once, each paying with its own coin (see GasPool). Without it,
   * transactions run one after another.
   */
  async enableConcurrency(size: number, minBalance = 1_000_000_000n): Promise<this> {
    if (size > 1) this.#pool = await GasPool.create(this.client, this.signer, size, minBalance);
    return this;
  }

  get address(): string {
    return this.signer.toSuiAddress();
  }

  /** Builds a transaction from Move-call thunks, signs, executes and returns its events and effects. */
  execute(build: (tx: Transaction) => void, options: { signal?: AbortSignal; gasBudget?: bigint } = {}): Promise<ExecutedTransaction> {
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
    options: { signal?: AbortSignal; gasBudget?: bigint },
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
      throw toChainError(err);
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
}
