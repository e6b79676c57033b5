#[test_only]
module k3sdaas::request_tests;

use k3sdaas::access::{Self, SealToken};
use k3sdaas::cluster::{Self, Cluster, ClusterAdminCap};
use k3sdaas::credential;
use k3sdaas::enclave;
use k3sdaas::env_tests as env;
use k3sdaas::request::{Self, Request, RequestSubmitted, ResponseStored, RequestExpired};
use k3sdaas::vectors_tests as v;
use std::string::String;
use sui::clock::Clock;
use sui::event;
use sui::test_scenario::{Self as ts, Scenario};

const VIEWER: u8 = 0;
const ADMIN: u8 = 2;

fun s(bytes: vector<u8>): String { bytes.to_string() }

fun key(): vector<u8> { vector::tabulate!(32, |_| 0x55) }

/// Chunks of `sizes` bytes each.
fun chunks(sizes: vector<u64>): vector<vector<u8>> {
    sizes.map!(|n| vector::tabulate!(n, |_| 0x42))
}

/// USER submits directly with `token` (tx as USER).
fun submit(
    scenario: &mut Scenario,
    clock: &Clock,
    cluster: &mut Cluster,
    token: &SealToken,
    method: vector<u8>,
    path: vector<u8>,
    reply_key: vector<u8>,
    digest: vector<u8>,
    body: vector<vector<u8>>,
) {
    request::submit(
        cluster, token, s(method), s(path), digest, 4, body, s(b""), reply_key, clock, scenario.ctx(),
    );
}

/// tx3 as USER holding an ADMIN (or `role`) token; cluster and token taken.
fun direct(role: u8): (Scenario, Clock, Cluster, SealToken) {
    let (scenario, clock) = env::setup_with_token(role, 1_000, v::user());
    let cluster = scenario.take_shared<Cluster>();
    let token = scenario.take_from_sender<SealToken>();
    (scenario, clock, cluster, token)
}

/// The standard request of the vectors: USER's GET in tx3, so its id is REQUEST_ID. Ends in tx4 as `next`.
fun submitted(next: address): (Scenario, Clock) {
    let (mut scenario, clock, mut cluster, token) = direct(ADMIN);
    submit(
        &mut scenario, &clock, &mut cluster, &token, b"GET", b"/api/v1/namespaces/default/pods/web/log", key(),
        v::request_digest(), vector[b"ab", b"cd"],
    );
    ts::return_shared(cluster);
    scenario.return_to_sender(token);
    scenario.next_tx(next);
    (scenario, clock)
}

// === fees ===

const READ_FEE: u64 = 3;
const WRITE_FEE: u64 = 5;

/// tx3 as USER holding an ADMIN token (TOKEN_ID) with `prepaid` fees on a cluster charging READ_FEE / WRITE_FEE.
fun paying(prepaid: u64): (Scenario, Clock, Cluster, SealToken) {
    let (mut scenario, clock) = env::setup();
    env::stake_paying(&mut scenario, &clock, v::user(), ADMIN, 1_000, READ_FEE, WRITE_FEE, prepaid);
    scenario.next_tx(v::user());
    let cluster = scenario.take_shared<Cluster>();
    let token = scenario.take_from_sender<SealToken>();
    (scenario, clock, cluster, token)
}

/// `submitted` with fees: USER's standard GET (REQUEST_ID) escrows READ_FEE of 10 prepaid. Ends in tx4 as `next`.
fun submitted_paying(next: address): (Scenario, Clock) {
    let (mut scenario, clock, mut cluster, token) = paying(10);
    submit(
        &mut scenario, &clock, &mut cluster, &token, b"GET", b"/api/v1/namespaces/default/pods/web/log", key(),
        v::request_digest(), vector[b"ab", b"cd"],
    );
    assert!(cluster.stake_prepaid(object::id(&token)) == 10 - READ_FEE);
    ts::return_shared(cluster);
    scenario.return_to_sender(token);
    scenario.next_tx(next);
    (scenario, clock)
}

#[test]
fun submit_escrows_the_fee_by_method() {
    let (mut scenario, clock, mut cluster, token) = paying(READ_FEE + WRITE_FEE);
    let token_id = object::id(&token);
    submit(&mut scenario, &clock, &mut cluster, &token, b"POST", b"/api/v1/namespaces/default/pods", key(), v::request_digest(), vector[]);
    assert!(cluster.stake_prepaid(token_id) == READ_FEE);
    submit(&mut scenario, &clock, &mut cluster, &token, b"HEAD", b"/version", key(), v::request_digest(), vector[]);
    assert!(cluster.stake_prepaid(token_id) == 0);
    ts::return_shared(cluster);
    scenario.return_to_sender(token);
    scenario.next_tx(v::user());
    let request = scenario.take_shared<Request>();
    assert!(request.fee_value() == READ_FEE || request.fee_value() == WRITE_FEE);
    ts::return_shared(request);
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = access::EInsufficientBalance)]
fun submit_without_enough_prepaid() {
    let (mut scenario, clock, mut cluster, token) = paying(WRITE_FEE - 1);
    submit(&mut scenario, &clock, &mut cluster, &token, b"DELETE", b"/api/v1/namespaces/default/pods/web", key(), v::request_digest(), vector[]);
    abort 99
}

#[test]
fun respond_pays_the_fee_to_revenue() {
    let (scenario, mut clock) = submitted_paying(env::operator());
    clock.set_for_testing(v::response_ts() + 500);
    respond_with(&scenario, &clock, v::response_digest(), vector[], v::response_sig());
    let mut scenario = scenario;
    scenario.next_tx(env::operator());
    let cluster = scenario.take_shared<Cluster>();
    assert!(cluster.revenue_value() == READ_FEE);
    ts::return_shared(cluster);
    env::finish(scenario, clock);
}

#[test]
fun expire_refunds_the_fee_to_the_requester() {
    let (mut scenario, mut clock) = submitted_paying(env::other());
    clock.set_for_testing(v::t0() + env::request_timeout_ms() + 1);
    let request = scenario.take_shared<Request>();
    request::expire(request, &clock, scenario.ctx());
    scenario.next_tx(v::user());
    let coin = scenario.take_from_sender<sui::coin::Coin<sui::sui::SUI>>();
    assert!(coin.value() == READ_FEE);
    scenario.return_to_sender(coin);
    env::finish(scenario, clock);
}

// === submit ===

#[test]
fun submit_direct_shares_request() {
    let (mut scenario, clock, mut cluster, token) = direct(ADMIN);
    submit(
        &mut scenario, &clock, &mut cluster, &token, b"GET", b"/api/v1/namespaces/default/pods/web/log", key(),
        v::request_digest(), vector[b"ab", b"", b"cd"],
    );
    let events = event::events_by_type<RequestSubmitted>();
    assert!(events.length() == 1);
    let (request_id, requester, gateway, role, namespace, resource, body) = events[0].submitted_fields();
    assert!(request_id == object::id_from_address(v::request_id()));
    assert!(requester == v::user() && gateway.is_none() && role == ADMIN);
    assert!(namespace == s(b"default") && resource == s(b"pods/log") && body == b"abcd");
    ts::return_shared(cluster);
    scenario.return_to_sender(token);

    let effects = scenario.next_tx(v::user());
    assert!(effects.created() == vector[object::id_from_address(v::request_id())]);
    assert!(effects.shared().contains(&object::id_from_address(v::request_id())));
    let request = scenario.take_shared<Request>();
    assert!(object::id(&request).to_address() == v::request_id());
    assert!(request.requester() == v::user());
    assert!(request.gateway().is_none());
    assert!(request.token_id() == object::id_from_address(v::token_id()));
    assert!(request.body_digest() == v::request_digest());
    assert!(request.submitted_ms() == v::t0());
    assert!(request.deadline_ms() == v::t0() + env::request_timeout_ms());
    ts::return_shared(request);
    env::finish(scenario, clock);
}

#[test]
fun submit_accepts_max_inline_body() {
    let (mut scenario, clock, mut cluster, token) = direct(ADMIN);
    submit(
        &mut scenario, &clock, &mut cluster, &token, b"POST", b"/api/v1/namespaces/default/configmaps", key(),
        v::request_digest(), chunks(vector[16_384, 16_384, 16_384, 16_384, 16_384, 16_384]),
    );
    ts::return_shared(cluster);
    scenario.return_to_sender(token);
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = request::EInvalidMethod)]
fun submit_invalid_method() {
    let (mut scenario, clock, mut cluster, token) = direct(ADMIN);
    submit(&mut scenario, &clock, &mut cluster, &token, b"OPTIONS", b"/version", key(), v::request_digest(), vector[]);
    abort 99
}

#[test, expected_failure(abort_code = request::EInvalidPath)]
fun submit_relative_path() {
    let (mut scenario, clock, mut cluster, token) = direct(ADMIN);
    submit(&mut scenario, &clock, &mut cluster, &token, b"GET", b"api/v1/pods", key(), v::request_digest(), vector[]);
    abort 99
}

#[test, expected_failure(abort_code = request::EInvalidPath)]
fun submit_path_with_query() {
    let (mut scenario, clock, mut cluster, token) = direct(ADMIN);
    submit(&mut scenario, &clock, &mut cluster, &token, b"GET", b"/api/v1/pods?watch=1", key(), v::request_digest(), vector[]);
    abort 99
}

#[test, expected_failure(abort_code = request::EInvalidPath)]
fun submit_path_dot_dot_segment() {
    let (mut scenario, clock, mut cluster, token) = direct(ADMIN);
    submit(&mut scenario, &clock, &mut cluster, &token, b"GET", b"/version/../api/v1/secrets", key(), v::request_digest(), vector[]);
    abort 99
}

#[test, expected_failure(abort_code = request::EInvalidPath)]
fun submit_path_dot_segment() {
    let (mut scenario, clock, mut cluster, token) = direct(ADMIN);
    submit(&mut scenario, &clock, &mut cluster, &token, b"GET", b"/api/v1/./pods", key(), v::request_digest(), vector[]);
    abort 99
}

#[test, expected_failure(abort_code = request::EInvalidPath)]
fun submit_path_double_slash_host() {
    let (mut scenario, clock, mut cluster, token) = direct(ADMIN);
    submit(&mut scenario, &clock, &mut cluster, &token, b"GET", b"//10.0.0.7:10250/pods", key(), v::request_digest(), vector[]);
    abort 99
}

#[test, expected_failure(abort_code = request::EInvalidPath)]
fun submit_path_trailing_slash() {
    let (mut scenario, clock, mut cluster, token) = direct(ADMIN);
    submit(&mut scenario, &clock, &mut cluster, &token, b"GET", b"/api/v1/pods/", key(), v::request_digest(), vector[]);
    abort 99
}

#[test, expected_failure(abort_code = request::EInvalidPath)]
fun submit_path_percent_encoding() {
    let (mut scenario, clock, mut cluster, token) = direct(ADMIN);
    submit(&mut scenario, &clock, &mut cluster, &token, b"GET", b"/api/v1/namespaces/default/pods/%2e%2e/secrets", key(), v::request_digest(), vector[]);
    abort 99
}

#[test, expected_failure(abort_code = request::EInvalidPath)]
fun submit_path_backslash() {
    let (mut scenario, clock, mut cluster, token) = direct(ADMIN);
    submit(&mut scenario, &clock, &mut cluster, &token, b"GET", b"/api/v1/pods\\..\\secrets", key(), v::request_digest(), vector[]);
    abort 99
}

#[test, expected_failure(abort_code = request::EInvalidPath)]
fun submit_path_space() {
    let (mut scenario, clock, mut cluster, token) = direct(ADMIN);
    submit(&mut scenario, &clock, &mut cluster, &token, b"GET", b"/api/v1/namespaces/default/pods/a b", key(), v::request_digest(), vector[]);
    abort 99
}

#[test, expected_failure(abort_code = request::EInvalidPath)]
fun submit_path_non_ascii() {
    let (mut scenario, clock, mut cluster, token) = direct(ADMIN);
    submit(&mut scenario, &clock, &mut cluster, &token, b"GET", b"/api/v1/namespaces/default/pods/caf\xc3\xa9", key(), v::request_digest(), vector[]);
    abort 99
}

#[test, expected_failure(abort_code = request::EInvalidPath)]
fun submit_path_fragment() {
    let (mut scenario, clock, mut cluster, token) = direct(ADMIN);
    submit(&mut scenario, &clock, &mut cluster, &token, b"GET", b"/api/v1/pods#x", key(), v::request_digest(), vector[]);
    abort 99
}

#[test, expected_failure(abort_code = request::EInvalidPath)]
fun submit_path_control_byte() {
    let (mut scenario, clock, mut cluster, token) = direct(ADMIN);
    submit(&mut scenario, &clock, &mut cluster, &token, b"GET", b"/api/v1/pods\x0a", key(), v::request_digest(), vector[]);
    abort 99
}

#[test]
fun submit_accepts_pchar_paths() {
    let (mut scenario, clock, mut cluster, token) = direct(ADMIN);
    vector[
        b"/",
        b"/version",
        b"/api/v1/namespaces/default/services/web:80/proxy",
        b"/api/v1/namespaces/kube-system/pods/coredns-5d.x_y~z/log",
        b"/apis/rbac.authorization.k8s.io/v1/clusterroles/system:aggregate-to-edit",
        b"/api/v1/namespaces/a/pods/...",
        b"/api/v1/namespaces/a/configmaps/!$&'()*+,;=:@",
    ].do!(|path| submit(&mut scenario, &clock, &mut cluster, &token, b"GET", path, key(), v::request_digest(), vector[]));
    assert!(event::events_by_type<RequestSubmitted>().length() == 7);
    ts::return_shared(cluster);
    scenario.return_to_sender(token);
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = request::EInvalidReplyKey)]
fun submit_short_reply_key() {
    let (mut scenario, clock, mut cluster, token) = direct(ADMIN);
    submit(&mut scenario, &clock, &mut cluster, &token, b"GET", b"/version", vector[1], v::request_digest(), vector[]);
    abort 99
}

#[test, expected_failure(abort_code = request::EInvalidDigest)]
fun submit_short_digest() {
    let (mut scenario, clock, mut cluster, token) = direct(ADMIN);
    submit(&mut scenario, &clock, &mut cluster, &token, b"GET", b"/version", key(), vector[1], vector[]);
    abort 99
}

#[test, expected_failure(abort_code = request::EBodyTooLarge)]
fun submit_body_too_large() {
    let (mut scenario, clock, mut cluster, token) = direct(ADMIN);
    submit(
        &mut scenario, &clock, &mut cluster, &token, b"POST", b"/api/v1/namespaces/default/configmaps", key(),
        v::request_digest(), chunks(vector[16_384, 16_384, 16_384, 16_384, 16_384, 16_384, 1]),
    );
    abort 99
}

#[test, expected_failure(abort_code = access::ERoleCannotWrite)]
fun submit_checks_authorization() {
    let (mut scenario, clock, mut cluster, token) = direct(VIEWER);
    submit(&mut scenario, &clock, &mut cluster, &token, b"DELETE", b"/api/v1/namespaces/default/pods/web", key(), v::request_digest(), vector[]);
    abort 99
}

#[test, expected_failure(abort_code = access::EWrongCluster)]
fun submit_token_of_other_cluster() {
    let (mut scenario, clock, cluster, token) = direct(ADMIN);
    ts::return_shared(cluster);
    cluster::create(s(b"o"), s(b"u"), vector[], 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 10_000, true, vector[], scenario.ctx());
    scenario.next_tx(v::user());
    let mut other = take_other_cluster(&scenario);
    submit(&mut scenario, &clock, &mut other, &token, b"GET", b"/version", key(), v::request_digest(), vector[]);
    abort 99
}

/// The shared cluster that is not CLUSTER_ID.
fun take_other_cluster(scenario: &Scenario): Cluster {
    let cluster = scenario.take_shared<Cluster>();
    if (object::id(&cluster).to_address() != v::cluster_id()) return cluster;
    let other = ts::most_recent_id_shared<Cluster>().destroy_some();
    ts::return_shared(cluster);
    scenario.take_shared_by_id<Cluster>(other)
}

// === submit_via_gateway ===

fun submit_gateway(scenario: &mut Scenario, clock: &Clock, cluster: &mut Cluster, method: vector<u8>, path: vector<u8>) {
    request::submit_via_gateway(
        cluster, v::credential(), v::credential_sig(), s(method), s(path), v::request_digest(), 0, vector[],
        s(b"blob-1"), key(), clock, scenario.ctx(),
    );
}

#[test]
fun submit_via_gateway_acts_for_signer() {
    let (mut scenario, clock) = env::setup_with_token(ADMIN, 1_000, v::gateway());
    let mut cluster = scenario.take_shared<Cluster>();
    submit_gateway(&mut scenario, &clock, &mut cluster, b"POST", b"/api/v1/namespaces/default/pods");
    let events = event::events_by_type<RequestSubmitted>();
    let (_, requester, gateway, role, namespace, resource, body) = events[0].submitted_fields();
    assert!(requester == v::user() && gateway == option::some(v::gateway()) && role == ADMIN);
    assert!(namespace == s(b"default") && resource == s(b"pods") && body.is_empty());
    ts::return_shared(cluster);
    scenario.next_tx(v::gateway());
    let request = scenario.take_shared<Request>();
    assert!(request.requester() == v::user());
    assert!(request.gateway() == option::some(v::gateway()));
    assert!(request.token_id() == object::id_from_address(v::token_id()));
    ts::return_shared(request);
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = request::EGatewayNotRegistered)]
fun submit_via_unregistered_gateway() {
    let (mut scenario, clock) = env::setup_with_token(ADMIN, 1_000, env::other());
    let mut cluster = scenario.take_shared<Cluster>();
    submit_gateway(&mut scenario, &clock, &mut cluster, b"GET", b"/version");
    abort 99
}

#[test, expected_failure(abort_code = request::EWrongGateway)]
fun submit_via_other_gateway() {
    let (mut scenario, clock) = env::setup_with_token(ADMIN, 1_000, env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    cluster::register_gateway(&cap, &mut cluster, env::other());
    ts::return_shared(cluster);
    scenario.return_to_sender(cap);
    scenario.next_tx(env::other());
    let mut cluster = scenario.take_shared<Cluster>();
    submit_gateway(&mut scenario, &clock, &mut cluster, b"GET", b"/version");
    abort 99
}

#[test, expected_failure(abort_code = credential::EExpired)]
fun submit_via_gateway_expired_credential() {
    let (mut scenario, mut clock) = env::setup_with_token(ADMIN, 1_000, v::gateway());
    clock.set_for_testing(v::expires_ms() + 1);
    let mut cluster = scenario.take_shared<Cluster>();
    submit_gateway(&mut scenario, &clock, &mut cluster, b"GET", b"/version");
    abort 99
}

#[test, expected_failure(abort_code = access::EWrongCluster)]
fun submit_via_gateway_other_cluster() {
    let (mut scenario, clock) = env::setup_with_token(ADMIN, 1_000, env::other());
    cluster::create(s(b"o"), s(b"u"), vector[], 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 10_000, true, vector[], scenario.ctx());
    scenario.next_tx(env::other());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut other = take_other_cluster(&scenario);
    cluster::register_gateway(&cap, &mut other, v::gateway());
    ts::return_shared(other);
    scenario.return_to_sender(cap);
    scenario.next_tx(v::gateway());
    let mut other = take_other_cluster(&scenario);
    submit_gateway(&mut scenario, &clock, &mut other, b"GET", b"/version");
    abort 99
}

#[test, expected_failure(abort_code = access::EUnknownToken)]
fun submit_via_gateway_unknown_token() {
    let (mut scenario, clock) = env::setup();
    scenario.next_tx(v::gateway());
    let mut cluster = scenario.take_shared<Cluster>();
    submit_gateway(&mut scenario, &clock, &mut cluster, b"GET", b"/version");
    abort 99
}

#[test, expected_failure(abort_code = access::ENotTokenOwner)]
fun submit_via_gateway_not_token_owner() {
    // OTHER stakes in tx2, so the token has TOKEN_ID but is not the signer's.
    let (mut scenario, clock) = env::setup();
    env::stake(&mut scenario, &clock, env::other(), ADMIN, 1_000);
    scenario.next_tx(v::gateway());
    let mut cluster = scenario.take_shared<Cluster>();
    submit_gateway(&mut scenario, &clock, &mut cluster, b"GET", b"/version");
    abort 99
}

// === respond ===

fun respond_with(
    scenario: &Scenario,
    clock: &Clock,
    digest: vector<u8>,
    body: vector<vector<u8>>,
    signature: vector<u8>,
) {
    let mut cluster = scenario.take_shared<Cluster>();
    let request = scenario.take_shared<Request>();
    request::respond(
        &mut cluster, request, v::response_status(), digest, 4, body, s(b""), v::response_ts(), signature, clock,
    );
    ts::return_shared(cluster);
}

#[test]
fun respond_stores_response_and_deletes_request() {
    let (mut scenario, mut clock) = submitted(env::operator());
    clock.set_for_testing(v::response_ts() + 500);
    respond_with(&scenario, &clock, v::response_digest(), vector[b"ok", b"!"], v::response_sig());
    let events = event::events_by_type<ResponseStored>();
    assert!(events.length() == 1);
    let (request_id, requester, status, body, latency_ms) = events[0].stored_fields();
    assert!(request_id.to_address() == v::request_id() && requester == v::user());
    assert!(status == v::response_status() && body == b"ok!" && latency_ms == 1_500);
    let effects = scenario.next_tx(env::operator());
    assert!(effects.deleted().contains(&object::id_from_address(v::request_id())));
    assert!(effects.num_user_events() == 1);
    assert!(!ts::has_most_recent_shared<Request>());
    env::finish(scenario, clock);
}

#[test]
fun respond_at_deadline() {
    let (scenario, mut clock) = submitted(env::operator());
    clock.set_for_testing(v::t0() + env::request_timeout_ms());
    respond_with(&scenario, &clock, v::response_digest(), vector[], v::response_sig());
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = request::EDeadlinePassed)]
fun respond_after_deadline() {
    let (scenario, mut clock) = submitted(env::operator());
    clock.set_for_testing(v::t0() + env::request_timeout_ms() + 1);
    respond_with(&scenario, &clock, v::response_digest(), vector[], v::response_sig());
    abort 99
}

#[test, expected_failure(abort_code = request::EInvalidDigest)]
fun respond_short_digest() {
    let (scenario, clock) = submitted(env::operator());
    respond_with(&scenario, &clock, vector[0xbb], vector[], v::response_sig());
    abort 99
}

#[test, expected_failure(abort_code = request::EBodyTooLarge)]
fun respond_body_too_large() {
    let (scenario, clock) = submitted(env::operator());
    respond_with(&scenario, &clock, v::response_digest(), chunks(vector[98_304, 1]), v::response_sig());
    abort 99
}

#[test, expected_failure(abort_code = enclave::EInvalidSignature)]
fun respond_wrong_signature() {
    let (scenario, mut clock) = submitted(env::operator());
    clock.set_for_testing(v::response_ts());
    respond_with(&scenario, &clock, vector::tabulate!(32, |_| 0xbc), vector[], v::response_sig());
    abort 99
}

#[test, expected_failure(abort_code = request::EWrongClusterRequest)]
fun respond_with_other_cluster() {
    let (mut scenario, clock) = submitted(env::other());
    cluster::create(s(b"o"), s(b"u"), vector[], 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 10_000, true, vector[], scenario.ctx());
    scenario.next_tx(env::other());
    let mut other = take_other_cluster(&scenario);
    let request = scenario.take_shared<Request>();
    request::respond(
        &mut other, request, 200, v::response_digest(), 0, vector[], s(b""), v::response_ts(), v::response_sig(), &clock,
    );
    abort 99
}

// === expire ===

#[test]
fun expire_after_deadline() {
    let (mut scenario, mut clock) = submitted(env::other());
    clock.set_for_testing(v::t0() + env::request_timeout_ms() + 1);
    let request = scenario.take_shared<Request>();
    request::expire(request, &clock, scenario.ctx());
    let events = event::events_by_type<RequestExpired>();
    let (request_id, requester, deadline_ms) = events[0].expired_fields();
    assert!(request_id.to_address() == v::request_id() && requester == v::user());
    assert!(deadline_ms == v::t0() + env::request_timeout_ms());
    let effects = scenario.next_tx(env::other());
    assert!(effects.deleted().length() == 1 && effects.num_user_events() == 1);
    // a free request leaves no zero coin behind
    assert!(effects.created().is_empty());
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = request::EDeadlineNotReached)]
fun expire_before_deadline() {
    let (mut scenario, mut clock) = submitted(env::other());
    clock.set_for_testing(v::t0() + env::request_timeout_ms());
    let request = scenario.take_shared<Request>();
    request::expire(request, &clock, scenario.ctx());
    abort 99
}

// === versions ===

#[test, expected_failure(abort_code = cluster::EWrongVersion)]
fun submit_on_an_older_cluster() {
    let (mut scenario, clock, mut cluster, token) = direct(ADMIN);
    cluster.set_version_for_testing(0);
    submit(&mut scenario, &clock, &mut cluster, &token, b"GET", b"/version", key(), v::request_digest(), vector[]);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EWrongVersion)]
fun respond_on_an_older_cluster() {
    let (scenario, mut clock) = submitted(env::operator());
    clock.set_for_testing(v::response_ts());
    let mut cluster = scenario.take_shared<Cluster>();
    cluster.set_version_for_testing(0);
    ts::return_shared(cluster);
    let mut scenario = scenario;
    scenario.next_tx(env::operator());
    respond_with(&scenario, &clock, v::response_digest(), vector[], v::response_sig());
    abort 99
}

#[test, expected_failure(abort_code = request::EWrongVersion)]
fun respond_to_an_older_request() {
    let (mut scenario, mut clock) = submitted(env::operator());
    clock.set_for_testing(v::response_ts());
    let mut cluster = scenario.take_shared<Cluster>();
    let mut request = scenario.take_shared<Request>();
    request.set_version_for_testing(0);
    request::respond(
        &mut cluster, request, v::response_status(), v::response_digest(), 4, vector[], s(b""), v::response_ts(), v::response_sig(), &clock,
    );
    let _ = &mut scenario;
    abort 99
}

#[test]
fun an_older_request_still_expires_and_refunds() {
    let (mut scenario, mut clock) = submitted(env::other());
    clock.set_for_testing(v::t0() + env::request_timeout_ms() + 1);
    let mut request = scenario.take_shared<Request>();
    request.set_version_for_testing(0);
    request::expire(request, &clock, scenario.ctx());
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = request::EWrongVersion)]
fun a_newer_request_is_refused_by_expire() {
    let (mut scenario, mut clock) = submitted(env::other());
    clock.set_for_testing(v::t0() + env::request_timeout_ms() + 1);
    let mut request = scenario.take_shared<Request>();
    request.set_version_for_testing(2);
    request::expire(request, &clock, scenario.ctx());
    abort 99
}
