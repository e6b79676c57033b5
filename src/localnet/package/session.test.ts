/** Twin of move/tests/session_tests.move: the same scenarios, aborts and events on the fake chain. */
import { describe, expect, it } from 'vitest';
import { INTENT_SESSION_OPEN, INTENT_SESSION_RECORD } from '../../core/abi/package.js';
import { bcsForStruct } from '../../core/abi/bcs.js';
import { OTHER, T0, TestEnv, USER, enclaveSign, expectAbort } from './testing.js';

const REQUEST_ID = '0x' + '75'.repeat(32);
const OPEN = { struct: 'k3sdaas::session::SessionOpenPayload' } as const;
const RECORD = { struct: 'k3sdaas::session::SessionRecordPayload' } as const;

function openArgs(env: TestEnv, over: Record<string, unknown> = {}) {
  const ts = T0 + 1_000n;
  const payload = { cluster_id: env.clusterId, request_id: REQUEST_ID, requester: USER, expires_ms: T0 + 1_801_000n };
  const signature = enclaveSign(INTENT_SESSION_OPEN, ts, OPEN, payload);
  return { cluster: env.clusterId, request_id: REQUEST_ID, requester: USER, expires_ms: payload.expires_ms, timestamp_ms: ts, signature, ...over };
}

function recordArgs(env: TestEnv, over: Record<string, unknown> = {}) {
  const ts = T0 + 61_000n;
  const record = {
    cluster_id: env.clusterId,
    request_id: REQUEST_ID,
    requester: USER,
    opened_ms: T0 + 1_000n,
    closed_ms: ts,
    bytes_down: 4096n,
    bytes_up: 12n,
    frames: 9n,
    has_exit_code: true,
    exit_code: 0,
    reason: 0,
    transcript_digest: new Uint8Array(32).fill(0xdd),
  };
  const signature = enclaveSign(INTENT_SESSION_RECORD, ts, RECORD, record);
  const { cluster_id: _c, ...rest } = record;
  return { cluster: env.clusterId, ...rest, timestamp_ms: ts, signature, ...over };
}

describe('session::open_session', () => {
  it('verifies the enclave signature and emits SessionOpened', () => {
    const env = TestEnv.setup();
    env.chain.clockMs = T0 + 1_100n;
    const fx = env.chain.call(OTHER, 'session::open_session', openArgs(env));
    expect(fx.events).toHaveLength(1);
    expect(fx.events[0].type).toBe(env.chain.typeOf('session', 'SessionOpened'));
    expect(fx.events[0].data).toEqual({
      cluster_id: env.clusterId,
      request_id: REQUEST_ID,
      requester: USER,
      opened_ms: String(T0 + 1_000n),
      expires_ms: String(T0 + 1_801_000n),
      signature: openArgs(env).signature,
    });
  });

  it('aborts EInvalidTimes when it expires before it opens (before the signature)', () => {
    const env = TestEnv.setup();
    env.chain.clockMs = T0 + 1_100n;
    expectAbort(env.chain.abort(OTHER, 'session::open_session', openArgs(env, { expires_ms: T0 + 1_000n })), 'session', 'open_session', 'EInvalidTimes');
  });

  it('aborts enclave::EInvalidSignature for another requester', () => {
    const env = TestEnv.setup();
    env.chain.clockMs = T0 + 1_100n;
    expectAbort(env.chain.abort(OTHER, 'session::open_session', openArgs(env, { requester: OTHER })), 'enclave', 'verify', 'EInvalidSignature');
  });
});

describe('session::record_session', () => {
  it('verifies the enclave signature and emits SessionClosed with the record', () => {
    const env = TestEnv.setup();
    env.chain.clockMs = T0 + 61_100n;
    const fx = env.chain.call(OTHER, 'session::record_session', recordArgs(env));
    expect(fx.events[0].type).toBe(env.chain.typeOf('session', 'SessionClosed'));
    expect(fx.events[0].data).toMatchObject({ request_id: REQUEST_ID, requester: USER, bytes_down: '4096', bytes_up: '12', reason: 0 });
  });

  it('aborts EInvalidDigest for a short transcript digest', () => {
    const env = TestEnv.setup();
    env.chain.clockMs = T0 + 61_100n;
    expectAbort(env.chain.abort(OTHER, 'session::record_session', recordArgs(env, { transcript_digest: new Uint8Array(1) })), 'session', 'record_session', 'EInvalidDigest');
  });

  it('aborts EInvalidTimes when it closed before it opened', () => {
    const env = TestEnv.setup();
    env.chain.clockMs = T0 + 61_100n;
    expectAbort(env.chain.abort(OTHER, 'session::record_session', recordArgs(env, { opened_ms: T0 + 61_001n })), 'session', 'record_session', 'EInvalidTimes');
  });

  it('aborts EUnknownReason for a reason code past the last', () => {
    const env = TestEnv.setup();
    env.chain.clockMs = T0 + 61_100n;
    expectAbort(env.chain.abort(OTHER, 'session::record_session', recordArgs(env, { reason: 7 })), 'session', 'record_session', 'EUnknownReason');
  });

  it('aborts enclave::EInvalidSignature for a tampered byte count', () => {
    const env = TestEnv.setup();
    env.chain.clockMs = T0 + 61_100n;
    expectAbort(env.chain.abort(OTHER, 'session::record_session', recordArgs(env, { bytes_down: 4095n })), 'enclave', 'verify', 'EInvalidSignature');
  });
});

describe('session versions', () => {
  it('open_session and record_session refuse a Cluster of another package version (cluster::assert_version first)', () => {
    const env = TestEnv.setup();
    const o = env.chain.get(env.clusterId);
    const value = bcsForStruct('cluster', 'Cluster').parse(o.contents);
    env.chain.put({ ...o, contents: bcsForStruct('cluster', 'Cluster').serialize({ ...value, version: 0n }).toBytes() });
    env.chain.clockMs = T0 + 61_100n;
    expectAbort(env.chain.abort(OTHER, 'session::open_session', openArgs(env)), 'cluster', 'assert_version', 'EWrongVersion');
    expectAbort(env.chain.abort(OTHER, 'session::record_session', recordArgs(env)), 'cluster', 'assert_version', 'EWrongVersion');
  });
});
