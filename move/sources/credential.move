/// Credentials that let one gateway act for one SealToken until an expiry: the BCS bytes of a `Credential`,
/// signed by the token owner as a Sui personal message with an ed25519 key.
module k3sdaas::credential;

use sui::bcs;
use sui::clock::Clock;
use sui::ed25519;
use sui::hash;

// === Errors ===

const EMalformedCredential: u64 = 0;
const EUnsupportedScheme: u64 = 1;
const EInvalidSignature: u64 = 2;
const EExpired: u64 = 3;

// === Constants ===

/// ID (32) + address (32) + ID (32) + u64 (8).
const CREDENTIAL_LENGTH: u64 = 104;
/// flag (1) + ed25519 signature (64) + public key (32).
const SERIALIZED_SIGNATURE_LENGTH: u64 = 97;
const ED25519_FLAG: u8 = 0;
/// Intent scope PersonalMessage (3), version V0 (0), app id Sui (0).
const PERSONAL_MESSAGE_INTENT: vector<u8> = vector[3, 0, 0];

// === Structs ===

public struct Credential has copy, drop {
    cluster_id: ID,
    gateway: address,
    token_id: ID,
    expires_ms: u64,
}

// === Package functions ===

/// Decodes `credential_bytes`, checks the personal-message `signature` over them and the expiry; returns the
/// credential and the signer's address.
public(package) fun verify(credential_bytes: vector<u8>, signature: vector<u8>, clock: &Clock): (Credential, address) {
    let credential = decode(credential_bytes);

    assert!(!signature.is_empty(), EInvalidSignature);
    assert!(signature[0] == ED25519_FLAG, EUnsupportedScheme);
    assert!(signature.length() == SERIALIZED_SIGNATURE_LENGTH, EInvalidSignature);
    let sig = slice(&signature, 1, 65);
    let public_key = slice(&signature, 65, SERIALIZED_SIGNATURE_LENGTH);

    let mut message = PERSONAL_MESSAGE_INTENT;
    message.append(bcs::to_bytes(&credential_bytes));
    let digest = hash::blake2b256(&message);
    assert!(ed25519::ed25519_verify(&sig, &public_key, &digest), EInvalidSignature);

    assert!(clock.timestamp_ms() <= credential.expires_ms, EExpired);
    (credential, signer_address(public_key))
}

public(package) fun cluster_id(credential: &Credential): ID { credential.cluster_id }

public(package) fun gateway(credential: &Credential): address { credential.gateway }

public(package) fun token_id(credential: &Credential): ID { credential.token_id }

public(package) fun expires_ms(credential: &Credential): u64 { credential.expires_ms }

// === Private functions ===

fun decode(bytes: vector<u8>): Credential {
    assert!(bytes.length() == CREDENTIAL_LENGTH, EMalformedCredential);
    let mut reader = bcs::new(bytes);
    let cluster_id = object::id_from_address(reader.peel_address());
    let gateway = reader.peel_address();
    let token_id = object::id_from_address(reader.peel_address());
    let expires_ms = reader.peel_u64();
    Credential { cluster_id, gateway, token_id, expires_ms }
}

/// Sui address of an ed25519 key: blake2b256(0x00 ++ public_key).
fun signer_address(public_key: vector<u8>): address {
    let mut bytes = vector[ED25519_FLAG];
    bytes.append(public_key);
    sui::address::from_bytes(hash::blake2b256(&bytes))
}

/// `v[from..to]`.
fun slice(v: &vector<u8>, from: u64, to: u64): vector<u8> {
    let mut out = vector[];
    let mut i = from;
    while (i < to) {
        out.push_back(v[i]);
        i = i + 1;
    };
    out
}

// === Test-only ===

#[test_only]
public fun new_for_testing(cluster_id: ID, gateway: address, token_id: ID, expires_ms: u64): Credential {
    Credential { cluster_id, gateway, token_id, expires_ms }
}
