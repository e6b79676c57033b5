/**
 * Twin of move/sources/cluster.move: the Cluster object, its admin cap, gateways, and the stake table
 * (`stakes: Table<ID, Stake>`, entries as dynamic fields under the table's id, `size` kept in the Cluster).
 */
import { bcs } from '@mysten/sui/bcs';
import { addressBcs } from '../../core/abi/address-bcs.js';
import { bcsForStruct } from '../../core/abi/bcs.js';
import {
  MAX_HEARTBEAT_TIMEOUT_MS,
  MAX_REQUEST_TIMEOUT_MS,
  MAX_SLASH_BPS,
  MAX_STAKE_LOCK_MS,
  MAX_UNBONDING_MS,
  MAX_SESSION_MS,
  DEFAULT_MAX_SESSION_MS,
  PACKAGE_VERSION,
  SLASH_REASONS,
  WORKER_POLICIES,
} from '../../core/abi/package.js';
import type { MoveRuntime, PackageFunction } from '../engine/move-runtime.js';
import {
  check,
  decodeArgs,
  emit,
  idBytes,
  mutateStruct,
  normalizeAddress,
  sameAddress,
  sendCoin,
  structType,
  type DecodedObject,
} from './common.js';

const M = 'cluster';

/** Where `cluster::EWrongCap` is raised (`assert_cap` delegates to `assert_cap_for`). */
export const ASSERT_CAP_FN = 'assert_cap_for';

/** Move declares `Stake` in `cluster` (the cluster <-> access cycle); the Table's value type. */
export const STAKE_MODULE = 'cluster';

export interface StakeValue {
  owner: string;
  role: number;
  namespace: string;
  balance: { value: bigint | string };
  prepaid: { value: bigint | string };
  locked_until_ms: bigint | string;
}

const PCR_COUNT = 3;

/** `cluster::assert_cap_for(cap, cluster_id)`. */
export function assertCapFor(cap: DecodedObject, clusterId: string): void {
  check(sameAddress(cap.value.cluster_id, clusterId), M, ASSERT_CAP_FN, 'EWrongCap');
}

export function isGateway(cluster: DecodedObject, gateway: string): boolean {
  return (cluster.value.gateways as string[]).some((g) => sameAddress(g, gateway));
}

export function writeCluster(rt: MoveRuntime, cluster: DecodedObject): void {
  mutateStruct(rt, cluster, M, 'Cluster');
}

// The stake table (Table<ID, cluster::Stake>).
const stakeSchema = () => bcsForStruct(STAKE_MODULE, 'Stake');

function tableId(cluster: DecodedObject): string {
  return (cluster.value.stakes as { id: string }).id;
}

export function getStake(rt: MoveRuntime, cluster: DecodedObject, tokenId: string): StakeValue | undefined {
  const raw = rt.dynamicField.get(tableId(cluster), idBytes(tokenId));
  return raw ? (stakeSchema().parse(raw) as StakeValue) : undefined;
}

/** `table.add`: sets the entry and bumps the size (the caller writes the Cluster back). */
export function addStake(rt: MoveRuntime, cluster: DecodedObject, tokenId: string, stake: StakeValue): void {
  rt.dynamicField.set(tableId(cluster), idBytes(tokenId), stakeSchema().serialize(stake).toBytes(), structType(rt, STAKE_MODULE, 'Stake'));
  const t = cluster.value.stakes as { size: string | bigint };
  t.size = BigInt(t.size) + 1n;
}

/** Overwrites an existing entry (`&mut cluster.stakes[token_id]`). */
export function putStake(rt: MoveRuntime, cluster: DecodedObject, tokenId: string, stake: StakeValue): void {
  rt.dynamicField.set(tableId(cluster), idBytes(tokenId), stakeSchema().serialize(stake).toBytes(), structType(rt, STAKE_MODULE, 'Stake'));
}

/** `table.remove`: drops the entry and the size (the caller writes the Cluster back). */
export function removeStake(rt: MoveRuntime, cluster: DecodedObject, tokenId: string): void {
  rt.dynamicField.remove(tableId(cluster), idBytes(tokenId));
  const t = cluster.value.stakes as { size: string | bigint };
  t.size = BigInt(t.size) - 1n;
}

// The namespace table (Table<String, ID>).
function namespacesId(cluster: DecodedObject): string {
  return (cluster.value.namespaces as { id: string }).id;
}

const stringKey = (name: string) => bcs.string().serialize(name).toBytes();

/** Who holds `namespace` (a token id, or the cluster's id for a reserved name); undefined when free. */
export function namespaceHolder(rt: MoveRuntime, cluster: DecodedObject, namespace: string): string | undefined {
  const raw = rt.dynamicField.get(namespacesId(cluster), stringKey(namespace));
  return raw ? normalizeAddress(addressBcs.parse(raw)) : undefined;
}

export function addNamespace(rt: MoveRuntime, cluster: DecodedObject, namespace: string, holder: string): void {
  rt.dynamicField.set(namespacesId(cluster), stringKey(namespace), addressBcs.serialize(holder).toBytes(), '0x2::object::ID');
  const t = cluster.value.namespaces as { size: string | bigint };
  t.size = BigInt(t.size) + 1n;
}

export function removeNamespace(rt: MoveRuntime, cluster: DecodedObject, namespace: string): void {
  rt.dynamicField.remove(namespacesId(cluster), stringKey(namespace));
  const t = cluster.value.namespaces as { size: string | bigint };
  t.size = BigInt(t.size) - 1n;
}

/** `cluster::assert_version(cluster)`: the Cluster carries this package's version. */
export function assertVersion(cluster: DecodedObject): void {
  check(BigInt(cluster.value.version) === BigInt(PACKAGE_VERSION), M, 'assert_version', 'EWrongVersion');
}

/** `cluster.set_expected_pcrs(pcrs)`: new PCRs, a new enclave config version, no enclave key. Returns the version. */
export function setExpectedPcrs(cluster: DecodedObject, pcrs: Uint8Array[]): bigint {
  check(cluster.value.debug === true || pcrs.length === PCR_COUNT, M, 'set_expected_pcrs', 'EInvalidPcrs');
  const version = BigInt(cluster.value.enclave_config_version) + 1n;
  Object.assign(cluster.value, { expected_pcrs: pcrs, enclave_config_version: version, enclave_pk: new Uint8Array(), enclave_registered_ms: 0n });
  return version;
}

/** `cluster::assert_policy`. */
function assertPolicy(policy: number): void {
  check(policy === WORKER_POLICIES.approval || policy === WORKER_POLICIES.open, M, 'assert_policy', 'EInvalidPolicy');
}

/** `cluster.is_open_to_workers()`. */
export function isOpenToWorkers(cluster: DecodedObject): boolean {
  return cluster.value.worker_policy === WORKER_POLICIES.open;
}

/** `cluster::assert_request_timeout`. */
function assertRequestTimeout(ms: bigint, fn: string): void {
  check(ms > 0n && ms <= BigInt(MAX_REQUEST_TIMEOUT_MS), M, fn, 'EInvalidTimeout');
}

const create: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'create', args);
  const heartbeatTimeout = BigInt(a.heartbeat_timeout_ms);
  assertRequestTimeout(BigInt(a.request_timeout_ms), 'assert_request_timeout');
  check(heartbeatTimeout > 0n && heartbeatTimeout <= BigInt(MAX_HEARTBEAT_TIMEOUT_MS), M, 'create', 'EInvalidTimeout');
  check(BigInt(a.stake_lock_ms) <= BigInt(MAX_STAKE_LOCK_MS) && BigInt(a.unbonding_ms) <= BigInt(MAX_UNBONDING_MS), M, 'create', 'EInvalidPeriod');
  assertPolicy(a.worker_policy as number);
  check(BigInt(a.max_slash_bps) > 0n && BigInt(a.max_slash_bps) <= BigInt(MAX_SLASH_BPS), M, 'create', 'EInvalidSlashBound');
  check(a.debug || (a.expected_pcrs as Uint8Array[]).length === PCR_COUNT, M, 'create', 'EInvalidPcrs');

  const operator = normalizeAddress(rt.sender);
  const clusterId = rt.freshId();
  const stakesId = rt.freshId();
  const namespacesTableId = rt.freshId();
  const capId = rt.freshId();
  const cluster = {
    id: clusterId,
    version: BigInt(PACKAGE_VERSION),
    operator,
    name: a.name,
    api_url: a.api_url,
    ca_hash: a.ca_hash,
    min_user_stake: a.min_user_stake,
    min_write_stake: a.min_write_stake,
    min_worker_stake: a.min_worker_stake,
    stake_lock_ms: a.stake_lock_ms,
    request_timeout_ms: a.request_timeout_ms,
    heartbeat_timeout_ms: a.heartbeat_timeout_ms,
    debug: a.debug,
    expected_pcrs: a.expected_pcrs,
    enclave_config_version: 1n,
    enclave_pk: new Uint8Array(),
    enclave_registered_ms: 0n,
    gateways: [],
    stakes: { id: stakesId, size: 0n },
    namespaces: { id: namespacesTableId, size: 0n },
    read_fee: a.read_fee,
    write_fee: a.write_fee,
    revenue: { value: 0n },
    worker_policy: a.worker_policy,
    unbonding_ms: a.unbonding_ms,
    max_slash_bps: a.max_slash_bps,
    treasury: { value: 0n },
    max_session_ms: BigInt(DEFAULT_MAX_SESSION_MS),
  };
  emit(rt, M, 'ClusterCreated', {
    cluster_id: clusterId,
    cap_id: capId,
    operator,
    name: a.name,
    api_url: a.api_url,
    ca_hash: a.ca_hash,
    debug: a.debug,
    read_fee: a.read_fee,
    write_fee: a.write_fee,
    worker_policy: a.worker_policy,
    unbonding_ms: a.unbonding_ms,
    max_slash_bps: a.max_slash_bps,
  });
  rt.create(structType(rt, M, 'Cluster'), bcsForStruct(M, 'Cluster').serialize(cluster).toBytes(), { $kind: 'Shared' });
  rt.create(
    structType(rt, M, 'ClusterAdminCap'),
    bcsForStruct(M, 'ClusterAdminCap').serialize({ id: capId, cluster_id: clusterId }).toBytes(),
    { $kind: 'AddressOwner', address: operator },
  );
};

const update: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'update', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  assertCapFor(a.cap, cluster.id);
  assertRequestTimeout(BigInt(a.request_timeout_ms), 'assert_request_timeout');
  Object.assign(cluster.value, {
    api_url: a.api_url,
    ca_hash: a.ca_hash,
    min_write_stake: a.min_write_stake,
    request_timeout_ms: a.request_timeout_ms,
  });
  writeCluster(rt, cluster);
  emit(rt, M, 'ClusterUpdated', {
    cluster_id: cluster.id,
    api_url: a.api_url,
    ca_hash: a.ca_hash,
    min_write_stake: a.min_write_stake,
    request_timeout_ms: a.request_timeout_ms,
  });
};

const registerGateway: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'register_gateway', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  assertCapFor(a.cap, cluster.id);
  check(!isGateway(cluster, a.gateway), M, 'register_gateway', 'EGatewayExists');
  (cluster.value.gateways as string[]).push(a.gateway);
  writeCluster(rt, cluster);
  emit(rt, M, 'GatewayRegistered', { cluster_id: cluster.id, gateway: a.gateway });
};

const removeGateway: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'remove_gateway', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  assertCapFor(a.cap, cluster.id);
  const gateways = cluster.value.gateways as string[];
  const index = gateways.findIndex((g) => sameAddress(g, a.gateway));
  check(index >= 0, M, 'remove_gateway', 'EGatewayNotFound');
  gateways.splice(index, 1); // vector::remove keeps the order
  writeCluster(rt, cluster);
  emit(rt, M, 'GatewayRemoved', { cluster_id: cluster.id, gateway: a.gateway });
};

const migrate: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'migrate', args);
  const cluster = a.cluster as DecodedObject;
  assertCapFor(a.cap, cluster.id);
  const from = BigInt(cluster.value.version);
  check(from < BigInt(PACKAGE_VERSION), M, 'migrate', 'ENotUpgraded');
  cluster.value.version = BigInt(PACKAGE_VERSION);
  writeCluster(rt, cluster);
  emit(rt, M, 'ClusterMigrated', { cluster_id: cluster.id, from_version: from, to_version: PACKAGE_VERSION });
};

const setFees: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'set_fees', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  assertCapFor(a.cap, cluster.id);
  Object.assign(cluster.value, { read_fee: a.read_fee, write_fee: a.write_fee });
  writeCluster(rt, cluster);
  emit(rt, M, 'FeesUpdated', { cluster_id: cluster.id, read_fee: a.read_fee, write_fee: a.write_fee });
};

const setWorkerPolicy: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'set_worker_policy', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  assertCapFor(a.cap, cluster.id);
  assertPolicy(a.worker_policy as number);
  cluster.value.worker_policy = a.worker_policy;
  writeCluster(rt, cluster);
  emit(rt, M, 'WorkerPolicyUpdated', { cluster_id: cluster.id, worker_policy: a.worker_policy });
};

const setMaxSessionMs: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'set_max_session_ms', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  assertCapFor(a.cap, cluster.id);
  const ms = BigInt(a.max_session_ms);
  check(ms > 0n && ms <= BigInt(MAX_SESSION_MS), M, 'set_max_session_ms', 'EInvalidPeriod');
  cluster.value.max_session_ms = ms;
  writeCluster(rt, cluster);
  emit(rt, M, 'MaxSessionUpdated', { cluster_id: cluster.id, max_session_ms: ms });
};

const withdrawRevenue: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'withdraw_revenue', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  assertCapFor(a.cap, cluster.id);
  const amount = BigInt((cluster.value.revenue as { value: string | bigint }).value);
  cluster.value.revenue = { value: 0n };
  writeCluster(rt, cluster);
  const recipient = normalizeAddress(rt.sender);
  emit(rt, M, 'RevenueWithdrawn', { cluster_id: cluster.id, recipient, amount });
  sendCoin(rt, amount, recipient);
};

const withdrawTreasury: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'withdraw_treasury', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  assertCapFor(a.cap, cluster.id);
  const amount = BigInt((cluster.value.treasury as { value: string | bigint }).value);
  cluster.value.treasury = { value: 0n };
  writeCluster(rt, cluster);
  const recipient = normalizeAddress(rt.sender);
  emit(rt, M, 'TreasuryWithdrawn', { cluster_id: cluster.id, recipient, amount });
  sendCoin(rt, amount, recipient);
};

const MAX_SLASH_REASON = Math.max(...Object.values(SLASH_REASONS));

/** `cluster.assert_slash(stake, amount, reason)`: a known reason, and at most `max_slash_bps` of `stake`. */
export function assertSlash(cluster: DecodedObject, stake: bigint, amount: bigint, reason: number): void {
  check(reason >= 1 && reason <= MAX_SLASH_REASON, M, 'assert_slash', 'EInvalidSlashReason');
  const bound = (stake * BigInt(cluster.value.max_slash_bps)) / BigInt(MAX_SLASH_BPS);
  check(amount <= bound, M, 'assert_slash', 'ESlashTooLarge');
}

/** `cluster.add_treasury(slashed)` (the caller writes the Cluster back). */
export function addTreasury(cluster: DecodedObject, slashed: bigint): void {
  const t = cluster.value.treasury as { value: string | bigint };
  t.value = BigInt(t.value) + slashed;
}

/** `cluster.add_revenue(fee)` (the caller writes the Cluster back). */
export function addRevenue(cluster: DecodedObject, fee: bigint): void {
  const r = cluster.value.revenue as { value: string | bigint };
  r.value = BigInt(r.value) + fee;
}

export const CLUSTER_TWIN: Record<string, PackageFunction> = {
  'cluster::set_fees': setFees,
  'cluster::set_worker_policy': setWorkerPolicy,
  'cluster::set_max_session_ms': setMaxSessionMs,
  'cluster::withdraw_revenue': withdrawRevenue,
  'cluster::withdraw_treasury': withdrawTreasury,
  'cluster::migrate': migrate,
  'cluster::create': create,
  'cluster::update': update,
  'cluster::register_gateway': registerGateway,
  'cluster::remove_gateway': removeGateway,
};

