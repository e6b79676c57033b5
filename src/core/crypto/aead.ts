/**
 * ChaCha20-Poly1305 (RFC 8439) and HKDF-SHA256 through node:crypto: the same bytes as @noble/ciphers and
 * @noble/hashes (ciphertext ‖ 16-byte tag), without the pure-JS cost on every request and response body.
 */
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';

const TAG = 16;

export function chachaSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG });
  if (aad) cipher.setAAD(aad, { plaintextLength: plaintext.length });
  const out = new Uint8Array(plaintext.length + TAG);
  out.set(cipher.update(plaintext), 0);
  cipher.final();
  out.set(cipher.getAuthTag(), plaintext.length);
  return out;
}

/** Throws when the ciphertext does not open (another key or nonce, other associated data, or altered). */
export function chachaOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array {
  if (sealed.length < TAG) throw new Error('ciphertext shorter than its tag');
  const ct = sealed.subarray(0, sealed.length - TAG);
  const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  if (aad) decipher.setAAD(aad, { plaintextLength: ct.length });
  const head = decipher.update(ct);
  decipher.final();
  return new Uint8Array(head.buffer, head.byteOffset, head.length);
}

export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
}
