/**
 * The SDK's Ed25519 keys with the curve work done by node:crypto (see ed25519.ts): every Sui signature the SDK
 * makes with the keypair (transactions, personal messages) and every raw signature (`sign`) is the same bytes, and
 * every check the SDK makes with the public key (`verifyPersonalMessage`, `verifyTransaction`) the same answer, at
 * OpenSSL's cost.
 */
import { decodeSuiPrivateKey, parseSerializedSignature } from '@mysten/sui/cryptography';
import { Ed25519Keypair, Ed25519PublicKey } from '@mysten/sui/keypairs/ed25519';
import type { KeyObject } from 'node:crypto';
import { ed25519PrivateKey, ed25519PublicKeyOf, ed25519Sign, ed25519Verify } from './ed25519.js';

export class NativeEd25519PublicKey extends Ed25519PublicKey {
  /** Raw 64-byte signature, or a serialized Sui signature (which must carry this key). */
  override async verify(message: Uint8Array, signature: Uint8Array | string): Promise<boolean> {
    let raw: Uint8Array;
    if (typeof signature === 'string') {
      const parsed = parseSerializedSignature(signature);
      if (parsed.signatureScheme !== 'ED25519') throw new Error('Invalid signature scheme');
      if (!this.equals(new Ed25519PublicKey(parsed.publicKey))) throw new Error('Signature does not match public key');
      raw = parsed.signature;
    } else raw = signature;
    return ed25519Verify(raw, message, this.toRawBytes());
  }
}

export class NativeEd25519Keypair extends Ed25519Keypair {
  readonly #privateKey: KeyObject;

  private constructor(seed: Uint8Array) {
    const privateKey = ed25519PrivateKey(seed);
    super({ publicKey: ed25519PublicKeyOf(privateKey), secretKey: seed });
    this.#privateKey = privateKey;
  }

  /** From a 32-byte seed or a `suiprivkey1…` ED25519 secret. */
  static override fromSecretKey(secretKey: Uint8Array | string): NativeEd25519Keypair {
    if (typeof secretKey === 'string') {
      const decoded = decodeSuiPrivateKey(secretKey);
      if (decoded.scheme !== 'ED25519') throw new Error(`Expected a ED25519 keypair, got ${decoded.scheme}`);
      return new NativeEd25519Keypair(decoded.secretKey);
    }
    if (secretKey.length !== 32) throw new Error(`Wrong secretKey size. Expected 32 bytes, got ${secretKey.length}.`);
    return new NativeEd25519Keypair(secretKey);
  }

  /** The same key, signing natively. */
  static from(keypair: Ed25519Keypair): NativeEd25519Keypair {
    return keypair instanceof NativeEd25519Keypair ? keypair : NativeEd25519Keypair.fromSecretKey(keypair.getSecretKey());
  }

  override async sign(data: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
    return ed25519Sign(this.#privateKey, data) as Uint8Array<ArrayBuffer>;
  }
}
