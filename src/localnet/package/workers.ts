/**
 * Twin of move/sources/workers.move: staked worker registration, enclave-issued join tokens, heartbeats, leaving
 * and slashing.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bcsForStruct } from '../../core/abi/bcs.js';
import { INTENT_JOIN_TOKEN, PACKAGE_VERSION } from '../../core/abi/package.js';
import { isDnsSubdomain } from '../../core/authz.js';
import type { MoveRuntime, PackageFunction } from '../engine/move-runtime.js';
import { addTreasury, assertCapFor, assertSlash, assertVersion, isOpenToWorkers, writeCluster } from './cluster.js';
import { verify as verifyEnclave } from './enclave.js';
import { check, coinValue, decodeArgs, emit, mutateStruct, normalizeAddress, now, sameAddress, sendCoin, structType, type DecodedObject } from './common.js';

const M = 'workers';
const KEY_LENGTH = 32;

/** `workers::assert_version(worker)`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function assertWorkerVersion(w: Record<string, any>): void {
  check(BigInt(w.version) === BigInt(PACKAGE_VERSION), M, 'assert_version', 'EWrongVersion');
}

function writeWorker(rt: MoveRuntime, worker: DecodedObject): void {
  mutateStruct(rt, worker, M, 'Worker');
}

const register: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'register', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  const payment = a.payment as DecodedObject;
  const stake = coinValue(payment);
  check(stake >= BigInt(cluster.value.min_worker_stake), M, 'register', 'EInsufficientStake');
  check(isDnsSubdomain(a.node_name as string), M, 'register', 'EInvalidNodeName');
  check((a.encryption_key as Uint8Array).length === KEY_LENGTH, M, 'register', 'EInvalidEncryptionKey');

  const nowMs = now(a.clock);
  const owner = normalizeAddress(rt.sender);
  const approved = isOpenToWorkers(cluster);
  const workerId = rt.freshId();
  rt.delete(payment.id); // coin::into_balance
  const worker = {
    id: workerId,
    version: BigInt(PACKAGE_VERSION),
    cluster_id: cluster.id,
    owner,
    node_name: a.node_name,
    encryption_key: a.encryption_key,
    stake: { value: stake },
    registered_ms: nowMs,
    last_heartbeat_ms: nowMs,
    active: true,
    join_token: new Uint8Array(),
    approved,
    leaving: false,
    withdrawable_ms: 0n,
  };
  emit(rt, M, 'WorkerRegistered', {
    worker_id: workerId,
    cluster_id: cluster.id,
    owner,
    node_name: a.node_name,
    encryption_key: a.encryption_key,
    stake,
    timestamp_ms: nowMs,
    approved,
  });
  rt.create(structType(rt, M, 'Worker'), bcsForStruct(M, 'Worker').serialize(worker).toBytes(), { $kind: 'Shared' });
};

const setJoinToken: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'set_join_token', args);
  const cluster = a.cluster as DecodedObject;
  const worker = a.worker as DecodedObject;
  const w = worker.value;
  assertVersion(cluster);
  assertWorkerVersion(w);
  check(sameAddress(w.cluster_id, cluster.id), M, 'set_join_token', 'EWrongCluster');
  check(w.active === true, M, 'set_join_token', 'EInactive');
  check(w.approved === true, M, 'set_join_token', 'ENotApproved');
  check(BigInt(w.stake.value) >= BigInt(cluster.value.min_worker_stake), M, 'set_join_token', 'EStakeBelowMinimum');
  const payload = {
    worker_id: worker.id,
    owner: w.owner,
    encryption_key: w.encryption_key,
    ciphertext_digest: sha256(a.ciphertext as Uint8Array),
  };
  verifyEnclave(cluster, INTENT_JOIN_TOKEN, BigInt(a.timestamp_ms), { struct: 'k3sdaas::workers::JoinTokenPayload' }, payload, a.signature, a.clock);
  w.join_token = a.ciphertext;
  writeWorker(rt, worker);
  emit(rt, M, 'JoinTokenSet', { worker_id: worker.id, cluster_id: w.cluster_id, ciphertext: a.ciphertext, timestamp_ms: a.timestamp_ms });
};

const heartbeat: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'heartbeat', args);
  const worker = a.worker as DecodedObject;
  const w = worker.value;
  assertWorkerVersion(w);
  check(sameAddress(w.owner, rt.sender), M, 'heartbeat', 'ENotOwner');
  check(w.active === true, M, 'heartbeat', 'EInactive');
  const timestampMs = now(a.clock);
  w.last_heartbeat_ms = timestampMs;
  writeWorker(rt, worker);
  emit(rt, M, 'WorkerHeartbeat', { worker_id: worker.id, cluster_id: w.cluster_id, timestamp_ms: timestampMs });
};

const markInactive: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'mark_inactive', args);
  const cluster = a.cluster as DecodedObject;
  const worker = a.worker as DecodedObject;
  const w = worker.value;
  assertVersion(cluster);
  assertWorkerVersion(w);
  check(sameAddress(w.cluster_id, cluster.id), M, 'mark_inactive', 'EWrongCluster');
  check(w.active === true, M, 'mark_inactive', 'EInactive');
  const timestampMs = now(a.clock);
  check(timestampMs > BigInt(w.last_heartbeat_ms) + BigInt(cluster.value.heartbeat_timeout_ms), M, 'mark_inactive', 'EHeartbeatNotExpired');
  w.active = false;
  writeWorker(rt, worker);
  emit(rt, M, 'WorkerInactive', {
    worker_id: worker.id,
    cluster_id: w.cluster_id,
    last_heartbeat_ms: w.last_heartbeat_ms,
    timestamp_ms: timestampMs,
  });
};

const approve: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'approve', args);
  const worker = a.worker as DecodedObject;
  const w = worker.value;
  assertWorkerVersion(w);
  assertCapFor(a.cap, w.cluster_id);
  check(w.active === true, M, 'approve', 'EInactive');
  check(w.approved !== true, M, 'approve', 'EAlreadyApproved');
  w.approved = true;
  writeWorker(rt, worker);
  emit(rt, M, 'WorkerApproved', { worker_id: worker.id, cluster_id: w.cluster_id });
};

const leave: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'leave', args);
  const cluster = a.cluster as DecodedObject;
  const worker = a.worker as DecodedObject;
  const w = worker.value;
  assertVersion(cluster);
  assertWorkerVersion(w);
  check(sameAddress(w.owner, rt.sender), M, 'leave', 'ENotOwner');
  check(sameAddress(w.cluster_id, cluster.id), M, 'leave', 'EWrongCluster');
  check(w.leaving !== true, M, 'leave', 'EAlreadyLeaving');
  const withdrawableMs = now(a.clock) + BigInt(cluster.value.unbonding_ms);
  w.active = false;
  w.leaving = true;
  w.withdrawable_ms = withdrawableMs;
  writeWorker(rt, worker);
  emit(rt, M, 'WorkerLeaving', { worker_id: worker.id, cluster_id: w.cluster_id, owner: w.owner, withdrawable_ms: withdrawableMs });
};

const withdraw: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'withdraw', args);
  const worker = a.worker as DecodedObject;
  const w = worker.value;
  assertWorkerVersion(w);
  check(sameAddress(w.owner, rt.sender), M, 'withdraw', 'ENotOwner');
  check(w.leaving === true, M, 'withdraw', 'ENotLeaving');
  check(now(a.clock) >= BigInt(w.withdrawable_ms), M, 'withdraw', 'EUnbonding');
  rt.delete(worker.id);
  const amount = BigInt(w.stake.value);
  emit(rt, M, 'WorkerLeft', { worker_id: worker.id, cluster_id: w.cluster_id, owner: w.owner, amount });
  sendCoin(rt, amount, w.owner);
};

const slash: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'slash', args);
  const cluster = a.cluster as DecodedObject;
  const worker = a.worker as DecodedObject;
  const w = worker.value;
  assertVersion(cluster);
  assertWorkerVersion(w);
  const amount = BigInt(a.amount);
  assertCapFor(a.cap, cluster.id);
  check(sameAddress(w.cluster_id, cluster.id), M, 'slash', 'EWrongCluster');
  const balance = BigInt(w.stake.value);
  assertSlash(cluster, balance, amount, a.reason as number);
  w.stake = { value: balance - amount };
  writeWorker(rt, worker);
  addTreasury(cluster, amount);
  writeCluster(rt, cluster);
  emit(rt, M, 'WorkerSlashed', { worker_id: worker.id, cluster_id: w.cluster_id, amount, reason: a.reason, remaining: balance - amount });
};

const migrate: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'migrate', args);
  const worker = a.worker as DecodedObject;
  const w = worker.value;
  assertCapFor(a.cap, w.cluster_id);
  const from = BigInt(w.version);
  check(from < BigInt(PACKAGE_VERSION), M, 'migrate', 'ENotUpgraded');
  w.version = BigInt(PACKAGE_VERSION);
  writeWorker(rt, worker);
  emit(rt, M, 'WorkerMigrated', { worker_id: worker.id, cluster_id: w.cluster_id, from_version: from, to_version: PACKAGE_VERSION });
};

export const WORKERS_TWIN: Record<string, PackageFunction> = {
  'workers::migrate': migrate,
  'workers::register': register,
  'workers::set_join_token': setJoinToken,
  'workers::heartbeat': heartbeat,
  'workers::mark_inactive': markInactive,
  'workers::approve': approve,
  'workers::leave': leave,
  'workers::withdraw': withdraw,
  'workers::slash': slash,
};
