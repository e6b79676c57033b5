import { readFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { fromHex, toHex } from '@mysten/sui/utils';
import { describe, expect, it } from 'vitest';
import { INTENT_JOIN_TOKEN, INTENT_RESPONSE } from './abi/package.js';
import { encodeIntentMessage, signIntent, verifyIntent, type JoinTokenPayload, type ResponsePayload } from './intent.js';

const golden = readFileSync(new URL('../../test/golden/intent-message.hex', import.meta.url), 'utf8').trim();

const response: ResponsePayload = {
  requestId: '0x' + '11'.repeat(32),
  requester: '0x' + '22'.repeat(32),
  requestBodyDigest: new Uint8Array(32).fill(0xaa),
  status: 201,
  responseBodyDigest: new Uint8Array(32).fill(0xbb),
};
const joinToken: JoinTokenPayload = {
  workerId: '0x' + '33'.repeat(32),
  owner: '0x' + '44'.repeat(32),
  encryptionKey: new Uint8Array(32).fill(0x55),
  ciphertextDigest: new Uint8Array(32).fill(0x66),
};
const TS = 1_700_000_000_000n;

describe('IntentMessage encoding', () => {
  it('matches the golden bytes the Move test pins', () => {
    expect(toHex(encodeIntentMessage(INTENT_RESPONSE, TS, response))).toBe(golden);
    expect(toHex(encodeIntentMessage(INTENT_RESPONSE, Number(TS), response))).toBe(golden);
  });

  it('encodes JoinTokenPayload as intent 1 with its fields in Move order', () => {
    const bytes = encodeIntentMessage(INTENT_JOIN_TOKEN, 5n, joinToken);
    expect(bytes[0]).toBe(1);
    expect(toHex(bytes)).toBe(
      '01' + '0500000000000000' + '33'.repeat(32) + '44'.repeat(32) + '20' + '55'.repeat(32) + '20' + '66'.repeat(32),
    );
  });
});

describe('signIntent / verifyIntent', () => {
  const keypair = Ed25519Keypair.generate();
  const publicKey = keypair.getPublicKey().toRawBytes();

  it('signs the raw BCS bytes with ed25519 (no Sui personal-message wrapping)', async () => {
    const signature = await signIntent(keypair, INTENT_RESPONSE, TS, response);
    expect(signature).toHaveLength(64);
    expect(ed25519.verify(signature, fromHex(golden), publicKey)).toBe(true);
    expect(await verifyIntent(publicKey, INTENT_RESPONSE, TS, response, signature)).toBe(true);
    expect(await verifyIntent(keypair.getPublicKey(), INTENT_RESPONSE, TS, response, signature)).toBe(true);
  });

  it('verifies a signature made by another ed25519 implementation', async () => {
    const secret = ed25519.utils.randomSecretKey();
    const signature = ed25519.sign(encodeIntentMessage(INTENT_JOIN_TOKEN, 9n, joinToken), secret);
    expect(await verifyIntent(ed25519.getPublicKey(secret), INTENT_JOIN_TOKEN, 9n, joinToken, signature)).toBe(true);
  });

  it('fails on any tampering, a wrong key, a wrong intent or a malformed signature', async () => {
    const signature = await signIntent(keypair, INTENT_RESPONSE, TS, response);
    const other = Ed25519Keypair.generate().getPublicKey().toRawBytes();
    expect(await verifyIntent(publicKey, INTENT_RESPONSE, TS + 1n, response, signature)).toBe(false);
    expect(await verifyIntent(publicKey, INTENT_RESPONSE, TS, { ...response, status: 200 }, signature)).toBe(false);
    expect(
      await verifyIntent(publicKey, INTENT_RESPONSE, TS, { ...response, requester: '0x' + '23'.repeat(32) }, signature),
    ).toBe(false);
    expect(await verifyIntent(other, INTENT_RESPONSE, TS, response, signature)).toBe(false);
    const flipped = Uint8Array.from(signature);
    flipped[10] ^= 1;
    expect(await verifyIntent(publicKey, INTENT_RESPONSE, TS, response, flipped)).toBe(false);
    expect(await verifyIntent(publicKey, INTENT_RESPONSE, TS, response, signature.subarray(0, 63))).toBe(false);
    expect(await verifyIntent(new Uint8Array(31), INTENT_RESPONSE, TS, response, signature)).toBe(false);
    const join = await signIntent(keypair, INTENT_JOIN_TOKEN, TS, joinToken);
    expect(await verifyIntent(publicKey, INTENT_JOIN_TOKEN, TS, joinToken, join)).toBe(true);
    expect(await verifyIntent(publicKey, INTENT_RESPONSE, TS, response, join)).toBe(false);
  });
});
