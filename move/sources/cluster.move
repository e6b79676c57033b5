/// A K3s-DaaS cluster: its operator settings, gateways, enclave key and the user stakes behind SealTokens.
module k3sdaas::cluster;

use std::string::String;
use sui::balance::Balance;
use sui::event;
use sui::sui::SUI;
use sui::table::{Self, Table};

// === Errors ===

const EWrongCap: u64 = 0;
const EInvalidTimeout: u64 = 1;
const EInvalidPcrs: u64 = 2;
const EGatewayExists: u64 = 3;
const EGatewayNotFound: u64 = 4;

// === Constants ===

const PCR_COUNT: u64 = 3;

// === Structs ===

public struct Cluster has key {
    id: UID,
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
    enclave_pk: vector<u8>,
    enclave_registered_ms: u64,
    gateways: vector<address>,
    stakes: Table<ID, Stake>,
}

public struct ClusterAdminCap has key, store {
    id: UID,
    cluster_id: ID,
}

/// The stake behind one SealToken, kept in `Cluster.stakes` under the token id. Managed by `access`; declared
/// here because `Cluster` stores it and Move forbids the `cluster` <-> `access` module cycle.
public struct Stake has store {
    owner: address,
    role: u8,
    balance: Balance<SUI>,
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
    debug: bool,
    expected_pcrs: vector<vector<u8>>,
    ctx: &mut TxContext,
) {
    assert!(request_timeout_ms > 0 && heartbeat_timeout_ms > 0, EInvalidTimeout);
    assert!(debug || expected_pcrs.length() == PCR_COUNT, EInvalidPcrs);

    let operator = ctx.sender();
    let cluster = Cluster {
        id: object::new(ctx),
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
        enclave_pk: vector[],
        enclave_registered_ms: 0,
        gateways: vector[],
        stakes: table::new(ctx),
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
    assert_cap(cap, cluster);
    assert!(request_timeout_ms > 0, EInvalidTimeout);
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
    assert_cap(cap, cluster);
    assert!(!cluster.gateways.contains(&gateway), EGatewayExists);
    cluster.gateways.push_back(gateway);
    event::emit(GatewayRegistered { cluster_id: object::id(cluster), gateway });
}

public fun remove_gateway(cap: &ClusterAdminCap, cluster: &mut Cluster, gateway: address) {
    assert_cap(cap, cluster);
    let (found, index) = cluster.gateways.index_of(&gateway);
    assert!(found, EGatewayNotFound);
    cluster.gateways.remove(index);
    event::emit(GatewayRemoved { cluster_id: object::id(cluster), gateway });
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

public(package) fun is_debug(cluster: &Cluster): bool { cluster.debug }

public(package) fun expected_pcrs(cluster: &Cluster): &vector<vector<u8>> { &cluster.expected_pcrs }

public(package) fun ca_hash(cluster: &Cluster): vector<u8> { cluster.ca_hash }

public(package) fun enclave_pk(cluster: &Cluster): &vector<u8> { &cluster.enclave_pk }

public(package) fun is_gateway(cluster: &Cluster, gateway: address): bool {
    cluster.gateways.contains(&gateway)
}

// === Package functions: enclave key ===

public(package) fun set_enclave(cluster: &mut Cluster, public_key: vector<u8>, timestamp_ms: u64) {
    cluster.enclave_pk = public_key;
    cluster.enclave_registered_ms = timestamp_ms;
}

// === Package functions: stakes ===

public(package) fun add_stake(
    cluster: &mut Cluster,
    token_id: ID,
    owner: address,
    role: u8,
    balance: Balance<SUI>,
    locked_until_ms: u64,
) {
    cluster.stakes.add(token_id, Stake { owner, role, balance, locked_until_ms });
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

/// Removes the stake of `token_id` and returns what is left of it.
public(package) fun remove_stake(cluster: &mut Cluster, token_id: ID): Balance<SUI> {
    let Stake { owner: _, role: _, balance, locked_until_ms: _ } = cluster.stakes.remove(token_id);
    balance
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
public fun cap_cluster_id(cap: &ClusterAdminCap): ID { cap.cluster_id }
