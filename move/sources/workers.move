/// Worker nodes: staked registration, enclave-issued join tokens, heartbeats, leaving and slashing.
module k3sdaas::workers;

use k3sdaas::cluster::{Self, Cluster, ClusterAdminCap};
use k3sdaas::enclave;
use k3sdaas::names;
use std::hash;
use std::string::String;
use sui::balance::Balance;
use sui::clock::Clock;
use sui::coin::{Self, Coin};
use sui::event;
use sui::sui::SUI;

// === Errors ===

const EInsufficientStake: u64 = 0;
const EInvalidNodeName: u64 = 1;
const EInvalidEncryptionKey: u64 = 2;
const EWrongCluster: u64 = 3;
const EInactive: u64 = 4;
const ENotOwner: u64 = 5;
const EHeartbeatNotExpired: u64 = 6;
const EAlreadyApproved: u64 = 7;
const ENotApproved: u64 = 8;
const EStakeBelowMinimum: u64 = 9;
const EAlreadyLeaving: u64 = 10;
const ENotLeaving: u64 = 11;
const EUnbonding: u64 = 12;
const EWrongVersion: u64 = 13;
const ENotUpgraded: u64 = 14;

// === Constants ===

const KEY_LENGTH: u64 = 32;

// === Structs ===

public struct Worker has key {
    id: UID,
    version: u64,
    cluster_id: ID,
    owner: address,
    node_name: String,
    encryption_key: vector<u8>,
    stake: Balance<SUI>,
    registered_ms: u64,
    last_heartbeat_ms: u64,
    active: bool,
    join_token: vector<u8>,
    /// Admitted: by the cap holder (`approve`) or at registration on an open cluster.
    approved: bool,
    /// Left (`leave`): inactive, the stake withdrawable from `withdrawable_ms` (`withdraw`), slashable until then.
    leaving: bool,
    withdrawable_ms: u64,
}

public struct JoinTokenPayload has copy, drop {
    worker_id: ID,
    owner: address,
    encryption_key: vector<u8>,
    ciphertext_digest: vector<u8>,
}

// === Events ===

public struct WorkerRegistered has copy, drop {
    worker_id: ID,
    cluster_id: ID,
    owner: address,
    node_name: String,
    encryption_key: vector<u8>,
    stake: u64,
    timestamp_ms: u64,
    approved: bool,
}

public struct WorkerApproved has copy, drop {
    worker_id: ID,
    cluster_id: ID,
}

public struct WorkerLeaving has copy, drop {
    worker_id: ID,
    cluster_id: ID,
    owner: address,
    withdrawable_ms: u64,
}

public struct JoinTokenSet has copy, drop {
    worker_id: ID,
    cluster_id: ID,
    ciphertext: vector<u8>,
    timestamp_ms: u64,
}

public struct WorkerHeartbeat has copy, drop {
    worker_id: ID,
    cluster_id: ID,
    timestamp_ms: u64,
}

public struct WorkerInactive has copy, drop {
    worker_id: ID,
    cluster_id: ID,
    last_heartbeat_ms: u64,
    timestamp_ms: u64,
}

public struct WorkerLeft has copy, drop {
    worker_id: ID,
    cluster_id: ID,
    owner: address,
    amount: u64,
}

public struct WorkerMigrated has copy, drop {
    worker_id: ID,
    cluster_id: ID,
    from_version: u64,
    to_version: u64,
}

public struct WorkerSlashed has copy, drop {
    worker_id: ID,
    cluster_id: ID,
    amount: u64,
    reason: u8,
    /// What is left staked; below `min_worker_stake` the worker gets no new join token.
    remaining: u64,
}

// === Public functions ===

/// Registers the sender as a worker of `cluster`, staking `payment`; shares the Worker, approved at once only on an
/// open cluster.
public fun register(
    cluster: &Cluster,
    payment: Coin<SUI>,
    node_name: String,
    encryption_key: vector<u8>,
    clock: &Clock,
    ctx: &mut TxContext,
) {
    cluster.assert_version();
    let stake = payment.value();
    assert!(stake >= cluster.min_worker_stake(), EInsufficientStake);
    assert!(names::is_dns_subdomain(&node_name), EInvalidNodeName);
    assert!(encryption_key.length() == KEY_LENGTH, EInvalidEncryptionKey);

    let now = clock.timestamp_ms();
    let owner = ctx.sender();
    let cluster_id = cluster.cluster_id();
    let approved = cluster.is_open_to_workers();
    let worker = Worker {
        id: object::new(ctx),
        version: cluster::version(),
        cluster_id,
        owner,
        node_name,
        encryption_key,
        stake: payment.into_balance(),
        registered_ms: now,
        last_heartbeat_ms: now,
        active: true,
        join_token: vector[],
        approved,
        leaving: false,
        withdrawable_ms: 0,
    };
    event::emit(WorkerRegistered {
        worker_id: object::id(&worker),
        cluster_id,
        owner,
        node_name,
        encryption_key,
        stake,
        timestamp_ms: now,
        approved,
    });
    transfer::share_object(worker);
}

/// The cap holder admits a registered, active worker; the enclave issues join tokens only to approved workers.
public fun approve(cap: &ClusterAdminCap, worker: &mut Worker) {
    assert_version(worker);
    cluster::assert_cap_for(cap, worker.cluster_id);
    assert!(worker.active, EInactive);
    assert!(!worker.approved, EAlreadyApproved);
    worker.approved = true;
    event::emit(WorkerApproved { worker_id: object::id(worker), cluster_id: worker.cluster_id });
}

/// Stores the join token ciphertext the enclave signed for this worker: an active, approved worker whose stake is
/// still at least the cluster's minimum.
public fun set_join_token(
    cluster: &Cluster,
    worker: &mut Worker,
    ciphertext: vector<u8>,
    timestamp_ms: u64,
    signature: vector<u8>,
    clock: &Clock,
) {
    cluster.assert_version();
    assert_version(worker);
    assert!(worker.cluster_id == cluster.cluster_id(), EWrongCluster);
    assert!(worker.active, EInactive);
    assert!(worker.approved, ENotApproved);
    assert!(worker.stake.value() >= cluster.min_worker_stake(), EStakeBelowMinimum);
    let payload = JoinTokenPayload {
        worker_id: object::id(worker),
        owner: worker.owner,
        encryption_key: worker.encryption_key,
        ciphertext_digest: hash::sha2_256(ciphertext),
    };
    enclave::verify(cluster, enclave::intent_join_token(), timestamp_ms, payload, &signature, clock);
    worker.join_token = ciphertext;
    event::emit(JoinTokenSet {
        worker_id: object::id(worker),
        cluster_id: worker.cluster_id,
        ciphertext,
        timestamp_ms,
    });
}

public fun heartbeat(worker: &mut Worker, clock: &Clock, ctx: &TxContext) {
    assert_version(worker);
    assert!(worker.owner == ctx.sender(), ENotOwner);
    assert!(worker.active, EInactive);
    let timestamp_ms = clock.timestamp_ms();
    worker.last_heartbeat_ms = timestamp_ms;
    event::emit(WorkerHeartbeat { worker_id: object::id(worker), cluster_id: worker.cluster_id, timestamp_ms });
}

/// Anyone may mark a worker inactive once it has been silent longer than the cluster's heartbeat timeout.
public fun mark_inactive(cluster: &Cluster, worker: &mut Worker, clock: &Clock) {
    cluster.assert_version();
    assert_version(worker);
    assert!(worker.cluster_id == cluster.cluster_id(), EWrongCluster);
    assert!(worker.active, EInactive);
    let timestamp_ms = clock.timestamp_ms();
    assert!(timestamp_ms > worker.last_heartbeat_ms + cluster.heartbeat_timeout_ms(), EHeartbeatNotExpired);
    worker.active = false;
    event::emit(WorkerInactive {
        worker_id: object::id(worker),
        cluster_id: worker.cluster_id,
        last_heartbeat_ms: worker.last_heartbeat_ms,
        timestamp_ms,
    });
}

/// The owner leaves: the worker becomes inactive and its stake unbonds for the cluster's `unbonding_ms` (a slash
/// still reaches it), after which `withdraw` returns it.
public fun leave(cluster: &Cluster, worker: &mut Worker, clock: &Clock, ctx: &TxContext) {
    cluster.assert_version();
    assert_version(worker);
    assert!(worker.owner == ctx.sender(), ENotOwner);
    assert!(worker.cluster_id == cluster.cluster_id(), EWrongCluster);
    assert!(!worker.leaving, EAlreadyLeaving);
    let withdrawable_ms = clock.timestamp_ms() + cluster.unbonding_ms();
    worker.active = false;
    worker.leaving = true;
    worker.withdrawable_ms = withdrawable_ms;
    event::emit(WorkerLeaving { worker_id: object::id(worker), cluster_id: worker.cluster_id, owner: worker.owner, withdrawable_ms });
}

/// After unbonding, the stake comes back to the owner and the Worker is deleted.
public fun withdraw(worker: Worker, clock: &Clock, ctx: &mut TxContext) {
    assert_version(&worker);
    assert!(worker.owner == ctx.sender(), ENotOwner);
    assert!(worker.leaving, ENotLeaving);
    assert!(clock.timestamp_ms() >= worker.withdrawable_ms, EUnbonding);
    let Worker { id, cluster_id, owner, stake, .. } = worker;
    let worker_id = id.to_inner();
    id.delete();
    let amount = stake.value();
    event::emit(WorkerLeft { worker_id, cluster_id, owner, amount });
    transfer::public_transfer(coin::from_balance(stake, ctx), owner);
}

/// Moves `amount` of a worker's stake (also while it unbonds) to the cluster's treasury, for `reason`, within the
/// cluster's `max_slash_bps`.
public fun slash(cap: &ClusterAdminCap, cluster: &mut Cluster, worker: &mut Worker, amount: u64, reason: u8) {
    cluster.assert_version();
    assert_version(worker);
    cluster::assert_cap(cap, cluster);
    assert!(worker.cluster_id == cluster.cluster_id(), EWrongCluster);
    cluster.assert_slash(worker.stake.value(), amount, reason);
    cluster.add_treasury(worker.stake.split(amount));
    let remaining = worker.stake.value();
    event::emit(WorkerSlashed { worker_id: object::id(worker), cluster_id: worker.cluster_id, amount, reason, remaining });
}

/// Moves a Worker made by an older version of the package to this one (the cap holder, after an upgrade).
public fun migrate(cap: &ClusterAdminCap, worker: &mut Worker) {
    cluster::assert_cap_for(cap, worker.cluster_id);
    let to_version = cluster::version();
    assert!(worker.version < to_version, ENotUpgraded);
    let from_version = worker.version;
    worker.version = to_version;
    event::emit(WorkerMigrated { worker_id: object::id(worker), cluster_id: worker.cluster_id, from_version, to_version });
}

// === Private functions ===

fun assert_version(worker: &Worker) {
    assert!(worker.version == cluster::version(), EWrongVersion);
}

// === Test-only ===

#[test_only]
public fun set_version_for_testing(worker: &mut Worker, version: u64) { worker.version = version }

#[test_only]
public fun owner(worker: &Worker): address { worker.owner }

#[test_only]
public fun is_active(worker: &Worker): bool { worker.active }

#[test_only]
public fun stake_value(worker: &Worker): u64 { worker.stake.value() }

#[test_only]
public fun is_approved(worker: &Worker): bool { worker.approved }

#[test_only]
public fun is_leaving(worker: &Worker): (bool, u64) { (worker.leaving, worker.withdrawable_ms) }

#[test_only]
public fun join_token(worker: &Worker): vector<u8> { worker.join_token }

#[test_only]
public fun last_heartbeat_ms(worker: &Worker): u64 { worker.last_heartbeat_ms }

#[test_only]
public fun new_join_token_payload_for_testing(
    worker_id: ID,
    owner: address,
    encryption_key: vector<u8>,
    ciphertext_digest: vector<u8>,
): JoinTokenPayload {
    JoinTokenPayload { worker_id, owner, encryption_key, ciphertext_digest }
}
