/**
 * OpenSSL public KeyObjects made from raw 32-byte keys (SPKI = the curve's fixed DER prefix ‖ key), kept for the
 * most recently used keys: the same few (users, gateways, the enclave) come back on every request, and parsing
 * one costs as much as the curve operation it is for.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';

export class PublicKeyCache {
  readonly #keys = new Map<string, KeyObject>();

  constructor(
    readonly spkiPrefix: Buffer,
    readonly max: number,
  ) {}

  get(publicKey: Uint8Array): KeyObject {
    const id = Buffer.from(publicKey).toString('hex');
    let key = this.#keys.get(id);
    if (!key) {
      key = createPublicKey({ key: Buffer.concat([this.spkiPrefix, publicKey]), format: 'der', type: 'spki' });
      if (this.#keys.size >= this.max) this.#keys.delete(this.#keys.keys().next().value!);
      this.#keys.set(id, key);
    }
    return key;
  }
}
