/// SealTokens: staked access to a cluster (a tenant namespace claimed by the staker, a cluster role granted by the
/// cap holder), prepaid request fees, and the rules that authorize a kubectl request.
module k3sdaas::access;

use k3sdaas::cluster::{Self, Cluster, ClusterAdminCap};
use k3sdaas::names;
use std::string::String;
use sui::balance::Balance;
use sui::clock::Clock;
use sui::coin::{Self, Coin};
use sui::event;
use sui::sui::SUI;

// === Errors ===

const EInvalidRole: u64 = 0;
const EInsufficientStake: u64 = 1;
const EWrongCluster: u64 = 2;
const EStakeLocked: u64 = 3;
const EUnknownToken: u64 = 4;
const ERoleCannotWrite: u64 = 5;
const ERoleCannotReadSecrets: u64 = 6;
const ERoleCannotWriteClusterScoped: u64 = 7;
const EInsufficientWriteStake: u64 = 8;
const ENotTokenOwner: u64 = 9;
const ERoleCannotProxy: u64 = 10;
const EInvalidNamespace: u64 = 11;
const EReservedNamespace: u64 = 12;
const ENamespaceTaken: u64 = 13;
const ETenantOutsideNamespace: u64 = 14;
const ETenantClusterScoped: u64 = 15;
const ETenantNonResource: u64 = 16;
const ENoRole: u64 = 17;
const EStakeBelowMinimum: u64 = 18;
const EInsufficientBalance: u64 = 19;

// === Constants ===

const ROLE_VIEWER: u8 = 0;
const ROLE_EDITOR: u8 = 1;
const ROLE_ADMIN: u8 = 2;
/// No cluster role: a tenant of the namespace its token claimed.
const ROLE_TENANT: u8 = 3;

/// `tenant_check`'s "allowed".
const OK: u64 = 0xFFFF_FFFF_FFFF_FFFF;

const METHOD_READ: u8 = 0;
const METHOD_WRITE: u8 = 1;
const METHOD_INVALID: u8 = 2;

const MAX_PATH: u64 = 1024;
const SLASH: u8 = 47; // '/'
const DOT: u8 = 46; // '.'
/// The bytes of RFC 3986 `pchar` other than letters and digits, without `%` (no percent-encoding).
const PCHAR_SYMBOLS: vector<u8> = b"-._~!$&'()*+,;=:@";

// === Structs ===

/// Owned and not transferable (no `store`). Its role and balances live in the cluster's stake table, where the
/// cap holder can change them; the namespace claimed at staking never changes.
public struct SealToken has key {
    id: UID,
    cluster_id: ID,
    namespace: String,
}

// === Events ===

public struct Staked has copy, drop {
    cluster_id: ID,
    token_id: ID,
    owner: address,
    namespace: String,
    role: u8,
    amount: u64,
    locked_until_ms: u64,
}

public struct Unstaked has copy, drop {
    cluster_id: ID,
    token_id: ID,
    owner: address,
    amount: u64,
    prepaid: u64,
}

public struct NamespaceClaimed has copy, drop {
    cluster_id: ID,
    token_id: ID,
    owner: address,
    namespace: String,
}

public struct NamespaceReleased has copy, drop {
    cluster_id: ID,
    token_id: ID,
    namespace: String,
}

public struct NamespaceReserved has copy, drop {
    cluster_id: ID,
    namespace: String,
}

public struct RoleGranted has copy, drop {
    cluster_id: ID,
    token_id: ID,
    role: u8,
}

public struct RoleRevoked has copy, drop {
    cluster_id: ID,
    token_id: ID,
    role: u8,
}

public struct ToppedUp has copy, drop {
    cluster_id: ID,
    token_id: ID,
    amount: u64,
    prepaid: u64,
}

public struct Slashed has copy, drop {
    cluster_id: ID,
    token_id: ID,
    amount: u64,
    reason: u8,
    /// What is left staked; below `min_user_stake` the token has no access.
    remaining: u64,
}

// === Public functions ===

/// Stakes `payment` for a new tenant SealToken bound to `namespace`, which the sender claims (first claim wins),
/// sent to the sender. Cluster roles are never bought: the cap holder grants them (`grant`).
public fun stake(cluster: &mut Cluster, payment: Coin<SUI>, namespace: String, clock: &Clock, ctx: &mut TxContext) {
    cluster.assert_version();
    let amount = payment.value();
    assert!(amount >= cluster.min_user_stake(), EInsufficientStake);
    assert_claimable(cluster, namespace);
    let token_id = new_token(cluster, payment, namespace, ROLE_TENANT, clock, ctx);
    cluster.add_namespace(namespace, token_id);
    event::emit(NamespaceClaimed { cluster_id: cluster.cluster_id(), token_id, owner: ctx.sender(), namespace });
}

/// The cap holder stakes `payment` for a SealToken of its own with cluster `role` and no namespace (e.g. the
/// operator's admin token at creation).
public fun stake_granted(
    cap: &ClusterAdminCap,
    cluster: &mut Cluster,
    payment: Coin<SUI>,
    role: u8,
    clock: &Clock,
    ctx: &mut TxContext,
) {
    cluster.assert_version();
    cluster::assert_cap(cap, cluster);
    assert!(role <= ROLE_ADMIN, EInvalidRole);
    assert!(payment.value() >= cluster.min_user_stake(), EInsufficientStake);
    let token_id = new_token(cluster, payment, b"".to_string(), role, clock, ctx);
    event::emit(RoleGranted { cluster_id: cluster.cluster_id(), token_id, role });
}

/// Gives the token `token_id` the cluster role `role` (viewer, editor or admin); effective for its next request.
public fun grant(cap: &ClusterAdminCap, cluster: &mut Cluster, token_id: ID, role: u8) {
    cluster.assert_version();
    cluster::assert_cap(cap, cluster);
    assert!(role <= ROLE_ADMIN, EInvalidRole);
    assert!(cluster.has_stake(token_id), EUnknownToken);
    cluster.set_stake_role(token_id, role);
    event::emit(RoleGranted { cluster_id: cluster.cluster_id(), token_id, role });
}

/// Takes the cluster role of `token_id` away (it stays a tenant of its namespace); effective for its next request.
public fun revoke(cap: &ClusterAdminCap, cluster: &mut Cluster, token_id: ID) {
    cluster.assert_version();
    cluster::assert_cap(cap, cluster);
    assert!(cluster.has_stake(token_id), EUnknownToken);
    let role = cluster.stake_role(token_id);
    assert!(role != ROLE_TENANT, ENoRole);
    cluster.set_stake_role(token_id, ROLE_TENANT);
    event::emit(RoleRevoked { cluster_id: cluster.cluster_id(), token_id, role });
}

/// The cap holder keeps `namespace` from ever being claimed by a tenant (besides `default`, `kube-*`, `k3sdaas-*`).
public fun reserve_namespace(cap: &ClusterAdminCap, cluster: &mut Cluster, namespace: String) {
    cluster.assert_version();
    cluster::assert_cap(cap, cluster);
    assert!(names::is_dns_label(&namespace), EInvalidNamespace);
    assert!(!cluster.has_namespace(namespace), ENamespaceTaken);
    let cluster_id = cluster.cluster_id();
    cluster.add_namespace(namespace, cluster_id);
    event::emit(NamespaceReserved { cluster_id, namespace });
}

/// Adds `payment` to the prepaid request fees of `token_id` (anyone may pay).
public fun topup(cluster: &mut Cluster, token_id: ID, payment: Coin<SUI>) {
    cluster.assert_version();
    assert!(cluster.has_stake(token_id), EUnknownToken);
    let amount = payment.value();
    cluster.add_prepaid(token_id, payment.into_balance());
    let prepaid = cluster.stake_prepaid(token_id);
    event::emit(ToppedUp { cluster_id: cluster.cluster_id(), token_id, amount, prepaid });
}

/// Once the lock has passed, returns what is left of the stake and the unused prepaid fees to the sender, releases
/// the token's namespace and deletes the token.
public fun unstake(cluster: &mut Cluster, token: SealToken, clock: &Clock, ctx: &mut TxContext) {
    cluster.assert_version();
    assert_token_cluster(&token, cluster);
    let token_id = object::id(&token);
    assert!(cluster.has_stake(token_id), EUnknownToken);
    assert!(clock.timestamp_ms() >= cluster.stake_locked_until_ms(token_id), EStakeLocked);

    let (mut balance, prepaid) = cluster.remove_stake(token_id);
    let amount = balance.value();
    let prepaid_amount = prepaid.value();
    balance.join(prepaid);
    let owner = ctx.sender();
    let SealToken { id, cluster_id, namespace } = token;
    id.delete();
    if (!namespace.is_empty()) {
        cluster.remove_namespace(namespace);
        event::emit(NamespaceReleased { cluster_id, token_id, namespace });
    };

    event::emit(Unstaked { cluster_id, token_id, owner, amount, prepaid: prepaid_amount });
    transfer::public_transfer(coin::from_balance(balance, ctx), owner);
}

/// Moves `amount` of a token's stake to the cluster's treasury, for `reason`, within the cluster's `max_slash_bps`.
/// A token left below `min_user_stake` is refused from its next request.
public fun slash(cap: &ClusterAdminCap, cluster: &mut Cluster, token_id: ID, amount: u64, reason: u8) {
    cluster.assert_version();
    cluster::assert_cap(cap, cluster);
    assert!(cluster.has_stake(token_id), EUnknownToken);
    cluster.assert_slash(cluster.stake_amount(token_id), amount, reason);
    let taken = cluster.take_stake(token_id, amount);
    cluster.add_treasury(taken);
    let remaining = cluster.stake_amount(token_id);
    event::emit(Slashed { cluster_id: cluster.cluster_id(), token_id, amount, reason, remaining });
}

// === Package functions ===

public(package) fun token_id(token: &SealToken): ID { object::id(token) }

public(package) fun token_namespace(token: &SealToken): String { token.namespace }

/// Aborts `EWrongCluster` unless `token` belongs to `cluster`.
public(package) fun assert_token_cluster(token: &SealToken, cluster: &Cluster) {
    assert_cluster_id(token.cluster_id, cluster);
}

/// Aborts `EWrongCluster` unless `cluster_id` is `cluster`'s.
public(package) fun assert_cluster_id(cluster_id: ID, cluster: &Cluster) {
    assert!(cluster_id == cluster.cluster_id(), EWrongCluster);
}

/// Aborts `EUnknownToken` / `ENotTokenOwner` unless `owner` staked for `token_id` in `cluster`.
public(package) fun assert_token_owner(cluster: &Cluster, token_id: ID, owner: address) {
    assert!(cluster.has_stake(token_id), EUnknownToken);
    assert!(cluster.stake_owner(token_id) == owner, ENotTokenOwner);
}

/// `METHOD_READ` (GET, HEAD), `METHOD_WRITE` (POST, PUT, PATCH, DELETE) or `METHOD_INVALID`.
public(package) fun method_kind(method: &String): u8 {
    let m = method.as_bytes();
    if (m == b"GET" || m == b"HEAD") METHOD_READ
    else if (m == b"POST" || m == b"PUT" || m == b"PATCH" || m == b"DELETE") METHOD_WRITE
    else METHOD_INVALID
}

public(package) fun is_valid_method(method: &String): bool { method_kind(method) != METHOD_INVALID }

/// Whether the enclave host forwards `path` unchanged: at most MAX_PATH bytes, `/` alone or `/`-separated segments
/// (`/a/b`), each non-empty (no `//`, no trailing `/`), neither `.` nor `..`, and made only of RFC 3986 `pchar`
/// bytes without percent-encoding (ASCII letters, digits and `-._~!$&'()*+,;=:@`). So a path never resolves to
/// another one (`..`, `%2e%2e`, `//host`) and carries no query (`?`), fragment (`#`), `%`, `\`, space, control or
/// non-ASCII byte.
public(package) fun is_valid_path(path: &String): bool {
    let p = path.as_bytes();
    let n = p.length();
    if (n == 0 || n > MAX_PATH || p[0] != SLASH) return false;
    if (n == 1) return true;
    let symbols = PCHAR_SYMBOLS;
    let mut start = 1; // first byte of the current segment
    let mut i = 1;
    while (i <= n) {
        if (i == n || p[i] == SLASH) {
            let len = i - start;
            if (len == 0) return false;
            if (p[start] == DOT && (len == 1 || (len == 2 && p[start + 1] == DOT))) return false;
            start = i + 1;
        } else if (!is_pchar(p[i], &symbols)) return false;
        i = i + 1;
    };
    true
}

/// `(namespace, resource)` of a request path, as docs/contract.md describes (Kubernetes' RequestInfo);
/// `("", "")` for a non-resource path. The path must be valid (`is_valid_path`).
public(package) fun parse_path(path: &String): (String, String) {
    let segments = split_path(path.as_bytes());
    let skip = if (segments.is_empty()) 0
    else if (segments[0] == b"api") 2
    else if (segments[0] == b"apis") 3
    else 0;
    if (skip == 0 || segments.length() <= skip) return (b"".to_string(), b"".to_string());

    let rest = slice(&segments, skip);
    // `namespaces/{ns}/status` and `namespaces/{ns}/finalize` are subresources of the namespace object itself
    // (Kubernetes' namespaceSubresources): resource `namespaces/status`, namespace `ns`.
    let (namespace, parts) = if (
        rest.length() >= 3 && rest[0] == b"namespaces" && rest[2] != b"status" && rest[2] != b"finalize"
    ) {
        (rest[1], slice(&rest, 2))
    } else if (rest.length() >= 2 && rest[0] == b"namespaces") {
        (rest[1], rest)
    } else {
        (b"", rest)
    };
    let mut resource = parts[0];
    if (parts.length() >= 3) {
        resource.push_back(SLASH);
        resource.append(parts[2]);
    };
    (namespace.to_string(), resource.to_string())
}

/// Applies the access rules to a request by the holder of `token_id`; returns `(role, namespace, resource)`.
/// `method` and `path` must be valid (`request` checks them first, with its own abort codes). In order: the token
/// is staked and holds at least `min_user_stake`; the self-review APIs are allowed to everyone; a tenant (no
/// cluster role) is held to its namespace; a cluster role is allowed its own namespace as a tenant, else the role
/// rules apply (writes there need `min_write_stake`).
public(package) fun authorize(cluster: &Cluster, token_id: ID, method: &String, path: &String): (u8, String, String) {
    assert!(cluster.has_stake(token_id), EUnknownToken);
    assert!(cluster.stake_amount(token_id) >= cluster.min_user_stake(), EStakeBelowMinimum);
    let role = cluster.stake_role(token_id);
    let own = cluster.stake_namespace(token_id);
    let write = method_kind(method) != METHOD_READ;
    let (namespace, resource) = parse_path(path);

    if (is_self_review(method, path)) return (role, namespace, resource);
    let tenant = tenant_check(&own, write, path, &namespace, &resource);
    if (role == ROLE_TENANT) {
        assert!(tenant == OK, tenant);
        return (role, namespace, resource)
    };
    if (tenant == OK && !own.is_empty()) return (role, namespace, resource);

    if (resource.is_empty()) {
        assert!(!write || role == ROLE_ADMIN, ERoleCannotWrite);
    } else if (role == ROLE_VIEWER) {
        assert!(!write, ERoleCannotWrite);
        assert!(base_resource(resource.as_bytes()) != b"secrets", ERoleCannotReadSecrets);
        assert!(sub_resource(resource.as_bytes()) != b"proxy", ERoleCannotProxy);
    } else if (role == ROLE_EDITOR) {
        // `nodes/proxy` (the kubelet) and other cluster-scoped proxies are for admins only.
        assert!(sub_resource(resource.as_bytes()) != b"proxy" || !namespace.is_empty(), ERoleCannotProxy);
        // The `namespaces` resource is cluster-scoped even though its namespace is the object's name.
        assert!(
            !write || (!namespace.is_empty() && base_resource(resource.as_bytes()) != b"namespaces"),
            ERoleCannotWriteClusterScoped,
        );
    };
    if (write) {
        assert!(cluster.stake_amount(token_id) >= cluster.min_write_stake(), EInsufficientWriteStake);
    };
    (role, namespace, resource)
}

/// Whether `method path` is a self-review (`POST` of `selfsubjectaccessreviews` or `selfsubjectrulesreviews` in
/// `authorization.k8s.io`, or `selfsubjectreviews` in `authentication.k8s.io`, any version): an answer about the
/// requester itself, not a write.
public(package) fun is_self_review(method: &String, path: &String): bool {
    if (method.as_bytes() != b"POST") return false;
    let s = split_path(path.as_bytes());
    if (s.length() != 4 || s[0] != b"apis") return false;
    (s[1] == b"authorization.k8s.io" && (s[3] == b"selfsubjectaccessreviews" || s[3] == b"selfsubjectrulesreviews")) ||
        (s[1] == b"authentication.k8s.io" && s[3] == b"selfsubjectreviews")
}

/// Fee escrow of a request: takes `write_fee` (writes) or `read_fee` (reads) from the prepaid fees of `token_id`.
public(package) fun charge(cluster: &mut Cluster, token_id: ID, method: &String): Balance<SUI> {
    let fee = if (method_kind(method) == METHOD_READ) cluster.read_fee() else cluster.write_fee();
    assert!(cluster.stake_prepaid(token_id) >= fee, EInsufficientBalance);
    cluster.take_prepaid(token_id, fee)
}

// === Private functions ===

/// Creates the token and its stake entry, emits `Staked`, sends the token to the sender; returns its id.
fun new_token(
    cluster: &mut Cluster,
    payment: Coin<SUI>,
    namespace: String,
    role: u8,
    clock: &Clock,
    ctx: &mut TxContext,
): ID {
    let amount = payment.value();
    let owner = ctx.sender();
    let cluster_id = cluster.cluster_id();
    let token = SealToken { id: object::new(ctx), cluster_id, namespace };
    let token_id = object::id(&token);
    let locked_until_ms = clock.timestamp_ms() + cluster.stake_lock_ms();
    cluster.add_stake(token_id, owner, role, namespace, payment.into_balance(), locked_until_ms);
    event::emit(Staked { cluster_id, token_id, owner, namespace, role, amount, locked_until_ms });
    transfer::transfer(token, owner);
    token_id
}

/// Aborts unless a tenant may claim `namespace`: a DNS-1123 label (`EInvalidNamespace`), not reserved
/// (`EReservedNamespace`: `default`, `kube-*`, `k3sdaas-*` or reserved by the cap) and not claimed (`ENamespaceTaken`).
fun assert_claimable(cluster: &Cluster, namespace: String) {
    assert!(names::is_dns_label(&namespace), EInvalidNamespace);
    assert!(!names::is_reserved_namespace(&namespace), EReservedNamespace);
    if (cluster.has_namespace(namespace)) {
        let reserved = cluster.namespace_holder(namespace) == cluster.cluster_id();
        assert!(!reserved, EReservedNamespace);
        abort ENamespaceTaken
    };
}

/// The tenant rules for a token whose namespace is `own`: `OK`, or the error that refuses the request. Allowed:
/// reads of the discovery, version and OpenAPI paths (`ETenantNonResource` for any other non-resource request),
/// and namespaced resources inside `own` (`ETenantClusterScoped` for cluster-scoped ones,
/// `ETenantOutsideNamespace` for other namespaces), where the `namespaces` object itself may only be read.
fun tenant_check(own: &String, write: bool, path: &String, namespace: &String, resource: &String): u64 {
    if (resource.is_empty()) {
        return if (!write && is_discovery(path)) OK else ETenantNonResource
    };
    if (namespace.is_empty()) return ETenantClusterScoped;
    if (namespace != own) return ETenantOutsideNamespace;
    if (write && base_resource(resource.as_bytes()) == b"namespaces") return ETenantClusterScoped;
    OK
}

/// `/api`, `/api/{v}`, `/apis`, `/apis/{group}`, `/apis/{group}/{v}` (API discovery), `/version` and `/openapi/...`.
fun is_discovery(path: &String): bool {
    let s = split_path(path.as_bytes());
    if (s.is_empty()) return false;
    (s[0] == b"api" && s.length() <= 2) || (s[0] == b"apis" && s.length() <= 3) ||
        (s[0] == b"version" && s.length() == 1) || s[0] == b"openapi"
}

/// Splits on '/', dropping empty segments.
fun split_path(path: &vector<u8>): vector<vector<u8>> {
    let mut segments = vector[];
    let mut current = vector[];
    path.do_ref!(|byte| {
        if (*byte == SLASH) {
            if (!current.is_empty()) {
                segments.push_back(current);
                current = vector[];
            }
        } else {
            current.push_back(*byte);
        }
    });
    if (!current.is_empty()) segments.push_back(current);
    segments
}

/// `v[from..]`.
fun slice(v: &vector<vector<u8>>, from: u64): vector<vector<u8>> {
    let mut out = vector[];
    let mut i = from;
    while (i < v.length()) {
        out.push_back(v[i]);
        i = i + 1;
    };
    out
}

/// The part of a resource before '/' (`pods/log` -> `pods`).
fun base_resource(resource: &vector<u8>): vector<u8> {
    let mut base = vector[];
    let mut i = 0;
    while (i < resource.length() && resource[i] != SLASH) {
        base.push_back(resource[i]);
        i = i + 1;
    };
    base
}

/// The part of a resource after '/' (`pods/log` -> `log`), empty without a subresource.
fun sub_resource(resource: &vector<u8>): vector<u8> {
    let mut sub = vector[];
    let mut i = 0;
    while (i < resource.length() && resource[i] != SLASH) i = i + 1;
    i = i + 1;
    while (i < resource.length()) {
        sub.push_back(resource[i]);
        i = i + 1;
    };
    sub
}

/// An ASCII letter or digit or one of `symbols` (PCHAR_SYMBOLS).
fun is_pchar(byte: u8, symbols: &vector<u8>): bool {
    (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x30 && byte <= 0x39) ||
        symbols.contains(&byte)
}

// === Test-only ===

#[test_only]
public fun cluster_id_of(token: &SealToken): ID { token.cluster_id }
