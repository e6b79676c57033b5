/**
 * Ed25519 through node:crypto (OpenSSL): signing is ~30× and verifying ~20× cheaper than pure-JS @noble/curves,
 * which dominated the CPU of every signing and verifying process (see docs/benchmarks.md).
 *
 * Verification keeps @noble/curves' rules exactly: OpenSSL checks RFC 8032's strict (cofactorless) equation, whose
 * accepted set lies inside ZIP-215's (noble's default, and what Sui's fastcrypto checks), so an OpenSSL "valid" is
 * final and only a signature OpenSSL refuses is re-checked by noble — the rare path of a bad or unusual signature.
 *
 * Keys become OpenSSL KeyObjects through their fixed DER prefixes (PKCS#8 for a 32-byte seed, SPKI for a public
 * key); public KeyObjects are cached, as the same few keys (users, gateways, the enclave) verify again and again.
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { PublicKeyCache } from './public-keys.js';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PUBLIC_CACHE_MAX = 4_096;
const publicKeys = new PublicKeyCache(SPKI_PREFIX, PUBLIC_CACHE_MAX);

/** The OpenSSL private key of a 32-byte Ed25519 seed. */
export function ed25519PrivateKey(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new RangeError(`an ed25519 seed is 32 bytes, got ${seed.length}`);
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

const publicKeyObject = (publicKey: Uint8Array): KeyObject => publicKeys.get(publicKey);

/** The 32-byte public key of a private KeyObject. */
export function ed25519PublicKeyOf(privateKey: KeyObject): Uint8Array {
  const der = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(SPKI_PREFIX.length));
}

/** A raw 64-byte Ed25519 signature of `message`. */
export function ed25519Sign(privateKey: KeyObject, message: Uint8Array): Uint8Array {
  return new Uint8Array(nodeSign(null, message, privateKey));
}

/** Ed25519 verification with ZIP-215 rules (as @noble/curves and Sui); false, never a throw, for malformed input. */
export function ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    if (nodeVerify(null, message, publicKeyObject(publicKey), signature)) return true;
  } catch {
    // not a point OpenSSL decodes: noble decides
  }
  try {
    return ed25519.verify(signature, message, publicKey);
  } catch {
    return false;
  }
}
