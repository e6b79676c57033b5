/**
 * Key material. Users and workers hold X25519 keys for encryption. The enclave holds one ed25519 key: it signs
 * responses (verified on chain) and, converted to its X25519 (Montgomery) form as libsodium does, receives request
 * bodies — so the single key registered on chain is both what signs and what is encrypted to.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';

export interface EncryptionKeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

export function generateEncryptionKey(): EncryptionKeyPair {
  return x25519.keygen();
}

export function encryptionKeyFromSecret(secretKey: Uint8Array): EncryptionKeyPair {
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

/** The X25519 public key that belongs to an ed25519 (enclave) public key. */
export function enclaveEncryptionKey(ed25519PublicKey: Uint8Array): Uint8Array {
  return ed25519.utils.toMontgomery(ed25519PublicKey);
}

/** The X25519 secret key that belongs to an ed25519 (enclave) secret key (32-byte seed). */
export function enclaveDecryptionKey(ed25519Secret: Uint8Array): Uint8Array {
  return ed25519.utils.toMontgomerySecret(ed25519Secret);
}

/** sha256, the digest of plaintext bodies and ciphertexts recorded on chain. */
export function digest(bytes: Uint8Array): Uint8Array {
  return sha256(bytes);
}
