/// The cluster's Nautilus enclave: registering its ed25519 key (attested, or plain on debug clusters) and
/// verifying what it signs (`IntentMessage<T>` over BCS).
module k3sdaas::enclave;

use k3sdaas::cluster::{Self, Cluster, ClusterAdminCap};
use sui::bcs;
use sui::clock::Clock;
use sui::ed25519;
use sui::event;
use sui::nitro_attestation::NitroAttestationDocument;

// === Errors ===

const ENotDebugCluster: u64 = 0;
const EInvalidPublicKey: u64 = 1;
const EPcrMismatch: u64 = 2;
const ENoEnclave: u64 = 3;
const EInvalidSignature: u64 = 4;
const EStaleTimestamp: u64 = 5;
const EUserDataMismatch: u64 = 6;
const EStaleAttestation: u64 = 7;

// === Constants ===

const INTENT_RESPONSE: u8 = 0;
const INTENT_JOIN_TOKEN: u8 = 1;
const MAX_SIGNATURE_AGE_MS: u64 = 60_000;
const MAX_CLOCK_SKEW_MS: u64 = 10_000;
const MAX_ATTESTATION_AGE_MS: u64 = 300_000;
const PUBLIC_KEY_LENGTH: u64 = 32;
const SIGNATURE_LENGTH: u64 = 64;
const PCR_INDICES: vector<u8> = vector[0, 1, 2];

// === Structs ===

public struct IntentMessage<T: copy + drop> has copy, drop {
    intent: u8,
    timestamp_ms: u64,
    payload: T,
}

// === Events ===

public struct EnclaveRegistered has copy, drop {
    cluster_id: ID,
    public_key: vector<u8>,
    debug: bool,
    pcrs: vector<vector<u8>>,
    timestamp_ms: u64,
    config_version: u64,
}

public struct EnclaveConfigUpdated has copy, drop {
    cluster_id: ID,
    config_version: u64,
    pcrs: vector<vector<u8>>,
}

// === Public functions ===

/// Debug clusters only: sets (or replaces) the enclave key without attestation.
public fun register_debug(
    cap: &ClusterAdminCap,
    cluster: &mut Cluster,
    public_key: vector<u8>,
    clock: &Clock,
) {
    cluster.assert_version();
    cluster::assert_cap(cap, cluster);
    assert!(cluster.is_debug(), ENotDebugCluster);
    assert!(public_key.length() == PUBLIC_KEY_LENGTH, EInvalidPublicKey);
    set_key(cluster, public_key, true, vector[], clock);
}

/// Sets the enclave key from a verified Nitro attestation document (the cap holder only): PCR0..2 must match the
/// cluster's, the document's `user_data` must be the cluster's `ca_hash` (when set) and the document must be recent.
public fun register_attested(
    cap: &ClusterAdminCap,
    cluster: &mut Cluster,
    document: &NitroAttestationDocument,
    clock: &Clock,
) {
    cluster.assert_version();
    cluster::assert_cap(cap, cluster);
    let mut pcrs = vector[];
    let entries = document.pcrs();
    PCR_INDICES.do!(|index| {
        let found = entries.find_index!(|entry| entry.index() == index);
        assert!(found.is_some(), EPcrMismatch);
        pcrs.push_back(*entries[found.destroy_some()].value());
    });
    register_measured(
        cluster,
        pcrs,
        *document.public_key(),
        *document.user_data(),
        *document.timestamp(),
        clock,
    );
}

/// The cap holder replaces the expected PCRs (a new enclave image): the enclave config version is bumped and the
/// registered enclave key is cleared, so requests and join tokens wait for a new attested registration.
public fun update_pcrs(cap: &ClusterAdminCap, cluster: &mut Cluster, expected_pcrs: vector<vector<u8>>) {
    cluster.assert_version();
    cluster::assert_cap(cap, cluster);
    let config_version = cluster.set_expected_pcrs(expected_pcrs);
    event::emit(EnclaveConfigUpdated { cluster_id: cluster.cluster_id(), config_version, pcrs: expected_pcrs });
}

// === Package functions ===

public(package) fun intent_response(): u8 { INTENT_RESPONSE }

public(package) fun intent_join_token(): u8 { INTENT_JOIN_TOKEN }

/// Checks an enclave signature over `bcs(IntentMessage { intent, timestamp_ms, payload })`.
public(package) fun verify<T: copy + drop>(
    cluster: &Cluster,
    intent: u8,
    timestamp_ms: u64,
    payload: T,
    signature: &vector<u8>,
    clock: &Clock,
) {
    let public_key = cluster.enclave_pk();
    assert!(!public_key.is_empty(), ENoEnclave);
    let message = bcs::to_bytes(&IntentMessage { intent, timestamp_ms, payload });
    assert!(
        signature.length() == SIGNATURE_LENGTH && ed25519::ed25519_verify(signature, public_key, &message),
        EInvalidSignature,
    );
    assert_fresh(timestamp_ms, clock.timestamp_ms());
}

// === Private functions ===

/// The checks of `register_attested` after the cap, on what was read from the document: PCRs (`EPcrMismatch`), key
/// (`EInvalidPublicKey`), `user_data` against `ca_hash` (`EUserDataMismatch`), then its age (`EStaleAttestation`).
fun register_measured(
    cluster: &mut Cluster,
    pcrs: vector<vector<u8>>,
    public_key: Option<vector<u8>>,
    user_data: Option<vector<u8>>,
    timestamp_ms: u64,
    clock: &Clock,
) {
    assert!(&pcrs == cluster.expected_pcrs(), EPcrMismatch);
    assert!(public_key.is_some(), EInvalidPublicKey);
    let public_key = public_key.destroy_some();
    assert!(public_key.length() == PUBLIC_KEY_LENGTH, EInvalidPublicKey);
    let ca_hash = cluster.ca_hash();
    assert!(ca_hash.is_empty() || user_data == option::some(ca_hash), EUserDataMismatch);
    assert_attestation_fresh(timestamp_ms, clock.timestamp_ms());
    set_key(cluster, public_key, false, pcrs, clock);
}

fun set_key(
    cluster: &mut Cluster,
    public_key: vector<u8>,
    debug: bool,
    pcrs: vector<vector<u8>>,
    clock: &Clock,
) {
    let timestamp_ms = clock.timestamp_ms();
    cluster.set_enclave(public_key, timestamp_ms);
    let config_version = cluster.enclave_config_version();
    event::emit(EnclaveRegistered { cluster_id: cluster.cluster_id(), public_key, debug, pcrs, timestamp_ms, config_version });
}

/// Aborts `EStaleTimestamp` when `timestamp_ms` is more than MAX_SIGNATURE_AGE_MS behind `now_ms` or more
/// than MAX_CLOCK_SKEW_MS ahead of it.
fun assert_fresh(timestamp_ms: u64, now_ms: u64) {
    assert!(timestamp_ms <= now_ms + MAX_CLOCK_SKEW_MS, EStaleTimestamp);
    assert!(timestamp_ms >= now_ms || now_ms - timestamp_ms <= MAX_SIGNATURE_AGE_MS, EStaleTimestamp);
}

/// Aborts `EStaleAttestation` when the document's `timestamp_ms` is more than MAX_ATTESTATION_AGE_MS behind `now_ms`
/// or more than MAX_CLOCK_SKEW_MS ahead of it.
fun assert_attestation_fresh(timestamp_ms: u64, now_ms: u64) {
    assert!(timestamp_ms <= now_ms + MAX_CLOCK_SKEW_MS, EStaleAttestation);
    assert!(timestamp_ms >= now_ms || now_ms - timestamp_ms <= MAX_ATTESTATION_AGE_MS, EStaleAttestation);
}

// === Test-only ===

/// `register_attested` with the PCRs, key, user data and timestamp already read from a document (tests cannot build
/// one): the same cap check, then the same checks in the same order.
#[test_only]
public fun register_measured_for_testing(
    cap: &ClusterAdminCap,
    cluster: &mut Cluster,
    pcrs: vector<vector<u8>>,
    public_key: Option<vector<u8>>,
    user_data: Option<vector<u8>>,
    timestamp_ms: u64,
    clock: &Clock,
) {
    cluster::assert_cap(cap, cluster);
    register_measured(cluster, pcrs, public_key, user_data, timestamp_ms, clock);
}

#[test_only]
public fun intent_message_bytes<T: copy + drop>(intent: u8, timestamp_ms: u64, payload: T): vector<u8> {
    bcs::to_bytes(&IntentMessage { intent, timestamp_ms, payload })
}

#[test_only]
public fun verify_for_testing<T: copy + drop>(
    cluster: &Cluster,
    intent: u8,
    timestamp_ms: u64,
    payload: T,
    signature: vector<u8>,
    clock: &Clock,
) {
    verify(cluster, intent, timestamp_ms, payload, &signature, clock);
}
