/**
 * The enclave's key, generated at boot and never written anywhere: in a Nitro enclave it lives only in enclave
 * memory and is bound to the enclave image by the attestation document; a restart means a new key, registered
 * again on chain. The same ed25519 key signs responses and (as X25519) receives request bodies.
 */
import { randomBytes } from 'node:crypto';
import { ed25519PrivateKey, ed25519PublicKeyOf, ed25519Sign } from '../core/crypto/ed25519.js';
import type { RawEd25519Signer } from '../core/intent.js';

export interface EnclaveKey extends RawEd25519Signer {
  publicKey: Uint8Array;
  /** The 32-byte ed25519 secret (seed); decrypts request bodies. */
  secretKey: Uint8Array;
}

export function generateEnclaveKey(seed?: Uint8Array): EnclaveKey {
  const secretKey = seed ?? new Uint8Array(randomBytes(32));
  const privateKey = ed25519PrivateKey(secretKey);
  return {
    publicKey: ed25519PublicKeyOf(privateKey),
    secretKey,
    sign: async (bytes: Uint8Array) => ed25519Sign(privateKey, bytes),
  };
}
