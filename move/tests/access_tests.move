#[test_only]
module k3sdaas::access_tests;

use k3sdaas::access::{Self, SealToken};
use k3sdaas::cluster::{Self, Cluster, ClusterAdminCap};
use k3sdaas::env_tests as env;
use k3sdaas::vectors_tests as v;
use std::string::String;
use sui::clock::Clock;
use sui::coin::Coin;
use sui::sui::SUI;
use sui::test_scenario::{Self as ts, Scenario};

const VIEWER: u8 = 0;
const EDITOR: u8 = 1;
const ADMIN: u8 = 2;

/// USER holds a token of `role` staked with `amount`; tx3 begins as USER with the cluster and token taken.
fun holder(role: u8, amount: u64): (Scenario, Clock, Cluster, SealToken) {
    let (scenario, clock) = env::setup_with_token(role, amount, v::user());
    let cluster = scenario.take_shared<Cluster>();
    let token = scenario.take_from_sender<SealToken>();
    (scenario, clock, cluster, token)
}

fun done(scenario: Scenario, clock: Clock, cluster: Cluster, token: SealToken) {
    ts::return_shared(cluster);
    scenario.return_to_sender(token);
    env::finish(scenario, clock);
}

fun s(bytes: vector<u8>): String { bytes.to_string() }

// === stake ===

#[test]
fun stake_gives_token_and_keeps_stake() {
    let (scenario, clock, cluster, token) = holder(EDITOR, 500);
    let token_id = object::id(&token);
    assert!(access::cluster_id_of(&token) == object::id(&cluster));
    assert!(access::token_role(&token) == EDITOR);
    assert!(cluster.has_stake(token_id));
    assert!(cluster.stake_owner(token_id) == v::user());
    assert!(cluster.stake_role(token_id) == EDITOR);
    assert!(cluster.stake_amount(token_id) == 500);
    assert!(cluster.stake_locked_until_ms(token_id) == v::t0() + env::stake_lock_ms());
    done(scenario, clock, cluster, token);
}

#[test]
fun stake_emits_staked() {
    let (mut scenario, clock) = env::setup();
    env::stake(&mut scenario, &clock, v::user(), VIEWER, env::min_user_stake());
    let effects = scenario.next_tx(v::user());
    assert!(effects.num_user_events() == 1);
    assert!(effects.transferred_to_account().length() == 1);
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = access::EInvalidRole)]
fun stake_invalid_role() {
    let (mut scenario, clock) = env::setup();
    env::stake(&mut scenario, &clock, v::user(), 3, 1_000);
    abort 99
}

#[test, expected_failure(abort_code = access::EInsufficientStake)]
fun stake_below_minimum() {
    let (mut scenario, clock) = env::setup();
    env::stake(&mut scenario, &clock, v::user(), VIEWER, env::min_user_stake() - 1);
    abort 99
}

// === unstake ===

#[test]
fun unstake_after_lock_returns_stake() {
    let (mut scenario, mut clock, mut cluster, token) = holder(VIEWER, 700);
    let token_id = object::id(&token);
    clock.increment_for_testing(env::stake_lock_ms());
    access::unstake(&mut cluster, token, &clock, scenario.ctx());
    assert!(!cluster.has_stake(token_id));
    ts::return_shared(cluster);
    let effects = scenario.next_tx(v::user());
    assert!(effects.num_user_events() == 1);
    assert!(effects.deleted().contains(&token_id));
    let coin = scenario.take_from_sender<Coin<SUI>>();
    assert!(coin.value() == 700);
    scenario.return_to_sender(coin);
    assert!(!ts::has_most_recent_for_address<SealToken>(v::user()));
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = access::EStakeLocked)]
fun unstake_while_locked() {
    let (mut scenario, mut clock, mut cluster, token) = holder(VIEWER, 700);
    clock.increment_for_testing(env::stake_lock_ms() - 1);
    access::unstake(&mut cluster, token, &clock, scenario.ctx());
    abort 99
}

#[test, expected_failure(abort_code = access::EWrongCluster)]
fun unstake_on_other_cluster() {
    let (mut scenario, clock, cluster, token) = holder(VIEWER, 700);
    ts::return_shared(cluster);
    cluster::create(s(b"o"), s(b"u"), vector[], 1, 1, 1, 0, 1, 1, true, vector[], scenario.ctx());
    scenario.next_tx(v::user());
    let mut other = scenario.take_shared<Cluster>();
    if (object::id(&other) == access::cluster_id_of(&token)) {
        let id = ts::most_recent_id_shared<Cluster>().destroy_some();
        ts::return_shared(other);
        other = scenario.take_shared_by_id<Cluster>(id);
    };
    access::unstake(&mut other, token, &clock, scenario.ctx());
    abort 99
}

// === slash ===

#[test]
fun slash_moves_stake_to_cap_holder() {
    let (mut scenario, clock) = env::setup_with_token(VIEWER, 700, env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    let token_id = object::id_from_address(v::token_id());
    access::slash(&cap, &mut cluster, token_id, 300, scenario.ctx());
    assert!(cluster.stake_amount(token_id) == 400);
    access::slash(&cap, &mut cluster, token_id, 1_000, scenario.ctx());
    assert!(cluster.stake_amount(token_id) == 0);
    ts::return_shared(cluster);
    scenario.return_to_sender(cap);
    let effects = scenario.next_tx(env::operator());
    assert!(effects.num_user_events() == 2);
    let ids = ts::ids_for_address<Coin<SUI>>(env::operator());
    assert!(ids.length() == 2);
    let mut total = 0;
    ids.do!(|id| {
        let coin = scenario.take_from_sender_by_id<Coin<SUI>>(id);
        total = total + coin.value();
        scenario.return_to_sender(coin);
    });
    assert!(total == 700);
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = access::EUnknownToken)]
fun slash_unknown_token() {
    let (mut scenario, _clock) = env::setup_with_token(VIEWER, 700, env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    access::slash(&cap, &mut cluster, object::id_from_address(@0x1234), 1, scenario.ctx());
    abort 99
}

#[test, expected_failure(abort_code = cluster::EWrongCap)]
fun slash_wrong_cap() {
    let (mut scenario, _clock) = env::setup_with_token(VIEWER, 700, env::other());
    cluster::create(s(b"o"), s(b"u"), vector[], 1, 1, 1, 0, 1, 1, true, vector[], scenario.ctx());
    scenario.next_tx(env::other());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared_by_id<Cluster>(object::id_from_address(v::cluster_id()));
    access::slash(&cap, &mut cluster, object::id_from_address(v::token_id()), 1, scenario.ctx());
    abort 99
}

// === paths and methods ===

fun assert_parsed(path: vector<u8>, namespace: vector<u8>, resource: vector<u8>) {
    let (ns, res) = access::parse_path(&s(path));
    assert!(ns == s(namespace));
    assert!(res == s(resource));
}

#[test]
fun parse_paths_like_kubernetes() {
    assert_parsed(b"/version", b"", b"");
    assert_parsed(b"/openapi/v3", b"", b"");
    assert_parsed(b"/healthz", b"", b"");
    assert_parsed(b"/", b"", b"");
    assert_parsed(b"/api", b"", b"");
    assert_parsed(b"/api/v1", b"", b"");
    assert_parsed(b"/apis", b"", b"");
    assert_parsed(b"/apis/apps/v1", b"", b"");
    assert_parsed(b"/api/v1/pods", b"", b"pods");
    assert_parsed(b"/api/v1/nodes/n1", b"", b"nodes");
    assert_parsed(b"/api/v1/nodes/n1/status", b"", b"nodes/status");
    assert_parsed(b"/api/v1/namespaces", b"", b"namespaces");
    assert_parsed(b"/api/v1/namespaces/kube-system", b"kube-system", b"namespaces");
    assert_parsed(b"/api/v1/namespaces/foo/status", b"foo", b"namespaces/status");
    assert_parsed(b"/api/v1/namespaces/foo/finalize", b"foo", b"namespaces/finalize");
    assert_parsed(b"/api/v1/namespaces//foo//finalize/", b"foo", b"namespaces/finalize");
    assert_parsed(b"/api/v1/namespaces/foo/configmaps", b"foo", b"configmaps");
    assert_parsed(b"/api/v1/namespaces/foo/configmaps/status", b"foo", b"configmaps");
    assert_parsed(b"/api/v1/namespaces/status/pods/finalize", b"status", b"pods");
    assert_parsed(b"/api/v1/namespaces/default/pods", b"default", b"pods");
    assert_parsed(b"/api/v1/namespaces/default/pods/web", b"default", b"pods");
    assert_parsed(b"/api/v1/namespaces/default/pods/web/log", b"default", b"pods/log");
    assert_parsed(b"//api//v1/namespaces//default/secrets/", b"default", b"secrets");
    assert_parsed(b"/apis/apps/v1/deployments", b"", b"deployments");
    assert_parsed(b"/apis/apps/v1/namespaces/prod/deployments/api/scale", b"prod", b"deployments/scale");
    assert_parsed(b"/apis/rbac.authorization.k8s.io/v1/clusterroles/admin", b"", b"clusterroles");
}

#[test]
fun validate_paths_and_methods() {
    assert!(access::is_valid_path(&s(b"/api/v1/pods")));
    assert!(access::is_valid_path(&s(b"/")));
    assert!(!access::is_valid_path(&s(b"")));
    assert!(!access::is_valid_path(&s(b"api/v1/pods")));
    assert!(!access::is_valid_path(&s(b"/api/v1/pods?watch=1")));
    // segments: non-empty, not `.` / `..`, RFC 3986 pchar bytes without percent-encoding
    vector[
        b"/version",
        b"/api",
        b"/api/v1/namespaces/default/services/web:80/proxy",
        b"/api/v1/namespaces/default/pods/web-0.x_y~z",
        b"/apis/rbac.authorization.k8s.io/v1/clusterroles/system:node@x",
        b"/api/v1/namespaces/a/configmaps/!$&'()*+,;=",
        b"/.../..a/a..",
        b"/.x/x.",
    ].do!(|p| assert!(access::is_valid_path(&s(p))));
    vector[
        b"//",
        b"/api/v1/pods/",
        b"/version/../api/v1/secrets",
        b"/version/..",
        b"/..",
        b"/.",
        b"/api/v1/./pods",
        b"//10.0.0.7:10250/pods",
        b"/api//v1",
        b"/api/v1/namespaces/default/pods/%2e%2e/secrets",
        b"/api/v1/namespaces/default/pods/%2E%2E",
        b"/api/v1/pods\\..\\secrets",
        b"/api/v1/pods/a b",
        b"/api/v1/pods#x",
        b"/api/v1/pods/\t",
        b"/api/v1/pods/\x00",
        b"/api/v1/pods/\x7f",
        b"/api/v1/pods/\"x\"",
        b"/api/v1/pods/<x>",
        b"/api/v1/pods/x|y",
        b"/api/v1/pods/{x}",
        b"/api/v1/pods/[::1]",
        b"/api/v1/pods/^`",
        b"/api/v1/namespaces/default/pods/caf\xc3\xa9",
    ].do!(|p| assert!(!access::is_valid_path(&s(p))));
    let mut long = b"/";
    while (long.length() < 1024) long.push_back(0x61);
    assert!(access::is_valid_path(&s(long)));
    long.push_back(0x61);
    assert!(!access::is_valid_path(&s(long)));

    let mut valid = vector[b"GET", b"HEAD", b"POST", b"PUT", b"PATCH", b"DELETE"];
    valid.do!(|m| assert!(access::is_valid_method(&s(m))));
    valid = vector[b"get", b"OPTIONS", b"", b"CONNECT"];
    valid.do!(|m| assert!(!access::is_valid_method(&s(m))));
}

// === authorize ===

/// Authorizes requests by one USER token of `role` staked with `amount`: each (method, path) must pass.
fun authorize_all(role: u8, amount: u64, requests: vector<vector<vector<u8>>>): vector<vector<String>> {
    let (scenario, clock, cluster, token) = holder(role, amount);
    let mut results = vector[];
    requests.do!(|request| {
        let (r, ns, res) = access::authorize(&cluster, object::id(&token), &s(request[0]), &s(request[1]));
        assert!(r == role);
        results.push_back(vector[ns, res]);
    });
    done(scenario, clock, cluster, token);
    results
}

fun authorized(role: u8, amount: u64, method: vector<u8>, path: vector<u8>): vector<String> {
    authorize_all(role, amount, vector[vector[method, path]])[0]
}

#[test]
fun viewer_reads_except_secrets() {
    let results = authorize_all(VIEWER, 100, vector[
        vector[b"GET", b"/api/v1/namespaces/default/pods/web/log"],
        vector[b"HEAD", b"/api/v1/nodes"],
        vector[b"GET", b"/version"],
        vector[b"GET", b"/api/v1/namespaces/default/configmaps/secrets"],
    ]);
    assert!(results[0] == vector[s(b"default"), s(b"pods/log")]);
    assert!(results[1] == vector[s(b""), s(b"nodes")]);
    assert!(results[2] == vector[s(b""), s(b"")]);
}

#[test, expected_failure(abort_code = access::ERoleCannotReadSecrets)]
fun viewer_cannot_read_secrets() {
    authorized(VIEWER, 1_000, b"GET", b"/api/v1/namespaces/default/secrets/db");
}

#[test, expected_failure(abort_code = access::ERoleCannotReadSecrets)]
fun viewer_cannot_list_all_secrets() {
    authorized(VIEWER, 1_000, b"GET", b"/api/v1/secrets");
}

#[test, expected_failure(abort_code = access::ERoleCannotProxy)]
fun viewer_cannot_proxy_to_nodes() {
    authorized(VIEWER, 1_000, b"GET", b"/api/v1/nodes/n1/proxy/metrics");
}

#[test, expected_failure(abort_code = access::ERoleCannotProxy)]
fun viewer_cannot_proxy_to_services() {
    authorized(VIEWER, 1_000, b"GET", b"/api/v1/namespaces/default/services/web:80/proxy");
}

#[test, expected_failure(abort_code = access::ERoleCannotProxy)]
fun viewer_cannot_proxy_to_pods() {
    authorized(VIEWER, 1_000, b"HEAD", b"/api/v1/namespaces/default/pods/p/proxy/a/b");
}

#[test, expected_failure(abort_code = access::ERoleCannotReadSecrets)]
fun viewer_secrets_checked_before_proxy() {
    authorized(VIEWER, 1_000, b"GET", b"/api/v1/namespaces/default/secrets/s/proxy");
}

#[test, expected_failure(abort_code = access::ERoleCannotWrite)]
fun viewer_write_checked_before_proxy() {
    authorized(VIEWER, 1_000, b"POST", b"/api/v1/namespaces/default/pods/p/proxy");
}

#[test]
fun viewer_reads_resources_named_proxy() {
    let results = authorize_all(VIEWER, 100, vector[
        vector[b"GET", b"/api/v1/namespaces/default/pods/proxy"],
        vector[b"GET", b"/api/v1/namespaces/proxy/pods"],
        vector[b"GET", b"/api/v1/namespaces/default/configmaps/proxy/data"],
    ]);
    assert!(results[0] == vector[s(b"default"), s(b"pods")]);
    assert!(results[1] == vector[s(b"proxy"), s(b"pods")]);
    assert!(results[2] == vector[s(b"default"), s(b"configmaps/data")]);
}

#[test, expected_failure(abort_code = access::ERoleCannotProxy)]
fun editor_cannot_proxy_to_nodes() {
    authorized(EDITOR, 1_000, b"GET", b"/api/v1/nodes/n1/proxy/pods");
}

#[test, expected_failure(abort_code = access::ERoleCannotProxy)]
fun editor_cannot_write_through_node_proxy() {
    authorized(EDITOR, 1_000, b"POST", b"/api/v1/nodes/n1:10250/proxy/run/default/p/c");
}

#[test]
fun editor_proxies_to_namespaced() {
    let results = authorize_all(EDITOR, 200, vector[
        vector[b"GET", b"/api/v1/namespaces/default/services/web:80/proxy"],
        vector[b"GET", b"/api/v1/namespaces/default/services/https:web:443/proxy/healthz"],
        vector[b"POST", b"/api/v1/namespaces/default/pods/p/proxy/a/b"],
    ]);
    assert!(results[0] == vector[s(b"default"), s(b"services/proxy")]);
    assert!(results[2] == vector[s(b"default"), s(b"pods/proxy")]);
}

#[test]
fun admin_proxies_everywhere() {
    let results = authorize_all(ADMIN, 200, vector[
        vector[b"GET", b"/api/v1/nodes/n1/proxy/metrics"],
        vector[b"POST", b"/api/v1/nodes/n1/proxy/run/default/p/c"],
        vector[b"GET", b"/api/v1/namespaces/default/services/web:80/proxy"],
        vector[b"GET", b"/api/v1/namespaces/default/pods/p/proxy/a/b"],
    ]);
    assert!(results[0] == vector[s(b""), s(b"nodes/proxy")]);
    assert!(results[3] == vector[s(b"default"), s(b"pods/proxy")]);
}

#[test, expected_failure(abort_code = access::ERoleCannotWrite)]
fun viewer_cannot_write() {
    authorized(VIEWER, 1_000, b"POST", b"/api/v1/namespaces/default/pods");
}

#[test, expected_failure(abort_code = access::ERoleCannotWrite)]
fun viewer_cannot_write_non_resource() {
    authorized(VIEWER, 1_000, b"POST", b"/version");
}

#[test, expected_failure(abort_code = access::ERoleCannotWrite)]
fun editor_cannot_write_non_resource() {
    authorized(EDITOR, 1_000, b"POST", b"/version");
}

#[test]
fun editor_reads_and_writes_namespaced() {
    let results = authorize_all(EDITOR, 200, vector[
        vector[b"PATCH", b"/apis/apps/v1/namespaces/prod/deployments/api"],
        vector[b"GET", b"/api/v1/namespaces/default/secrets/db"],
        vector[b"GET", b"/api/v1/nodes"],
        vector[b"POST", b"/api/v1/namespaces/foo/configmaps"],
        vector[b"GET", b"/api/v1/namespaces/prod"],
        vector[b"GET", b"/api/v1/namespaces/foo/status"],
    ]);
    assert!(results[0] == vector[s(b"prod"), s(b"deployments")]);
    assert!(results[3] == vector[s(b"foo"), s(b"configmaps")]);
    assert!(results[4] == vector[s(b"prod"), s(b"namespaces")]);
    assert!(results[5] == vector[s(b"foo"), s(b"namespaces/status")]);
}

#[test, expected_failure(abort_code = access::ERoleCannotWriteClusterScoped)]
fun editor_cannot_write_cluster_scoped() {
    authorized(EDITOR, 1_000, b"DELETE", b"/api/v1/nodes/n1");
}

#[test, expected_failure(abort_code = access::ERoleCannotWriteClusterScoped)]
fun editor_cannot_delete_namespace() {
    authorized(EDITOR, 1_000, b"DELETE", b"/api/v1/namespaces/foo");
}

#[test, expected_failure(abort_code = access::ERoleCannotWriteClusterScoped)]
fun editor_cannot_update_namespace() {
    authorized(EDITOR, 1_000, b"PATCH", b"/api/v1/namespaces/foo");
}

#[test, expected_failure(abort_code = access::ERoleCannotWriteClusterScoped)]
fun editor_cannot_finalize_namespace() {
    authorized(EDITOR, 1_000, b"PUT", b"/api/v1/namespaces/foo/finalize");
}

#[test, expected_failure(abort_code = access::ERoleCannotWriteClusterScoped)]
fun editor_cannot_write_namespace_status() {
    authorized(EDITOR, 1_000, b"PUT", b"/api/v1/namespaces/foo/status");
}

#[test, expected_failure(abort_code = access::ERoleCannotWriteClusterScoped)]
fun editor_cannot_create_namespace() {
    authorized(EDITOR, 1_000, b"POST", b"/api/v1/namespaces");
}

#[test]
fun viewer_reads_namespace_status() {
    let results = authorize_all(VIEWER, 100, vector[
        vector[b"GET", b"/api/v1/namespaces/foo/status"],
        vector[b"GET", b"/api/v1/namespaces/foo"],
    ]);
    assert!(results[0] == vector[s(b"foo"), s(b"namespaces/status")]);
    assert!(results[1] == vector[s(b"foo"), s(b"namespaces")]);
}

#[test]
fun admin_does_everything() {
    let results = authorize_all(ADMIN, 200, vector[
        vector[b"POST", b"/api/v1/nodes"],
        vector[b"PUT", b"/version"],
        vector[b"GET", b"/api/v1/secrets"],
        vector[b"DELETE", b"/apis/rbac.authorization.k8s.io/v1/clusterroles/x"],
        vector[b"DELETE", b"/api/v1/namespaces/foo"],
        vector[b"PUT", b"/api/v1/namespaces/foo/finalize"],
        vector[b"POST", b"/api/v1/namespaces"],
    ]);
    assert!(results[3] == vector[s(b""), s(b"clusterroles")]);
    assert!(results[4] == vector[s(b"foo"), s(b"namespaces")]);
    assert!(results[5] == vector[s(b"foo"), s(b"namespaces/finalize")]);
}

#[test]
fun reads_need_no_write_stake() {
    authorized(ADMIN, env::min_user_stake(), b"GET", b"/api/v1/secrets");
}

#[test, expected_failure(abort_code = access::EInsufficientWriteStake)]
fun write_needs_write_stake() {
    authorized(ADMIN, env::min_write_stake() - 1, b"POST", b"/api/v1/nodes");
}

#[test, expected_failure(abort_code = access::EUnknownToken)]
fun authorize_unknown_token() {
    let (_scenario, _clock, cluster, _token) = holder(ADMIN, 1_000);
    access::authorize(&cluster, object::id_from_address(@0x1234), &s(b"GET"), &s(b"/version"));
    abort 99
}

#[test]
fun token_owner_checks() {
    let (scenario, clock, cluster, token) = holder(ADMIN, 1_000);
    access::assert_token_owner(&cluster, object::id(&token), v::user());
    access::assert_token_cluster(&token, &cluster);
    done(scenario, clock, cluster, token);
}

#[test, expected_failure(abort_code = access::ENotTokenOwner)]
fun token_owner_mismatch() {
    let (_scenario, _clock, cluster, token) = holder(ADMIN, 1_000);
    access::assert_token_owner(&cluster, object::id(&token), env::other());
    abort 99
}
