/**
 * Twin of move/sources/access.move: SealTokens backed by stakes in the Cluster's table, and the authorization of
 * a request (the rules themselves are src/core/authz.ts, shared with the clients).
 */
import { bcsForStruct } from '../../core/abi/bcs.js';
import { authorizeRole } from '../../core/authz.js';
import { errorName } from '../../core/abi/package.js';
import { MoveAbortError, type MoveRuntime, type PackageFunction } from '../engine/move-runtime.js';
import { addStake, assertCapFor, getStake, putStake, removeStake, writeCluster } from './cluster.js';
import {
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
    method,
    path,
    stakeAmount: BigInt(stake.balance.value),
    minWriteStake: BigInt(cluster.value.min_write_stake),
  });
  if (!result.ok) throw new MoveAbortError(M, 'authorize', result.code, errorName(M, result.code));
  return { role: stake.role, namespace: result.namespace, resource: result.resource };
}

const stake: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'stake', args);
  const cluster = a.cluster as DecodedObject;
  const payment = a.payment as DecodedObject;
  const role = a.role as number;
  check(role <= ROLE_ADMIN, M, 'stake', 'EInvalidRole');
  const amount = coinValue(payment);
  check(amount >= BigInt(cluster.value.min_user_stake), M, 'stake', 'EInsufficientStake');

  const owner = normalizeAddress(rt.sender);
  const tokenId = rt.freshId();
  const lockedUntil = now(a.clock) + BigInt(cluster.value.stake_lock_ms);
  rt.delete(payment.id); // coin::into_balance
  addStake(rt, cluster, tokenId, { owner, role, balance: { value: amount }, locked_until_ms: lockedUntil });
  writeCluster(rt, cluster);
  emit(rt, M, 'Staked', { cluster_id: cluster.id, token_id: tokenId, owner, role, amount, locked_until_ms: lockedUntil });
  rt.create(
    structType(rt, M, 'SealToken'),
    bcsForStruct(M, 'SealToken').serialize({ id: tokenId, cluster_id: cluster.id, role }).toBytes(),
    { $kind: 'AddressOwner', address: owner },
  );
};

const unstake: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'unstake', args);
  const cluster = a.cluster as DecodedObject;
  const token = a.token as DecodedObject;
  assertClusterId(token.value.cluster_id, cluster);
  const tokenId = token.id;
  const entry = getStake(rt, cluster, tokenId);
  check(entry !== undefined, M, 'unstake', 'EUnknownToken');
  check(now(a.clock) >= BigInt(entry.locked_until_ms), M, 'unstake', 'EStakeLocked');

  removeStake(rt, cluster, tokenId);
  writeCluster(rt, cluster);
  const amount = BigInt(entry.balance.value);
  const owner = normalizeAddress(rt.sender);
  rt.delete(tokenId);
  emit(rt, M, 'Unstaked', { cluster_id: token.value.cluster_id, token_id: tokenId, owner, amount });
  sendCoin(rt, amount, owner);
};

const slash: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'slash', args);
  const cluster = a.cluster as DecodedObject;
  const tokenId = a.token_id as string;
  assertCapFor(a.cap, cluster.id);
  const entry = getStake(rt, cluster, tokenId);
  check(entry !== undefined, M, 'slash', 'EUnknownToken');
  const balance = BigInt(entry.balance.value);
  const requested = BigInt(a.amount);
  const taken = requested < balance ? requested : balance;
  putStake(rt, cluster, tokenId, { ...entry, balance: { value: balance - taken } });
  writeCluster(rt, cluster); // &mut input: a new version even though only the table entry changed
  emit(rt, M, 'Slashed', { cluster_id: cluster.id, token_id: tokenId, amount: taken });
  sendCoin(rt, taken, normalizeAddress(rt.sender));
};

export const ACCESS_TWIN: Record<string, PackageFunction> = {
  'access::stake': stake,
  'access::unstake': unstake,
  'access::slash': slash,
};
