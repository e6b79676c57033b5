/**
 * The worker's on-chain life: checks made before anything is sent (cluster, enclave, stake, balance, node name),
 * registration in one transaction (stake coin split and `workers::register`), waiting for the enclave's join
 * token, heartbeats and leaving. Workers are shared objects; one is found by id or through the owner's events.
 */
import { coinWithBalance } from '@mysten/sui/transactions';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { formatAmount, formatAmountExact } from '../core/amount.js';
import * as calls from '../core/calls/index.js';
import { NotFoundError, objectContent, readCluster, type ChainClient, type TransactionExecutor } from '../core/chain/index.js';
import { decodeEvent, decodeObjectContent, type Cluster, type K3sDaasEvent, type Worker, type WorkerLeaving, type WorkerLeft, type WorkerRegistered } from '../core/events/index.js';
import { K3sDaasError } from '../core/errors.js';
import { WorkerError } from './errors.js';

/** Kept free for gas on top of the stake when checking the balance. */
export const GAS_RESERVE = 50_000_000n;
const MAX_NODE_NAME = 63;

export async function readWorker(client: ChainClient, workerId: string, signal?: AbortSignal): Promise<Worker | null> {
  const obj = await objectContent(client, workerId, signal);
  if (!obj || !/::workers::Worker$/.test(obj.type)) return null;
  return decodeObjectContent('Worker', obj.content);
}

/** The cluster, or WORKER_UNKNOWN_CLUSTER naming the id and network to check. */
export async function readClusterForWorker(client: ChainClient, clusterId: string): Promise<Cluster> {
  try {
    return await readCluster(client, clusterId);
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new WorkerError('WORKER_UNKNOWN_CLUSTER', `unknown cluster ${clusterId}: no such Cluster object on this network (check --cluster and --network)`, {
        data: { clusterId },
      });
    }
    throw err;
  }
}

/** Kubernetes node names: lowercase RFC 1123 subdomain, and the contract's 63-byte limit. */
export function checkNodeName(name: string): void {
  if (!name || name.length > MAX_NODE_NAME || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) {
    throw new K3sDaasError(
      'WORKER_NODE_NAME_INVALID',
      `invalid node name '${name}': 1-${MAX_NODE_NAME} lowercase letters, digits, '-' or '.', starting and ending with a letter or digit`,
    );
  }
}

export interface JoinPreflight {
  cluster: Cluster;
  stake: bigint;
  balance: bigint;
}

/** Every check that can fail before the registration is sent; nothing touches the chain's state. */
export async function preflightJoin(
  client: ChainClient,
  o: { clusterId: string; owner: string; stake?: bigint; nodeName: string },
): Promise<JoinPreflight> {
  checkNodeName(o.nodeName);
  const cluster = await readClusterForWorker(client, o.clusterId);
  if (cluster.enclavePk.length === 0) {
    throw new WorkerError('WORKER_NO_ENCLAVE', `cluster ${o.clusterId} has no enclave registered yet: nobody could issue a join token (start nautilus first)`);
  }
  const stake = o.stake ?? cluster.minWorkerStake;
  if (stake < cluster.minWorkerStake) {
    throw new WorkerError(
      'WORKER_STAKE_TOO_LOW',
      `stake ${formatAmountExact(stake)} is below the cluster's minimum worker stake of ${formatAmountExact(cluster.minWorkerStake)}`,
      { data: { stake, minimum: cluster.minWorkerStake } },
    );
  }
  const { balance } = await client.core.getBalance({ owner: o.owner });
  const total = BigInt(balance.balance);
  if (total < stake + GAS_RESERVE) {
    throw new WorkerError(
      'WORKER_BALANCE_TOO_LOW',
      `${o.owner} holds ${formatAmount(total)}, not enough to stake ${formatAmount(stake)} plus ${formatAmount(GAS_RESERVE)} for gas`,
      { data: { balance: total, stake } },
    );
  }
  return { cluster, stake, balance: total };
}

function eventOf<K extends K3sDaasEvent['$kind']>(events: Array<{ eventType: string; bcs: Uint8Array }>, packageId: string, kind: K) {
  // Events of our own transaction, which called only `packageId`: no package check, since after an upgrade their
  // types carry the ORIGINAL id while `packageId` is the latest.
  void packageId;
  for (const e of events) {
    const ev = decodeEvent(e, {});
    if (ev?.$kind === kind) return ev as Extract<K3sDaasEvent, { $kind: K }>;
  }
  throw new K3sDaasError('MISSING_EVENT', `transaction emitted no ${kind} event`);
}

/** Stakes and registers in ONE transaction: either the Worker exists with its stake, or nothing happened. */
export async function registerWorker(
  executor: TransactionExecutor,
  packageId: string,
  o: { clusterId: string; stake: bigint; nodeName: string; encryptionKey: Uint8Array; signal?: AbortSignal },
): Promise<WorkerRegistered> {
  const tx = await executor.execute(
    (tx) => {
      const payment = tx.add(coinWithBalance({ balance: o.stake }));
      calls.workers.register({
        package: packageId,
        arguments: { cluster: o.clusterId, payment, nodeName: o.nodeName, encryptionKey: o.encryptionKey },
      })(tx);
    },
    { signal: o.signal },
  );
  return eventOf(tx.events, packageId, 'WorkerRegistered');
}

/** Polls the Worker object until the enclave has set its join token; fails if it disappears or turns inactive. */
export async function waitForJoinToken(
  client: ChainClient,
  workerId: string,
  o: { signal?: AbortSignal; pollMs?: number; timeoutMs?: number } = {},
): Promise<Worker> {
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  for (;;) {
    o.signal?.throwIfAborted();
    const worker = await readWorker(client, workerId, o.signal);
    if (!worker) throw new WorkerError('WORKER_NOT_REGISTERED', `worker ${workerId} no longer exists on chain`);
    if (!worker.active) throw new WorkerError('WORKER_INACTIVE', `worker ${workerId} was marked inactive before it received a join token`);
    if (worker.joinToken.length > 0) return worker;
    if (Date.now() > deadline) {
      throw new WorkerError('WORKER_JOIN_TIMEOUT', `no join token for worker ${workerId} after ${Math.round((o.timeoutMs ?? 120_000) / 1000)}s: is the cluster's nautilus running?`, {
        retryable: true,
      });
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, o.pollMs ?? 500);
      o.signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  }
}

export async function sendHeartbeat(executor: TransactionExecutor, packageId: string, workerId: string, signal?: AbortSignal) {
  const tx = await executor.execute(calls.workers.heartbeat({ package: packageId, arguments: { worker: workerId } }), { signal });
  return eventOf(tx.events, packageId, 'WorkerHeartbeat');
}

/**
 * Leaves the cluster: `leave` starts the cluster's unbonding period and, when it is already over (no unbonding
 * period, or a worker that left earlier), `withdraw` returns the stake in the same transaction. Returns WorkerLeft
 * when the stake came back, WorkerLeaving (with the time it becomes withdrawable) otherwise.
 */
export async function leaveWorker(
  executor: TransactionExecutor,
  packageId: string,
  clusterId: string,
  workerId: string,
  now = Date.now(),
): Promise<WorkerLeft | WorkerLeaving> {
  const obj = await objectContent(executor.client, workerId);
  if (!obj || !/::workers::Worker$/.test(obj.type)) throw new WorkerError('WORKER_NOT_REGISTERED', `no Worker ${workerId} on this network (already left?)`);
  const worker = decodeObjectContent('Worker', obj.content);
  const cluster = await readCluster(executor.client, clusterId);
  // Withdrawable in this transaction: a worker that left and unbonded, or a cluster without an unbonding period.
  const withdrawNow = worker.leaving ? BigInt(now) >= worker.withdrawableMs : cluster.unbondingMs === 0n;
  if (worker.leaving && !withdrawNow) {
    throw new WorkerError('WORKER_UNBONDING', `worker ${workerId} is leaving; its stake is withdrawable from ${new Date(Number(worker.withdrawableMs)).toISOString()}`);
  }
  const tx = await executor.execute((tx) => {
    if (!worker.leaving) calls.workers.leave({ package: packageId, arguments: { cluster: clusterId, worker: workerId } })(tx);
    if (withdrawNow) calls.workers.withdraw({ package: packageId, arguments: { worker: workerId } })(tx);
  });
  return withdrawNow ? eventOf(tx.events, packageId, 'WorkerLeft') : eventOf(tx.events, packageId, 'WorkerLeaving');
}

/**
 * The owner's workers on a cluster that still exist, newest first, found through the WorkerRegistered events of
 * transactions the owner sent (used when the local state file is gone).
 */
export async function findOwnWorkers(client: ChainClient, packageId: string, owner: string, clusterId?: string): Promise<Worker[]> {
  const found: Worker[] = [];
  const seen = new Set<string>();
  let before: string | null = null;
  for (let page = 0; page < 20; page++) {
    const res: { events: Array<{ eventType: string; bcs: Uint8Array }>; hasNextPage: boolean; endCursor?: string | null } =
      await client.core.listEvents({ filter: { sender: owner }, order: 'descending', limit: 100, ...(before ? { before } : {}) });
    for (const raw of res.events) {
      const ev = decodeEvent(raw, { packageId });
      if (ev?.$kind !== 'WorkerRegistered' || seen.has(ev.workerId)) continue;
      if (clusterId && normalizeSuiAddress(ev.clusterId) !== normalizeSuiAddress(clusterId)) continue;
      seen.add(ev.workerId);
      const w = await readWorker(client, ev.workerId);
      if (w) found.push(w);
    }
    if (!res.hasNextPage || !res.endCursor) break;
    before = res.endCursor;
  }
  return found;
}
