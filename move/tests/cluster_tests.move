#[test_only]
module k3sdaas::cluster_tests;

use k3sdaas::cluster::{Self, Cluster, ClusterAdminCap};
use k3sdaas::env_tests as env;
use sui::test_scenario as ts;

fun create_with(request_timeout_ms: u64, heartbeat_timeout_ms: u64, debug: bool, pcrs: vector<vector<u8>>) {
    create_full(0, request_timeout_ms, heartbeat_timeout_ms, debug, pcrs);
}

fun create_full(stake_lock_ms: u64, request_timeout_ms: u64, heartbeat_timeout_ms: u64, debug: bool, pcrs: vector<vector<u8>>) {
    create_policy(stake_lock_ms, request_timeout_ms, heartbeat_timeout_ms, 0, 0, debug, pcrs);
}

fun create_policy(
    stake_lock_ms: u64,
    request_timeout_ms: u64,
    heartbeat_timeout_ms: u64,
    worker_policy: u8,
    unbonding_ms: u64,
    debug: bool,
    pcrs: vector<vector<u8>>,
) {
    create_slash(stake_lock_ms, request_timeout_ms, heartbeat_timeout_ms, worker_policy, unbonding_ms, 10_000, debug, pcrs);
}

fun create_slash(
    stake_lock_ms: u64,
    request_timeout_ms: u64,
    heartbeat_timeout_ms: u64,
    worker_policy: u8,
    unbonding_ms: u64,
    max_slash_bps: u64,
    debug: bool,
    pcrs: vector<vector<u8>>,
) {
    let mut scenario = ts::begin(env::operator());
    cluster::create(
        b"c".to_string(),
        b"https://k3s:6443".to_string(),
        vector[],
        1,
        1,
        1,
        stake_lock_ms,
        request_timeout_ms,
        heartbeat_timeout_ms,
        0,
        0,
        worker_policy,
        unbonding_ms,
        max_slash_bps,
        debug,
        pcrs,
        scenario.ctx(),
    );
    scenario.end();
}

/// Two clusters: OPERATOR's (tx0) and OTHER's (tx1). Ends in tx1.
fun two_clusters(): (ts::Scenario, sui::clock::Clock) {
    let (mut scenario, clock) = env::create(true);
    scenario.next_tx(env::other());
    cluster::create(
        b"other".to_string(),
        b"https://other:6443".to_string(),
        vector[],
        1,
        1,
        1,
        0,
        1,
        1,
        0,
        0,
        1,
        0,
        10_000,
        true,
        vector[],
        scenario.ctx(),
    );
    (scenario, clock)
}

#[test]
fun create_shares_cluster_and_sends_cap() {
    let (mut scenario, clock) = env::create(false);
    let effects = scenario.next_tx(env::operator());
    assert!(effects.num_user_events() == 1);
    assert!(effects.shared().length() == 1);
    let cluster = scenario.take_shared<Cluster>();
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    assert!(cap.cap_cluster_id() == object::id(&cluster));
    assert!(cluster.operator() == env::operator());
    assert!(cluster.api_url() == b"https://10.0.0.1:6443".to_string());
    assert!(!cluster.is_debug());
    assert!(*cluster.expected_pcrs() == env::pcrs());
    assert!(cluster.enclave_pk().is_empty());
    assert!(cluster.min_user_stake() == env::min_user_stake());
    assert!(cluster.min_write_stake() == env::min_write_stake());
    assert!(cluster.min_worker_stake() == env::min_worker_stake());
    assert!(cluster.stake_lock_ms() == env::stake_lock_ms());
    assert!(cluster.request_timeout_ms() == env::request_timeout_ms());
    assert!(cluster.heartbeat_timeout_ms() == env::heartbeat_timeout_ms());
    ts::return_shared(cluster);
    scenario.return_to_sender(cap);
    env::finish(scenario, clock);
}

#[test]
fun create_debug_without_pcrs() {
    create_with(1, 1, true, vector[]);
}

#[test, expected_failure(abort_code = cluster::EInvalidTimeout)]
fun create_zero_request_timeout() {
    create_with(0, 1, true, vector[]);
}

#[test, expected_failure(abort_code = cluster::EInvalidTimeout)]
fun create_zero_heartbeat_timeout() {
    create_with(1, 0, true, vector[]);
}

#[test]
fun create_at_the_bounds() {
    create_policy(31_536_000_000, 3_600_000, 604_800_000, 1, 2_592_000_000, true, vector[]);
}

#[test, expected_failure(abort_code = cluster::EInvalidPeriod)]
fun create_unbonding_above_bound() {
    create_policy(0, 1, 1, 0, 2_592_000_001, true, vector[]);
}

#[test, expected_failure(abort_code = cluster::EInvalidSlashBound)]
fun create_slash_bound_above_100_percent() {
    create_slash(0, 1, 1, 0, 0, 10_001, true, vector[]);
}

#[test, expected_failure(abort_code = cluster::EInvalidSlashBound)]
fun create_slash_bound_zero() {
    create_slash(0, 1, 1, 0, 0, 0, true, vector[]);
}

#[test, expected_failure(abort_code = cluster::EWrongCap)]
fun withdraw_treasury_wrong_cap() {
    let (mut scenario, _clock) = two_clusters();
    scenario.next_tx(env::other());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared_by_id<Cluster>(object::id_from_address(k3sdaas::vectors_tests::cluster_id()));
    cluster::withdraw_treasury(&cap, &mut cluster, scenario.ctx());
    abort 99
}

#[test]
fun withdraw_treasury_pays_the_cap_holder() {
    let (mut scenario, clock) = env::create(true);
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    cluster.add_treasury(sui::balance::create_for_testing(77));
    cluster::withdraw_treasury(&cap, &mut cluster, scenario.ctx());
    assert!(cluster.treasury_value() == 0);
    ts::return_shared(cluster);
    scenario.return_to_sender(cap);
    scenario.next_tx(env::operator());
    let coin = scenario.take_from_sender<sui::coin::Coin<sui::sui::SUI>>();
    assert!(coin.value() == 77);
    scenario.return_to_sender(coin);
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = cluster::EInvalidPolicy)]
fun create_unknown_worker_policy() {
    create_policy(0, 1, 1, 2, 0, true, vector[]);
}

#[test]
fun set_worker_policy_changes_it() {
    let (mut scenario, clock) = env::create(true);
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    assert!(cluster.is_open_to_workers());
    cluster::set_worker_policy(&cap, &mut cluster, 0);
    assert!(!cluster.is_open_to_workers());
    ts::return_shared(cluster);
    scenario.return_to_sender(cap);
    let effects = scenario.next_tx(env::operator());
    assert!(effects.num_user_events() == 1);
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = cluster::EInvalidPolicy)]
fun set_worker_policy_unknown() {
    let (mut scenario, _clock) = env::create(true);
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    cluster::set_worker_policy(&cap, &mut cluster, 2);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EWrongCap)]
fun set_worker_policy_wrong_cap() {
    let (mut scenario, _clock) = two_clusters();
    scenario.next_tx(env::other());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared_by_id<Cluster>(object::id_from_address(k3sdaas::vectors_tests::cluster_id()));
    cluster::set_worker_policy(&cap, &mut cluster, 1);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EInvalidTimeout)]
fun create_request_timeout_above_bound() {
    create_with(3_600_001, 1, true, vector[]);
}

#[test, expected_failure(abort_code = cluster::EInvalidTimeout)]
fun create_request_timeout_max() {
    create_with(18_446_744_073_709_551_615, 1, true, vector[]);
}

#[test, expected_failure(abort_code = cluster::EInvalidTimeout)]
fun create_heartbeat_timeout_above_bound() {
    create_with(1, 604_800_001, true, vector[]);
}

#[test, expected_failure(abort_code = cluster::EInvalidPeriod)]
fun create_stake_lock_above_bound() {
    create_full(31_536_000_001, 1, 1, true, vector[]);
}

#[test, expected_failure(abort_code = cluster::EInvalidTimeout)]
fun update_timeout_above_bound() {
    let (mut scenario, _clock) = env::create(true);
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    cluster::update(&cap, &mut cluster, b"u".to_string(), vector[], 0, 3_600_001, scenario.ctx());
    abort 99
}

#[test]
fun set_fees_and_withdraw_revenue() {
    let (mut scenario, clock) = env::create(true);
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    cluster::set_fees(&cap, &mut cluster, 3, 5);
    assert!(cluster.read_fee() == 3 && cluster.write_fee() == 5);
    cluster.add_revenue(sui::balance::create_for_testing(42));
    cluster::withdraw_revenue(&cap, &mut cluster, scenario.ctx());
    assert!(cluster.revenue_value() == 0);
    ts::return_shared(cluster);
    scenario.return_to_sender(cap);
    let effects = scenario.next_tx(env::operator());
    assert!(effects.num_user_events() == 2);
    let coin = scenario.take_from_sender<sui::coin::Coin<sui::sui::SUI>>();
    assert!(coin.value() == 42);
    scenario.return_to_sender(coin);
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = cluster::EWrongCap)]
fun set_fees_wrong_cap() {
    let (mut scenario, _clock) = two_clusters();
    scenario.next_tx(env::other());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared_by_id<Cluster>(object::id_from_address(k3sdaas::vectors_tests::cluster_id()));
    cluster::set_fees(&cap, &mut cluster, 1, 1);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EWrongCap)]
fun withdraw_revenue_wrong_cap() {
    let (mut scenario, _clock) = two_clusters();
    scenario.next_tx(env::other());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared_by_id<Cluster>(object::id_from_address(k3sdaas::vectors_tests::cluster_id()));
    cluster::withdraw_revenue(&cap, &mut cluster, scenario.ctx());
    abort 99
}

#[test, expected_failure(abort_code = cluster::EInvalidPcrs)]
fun create_attested_needs_three_pcrs() {
    create_with(1, 1, false, vector[vector[1], vector[2]]);
}

#[test]
fun update_changes_settings() {
    let (mut scenario, clock) = env::create(true);
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    cluster::update(&cap, &mut cluster, b"https://new:6443".to_string(), vector[9], 5, 7, scenario.ctx());
    assert!(cluster.api_url() == b"https://new:6443".to_string());
    assert!(cluster.ca_hash() == vector[9]);
    assert!(cluster.min_write_stake() == 5);
    assert!(cluster.request_timeout_ms() == 7);
    ts::return_shared(cluster);
    scenario.return_to_sender(cap);
    let effects = scenario.next_tx(env::operator());
    assert!(effects.num_user_events() == 1);
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = cluster::EInvalidTimeout)]
fun update_zero_timeout() {
    let (mut scenario, _clock) = env::create(true);
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    cluster::update(&cap, &mut cluster, b"u".to_string(), vector[], 0, 0, scenario.ctx());
    abort 99
}

#[test, expected_failure(abort_code = cluster::EWrongCap)]
fun update_wrong_cap() {
    let (mut scenario, _clock) = two_clusters();
    scenario.next_tx(env::other());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = first_cluster(&scenario, &cap);
    cluster::update(&cap, &mut cluster, b"u".to_string(), vector[], 0, 1, scenario.ctx());
    abort 99
}

/// The shared cluster that `cap` does not administer.
fun first_cluster(scenario: &ts::Scenario, cap: &ClusterAdminCap): Cluster {
    let cluster = scenario.take_shared<Cluster>();
    if (object::id(&cluster) != cap.cap_cluster_id()) return cluster;
    // take_shared gave the cap's own cluster; once taken, the most recent untaken one is the other.
    let other = ts::most_recent_id_shared<Cluster>().destroy_some();
    ts::return_shared(cluster);
    scenario.take_shared_by_id<Cluster>(other)
}

#[test]
fun register_and_remove_gateway() {
    let (mut scenario, clock) = env::create(true);
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    cluster::register_gateway(&cap, &mut cluster, @0x1);
    cluster::register_gateway(&cap, &mut cluster, @0x2);
    assert!(cluster.is_gateway(@0x1) && cluster.is_gateway(@0x2));
    cluster::remove_gateway(&cap, &mut cluster, @0x1);
    assert!(!cluster.is_gateway(@0x1));
    assert!(cluster.gateways() == vector[@0x2]);
    ts::return_shared(cluster);
    scenario.return_to_sender(cap);
    let effects = scenario.next_tx(env::operator());
    assert!(effects.num_user_events() == 3);
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = cluster::EGatewayExists)]
fun register_gateway_twice() {
    let (mut scenario, _clock) = env::create(true);
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    cluster::register_gateway(&cap, &mut cluster, @0x1);
    cluster::register_gateway(&cap, &mut cluster, @0x1);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EWrongCap)]
fun register_gateway_wrong_cap() {
    let (mut scenario, _clock) = two_clusters();
    scenario.next_tx(env::other());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = first_cluster(&scenario, &cap);
    cluster::register_gateway(&cap, &mut cluster, @0x1);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EGatewayNotFound)]
fun remove_unknown_gateway() {
    let (mut scenario, _clock) = env::create(true);
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    cluster::remove_gateway(&cap, &mut cluster, @0x1);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EWrongCap)]
fun remove_gateway_wrong_cap() {
    let (mut scenario, _clock) = two_clusters();
    scenario.next_tx(env::other());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = first_cluster(&scenario, &cap);
    cluster::remove_gateway(&cap, &mut cluster, @0x1);
    abort 99
}

// === versions ===

#[test]
fun migrate_moves_an_older_cluster_forward() {
    let (mut scenario, clock) = env::setup();
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    cluster.set_version_for_testing(0);
    cluster::migrate(&cap, &mut cluster);
    assert!(cluster.version_of() == 1);
    // the entries work again
    cluster::set_fees(&cap, &mut cluster, 1, 2);
    ts::return_shared(cluster);
    scenario.return_to_sender(cap);
    let effects = scenario.next_tx(env::operator());
    assert!(effects.num_user_events() == 2);
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = cluster::EWrongVersion)]
fun an_older_cluster_is_refused() {
    let (mut scenario, _clock) = env::setup();
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    cluster.set_version_for_testing(0);
    cluster::set_fees(&cap, &mut cluster, 1, 2);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EWrongVersion)]
fun a_newer_cluster_is_refused() {
    let (mut scenario, _clock) = env::setup();
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    cluster.set_version_for_testing(2);
    cluster::register_gateway(&cap, &mut cluster, @0x77);
    abort 99
}

#[test, expected_failure(abort_code = cluster::ENotUpgraded)]
fun migrate_a_current_cluster() {
    let (mut scenario, _clock) = env::setup();
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    cluster::migrate(&cap, &mut cluster);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EWrongCap)]
fun migrate_wrong_cap() {
    let (mut scenario, _clock) = two_clusters();
    scenario.next_tx(env::other());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared_by_id<Cluster>(object::id_from_address(k3sdaas::vectors_tests::cluster_id()));
    cluster::migrate(&cap, &mut cluster);
    abort 99
}

#[test]
fun set_max_session_ms_changes_it() {
    let (mut scenario, clock) = env::create(true);
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    assert!(cluster.max_session_ms() == 1_800_000);
    cluster::set_max_session_ms(&cap, &mut cluster, 2_000);
    assert!(cluster.max_session_ms() == 2_000);
    cluster::set_max_session_ms(&cap, &mut cluster, 86_400_000);
    assert!(cluster.max_session_ms() == 86_400_000);
    ts::return_shared(cluster);
    scenario.return_to_sender(cap);
    let effects = scenario.next_tx(env::operator());
    assert!(effects.num_user_events() == 2);
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = cluster::EInvalidPeriod)]
fun set_max_session_ms_zero() {
    let (mut scenario, _clock) = env::create(true);
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    cluster::set_max_session_ms(&cap, &mut cluster, 0);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EInvalidPeriod)]
fun set_max_session_ms_above_bound() {
    let (mut scenario, _clock) = env::create(true);
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    cluster::set_max_session_ms(&cap, &mut cluster, 86_400_001);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EWrongCap)]
fun set_max_session_ms_wrong_cap() {
    let (mut scenario, _clock) = two_clusters();
    scenario.next_tx(env::other());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared_by_id<Cluster>(object::id_from_address(k3sdaas::vectors_tests::cluster_id()));
    cluster::set_max_session_ms(&cap, &mut cluster, 2_000);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EWrongVersion)]
fun set_max_session_ms_older_cluster() {
    let (mut scenario, _clock) = env::setup();
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    cluster.set_version_for_testing(0);
    cluster::set_max_session_ms(&cap, &mut cluster, 2_000);
    abort 99
}
