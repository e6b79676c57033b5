import { describe, expect, it } from 'vitest';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { verifyPersonalMessageSignature, verifyTransactionSignature } from '@mysten/sui/verify';
import { chachaOpen, chachaSeal, hkdfSha256 } from './aead.js';
import { ed25519PrivateKey, ed25519PublicKeyOf, ed25519Sign, ed25519Verify } from './ed25519.js';
import { NativeEd25519Keypair, NativeEd25519PublicKey } from './keypair.js';
import { x25519Keygen, x25519PublicKey, x25519SharedSecret } from './x25519.js';

const bytes = (n: number, fill = 7) => new Uint8Array(n).fill(fill);

describe('node:crypto primitives equal @noble', () => {
  it('ed25519: same public keys and signatures; verify accepts them and refuses tampering', () => {
    for (let i = 0; i < 20; i++) {
      const seed = ed25519.utils.randomSecretKey();
      const key = ed25519PrivateKey(seed);
      const pk = ed25519PublicKeyOf(key);
      expect(pk).toEqual(ed25519.getPublicKey(seed));
      const msg = bytes(i * 13, i);
      const sig = ed25519Sign(key, msg);
      expect(sig).toEqual(ed25519.sign(msg, seed));
      expect(ed25519Verify(sig, msg, pk)).toBe(true);
      const bad = sig.slice();
      bad[5] ^= 1;
      expect(ed25519Verify(bad, msg, pk)).toBe(false);
      expect(ed25519Verify(sig, bytes(i * 13 + 1, i), pk)).toBe(false);
    }
  });

  it('ed25519Verify is false, never a throw, for malformed keys and signatures', () => {
    const seed = ed25519.utils.randomSecretKey();
    const sig = ed25519.sign(bytes(3), seed);
    expect(ed25519Verify(sig.subarray(0, 63), bytes(3), ed25519.getPublicKey(seed))).toBe(false);
    expect(ed25519Verify(sig, bytes(3), bytes(31))).toBe(false);
    expect(ed25519Verify(sig, bytes(3), bytes(32, 0xff))).toBe(false);
    expect(ed25519Verify(bytes(64, 0xff), bytes(3), ed25519.getPublicKey(seed))).toBe(false);
  });

  it('x25519: same public keys and shared secrets; a low-order peer key is refused', () => {
    for (let i = 0; i < 20; i++) {
      const a = x25519.keygen();
      const b = x25519Keygen();
      expect(x25519PublicKey(a.secretKey)).toEqual(a.publicKey);
      expect(x25519.getPublicKey(b.secretKey)).toEqual(b.publicKey);
      expect(x25519SharedSecret(a.secretKey, b.publicKey)).toEqual(x25519.getSharedSecret(b.secretKey, a.publicKey));
    }
    const sk = x25519Keygen().secretKey;
    expect(() => x25519SharedSecret(sk, new Uint8Array(32))).toThrow();
    expect(() => x25519SharedSecret(sk, Uint8Array.from([1, ...new Array(31).fill(0)]))).toThrow();
    expect(() => x25519SharedSecret(sk, bytes(31))).toThrow(RangeError);
  });

  it('chacha20-poly1305 and hkdf-sha256: same bytes; altered ciphertext or aad does not open', () => {
    const key = bytes(32, 1);
    const nonce = bytes(12, 2);
    for (const n of [0, 1, 64, 1000]) {
      const plain = bytes(n, 3);
      const aad = bytes(n % 17, 4);
      const sealed = chachaSeal(key, nonce, plain, aad);
      expect(sealed).toEqual(chacha20poly1305(key, nonce, aad).encrypt(plain));
      expect(chachaOpen(key, nonce, sealed, aad)).toEqual(plain);
      const bad = sealed.slice();
      bad[0] ^= 1;
      expect(() => chachaOpen(key, nonce, bad, aad)).toThrow();
      expect(() => chachaOpen(key, nonce, sealed, bytes(1, 9))).toThrow();
    }
    expect(chachaSeal(key, nonce, bytes(5))).toEqual(chacha20poly1305(key, nonce).encrypt(bytes(5)));
    expect(hkdfSha256(bytes(32, 5), bytes(64, 6), bytes(9, 7), 32)).toEqual(hkdf(sha256, bytes(32, 5), bytes(64, 6), bytes(9, 7), 32));
  });
});

describe('NativeEd25519Keypair', () => {
  it('signs exactly as the SDK keypair, and the SDK verifies it', async () => {
    const sdk = Ed25519Keypair.generate();
    const native = NativeEd25519Keypair.from(sdk);
    expect(native.toSuiAddress()).toBe(sdk.toSuiAddress());
    expect(NativeEd25519Keypair.fromSecretKey(sdk.getSecretKey()).toSuiAddress()).toBe(sdk.toSuiAddress());
    const msg = bytes(40);
    const a = await native.signPersonalMessage(msg);
    expect(a).toEqual(await sdk.signPersonalMessage(msg));
    expect((await verifyPersonalMessageSignature(msg, a.signature)).toSuiAddress()).toBe(sdk.toSuiAddress());
    const tx = await native.signTransaction(bytes(100, 9));
    expect(tx.signature).toBe((await sdk.signTransaction(bytes(100, 9))).signature);
    expect((await verifyTransactionSignature(bytes(100, 9), tx.signature)).toSuiAddress()).toBe(sdk.toSuiAddress());
    expect(() => NativeEd25519Keypair.fromSecretKey(bytes(31))).toThrow(/32 bytes/);
  });

  it('NativeEd25519PublicKey verifies what the SDK verifies, and refuses another key or message', async () => {
    const kp = Ed25519Keypair.generate();
    const other = Ed25519Keypair.generate();
    const msg = bytes(20);
    const { signature } = await kp.signPersonalMessage(msg);
    const pk = new NativeEd25519PublicKey(kp.getPublicKey().toRawBytes());
    expect(await pk.verifyPersonalMessage(msg, signature)).toBe(true);
    expect(await pk.verifyPersonalMessage(bytes(21), signature)).toBe(false);
    await expect(new NativeEd25519PublicKey(other.getPublicKey().toRawBytes()).verifyPersonalMessage(msg, signature)).rejects.toThrow(/does not match/);
  });
});
