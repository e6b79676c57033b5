import { describe, expect, it } from 'vitest';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { MoveAbortError } from '../engine/move-runtime.js';
import type { DecodedObject } from './common.js';
import { ed25519Address, personalMessageDigest, verify } from './credential.js';
import { GATEWAY, USER, USER_KEYPAIR, credentialBytes, expectAbort, moveVectors, signCredential } from './testing.js';
import { verifyPersonalMessageSignature } from '@mysten/sui/verify';

const v = moveVectors();
const clockAt = (now: bigint): DecodedObject => ({
  arg: { id: '0x6', type: '0x2::clock::Clock', contents: new Uint8Array(), ref: '&' },
  id: '0x6',
  value: { timestamp_ms: String(now) },
});
const verifyAt = (now: bigint, bytes: Uint8Array, sig: Uint8Array) => verify(bytes, sig, clockAt(now));
const aborted = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof MoveAbortError) return e;
    throw e;
  }
  throw new Error('no abort');
};
const T0 = v.u64('T0');
const EXPIRES = v.u64('EXPIRES_MS');
const CRED = v.bytes('CREDENTIAL');
const SIG = v.bytes('CREDENTIAL_SIG');

describe('credential::verify', () => {
  it('returns the credential and the signer (Move vectors)', () => {
    const { credential, signer } = verifyAt(T0, CRED, SIG);
    expect(signer).toBe(v.address('USER'));
    expect(signer).toBe(USER);
    expect(credential).toEqual({
      cluster_id: v.address('CLUSTER_ID'),
      gateway: v.address('GATEWAY'),
      token_id: v.address('TOKEN_ID'),
      expires_ms: EXPIRES,
    });
  });

  it('accepts a fresh signPersonalMessage signature and agrees with the SDK on digest and address', async () => {
    const c = { cluster_id: '0x' + '01'.repeat(32), gateway: GATEWAY, token_id: '0x' + '02'.repeat(32), expires_ms: 5_000n };
    const { credential, signature } = await signCredential(c);
    expect(signature).toHaveLength(97);
    expect(credential).toEqual(credentialBytes(c));
    const pk = await verifyPersonalMessageSignature(credential, Buffer.from(signature).toString('base64'));
    expect(pk.toSuiAddress()).toBe(USER);
    expect(ed25519Address(USER_KEYPAIR.getPublicKey().toRawBytes())).toBe(USER);
    expect(personalMessageDigest(credential)).toHaveLength(32);
    expect(verifyAt(5_000n, credential, signature).signer).toBe(USER);
    const other = Ed25519Keypair.generate();
    const signed = await signCredential(c, other);
    expect(verifyAt(0n, signed.credential, signed.signature).signer).toBe(other.getPublicKey().toSuiAddress());
  });

  it('accepts until the expiry inclusive', () => {
    expect(verifyAt(EXPIRES, CRED, SIG).signer).toBe(USER);
  });

  it('aborts EMalformedCredential (credential::decode) for a short or long credential', () => {
    expectAbort(aborted(() => verifyAt(T0, CRED.slice(0, 103), SIG)), 'credential', 'decode', 'EMalformedCredential');
    expectAbort(aborted(() => verifyAt(T0, new Uint8Array([...CRED, 0]), SIG)), 'credential', 'decode', 'EMalformedCredential');
    // checked before the signature
    expectAbort(aborted(() => verifyAt(T0, CRED.slice(0, 1), new Uint8Array())), 'credential', 'decode', 'EMalformedCredential');
  });

  it('aborts EUnsupportedScheme for a non-ed25519 flag', () => {
    const sig = SIG.slice();
    sig[0] = 1;
    expectAbort(aborted(() => verifyAt(T0, CRED, sig)), 'credential', 'verify', 'EUnsupportedScheme');
    // a secp256k1-sized signature (98 bytes) is still an unsupported scheme
    expectAbort(aborted(() => verifyAt(T0, CRED, new Uint8Array([1, ...SIG]))), 'credential', 'verify', 'EUnsupportedScheme');
  });

  it('aborts EInvalidSignature for tampered, foreign-key, truncated or empty signatures and tampered credentials', () => {
    const tampered = SIG.slice();
    tampered[10] ^= 0x80;
    expectAbort(aborted(() => verifyAt(T0, CRED, tampered)), 'credential', 'verify', 'EInvalidSignature');
    const cred = CRED.slice();
    cred[103] ^= 1;
    expectAbort(aborted(() => verifyAt(T0, cred, SIG)), 'credential', 'verify', 'EInvalidSignature');
    const otherKey = SIG.slice();
    otherKey.set(v.bytes('ENCLAVE_PK'), 65);
    expectAbort(aborted(() => verifyAt(T0, CRED, otherKey)), 'credential', 'verify', 'EInvalidSignature');
    expectAbort(aborted(() => verifyAt(T0, CRED, SIG.slice(0, 96))), 'credential', 'verify', 'EInvalidSignature');
    expectAbort(aborted(() => verifyAt(T0, CRED, new Uint8Array())), 'credential', 'verify', 'EInvalidSignature');
  });

  it('aborts EExpired after the expiry (the signature is checked first)', () => {
    expectAbort(aborted(() => verifyAt(EXPIRES + 1n, CRED, SIG)), 'credential', 'verify', 'EExpired');
    const tampered = SIG.slice();
    tampered[10] ^= 0x80;
    expectAbort(aborted(() => verifyAt(EXPIRES + 1n, CRED, tampered)), 'credential', 'verify', 'EInvalidSignature');
  });
});
