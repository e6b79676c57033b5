/**
 * X25519 through node:crypto (OpenSSL), ~20× cheaper than pure-JS @noble/curves; the same keys, the same shared
 * secrets (both clamp the scalar as RFC 7748 says), and the same refusal of a low-order peer key (an all-zero
 * shared secret), as a throw.
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

/** Long-lived secret keys (the enclave's, a session's) are the same array each time: parsed once. */
const privateKeys = new WeakMap<Uint8Array, KeyObject>();

function privateKeyObject(secretKey: Uint8Array): KeyObject {
  if (secretKey.length !== 32) throw new RangeError(`an X25519 secret key is 32 bytes, got ${secretKey.length}`);
  let key = privateKeys.get(secretKey);
  if (!key) privateKeys.set(secretKey, (key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' })));
  return key;
}

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== 32) throw new RangeError(`an X25519 public key is 32 bytes, got ${publicKey.length}`);
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
}

function rawPublic(key: KeyObject): Uint8Array {
  return new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length));
}

export function x25519Keygen(): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const secretKey = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length));
  return { secretKey, publicKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length)) };
}

export function x25519PublicKey(secretKey: Uint8Array): Uint8Array {
  return rawPublic(privateKeyObject(secretKey));
}

/** The shared secret; throws for a malformed or low-order peer key. */
export function x25519SharedSecret(secretKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  const shared = new Uint8Array(diffieHellman({ privateKey: privateKeyObject(secretKey), publicKey: publicKeyObject(peerPublicKey) }));
  if (shared.every((b) => b === 0)) throw new RangeError('X25519 peer key has low order');
  return shared;
}
