import { readFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { fromHex, toHex } from '@mysten/sui/utils';
import { sha256 } from '@noble/hashes/sha2.js';
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

/** `const NAME: type = x"…" | @0x… | 123 | b"…";` lines of the generated Move vectors the Move tests verify. */
function moveVectors(): Record<string, Uint8Array | string | bigint> {
  const text = readFileSync(new URL('../../move/tests/vectors_tests.move', import.meta.url), 'utf8');
  const out: Record<string, Uint8Array | string | bigint> = {};
  for (const [, name, value] of text.matchAll(/^const (\w+): [^=]+= (.+);$/gm)) {
    if (value.startsWith('x"')) out[name] = fromHex(value.slice(2, -1));
    else if (value.startsWith('b"')) out[name] = new TextEncoder().encode(value.slice(2, -1));
    else if (value.startsWith('@')) out[name] = value.slice(1);
    else out[name] = BigInt(value);
  }
  return out;
}

describe('the Move test vectors (move/tests/vectors_tests.move)', () => {
  const v = moveVectors();
  const pk = v.ENCLAVE_PK as Uint8Array;

  it('golden bytes and their enclave signature', async () => {
    expect(toHex(v.GOLDEN_BYTES as Uint8Array)).toBe(golden);
    expect(await verifyIntent(pk, INTENT_RESPONSE, TS, response, v.GOLDEN_SIG as Uint8Array)).toBe(true);
  });

  it('the response signature enclave::verify accepts in request tests', async () => {
    const payload: ResponsePayload = {
      requestId: v.REQUEST_ID as string,
      requester: v.USER as string,
      requestBodyDigest: v.REQUEST_DIGEST as Uint8Array,
      status: Number(v.RESPONSE_STATUS),
      responseBodyDigest: v.RESPONSE_DIGEST as Uint8Array,
    };
    expect(await verifyIntent(pk, INTENT_RESPONSE, v.RESPONSE_TS as bigint, payload, v.RESPONSE_SIG as Uint8Array)).toBe(true);
  });

  it('the join-token signature workers::set_join_token accepts', async () => {
    const payload: JoinTokenPayload = {
      workerId: v.WORKER_ID as string,
      owner: v.WORKER as string,
      encryptionKey: v.WORKER_KEY as Uint8Array,
      ciphertextDigest: sha256(v.CIPHERTEXT as Uint8Array),
    };
    expect(await verifyIntent(pk, INTENT_JOIN_TOKEN, v.JOIN_TS as bigint, payload, v.JOIN_SIG as Uint8Array)).toBe(true);
  });
});
