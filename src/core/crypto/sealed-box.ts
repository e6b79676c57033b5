/**
 * Public-key encryption of bodies and join tokens (an ECIES construction from audited primitives):
 * an ephemeral X25519 key agrees a secret with the recipient's X25519 key; HKDF-SHA256 (salt = ephemeral ‖
 * recipient public keys, info = the purpose label) derives a one-time key; ChaCha20-Poly1305 encrypts with the
 * caller's associated data, which binds the ciphertext to its context (a request, a worker) so it cannot be moved.
 *
 * Layout: version (1 byte = 1) ‖ ephemeral public key (32) ‖ ciphertext ‖ tag (16).
 * The key is used once, so the nonce is fixed at zero.
 */
import { chachaOpen, chachaSeal, hkdfSha256 } from './aead.js';
import { CryptoError } from './errors.js';
import { x25519Keygen, x25519PublicKey, x25519SharedSecret } from './x25519.js';

const VERSION = 1;
const NONCE = new Uint8Array(12);
export const SEALED_OVERHEAD = 1 + 32 + 16;

/** What a ciphertext is for; part of the key derivation, so a ciphertext of one purpose never opens as another. */
export type SealPurpose = 'request-body' | 'response-body' | 'join-token';

function deriveKey(shared: Uint8Array, ephemeral: Uint8Array, recipient: Uint8Array, purpose: SealPurpose) {
  const salt = new Uint8Array(64);
  salt.set(ephemeral, 0);
  salt.set(recipient, 32);
  return hkdfSha256(shared, salt, new TextEncoder().encode(`k3sdaas/v1/${purpose}`), 32);
}

export function seal(
  plaintext: Uint8Array,
  recipientPublicKey: Uint8Array,
  purpose: SealPurpose,
  associatedData: Uint8Array,
): Uint8Array {
  if (recipientPublicKey.length !== 32) throw new CryptoError('CRYPTO_BAD_KEY', 'recipient key must be 32 bytes');
  const { secretKey, publicKey } = x25519Keygen();
  let shared: Uint8Array;
  try {
    shared = x25519SharedSecret(secretKey, recipientPublicKey);
  } catch {
    throw new CryptoError('CRYPTO_BAD_KEY', 'recipient key is not a usable X25519 key');
  }
  const key = deriveKey(shared, publicKey, recipientPublicKey, purpose);
  const ct = chachaSeal(key, NONCE, plaintext, associatedData);
  const out = new Uint8Array(1 + 32 + ct.length);
  out[0] = VERSION;
  out.set(publicKey, 1);
  out.set(ct, 33);
  return out;
}

export function open(
  sealed: Uint8Array,
  recipientSecretKey: Uint8Array,
  purpose: SealPurpose,
  associatedData: Uint8Array,
): Uint8Array {
  if (sealed.length < SEALED_OVERHEAD || sealed[0] !== VERSION) {
    throw new CryptoError('CRYPTO_MALFORMED', 'not a k3sdaas v1 ciphertext');
  }
  const ephemeral = sealed.subarray(1, 33);
  const recipient = x25519PublicKey(recipientSecretKey);
  let shared: Uint8Array;
  try {
    // The ephemeral key is used once: not worth caching.
    shared = x25519SharedSecret(recipientSecretKey, ephemeral, { cachePeer: false });
  } catch {
    throw new CryptoError('CRYPTO_MALFORMED', 'ciphertext carries an invalid ephemeral key');
  }
  const key = deriveKey(shared, ephemeral, recipient, purpose);
  try {
    return chachaOpen(key, NONCE, sealed.subarray(33), associatedData);
  } catch {
    throw new CryptoError(
      'CRYPTO_DECRYPT_FAILED',
      'ciphertext does not open: encrypted to another key, for another request, or altered',
    );
  }
}
