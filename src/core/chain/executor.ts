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
  constructor(
    readonly client: ChainClient,
    readonly signer: Signer,
  ) {}

  get address(): string {
    return this.signer.toSuiAddress();
  }

  /** Builds a transaction from Move-call thunks, signs, executes and returns its events and effects. */
  execute(build: (tx: Transaction) => void, options: { signal?: AbortSignal; gasBudget?: bigint } = {}) {
    const run = async (): Promise<ExecutedTransaction> => {
      options.signal?.throwIfAborted();
      const tx = new Transaction();
      tx.setSender(this.address);
      if (options.gasBudget) tx.setGasBudget(options.gasBudget);
      build(tx);
      let result;
      try {
        result = await this.client.signAndExecuteTransaction({
          transaction: tx,
          signer: this.signer,
          include: { effects: true, events: true },
        });
      } catch (err) {
        throw toChainError(err);
      }
      const done = result.Transaction ?? result.FailedTransaction!;
      if (!done.status.success) {
        throw (
          abortOf(done.status.error) ??
          new ChainError('CHAIN_EXECUTION_FAILED', `transaction ${done.digest} failed: ${JSON.stringify(done.status.error)}`)
        );
      }
      return { digest: done.digest, events: done.events ?? [], effects: done.effects! };
    };
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
