/**
 * Twin of move/sources/credential.move: a gateway credential is the BCS of `Credential`, signed by the token owner
 * as a Sui personal message with an ed25519 key.
 */
import { bcs } from '@mysten/sui/bcs';
import { blake2b } from '@noble/hashes/blake2.js';
import { bcsForStruct } from '../../core/abi/bcs.js';
import { check, concatBytes, ed25519Verify, now, type DecodedObject } from './common.js';

const M = 'credential';
const CREDENTIAL_LENGTH = 104;
const SERIALIZED_SIGNATURE_LENGTH = 97;
const ED25519_FLAG = 0;
const PERSONAL_MESSAGE_INTENT = [3, 0, 0];

export interface Credential {
  cluster_id: string;
  gateway: string;
  token_id: string;
  expires_ms: bigint;
}

export function blake2b256(bytes: Uint8Array): Uint8Array {
  return blake2b(bytes, { dkLen: 32 });
}

/** Sui address of an ed25519 key: blake2b256(0x00 ++ public_key). */
export function ed25519Address(publicKey: Uint8Array): string {
  return '0x' + Buffer.from(blake2b256(concatBytes([new Uint8Array([ED25519_FLAG]), publicKey]))).toString('hex');
}

/** The digest a Sui personal-message signature signs: blake2b256([3, 0, 0] ++ bcs(vector<u8> message)). */
export function personalMessageDigest(message: Uint8Array): Uint8Array {
  return blake2b256(concatBytes([new Uint8Array(PERSONAL_MESSAGE_INTENT), bcs.byteVector().serialize(message).toBytes()]));
}

function decode(bytes: Uint8Array): Credential {
  check(bytes.length === CREDENTIAL_LENGTH, M, 'decode', 'EMalformedCredential');
  const c = bcsForStruct(M, 'Credential').parse(bytes) as { cluster_id: string; gateway: string; token_id: string; expires_ms: string };
  return { ...c, expires_ms: BigInt(c.expires_ms) };
}

/** `credential::verify(credential_bytes, signature, clock)`: the credential and the signer's address. */
export function verify(credentialBytes: Uint8Array, signature: Uint8Array, clock: DecodedObject): { credential: Credential; signer: string } {
  const credential = decode(credentialBytes);
  check(signature.length > 0, M, 'verify', 'EInvalidSignature');
  check(signature[0] === ED25519_FLAG, M, 'verify', 'EUnsupportedScheme');
  check(signature.length === SERIALIZED_SIGNATURE_LENGTH, M, 'verify', 'EInvalidSignature');
  const sig = signature.slice(1, 65);
  const publicKey = signature.slice(65, SERIALIZED_SIGNATURE_LENGTH);
  check(ed25519Verify(sig, publicKey, personalMessageDigest(credentialBytes)), M, 'verify', 'EInvalidSignature');
  check(now(clock) <= credential.expires_ms, M, 'verify', 'EExpired');
  return { credential, signer: ed25519Address(publicKey) };
}
