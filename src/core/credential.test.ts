import { blake2b } from '@noble/hashes/blake2.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Secp256k1Keypair } from '@mysten/sui/keypairs/secp256k1';
import { readFileSync } from 'node:fs';
import { fromBase64, fromHex } from '@mysten/sui/utils';
import { describe, expect, it } from 'vitest';
import {
  credentialFromToken,
  credentialToToken,
  decodeCredential,
  encodeCredential,
  signCredential,
  verifyCredential,
  type Credential,
} from './credential.js';
import { CredentialError } from './errors.js';

const credential: Credential = {
  clusterId: '0x' + '01'.repeat(32),
  gateway: '0x' + '02'.repeat(32),
  tokenId: '0x' + '03'.repeat(32),
  expiresMs: 1_700_000_060_000n,
};
const NOW = 1_700_000_000_000n;

async function rejects(promise: Promise<unknown>, code: string) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CredentialError);
  expect((err as CredentialError).code).toBe(code);
}

describe('credential', () => {
  const user = Ed25519Keypair.generate();

  it('a credential verified once (and cached) is still refused once expired, and a tampered copy still fails', async () => {
    const signed = await signCredential(user, credential);
    expect((await verifyCredential(signed.bytes, signed.signature, NOW)).signer).toBe(user.toSuiAddress());
    expect((await verifyCredential(signed.bytes, signed.signature, NOW)).signer).toBe(user.toSuiAddress());
    await rejects(verifyCredential(signed.bytes, signed.signature, credential.expiresMs + 1n), 'CREDENTIAL_EXPIRED');
    const tampered = signed.signature.slice();
    tampered[10] ^= 1;
    await rejects(verifyCredential(signed.bytes, tampered, NOW), 'CREDENTIAL_INVALID_SIGNATURE');
    const otherBytes = encodeCredential({ ...credential, expiresMs: credential.expiresMs + 1n });
    await rejects(verifyCredential(otherBytes, signed.signature, NOW), 'CREDENTIAL_INVALID_SIGNATURE');
  });

  it('encodes as 104 BCS bytes in Move field order and decodes back', () => {
    const bytes = encodeCredential(credential);
    expect(bytes).toHaveLength(104);
    expect(bytes.subarray(32, 64)).toEqual(new Uint8Array(32).fill(2));
    expect(bytes.subarray(96)).toEqual(Uint8Array.from([0x60, 0x52, 0xe6, 0xcf, 0x8b, 0x01, 0, 0]));
    expect(decodeCredential(bytes)).toEqual(credential);
  });

  it('signs as a Sui personal message: flag ‖ sig ‖ pk over blake2b256([3,0,0] ‖ bcs(bytes))', async () => {
    const signed = await signCredential(user, credential);
    expect(signed.signature).toHaveLength(97);
    expect(signed.signature[0]).toBe(0);
    expect(signed.signature.subarray(65)).toEqual(user.getPublicKey().toRawBytes());
    const digest = blake2b(Uint8Array.from([3, 0, 0, signed.bytes.length, ...signed.bytes]), { dkLen: 32 });
    expect(ed25519.verify(signed.signature.subarray(1, 65), digest, user.getPublicKey().toRawBytes())).toBe(true);
  });

  it('verifies and returns the signer address', async () => {
    const signed = await signCredential(user, credential);
    const result = await verifyCredential(signed.bytes, signed.signature, NOW);
    expect(result.credential).toEqual(credential);
    expect(result.signer).toBe(user.toSuiAddress());
  });

  it('is valid up to and including expiresMs (as credential::verify)', async () => {
    const signed = await signCredential(user, credential);
    await expect(verifyCredential(signed.bytes, signed.signature, credential.expiresMs)).resolves.toBeTruthy();
    await rejects(verifyCredential(signed.bytes, signed.signature, credential.expiresMs + 1n), 'CREDENTIAL_EXPIRED');
    await rejects(verifyCredential(signed.bytes, signed.signature, Number(credential.expiresMs) + 1), 'CREDENTIAL_EXPIRED');
  });

  it('a wrong signer is reported as the signer, a swapped public key fails', async () => {
    const other = Ed25519Keypair.generate();
    const signed = await signCredential(other, credential);
    expect((await verifyCredential(signed.bytes, signed.signature, NOW)).signer).not.toBe(user.toSuiAddress());
    const swapped = Uint8Array.from(signed.signature);
    swapped.set(user.getPublicKey().toRawBytes(), 65);
    await rejects(verifyCredential(signed.bytes, swapped, NOW), 'CREDENTIAL_INVALID_SIGNATURE');
  });

  it('tampering with any field or the signature fails', async () => {
    const signed = await signCredential(user, credential);
    for (const tampered of [
      { ...credential, gateway: '0x' + '09'.repeat(32) },
      { ...credential, tokenId: '0x' + '04'.repeat(32) },
      { ...credential, expiresMs: credential.expiresMs + 1000n },
    ]) {
      await rejects(verifyCredential(encodeCredential(tampered), signed.signature, NOW), 'CREDENTIAL_INVALID_SIGNATURE');
    }
    const sig = Uint8Array.from(signed.signature);
    sig[20] ^= 0x80;
    await rejects(verifyCredential(signed.bytes, sig, NOW), 'CREDENTIAL_INVALID_SIGNATURE');
    await rejects(verifyCredential(signed.bytes, signed.signature.subarray(0, 96), NOW), 'CREDENTIAL_INVALID_SIGNATURE');
  });

  it('rejects malformed bytes and non-ed25519 schemes', async () => {
    const signed = await signCredential(user, credential);
    await rejects(verifyCredential(signed.bytes.subarray(1), signed.signature, NOW), 'CREDENTIAL_MALFORMED');
    await rejects(verifyCredential(Uint8Array.from([...signed.bytes, 0]), signed.signature, NOW), 'CREDENTIAL_MALFORMED');
    const k1 = Secp256k1Keypair.generate();
    const { signature } = await k1.signPersonalMessage(signed.bytes);
    await rejects(verifyCredential(signed.bytes, fromBase64(signature), NOW), 'CREDENTIAL_UNSUPPORTED_SCHEME');
    await rejects(verifyCredential(signed.bytes, new Uint8Array(), NOW), 'CREDENTIAL_INVALID_SIGNATURE');
    await rejects(signCredential(k1, credential), 'CREDENTIAL_UNSUPPORTED_SCHEME');
  });

  it('round-trips through the bearer token form', async () => {
    const signed = await signCredential(user, credential);
    const token = credentialToToken(signed);
    expect(token).toMatch(/^k3sdaas\.v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(credentialFromToken(token)).toEqual(signed);
    const back = credentialFromToken(token);
    expect((await verifyCredential(back.bytes, back.signature, NOW)).signer).toBe(user.toSuiAddress());
  });

  it('rejects malformed tokens', () => {
    for (const token of ['', 'k3sdaas.v2.a.b', 'k3sdaas.v1.abc', 'k3sdaas.v1.a.b.c', 'k3sdaas.v1.a+b.c', 'k3sdaas.v1..x']) {
      expect(() => credentialFromToken(token)).toThrowError(CredentialError);
    }
  });
});

describe('the Move test vectors (move/tests/vectors_tests.move)', () => {
  const text = readFileSync(new URL('../../move/tests/vectors_tests.move', import.meta.url), 'utf8');
  const value = (name: string) => new RegExp(`^const ${name}: [^=]+= (.+);$`, 'm').exec(text)![1];
  const bytes = (name: string) => fromHex(value(name).slice(2, -1));

  it('verifies the credential credential::verify accepts, with the same signer and fields', async () => {
    const { credential: c, signer } = await verifyCredential(bytes('CREDENTIAL'), bytes('CREDENTIAL_SIG'), BigInt(value('T0')));
    expect(signer).toBe(value('USER').slice(1));
    expect(c).toEqual({
      clusterId: value('CLUSTER_ID').slice(1),
      gateway: value('GATEWAY').slice(1),
      tokenId: value('TOKEN_ID').slice(1),
      expiresMs: BigInt(value('EXPIRES_MS')),
    });
    await rejects(verifyCredential(bytes('CREDENTIAL'), bytes('CREDENTIAL_SIG'), BigInt(value('EXPIRES_MS')) + 1n), 'CREDENTIAL_EXPIRED');
  });
});
