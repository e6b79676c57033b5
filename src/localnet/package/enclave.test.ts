import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toHex } from '@mysten/sui/utils';
import { ed25519 } from '@noble/curves/ed25519.js';
import { NitroAttestationDocumentBcs } from './common.js';
import { intentMessageBytes, MAX_ATTESTATION_AGE_MS, verify } from './enclave.js';
import { MAX_CLOCK_SKEW_MS } from '../../core/abi/package.js';
import { CA_HASH, ENCLAVE_PK, OPERATOR, PCRS, RawBytes, T0, TestEnv, USER_KEYPAIR, enclaveSign, expectAbort } from './testing.js';
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
    expect(fx.events[0].data).toEqual({ cluster_id: env.clusterId, public_key: ENCLAVE_PK, debug: true, pcrs: [], timestamp_ms: String(T0), config_version: '1' });
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
  interface Doc {
    pcrs?: Array<{ index: number; value: Uint8Array }>;
    publicKey?: Uint8Array | null;
    userData?: Uint8Array | null;
    timestamp?: bigint;
  }
  const entries = (pcrs: Uint8Array[]) => [...pcrs.map((value, index) => ({ index, value })), { index: 3, value: new Uint8Array(48) }].reverse();
  const doc = (d: Doc = {}) =>
    new RawBytes(
      NitroAttestationDocumentBcs.serialize({
        module_id: new Uint8Array([1]),
        timestamp: d.timestamp ?? T0,
        digest: new TextEncoder().encode('SHA384'),
        pcrs: d.pcrs ?? entries(PCRS),
        public_key: d.publicKey === undefined ? ENCLAVE_PK : d.publicKey,
        user_data: d.userData === undefined ? CA_HASH : d.userData,
        nonce: null,
      }).toBytes(),
    );
  const register = (env: TestEnv, d: Doc = {}, cap = env.capId) =>
    env.chain.abort(OPERATOR, 'enclave::register_attested', { cap, cluster: env.clusterId, document: doc(d) });

  it('sets the key from a document whose PCR0..2, user_data and timestamp match, emitting EnclaveRegistered { debug: false, pcrs }', () => {
    const env = admin(false);
    const fx = env.chain.call(OPERATOR, 'enclave::register_attested', { cap: env.capId, cluster: env.clusterId, document: doc() });
    expect(fx.events[0].data).toEqual({ cluster_id: env.clusterId, public_key: ENCLAVE_PK, debug: false, pcrs: PCRS, timestamp_ms: String(T0), config_version: '1' });
    expect(env.read(env.clusterId)).toMatchObject({ enclave_pk: ENCLAVE_PK, enclave_registered_ms: String(T0) });
    // the age bounds are inclusive: exactly MAX_ATTESTATION_AGE_MS old, exactly MAX_CLOCK_SKEW_MS ahead
    for (const timestamp of [T0 - BigInt(MAX_ATTESTATION_AGE_MS), T0 + BigInt(MAX_CLOCK_SKEW_MS)]) {
      env.chain.call(OPERATOR, 'enclave::register_attested', { cap: env.capId, cluster: env.clusterId, document: doc({ timestamp, publicKey: USER_PK }) });
      expect(env.read(env.clusterId)).toMatchObject({ enclave_pk: USER_PK });
    }
  });

  it('a cluster without a CA pin (empty ca_hash) accepts any user_data', () => {
    const env = admin(false);
    env.chain.call(OPERATOR, 'cluster::update', {
      cap: env.capId,
      cluster: env.clusterId,
      api_url: 'https://10.0.0.1:6443',
      ca_hash: new Uint8Array(),
      min_write_stake: 1n,
      request_timeout_ms: 1n,
    });
    for (const userData of [null, new Uint8Array([1, 2])]) {
      env.chain.call(OPERATOR, 'enclave::register_attested', { cap: env.capId, cluster: env.clusterId, document: doc({ userData }) });
    }
    expect(env.read(env.clusterId)).toMatchObject({ enclave_pk: ENCLAVE_PK });
  });

  it("aborts cluster::EWrongCap with another cluster's cap, before any document check", () => {
    const env = admin(false);
    const other = admin(false);
    env.chain.put(other.chain.get(other.capId));
    expectAbort(register(env, {}, other.capId), 'cluster', 'assert_cap_for', 'EWrongCap');
    expectAbort(register(env, { pcrs: [], publicKey: null, userData: null, timestamp: 0n }, other.capId), 'cluster', 'assert_cap_for', 'EWrongCap');
  });

  it('aborts EPcrMismatch when a PCR differs or is missing', () => {
    const env = admin(false);
    const bad = [PCRS[0], PCRS[1], new Uint8Array(48).fill(9)];
    expectAbort(register(env, { pcrs: entries(bad) }), 'enclave', 'register_measured', 'EPcrMismatch');
    expectAbort(
      register(env, { pcrs: [{ index: 0, value: PCRS[0] }, { index: 2, value: PCRS[2] }] }),
      'enclave',
      'register_attested',
      'EPcrMismatch',
    );
    // a debug cluster expects no PCRs: any document mismatches
    const dbg = admin(true);
    expectAbort(register(dbg), 'enclave', 'register_measured', 'EPcrMismatch');
  });

  it('aborts EInvalidPublicKey without a key or with one that is not 32 bytes (before user_data and age)', () => {
    const env = admin(false);
    for (const publicKey of [null, new Uint8Array([1])]) {
      expectAbort(register(env, { publicKey }), 'enclave', 'register_measured', 'EInvalidPublicKey');
      expectAbort(register(env, { publicKey, userData: null, timestamp: 0n }), 'enclave', 'register_measured', 'EInvalidPublicKey');
    }
  });

  it("aborts EUserDataMismatch when user_data is missing or is not the cluster's ca_hash (before the age)", () => {
    const env = admin(false);
    const other = CA_HASH.slice();
    other[31] ^= 1;
    for (const userData of [null, other, new Uint8Array(), CA_HASH.slice(0, 31)]) {
      expectAbort(register(env, { userData }), 'enclave', 'register_measured', 'EUserDataMismatch');
    }
    expectAbort(register(env, { userData: null, timestamp: 0n }), 'enclave', 'register_measured', 'EUserDataMismatch');
  });

  it('aborts EStaleAttestation (enclave::assert_attestation_fresh) for a document too old or too far ahead', () => {
    const env = admin(false);
    for (const timestamp of [T0 - BigInt(MAX_ATTESTATION_AGE_MS) - 1n, T0 + BigInt(MAX_CLOCK_SKEW_MS) + 1n, 0n]) {
      expectAbort(register(env, { timestamp }), 'enclave', 'assert_attestation_fresh', 'EStaleAttestation');
    }
    expect(env.read(env.clusterId)).toMatchObject({ enclave_pk: new Uint8Array() });
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

describe('enclave::update_pcrs', () => {
  it('replaces the PCRs, bumps the enclave config version and clears the key; emits EnclaveConfigUpdated', () => {
    const env = TestEnv.setup();
    const pcrs = [new Uint8Array(48).fill(9), new Uint8Array(48).fill(8), new Uint8Array(48).fill(7)];
    const fx = env.chain.call(OPERATOR, 'enclave::update_pcrs', { cap: env.capId, cluster: env.clusterId, expected_pcrs: pcrs });
    expect(fx.events[0]).toMatchObject({ name: 'EnclaveConfigUpdated', data: { cluster_id: env.clusterId, config_version: '2', pcrs } });
    expect(env.read(env.clusterId)).toMatchObject({ expected_pcrs: pcrs, enclave_config_version: '2', enclave_pk: new Uint8Array(), enclave_registered_ms: '0' });
    // A new registration is needed, and records the config it was made under.
    const reg = env.chain.call(OPERATOR, 'enclave::register_debug', { cap: env.capId, cluster: env.clusterId, public_key: ENCLAVE_PK });
    expect(reg.events[0].data.config_version).toBe('2');
  });

  it('aborts cluster::EWrongCap, then cluster::EInvalidPcrs (attested clusters need 3)', () => {
    const env = TestEnv.create(false);
    const other = TestEnv.create(true);
    env.chain.put(other.chain.get(other.capId));
    expectAbort(env.chain.abort(OPERATOR, 'enclave::update_pcrs', { cap: other.capId, cluster: env.clusterId, expected_pcrs: [] }), 'cluster', 'assert_cap_for', 'EWrongCap');
    expectAbort(env.chain.abort(OPERATOR, 'enclave::update_pcrs', { cap: env.capId, cluster: env.clusterId, expected_pcrs: [] }), 'cluster', 'set_expected_pcrs', 'EInvalidPcrs');
  });
});
