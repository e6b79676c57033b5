import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toHex } from '@mysten/sui/utils';
import { ed25519 } from '@noble/curves/ed25519.js';
import { NitroAttestationDocumentBcs } from './common.js';
import { intentMessageBytes, verify } from './enclave.js';
import { ENCLAVE_PK, OPERATOR, OTHER, PCRS, RawBytes, T0, TestEnv, USER_KEYPAIR, enclaveSign, expectAbort } from './testing.js';
import { MoveAbortError } from '../engine/move-runtime.js';
import type { DecodedObject } from './common.js';

const RESPONSE = { struct: 'k3sdaas::request::ResponsePayload' } as const;
const golden = {
  request_id: '0x' + '11'.repeat(32),
  requester: '0x' + '22'.repeat(32),
  request_body_digest: new Uint8Array(32).fill(0xaa),
  status: 201,
  response_body_digest: new Uint8Array(32).fill(0xbb),
};
const USER_PK = USER_KEYPAIR.getPublicKey().toRawBytes();

function admin(debug: boolean) {
  return TestEnv.create(debug);
}

describe('enclave::register_debug', () => {
  it('sets and replaces the key, emitting EnclaveRegistered { debug: true, pcrs: [] }', () => {
    const env = admin(true);
    let fx = env.chain.call(OPERATOR, 'enclave::register_debug', { cap: env.capId, cluster: env.clusterId, public_key: ENCLAVE_PK });
    expect(fx.mutated).toEqual([env.clusterId]);
    expect(fx.events).toHaveLength(1);
    expect(fx.events[0].type).toBe(env.chain.typeOf('enclave', 'EnclaveRegistered'));
    expect(fx.events[0].data).toEqual({ cluster_id: env.clusterId, public_key: ENCLAVE_PK, debug: true, pcrs: [], timestamp_ms: String(T0) });
    expect(env.read(env.clusterId)).toMatchObject({ enclave_pk: ENCLAVE_PK, enclave_registered_ms: String(T0) });
    env.chain.clockMs += 5n;
    fx = env.chain.call(OPERATOR, 'enclave::register_debug', { cap: env.capId, cluster: env.clusterId, public_key: USER_PK });
    expect(fx.events[0].data.public_key).toEqual(USER_PK);
    expect(env.read(env.clusterId)).toMatchObject({ enclave_pk: USER_PK, enclave_registered_ms: String(T0 + 5n) });
  });

  it('aborts cluster::EWrongCap with another cluster\'s cap', () => {
    const env = admin(true);
    const other = admin(true);
    env.chain.put(other.chain.get(other.capId));
    expectAbort(
      env.chain.abort(OPERATOR, 'enclave::register_debug', { cap: other.capId, cluster: env.clusterId, public_key: ENCLAVE_PK }),
      'cluster',
      'assert_cap_for',
      'EWrongCap',
    );
  });

  it('aborts ENotDebugCluster on an attested cluster (before the key check)', () => {
    const env = admin(false);
    expectAbort(
      env.chain.abort(OPERATOR, 'enclave::register_debug', { cap: env.capId, cluster: env.clusterId, public_key: new Uint8Array(3) }),
      'enclave',
      'register_debug',
      'ENotDebugCluster',
    );
  });

  it('aborts EInvalidPublicKey for a key that is not 32 bytes', () => {
    const env = admin(true);
    for (const key of [new Uint8Array([1, 2, 3]), new Uint8Array(), new Uint8Array(33)]) {
      expectAbort(
        env.chain.abort(OPERATOR, 'enclave::register_debug', { cap: env.capId, cluster: env.clusterId, public_key: key }),
        'enclave',
        'register_debug',
        'EInvalidPublicKey',
      );
    }
  });
});

describe('enclave::register_attested', () => {
  const doc = (pcrs: Array<{ index: number; value: Uint8Array }>, publicKey: Uint8Array | null) =>
    new RawBytes(
      NitroAttestationDocumentBcs.serialize({
        module_id: new Uint8Array([1]),
        timestamp: T0,
        digest: new TextEncoder().encode('SHA384'),
        pcrs,
        public_key: publicKey,
        user_data: null,
        nonce: null,
      }).toBytes(),
    );
  const entries = (pcrs: Uint8Array[]) => [...pcrs.map((value, index) => ({ index, value })), { index: 3, value: new Uint8Array(48) }].reverse();

  it('sets the key from a document whose PCR0..2 match, emitting EnclaveRegistered { debug: false, pcrs }', () => {
    const env = admin(false);
    const fx = env.chain.call(OTHER, 'enclave::register_attested', { cluster: env.clusterId, document: doc(entries(PCRS), ENCLAVE_PK) });
    expect(fx.events[0].data).toEqual({ cluster_id: env.clusterId, public_key: ENCLAVE_PK, debug: false, pcrs: PCRS, timestamp_ms: String(T0) });
    expect(env.read(env.clusterId)).toMatchObject({ enclave_pk: ENCLAVE_PK, enclave_registered_ms: String(T0) });
  });

  it('aborts EPcrMismatch when a PCR differs or is missing', () => {
    const env = admin(false);
    const bad = [PCRS[0], PCRS[1], new Uint8Array(48).fill(9)];
    expectAbort(
      env.chain.abort(OTHER, 'enclave::register_attested', { cluster: env.clusterId, document: doc(entries(bad), ENCLAVE_PK) }),
      'enclave',
      'register_measured',
      'EPcrMismatch',
    );
    expectAbort(
      env.chain.abort(OTHER, 'enclave::register_attested', {
        cluster: env.clusterId,
        document: doc([{ index: 0, value: PCRS[0] }, { index: 2, value: PCRS[2] }], ENCLAVE_PK),
      }),
      'enclave',
      'register_attested',
      'EPcrMismatch',
    );
    // a debug cluster expects no PCRs: any document mismatches
    const dbg = admin(true);
    expectAbort(
      dbg.chain.abort(OTHER, 'enclave::register_attested', { cluster: dbg.clusterId, document: doc(entries(PCRS), ENCLAVE_PK) }),
      'enclave',
      'register_measured',
      'EPcrMismatch',
    );
  });

  it('aborts EInvalidPublicKey without a key or with one that is not 32 bytes', () => {
    const env = admin(false);
    for (const key of [null, new Uint8Array([1])]) {
      expectAbort(
        env.chain.abort(OTHER, 'enclave::register_attested', { cluster: env.clusterId, document: doc(entries(PCRS), key) }),
        'enclave',
        'register_measured',
        'EInvalidPublicKey',
      );
    }
  });
});

describe('enclave::verify', () => {
  const vectors = readFileSync(new URL('../../../move/tests/vectors_tests.move', import.meta.url), 'utf8');
  const vec = (name: string) => {
    const m = new RegExp(`const ${name}: vector<u8> = x"([0-9a-f]*)"`).exec(vectors);
    if (!m) throw new Error(`no ${name} in vectors_tests.move`);
    return new Uint8Array(Buffer.from(m[1], 'hex'));
  };
  const goldenSig = vec('GOLDEN_SIG');

  function withEnclave(nowMs: bigint): { cluster: DecodedObject; clock: DecodedObject } {
    const env = TestEnv.setup();
    const c = env.chain.get(env.clusterId);
    return {
      cluster: { arg: { ...c, ref: '&' }, id: c.id, value: env.read(c.id) },
      clock: { arg: { id: '0x6', type: '0x2::clock::Clock', contents: new Uint8Array(), ref: '&' }, id: '0x6', value: { timestamp_ms: String(nowMs) } },
    };
  }
  const catchAbort = (f: () => void) => {
    try {
      f();
    } catch (e) {
      if (e instanceof MoveAbortError) return e;
      throw e;
    }
    throw new Error('no abort');
  };

  it('signs the golden IntentMessage bytes and the vectors key accepts them', () => {
    expect(toHex(intentMessageBytes(0, T0, RESPONSE, golden))).toBe(readFileSync(new URL('../../../test/golden/intent-message.hex', import.meta.url), 'utf8').trim());
    expect(toHex(ENCLAVE_PK)).toBe(toHex(vec('ENCLAVE_PK')));
    expect(toHex(enclaveSign(0, T0, RESPONSE, golden))).toBe(toHex(goldenSig));
  });

  it('accepts the enclave signature from 60 s after to 10 s before the timestamp', () => {
    for (let now = T0 - 10_000n; now <= T0 + 60_000n; now += 35_000n) {
      const { cluster, clock } = withEnclave(now);
      verify(cluster, 0, T0, RESPONSE, golden, goldenSig, clock);
    }
    const { cluster, clock } = withEnclave(T0 + 60_000n);
    verify(cluster, 0, T0, RESPONSE, golden, goldenSig, clock);
  });

  it('aborts ENoEnclave without a key', () => {
    const env = admin(true);
    const c = env.chain.get(env.clusterId);
    const cluster = { arg: { ...c, ref: '&' as const }, id: c.id, value: env.read(c.id) };
    const { clock } = withEnclave(T0);
    expectAbort(catchAbort(() => verify(cluster, 0, T0, RESPONSE, golden, goldenSig, clock)), 'enclave', 'verify', 'ENoEnclave');
  });

  it('aborts EInvalidSignature for a tampered signature, another intent or a short signature', () => {
    const { cluster, clock } = withEnclave(T0);
    const tampered = goldenSig.slice();
    tampered[0] ^= 1;
    expectAbort(catchAbort(() => verify(cluster, 0, T0, RESPONSE, golden, tampered, clock)), 'enclave', 'verify', 'EInvalidSignature');
    expectAbort(catchAbort(() => verify(cluster, 1, T0, RESPONSE, golden, goldenSig, clock)), 'enclave', 'verify', 'EInvalidSignature');
    expectAbort(catchAbort(() => verify(cluster, 0, T0, RESPONSE, golden, new Uint8Array([1, 2]), clock)), 'enclave', 'verify', 'EInvalidSignature');
    const otherKey = ed25519.sign(intentMessageBytes(0, T0, RESPONSE, golden), new Uint8Array(32).fill(9));
    expectAbort(catchAbort(() => verify(cluster, 0, T0, RESPONSE, golden, otherKey, clock)), 'enclave', 'verify', 'EInvalidSignature');
  });

  it('aborts EStaleTimestamp (enclave::assert_fresh) too old or too far ahead, after the signature check', () => {
    let { cluster, clock } = withEnclave(T0 + 60_001n);
    expectAbort(catchAbort(() => verify(cluster, 0, T0, RESPONSE, golden, goldenSig, clock)), 'enclave', 'assert_fresh', 'EStaleTimestamp');
    ({ cluster, clock } = withEnclave(T0 - 10_001n));
    expectAbort(catchAbort(() => verify(cluster, 0, T0, RESPONSE, golden, goldenSig, clock)), 'enclave', 'assert_fresh', 'EStaleTimestamp');
    // a stale timestamp with a bad signature is a bad signature
    const tampered = goldenSig.slice();
    tampered[5] ^= 1;
    expectAbort(catchAbort(() => verify(cluster, 0, T0, RESPONSE, golden, tampered, clock)), 'enclave', 'verify', 'EInvalidSignature');
  });
});
