/**
 * The enclave host's main loop: follow RequestSubmitted for one cluster, execute each request against the
 * kube-apiserver exactly once (journal + on-chain answered-once), and answer on chain with `respond`, signed by the
 * boot-time enclave key. Every accepted request gets an answer: the apiserver's, or a Kubernetes Status saying why
 * not (502 unreachable, 504 slow, 413 too large, 400 unreadable, 502 outcome unknown after a crash mid-execution).
 */
import type { SuiClientTypes } from '@mysten/sui/client';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { MAX_INLINE_BODY } from '../core/abi/package.js';
import * as calls from '../core/calls/index.js';
import { ChainFollower, creationCheckpoint, ObjectExistence, type ChainClient, type CursorStore, type TransactionExecutor } from '../core/chain/index.js';
import { findAdminCap, readCluster } from '../core/chain/objects.js';
import { decodeEvent, type RequestSubmitted } from '../core/events/index.js';
import { isWriteMethod, K3sDaasError, MAY_HAVE_BEEN_APPLIED } from '../core/errors.js';
import { enclaveKeyRotatedResponse, statusResponse, type KubeForwarder } from '../core/kube/index.js';
import { CryptoError } from '../core/crypto/index.js';
import { UpstreamError } from '../core/kube/forward.js';
import { bodyCiphertext, openRequest, placeBody, sealResponse, type SealedResponse } from '../core/protocol/index.js';
import type { BlobStore } from '../core/blobs/index.js';
import type { HttpResponseEnvelope } from '../core/envelope/index.js';
import { silentLogger, type Logger } from '../core/log.js';
import type { EnclaveKey } from './enclave-key.js';
import { registerAttestedEnclave, type AttestationProvider } from './attestation.js';
import { Journal, deserializeEvent, serializeEvent, type JournalEntry } from './journal.js';
import { nautilusJanitor } from './janitor.js';
import { Responder } from './responder.js';
import type { RequestJanitor } from '../core/janitor.js';
import { retry, type RetryPolicy } from '../core/retry.js';
import { impersonationGroups } from './roles.js';
import { NautilusMetrics } from './metrics.js';
import type { SessionHub } from './sessions.js';
import { grantResponse, isStreamRequest, isUpgradeRequest } from '../core/session/index.js';
import { NautilusProvisioning } from './provisioning.js';
import type { TenantPolicy } from './tenants.js';

export interface NautilusOptions {
  client: ChainClient;
  /** Pays gas for respond (the operator's account). */
  executor: TransactionExecutor;
  /** The LATEST package id: Move calls go there. */
  packageId: string;
  /** The ORIGINAL package id: event and object types keep it across upgrades (default packageId). */
  originalPackageId?: string;
  clusterId: string;
  enclaveKey: EnclaveKey;
  forwarder: KubeForwarder;
  /** Serves streaming requests (watch, log follow) as sessions; without it they are answered 501. */
  sessions?: SessionHub;
  /** Where ciphertexts too large for a transaction go (and off-chain request bodies come from). */
  blobs?: BlobStore;
  journal: Journal;
  cursors: CursorStore;
  logger?: Logger;
  /** Requests executed at once. */
  concurrency?: number;
  now?: () => number;
  /** On non-debug clusters: obtains the Nitro attestation document the key is registered with (see attestation.ts). */
  attestation?: AttestationProvider;
  /** Backoff between attempts at handling and answering (the project's policy; tests shorten it). */
  retryPolicy?: Partial<RetryPolicy>;
  /** Cluster RBAC and tenant namespaces (provisioning.ts); on unless false. */
  provisioning?: false | { policy?: TenantPolicy };
}

const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export class NautilusService {
  readonly metrics = new NautilusMetrics();
  readonly #o: NautilusOptions;
  readonly #log: Logger;
  #follower: ChainFollower | null = null;
  #active = 0;
  #queue: JournalEntry[] = [];
  #idle: Array<() => void> = [];
  #answering = new Set<Promise<unknown>>();
  #stopped = false;
  readonly #stopping = new AbortController();
  readonly #responder: Responder;
  /** Is the Request still on chain? Asked of every request before it runs; one RPC per burst (object-existence.ts). */
  readonly #existence: ObjectExistence;
  readonly janitor: RequestJanitor;
  #provisioning: NautilusProvisioning | null = null;

  readonly #clusterId: string;

  constructor(options: NautilusOptions) {
    this.#o = options;
    this.#clusterId = normalizeSuiAddress(options.clusterId);
    this.#log = (options.logger ?? silentLogger).child({ component: 'nautilus', cluster: options.clusterId });
    const { client, executor, packageId, journal, now, retryPolicy } = options;
    this.#existence = new ObjectExistence(client);
    this.janitor = nautilusJanitor({ client, executor, packageId, journal, now, retryPolicy, logger: this.#log });
    this.#responder = new Responder({
      client,
      executor,
      packageId,
      clusterId: options.clusterId,
      enclaveKey: options.enclaveKey,
      journal,
      now,
      retryPolicy,
      onDeadlinePassed: (requestId, deadlineMs) => this.janitor.schedule(requestId, deadlineMs),
      sharedVersion: (requestId) => this.#existence.sharedVersion(requestId),
    });
  }

  /** Respond transactions and the answers they carried (batching). */
  get batching() {
    return this.#responder.batching;
  }

  /** Cluster RBAC and tenant namespaces, once started (null with `provisioning: false`). */
  get provisioning(): NautilusProvisioning | null {
    return this.#provisioning;
  }

  get follower(): ChainFollower | null {
    return this.#follower;
  }

  /** Registers the enclave key on chain (debug clusters: with the operator's cap). */
  async registerEnclave(): Promise<void> {
    const { client, executor, packageId, clusterId, enclaveKey } = this.#o;
    const cluster = await readCluster(client, clusterId);
    if (!cluster.debug) {
      if (!this.#o.attestation) {
        throw new K3sDaasError(
          'ENCLAVE_ATTESTATION_REQUIRED',
          `cluster ${clusterId} is not a debug cluster: its enclave key must be registered with an AWS Nitro attestation document (run nautilus inside the enclave with --attestation-command)`,
        );
      }
      const { digest } = await registerAttestedEnclave({ executor, packageId, clusterId, publicKey: enclaveKey.publicKey, caHash: cluster.caHash, provider: this.#o.attestation });
      this.#log.info('enclave registered with an AWS Nitro attestation document', { publicKey: toHex(enclaveKey.publicKey), tx: digest });
      return;
    }
    if (this.#o.attestation) this.#log.warn('debug cluster: the attestation provider is not used (debug clusters expect no PCRs)');
    const cap = await findAdminCap(client, executor.address, this.#o.originalPackageId ?? packageId, clusterId);
    await executor.execute(calls.enclave.registerDebug({ package: packageId, arguments: { cap: cap.id, cluster: clusterId, publicKey: enclaveKey.publicKey } }));
    this.#log.warn('enclave registered in DEBUG mode: no attestation; the chain records debug=true for this key', {
      publicKey: toHex(enclaveKey.publicKey),
    });
  }

  async start(): Promise<void> {
    if (this.#o.provisioning !== false) {
      const { client, packageId, clusterId, forwarder } = this.#o;
      this.#provisioning = new NautilusProvisioning({ client, packageId, clusterId, forwarder, policy: this.#o.provisioning?.policy, logger: this.#log });
      await this.#provisioning.start();
    }
    for (const entry of this.#o.journal.pending()) this.#enqueue(entry);
    // Done but never answered before the last stop: the Request may still be on chain, so expire it as it would have been.
    for (const { requestId, deadlineMs } of this.#o.journal.awaitingExpiry()) this.janitor.schedule(requestId, deadlineMs);
    this.#follower = new ChainFollower({
      client: this.#o.client,
      // RequestSubmitted only: its own answers (ResponseStored) and expiries would each wake a drain for nothing.
      streams: [{ name: 'request', filter: { eventType: `${this.#o.originalPackageId ?? this.#o.packageId}::request::RequestSubmitted` } }],
      cursors: this.#o.cursors,
      startCheckpoint: () => creationCheckpoint(this.#o.client, this.#clusterId),
      onEvents: (_stream, events) => this.#accept(events),
      logger: this.#log,
    }).start();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    // Answers still being retried stay `executed` in the journal: the next start sends them again.
    this.#stopping.abort(new K3sDaasError('SHUTTING_DOWN', 'nautilus is stopping'));
    await this.#provisioning?.stop();
    await this.#follower?.stop();
    await this.idle();
    await this.janitor.stop();
  }

  /** Resolves when nothing is executing and (unless stopping) nothing is queued. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((r) => this.#idle.push(r));
  }

  // Once stopped, queued entries stay `accepted` in the journal and resume on the next start.
  #isIdle(): boolean {
    return this.#active === 0 && this.#answering.size === 0 && (this.#queue.length === 0 || this.#stopped);
  }

  #accept(events: SuiClientTypes.EventEntry[]): void {
    for (const raw of events) {
      const ev = decodeEvent(raw, { packageId: this.#o.originalPackageId ?? this.#o.packageId });
      if (!ev || ev.$kind !== 'RequestSubmitted' || ev.clusterId !== this.#clusterId) continue;
      if (this.#o.journal.get(ev.requestId)) continue;
      const entry: JournalEntry = { requestId: ev.requestId, state: 'accepted', event: serializeEvent(ev) };
      this.#o.journal.record(entry);
      this.#enqueue(entry);
    }
  }

  #enqueue(entry: JournalEntry): void {
    this.#queue.push(entry);
    this.#pump();
  }

  #pump(): void {
    const limit = this.#o.concurrency ?? 8;
    while (!this.#stopped && this.#active < limit && this.#queue.length) {
      const entry = this.#queue.shift()!;
      this.#active++;
      void this.#prepare(entry)
        .then((ready) => ready && this.#answer(ready.ev, ready.sealed))
        .finally(() => {
          this.#active--;
          this.#pump();
          this.#notifyIdle();
        });
    }
  }

  #notifyIdle(): void {
    if (this.#isIdle()) this.#idle.splice(0).forEach((r) => r());
  }

  /**
   * Answering happens outside the execution slots (it is waiting on the chain, not work on k3s), tracked so that
   * stop and idle wait for it.
   */
  #answer(ev: RequestSubmitted, sealed: SealedResponse): void {
    const log = this.#log.child({ request: ev.requestId });
    const p = this.#responder
      .answer(ev, sealed, log, this.#stopping.signal)
      .catch((err) => log.error('answering failed', { error: err }))
      .finally(() => {
        this.#existence.forget(ev.requestId);
        this.#answering.delete(p);
        this.#notifyIdle();
      });
    this.#answering.add(p);
  }

  /**
   * Executes the request (or recovers its recorded answer) and returns what to answer, or null when there is
   * nothing to answer. An unexpected failure (an RPC error, say) is retried with the project's policy until the
   * request's deadline; the journal decides what a retry may do (a request already `started` is never re-executed).
   */
  async #prepare(entry: JournalEntry): Promise<{ ev: RequestSubmitted; sealed: SealedResponse } | null> {
    const ev = deserializeEvent(entry.event!);
    const deadlineMs = Number(ev.deadlineMs);
    const log = this.#log.child({ request: ev.requestId });
    try {
      const sealed = await retry(() => this.#handle(entry, ev, log), {
        signal: this.#stopping.signal,
        until: deadlineMs,
        now: () => this.#now(),
        policy: { ...this.#o.retryPolicy, retryable: () => true },
        onRetry: (err, attempt) => log.warn('request handling failed; retrying', { error: err, attempt }),
      });
      return sealed && { ev, sealed };
    } catch (err) {
      if (this.#stopping.signal.aborted) return null;
      // Past the deadline nothing can be answered; before it (a failure not worth retrying, i.e. a bug), the entry
      // stays as it is for the next start. Either way the janitor expires the Request if it is still there then.
      const late = this.#now() >= deadlineMs;
      log.error(late ? 'request handling failed until its deadline' : 'request handling failed', { error: err });
      if (late) this.#o.journal.record({ requestId: ev.requestId, state: 'done', outcome: 'deadline passed' });
      this.janitor.schedule(ev.requestId, deadlineMs);
      return null;
    }
  }

  async #handle(entry: JournalEntry, ev: RequestSubmitted, log: Logger): Promise<SealedResponse | null> {
    const { journal } = this.#o;
    const state = journal.get(ev.requestId)?.state ?? entry.state;
    if (state === 'done') return null;
    if (state === 'executed') {
      const r = journal.get(ev.requestId)!.response!;
      log.info('re-sending the recorded answer');
      return {
        status: r.status,
        bodyDigest: Buffer.from(r.bodyDigest, 'hex'),
        bodySize: r.bodySize,
        body: Buffer.from(r.body, 'base64'),
        bodyBlob: r.bodyBlob ?? '',
      };
    }
    if (state === 'started') {
      log.warn('restarted while this request was executing: outcome unknown, not executing again');
      const sealed = await this.#seal(ev, statusResponse(502, `k3sdaas: the control plane restarted while executing this request (on-chain request ${ev.requestId}); its outcome is unknown, check before retrying`));
      this.#recordExecuted(ev, sealed);
      return sealed;
    }
    if (!(await this.#existence.exists(ev.requestId, this.#stopping.signal))) {
      journal.record({ requestId: ev.requestId, state: 'done', outcome: 'already answered or expired' });
      return null;
    }
    if (Number(ev.deadlineMs) < this.#now()) {
      journal.record({ requestId: ev.requestId, state: 'done', outcome: 'deadline passed before execution' });
      log.warn('deadline passed before execution');
      this.janitor.schedule(ev.requestId, Number(ev.deadlineMs));
      return null;
    }
    return this.#execute(ev, log);
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now();
  }

  async #seal(ev: RequestSubmitted, http: HttpResponseEnvelope): Promise<SealedResponse> {
    const sealed = sealResponse({ requestId: ev.requestId, replyKey: ev.replyKey, http });
    try {
      return await placeBody(sealed, this.#o.blobs);
    } catch (err) {
      const why = this.#o.blobs ? `the blob store failed: ${(err as Error).message}` : 'no blob store is configured for large answers';
      return sealResponse({
        requestId: ev.requestId,
        replyKey: ev.replyKey,
        http: statusResponse(413, `k3sdaas: the response (${http.body.length} bytes) is larger than an on-chain answer can carry (${MAX_INLINE_BODY} bytes sealed) and ${why}; narrow the request (e.g. --limit, a label selector, or a namespace)`),
      });
    }
  }

  #recordExecuted(ev: RequestSubmitted, sealed: SealedResponse): void {
    this.#o.journal.record({
      requestId: ev.requestId,
      state: 'executed',
      response: {
        status: sealed.status,
        bodyDigest: toHex(sealed.bodyDigest),
        bodySize: sealed.bodySize,
        body: Buffer.from(sealed.body).toString('base64'),
        bodyBlob: sealed.bodyBlob,
        executedMs: this.#now(),
      },
    });
  }

  async #execute(ev: RequestSubmitted, log: Logger): Promise<SealedResponse> {
    let http: HttpResponseEnvelope;
    let request;
    try {
      request = openRequest(ev, this.#o.enclaveKey.secretKey, await bodyCiphertext(ev, this.#o.blobs));
    } catch (err) {
      // Undecryptable = sealed to another key: in practice the key of this enclave's previous run (the gateway sealed
      // it before it saw the new key). Not executed, so the submitter may safely resubmit it.
      const rotated = err instanceof CryptoError && err.code === 'CRYPTO_DECRYPT_FAILED';
      log.warn(rotated ? 'request sealed to a previous enclave key: not executed' : 'request body unreadable', { error: err });
      const answer = rotated
        ? enclaveKeyRotatedResponse(ev.requestId)
        : statusResponse(400, `k3sdaas: the enclave could not read this request: ${(err as Error).message}`);
      const sealed = await this.#seal(ev, answer);
      this.#recordExecuted(ev, sealed);
      return sealed;
    }
    try {
      this.#o.forwarder.target(request.url);
    } catch (err) {
      // A path that URL resolution would change (`..`, `//host`) is not what the chain authorized: never sent.
      const sealed = await this.#seal(ev, statusResponse(400, `k3sdaas: ${(err as Error).message}`));
      this.#recordExecuted(ev, sealed);
      return sealed;
    }
    if (isStreamRequest(request.method, request.url) || isUpgradeRequest(request)) {
      // A stream is not executed once: the answer is a session grant (or why there is none), and the data flows
      // off chain, end-to-end encrypted, when the requester connects (sessions.ts).
      const sessions = this.#o.sessions;
      const answer = sessions
        ? grantResponse(sessions.grant(ev, request, { user: ev.requester, groups: impersonationGroups(ev.role) }))
        : statusResponse(501, 'k3sdaas: this control plane serves no streaming sessions (watch, log follow); run the command without -w/-f');
      log.info(sessions ? 'session granted' : 'stream refused: no session endpoint', { method: ev.method, path: ev.path });
      const sealed = await this.#seal(ev, answer);
      this.#recordExecuted(ev, sealed);
      return sealed;
    }
    this.#o.journal.record({ requestId: ev.requestId, state: 'started' });
    // Never sent before `started` is on disk (fsync, shared with the other requests of this tick): a crash from now
    // on leaves the request `started`, so it is never executed twice.
    await this.#o.journal.durable();
    const started = performance.now();
    // Leave time to answer on chain before the request's deadline.
    const budget = Math.max(1_000, Number(ev.deadlineMs) - this.#now() - 3_000);
    try {
      http = await this.#o.forwarder.forward(request, { user: ev.requester, groups: impersonationGroups(ev.role) }, AbortSignal.timeout(budget));
    } catch (err) {
      if (!(err instanceof UpstreamError)) throw err;
      const code = err.code === 'UPSTREAM_TIMEOUT' ? 504 : err.code === 'UPSTREAM_TOO_LARGE' ? 413 : 502;
      const unknown = err.maybeSent && isWriteMethod(request.method) ? `; ${MAY_HAVE_BEEN_APPLIED}` : '';
      http = statusResponse(code, `k3sdaas: ${err.message}${unknown}`);
    }
    const ms = performance.now() - started;
    this.metrics.observeExecution(ev.method, http.status, ms / 1000);
    log.info('executed', { method: ev.method, path: ev.path, status: http.status, ms: Math.round(ms) });
    const sealed = await this.#seal(ev, http);
    this.#recordExecuted(ev, sealed);
    return sealed;
  }
}
