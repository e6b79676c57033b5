import { describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  ENCLAVE_SECRET,
  HEARTBEAT_TIMEOUT_MS,
  MIN_WORKER_STAKE,
  OPERATOR,
  OTHER,
  T0,
  TestEnv,
  WORKER,
  WORKER_KEY,
  enclaveSign,
  expectAbort,
  UNBONDING_MS,
  MAX_SLASH_BPS,
} from './testing.js';

const CIPHERTEXT = new TextEncoder().encode('k3s join token ciphertext');
const JOIN = { struct: 'k3sdaas::workers::JoinTokenPayload' } as const;

function withWorker() {
  const env = TestEnv.setup();
  const worker = env.registerWorker();
  return { env, worker };
}

function joinArgs(env: TestEnv, worker: string, over: { ciphertext?: Uint8Array; timestamp_ms?: bigint; secret?: Uint8Array; owner?: string } = {}) {
  const w = env.read(worker);
  const ciphertext = over.ciphertext ?? CIPHERTEXT;
  const ts = over.timestamp_ms ?? env.chain.clockMs;
  const signature = enclaveSign(
    1,
    ts,
    JOIN,
    { worker_id: worker, owner: over.owner ?? w.owner, encryption_key: w.encryption_key, ciphertext_digest: sha256(ciphertext) },
    over.secret ?? ENCLAVE_SECRET,
  );
  return { cluster: env.clusterId, worker, ciphertext, timestamp_ms: ts, signature };
}

describe('workers::register', () => {
  it('shares a Worker holding the stake and emits WorkerRegistered', () => {
    const env = TestEnv.setup();
    const payment = env.chain.mintCoin(WORKER, MIN_WORKER_STAKE + 5n);
    const fx = env.chain.call(WORKER, 'workers::register', { cluster: env.clusterId, payment, node_name: 'worker-1', encryption_key: WORKER_KEY });
    expect(fx.deleted).toEqual([payment]);
    expect(fx.mutated).toEqual([]);
    expect(fx.created).toHaveLength(1);
    const w = fx.created[0];
    expect(w.type).toBe(env.chain.typeOf('workers', 'Worker'));
    expect(w.owner).toEqual({ $kind: 'Shared' });
    expect(env.read(w.id)).toEqual({
      id: w.id,
      version: '1',
      cluster_id: env.clusterId,
      owner: WORKER,
      node_name: 'worker-1',
      encryption_key: WORKER_KEY,
      stake: { value: String(MIN_WORKER_STAKE + 5n) },
      registered_ms: String(T0),
      last_heartbeat_ms: String(T0),
      active: true,
      join_token: new Uint8Array(),
      approved: true, // the fixture cluster is open
      leaving: false,
      withdrawable_ms: '0',
    });
    expect(fx.events).toHaveLength(1);
    expect(fx.events[0].type).toBe(env.chain.typeOf('workers', 'WorkerRegistered'));
    expect(fx.events[0].data).toEqual({
      worker_id: w.id,
      cluster_id: env.clusterId,
      owner: WORKER,
      node_name: 'worker-1',
      encryption_key: WORKER_KEY,
      stake: String(MIN_WORKER_STAKE + 5n),
      timestamp_ms: String(T0),
      approved: true,
    });
  });

  it('aborts EInsufficientStake, EInvalidNodeName, EInvalidEncryptionKey in that order', () => {
    const env = TestEnv.setup();
    const reg = (amount: bigint, node_name: string, encryption_key: Uint8Array) =>
      env.chain.abort(WORKER, 'workers::register', { cluster: env.clusterId, payment: env.chain.mintCoin(WORKER, amount), node_name, encryption_key });
    expectAbort(reg(MIN_WORKER_STAKE - 1n, '', new Uint8Array()), 'workers', 'register', 'EInsufficientStake');
    expectAbort(reg(MIN_WORKER_STAKE, '', new Uint8Array()), 'workers', 'register', 'EInvalidNodeName');
    expectAbort(reg(MIN_WORKER_STAKE, 'n'.repeat(64), WORKER_KEY), 'workers', 'register', 'EInvalidNodeName');
    expectAbort(reg(MIN_WORKER_STAKE, 'é'.repeat(32), WORKER_KEY), 'workers', 'register', 'EInvalidNodeName'); // 64 bytes
    expectAbort(reg(MIN_WORKER_STAKE, 'n', new Uint8Array(31)), 'workers', 'register', 'EInvalidEncryptionKey');
    env.chain.call(WORKER, 'workers::register', {
      cluster: env.clusterId,
      payment: env.chain.mintCoin(WORKER, MIN_WORKER_STAKE),
      node_name: 'n'.repeat(63),
      encryption_key: WORKER_KEY,
    });
  });
});

describe('workers::set_join_token', () => {
  it('stores the enclave-signed ciphertext and emits JoinTokenSet', () => {
    const { env, worker } = withWorker();
    env.chain.clockMs += 2_000n;
    const args = joinArgs(env, worker);
    const fx = env.chain.call(OTHER, 'workers::set_join_token', args);
    expect(fx.mutated).toEqual([worker]);
    expect(env.read(worker).join_token).toEqual(CIPHERTEXT);
    expect(fx.events).toHaveLength(1);
    expect(fx.events[0].type).toBe(env.chain.typeOf('workers', 'JoinTokenSet'));
    expect(fx.events[0].data).toEqual({ worker_id: worker, cluster_id: env.clusterId, ciphertext: CIPHERTEXT, timestamp_ms: String(T0 + 2_000n) });
  });

  it('aborts EWrongCluster for another cluster (first), EInactive for an inactive worker', () => {
    const { env, worker } = withWorker();
    const other = TestEnv.setup();
    env.chain.put(other.chain.get(other.clusterId));
    expectAbort(env.chain.abort(OTHER, 'workers::set_join_token', { ...joinArgs(env, worker), cluster: other.clusterId }), 'workers', 'set_join_token', 'EWrongCluster');
    env.chain.clockMs += HEARTBEAT_TIMEOUT_MS + 1n;
    env.chain.call(OTHER, 'workers::mark_inactive', { cluster: env.clusterId, worker });
    expectAbort(env.chain.abort(OTHER, 'workers::set_join_token', joinArgs(env, worker)), 'workers', 'set_join_token', 'EInactive');
  });

  it('aborts enclave::* for a bad signature, stale timestamp or missing enclave', () => {
    const { env, worker } = withWorker();
    expectAbort(env.chain.abort(OTHER, 'workers::set_join_token', joinArgs(env, worker, { secret: new Uint8Array(32).fill(3) })), 'enclave', 'verify', 'EInvalidSignature');
    expectAbort(env.chain.abort(OTHER, 'workers::set_join_token', joinArgs(env, worker, { owner: OTHER })), 'enclave', 'verify', 'EInvalidSignature');
    const args = joinArgs(env, worker);
    expectAbort(env.chain.abort(OTHER, 'workers::set_join_token', { ...args, ciphertext: new Uint8Array([1]) }), 'enclave', 'verify', 'EInvalidSignature');
    expectAbort(env.chain.abort(OTHER, 'workers::set_join_token', joinArgs(env, worker, { timestamp_ms: T0 - 60_001n })), 'enclave', 'assert_fresh', 'EStaleTimestamp');
    const bare = TestEnv.create(true);
    const w = bare.registerWorker();
    expectAbort(bare.chain.abort(OTHER, 'workers::set_join_token', joinArgs(bare, w)), 'enclave', 'verify', 'ENoEnclave');
  });
});

describe('workers::heartbeat', () => {
  it('records the time and emits WorkerHeartbeat', () => {
    const { env, worker } = withWorker();
    env.chain.clockMs += 10_000n;
    const fx = env.chain.call(WORKER, 'workers::heartbeat', { worker });
    expect(fx.mutated).toEqual([worker]);
    expect(env.read(worker).last_heartbeat_ms).toBe(String(T0 + 10_000n));
    expect(fx.events[0]).toMatchObject({ name: 'WorkerHeartbeat', data: { worker_id: worker, cluster_id: env.clusterId, timestamp_ms: String(T0 + 10_000n) } });
  });

  it('aborts ENotOwner for anyone else (before EInactive), EInactive once inactive', () => {
    const { env, worker } = withWorker();
    env.chain.clockMs += HEARTBEAT_TIMEOUT_MS + 1n;
    env.chain.call(OTHER, 'workers::mark_inactive', { cluster: env.clusterId, worker });
    expectAbort(env.chain.abort(OTHER, 'workers::heartbeat', { worker }), 'workers', 'heartbeat', 'ENotOwner');
    expectAbort(env.chain.abort(WORKER, 'workers::heartbeat', { worker }), 'workers', 'heartbeat', 'EInactive');
  });
});

describe('workers::mark_inactive', () => {
  it('marks a silent worker inactive and emits WorkerInactive', () => {
    const { env, worker } = withWorker();
    env.chain.clockMs += HEARTBEAT_TIMEOUT_MS + 1n;
    const fx = env.chain.call(OTHER, 'workers::mark_inactive', { cluster: env.clusterId, worker });
    expect(env.read(worker).active).toBe(false);
    expect(fx.events[0]).toMatchObject({
      name: 'WorkerInactive',
      data: { worker_id: worker, cluster_id: env.clusterId, last_heartbeat_ms: String(T0), timestamp_ms: String(T0 + HEARTBEAT_TIMEOUT_MS + 1n) },
    });
  });

  it('aborts EHeartbeatNotExpired up to last heartbeat + timeout', () => {
    const { env, worker } = withWorker();
    env.chain.clockMs += HEARTBEAT_TIMEOUT_MS;
    expectAbort(env.chain.abort(OTHER, 'workers::mark_inactive', { cluster: env.clusterId, worker }), 'workers', 'mark_inactive', 'EHeartbeatNotExpired');
  });

  it('aborts EWrongCluster, then EInactive', () => {
    const { env, worker } = withWorker();
    const other = TestEnv.setup();
    env.chain.put(other.chain.get(other.clusterId));
    expectAbort(env.chain.abort(OTHER, 'workers::mark_inactive', { cluster: other.clusterId, worker }), 'workers', 'mark_inactive', 'EWrongCluster');
    env.chain.clockMs += HEARTBEAT_TIMEOUT_MS + 1n;
    env.chain.call(OTHER, 'workers::mark_inactive', { cluster: env.clusterId, worker });
    expectAbort(env.chain.abort(OTHER, 'workers::mark_inactive', { cluster: env.clusterId, worker }), 'workers', 'mark_inactive', 'EInactive');
  });
});

describe('workers::leave and withdraw', () => {
  it('leave starts unbonding (inactive, WorkerLeaving); withdraw after it returns the stake, deletes the Worker and emits WorkerLeft', () => {
    const { env, worker } = withWorker();
    env.chain.clockMs += HEARTBEAT_TIMEOUT_MS + 1n;
    env.chain.call(OTHER, 'workers::mark_inactive', { cluster: env.clusterId, worker }); // also when inactive
    const leaving = env.chain.call(WORKER, 'workers::leave', { cluster: env.clusterId, worker });
    const until = env.chain.clockMs + UNBONDING_MS;
    expect(leaving.events[0]).toMatchObject({ name: 'WorkerLeaving', data: { worker_id: worker, cluster_id: env.clusterId, owner: WORKER, withdrawable_ms: String(until) } });
    expect(env.read(worker)).toMatchObject({ active: false, leaving: true, withdrawable_ms: String(until) });
    env.chain.clockMs = until - 1n;
    expectAbort(env.chain.abort(WORKER, 'workers::withdraw', { worker }), 'workers', 'withdraw', 'EUnbonding');
    // a slash still reaches the unbonding stake
    env.chain.call(OPERATOR, 'workers::slash', { cap: env.capId, cluster: env.clusterId, worker, amount: 100n, reason: 3 });
    env.chain.clockMs = until;
    const fx = env.chain.call(WORKER, 'workers::withdraw', { worker });
    expect(fx.deleted).toEqual([worker]);
    expect(env.chain.has(worker)).toBe(false);
    expect(fx.created[0].owner).toEqual({ $kind: 'AddressOwner', address: WORKER });
    expect(env.chain.coinValue(fx.created[0].id)).toBe(MIN_WORKER_STAKE - 100n);
    expect(fx.events[0]).toMatchObject({ name: 'WorkerLeft', data: { worker_id: worker, cluster_id: env.clusterId, owner: WORKER, amount: String(MIN_WORKER_STAKE - 100n) } });
  });

  it('leave aborts ENotOwner, EWrongCluster, EAlreadyLeaving; withdraw ENotOwner, ENotLeaving', () => {
    const { env, worker } = withWorker();
    const other = TestEnv.create(true);
    env.chain.put(other.chain.get(other.clusterId));
    expectAbort(env.chain.abort(WORKER, 'workers::withdraw', { worker }), 'workers', 'withdraw', 'ENotLeaving');
    expectAbort(env.chain.abort(OTHER, 'workers::leave', { cluster: env.clusterId, worker }), 'workers', 'leave', 'ENotOwner');
    expectAbort(env.chain.abort(WORKER, 'workers::leave', { cluster: other.clusterId, worker }), 'workers', 'leave', 'EWrongCluster');
    env.chain.call(WORKER, 'workers::leave', { cluster: env.clusterId, worker });
    expectAbort(env.chain.abort(WORKER, 'workers::leave', { cluster: env.clusterId, worker }), 'workers', 'leave', 'EAlreadyLeaving');
    expectAbort(env.chain.abort(OTHER, 'workers::withdraw', { worker }), 'workers', 'withdraw', 'ENotOwner');
    expectAbort(env.chain.abort(OPERATOR, 'workers::set_join_token', joinArgs(env, worker)), 'workers', 'set_join_token', 'EInactive');
  });
});

describe('approval', () => {
  it('on an approval cluster a worker gets no join token until approve (WorkerApproved)', () => {
    const env = TestEnv.setup();
    env.chain.call(OPERATOR, 'cluster::set_worker_policy', { cap: env.capId, cluster: env.clusterId, worker_policy: 0 });
    const worker = env.registerWorker();
    expect(env.read(worker).approved).toBe(false);
    expectAbort(env.chain.abort(OPERATOR, 'workers::set_join_token', joinArgs(env, worker)), 'workers', 'set_join_token', 'ENotApproved');
    const fx = env.chain.call(OPERATOR, 'workers::approve', { cap: env.capId, worker });
    expect(fx.events[0]).toMatchObject({ name: 'WorkerApproved', data: { worker_id: worker, cluster_id: env.clusterId } });
    env.chain.call(OPERATOR, 'workers::set_join_token', joinArgs(env, worker));
    expectAbort(env.chain.abort(OPERATOR, 'workers::approve', { cap: env.capId, worker }), 'workers', 'approve', 'EAlreadyApproved');
  });

  it('approve aborts EWrongCap, EInactive; set_policy aborts EInvalidPolicy', () => {
    const env = TestEnv.setup();
    env.chain.call(OPERATOR, 'cluster::set_worker_policy', { cap: env.capId, cluster: env.clusterId, worker_policy: 0 });
    expectAbort(env.chain.abort(OPERATOR, 'cluster::set_worker_policy', { cap: env.capId, cluster: env.clusterId, worker_policy: 2 }), 'cluster', 'assert_policy', 'EInvalidPolicy');
    const worker = env.registerWorker();
    const other = TestEnv.create(true);
    env.chain.put({ ...other.chain.get(other.capId), owner: { $kind: 'AddressOwner', address: OPERATOR } });
    expectAbort(env.chain.abort(OPERATOR, 'workers::approve', { cap: other.capId, worker }), 'cluster', 'assert_cap_for', 'EWrongCap');
    env.chain.clockMs += HEARTBEAT_TIMEOUT_MS + 1n;
    env.chain.call(OTHER, 'workers::mark_inactive', { cluster: env.clusterId, worker });
    expectAbort(env.chain.abort(OPERATOR, 'workers::approve', { cap: env.capId, worker }), 'workers', 'approve', 'EInactive');
  });

  it('a worker slashed below the minimum gets no join token (EStakeBelowMinimum)', () => {
    const { env, worker } = withWorker();
    env.chain.call(OPERATOR, 'workers::slash', { cap: env.capId, cluster: env.clusterId, worker, amount: 1n, reason: 4 });
    expectAbort(env.chain.abort(OPERATOR, 'workers::set_join_token', joinArgs(env, worker)), 'workers', 'set_join_token', 'EStakeBelowMinimum');
  });
});

describe('workers::slash', () => {
  it('moves at most max_slash_bps of the stake to the treasury, naming a reason; emits WorkerSlashed', () => {
    const { env, worker } = withWorker();
    const fx = env.chain.call(OPERATOR, 'workers::slash', { cap: env.capId, cluster: env.clusterId, worker, amount: 300n, reason: 3 });
    expect(fx.mutated.sort()).toEqual([env.clusterId, worker].sort());
    expect(env.read(worker).stake.value).toBe(String(MIN_WORKER_STAKE - 300n));
    expect(fx.created).toEqual([]);
    expect(env.read(env.clusterId).treasury.value).toBe('300');
    expect(fx.events[0]).toMatchObject({ name: 'WorkerSlashed', data: { worker_id: worker, cluster_id: env.clusterId, amount: '300', reason: 3, remaining: String(MIN_WORKER_STAKE - 300n) } });
    const bound = ((MIN_WORKER_STAKE - 300n) * MAX_SLASH_BPS) / 10_000n;
    expectAbort(
      env.chain.abort(OPERATOR, 'workers::slash', { cap: env.capId, cluster: env.clusterId, worker, amount: bound + 1n, reason: 3 }),
      'cluster',
      'assert_slash',
      'ESlashTooLarge',
    );
    expectAbort(env.chain.abort(OPERATOR, 'workers::slash', { cap: env.capId, cluster: env.clusterId, worker, amount: 1n, reason: 0 }), 'cluster', 'assert_slash', 'EInvalidSlashReason');
  });

  it('aborts cluster::EWrongCap with another cluster\'s cap, then EWrongCluster for a worker of another cluster', () => {
    const { env, worker } = withWorker();
    const other = TestEnv.create(true);
    env.chain.put({ ...other.chain.get(other.capId), owner: { $kind: 'AddressOwner', address: OPERATOR } });
    env.chain.put(other.chain.get(other.clusterId));
    expectAbort(env.chain.abort(OPERATOR, 'workers::slash', { cap: other.capId, cluster: env.clusterId, worker, amount: 1n, reason: 3 }), 'cluster', 'assert_cap_for', 'EWrongCap');
    expectAbort(env.chain.abort(OPERATOR, 'workers::slash', { cap: other.capId, cluster: other.clusterId, worker, amount: 1n, reason: 3 }), 'workers', 'slash', 'EWrongCluster');
  });
});
