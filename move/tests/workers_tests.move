#[test_only]
module k3sdaas::workers_tests;

use k3sdaas::cluster::{Self, Cluster, ClusterAdminCap};
use k3sdaas::enclave;
use k3sdaas::env_tests as env;
use k3sdaas::vectors_tests as v;
use k3sdaas::workers::{Self, Worker};
use std::string::String;
use sui::clock::Clock;
use sui::coin::{Self, Coin};
use sui::sui::SUI;
use sui::test_scenario::{Self as ts, Scenario};

fun s(bytes: vector<u8>): String { bytes.to_string() }

fun register_with(amount: u64, node_name: vector<u8>, key: vector<u8>) {
    let (mut scenario, clock) = env::setup();
    scenario.next_tx(v::worker());
    let cluster = scenario.take_shared<Cluster>();
    let payment = coin::mint_for_testing<SUI>(amount, scenario.ctx());
    workers::register(&cluster, payment, s(node_name), key, &clock, scenario.ctx());
    ts::return_shared(cluster);
    env::finish(scenario, clock);
}

/// The registered worker (WORKER_ID) and the cluster, taken in tx3 as `sender`.
fun worker_tx(sender: address): (Scenario, Clock, Cluster, Worker) {
    let (scenario, clock) = env::setup_with_worker(sender);
    let cluster = scenario.take_shared<Cluster>();
    let worker = scenario.take_shared<Worker>();
    (scenario, clock, cluster, worker)
}

fun done(scenario: Scenario, clock: Clock, cluster: Cluster, worker: Worker) {
    ts::return_shared(cluster);
    ts::return_shared(worker);
    env::finish(scenario, clock);
}

/// A second cluster (created by OTHER), taken in a new tx as OTHER, plus the worker.
fun other_cluster(scenario: &mut Scenario, cluster: Cluster): Cluster {
    ts::return_shared(cluster);
    cluster::create(s(b"o"), s(b"u"), vector[], 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 10_000, true, vector[], scenario.ctx());
    scenario.next_tx(env::other());
    let first = scenario.take_shared<Cluster>();
    if (object::id(&first).to_address() != v::cluster_id()) return first;
    let other = ts::most_recent_id_shared<Cluster>().destroy_some();
    ts::return_shared(first);
    scenario.take_shared_by_id<Cluster>(other)
}

// === register ===

#[test]
fun register_shares_worker() {
    let (scenario, clock, cluster, worker) = worker_tx(v::worker());
    assert!(worker.owner() == v::worker());
    assert!(worker.is_active());
    assert!(worker.stake_value() == env::min_worker_stake());
    assert!(worker.last_heartbeat_ms() == v::t0());
    assert!(worker.join_token().is_empty());
    done(scenario, clock, cluster, worker);
}

#[test]
fun register_emits_event() {
    let (mut scenario, clock) = env::setup();
    env::register_worker(&mut scenario, &clock, v::worker());
    let effects = scenario.next_tx(v::worker());
    assert!(effects.num_user_events() == 1);
    env::finish(scenario, clock);
}

#[test]
fun register_name_of_63_bytes() {
    register_with(env::min_worker_stake(), vector::tabulate!(63, |_| 0x61), v::worker_key());
}

#[test, expected_failure(abort_code = workers::EInsufficientStake)]
fun register_below_minimum_stake() {
    register_with(env::min_worker_stake() - 1, b"w", v::worker_key());
}

#[test, expected_failure(abort_code = workers::EInvalidNodeName)]
fun register_empty_name() {
    register_with(env::min_worker_stake(), b"", v::worker_key());
}

#[test, expected_failure(abort_code = workers::EInvalidNodeName)]
fun register_long_name() {
    register_with(env::min_worker_stake(), vector::tabulate!(64, |_| 0x61), v::worker_key());
}

#[test, expected_failure(abort_code = workers::EInvalidNodeName)]
fun register_uppercase_name() {
    register_with(env::min_worker_stake(), b"Worker-1", v::worker_key());
}

#[test, expected_failure(abort_code = workers::EInvalidNodeName)]
fun register_name_with_empty_label() {
    register_with(env::min_worker_stake(), b"w..x", v::worker_key());
}

#[test]
fun node_names_are_dns_1123_subdomains() {
    vector[b"w", b"worker-1", b"node.example.com", b"0", b"a-b.c-d"].do!(|n| {
        assert!(k3sdaas::names::is_dns_subdomain(&n.to_string()));
    });
    vector[b"", b"-w", b"w-", b".w", b"w.", b"w_1", b"w 1", b"a.-b", b"W"].do!(|n| {
        assert!(!k3sdaas::names::is_dns_subdomain(&n.to_string()));
    });
    assert!(k3sdaas::names::is_dns_subdomain(&vector::tabulate!(63, |_| 0x61).to_string()));
}

#[test, expected_failure(abort_code = workers::EInvalidEncryptionKey)]
fun register_short_key() {
    register_with(env::min_worker_stake(), b"w", vector[1]);
}

// === set_join_token ===

#[test]
fun set_join_token_stores_ciphertext() {
    let (mut scenario, mut clock, cluster, mut worker) = worker_tx(env::operator());
    clock.set_for_testing(v::join_ts());
    workers::set_join_token(&cluster, &mut worker, v::ciphertext(), v::join_ts(), v::join_sig(), &clock);
    assert!(worker.join_token() == v::ciphertext());
    ts::return_shared(cluster);
    ts::return_shared(worker);
    let effects = scenario.next_tx(env::operator());
    assert!(effects.num_user_events() == 1);
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = enclave::EInvalidSignature)]
fun set_join_token_other_ciphertext() {
    let (_scenario, clock, cluster, mut worker) = worker_tx(env::operator());
    workers::set_join_token(&cluster, &mut worker, b"forged", v::join_ts(), v::join_sig(), &clock);
    abort 99
}

#[test, expected_failure(abort_code = workers::EWrongCluster)]
fun set_join_token_other_cluster() {
    let (mut scenario, clock, cluster, mut worker) = worker_tx(env::other());
    let other = other_cluster(&mut scenario, cluster);
    workers::set_join_token(&other, &mut worker, v::ciphertext(), v::join_ts(), v::join_sig(), &clock);
    abort 99
}

#[test, expected_failure(abort_code = workers::EInactive)]
fun set_join_token_inactive() {
    let (_scenario, mut clock, cluster, mut worker) = worker_tx(env::other());
    clock.increment_for_testing(env::heartbeat_timeout_ms() + 1);
    workers::mark_inactive(&cluster, &mut worker, &clock);
    workers::set_join_token(&cluster, &mut worker, v::ciphertext(), v::join_ts(), v::join_sig(), &clock);
    abort 99
}

// === heartbeat ===

#[test]
fun heartbeat_by_owner() {
    let (mut scenario, mut clock, cluster, mut worker) = worker_tx(v::worker());
    clock.increment_for_testing(1_234);
    workers::heartbeat(&mut worker, &clock, scenario.ctx());
    assert!(worker.last_heartbeat_ms() == v::t0() + 1_234);
    ts::return_shared(cluster);
    ts::return_shared(worker);
    let effects = scenario.next_tx(v::worker());
    assert!(effects.num_user_events() == 1);
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = workers::ENotOwner)]
fun heartbeat_by_other() {
    let (mut scenario, clock, _cluster, mut worker) = worker_tx(env::other());
    workers::heartbeat(&mut worker, &clock, scenario.ctx());
    abort 99
}

#[test, expected_failure(abort_code = workers::EInactive)]
fun heartbeat_inactive() {
    let (mut scenario, mut clock, cluster, mut worker) = worker_tx(v::worker());
    clock.increment_for_testing(env::heartbeat_timeout_ms() + 1);
    workers::mark_inactive(&cluster, &mut worker, &clock);
    workers::heartbeat(&mut worker, &clock, scenario.ctx());
    abort 99
}

// === mark_inactive ===

#[test]
fun mark_inactive_after_timeout() {
    let (mut scenario, mut clock, cluster, mut worker) = worker_tx(env::other());
    clock.increment_for_testing(env::heartbeat_timeout_ms() + 1);
    workers::mark_inactive(&cluster, &mut worker, &clock);
    assert!(!worker.is_active());
    ts::return_shared(cluster);
    ts::return_shared(worker);
    let effects = scenario.next_tx(env::other());
    assert!(effects.num_user_events() == 1);
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = workers::EHeartbeatNotExpired)]
fun mark_inactive_too_early() {
    let (_scenario, mut clock, cluster, mut worker) = worker_tx(env::other());
    clock.increment_for_testing(env::heartbeat_timeout_ms());
    workers::mark_inactive(&cluster, &mut worker, &clock);
    abort 99
}

#[test, expected_failure(abort_code = workers::EInactive)]
fun mark_inactive_twice() {
    let (_scenario, mut clock, cluster, mut worker) = worker_tx(env::other());
    clock.increment_for_testing(env::heartbeat_timeout_ms() + 1);
    workers::mark_inactive(&cluster, &mut worker, &clock);
    workers::mark_inactive(&cluster, &mut worker, &clock);
    abort 99
}

#[test, expected_failure(abort_code = workers::EWrongCluster)]
fun mark_inactive_other_cluster() {
    let (mut scenario, mut clock, cluster, mut worker) = worker_tx(env::other());
    let other = other_cluster(&mut scenario, cluster);
    clock.increment_for_testing(env::heartbeat_timeout_ms() + 1);
    workers::mark_inactive(&other, &mut worker, &clock);
    abort 99
}

// === leave, withdraw ===

#[test]
fun leave_unbonds_then_withdraw_returns_stake() {
    let (mut scenario, mut clock, cluster, mut worker) = worker_tx(v::worker());
    workers::leave(&cluster, &mut worker, &clock, scenario.ctx());
    assert!(!worker.is_active());
    let (leaving, withdrawable_ms) = worker.is_leaving();
    assert!(leaving && withdrawable_ms == v::t0() + env::unbonding_ms());
    ts::return_shared(cluster);
    clock.increment_for_testing(env::unbonding_ms());
    workers::withdraw(worker, &clock, scenario.ctx());
    let effects = scenario.next_tx(v::worker());
    assert!(effects.deleted().contains(&object::id_from_address(v::worker_id())));
    assert!(effects.num_user_events() == 2);
    let coin = scenario.take_from_sender<Coin<SUI>>();
    assert!(coin.value() == env::min_worker_stake());
    scenario.return_to_sender(coin);
    env::finish(scenario, clock);
}

#[test]
fun a_slash_reaches_a_leaving_worker() {
    let (mut scenario, clock, cluster, worker) = worker_tx(env::operator());
    // OPERATOR is not the owner: the worker leaves in its own tx first.
    ts::return_shared(worker);
    scenario.next_tx(v::worker());
    let mut worker = scenario.take_shared<Worker>();
    workers::leave(&cluster, &mut worker, &clock, scenario.ctx());
    ts::return_shared(worker);
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut worker = scenario.take_shared<Worker>();
    let mut cluster = cluster;
    workers::slash(&cap, &mut cluster, &mut worker, 100, 4);
    assert!(worker.stake_value() == env::min_worker_stake() - 100);
    scenario.return_to_sender(cap);
    done(scenario, clock, cluster, worker);
}

#[test, expected_failure(abort_code = workers::EUnbonding)]
fun withdraw_before_unbonding() {
    let (mut scenario, mut clock, cluster, mut worker) = worker_tx(v::worker());
    workers::leave(&cluster, &mut worker, &clock, scenario.ctx());
    clock.increment_for_testing(env::unbonding_ms() - 1);
    workers::withdraw(worker, &clock, scenario.ctx());
    abort 99
}

#[test, expected_failure(abort_code = workers::ENotLeaving)]
fun withdraw_without_leaving() {
    let (mut scenario, clock, _cluster, worker) = worker_tx(v::worker());
    workers::withdraw(worker, &clock, scenario.ctx());
    abort 99
}

#[test, expected_failure(abort_code = workers::ENotOwner)]
fun withdraw_by_other() {
    let (mut scenario, clock, _cluster, worker) = worker_tx(env::other());
    workers::withdraw(worker, &clock, scenario.ctx());
    abort 99
}

#[test, expected_failure(abort_code = workers::EAlreadyLeaving)]
fun leave_twice() {
    let (mut scenario, clock, cluster, mut worker) = worker_tx(v::worker());
    workers::leave(&cluster, &mut worker, &clock, scenario.ctx());
    workers::leave(&cluster, &mut worker, &clock, scenario.ctx());
    abort 99
}

#[test, expected_failure(abort_code = workers::ENotOwner)]
fun leave_by_other() {
    let (mut scenario, clock, cluster, mut worker) = worker_tx(env::other());
    workers::leave(&cluster, &mut worker, &clock, scenario.ctx());
    abort 99
}

#[test, expected_failure(abort_code = workers::EWrongCluster)]
fun leave_other_cluster() {
    let (mut scenario, clock, cluster, worker) = worker_tx(v::worker());
    ts::return_shared(worker);
    let other = other_cluster(&mut scenario, cluster);
    scenario.next_tx(v::worker());
    let mut worker = scenario.take_shared<Worker>();
    workers::leave(&other, &mut worker, &clock, scenario.ctx());
    abort 99
}

#[test, expected_failure(abort_code = workers::EInactive)]
fun a_leaving_worker_gets_no_join_token() {
    let (mut scenario, clock, cluster, mut worker) = worker_tx(v::worker());
    workers::leave(&cluster, &mut worker, &clock, scenario.ctx());
    workers::set_join_token(&cluster, &mut worker, v::ciphertext(), v::join_ts(), v::join_sig(), &clock);
    abort 99
}

// === approval ===

/// tx2: the operator switches the fixture cluster to `approval`; tx3: WORKER registers; tx4 begins as `next`.
fun approval_worker(next: address): (Scenario, Clock) {
    let (mut scenario, clock) = env::setup();
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    cluster::set_worker_policy(&cap, &mut cluster, 0);
    ts::return_shared(cluster);
    scenario.return_to_sender(cap);
    env::register_worker(&mut scenario, &clock, v::worker());
    scenario.next_tx(next);
    (scenario, clock)
}

#[test]
fun approval_cluster_admits_only_approved_workers() {
    let (mut scenario, clock) = approval_worker(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut worker = scenario.take_shared<Worker>();
    assert!(!worker.is_approved());
    workers::approve(&cap, &mut worker);
    assert!(worker.is_approved());
    scenario.return_to_sender(cap);
    ts::return_shared(worker);
    let effects = scenario.next_tx(env::operator());
    assert!(effects.num_user_events() == 1);
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = workers::ENotApproved)]
fun approval_cluster_no_join_token_before_approval() {
    let (scenario, clock) = approval_worker(env::operator());
    let cluster = scenario.take_shared<Cluster>();
    let mut worker = scenario.take_shared<Worker>();
    workers::set_join_token(&cluster, &mut worker, v::ciphertext(), v::join_ts(), v::join_sig(), &clock);
    abort 99
}

#[test]
fun open_cluster_approves_at_registration() {
    let (scenario, clock, cluster, worker) = worker_tx(v::worker());
    assert!(worker.is_approved());
    done(scenario, clock, cluster, worker);
}

#[test, expected_failure(abort_code = workers::EAlreadyApproved)]
fun approve_twice() {
    let (scenario, _clock, _cluster, mut worker) = worker_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    workers::approve(&cap, &mut worker);
    abort 99
}

#[test, expected_failure(abort_code = workers::EInactive)]
fun approve_inactive() {
    let (mut scenario, mut clock) = approval_worker(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let cluster = scenario.take_shared<Cluster>();
    let mut worker = scenario.take_shared<Worker>();
    clock.increment_for_testing(env::heartbeat_timeout_ms() + 1);
    workers::mark_inactive(&cluster, &mut worker, &clock);
    workers::approve(&cap, &mut worker);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EWrongCap)]
fun approve_wrong_cap() {
    let (mut scenario, _clock, cluster, worker) = worker_tx(env::other());
    ts::return_shared(worker);
    let _other = other_cluster(&mut scenario, cluster);
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut worker = scenario.take_shared<Worker>();
    workers::approve(&cap, &mut worker);
    abort 99
}

#[test, expected_failure(abort_code = workers::EStakeBelowMinimum)]
fun slashed_below_minimum_gets_no_join_token() {
    let (scenario, clock, mut cluster, mut worker) = worker_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    workers::slash(&cap, &mut cluster, &mut worker, 1, 4);
    workers::set_join_token(&cluster, &mut worker, v::ciphertext(), v::join_ts(), v::join_sig(), &clock);
    abort 99
}

// === slash ===

#[test]
fun slash_moves_stake_to_the_treasury_within_the_bound() {
    let (scenario, clock, mut cluster, mut worker) = worker_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    workers::slash(&cap, &mut cluster, &mut worker, 400, 3);
    assert!(worker.stake_value() == env::min_worker_stake() - 400);
    workers::slash(&cap, &mut cluster, &mut worker, 300, 3);
    assert!(worker.stake_value() == env::min_worker_stake() - 700);
    assert!(cluster.treasury_value() == 700);
    scenario.return_to_sender(cap);
    let mut scenario = scenario;
    ts::return_shared(cluster);
    ts::return_shared(worker);
    let effects = scenario.next_tx(env::operator());
    assert!(effects.num_user_events() == 2);
    assert!(ts::ids_for_address<Coin<SUI>>(env::operator()).is_empty());
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = cluster::ESlashTooLarge)]
fun slash_above_the_bound() {
    let (scenario, _clock, mut cluster, mut worker) = worker_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    workers::slash(&cap, &mut cluster, &mut worker, env::min_worker_stake() / 2 + 1, 3);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EInvalidSlashReason)]
fun slash_without_a_reason() {
    let (scenario, _clock, mut cluster, mut worker) = worker_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    workers::slash(&cap, &mut cluster, &mut worker, 1, 0);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EWrongCap)]
fun slash_wrong_cap() {
    let (mut scenario, _clock, cluster, worker) = worker_tx(env::other());
    ts::return_shared(worker);
    let mut other = other_cluster(&mut scenario, cluster);
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut worker = scenario.take_shared<Worker>();
    ts::return_shared(other);
    let mut cluster = scenario.take_shared_by_id<Cluster>(object::id_from_address(v::cluster_id()));
    workers::slash(&cap, &mut cluster, &mut worker, 1, 3);
    other = cluster;
    abort 99
}

#[test, expected_failure(abort_code = workers::EWrongCluster)]
fun slash_with_another_cluster() {
    let (mut scenario, _clock, cluster, worker) = worker_tx(env::other());
    ts::return_shared(worker);
    let mut other = other_cluster(&mut scenario, cluster);
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut worker = scenario.take_shared<Worker>();
    workers::slash(&cap, &mut other, &mut worker, 1, 3);
    abort 99
}

// === versions ===

#[test]
fun migrate_moves_an_older_worker_forward() {
    let (scenario, clock, mut cluster, mut worker) = worker_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    worker.set_version_for_testing(0);
    workers::migrate(&cap, &mut worker);
    // the entries work again
    workers::slash(&cap, &mut cluster, &mut worker, 1, 3);
    scenario.return_to_sender(cap);
    done(scenario, clock, cluster, worker);
}

#[test, expected_failure(abort_code = workers::EWrongVersion)]
fun an_older_worker_is_refused() {
    let (scenario, _clock, mut cluster, mut worker) = worker_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    worker.set_version_for_testing(0);
    workers::slash(&cap, &mut cluster, &mut worker, 1, 3);
    abort 99
}

#[test, expected_failure(abort_code = workers::EWrongVersion)]
fun an_older_worker_cannot_heartbeat() {
    let (mut scenario, clock, _cluster, mut worker) = worker_tx(v::worker());
    worker.set_version_for_testing(0);
    workers::heartbeat(&mut worker, &clock, scenario.ctx());
    abort 99
}

#[test, expected_failure(abort_code = workers::ENotUpgraded)]
fun migrate_a_current_worker() {
    let (scenario, _clock, _cluster, mut worker) = worker_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    workers::migrate(&cap, &mut worker);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EWrongCap)]
fun migrate_worker_wrong_cap() {
    let (mut scenario, _clock, cluster, worker) = worker_tx(env::other());
    ts::return_shared(worker);
    let _other = other_cluster(&mut scenario, cluster);
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut worker = scenario.take_shared<Worker>();
    worker.set_version_for_testing(0);
    workers::migrate(&cap, &mut worker);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EWrongVersion)]
fun register_on_an_older_cluster() {
    let (mut scenario, clock) = env::setup();
    scenario.next_tx(v::worker());
    let mut cluster = scenario.take_shared<Cluster>();
    cluster.set_version_for_testing(0);
    let payment = coin::mint_for_testing<SUI>(env::min_worker_stake(), scenario.ctx());
    workers::register(&cluster, payment, s(b"w"), v::worker_key(), &clock, scenario.ctx());
    abort 99
}
