/// Shared scenario fixtures for the k3sdaas Move tests. The layout is fixed because the signatures in
/// vectors_tests.move cover object ids the test VM derives from it: tx0 (OPERATOR) creates the cluster and the
/// clock; tx1 (OPERATOR) registers the enclave key and the gateway; tx2 mints a coin then stakes or registers.
#[test_only]
module k3sdaas::env_tests;

use k3sdaas::access::{Self, SealToken};
use k3sdaas::cluster::{Self, Cluster, ClusterAdminCap};
use k3sdaas::enclave;
use k3sdaas::vectors_tests as v;
use k3sdaas::workers;
use std::unit_test::destroy;
use sui::clock::{Self, Clock};
use sui::coin;
use sui::sui::SUI;
use sui::test_scenario::{Self as ts, Scenario};

const OPERATOR: address = @0xA;
const OTHER: address = @0xE;

/// The `role` of a token without a cluster role (`access::ROLE_TENANT`).
const TENANT: u8 = 3;
const TENANT_NAMESPACE: vector<u8> = b"team-a";

const MIN_USER_STAKE: u64 = 100;
const MIN_WRITE_STAKE: u64 = 200;
const MIN_WORKER_STAKE: u64 = 1_000;
const STAKE_LOCK_MS: u64 = 86_400_000;
const REQUEST_TIMEOUT_MS: u64 = 30_000;
const HEARTBEAT_TIMEOUT_MS: u64 = 60_000;
const UNBONDING_MS: u64 = 600_000;
/// One slash takes at most half of the stake it hits.
const MAX_SLASH_BPS: u64 = 5_000;
/// The shared fixture cluster admits workers without approval (workers_tests covers `approval` clusters).
const WORKER_POLICY_OPEN: u8 = 1;

public fun operator(): address { OPERATOR }

public fun other(): address { OTHER }

public fun tenant(): u8 { TENANT }

public fun tenant_namespace(): std::string::String { TENANT_NAMESPACE.to_string() }

public fun min_user_stake(): u64 { MIN_USER_STAKE }

public fun min_write_stake(): u64 { MIN_WRITE_STAKE }

public fun min_worker_stake(): u64 { MIN_WORKER_STAKE }

public fun stake_lock_ms(): u64 { STAKE_LOCK_MS }

public fun request_timeout_ms(): u64 { REQUEST_TIMEOUT_MS }

public fun heartbeat_timeout_ms(): u64 { HEARTBEAT_TIMEOUT_MS }

public fun unbonding_ms(): u64 { UNBONDING_MS }

public fun pcrs(): vector<vector<u8>> {
    vector[vector::tabulate!(48, |_| 0u8), vector::tabulate!(48, |_| 1u8), vector::tabulate!(48, |_| 2u8)]
}

/// The cluster's `ca_hash` (what an attestation document's `user_data` must carry).
public fun ca_hash(): vector<u8> { vector::tabulate!(32, |_| 7u8) }

/// tx0: OPERATOR creates a cluster (debug or attested) and a clock at T0. Ends in tx0.
public fun create(debug: bool): (Scenario, Clock) {
    let mut scenario = ts::begin(OPERATOR);
    cluster::create(
        b"dev".to_string(),
        b"https://10.0.0.1:6443".to_string(),
        ca_hash(),
        MIN_USER_STAKE,
        MIN_WRITE_STAKE,
        MIN_WORKER_STAKE,
        STAKE_LOCK_MS,
        REQUEST_TIMEOUT_MS,
        HEARTBEAT_TIMEOUT_MS,
        0,
        0,
        WORKER_POLICY_OPEN,
        UNBONDING_MS,
        MAX_SLASH_BPS,
        debug,
        if (debug) vector[] else pcrs(),
        scenario.ctx(),
    );
    let mut clock = clock::create_for_testing(scenario.ctx());
    clock.set_for_testing(v::t0());
    (scenario, clock)
}

/// tx0 + tx1: a debug cluster with the test enclave key and GATEWAY registered. Ends in tx1.
public fun setup(): (Scenario, Clock) {
    let (mut scenario, clock) = create(true);
    scenario.next_tx(OPERATOR);
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    enclave::register_debug(&cap, &mut cluster, v::enclave_pk(), &clock);
    cluster::register_gateway(&cap, &mut cluster, v::gateway());
    ts::return_shared(cluster);
    scenario.return_to_sender(cap);
    (scenario, clock)
}

/// Starts the next tx as `sender` and stakes `amount`: a tenant of TENANT_NAMESPACE for `role` TENANT, else a token
/// with the cluster `role` (through `stake_granted`, with the operator's cap); ends in that tx (the token is not yet
/// visible).
public fun stake(scenario: &mut Scenario, clock: &Clock, sender: address, role: u8, amount: u64) {
    scenario.next_tx(sender);
    let mut cluster = scenario.take_shared<Cluster>();
    let payment = coin::mint_for_testing<SUI>(amount, scenario.ctx());
    if (role == TENANT) {
        access::stake(&mut cluster, payment, TENANT_NAMESPACE.to_string(), clock, scenario.ctx());
    } else {
        let cap = scenario.take_from_address<ClusterAdminCap>(OPERATOR);
        access::stake_granted(&cap, &mut cluster, payment, role, clock, scenario.ctx());
        ts::return_to_address(OPERATOR, cap);
    };
    ts::return_shared(cluster);
}

/// Like `stake` (a `role` token of `sender` in tx2 of `setup`, so its id is TOKEN_ID), and in the same transaction the
/// operator sets the fees to `read_fee` / `write_fee` and the token is topped up with `prepaid`.
public fun stake_paying(
    scenario: &mut Scenario,
    clock: &Clock,
    sender: address,
    role: u8,
    amount: u64,
    read_fee: u64,
    write_fee: u64,
    prepaid: u64,
) {
    scenario.next_tx(sender);
    let mut cluster = scenario.take_shared<Cluster>();
    let cap = scenario.take_from_address<ClusterAdminCap>(OPERATOR);
    cluster::set_fees(&cap, &mut cluster, read_fee, write_fee);
    let payment = coin::mint_for_testing<SUI>(amount, scenario.ctx());
    if (role == TENANT) {
        access::stake(&mut cluster, payment, TENANT_NAMESPACE.to_string(), clock, scenario.ctx());
    } else {
        access::stake_granted(&cap, &mut cluster, payment, role, clock, scenario.ctx());
    };
    ts::return_to_address(OPERATOR, cap);
    let topup = coin::mint_for_testing<SUI>(prepaid, scenario.ctx());
    access::topup(&mut cluster, object::id_from_address(v::token_id()), topup);
    ts::return_shared(cluster);
}

/// `setup` + USER stakes in tx2 (the token id is TOKEN_ID) + tx3 begins as `next_sender`.
public fun setup_with_token(role: u8, amount: u64, next_sender: address): (Scenario, Clock) {
    let (mut scenario, clock) = setup();
    stake(&mut scenario, &clock, v::user(), role, amount);
    scenario.next_tx(next_sender);
    (scenario, clock)
}

/// Starts the next tx as `sender` and registers a worker with WORKER_KEY.
public fun register_worker(scenario: &mut Scenario, clock: &Clock, sender: address) {
    scenario.next_tx(sender);
    let cluster = scenario.take_shared<Cluster>();
    let payment = coin::mint_for_testing<SUI>(MIN_WORKER_STAKE, scenario.ctx());
    workers::register(&cluster, payment, b"worker-1".to_string(), v::worker_key(), clock, scenario.ctx());
    ts::return_shared(cluster);
}

/// `setup` + WORKER registers in tx2 (the worker id is WORKER_ID) + tx3 begins as `next_sender`.
public fun setup_with_worker(next_sender: address): (Scenario, Clock) {
    let (mut scenario, clock) = setup();
    register_worker(&mut scenario, &clock, v::worker());
    scenario.next_tx(next_sender);
    (scenario, clock)
}

public fun take_token(scenario: &Scenario): SealToken { scenario.take_from_sender<SealToken>() }

public fun finish(scenario: Scenario, clock: Clock) {
    destroy(clock);
    scenario.end();
}
