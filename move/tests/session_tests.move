#[test_only]
module k3sdaas::session_tests;

use k3sdaas::cluster::Cluster;
use k3sdaas::enclave;
use k3sdaas::env_tests as env;
use k3sdaas::session::{Self, SessionOpened, SessionClosed};
use k3sdaas::session_vectors_tests as sv;
use k3sdaas::vectors_tests as v;
use sui::clock::Clock;
use sui::event;
use sui::test_scenario::{Self as ts, Scenario};

fun rid(): ID { object::id_from_address(v::request_id()) }

fun at(ms: u64): (Scenario, Clock) {
    let (mut scenario, mut clock) = env::setup();
    scenario.next_tx(env::operator());
    clock.set_for_testing(ms);
    (scenario, clock)
}

fun open_with(scenario: &Scenario, clock: &Clock, requester: address, expires_ms: u64) {
    let cluster = scenario.take_shared<Cluster>();
    session::open_session(&cluster, rid(), requester, expires_ms, sv::open_ts(), sv::open_sig(), clock);
    ts::return_shared(cluster);
}

fun record_with(scenario: &Scenario, clock: &Clock, opened_ms: u64, bytes_down: u64, reason: u8, digest: vector<u8>) {
    let cluster = scenario.take_shared<Cluster>();
    session::record_session(
        &cluster, rid(), v::user(), opened_ms, sv::close_ts(), bytes_down, 12, 9, true, 0, reason, digest,
        sv::close_ts(), sv::record_sig(), clock,
    );
    ts::return_shared(cluster);
}

// === open_session ===

#[test]
fun open_session_emits_opened() {
    let (scenario, clock) = at(sv::open_ts() + 100);
    open_with(&scenario, &clock, v::user(), sv::session_expires());
    let events = event::events_by_type<SessionOpened>();
    assert!(events.length() == 1);
    assert!(events[0] == session::new_opened_for_testing(object::id_from_address(v::cluster_id()), rid(), v::user(), sv::open_ts(), sv::session_expires(), sv::open_sig()));
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = session::EInvalidTimes)]
fun open_session_expiring_before_it_opens() {
    let (scenario, clock) = at(sv::open_ts() + 100);
    open_with(&scenario, &clock, v::user(), sv::open_ts());
    abort 99
}

#[test, expected_failure(abort_code = enclave::EInvalidSignature)]
fun open_session_for_another_requester() {
    let (scenario, clock) = at(sv::open_ts() + 100);
    open_with(&scenario, &clock, env::other(), sv::session_expires());
    abort 99
}

#[test, expected_failure(abort_code = enclave::EStaleTimestamp)]
fun open_session_stale_signature() {
    let (scenario, clock) = at(sv::open_ts() + 3_600_000);
    open_with(&scenario, &clock, v::user(), sv::session_expires());
    abort 99
}

// === record_session ===

#[test]
fun record_session_emits_closed() {
    let (scenario, clock) = at(sv::close_ts() + 100);
    record_with(&scenario, &clock, sv::open_ts(), 4096, 0, sv::transcript());
    let events = event::events_by_type<SessionClosed>();
    assert!(events.length() == 1);
    let (request_id, requester, bytes_down, bytes_up, reason, digest) = events[0].closed_fields();
    assert!(request_id == rid() && requester == v::user());
    assert!(bytes_down == 4096 && bytes_up == 12 && reason == 0 && digest == sv::transcript());
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = session::EInvalidDigest)]
fun record_session_short_digest() {
    let (scenario, clock) = at(sv::close_ts() + 100);
    record_with(&scenario, &clock, sv::open_ts(), 4096, 0, vector[0xdd]);
    abort 99
}

#[test, expected_failure(abort_code = session::EInvalidTimes)]
fun record_session_closed_before_opened() {
    let (scenario, clock) = at(sv::close_ts() + 100);
    record_with(&scenario, &clock, sv::close_ts() + 1, 4096, 0, sv::transcript());
    abort 99
}

#[test, expected_failure(abort_code = session::EUnknownReason)]
fun record_session_unknown_reason() {
    let (scenario, clock) = at(sv::close_ts() + 100);
    record_with(&scenario, &clock, sv::open_ts(), 4096, 7, sv::transcript());
    abort 99
}

#[test, expected_failure(abort_code = enclave::EInvalidSignature)]
fun record_session_tampered_byte_count() {
    let (scenario, clock) = at(sv::close_ts() + 100);
    record_with(&scenario, &clock, sv::open_ts(), 4095, 0, sv::transcript());
    abort 99
}

// === versions ===

#[test, expected_failure(abort_code = k3sdaas::cluster::EWrongVersion)]
fun open_session_on_an_older_cluster() {
    let (scenario, clock) = at(sv::open_ts());
    let mut cluster = scenario.take_shared<Cluster>();
    cluster.set_version_for_testing(0);
    ts::return_shared(cluster);
    let mut scenario = scenario;
    scenario.next_tx(env::operator());
    open_with(&scenario, &clock, v::user(), sv::open_ts() + 60_000);
    abort 99
}

#[test, expected_failure(abort_code = k3sdaas::cluster::EWrongVersion)]
fun record_session_on_an_older_cluster() {
    let (scenario, clock) = at(sv::close_ts());
    let mut cluster = scenario.take_shared<Cluster>();
    cluster.set_version_for_testing(0);
    ts::return_shared(cluster);
    let mut scenario = scenario;
    scenario.next_tx(env::operator());
    record_with(&scenario, &clock, sv::open_ts(), 100, 0, x"00000000000000000000000000000000000000000000000000000000000000ff");
    abort 99
}

