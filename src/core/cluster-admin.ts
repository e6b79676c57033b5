/**
 * Operator and user actions that set a cluster up: create it (the operator gets the ClusterAdminCap), register a
 * gateway, stake for a SealToken. Each is one transaction; ids come back from the events it emitted.
 */
import { randomBytes } from 'node:crypto';
import * as calls from './calls/index.js';
import type { TransactionExecutor } from './chain/index.js';
import { decodeEvent, type ClusterCreated, type K3sDaasEvent, type Staked } from './events/index.js';
import { K3sDaasError } from './errors.js';
import { ROLES, WORKER_POLICIES, type RoleName, type WorkerPolicyName } from './abi/package.js';

export interface ClusterParams {
  name: string;
  apiUrl: string;
  caHash?: Uint8Array;
  minUserStake?: bigint;
  minWriteStake?: bigint;
  minWorkerStake?: bigint;
  stakeLockMs?: bigint;
  requestTimeoutMs?: bigint;
  heartbeatTimeoutMs?: bigint;
  readFee?: bigint;
  writeFee?: bigint;
  /** Default `approval`: the cap holder approves each worker. */
  workerPolicy?: WorkerPolicyName;
  unbondingMs?: bigint;
  /** Basis points of a stake one slash may take (default 1 000 = 10 %). */
  maxSlashBps?: bigint;
  debug: boolean;
  expectedPcrs?: Uint8Array[];
}

export const MIST_PER_SUI = 1_000_000_000n;

export const CLUSTER_DEFAULTS = {
  minUserStake: MIST_PER_SUI / 10n,
  minWriteStake: MIST_PER_SUI,
  minWorkerStake: 10n * MIST_PER_SUI,
  stakeLockMs: 60_000n,
  requestTimeoutMs: 30_000n,
  heartbeatTimeoutMs: 60_000n,
  readFee: 0n,
  writeFee: 0n,
  workerPolicy: 'approval' as WorkerPolicyName,
  unbondingMs: 86_400_000n,
  maxSlashBps: 1_000n,
};

function find<K extends K3sDaasEvent['$kind']>(events: Array<{ eventType: string; bcs: Uint8Array }>, packageId: string, kind: K) {
  // Events of our own transaction, which called only `packageId`: no package check, since after an upgrade their
  // types carry the ORIGINAL id while `packageId` is the latest.
  void packageId;
  for (const e of events) {
    const ev = decodeEvent(e, {});
    if (ev?.$kind === kind) return ev as Extract<K3sDaasEvent, { $kind: K }>;
  }
  throw new K3sDaasError('MISSING_EVENT', `transaction emitted no ${kind} event`);
}

export async function createCluster(executor: TransactionExecutor, packageId: string, p: ClusterParams): Promise<ClusterCreated> {
  const d = CLUSTER_DEFAULTS;
  const tx = await executor.execute(
    calls.cluster.create({
      package: packageId,
      arguments: {
        name: p.name,
        apiUrl: p.apiUrl,
        caHash: p.caHash ?? new Uint8Array(),
        minUserStake: p.minUserStake ?? d.minUserStake,
        minWriteStake: p.minWriteStake ?? d.minWriteStake,
        minWorkerStake: p.minWorkerStake ?? d.minWorkerStake,
        stakeLockMs: p.stakeLockMs ?? d.stakeLockMs,
        requestTimeoutMs: p.requestTimeoutMs ?? d.requestTimeoutMs,
        heartbeatTimeoutMs: p.heartbeatTimeoutMs ?? d.heartbeatTimeoutMs,
        readFee: p.readFee ?? d.readFee,
        writeFee: p.writeFee ?? d.writeFee,
        workerPolicy: WORKER_POLICIES[p.workerPolicy ?? d.workerPolicy],
        unbondingMs: p.unbondingMs ?? d.unbondingMs,
        maxSlashBps: p.maxSlashBps ?? d.maxSlashBps,
        debug: p.debug,
        expectedPcrs: p.expectedPcrs ?? [],
      },
    }),
  );
  return find(tx.events, packageId, 'ClusterCreated');
}

export async function registerGateway(executor: TransactionExecutor, packageId: string, clusterId: string, capId: string, gateway: string) {
  await executor.execute(calls.cluster.registerGateway({ package: packageId, arguments: { cap: capId, cluster: clusterId, gateway } }));
}

/** Stakes `amount` MIST from the sender's gas coin for a tenant SealToken claiming `namespace`. */
export async function stakeForTenant(
  executor: TransactionExecutor,
  packageId: string,
  clusterId: string,
  amount: bigint,
  namespace: string,
): Promise<Staked> {
  const tx = await executor.execute((tx) => {
    const [payment] = tx.splitCoins(tx.gas, [amount]);
    calls.access.stake({ package: packageId, arguments: { cluster: clusterId, payment, namespace } })(tx);
  });
  return find(tx.events, packageId, 'Staked');
}

/** The cap holder (`executor`) gives `tokenId` the cluster role `role`. */
export async function grantRole(executor: TransactionExecutor, packageId: string, clusterId: string, capId: string, tokenId: string, role: RoleName): Promise<void> {
  await executor.execute(calls.access.grant({ package: packageId, arguments: { cap: capId, cluster: clusterId, tokenId, role: ROLES[role] } }));
}

/** The cap holder (`executor`) stakes `amount` for a SealToken of its own with cluster role `role` (no namespace). */
export async function stakeGrantedToken(
  executor: TransactionExecutor,
  packageId: string,
  clusterId: string,
  capId: string,
  amount: bigint,
  role: RoleName,
): Promise<Staked> {
  const tx = await executor.execute((tx) => {
    const [payment] = tx.splitCoins(tx.gas, [amount]);
    calls.access.stakeGranted({ package: packageId, arguments: { cap: capId, cluster: clusterId, payment, role: ROLES[role] } })(tx);
  });
  return find(tx.events, packageId, 'Staked');
}

/** A fresh tenant namespace name for tokens whose namespace does not matter (`t-` and 12 hex digits). */
export function randomNamespace(): string {
  return `t-${randomBytes(6).toString('hex')}`;
}

/**
 * A SealToken of `executor`'s with cluster role `role`: a tenant stake (on `namespace`, default a random one) the
 * cap holder `operator` then grants `role`. Roles are never bought, so this takes both keys.
 */
export async function stakeForToken(
  executor: TransactionExecutor,
  packageId: string,
  clusterId: string,
  amount: bigint,
  role: RoleName,
  operator: { executor: TransactionExecutor; capId: string },
  namespace = randomNamespace(),
): Promise<Staked> {
  const staked = await stakeForTenant(executor, packageId, clusterId, amount, namespace);
  await grantRole(operator.executor, packageId, clusterId, operator.capId, staked.tokenId, role);
  return { ...staked, role: ROLES[role] };
}
