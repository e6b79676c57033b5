/**
 * The two ways a kubectl request gets on chain. A gateway submits on behalf of a user who signed a short-lived
 * credential for it (`submit_via_gateway`, verified on chain); kubectl-proxy submits with the user's own key and
 * SealToken (`submit`, the sender proves ownership). Both seal the body to the enclave and return what the caller
 * needs to wait for and open the answer.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Transaction } from '@mysten/sui/transactions';
import * as calls from '../core/calls/index.js';
import type { RequestBodyArguments } from '../core/calls/request.js';
import { CALL_OVERHEAD_BYTES, TransactionBatcher, perTransaction } from '../core/batch/index.js';
import type { TransactionExecutor } from '../core/chain/index.js';
import { credentialFromToken, verifyCredential, type Credential } from '../core/credential.js';
import type { HttpRequestEnvelope } from '../core/envelope/index.js';
import { decodeEvent, type RequestSubmitted } from '../core/events/index.js';
import { K3sDaasError, MoveAbortError } from '../core/errors.js';
import { formatDuration } from '../core/duration.js';
import { DEFAULT_REFUSAL_LIMIT, RefusalLimiter } from './refusal-limit.js';
import { placeBody, sealRequest } from '../core/protocol/index.js';
import type { BlobStore } from '../core/blobs/index.js';
import type { EncryptionKeyPair } from '../core/crypto/index.js';
import { submitterJanitor, type RequestJanitor } from './janitor.js';
import { normalizeSuiAddress } from '@mysten/sui/utils';

export interface Submitted {
  requestId: string;
  txDigest: string;
  deadlineMs: number;
  reply: EncryptionKeyPair;
  requester: string;
}

export interface Submitter {
  /** `gateway` needs a bearer credential per request; `proxy` acts as its one local user. */
  readonly mode: 'gateway' | 'proxy';
  /** The address that signs transactions (gateway) or the user (proxy). */
  readonly address: string;
  /** Checks the caller (401 on failure) and returns who the request is for. */
  authenticate(authorization: string | undefined): Promise<Identity>;
  submit(http: HttpRequestEnvelope, identity: Identity, enclaveKey: Uint8Array): Promise<Submitted>;
  /** Expires this submitter's own requests left unanswered past their deadline. */
  readonly janitor?: RequestJanitor;
  /** Submit transactions sent and the submissions they carried (see core/batch). */
  readonly batching?: { batches: number; items: number };
}

export type Identity = { user: string; credential?: { bytes: Uint8Array; signature: Uint8Array; value: Credential } };

export class UnauthorizedError extends K3sDaasError {
  constructor(message: string) {
    super('UNAUTHORIZED', message);
  }
}

/**
 * The RequestSubmitted events of a (possibly batched) transaction by reply key: each submission's reply key is
 * fresh, so it names the call's event among the others.
 */
function submittedEvents() {
  return perTransaction((tx) => {
    const byReplyKey = new Map<string, RequestSubmitted>();
    for (const e of tx.events) {
      // Our own transaction's events: no package check (after an upgrade their types carry the ORIGINAL id).
      const ev = decodeEvent(e, {});
      if (ev?.$kind === 'RequestSubmitted') byReplyKey.set(Buffer.from(ev.replyKey).toString('hex'), ev);
    }
    return byReplyKey;
  });
}

/** One submission waiting for a transaction: its Move call, its reply key (to find its event) and its size. */
interface Submission {
  build: (tx: Transaction) => void;
  replyKey: Uint8Array;
  bytes: number;
  /** Whose refusals this is, for the per-credential limit on recorded refusals (gateways). */
  refusalKey?: string;
}

/** Many users' submissions in one transaction (see core/batch); a refused one is refused alone. */
function submissionBatcher(o: Common): TransactionBatcher<Submission, { requestId: string; txDigest: string; deadlineMs: number }> {
  const submitted = submittedEvents();
  const limiter = o.refusalLimiter;
  return new TransactionBatcher({
    executor: o.executor,
    call: (s) => s.build,
    sizeOf: (s) => s.bytes,
    result: (s, tx) => {
      const ev = submitted(tx).get(Buffer.from(s.replyKey).toString('hex'));
      if (!ev) throw new K3sDaasError('NO_REQUEST_EVENT', `the submit transaction ${tx.digest} emitted no RequestSubmitted event for this request`);
      return { requestId: ev.requestId, txDigest: tx.digest, deadlineMs: Number(ev.deadlineMs) };
    },
    // A refusal is part of the audit trail: record it on chain (the submitter pays) unless told not to. Only a
    // submission alone is recorded, so a refused call inside a batch is recorded (and paid) alone.
    single: (s) => ({ recordAborts: (o.recordRefusals ?? true) && (!s.refusalKey || !limiter || limiter.allows(s.refusalKey)) }),
  });
}

/**
 * Counts a recorded refusal against its credential, or marks the refusal as not recorded (and why) when the
 * credential is past its limit, so kubectl is told.
 */
async function limitRefusals<T>(o: Common, key: string | undefined, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    const limiter = o.refusalLimiter;
    if (err instanceof MoveAbortError && key && limiter && (o.recordRefusals ?? true)) {
      if (err.data.recordedIn) limiter.recorded(key);
      else {
        const { limit, windowMs } = limiter.o;
        err.data.notRecorded = `this credential had ${limit} refusals recorded in the last ${formatDuration(windowMs)}`;
      }
    }
    throw err;
  }
}

/** Seals the request, places its body (inline or blob), submits with `call`, and reads back the request id. */
async function sealAndSubmit(
  o: Common,
  http: HttpRequestEnvelope,
  identity: Identity,
  enclaveKey: Uint8Array,
  call: (body: RequestBodyArguments) => (tx: Transaction) => void,
  batcher: ReturnType<typeof submissionBatcher>,
  refusalKey?: string,
): Promise<Submitted> {
  const { clusterId, blobs } = o;
  const sealed = await placeBody(sealRequest({ clusterId, requester: identity.user, enclavePublicKey: enclaveKey, http }), blobs);
  const bytes = CALL_OVERHEAD_BYTES + sealed.body.length + sealed.path.length + (identity.credential ? identity.credential.bytes.length + identity.credential.signature.length : 0);
  const done = await limitRefusals(o, refusalKey, batcher.submit({
    build: call({
      method: sealed.method,
      path: sealed.path,
      bodyDigest: sealed.bodyDigest,
      bodySize: sealed.bodySize,
      body: sealed.body,
      bodyBlob: sealed.bodyBlob,
      replyKey: sealed.reply.publicKey,
    }),
    replyKey: sealed.reply.publicKey,
    bytes,
    refusalKey,
  }));
  return { ...done, reply: sealed.reply, requester: identity.user };
}

interface Common {
  executor: TransactionExecutor;
  packageId: string;
  clusterId: string;
  /** Where request ciphertexts too large for a transaction go. */
  blobs?: BlobStore;
  /** Execute refused submissions anyway so the refusal is on chain (default true). */
  recordRefusals?: boolean;
  /** Bounds recorded refusals per credential (gateways; default 10 per 10 min). */
  refusalLimiter?: RefusalLimiter;
  /** Expire own unanswered requests at their deadline (default true). */
  expireUnanswered?: boolean;
}

export class GatewaySubmitter implements Submitter {
  readonly mode = 'gateway' as const;
  readonly #batcher: ReturnType<typeof submissionBatcher>;
  readonly janitor: RequestJanitor | undefined;
  readonly o: Common;
  constructor(
    o: Common,
    readonly now: () => number = Date.now,
  ) {
    // Recorded refusals are paid by the gateway: bounded per credential unless the caller says otherwise.
    this.o = { ...o, refusalLimiter: o.refusalLimiter ?? new RefusalLimiter(DEFAULT_REFUSAL_LIMIT, now) };
    this.#batcher = submissionBatcher(this.o);
    this.janitor = o.expireUnanswered === false ? undefined : submitterJanitor(o.executor, o.packageId);
  }

  /** Submissions waiting for a transaction, transactions in flight, and how many of each so far. */
  get batching() {
    return this.#batcher.stats;
  }

  get address(): string {
    return this.o.executor.address;
  }

  async authenticate(authorization: string | undefined): Promise<Identity> {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) throw new UnauthorizedError('a k3sdaas bearer credential is required (k3sdaas kubeconfig sets up `k3sdaas token` as the exec plugin)');
    let signed;
    let verified;
    try {
      signed = credentialFromToken(m[1]);
      verified = await verifyCredential(signed.bytes, signed.signature, this.now());
    } catch (err) {
      throw new UnauthorizedError(`bad credential: ${(err as Error).message}`);
    }
    if (normalizeSuiAddress(verified.credential.gateway) !== normalizeSuiAddress(this.address)) {
      throw new UnauthorizedError(`credential was issued for gateway ${verified.credential.gateway}, this is ${this.address}`);
    }
    if (normalizeSuiAddress(verified.credential.clusterId) !== normalizeSuiAddress(this.o.clusterId)) {
      throw new UnauthorizedError(`credential is for cluster ${verified.credential.clusterId}, this gateway serves ${this.o.clusterId}`);
    }
    return { user: verified.signer, credential: { bytes: signed.bytes, signature: signed.signature, value: verified.credential } };
  }

  submit(http: HttpRequestEnvelope, identity: Identity, enclaveKey: Uint8Array): Promise<Submitted> {
    const { packageId, clusterId } = this.o;
    const { bytes, signature } = identity.credential!;
    return sealAndSubmit(
      this.o,
      http,
      identity,
      enclaveKey,
      (body) => calls.request.submitViaGateway({ package: packageId, arguments: { cluster: clusterId, credential: bytes, signature, ...body } }),
      this.#batcher,
      `${normalizeSuiAddress(identity.user)}/${identity.credential!.value.tokenId}`,
    );
  }
}

/** A fresh bearer secret for a kubectl-proxy's kubeconfig. */
export function newProxySecret(): string {
  return randomBytes(32).toString('base64url');
}

export class ProxySubmitter implements Submitter {
  readonly mode = 'proxy' as const;
  /**
   * `secret` is the bearer token of the kubeconfig the proxy writes: the proxy signs with its user's key for whoever
   * presents it, so other local users and processes must not be able to use it.
   */
  readonly #batcher: ReturnType<typeof submissionBatcher>;
  readonly janitor: RequestJanitor | undefined;
  constructor(readonly o: Common & { tokenId: string; secret: string }) {
    this.#batcher = submissionBatcher(o);
    this.janitor = o.expireUnanswered === false ? undefined : submitterJanitor(o.executor, o.packageId);
  }

  get batching() {
    return this.#batcher.stats;
  }

  get address(): string {
    return this.o.executor.address;
  }

  async authenticate(authorization: string | undefined): Promise<Identity> {
    const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '');
    const want = Buffer.from(this.o.secret);
    if (given.length !== want.length || !timingSafeEqual(given, want)) {
      throw new UnauthorizedError("this kubectl-proxy only serves its own kubeconfig's token (see `k3sdaas kubeconfig --proxy`)");
    }
    return { user: this.address };
  }

  submit(http: HttpRequestEnvelope, identity: Identity, enclaveKey: Uint8Array): Promise<Submitted> {
    const { packageId, clusterId, tokenId } = this.o;
    return sealAndSubmit(
      this.o,
      http,
      identity,
      enclaveKey,
      (body) => calls.request.submit({ package: packageId, arguments: { cluster: clusterId, token: tokenId, ...body } }),
      this.#batcher,
    );
  }
}
