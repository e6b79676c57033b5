/**
 * Key material. Users and workers hold X25519 keys for encryption. The enclave holds one ed25519 key: it signs
 * responses (verified on chain) and, converted to its X25519 (Montgomery) form as libsodium does, receives request
 * bodies — so the single key registered on chain is both what signs and what is encrypted to.
 */
import { createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { x25519Keygen, x25519PublicKey } from './x25519.js';

export interface EncryptionKeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

export function generateEncryptionKey(): EncryptionKeyPair {
  return x25519Keygen();
}

export function encryptionKeyFromSecret(secretKey: Uint8Array): EncryptionKeyPair {
  return { secretKey, publicKey: x25519PublicKey(secretKey) };
}

/** The X25519 public key that belongs to an ed25519 (enclave) public key. */
export function enclaveEncryptionKey(ed25519PublicKey: Uint8Array): Uint8Array {
  const id = Buffer.from(ed25519PublicKey).toString('hex');
  let key = montgomery.get(id);
  if (!key) {
    key = ed25519.utils.toMontgomery(ed25519PublicKey);
    if (montgomery.size >= 64) montgomery.delete(montgomery.keys().next().value!);
    montgomery.set(id, key);
  }
  return key;
}

/** Converted keys: every request is sealed to, and opened with, the one enclave key of the moment. */
const montgomery = new Map<string, Uint8Array>();
const montgomerySecrets = new WeakMap<Uint8Array, Uint8Array>();

/** The X25519 secret key that belongs to an ed25519 (enclave) secret key (32-byte seed). */
export function enclaveDecryptionKey(ed25519Secret: Uint8Array): Uint8Array {
  let key = montgomerySecrets.get(ed25519Secret);
  if (!key) montgomerySecrets.set(ed25519Secret, (key = ed25519.utils.toMontgomerySecret(ed25519Secret)));
  return key;
}

/** sha256, the digest of plaintext bodies and ciphertexts recorded on chain. */
export function digest(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}
