/**
 * `worker join` up to the moment the agent can start: checks everything that can fail before sending anything,
 * registers (stake + Worker in one transaction) or resumes an earlier registration, waits for the enclave's join
 * token, opens it locally (sealed to this worker's key and bound to its Worker id and owner) and pins the
 * cluster's CA. A registration made here that cannot lead to a working agent (unreadable token, interrupted
 * wait, timeout) is rolled back with `leave`, so nothing stays half-registered and the stake comes back.
 */
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { formatAmount } from '../core/amount.js';
import type { ChainClient, TransactionExecutor } from '../core/chain/index.js';
import { CryptoError, open, type EncryptionKeyPair } from '../core/crypto/index.js';
import { joinTokenBinding } from '../core/envelope/binding.js';
import type { Cluster, Worker, WorkerRegistered } from '../core/events/index.js';
import { silentLogger, type Logger } from '../core/log.js';
import { verifyClusterCa, type CaCheck } from './ca.js';
import { leaveWorker, preflightJoin, readClusterForWorker, readWorker, registerWorker, waitForJoinToken } from './chain.js';
import { WorkerError } from './errors.js';

export type StepRunner = <T>(label: string, work: () => Promise<T>) => Promise<T>;

export interface JoinOptions {
  client: ChainClient;
  executor: TransactionExecutor;
  packageId: string;
  clusterId: string;
  key: EncryptionKeyPair;
  nodeName: string;
  /** MIST; default the cluster's min_worker_stake. */
  stake?: bigint;
  /** A Worker registered earlier (local state) to resume. */
  workerId?: string;
  timeoutMs?: number;
  pollMs?: number;
  signal?: AbortSignal;
  /** Shows long waits (the CLI's progress); default runs the work silently. */
  step?: StepRunner;
  /** Called as soon as a new Worker exists, before waiting (the CLI saves its id). */
  onRegistered?: (event: WorkerRegistered) => void;
  /** Called after a rollback removed the Worker. */
  onRolledBack?: (workerId: string) => void;
  verifyCa?: (apiUrl: string, caHash: Uint8Array) => Promise<CaCheck>;
  logger?: Logger;
}

export interface JoinResult {
  cluster: Cluster;
  worker: Worker;
  /** The decrypted bootstrap token: hand it to the agent, never print or log it. */
  token: string;
  /** True when this call registered the Worker (false: resumed). */
  registered: boolean;
  ca: CaCheck;
}

const sameKey = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** Opens the join token of `worker` with the worker's secret key. */
export function openJoinToken(worker: Worker, key: EncryptionKeyPair): string {
  if (!sameKey(worker.encryptionKey, key.publicKey)) {
    throw new WorkerError(
      'WORKER_KEY_MISMATCH',
      `wrong worker key file: worker ${worker.id} was registered with another encryption key (use the key file it was registered with, or \`k3sdaas worker leave\` and join again)`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = open(worker.joinToken, key.secretKey, 'join-token', joinTokenBinding({ workerId: worker.id, owner: worker.owner }));
  } catch (err) {
    if (!(err instanceof CryptoError)) throw err;
    throw new WorkerError('WORKER_JOIN_TOKEN_UNREADABLE', `the join token on chain for worker ${worker.id} does not open with this worker's key: ${err.message}`, {
      cause: err,
    });
  }
  const token = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (!/^[\x21-\x7e]{8,4096}$/.test(token)) {
    throw new WorkerError('WORKER_JOIN_TOKEN_UNREADABLE', `the join token for worker ${worker.id} is not a k3s token (unexpected characters or length)`);
  }
  return token;
}

export async function joinCluster(o: JoinOptions): Promise<JoinResult> {
  const log = (o.logger ?? silentLogger).child({ component: 'worker', cluster: o.clusterId });
  const step: StepRunner = o.step ?? ((_label, work) => work());
  const verifyCa = o.verifyCa ?? ((url, hash) => verifyClusterCa(url, hash));
  const me = normalizeSuiAddress(o.executor.address);
  const checkCa = (c: Cluster) =>
    c.caHash.length ? step(`checking the cluster CA at ${c.apiUrl}`, () => verifyCa(c.apiUrl, c.caHash)) : verifyCa(c.apiUrl, c.caHash);

  let existing: Worker | null = null;
  if (o.workerId) {
    existing = await readWorker(o.client, o.workerId);
    if (existing && (existing.owner !== me || normalizeSuiAddress(existing.clusterId) !== normalizeSuiAddress(o.clusterId))) existing = null;
    if (existing && !existing.active) {
      throw new WorkerError('WORKER_INACTIVE', `worker ${existing.id} was marked inactive (missed heartbeats): run \`k3sdaas worker leave\` to get the stake back, then join again`);
    }
    if (existing && !sameKey(existing.encryptionKey, o.key.publicKey)) {
      throw new WorkerError('WORKER_KEY_MISMATCH', `wrong worker key file: worker ${existing.id} was registered with another encryption key`);
    }
  }

  let cluster: Cluster;
  let ca: CaCheck;
  let workerId: string;
  let registered = false;
  if (existing) {
    cluster = await readClusterForWorker(o.client, o.clusterId);
    ca = await checkCa(cluster);
    workerId = existing.id;
    log.info('resuming registered worker', { worker: workerId });
  } else {
    const pre = await preflightJoin(o.client, { clusterId: o.clusterId, owner: me, stake: o.stake, nodeName: o.nodeName });
    cluster = pre.cluster;
    ca = await checkCa(cluster);
    o.signal?.throwIfAborted();
    const ev = await step(`staking ${formatAmount(pre.stake)} and registering worker ${o.nodeName}`, () =>
      registerWorker(o.executor, o.packageId, { clusterId: o.clusterId, stake: pre.stake, nodeName: o.nodeName, encryptionKey: o.key.publicKey }),
    );
    workerId = ev.workerId;
    registered = true;
    log.info('worker registered', { worker: workerId, stake: ev.stake });
    o.onRegistered?.(ev);
  }

  try {
    const worker = await step('waiting for the enclave to issue a join token', () =>
      waitForJoinToken(o.client, workerId, { signal: o.signal, pollMs: o.pollMs, timeoutMs: o.timeoutMs }),
    );
    const token = openJoinToken(worker, o.key);
    return { cluster, worker, token, registered, ca };
  } catch (err) {
    const rollback = registered || (err instanceof WorkerError && err.code === 'WORKER_JOIN_TOKEN_UNREADABLE');
    if (!rollback || (err instanceof WorkerError && err.code === 'WORKER_NOT_REGISTERED')) throw err;
    let note: string;
    try {
      const left = await leaveWorker(o.executor, o.packageId, cluster.id, workerId);
      o.onRolledBack?.(workerId);
      if (left.$kind === 'WorkerLeft') {
        log.warn('registration rolled back', { worker: workerId, returned: left.amount });
        note = `registration rolled back: worker ${workerId} left, ${formatAmount(left.amount)} returned`;
      } else {
        log.warn('registration rolled back', { worker: workerId, withdrawableMs: left.withdrawableMs });
        note = `registration rolled back: worker ${workerId} left; its stake is withdrawable from ${new Date(Number(left.withdrawableMs)).toISOString()} (k3sdaas worker leave)`;
      }
    } catch (leaveErr) {
      note = `rolling back worker ${workerId} failed: ${(leaveErr as Error).message}; run \`k3sdaas worker leave\``;
    }
    if (err instanceof WorkerError) throw new WorkerError(err.code, `${err.message} (${note})`, { cause: err.cause, data: err.data });
    const why = (err as Error)?.name === 'AbortError' ? 'interrupted while waiting for the join token' : (err as Error).message;
    throw new WorkerError('WORKER_JOIN_TIMEOUT', `${why} (${note})`, { cause: err });
  }
}
