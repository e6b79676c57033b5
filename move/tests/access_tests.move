#[test_only]
module k3sdaas::access_tests;

use k3sdaas::access::{Self, SealToken};
use k3sdaas::cluster::{Self, Cluster, ClusterAdminCap};
use k3sdaas::env_tests as env;
use k3sdaas::vectors_tests as v;
use std::string::String;
use sui::clock::Clock;
use sui::coin::{Self, Coin};
use sui::sui::SUI;
use sui::test_scenario::{Self as ts, Scenario};

const VIEWER: u8 = 0;
const EDITOR: u8 = 1;
const ADMIN: u8 = 2;
const TENANT: u8 = 3;

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
fun stake_gives_tenant_token_and_claims_namespace() {
    let (scenario, clock, cluster, token) = holder(TENANT, 500);
    let token_id = object::id(&token);
    assert!(access::cluster_id_of(&token) == object::id(&cluster));
    assert!(access::token_namespace(&token) == s(b"team-a"));
    assert!(cluster.has_stake(token_id));
    assert!(cluster.stake_owner(token_id) == v::user());
    assert!(cluster.stake_role(token_id) == TENANT);
    assert!(cluster.stake_namespace(token_id) == s(b"team-a"));
    assert!(cluster.stake_amount(token_id) == 500);
    assert!(cluster.stake_prepaid(token_id) == 0);
    assert!(cluster.stake_locked_until_ms(token_id) == v::t0() + env::stake_lock_ms());
    assert!(cluster.has_namespace(s(b"team-a")));
    assert!(cluster.namespace_holder(s(b"team-a")) == token_id);
    done(scenario, clock, cluster, token);
}

#[test]
fun stake_emits_staked_and_namespace_claimed() {
    let (mut scenario, clock) = env::setup();
    env::stake(&mut scenario, &clock, v::user(), TENANT, env::min_user_stake());
    let effects = scenario.next_tx(v::user());
    assert!(effects.num_user_events() == 2);
    assert!(effects.transferred_to_account().length() == 1);
    env::finish(scenario, clock);
}

/// USER stakes `amount` as a tenant of `namespace` in the next tx.
fun stake_for(scenario: &mut Scenario, clock: &Clock, sender: address, namespace: vector<u8>, amount: u64) {
    scenario.next_tx(sender);
    let mut cluster = scenario.take_shared<Cluster>();
    let payment = coin::mint_for_testing<SUI>(amount, scenario.ctx());
    access::stake(&mut cluster, payment, s(namespace), clock, scenario.ctx());
    ts::return_shared(cluster);
}

#[test, expected_failure(abort_code = access::EInsufficientStake)]
fun stake_below_minimum() {
    let (mut scenario, clock) = env::setup();
    stake_for(&mut scenario, &clock, v::user(), b"team-a", env::min_user_stake() - 1);
    abort 99
}

#[test]
fun namespace_names_dns_1123_label() {
    let (mut scenario, clock) = env::setup();
    vector[b"a", b"team-a", b"0x1", b"a-b-c-9", b"kube", b"kubes-x", b"k3sdaas", b"defaults"].do!(|name| {
        stake_for(&mut scenario, &clock, v::user(), name, env::min_user_stake());
    });
    let mut long = b"";
    while (long.length() < 63) long.push_back(0x61);
    stake_for(&mut scenario, &clock, v::user(), long, env::min_user_stake());
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = access::EInvalidNamespace)]
fun namespace_empty() {
    let (mut scenario, clock) = env::setup();
    stake_for(&mut scenario, &clock, v::user(), b"", env::min_user_stake());
    abort 99
}

#[test]
fun namespace_invalid_labels_refused() {
    vector[b"Team", b"-a", b"a-", b"a.b", b"a_b", b"caf\xc3\xa9", b"a b"].do!(|name| {
        assert!(!k3sdaas::names::is_dns_label(&s(name)));
    });
    let mut long = b"";
    while (long.length() < 64) long.push_back(0x61);
    assert!(!k3sdaas::names::is_dns_label(&s(long)));
}

#[test, expected_failure(abort_code = access::EInvalidNamespace)]
fun namespace_uppercase() {
    let (mut scenario, clock) = env::setup();
    stake_for(&mut scenario, &clock, v::user(), b"Team-a", env::min_user_stake());
    abort 99
}

#[test, expected_failure(abort_code = access::EReservedNamespace)]
fun namespace_kube_reserved() {
    let (mut scenario, clock) = env::setup();
    stake_for(&mut scenario, &clock, v::user(), b"kube-system", env::min_user_stake());
    abort 99
}

#[test, expected_failure(abort_code = access::EReservedNamespace)]
fun namespace_default_reserved() {
    let (mut scenario, clock) = env::setup();
    stake_for(&mut scenario, &clock, v::user(), b"default", env::min_user_stake());
    abort 99
}

#[test, expected_failure(abort_code = access::EReservedNamespace)]
fun namespace_k3sdaas_reserved() {
    let (mut scenario, clock) = env::setup();
    stake_for(&mut scenario, &clock, v::user(), b"k3sdaas-system", env::min_user_stake());
    abort 99
}

#[test, expected_failure(abort_code = access::ENamespaceTaken)]
fun namespace_first_claim_wins() {
    let (mut scenario, clock) = env::setup();
    stake_for(&mut scenario, &clock, v::user(), b"team-a", env::min_user_stake());
    stake_for(&mut scenario, &clock, env::other(), b"team-a", env::min_user_stake());
    abort 99
}

#[test, expected_failure(abort_code = access::EReservedNamespace)]
fun namespace_reserved_by_operator() {
    let (mut scenario, clock) = env::setup();
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    access::reserve_namespace(&cap, &mut cluster, s(b"ops"));
    assert!(cluster.namespace_holder(s(b"ops")) == object::id(&cluster));
    ts::return_shared(cluster);
    scenario.return_to_sender(cap);
    stake_for(&mut scenario, &clock, v::user(), b"ops", env::min_user_stake());
    abort 99
}

#[test, expected_failure(abort_code = access::ENamespaceTaken)]
fun reserve_claimed_namespace() {
    let (mut scenario, clock) = env::setup();
    stake_for(&mut scenario, &clock, v::user(), b"team-a", env::min_user_stake());
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    access::reserve_namespace(&cap, &mut cluster, s(b"team-a"));
    abort 99
}

#[test, expected_failure(abort_code = access::EInvalidNamespace)]
fun reserve_invalid_namespace() {
    let (mut scenario, _clock) = env::setup();
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    access::reserve_namespace(&cap, &mut cluster, s(b"Ops"));
    abort 99
}

#[test, expected_failure(abort_code = cluster::EWrongCap)]
fun reserve_wrong_cap() {
    let (mut scenario, _clock) = env::setup();
    scenario.next_tx(env::operator());
    let cap = other_cap(&mut scenario);
    let mut cluster = scenario.take_shared_by_id<Cluster>(object::id_from_address(v::cluster_id()));
    access::reserve_namespace(&cap, &mut cluster, s(b"ops"));
    abort 99
}

/// A ClusterAdminCap of another cluster (created and taken in the current tx's successor, as its sender).
fun other_cap(scenario: &mut Scenario): ClusterAdminCap {
    let sender = scenario.sender();
    cluster::create(s(b"o"), s(b"u"), vector[], 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 10_000, true, vector[], scenario.ctx());
    scenario.next_tx(sender);
    scenario.take_from_sender<ClusterAdminCap>()
}

// === stake_granted, grant, revoke ===

#[test]
fun stake_granted_gives_role_token_without_namespace() {
    let (scenario, clock, cluster, token) = holder(EDITOR, 500);
    let token_id = object::id(&token);
    assert!(access::token_namespace(&token) == s(b""));
    assert!(cluster.stake_role(token_id) == EDITOR);
    assert!(cluster.stake_namespace(token_id) == s(b""));
    done(scenario, clock, cluster, token);
}

#[test, expected_failure(abort_code = access::EInvalidRole)]
fun stake_granted_invalid_role() {
    let (mut scenario, clock) = env::setup();
    scenario.next_tx(env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    let payment = coin::mint_for_testing<SUI>(1_000, scenario.ctx());
    access::stake_granted(&cap, &mut cluster, payment, TENANT, &clock, scenario.ctx());
    abort 99
}

#[test, expected_failure(abort_code = access::EInsufficientStake)]
fun stake_granted_below_minimum() {
    let (mut scenario, clock) = env::setup();
    env::stake(&mut scenario, &clock, env::operator(), ADMIN, env::min_user_stake() - 1);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EWrongCap)]
fun stake_granted_wrong_cap() {
    let (mut scenario, clock) = env::setup();
    scenario.next_tx(env::operator());
    let cap = other_cap(&mut scenario);
    let mut cluster = scenario.take_shared_by_id<Cluster>(object::id_from_address(v::cluster_id()));
    let payment = coin::mint_for_testing<SUI>(1_000, scenario.ctx());
    access::stake_granted(&cap, &mut cluster, payment, ADMIN, &clock, scenario.ctx());
    abort 99
}

/// tx3 as OPERATOR: the cap and the cluster where USER holds a tenant token (TOKEN_ID).
fun operator_with_tenant(): (Scenario, Clock, ClusterAdminCap, Cluster) {
    let (scenario, clock) = env::setup_with_token(TENANT, 1_000, env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let cluster = scenario.take_shared<Cluster>();
    (scenario, clock, cap, cluster)
}

#[test]
fun grant_then_revoke_changes_the_role_for_the_next_request() {
    let (mut scenario, clock, cap, mut cluster) = operator_with_tenant();
    let token_id = object::id_from_address(v::token_id());
    let create_ns = s(b"/api/v1/namespaces");
    // A tenant cannot create a namespace...
    assert!(cluster.stake_role(token_id) == TENANT);
    access::grant(&cap, &mut cluster, token_id, ADMIN);
    assert!(cluster.stake_role(token_id) == ADMIN);
    let (role, _, _) = access::authorize(&cluster, token_id, &s(b"POST"), &create_ns);
    assert!(role == ADMIN);
    // ...and its own namespace still works as a tenant's.
    access::authorize(&cluster, token_id, &s(b"POST"), &s(b"/api/v1/namespaces/team-a/pods"));
    access::revoke(&cap, &mut cluster, token_id);
    assert!(cluster.stake_role(token_id) == TENANT);
    access::authorize(&cluster, token_id, &s(b"POST"), &s(b"/api/v1/namespaces/team-a/pods"));
    ts::return_shared(cluster);
    scenario.return_to_sender(cap);
    let effects = scenario.next_tx(env::operator());
    assert!(effects.num_user_events() == 2);
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = access::ETenantClusterScoped)]
fun revoked_admin_cannot_create_namespace() {
    let (_scenario, _clock, cap, mut cluster) = operator_with_tenant();
    let token_id = object::id_from_address(v::token_id());
    access::grant(&cap, &mut cluster, token_id, ADMIN);
    access::revoke(&cap, &mut cluster, token_id);
    access::authorize(&cluster, token_id, &s(b"POST"), &s(b"/api/v1/namespaces"));
    abort 99
}

#[test, expected_failure(abort_code = access::EInvalidRole)]
fun grant_invalid_role() {
    let (_scenario, _clock, cap, mut cluster) = operator_with_tenant();
    access::grant(&cap, &mut cluster, object::id_from_address(v::token_id()), TENANT);
    abort 99
}

#[test, expected_failure(abort_code = access::EUnknownToken)]
fun grant_unknown_token() {
    let (_scenario, _clock, cap, mut cluster) = operator_with_tenant();
    access::grant(&cap, &mut cluster, object::id_from_address(@0x1234), ADMIN);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EWrongCap)]
fun grant_wrong_cap() {
    let (mut scenario, _clock, cap0, cluster0) = operator_with_tenant();
    scenario.return_to_sender(cap0);
    ts::return_shared(cluster0);
    let cap = other_cap(&mut scenario);
    let mut cluster = scenario.take_shared_by_id<Cluster>(object::id_from_address(v::cluster_id()));
    access::grant(&cap, &mut cluster, object::id_from_address(v::token_id()), ADMIN);
    abort 99
}

#[test, expected_failure(abort_code = access::ENoRole)]
fun revoke_tenant() {
    let (_scenario, _clock, cap, mut cluster) = operator_with_tenant();
    access::revoke(&cap, &mut cluster, object::id_from_address(v::token_id()));
    abort 99
}

#[test, expected_failure(abort_code = access::EUnknownToken)]
fun revoke_unknown_token() {
    let (_scenario, _clock, cap, mut cluster) = operator_with_tenant();
    access::revoke(&cap, &mut cluster, object::id_from_address(@0x1234));
    abort 99
}

#[test, expected_failure(abort_code = cluster::EWrongCap)]
fun revoke_wrong_cap() {
    let (mut scenario, _clock, cap0, cluster0) = operator_with_tenant();
    scenario.return_to_sender(cap0);
    ts::return_shared(cluster0);
    let cap = other_cap(&mut scenario);
    let mut cluster = scenario.take_shared_by_id<Cluster>(object::id_from_address(v::cluster_id()));
    access::revoke(&cap, &mut cluster, object::id_from_address(v::token_id()));
    abort 99
}

// === topup ===

#[test]
fun topup_adds_prepaid_and_unstake_returns_it() {
    let (mut scenario, mut clock, mut cluster, token) = holder(TENANT, 700);
    let token_id = object::id(&token);
    let payment = coin::mint_for_testing<SUI>(50, scenario.ctx());
    access::topup(&mut cluster, token_id, payment);
    assert!(cluster.stake_prepaid(token_id) == 50);
    clock.increment_for_testing(env::stake_lock_ms());
    access::unstake(&mut cluster, token, &clock, scenario.ctx());
    assert!(!cluster.has_namespace(s(b"team-a")));
    ts::return_shared(cluster);
    let effects = scenario.next_tx(v::user());
    // ToppedUp, NamespaceReleased, Unstaked
    assert!(effects.num_user_events() == 3);
    let coin = scenario.take_from_sender<Coin<SUI>>();
    assert!(coin.value() == 750);
    scenario.return_to_sender(coin);
    // The name can be claimed again.
    stake_for(&mut scenario, &clock, env::other(), b"team-a", env::min_user_stake());
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = access::EUnknownToken)]
fun topup_unknown_token() {
    let (mut scenario, _clock, mut cluster, _token) = holder(TENANT, 700);
    let payment = coin::mint_for_testing<SUI>(50, scenario.ctx());
    access::topup(&mut cluster, object::id_from_address(@0x1234), payment);
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
    cluster::create(s(b"o"), s(b"u"), vector[], 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 10_000, true, vector[], scenario.ctx());
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

const REASON_ABUSE: u8 = 2;

#[test]
fun slash_moves_stake_to_the_treasury_within_the_bound() {
    let (mut scenario, clock) = env::setup_with_token(VIEWER, 700, env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    let token_id = object::id_from_address(v::token_id());
    // at most half of the stake per slash (env's max_slash_bps 5000)
    access::slash(&cap, &mut cluster, token_id, 350, REASON_ABUSE);
    assert!(cluster.stake_amount(token_id) == 350);
    access::slash(&cap, &mut cluster, token_id, 175, 5);
    assert!(cluster.stake_amount(token_id) == 175);
    assert!(cluster.treasury_value() == 525);
    ts::return_shared(cluster);
    scenario.return_to_sender(cap);
    let effects = scenario.next_tx(env::operator());
    assert!(effects.num_user_events() == 2);
    assert!(ts::ids_for_address<Coin<SUI>>(env::operator()).is_empty());
    env::finish(scenario, clock);
}

#[test, expected_failure(abort_code = cluster::ESlashTooLarge)]
fun slash_above_the_bound() {
    let (mut scenario, _clock) = env::setup_with_token(VIEWER, 700, env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    access::slash(&cap, &mut cluster, object::id_from_address(v::token_id()), 351, REASON_ABUSE);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EInvalidSlashReason)]
fun slash_without_a_reason() {
    let (mut scenario, _clock) = env::setup_with_token(VIEWER, 700, env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    access::slash(&cap, &mut cluster, object::id_from_address(v::token_id()), 1, 0);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EInvalidSlashReason)]
fun slash_unknown_reason() {
    let (mut scenario, _clock) = env::setup_with_token(VIEWER, 700, env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    access::slash(&cap, &mut cluster, object::id_from_address(v::token_id()), 1, 6);
    abort 99
}

#[test, expected_failure(abort_code = access::EUnknownToken)]
fun slash_unknown_token() {
    let (scenario, _clock) = env::setup_with_token(VIEWER, 700, env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    access::slash(&cap, &mut cluster, object::id_from_address(@0x1234), 1, REASON_ABUSE);
    abort 99
}

#[test, expected_failure(abort_code = cluster::EWrongCap)]
fun slash_wrong_cap() {
    let (mut scenario, _clock) = env::setup_with_token(VIEWER, 700, env::other());
    cluster::create(s(b"o"), s(b"u"), vector[], 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 10_000, true, vector[], scenario.ctx());
    scenario.next_tx(env::other());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared_by_id<Cluster>(object::id_from_address(v::cluster_id()));
    access::slash(&cap, &mut cluster, object::id_from_address(v::token_id()), 1, REASON_ABUSE);
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

// === tenants ===

#[test]
fun tenant_works_inside_its_namespace() {
    let results = authorize_all(TENANT, env::min_user_stake(), vector[
        vector[b"POST", b"/apis/apps/v1/namespaces/team-a/deployments"],
        vector[b"GET", b"/api/v1/namespaces/team-a/secrets/db"],
        vector[b"DELETE", b"/api/v1/namespaces/team-a/pods/web"],
        vector[b"GET", b"/api/v1/namespaces/team-a/pods/web/log"],
        vector[b"GET", b"/api/v1/namespaces/team-a/services/web:80/proxy"],
        vector[b"GET", b"/api/v1/namespaces/team-a"],
        vector[b"GET", b"/api/v1/namespaces/team-a/status"],
        vector[b"GET", b"/version"],
        vector[b"GET", b"/api"],
        vector[b"GET", b"/api/v1"],
        vector[b"GET", b"/apis"],
        vector[b"GET", b"/apis/apps"],
        vector[b"HEAD", b"/apis/apps/v1"],
        vector[b"GET", b"/openapi/v3"],
        vector[b"GET", b"/openapi/v3/apis/apps/v1"],
        vector[b"GET", b"/openapi/v2"],
        vector[b"POST", b"/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"],
        vector[b"POST", b"/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"],
        vector[b"POST", b"/apis/authentication.k8s.io/v1/selfsubjectreviews"],
        vector[b"POST", b"/apis/authentication.k8s.io/v1beta1/selfsubjectreviews"],
    ]);
    assert!(results[0] == vector[s(b"team-a"), s(b"deployments")]);
    assert!(results[5] == vector[s(b"team-a"), s(b"namespaces")]);
    assert!(results[16] == vector[s(b""), s(b"selfsubjectaccessreviews")]);
}

#[test, expected_failure(abort_code = access::ETenantOutsideNamespace)]
fun tenant_cannot_read_another_namespace() {
    authorized(TENANT, 1_000, b"GET", b"/api/v1/namespaces/team-b/pods");
}

#[test, expected_failure(abort_code = access::ETenantOutsideNamespace)]
fun tenant_cannot_read_kube_system_secrets() {
    authorized(TENANT, 1_000, b"GET", b"/api/v1/namespaces/kube-system/secrets");
}

#[test, expected_failure(abort_code = access::ETenantOutsideNamespace)]
fun tenant_cannot_delete_kube_system() {
    authorized(TENANT, 1_000, b"DELETE", b"/api/v1/namespaces/kube-system");
}

#[test, expected_failure(abort_code = access::ETenantClusterScoped)]
fun tenant_cannot_create_namespace() {
    authorized(TENANT, 1_000, b"POST", b"/api/v1/namespaces");
}

#[test, expected_failure(abort_code = access::ETenantClusterScoped)]
fun tenant_cannot_delete_its_namespace() {
    authorized(TENANT, 1_000, b"DELETE", b"/api/v1/namespaces/team-a");
}

#[test, expected_failure(abort_code = access::ETenantClusterScoped)]
fun tenant_cannot_finalize_its_namespace() {
    authorized(TENANT, 1_000, b"PUT", b"/api/v1/namespaces/team-a/finalize");
}

#[test, expected_failure(abort_code = access::ETenantClusterScoped)]
fun tenant_cannot_list_nodes() {
    authorized(TENANT, 1_000, b"GET", b"/api/v1/nodes");
}

#[test, expected_failure(abort_code = access::ETenantClusterScoped)]
fun tenant_cannot_list_all_pods() {
    authorized(TENANT, 1_000, b"GET", b"/api/v1/pods");
}

#[test, expected_failure(abort_code = access::ETenantNonResource)]
fun tenant_cannot_read_other_non_resource_paths() {
    authorized(TENANT, 1_000, b"GET", b"/metrics");
}

#[test, expected_failure(abort_code = access::ETenantNonResource)]
fun tenant_cannot_write_discovery() {
    authorized(TENANT, 1_000, b"POST", b"/version");
}

#[test, expected_failure(abort_code = access::ETenantClusterScoped)]
fun tenant_self_review_needs_post() {
    authorized(TENANT, 1_000, b"GET", b"/apis/authorization.k8s.io/v1/selfsubjectaccessreviews");
}

#[test, expected_failure(abort_code = access::ETenantClusterScoped)]
fun tenant_cannot_review_others() {
    authorized(TENANT, 1_000, b"POST", b"/apis/authorization.k8s.io/v1/subjectaccessreviews");
}

#[test]
fun self_reviews_are_not_writes() {
    // A viewer may POST them, and they need no write stake.
    let results = authorize_all(VIEWER, env::min_user_stake(), vector[
        vector[b"POST", b"/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"],
        vector[b"POST", b"/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"],
        vector[b"POST", b"/apis/authentication.k8s.io/v1/selfsubjectreviews"],
    ]);
    assert!(results[1] == vector[s(b""), s(b"selfsubjectrulesreviews")]);
}

#[test, expected_failure(abort_code = access::ERoleCannotWrite)]
fun self_review_in_the_wrong_group_is_a_write() {
    authorized(VIEWER, 1_000, b"POST", b"/apis/authentication.k8s.io/v1/selfsubjectaccessreviews");
}

#[test, expected_failure(abort_code = access::EStakeBelowMinimum)]
fun slashed_below_minimum_loses_access() {
    let (mut scenario, _clock) = env::setup_with_token(TENANT, env::min_user_stake(), env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    let token_id = object::id_from_address(v::token_id());
    access::authorize(&cluster, token_id, &s(b"GET"), &s(b"/version"));
    access::slash(&cap, &mut cluster, token_id, 1, REASON_ABUSE);
    access::authorize(&cluster, token_id, &s(b"GET"), &s(b"/version"));
    abort 99
}

#[test, expected_failure(abort_code = access::ETenantOutsideNamespace)]
fun granted_token_without_namespace_revoked_reads_nothing() {
    let (scenario, _clock) = env::setup_with_token(VIEWER, 1_000, env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    let token_id = object::id_from_address(v::token_id());
    access::revoke(&cap, &mut cluster, token_id);
    access::authorize(&cluster, token_id, &s(b"GET"), &s(b"/version"));
    access::authorize(&cluster, token_id, &s(b"GET"), &s(b"/api/v1/namespaces/default/pods"));
    abort 99
}

#[test]
fun granted_viewer_keeps_writing_its_namespace() {
    let (scenario, clock) = env::setup_with_token(TENANT, env::min_user_stake(), env::operator());
    let cap = scenario.take_from_sender<ClusterAdminCap>();
    let mut cluster = scenario.take_shared<Cluster>();
    let token_id = object::id_from_address(v::token_id());
    access::grant(&cap, &mut cluster, token_id, VIEWER);
    let (role, _, _) = access::authorize(&cluster, token_id, &s(b"POST"), &s(b"/api/v1/namespaces/team-a/pods"));
    assert!(role == VIEWER);
    access::authorize(&cluster, token_id, &s(b"GET"), &s(b"/api/v1/nodes"));
    ts::return_shared(cluster);
    scenario.return_to_sender(cap);
    env::finish(scenario, clock);
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
