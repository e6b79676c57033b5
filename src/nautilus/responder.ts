/**
 * Answers on chain: many `respond` calls in one transaction (core/batch), each signed by the enclave key at the
 * moment it is sent, and each retried (core/retry) until the request's on-chain deadline — a chain outage delays
 * an answer, it does not lose it. Ends when the answer is stored (journal `done: answered`), the chain says it is
 * too late (handed to the janitor) or the Request is gone (answered or expired already), or on stop (the journal
 * keeps the answer `executed`, so the next start sends it again).
 */
import { INTENT_RESPONSE } from '../core/abi/package.js';
import { CALL_OVERHEAD_BYTES, TransactionBatcher, perTransaction } from '../core/batch/index.js';
import * as calls from '../core/calls/index.js';
import type { ObjectInput } from '../core/calls/arguments.js';
import type { ChainClient, TransactionExecutor } from '../core/chain/index.js';
import { objectContent } from '../core/chain/objects.js';
import { decodeEvent, type RequestSubmitted } from '../core/events/index.js';
import { K3sDaasError, MoveAbortError } from '../core/errors.js';
import { signIntent } from '../core/intent.js';
import type { SealedResponse } from '../core/protocol/index.js';
import { retry, type RetryPolicy } from '../core/retry.js';
import type { Logger } from '../core/log.js';
import type { EnclaveKey } from './enclave-key.js';
import type { Journal } from './journal.js';

export interface ResponderOptions {
  client: ChainClient;
  executor: TransactionExecutor;
  packageId: string;
  clusterId: string;
  enclaveKey: EnclaveKey;
  journal: Journal;
  now?: () => number;
  /** Backoff between attempts (the project's policy; tests shorten it). */
  retryPolicy?: Partial<RetryPolicy>;
  /** Told of requests whose deadline passed unanswered, so they can be expired. */
  onDeadlinePassed?: (requestId: string, deadlineMs: number) => void;
  /**
   * The Request's initial shared version when already known (nautilus's existence check reads it): the respond
   * transaction then names it directly instead of the SDK resolving the object by one more RPC.
   */
  sharedVersion?: (requestId: string) => string | undefined;
}

/** How long past the deadline (by this host's clock) answering is still tried: the chain's clock decides. */
const DEADLINE_GRACE_MS = 2_000;

interface Answer {
  requestId: string;
  build: ReturnType<typeof calls.request.respond>;
  bytes: number;
}

export type AnswerOutcome = 'answered' | 'deadline passed' | 'already answered or expired' | 'stopped';

export class Responder {
  readonly #o: ResponderOptions;
  readonly #batcher: TransactionBatcher<Answer, string>;

  constructor(options: ResponderOptions) {
    this.#o = options;
    const answered = perTransaction((tx) => {
      const ids = new Set<string>();
      for (const e of tx.events) {
        const ev = decodeEvent(e, {});
        if (ev?.$kind === 'ResponseStored') ids.add(ev.requestId);
      }
      return ids;
    });
    this.#batcher = new TransactionBatcher<Answer, string>({
      executor: options.executor,
      call: (a) => a.build,
      sizeOf: (a) => a.bytes,
      result: (a, tx) => {
        if (answered(tx).has(a.requestId)) return tx.digest;
        throw new K3sDaasError('NO_RESPONSE_EVENT', `the respond transaction ${tx.digest} stored no answer for ${a.requestId}`);
      },
    });
  }

  /** Respond transactions and calls so far (and what waits). */
  get batching() {
    return this.#batcher.stats;
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now();
  }

  /** Sends the answer until it is on chain or can no longer be; records the outcome in the journal. */
  async answer(ev: RequestSubmitted, sealed: SealedResponse, log: Logger, signal?: AbortSignal): Promise<AnswerOutcome> {
    const { journal } = this.#o;
    const deadlineMs = Number(ev.deadlineMs);
    const done = (outcome: AnswerOutcome): AnswerOutcome => {
      journal.record({ requestId: ev.requestId, state: 'done', outcome });
      return outcome;
    };
    try {
      return await retry(
        async (attempt) => {
          try {
            const tx = await this.#send(ev, sealed);
            log.info('answered', { status: sealed.status, tx, attempt });
            return done('answered');
          } catch (err) {
            if (err instanceof MoveAbortError && err.abortName === 'EDeadlinePassed') {
              log.warn('answer refused: deadline passed');
              this.#o.onDeadlinePassed?.(ev.requestId, deadlineMs);
              return done('deadline passed');
            }
            // Gone = answered (perhaps by an attempt whose reply was lost) or expired: nothing left to do.
            const gone = await objectContent(this.#o.client, ev.requestId, signal).then((o) => !o, () => false);
            if (gone) return done('already answered or expired');
            log.warn('answer failed, retrying until the deadline', { error: err, attempt });
            throw new K3sDaasError('ANSWER_FAILED', (err as Error).message, { retryable: true, cause: err });
          }
        },
        { signal, until: deadlineMs + DEADLINE_GRACE_MS, now: () => this.#now(), policy: this.#o.retryPolicy },
      );
    } catch (err) {
      if (signal?.aborted) return 'stopped';
      log.error('could not answer on chain before the deadline', { error: err });
      this.#o.onDeadlinePassed?.(ev.requestId, deadlineMs);
      return done('deadline passed');
    }
  }

  /** One attempt, signed now (the contract checks the signature's timestamp), batched with other answers. */
  async #send(ev: RequestSubmitted, sealed: SealedResponse): Promise<string> {
    const { packageId, clusterId, enclaveKey } = this.#o;
    const timestampMs = this.#now();
    const signature = await signIntent(enclaveKey, INTENT_RESPONSE, timestampMs, {
      requestId: ev.requestId,
      requester: ev.requester,
      requestBodyDigest: ev.bodyDigest,
      status: sealed.status,
      responseBodyDigest: sealed.bodyDigest,
    });
    return this.#batcher.submit({
      requestId: ev.requestId,
      bytes: CALL_OVERHEAD_BYTES + sealed.body.length + sealed.bodyBlob.length,
      build: calls.request.respond({
        package: packageId,
        arguments: {
          cluster: clusterId,
          request: this.#requestInput(ev.requestId),
          status: sealed.status,
          bodyDigest: sealed.bodyDigest,
          bodySize: sealed.bodySize,
          body: sealed.body,
          bodyBlob: sealed.bodyBlob,
          timestampMs,
          signature,
        },
      }),
    });
  }

  #requestInput(requestId: string): ObjectInput {
    const initialSharedVersion = this.#o.sharedVersion?.(requestId);
    return initialSharedVersion === undefined ? requestId : (tx) => tx.sharedObjectRef({ objectId: requestId, initialSharedVersion, mutable: true });
  }
}
