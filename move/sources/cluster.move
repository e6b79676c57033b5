/// A K3s-DaaS cluster: its operator settings, gateways, enclave key and the user stakes behind SealTokens.
module k3sdaas::cluster;

use std::string::String;
use sui::balance::{Self, Balance};
use sui::coin;
use sui::event;
use sui::sui::SUI;
use sui::table::{Self, Table};

// === Errors ===

const EWrongCap: u64 = 0;
const EInvalidTimeout: u64 = 1;
const EInvalidPcrs: u64 = 2;
const EGatewayExists: u64 = 3;
const EGatewayNotFound: u64 = 4;
const EInvalidPeriod: u64 = 5;
const EInvalidPolicy: u64 = 6;
const EInvalidSlashBound: u64 = 7;
const EInvalidSlashReason: u64 = 8;
const ESlashTooLarge: u64 = 9;
const EWrongVersion: u64 = 10;
const ENotUpgraded: u64 = 11;

// === Constants ===

/// The version of this package's code. Shared objects carry the version they were made or migrated for; every entry
/// refuses any other (so after an upgrade the old functions stop working on migrated objects and the new ones on
/// unmigrated objects), and the cap holder's `migrate` moves them forward.
const VERSION: u64 = 1;

const PCR_COUNT: u64 = 3;
/// Upper bounds of the cluster's durations, so no deadline arithmetic can overflow (clock + bound < 2^64).
const MAX_REQUEST_TIMEOUT_MS: u64 = 3_600_000; // 1 h
const MAX_HEARTBEAT_TIMEOUT_MS: u64 = 604_800_000; // 7 d
const MAX_STAKE_LOCK_MS: u64 = 31_536_000_000; // 365 d
const MAX_UNBONDING_MS: u64 = 2_592_000_000; // 30 d
const MAX_SESSION_MS: u64 = 86_400_000; // 1 d
/// The longest a streaming session may last until the cap holder sets it (`set_max_session_ms`).
const DEFAULT_MAX_SESSION_MS: u64 = 1_800_000; // 30 min

/// Worker policies: the cap holder approves each registration, or anyone staking enough may join.
const POLICY_APPROVAL: u8 = 0;
const POLICY_OPEN: u8 = 1;

/// `max_slash_bps` is in basis points of the stake being slashed.
const BPS: u64 = 10_000;
/// Slash reasons: 1 policy violation, 2 resource abuse, 3 faulty execution, 4 downtime, 5 other.
const MAX_SLASH_REASON: u8 = 5;

// === Structs ===

public struct Cluster has key {
    id: UID,
    version: u64,
    operator: address,
    name: String,
    api_url: String,
    ca_hash: vector<u8>,
    min_user_stake: u64,
    min_write_stake: u64,
    min_worker_stake: u64,
    stake_lock_ms: u64,
    request_timeout_ms: u64,
    heartbeat_timeout_ms: u64,
    debug: bool,
    expected_pcrs: vector<vector<u8>>,
    /// Bumped by every `enclave::update_pcrs`, which also clears the enclave key.
    enclave_config_version: u64,
    enclave_pk: vector<u8>,
    enclave_registered_ms: u64,
    gateways: vector<address>,
    stakes: Table<ID, Stake>,
    /// Claimed tenant namespaces -> the claiming token's id (the cluster's own id for names the operator reserved).
    namespaces: Table<String, ID>,
    read_fee: u64,
    write_fee: u64,
    /// Fees of answered requests, withdrawable with the cap.
    revenue: Balance<SUI>,
    /// POLICY_APPROVAL or POLICY_OPEN.
    worker_policy: u8,
    /// How long a leaving worker's stake stays slashable before it can be withdrawn.
    unbonding_ms: u64,
    /// The most one slash may take, in basis points of the stake it hits; fixed at creation.
    max_slash_bps: u64,
    /// Slashed stakes, withdrawable with the cap.
    treasury: Balance<SUI>,
    /// The longest a streaming session (watch, log follow, exec) may last; the enclave ends it then.
    max_session_ms: u64,
}

public struct ClusterAdminCap has key, store {
    id: UID,
    cluster_id: ID,
}

/// The stake behind one SealToken, kept in `Cluster.stakes` under the token id. Managed by `access`; declared
/// here because `Cluster` stores it and Move forbids the `cluster` <-> `access` module cycle.
public struct Stake has store {
    owner: address,
    /// A cluster role granted by the cap (viewer, editor, admin) or `tenant` (none).
    role: u8,
    /// The namespace the token claimed when staking; empty for tokens the cap holder staked with a role.
    namespace: String,
    balance: Balance<SUI>,
    /// Prepaid request fees (top-up any time; returned on unstake).
    prepaid: Balance<SUI>,
    locked_until_ms: u64,
}

// === Events ===

public struct ClusterCreated has copy, drop {
    cluster_id: ID,
    cap_id: ID,
    operator: address,
    name: String,
    api_url: String,
    ca_hash: vector<u8>,
    debug: bool,
    read_fee: u64,
    write_fee: u64,
    worker_policy: u8,
    unbonding_ms: u64,
    max_slash_bps: u64,
}

public struct ClusterUpdated has copy, drop {
    cluster_id: ID,
    api_url: String,
    ca_hash: vector<u8>,
    min_write_stake: u64,
    request_timeout_ms: u64,
}

public struct GatewayRegistered has copy, drop {
    cluster_id: ID,
    gateway: address,
}

public struct GatewayRemoved has copy, drop {
    cluster_id: ID,
    gateway: address,
}

public struct FeesUpdated has copy, drop {
    cluster_id: ID,
    read_fee: u64,
    write_fee: u64,
}

public struct WorkerPolicyUpdated has copy, drop {
    cluster_id: ID,
    worker_policy: u8,
}

public struct RevenueWithdrawn has copy, drop {
    cluster_id: ID,
    recipient: address,
    amount: u64,
}

public struct ClusterMigrated has copy, drop {
    cluster_id: ID,
    from_version: u64,
    to_version: u64,
}

public struct MaxSessionUpdated has copy, drop {
    cluster_id: ID,
    max_session_ms: u64,
}

public struct TreasuryWithdrawn has copy, drop {
    cluster_id: ID,
    recipient: address,
    amount: u64,
}

// === Public functions ===

/// Shares a new Cluster and gives its ClusterAdminCap to the sender.
public fun create(
    name: String,
    api_url: String,
    ca_hash: vector<u8>,
    min_user_stake: u64,
    min_write_stake: u64,
    min_worker_stake: u64,
    stake_lock_ms: u64,
    request_timeout_ms: u64,
    heartbeat_timeout_ms: u64,
    read_fee: u64,
    write_fee: u64,
    worker_policy: u8,
    unbonding_ms: u64,
    max_slash_bps: u64,
    debug: bool,
    expected_pcrs: vector<vector<u8>>,
    ctx: &mut TxContext,
) {
    assert_request_timeout(request_timeout_ms);
    assert!(heartbeat_timeout_ms > 0 && heartbeat_timeout_ms <= MAX_HEARTBEAT_TIMEOUT_MS, EInvalidTimeout);
    assert!(stake_lock_ms <= MAX_STAKE_LOCK_MS && unbonding_ms <= MAX_UNBONDING_MS, EInvalidPeriod);
    assert_policy(worker_policy);
    assert!(max_slash_bps > 0 && max_slash_bps <= BPS, EInvalidSlashBound);
    assert!(debug || expected_pcrs.length() == PCR_COUNT, EInvalidPcrs);

    let operator = ctx.sender();
    let cluster = Cluster {
        id: object::new(ctx),
        version: VERSION,
        operator,
        name,
        api_url,
        ca_hash,
        min_user_stake,
        min_write_stake,
        min_worker_stake,
        stake_lock_ms,
        request_timeout_ms,
        heartbeat_timeout_ms,
        debug,
        expected_pcrs,
        enclave_config_version: 1,
        enclave_pk: vector[],
        enclave_registered_ms: 0,
        gateways: vector[],
        stakes: table::new(ctx),
        namespaces: table::new(ctx),
        read_fee,
        write_fee,
        revenue: balance::zero(),
        worker_policy,
        unbonding_ms,
        max_slash_bps,
        treasury: balance::zero(),
        max_session_ms: DEFAULT_MAX_SESSION_MS,
    };
    let cluster_id = object::id(&cluster);
    let cap = ClusterAdminCap { id: object::new(ctx), cluster_id };

    event::emit(ClusterCreated {
        cluster_id,
        cap_id: object::id(&cap),
        operator,
        name: cluster.name,
        api_url: cluster.api_url,
        ca_hash: cluster.ca_hash,
        debug,
        read_fee,
        write_fee,
        worker_policy,
        unbonding_ms,
        max_slash_bps,
    });
    transfer::share_object(cluster);
    transfer::public_transfer(cap, operator);
}

/// Changes the API URL, CA pin, write stake threshold and request timeout.
public fun update(
    cap: &ClusterAdminCap,
    cluster: &mut Cluster,
    api_url: String,
    ca_hash: vector<u8>,
    min_write_stake: u64,
    request_timeout_ms: u64,
    _ctx: &mut TxContext,
) {
    assert_version(cluster);
    assert_cap(cap, cluster);
    assert_request_timeout(request_timeout_ms);
    cluster.api_url = api_url;
    cluster.ca_hash = ca_hash;
    cluster.min_write_stake = min_write_stake;
    cluster.request_timeout_ms = request_timeout_ms;
    event::emit(ClusterUpdated {
        cluster_id: object::id(cluster),
        api_url,
        ca_hash,
        min_write_stake,
        request_timeout_ms,
    });
}

public fun register_gateway(cap: &ClusterAdminCap, cluster: &mut Cluster, gateway: address) {
    assert_version(cluster);
    assert_cap(cap, cluster);
    assert!(!cluster.gateways.contains(&gateway), EGatewayExists);
    cluster.gateways.push_back(gateway);
    event::emit(GatewayRegistered { cluster_id: object::id(cluster), gateway });
}

public fun remove_gateway(cap: &ClusterAdminCap, cluster: &mut Cluster, gateway: address) {
    assert_version(cluster);
    assert_cap(cap, cluster);
    let (found, index) = cluster.gateways.index_of(&gateway);
    assert!(found, EGatewayNotFound);
    cluster.gateways.remove(index);
    event::emit(GatewayRemoved { cluster_id: object::id(cluster), gateway });
}

/// Sets the fee per request in MIST: `read_fee` for GET/HEAD, `write_fee` for POST/PUT/PATCH/DELETE (0 allowed).
public fun set_fees(cap: &ClusterAdminCap, cluster: &mut Cluster, read_fee: u64, write_fee: u64) {
    assert_version(cluster);
    assert_cap(cap, cluster);
    cluster.read_fee = read_fee;
    cluster.write_fee = write_fee;
    event::emit(FeesUpdated { cluster_id: object::id(cluster), read_fee, write_fee });
}

/// Sets the worker policy: POLICY_APPROVAL (0, each registration needs `workers::approve`) or POLICY_OPEN (1).
/// Workers already registered keep their approval state.
public fun set_worker_policy(cap: &ClusterAdminCap, cluster: &mut Cluster, worker_policy: u8) {
    assert_version(cluster);
    assert_cap(cap, cluster);
    assert_policy(worker_policy);
    cluster.worker_policy = worker_policy;
    event::emit(WorkerPolicyUpdated { cluster_id: object::id(cluster), worker_policy });
}

/// Sets the longest a streaming session may last (1 ms to 1 day); sessions granted afterwards end by then.
public fun set_max_session_ms(cap: &ClusterAdminCap, cluster: &mut Cluster, max_session_ms: u64) {
    assert_version(cluster);
    assert_cap(cap, cluster);
    assert!(max_session_ms > 0 && max_session_ms <= MAX_SESSION_MS, EInvalidPeriod);
    cluster.max_session_ms = max_session_ms;
    event::emit(MaxSessionUpdated { cluster_id: object::id(cluster), max_session_ms });
}

/// Sends the whole revenue (fees of answered requests) to the cap holder.
public fun withdraw_revenue(cap: &ClusterAdminCap, cluster: &mut Cluster, ctx: &mut TxContext) {
    assert_version(cluster);
    assert_cap(cap, cluster);
    let amount = cluster.revenue.value();
    let coin = coin::from_balance(cluster.revenue.withdraw_all(), ctx);
    let recipient = ctx.sender();
    event::emit(RevenueWithdrawn { cluster_id: object::id(cluster), recipient, amount });
    transfer::public_transfer(coin, recipient);
}

/// Sends the whole treasury (slashed stakes) to the cap holder.
public fun withdraw_treasury(cap: &ClusterAdminCap, cluster: &mut Cluster, ctx: &mut TxContext) {
    assert_version(cluster);
    assert_cap(cap, cluster);
    let amount = cluster.treasury.value();
    let coin = coin::from_balance(cluster.treasury.withdraw_all(), ctx);
    let recipient = ctx.sender();
    event::emit(TreasuryWithdrawn { cluster_id: object::id(cluster), recipient, amount });
    transfer::public_transfer(coin, recipient);
}

/// Moves a Cluster made by an older version of the package to this one (the cap holder, after an upgrade).
public fun migrate(cap: &ClusterAdminCap, cluster: &mut Cluster) {
    assert_cap(cap, cluster);
    assert!(cluster.version < VERSION, ENotUpgraded);
    let from_version = cluster.version;
    cluster.version = VERSION;
    event::emit(ClusterMigrated { cluster_id: object::id(cluster), from_version, to_version: VERSION });
}

// === Package functions: versions ===

/// The package version objects must carry (`VERSION`).
public(package) fun version(): u64 { VERSION }

/// Aborts `EWrongVersion` unless `cluster` carries this package's version.
public(package) fun assert_version(cluster: &Cluster) {
    assert!(cluster.version == VERSION, EWrongVersion);
}

// === Package functions: capability ===

/// Aborts `EWrongCap` unless `cap` administers `cluster`.
public(package) fun assert_cap(cap: &ClusterAdminCap, cluster: &Cluster) {
    assert_cap_for(cap, object::id(cluster));
}

/// Aborts `EWrongCap` unless `cap` administers the cluster `cluster_id`.
public(package) fun assert_cap_for(cap: &ClusterAdminCap, cluster_id: ID) {
    assert!(cap.cluster_id == cluster_id, EWrongCap);
}

// === Package functions: reads ===

public(package) fun cluster_id(cluster: &Cluster): ID { object::id(cluster) }

public(package) fun min_user_stake(cluster: &Cluster): u64 { cluster.min_user_stake }

public(package) fun min_write_stake(cluster: &Cluster): u64 { cluster.min_write_stake }

public(package) fun min_worker_stake(cluster: &Cluster): u64 { cluster.min_worker_stake }

public(package) fun stake_lock_ms(cluster: &Cluster): u64 { cluster.stake_lock_ms }

public(package) fun request_timeout_ms(cluster: &Cluster): u64 { cluster.request_timeout_ms }

public(package) fun heartbeat_timeout_ms(cluster: &Cluster): u64 { cluster.heartbeat_timeout_ms }

public(package) fun read_fee(cluster: &Cluster): u64 { cluster.read_fee }

public(package) fun write_fee(cluster: &Cluster): u64 { cluster.write_fee }

public(package) fun is_open_to_workers(cluster: &Cluster): bool { cluster.worker_policy == POLICY_OPEN }

public(package) fun unbonding_ms(cluster: &Cluster): u64 { cluster.unbonding_ms }

public(package) fun max_session_ms(cluster: &Cluster): u64 { cluster.max_session_ms }

public(package) fun is_debug(cluster: &Cluster): bool { cluster.debug }

public(package) fun expected_pcrs(cluster: &Cluster): &vector<vector<u8>> { &cluster.expected_pcrs }

public(package) fun ca_hash(cluster: &Cluster): vector<u8> { cluster.ca_hash }

public(package) fun enclave_pk(cluster: &Cluster): &vector<u8> { &cluster.enclave_pk }

public(package) fun enclave_config_version(cluster: &Cluster): u64 { cluster.enclave_config_version }

/// Replaces the expected PCRs (exactly PCR_COUNT unless debug, `EInvalidPcrs`), bumps the enclave config version
/// and clears the enclave key, so only a new attested registration brings an enclave back. Returns the new version.
public(package) fun set_expected_pcrs(cluster: &mut Cluster, expected_pcrs: vector<vector<u8>>): u64 {
    assert!(cluster.debug || expected_pcrs.length() == PCR_COUNT, EInvalidPcrs);
    cluster.expected_pcrs = expected_pcrs;
    cluster.enclave_config_version = cluster.enclave_config_version + 1;
    cluster.enclave_pk = vector[];
    cluster.enclave_registered_ms = 0;
    cluster.enclave_config_version
}

public(package) fun is_gateway(cluster: &Cluster, gateway: address): bool {
    cluster.gateways.contains(&gateway)
}

// === Package functions: enclave key ===

public(package) fun set_enclave(cluster: &mut Cluster, public_key: vector<u8>, timestamp_ms: u64) {
    cluster.enclave_pk = public_key;
    cluster.enclave_registered_ms = timestamp_ms;
}

// === Package functions: slashing ===

/// Aborts unless a slash of `amount` from a stake of `stake` names a known reason (`EInvalidSlashReason`) and stays
/// within `max_slash_bps` of it (`ESlashTooLarge`).
public(package) fun assert_slash(cluster: &Cluster, stake: u64, amount: u64, reason: u8) {
    assert!(reason >= 1 && reason <= MAX_SLASH_REASON, EInvalidSlashReason);
    let bound = ((stake as u128) * (cluster.max_slash_bps as u128) / (BPS as u128)) as u64;
    assert!(amount <= bound, ESlashTooLarge);
}

public(package) fun add_treasury(cluster: &mut Cluster, slashed: Balance<SUI>) {
    cluster.treasury.join(slashed);
}

// === Package functions: revenue ===

public(package) fun add_revenue(cluster: &mut Cluster, fee: Balance<SUI>) {
    cluster.revenue.join(fee);
}

// === Package functions: namespaces ===

public(package) fun has_namespace(cluster: &Cluster, namespace: String): bool {
    cluster.namespaces.contains(namespace)
}

/// Who holds `namespace`: a token id, or the cluster's own id for a name the operator reserved.
public(package) fun namespace_holder(cluster: &Cluster, namespace: String): ID {
    cluster.namespaces[namespace]
}

public(package) fun add_namespace(cluster: &mut Cluster, namespace: String, holder: ID) {
    cluster.namespaces.add(namespace, holder);
}

public(package) fun remove_namespace(cluster: &mut Cluster, namespace: String) {
    cluster.namespaces.remove(namespace);
}

// === Package functions: stakes ===

public(package) fun add_stake(
    cluster: &mut Cluster,
    token_id: ID,
    owner: address,
    role: u8,
    namespace: String,
    balance: Balance<SUI>,
    locked_until_ms: u64,
) {
    cluster.stakes.add(token_id, Stake { owner, role, namespace, balance, prepaid: balance::zero(), locked_until_ms });
}

public(package) fun stake_namespace(cluster: &Cluster, token_id: ID): String {
    cluster.stakes[token_id].namespace
}

public(package) fun set_stake_role(cluster: &mut Cluster, token_id: ID, role: u8) {
    cluster.stakes[token_id].role = role;
}

public(package) fun stake_prepaid(cluster: &Cluster, token_id: ID): u64 {
    cluster.stakes[token_id].prepaid.value()
}

public(package) fun add_prepaid(cluster: &mut Cluster, token_id: ID, payment: Balance<SUI>) {
    cluster.stakes[token_id].prepaid.join(payment);
}

/// Takes exactly `amount` from the prepaid fees of `token_id` (the caller checked there is enough).
public(package) fun take_prepaid(cluster: &mut Cluster, token_id: ID, amount: u64): Balance<SUI> {
    cluster.stakes[token_id].prepaid.split(amount)
}

public(package) fun has_stake(cluster: &Cluster, token_id: ID): bool {
    cluster.stakes.contains(token_id)
}

public(package) fun stake_owner(cluster: &Cluster, token_id: ID): address {
    cluster.stakes[token_id].owner
}

public(package) fun stake_role(cluster: &Cluster, token_id: ID): u8 {
    cluster.stakes[token_id].role
}

public(package) fun stake_amount(cluster: &Cluster, token_id: ID): u64 {
    cluster.stakes[token_id].balance.value()
}

public(package) fun stake_locked_until_ms(cluster: &Cluster, token_id: ID): u64 {
    cluster.stakes[token_id].locked_until_ms
}

/// Takes up to `amount` from the stake of `token_id`.
public(package) fun take_stake(cluster: &mut Cluster, token_id: ID, amount: u64): Balance<SUI> {
    let balance = &mut cluster.stakes[token_id].balance;
    let taken = amount.min(balance.value());
    balance.split(taken)
}

/// Removes the stake of `token_id`; returns what is left of it and its unused prepaid fees.
public(package) fun remove_stake(cluster: &mut Cluster, token_id: ID): (Balance<SUI>, Balance<SUI>) {
    let Stake { owner: _, role: _, namespace: _, balance, prepaid, locked_until_ms: _ } = cluster.stakes.remove(
        token_id,
    );
    (balance, prepaid)
}

// === Private functions ===

fun assert_policy(worker_policy: u8) {
    assert!(worker_policy == POLICY_APPROVAL || worker_policy == POLICY_OPEN, EInvalidPolicy);
}

fun assert_request_timeout(request_timeout_ms: u64) {
    assert!(request_timeout_ms > 0 && request_timeout_ms <= MAX_REQUEST_TIMEOUT_MS, EInvalidTimeout);
}

// === Test-only ===

#[test_only]
public fun operator(cluster: &Cluster): address { cluster.operator }

#[test_only]
public fun api_url(cluster: &Cluster): String { cluster.api_url }

#[test_only]
public fun gateways(cluster: &Cluster): vector<address> { cluster.gateways }

#[test_only]
public fun enclave_registered_ms(cluster: &Cluster): u64 { cluster.enclave_registered_ms }

#[test_only]
public fun revenue_value(cluster: &Cluster): u64 { cluster.revenue.value() }

#[test_only]
public fun treasury_value(cluster: &Cluster): u64 { cluster.treasury.value() }

#[test_only]
public fun set_version_for_testing(cluster: &mut Cluster, version: u64) { cluster.version = version }

#[test_only]
public fun version_of(cluster: &Cluster): u64 { cluster.version }

#[test_only]
public fun cap_cluster_id(cap: &ClusterAdminCap): ID { cap.cluster_id }
