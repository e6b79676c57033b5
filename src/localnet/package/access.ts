/**
 * Twin of move/sources/access.move: SealTokens backed by stakes in the Cluster's table (tenant namespaces claimed
 * when staking, cluster roles granted by the cap, prepaid fees), and the authorization of a request (the rules
 * themselves are src/core/authz.ts, shared with the clients).
 */
import { bcsForStruct } from '../../core/abi/bcs.js';
import { isDnsLabel, isReservedNamespace, authorizeRole } from '../../core/authz.js';
import { errorName, ROLE_TENANT } from '../../core/abi/package.js';
import { MoveAbortError, type MoveRuntime, type PackageFunction } from '../engine/move-runtime.js';
import { addNamespace, addStake, addTreasury, assertCapFor, assertSlash, assertVersion, getStake, namespaceHolder, putStake, removeNamespace, removeStake, writeCluster, type StakeValue } from './cluster.js';
import {
  abort,
  check,
  coinValue,
  decodeArgs,
  emit,
  normalizeAddress,
  now,
  sameAddress,
  sendCoin,
  structType,
  type DecodedObject,
} from './common.js';

const M = 'access';
const ROLE_ADMIN = 2;

/** `access::assert_cluster_id(cluster_id, cluster)` (also behind `assert_token_cluster`). */
export function assertClusterId(clusterId: string, cluster: DecodedObject): void {
  check(sameAddress(clusterId, cluster.id), M, 'assert_cluster_id', 'EWrongCluster');
}

/** `access::assert_token_owner(cluster, token_id, owner)`. */
export function assertTokenOwner(rt: MoveRuntime, cluster: DecodedObject, tokenId: string, owner: string): void {
  const stake = getStake(rt, cluster, tokenId);
  check(stake !== undefined, M, 'assert_token_owner', 'EUnknownToken');
  check(sameAddress(stake.owner, owner), M, 'assert_token_owner', 'ENotTokenOwner');
}

/**
 * `access::authorize(cluster, token_id, method, path)`: `(role, namespace, resource)`. `method` and `path` must
 * already be valid (request checks them with its own codes).
 */
export function authorize(
  rt: MoveRuntime,
  cluster: DecodedObject,
  tokenId: string,
  method: string,
  path: string,
): { role: number; namespace: string; resource: string } {
  const stake = getStake(rt, cluster, tokenId);
  check(stake !== undefined, M, 'authorize', 'EUnknownToken');
  const result = authorizeRole({
    role: stake.role,
    namespace: stake.namespace,
    method,
    path,
    stakeAmount: BigInt(stake.balance.value),
    minUserStake: BigInt(cluster.value.min_user_stake),
    minWriteStake: BigInt(cluster.value.min_write_stake),
  });
  if (!result.ok) throw new MoveAbortError(M, 'authorize', result.code, errorName(M, result.code));
  return { role: stake.role, namespace: result.namespace, resource: result.resource };
}

/** `access::charge(cluster, token_id, method)`: takes the fee from the token's prepaid fees; returns it. */
export function charge(rt: MoveRuntime, cluster: DecodedObject, tokenId: string, method: string): bigint {
  const read = method === 'GET' || method === 'HEAD';
  const fee = BigInt(read ? cluster.value.read_fee : cluster.value.write_fee);
  const entry = getStake(rt, cluster, tokenId)!;
  const prepaid = BigInt(entry.prepaid.value);
  check(prepaid >= fee, M, 'charge', 'EInsufficientBalance');
  putStake(rt, cluster, tokenId, { ...entry, prepaid: { value: prepaid - fee } });
  return fee;
}

/** `access::assert_claimable(cluster, namespace)`. */
function assertClaimable(rt: MoveRuntime, cluster: DecodedObject, namespace: string): void {
  const fn = 'assert_claimable';
  check(isDnsLabel(namespace), M, fn, 'EInvalidNamespace');
  check(!isReservedNamespace(namespace), M, fn, 'EReservedNamespace');
  const holder = namespaceHolder(rt, cluster, namespace);
  if (holder !== undefined) {
    check(!sameAddress(holder, cluster.id), M, fn, 'EReservedNamespace');
    abort(M, fn, 'ENamespaceTaken');
  }
}

/** `access::new_token`: the stake entry, `Staked`, the token sent to the sender; returns the token id. */
function newToken(rt: MoveRuntime, cluster: DecodedObject, payment: DecodedObject, namespace: string, role: number, clock: DecodedObject): string {
  const amount = coinValue(payment);
  const owner = normalizeAddress(rt.sender);
  const tokenId = rt.freshId();
  const lockedUntil = now(clock) + BigInt(cluster.value.stake_lock_ms);
  rt.delete(payment.id); // coin::into_balance
  const stake: StakeValue = { owner, role, namespace, balance: { value: amount }, prepaid: { value: 0n }, locked_until_ms: lockedUntil };
  addStake(rt, cluster, tokenId, stake);
  emit(rt, M, 'Staked', { cluster_id: cluster.id, token_id: tokenId, owner, namespace, role, amount, locked_until_ms: lockedUntil });
  rt.create(
    structType(rt, M, 'SealToken'),
    bcsForStruct(M, 'SealToken').serialize({ id: tokenId, cluster_id: cluster.id, namespace }).toBytes(),
    { $kind: 'AddressOwner', address: owner },
  );
  return tokenId;
}

const stake: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'stake', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  const payment = a.payment as DecodedObject;
  const namespace = a.namespace as string;
  check(coinValue(payment) >= BigInt(cluster.value.min_user_stake), M, 'stake', 'EInsufficientStake');
  assertClaimable(rt, cluster, namespace);
  const tokenId = newToken(rt, cluster, payment, namespace, ROLE_TENANT, a.clock);
  addNamespace(rt, cluster, namespace, tokenId);
  writeCluster(rt, cluster);
  emit(rt, M, 'NamespaceClaimed', { cluster_id: cluster.id, token_id: tokenId, owner: normalizeAddress(rt.sender), namespace });
};

const stakeGranted: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'stake_granted', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  const payment = a.payment as DecodedObject;
  const role = a.role as number;
  assertCapFor(a.cap, cluster.id);
  check(role <= ROLE_ADMIN, M, 'stake_granted', 'EInvalidRole');
  check(coinValue(payment) >= BigInt(cluster.value.min_user_stake), M, 'stake_granted', 'EInsufficientStake');
  const tokenId = newToken(rt, cluster, payment, '', role, a.clock);
  writeCluster(rt, cluster);
  emit(rt, M, 'RoleGranted', { cluster_id: cluster.id, token_id: tokenId, role });
};

const grant: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'grant', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  const tokenId = a.token_id as string;
  const role = a.role as number;
  assertCapFor(a.cap, cluster.id);
  check(role <= ROLE_ADMIN, M, 'grant', 'EInvalidRole');
  const entry = getStake(rt, cluster, tokenId);
  check(entry !== undefined, M, 'grant', 'EUnknownToken');
  putStake(rt, cluster, tokenId, { ...entry, role });
  writeCluster(rt, cluster);
  emit(rt, M, 'RoleGranted', { cluster_id: cluster.id, token_id: tokenId, role });
};

const revoke: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'revoke', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  const tokenId = a.token_id as string;
  assertCapFor(a.cap, cluster.id);
  const entry = getStake(rt, cluster, tokenId);
  check(entry !== undefined, M, 'revoke', 'EUnknownToken');
  check(entry.role !== ROLE_TENANT, M, 'revoke', 'ENoRole');
  putStake(rt, cluster, tokenId, { ...entry, role: ROLE_TENANT });
  writeCluster(rt, cluster);
  emit(rt, M, 'RoleRevoked', { cluster_id: cluster.id, token_id: tokenId, role: entry.role });
};

const reserveNamespace: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'reserve_namespace', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  const namespace = a.namespace as string;
  assertCapFor(a.cap, cluster.id);
  check(isDnsLabel(namespace), M, 'reserve_namespace', 'EInvalidNamespace');
  check(namespaceHolder(rt, cluster, namespace) === undefined, M, 'reserve_namespace', 'ENamespaceTaken');
  addNamespace(rt, cluster, namespace, cluster.id);
  writeCluster(rt, cluster);
  emit(rt, M, 'NamespaceReserved', { cluster_id: cluster.id, namespace });
};

const topup: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'topup', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  const tokenId = a.token_id as string;
  const payment = a.payment as DecodedObject;
  const entry = getStake(rt, cluster, tokenId);
  check(entry !== undefined, M, 'topup', 'EUnknownToken');
  const amount = coinValue(payment);
  rt.delete(payment.id); // coin::into_balance
  const prepaid = BigInt(entry.prepaid.value) + amount;
  putStake(rt, cluster, tokenId, { ...entry, prepaid: { value: prepaid } });
  writeCluster(rt, cluster);
  emit(rt, M, 'ToppedUp', { cluster_id: cluster.id, token_id: tokenId, amount, prepaid });
};

const unstake: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'unstake', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  const token = a.token as DecodedObject;
  assertClusterId(token.value.cluster_id, cluster);
  const tokenId = token.id;
  const entry = getStake(rt, cluster, tokenId);
  check(entry !== undefined, M, 'unstake', 'EUnknownToken');
  check(now(a.clock) >= BigInt(entry.locked_until_ms), M, 'unstake', 'EStakeLocked');

  removeStake(rt, cluster, tokenId);
  const amount = BigInt(entry.balance.value);
  const prepaid = BigInt(entry.prepaid.value);
  const owner = normalizeAddress(rt.sender);
  const namespace = token.value.namespace as string;
  rt.delete(tokenId);
  if (namespace !== '') {
    removeNamespace(rt, cluster, namespace);
    emit(rt, M, 'NamespaceReleased', { cluster_id: token.value.cluster_id, token_id: tokenId, namespace });
  }
  writeCluster(rt, cluster);
  emit(rt, M, 'Unstaked', { cluster_id: token.value.cluster_id, token_id: tokenId, owner, amount, prepaid });
  sendCoin(rt, amount + prepaid, owner);
};

const slash: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'slash', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  const tokenId = a.token_id as string;
  const amount = BigInt(a.amount);
  assertCapFor(a.cap, cluster.id);
  const entry = getStake(rt, cluster, tokenId);
  check(entry !== undefined, M, 'slash', 'EUnknownToken');
  const balance = BigInt(entry.balance.value);
  assertSlash(cluster, balance, amount, a.reason as number);
  putStake(rt, cluster, tokenId, { ...entry, balance: { value: balance - amount } });
  addTreasury(cluster, amount);
  writeCluster(rt, cluster);
  emit(rt, M, 'Slashed', { cluster_id: cluster.id, token_id: tokenId, amount, reason: a.reason, remaining: balance - amount });
};

export const ACCESS_TWIN: Record<string, PackageFunction> = {
  'access::stake': stake,
  'access::stake_granted': stakeGranted,
  'access::grant': grant,
  'access::revoke': revoke,
  'access::reserve_namespace': reserveNamespace,
  'access::topup': topup,
  'access::unstake': unstake,
  'access::slash': slash,
};
