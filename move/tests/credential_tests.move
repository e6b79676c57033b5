#[test_only]
module k3sdaas::credential_tests;

use k3sdaas::credential;
use k3sdaas::vectors_tests as v;
use sui::clock::{Self, Clock};

fun clock_at(now: u64): Clock {
    let mut ctx = tx_context::dummy();
    let mut clock = clock::create_for_testing(&mut ctx);
    clock.set_for_testing(now);
    clock
}

fun verify_at(now: u64, bytes: vector<u8>, signature: vector<u8>): (credential::Credential, address) {
    let clock = clock_at(now);
    let (cred, signer) = credential::verify(bytes, signature, &clock);
    clock.destroy_for_testing();
    (cred, signer)
}

#[test]
fun verify_returns_credential_and_signer() {
    let (cred, signer) = verify_at(v::t0(), v::credential(), v::credential_sig());
    assert!(signer == v::user());
    assert!(cred.cluster_id() == object::id_from_address(v::cluster_id()));
    assert!(cred.gateway() == v::gateway());
    assert!(cred.token_id() == object::id_from_address(v::token_id()));
    assert!(cred.expires_ms() == v::expires_ms());
    assert!(
        cred == credential::new_for_testing(
            object::id_from_address(v::cluster_id()),
            v::gateway(),
            object::id_from_address(v::token_id()),
            v::expires_ms(),
        ),
    );
}

#[test]
fun verify_accepts_until_expiry() {
    let (_, signer) = verify_at(v::expires_ms(), v::credential(), v::credential_sig());
    assert!(signer == v::user());
}

#[test, expected_failure(abort_code = credential::EMalformedCredential)]
fun verify_short_credential() {
    let mut bytes = v::credential();
    bytes.pop_back();
    verify_at(v::t0(), bytes, v::credential_sig());
}

#[test, expected_failure(abort_code = credential::EMalformedCredential)]
fun verify_long_credential() {
    let mut bytes = v::credential();
    bytes.push_back(0);
    verify_at(v::t0(), bytes, v::credential_sig());
}

#[test, expected_failure(abort_code = credential::EUnsupportedScheme)]
fun verify_secp256k1_flag() {
    let mut sig = v::credential_sig();
    *&mut sig[0] = 1;
    verify_at(v::t0(), v::credential(), sig);
}

#[test, expected_failure(abort_code = credential::EInvalidSignature)]
fun verify_tampered_signature() {
    let mut sig = v::credential_sig();
    *&mut sig[10] = sig[10] ^ 0x80;
    verify_at(v::t0(), v::credential(), sig);
}

#[test, expected_failure(abort_code = credential::EInvalidSignature)]
fun verify_tampered_credential() {
    let mut bytes = v::credential();
    *&mut bytes[103] = bytes[103] ^ 1;
    verify_at(v::t0(), bytes, v::credential_sig());
}

#[test, expected_failure(abort_code = credential::EInvalidSignature)]
fun verify_other_public_key() {
    let mut sig = v::credential_sig();
    let mut i = 0;
    while (i < 32) {
        *&mut sig[65 + i] = v::enclave_pk()[i];
        i = i + 1;
    };
    verify_at(v::t0(), v::credential(), sig);
}

#[test, expected_failure(abort_code = credential::EInvalidSignature)]
fun verify_truncated_signature() {
    let mut sig = v::credential_sig();
    sig.pop_back();
    verify_at(v::t0(), v::credential(), sig);
}

#[test, expected_failure(abort_code = credential::EInvalidSignature)]
fun verify_empty_signature() {
    verify_at(v::t0(), v::credential(), vector[]);
}

#[test, expected_failure(abort_code = credential::EExpired)]
fun verify_expired() {
    verify_at(v::expires_ms() + 1, v::credential(), v::credential_sig());
}
