/**
 * Operator and user actions that set a cluster up: create it (the operator gets the ClusterAdminCap), register a
 * gateway, stake for a SealToken. Each is one transaction; ids come back from the events it emitted.
 */
import * as calls from './calls/index.js';
import type { TransactionExecutor } from './chain/index.js';
import { decodeEvent, type ClusterCreated, type K3sDaasEvent, type Staked } from './events/index.js';
import { K3sDaasError } from './errors.js';
import { ROLES, type RoleName } from './abi/package.js';

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

/** Stakes `amount` MIST from the sender's gas coin for a SealToken of `role`. */
export async function stakeForToken(
  executor: TransactionExecutor,
  packageId: string,
  clusterId: string,
  amount: bigint,
  role: RoleName,
): Promise<Staked> {
  const tx = await executor.execute((tx) => {
    const [payment] = tx.splitCoins(tx.gas, [amount]);
    calls.access.stake({ package: packageId, arguments: { cluster: clusterId, payment, role: ROLES[role] } })(tx);
  });
  return find(tx.events, packageId, 'Staked');
}
