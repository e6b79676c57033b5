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

// === Constants ===

const INTENT_RESPONSE: u8 = 0;
const INTENT_JOIN_TOKEN: u8 = 1;
const MAX_SIGNATURE_AGE_MS: u64 = 60_000;
const MAX_CLOCK_SKEW_MS: u64 = 10_000;
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
}

// === Public functions ===

/// Debug clusters only: sets (or replaces) the enclave key without attestation.
public fun register_debug(
    cap: &ClusterAdminCap,
    cluster: &mut Cluster,
    public_key: vector<u8>,
    clock: &Clock,
) {
    cluster::assert_cap(cap, cluster);
    assert!(cluster.is_debug(), ENotDebugCluster);
    assert!(public_key.length() == PUBLIC_KEY_LENGTH, EInvalidPublicKey);
    set_key(cluster, public_key, true, vector[], clock);
}

/// Sets the enclave key from a verified Nitro attestation document whose PCR0..2 match the cluster's.
public fun register_attested(cluster: &mut Cluster, document: &NitroAttestationDocument, clock: &Clock) {
    let mut pcrs = vector[];
    let entries = document.pcrs();
    PCR_INDICES.do!(|index| {
        let found = entries.find_index!(|entry| entry.index() == index);
        assert!(found.is_some(), EPcrMismatch);
        pcrs.push_back(*entries[found.destroy_some()].value());
    });
    register_measured(cluster, pcrs, *document.public_key(), clock);
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

fun register_measured(
    cluster: &mut Cluster,
    pcrs: vector<vector<u8>>,
    public_key: Option<vector<u8>>,
    clock: &Clock,
) {
    assert!(&pcrs == cluster.expected_pcrs(), EPcrMismatch);
    assert!(public_key.is_some(), EInvalidPublicKey);
    let public_key = public_key.destroy_some();
    assert!(public_key.length() == PUBLIC_KEY_LENGTH, EInvalidPublicKey);
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
    event::emit(EnclaveRegistered { cluster_id: cluster.cluster_id(), public_key, debug, pcrs, timestamp_ms });
}

/// Aborts `EStaleTimestamp` when `timestamp_ms` is more than MAX_SIGNATURE_AGE_MS behind `now_ms` or more
/// than MAX_CLOCK_SKEW_MS ahead of it.
fun assert_fresh(timestamp_ms: u64, now_ms: u64) {
    assert!(timestamp_ms <= now_ms + MAX_CLOCK_SKEW_MS, EStaleTimestamp);
    assert!(timestamp_ms >= now_ms || now_ms - timestamp_ms <= MAX_SIGNATURE_AGE_MS, EStaleTimestamp);
}

// === Test-only ===

/// `register_attested` after the PCRs and key were read from a document (tests cannot build one).
#[test_only]
public fun register_measured_for_testing(
    cluster: &mut Cluster,
    pcrs: vector<vector<u8>>,
    public_key: Option<vector<u8>>,
    clock: &Clock,
) {
    register_measured(cluster, pcrs, public_key, clock);
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
