#[test_only]
module k3sdaas::enclave_tests;

use k3sdaas::cluster::{Self, Cluster, ClusterAdminCap};
use k3sdaas::enclave;
use k3sdaas::env_tests as env;
use k3sdaas::request;
use k3sdaas::vectors_tests as v;
use sui::clock::Clock;
use sui::test_scenario::{Self as ts, Scenario};

/// bcs(IntentMessage<ResponsePayload>) as pinned by test/golden/intent-message.hex.
const GOLDEN_HEX: vector<u8> =
    x"000068e5cf8b0100001111111111111111111111111111111111111111111111111111111111111111222222222222222222222222222222222222222222222222222222222222222220aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac90020bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

fun golden_payload(): request::ResponsePayload {
    request::new_response_payload_for_testing(
        object::id_from_address(@0x1111111111111111111111111111111111111111111111111111111111111111),
        @0x2222222222222222222222222222222222222222222222222222222222222222,
        vector::tabulate!(32, |_| 0xaa),
        201,
        vector::tabulate!(32, |_| 0xbb),
    )
}

/// OPERATOR in tx1 with the cap and the cluster (debug or attested) taken.
fun admin(debug: bool): (Scenario, Clock, ClusterAdminCap, Cluster) {
    let (mut scenario, clock) = env::create(debug);
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let cluster = scenario.take_shared<Cluster>();
    (scenario, clock, cap, cluster)
}

fun done(scenario: Scenario, clock: Clock, cap: ClusterAdminCap, cluster: Cluster) {
    ts::return_shared(cluster);
    scenario.return_to_sender(cap);
    env::finish(scenario, clock);
}

#[test]
fun golden_response_payload_bytes() {
    let bytes = enclave::intent_message_bytes(0, 1_700_000_000_000, golden_payload());
    assert!(bytes == GOLDEN_HEX);
    assert!(bytes == v::golden_bytes());
}

#[test]
fun register_debug_sets_and_replaces_key() {
    let (mut scenario, mut clock, cap, mut cluster) = admin(true);
    enclave::register_debug(&cap, &mut cluster, v::enclave_pk(), &clock);
    assert!(*cluster.enclave_pk() == v::enclave_pk());
    assert!(cluster.enclave_registered_ms() == v::t0());
    clock.increment_for_testing(5);
    enclave::register_debug(&cap, &mut cluster, v::user_pk(), &clock);
    assert!(*cluster.enclave_pk() == v::user_pk());
    assert!(cluster.enclave_registered_ms() == v::t0() + 5);
    ts::return_shared(cluster);
    scenario.return_to_sender(cap);
    let effects = scenario.next_tx(env::operator());
    assert!(effects.num_user_events() == 2);
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = cluster::EWrongCap)]
fun register_debug_wrong_cap() {
    let (mut scenario, clock) = env::create(true);
    scenario.next_tx(env::other());
    cluster::create(b"o".to_string(), b"u".to_string(), vector[], 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 10_000, true, vector[], scenario.ctx());
    scenario.next_tx(env::other());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    if (object::id(&cluster) == cap.cap_cluster_id()) {
        let other = ts::most_recent_id_shared<Cluster>().destroy_some();
        ts::return_shared(cluster);
        cluster = scenario.take_shared_by_id<Cluster>(other);
    };
    enclave::register_debug(&cap, &mut cluster, v::enclave_pk(), &clock);
    abort 99
}

#[test, expected_failure(abort_code = enclave::ENotDebugCluster)]
fun register_debug_on_attested_cluster() {
    let (_scenario, clock, cap, mut cluster) = admin(false);
    enclave::register_debug(&cap, &mut cluster, v::enclave_pk(), &clock);
    abort 99
}

#[test, expected_failure(abort_code = enclave::EInvalidPublicKey)]
fun register_debug_short_key() {
    let (_scenario, clock, cap, mut cluster) = admin(true);
    enclave::register_debug(&cap, &mut cluster, vector[1, 2, 3], &clock);
    abort 99
}

/// `register_attested` on what a document carries: PCRs, key, user data and timestamp.
fun measured(
    cap: &ClusterAdminCap,
    cluster: &mut Cluster,
    pcrs: vector<vector<u8>>,
    public_key: Option<vector<u8>>,
    user_data: Option<vector<u8>>,
    timestamp_ms: u64,
    clock: &Clock,
) {
    enclave::register_measured_for_testing(cap, cluster, pcrs, public_key, user_data, timestamp_ms, clock);
}

#[test]
fun register_attested_with_matching_pcrs() {
    let (mut scenario, mut clock, cap, mut cluster) = admin(false);
    measured(&cap, &mut cluster, env::pcrs(), option::some(v::enclave_pk()), option::some(env::ca_hash()), v::t0(), &clock);
    assert!(*cluster.enclave_pk() == v::enclave_pk());
    assert!(cluster.enclave_registered_ms() == v::t0());
    // the age bounds are inclusive: exactly 300 000 ms old, exactly 10 000 ms ahead
    clock.increment_for_testing(7);
    measured(&cap, &mut cluster, env::pcrs(), option::some(v::user_pk()), option::some(env::ca_hash()), v::t0() + 7 - 300_000, &clock);
    assert!(*cluster.enclave_pk() == v::user_pk());
    assert!(cluster.enclave_registered_ms() == v::t0() + 7);
    measured(&cap, &mut cluster, env::pcrs(), option::some(v::enclave_pk()), option::some(env::ca_hash()), v::t0() + 7 + 10_000, &clock);
    assert!(*cluster.enclave_pk() == v::enclave_pk());
    ts::return_shared(cluster);
    scenario.return_to_sender(cap);
    let effects = scenario.next_tx(env::operator());
    assert!(effects.num_user_events() == 3);
    env::finish(scenario, clock);
}

#[test]
fun register_attested_without_ca_hash_ignores_user_data() {
    let (mut scenario, clock, cap, mut cluster) = admin(false);
    cluster::update(&cap, &mut cluster, b"https://10.0.0.1:6443".to_string(), vector[], 1, 1, scenario.ctx());
    measured(&cap, &mut cluster, env::pcrs(), option::some(v::enclave_pk()), option::none(), v::t0(), &clock);
    assert!(*cluster.enclave_pk() == v::enclave_pk());
    measured(&cap, &mut cluster, env::pcrs(), option::some(v::user_pk()), option::some(vector[1, 2]), v::t0(), &clock);
    assert!(*cluster.enclave_pk() == v::user_pk());
    done(scenario, clock, cap, cluster);
}

#[test, expected_failure(abort_code = cluster::EWrongCap)]
fun register_attested_wrong_cap() {
    let (mut scenario, clock) = env::create(false);
    scenario.next_tx(env::other());
    cluster::create(b"o".to_string(), b"u".to_string(), vector[], 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 10_000, true, vector[], scenario.ctx());
    scenario.next_tx(env::other());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    if (object::id(&cluster) == cap.cap_cluster_id()) {
        let other = ts::most_recent_id_shared<Cluster>().destroy_some();
        ts::return_shared(cluster);
        cluster = scenario.take_shared_by_id<Cluster>(other);
    };
    assert!(!cluster.is_debug());
    // everything else in order: the cap decides
    measured(&cap, &mut cluster, env::pcrs(), option::some(v::enclave_pk()), option::some(env::ca_hash()), v::t0(), &clock);
    abort 99
}

#[test, expected_failure(abort_code = enclave::EPcrMismatch)]
fun register_attested_pcr_mismatch() {
    let (_scenario, clock, cap, mut cluster) = admin(false);
    let mut pcrs = env::pcrs();
    *&mut pcrs[2] = vector::tabulate!(48, |_| 9u8);
    measured(&cap, &mut cluster, pcrs, option::some(v::enclave_pk()), option::some(env::ca_hash()), v::t0(), &clock);
    abort 99
}

#[test, expected_failure(abort_code = enclave::EPcrMismatch)]
fun register_attested_on_debug_cluster() {
    let (_scenario, clock, cap, mut cluster) = admin(true);
    measured(&cap, &mut cluster, env::pcrs(), option::some(v::enclave_pk()), option::some(env::ca_hash()), v::t0(), &clock);
    abort 99
}

#[test, expected_failure(abort_code = enclave::EInvalidPublicKey)]
fun register_attested_without_key() {
    let (_scenario, clock, cap, mut cluster) = admin(false);
    measured(&cap, &mut cluster, env::pcrs(), option::none(), option::some(env::ca_hash()), v::t0(), &clock);
    abort 99
}

#[test, expected_failure(abort_code = enclave::EInvalidPublicKey)]
fun register_attested_short_key() {
    let (_scenario, clock, cap, mut cluster) = admin(false);
    measured(&cap, &mut cluster, env::pcrs(), option::some(vector[1]), option::some(env::ca_hash()), v::t0(), &clock);
    abort 99
}

#[test, expected_failure(abort_code = enclave::EUserDataMismatch)]
fun register_attested_without_user_data() {
    let (_scenario, clock, cap, mut cluster) = admin(false);
    measured(&cap, &mut cluster, env::pcrs(), option::some(v::enclave_pk()), option::none(), v::t0(), &clock);
    abort 99
}

#[test, expected_failure(abort_code = enclave::EUserDataMismatch)]
fun register_attested_other_user_data() {
    let (_scenario, clock, cap, mut cluster) = admin(false);
    let mut user_data = env::ca_hash();
    *&mut user_data[31] = user_data[31] ^ 1;
    measured(&cap, &mut cluster, env::pcrs(), option::some(v::enclave_pk()), option::some(user_data), v::t0(), &clock);
    abort 99
}

#[test, expected_failure(abort_code = enclave::EUserDataMismatch)]
fun register_attested_user_data_checked_before_age() {
    let (_scenario, clock, cap, mut cluster) = admin(false);
    measured(&cap, &mut cluster, env::pcrs(), option::some(v::enclave_pk()), option::some(vector[]), 0, &clock);
    abort 99
}

#[test, expected_failure(abort_code = enclave::EStaleAttestation)]
fun register_attested_too_old() {
    let (_scenario, clock, cap, mut cluster) = admin(false);
    measured(&cap, &mut cluster, env::pcrs(), option::some(v::enclave_pk()), option::some(env::ca_hash()), v::t0() - 300_001, &clock);
    abort 99
}

#[test, expected_failure(abort_code = enclave::EStaleAttestation)]
fun register_attested_too_far_ahead() {
    let (_scenario, clock, cap, mut cluster) = admin(false);
    measured(&cap, &mut cluster, env::pcrs(), option::some(v::enclave_pk()), option::some(env::ca_hash()), v::t0() + 10_001, &clock);
    abort 99
}

#[test, expected_failure(abort_code = enclave::EStaleAttestation)]
fun register_attested_stale_without_ca_hash() {
    let (mut scenario, clock, cap, mut cluster) = admin(false);
    cluster::update(&cap, &mut cluster, b"https://10.0.0.1:6443".to_string(), vector[], 1, 1, scenario.ctx());
    measured(&cap, &mut cluster, env::pcrs(), option::some(v::enclave_pk()), option::none(), 0, &clock);
    abort 99
}

/// A cluster with the test enclave key, OPERATOR in tx2 with the clock at `now`.
fun with_enclave(now: u64): (Scenario, Clock, Cluster) {
    let (mut scenario, clock) = env::setup();
    scenario.next_tx(env::operator());
    std::unit_test::destroy(clock);
    let mut clock = sui::clock::create_for_testing(scenario.ctx());
    clock.set_for_testing(now);
    let cluster = scenario.take_shared<Cluster>();
    (scenario, clock, cluster)
}

#[test]
fun verify_accepts_enclave_signature() {
    let ts_ms = 1_700_000_000_000;
    let mut now = ts_ms - 10_000;
    while (now <= ts_ms + 60_000) {
        let (scenario, clock, cluster) = with_enclave(now);
        enclave::verify_for_testing(&cluster, 0, ts_ms, golden_payload(), v::golden_sig(), &clock);
        ts::return_shared(cluster);
        env::finish(scenario, clock);
        now = now + 35_000;
    };
    let (scenario, clock, cluster) = with_enclave(ts_ms + 60_000);
    enclave::verify_for_testing(&cluster, 0, ts_ms, golden_payload(), v::golden_sig(), &clock);
    ts::return_shared(cluster);
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = enclave::ENoEnclave)]
fun verify_without_enclave() {
    let (_scenario, clock, _cap, cluster) = admin(true);
    enclave::verify_for_testing(&cluster, 0, v::t0(), golden_payload(), v::golden_sig(), &clock);
    abort 99
}

#[test, expected_failure(abort_code = enclave::EInvalidSignature)]
fun verify_tampered_signature() {
    let (_scenario, clock, cluster) = with_enclave(v::t0());
    let mut sig = v::golden_sig();
    *&mut sig[0] = sig[0] ^ 1;
    enclave::verify_for_testing(&cluster, 0, v::t0(), golden_payload(), sig, &clock);
    abort 99
}

#[test, expected_failure(abort_code = enclave::EInvalidSignature)]
fun verify_wrong_intent() {
    let (_scenario, clock, cluster) = with_enclave(v::t0());
    enclave::verify_for_testing(&cluster, 1, v::t0(), golden_payload(), v::golden_sig(), &clock);
    abort 99
}

#[test, expected_failure(abort_code = enclave::EInvalidSignature)]
fun verify_short_signature() {
    let (_scenario, clock, cluster) = with_enclave(v::t0());
    enclave::verify_for_testing(&cluster, 0, v::t0(), golden_payload(), vector[1, 2], &clock);
    abort 99
}

#[test, expected_failure(abort_code = enclave::EStaleTimestamp)]
fun verify_too_old() {
    let (_scenario, clock, cluster) = with_enclave(v::t0() + 60_001);
    enclave::verify_for_testing(&cluster, 0, v::t0(), golden_payload(), v::golden_sig(), &clock);
    abort 99
}

#[test, expected_failure(abort_code = enclave::EStaleTimestamp)]
fun verify_too_far_ahead() {
    let (_scenario, clock, cluster) = with_enclave(v::t0() - 10_001);
    enclave::verify_for_testing(&cluster, 0, v::t0(), golden_payload(), v::golden_sig(), &clock);
    abort 99
}

// === update_pcrs ===

#[test]
fun update_pcrs_clears_the_enclave_key_and_bumps_the_config() {
    let (mut scenario, clock) = env::setup();
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    assert!(!cluster.enclave_pk().is_empty());
    assert!(cluster.enclave_config_version() == 1);
    let new_pcrs = vector[vector::tabulate!(48, |_| 9u8), vector::tabulate!(48, |_| 8u8), vector::tabulate!(48, |_| 7u8)];
    enclave::update_pcrs(&cap, &mut cluster, new_pcrs);
    assert!(cluster.enclave_pk().is_empty());
    assert!(cluster.enclave_registered_ms() == 0);
    assert!(cluster.enclave_config_version() == 2);
    assert!(*cluster.expected_pcrs() == new_pcrs);
    ts::return_shared(cluster);
    scenario.return_to_sender(cap);
    let effects = scenario.next_tx(env::operator());
    assert!(effects.num_user_events() == 1);
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = cluster::EInvalidPcrs)]
fun update_pcrs_needs_three_on_attested_clusters() {
    let (mut scenario, _clock) = env::create(false);
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    enclave::update_pcrs(&cap, &mut cluster, vector[vector[1]]);
    abort 99
}

#[test, expected_failure(abort_code = enclave::ENoEnclave)]
fun after_update_pcrs_signatures_need_a_new_registration() {
    let (mut scenario, clock) = env::setup();
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    enclave::update_pcrs(&cap, &mut cluster, vector[]);
    enclave::verify_for_testing(&cluster, 0, 0, 1u8, vector[], &clock);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EWrongCap)]
fun update_pcrs_wrong_cap() {
    let (mut scenario, _clock) = env::create(true);
    scenario.next_tx(env::other());
    cluster::create(b"o".to_string(), b"u".to_string(), vector[], 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 10_000, true, vector[], scenario.ctx());
    scenario.next_tx(env::other());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared_by_id<Cluster>(object::id_from_address(v::cluster_id()));
    enclave::update_pcrs(&cap, &mut cluster, vector[]);
    abort 99
}
