/// SealTokens: staked, role-carrying access to a cluster, and the rules that authorize a kubectl request.
module k3sdaas::access;

use k3sdaas::cluster::{Self, Cluster, ClusterAdminCap};
use std::string::String;
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

// === Constants ===

const ROLE_VIEWER: u8 = 0;
const ROLE_EDITOR: u8 = 1;
const ROLE_ADMIN: u8 = 2;

const METHOD_READ: u8 = 0;
const METHOD_WRITE: u8 = 1;
const METHOD_INVALID: u8 = 2;

const MAX_PATH: u64 = 1024;
const SLASH: u8 = 47; // '/'
const DOT: u8 = 46; // '.'
/// The bytes of RFC 3986 `pchar` other than letters and digits, without `%` (no percent-encoding).
const PCHAR_SYMBOLS: vector<u8> = b"-._~!$&'()*+,;=:@";

// === Structs ===

/// Owned and not transferable (no `store`).
public struct SealToken has key {
    id: UID,
    cluster_id: ID,
    role: u8,
}

// === Events ===

public struct Staked has copy, drop {
    cluster_id: ID,
    token_id: ID,
    owner: address,
    role: u8,
    amount: u64,
    locked_until_ms: u64,
}

public struct Unstaked has copy, drop {
    cluster_id: ID,
    token_id: ID,
    owner: address,
    amount: u64,
}

public struct Slashed has copy, drop {
    cluster_id: ID,
    token_id: ID,
    amount: u64,
}

// === Public functions ===

/// Stakes `payment` for a new SealToken with `role`, sent to the sender.
public fun stake(cluster: &mut Cluster, payment: Coin<SUI>, role: u8, clock: &Clock, ctx: &mut TxContext) {
    assert!(role <= ROLE_ADMIN, EInvalidRole);
    let amount = payment.value();
    assert!(amount >= cluster.min_user_stake(), EInsufficientStake);

    let owner = ctx.sender();
    let cluster_id = cluster.cluster_id();
    let token = SealToken { id: object::new(ctx), cluster_id, role };
    let token_id = object::id(&token);
    let locked_until_ms = clock.timestamp_ms() + cluster.stake_lock_ms();
    cluster.add_stake(token_id, owner, role, payment.into_balance(), locked_until_ms);

    event::emit(Staked { cluster_id, token_id, owner, role, amount, locked_until_ms });
    transfer::transfer(token, owner);
}

/// Once the lock has passed, returns what is left of the stake to the sender and deletes the token.
public fun unstake(cluster: &mut Cluster, token: SealToken, clock: &Clock, ctx: &mut TxContext) {
    assert_token_cluster(&token, cluster);
    let token_id = object::id(&token);
    assert!(cluster.has_stake(token_id), EUnknownToken);
    assert!(clock.timestamp_ms() >= cluster.stake_locked_until_ms(token_id), EStakeLocked);

    let balance = cluster.remove_stake(token_id);
    let amount = balance.value();
    let owner = ctx.sender();
    let SealToken { id, cluster_id, role: _ } = token;
    id.delete();

    event::emit(Unstaked { cluster_id, token_id, owner, amount });
    transfer::public_transfer(coin::from_balance(balance, ctx), owner);
}

/// Moves up to `amount` of a token's stake to the cap holder.
public fun slash(
    cap: &ClusterAdminCap,
    cluster: &mut Cluster,
    token_id: ID,
    amount: u64,
    ctx: &mut TxContext,
) {
    cluster::assert_cap(cap, cluster);
    assert!(cluster.has_stake(token_id), EUnknownToken);
    let taken = cluster.take_stake(token_id, amount);
    let amount = taken.value();
    event::emit(Slashed { cluster_id: cluster.cluster_id(), token_id, amount });
    transfer::public_transfer(coin::from_balance(taken, ctx), ctx.sender());
}

// === Package functions ===

public(package) fun token_id(token: &SealToken): ID { object::id(token) }

public(package) fun token_role(token: &SealToken): u8 { token.role }

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
/// `method` and `path` must be valid (`request` checks them first, with its own abort codes).
public(package) fun authorize(cluster: &Cluster, token_id: ID, method: &String, path: &String): (u8, String, String) {
    assert!(cluster.has_stake(token_id), EUnknownToken);
    let role = cluster.stake_role(token_id);
    let write = method_kind(method) != METHOD_READ;
    let (namespace, resource) = parse_path(path);

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

// === Private functions ===

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
