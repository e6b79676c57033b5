/**
 * Posts the enclave's signed session reports on chain (move/sources/session.move): `open_session` when a session
 * opens and `record_session` when it ends, each signed by the enclave key at the moment it is sent (the contract
 * checks the signature's age) and retried with the project's policy for a minute. What flowed stays off chain:
 * only sizes, times, the reason, the exit status and the transcript digest are recorded.
 */
import * as calls from '../core/calls/index.js';
import type { TransactionExecutor } from '../core/chain/index.js';
import { retry, type RetryPolicy } from '../core/retry.js';
import { signSessionOpen, signSessionRecord } from '../core/session/payloads.js';
import { K3sDaasError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { EnclaveKey } from './enclave-key.js';
import type { SessionHub, SessionRecord } from './sessions.js';

export interface SessionRecorderOptions {
  executor: TransactionExecutor;
  packageId: string;
  clusterId: string;
  enclaveKey: EnclaveKey;
  logger: Logger;
  now?: () => number;
  retryPolicy?: Partial<RetryPolicy>;
}

/** How long a report is retried before it is given up (logged). */
const REPORT_WITHIN_MS = 60_000;

export class SessionRecorder {
  readonly #o: SessionRecorderOptions;
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Digests of the reports posted (transaction digests by session id, for tests and `verify`). */
  readonly posted = new Map<string, { opened?: string; closed?: string }>();

  constructor(options: SessionRecorderOptions) {
    this.#o = options;
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now();
  }

  attach(hub: SessionHub): this {
    hub.onOpen = (o) => this.#track(o.sessionId, 'opened', () => this.#open(o));
    hub.onRecord = (r) => this.#track(r.sessionId, 'closed', () => this.#record(r));
    return this;
  }

  /** Resolves when every report started so far is on chain or given up. */
  async idle(): Promise<void> {
    while (this.#inFlight.size) await Promise.allSettled([...this.#inFlight]);
  }

  #track(id: string, kind: 'opened' | 'closed', send: () => Promise<string>): void {
    const log = this.#o.logger.child({ request: id });
    const until = this.#now() + REPORT_WITHIN_MS;
    const p = retry(
      async () => {
        try {
          return await send();
        } catch (err) {
          throw new K3sDaasError('SESSION_REPORT_FAILED', (err as Error).message, { retryable: true, cause: err });
        }
      },
      { until, now: () => this.#now(), policy: this.#o.retryPolicy },
    )
      .then((digest) => {
        this.posted.set(id, { ...this.posted.get(id), [kind]: digest });
        log.info(`session ${kind} recorded on chain`, { tx: digest });
      })
      .catch((err: unknown) => log.error(`could not record the session ${kind} on chain`, { error: err }))
      .finally(() => this.#inFlight.delete(p));
    this.#inFlight.add(p);
  }

  async #open(o: { sessionId: string; requester: string; expiresAtMs: number }): Promise<string> {
    const { packageId, clusterId, enclaveKey, executor } = this.#o;
    const timestampMs = BigInt(this.#now());
    const expiresMs = BigInt(Math.max(o.expiresAtMs, Number(timestampMs) + 1));
    const signature = await signSessionOpen(enclaveKey, timestampMs, {
      cluster_id: clusterId,
      request_id: o.sessionId,
      requester: o.requester,
      expires_ms: expiresMs,
    });
    const tx = await executor.execute(
      calls.session.openSession({
        package: packageId,
        arguments: { cluster: clusterId, requestId: o.sessionId, requester: o.requester, expiresMs, timestampMs, signature },
      }),
    );
    return tx.digest;
  }

  async #record(r: SessionRecord): Promise<string> {
    const { packageId, clusterId, enclaveKey, executor } = this.#o;
    const timestampMs = BigInt(Math.max(this.#now(), r.closedMs));
    const payload = {
      cluster_id: clusterId,
      request_id: r.sessionId,
      requester: r.requester,
      opened_ms: BigInt(r.openedMs),
      closed_ms: BigInt(r.closedMs),
      bytes_down: BigInt(r.bytesDown),
      bytes_up: BigInt(r.bytesUp),
      frames: BigInt(r.frames),
      has_exit_code: r.exitCode !== undefined,
      exit_code: r.exitCode ?? 0,
      reason: r.reasonCode,
      transcript_digest: new Uint8Array(Buffer.from(r.digest, 'hex')),
    };
    const signature = await signSessionRecord(enclaveKey, timestampMs, payload);
    const tx = await executor.execute(
      calls.session.recordSession({
        package: packageId,
        arguments: {
          cluster: clusterId,
          requestId: r.sessionId,
          requester: r.requester,
          openedMs: payload.opened_ms,
          closedMs: payload.closed_ms,
          bytesDown: payload.bytes_down,
          bytesUp: payload.bytes_up,
          frames: payload.frames,
          hasExitCode: payload.has_exit_code,
          exitCode: payload.exit_code,
          reason: r.reasonCode,
          transcriptDigest: payload.transcript_digest,
          timestampMs,
          signature,
        },
      }),
    );
    return tx.digest;
  }
}
