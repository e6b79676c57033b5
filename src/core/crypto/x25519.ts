/**
 * X25519 through node:crypto (OpenSSL), ~20× cheaper than pure-JS @noble/curves; the same keys, the same shared
 * secrets (both clamp the scalar as RFC 7748 says), and the same refusal of a low-order peer key (an all-zero
 * shared secret), as a throw.
 *
 * Turning raw bytes into OpenSSL keys costs as much as the curve work, so keys are converted once: a secret key made
 * or seen here keeps its KeyObject and public key (by array identity: long-lived secrets such as the enclave's are
 * the same array each time), and recently used public keys keep theirs.
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { PublicKeyCache } from './public-keys.js';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const PUBLIC_CACHE_MAX = 256;

const privateKeys = new WeakMap<Uint8Array, { key: KeyObject; publicKey: Uint8Array }>();
const publicKeys = new PublicKeyCache(SPKI_PREFIX, PUBLIC_CACHE_MAX);

function privateKeyOf(secretKey: Uint8Array): { key: KeyObject; publicKey: Uint8Array } {
  let known = privateKeys.get(secretKey);
  if (!known) {
    if (secretKey.length !== 32) throw new RangeError(`an X25519 secret key is 32 bytes, got ${secretKey.length}`);
    const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' });
    const publicKey = new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length));
    privateKeys.set(secretKey, (known = { key, publicKey }));
  }
  return known;
}

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== 32) throw new RangeError(`an X25519 public key is 32 bytes, got ${publicKey.length}`);
  return publicKeys.get(publicKey);
}

export function x25519Keygen(): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const { privateKey } = generateKeyPairSync('x25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const secretKey = new Uint8Array(Buffer.from(jwk.d!, 'base64url'));
  const publicKey = new Uint8Array(Buffer.from(jwk.x!, 'base64url'));
  privateKeys.set(secretKey, { key: privateKey, publicKey });
  return { secretKey, publicKey };
}

export function x25519PublicKey(secretKey: Uint8Array): Uint8Array {
  return privateKeyOf(secretKey).publicKey.slice();
}

/** The shared secret; throws for a malformed or low-order peer key. */
export function x25519SharedSecret(secretKey: Uint8Array, peerPublicKey: Uint8Array, o: { cachePeer?: boolean } = {}): Uint8Array {
  const publicKey =
    o.cachePeer === false
      ? createPublicKey({ key: Buffer.concat([SPKI_PREFIX, checkLength(peerPublicKey)]), format: 'der', type: 'spki' })
      : publicKeyObject(peerPublicKey);
  const shared = new Uint8Array(diffieHellman({ privateKey: privateKeyOf(secretKey).key, publicKey }));
  if (shared.every((b) => b === 0)) throw new RangeError('X25519 peer key has low order');
  return shared;
}

function checkLength(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 32) throw new RangeError(`an X25519 public key is 32 bytes, got ${publicKey.length}`);
  return publicKey;
}
