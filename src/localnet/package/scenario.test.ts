/**
 * Replays the Move unit-test scenarios (move/tests/env_tests.move) with the same transaction digests the Move test
 * VM uses, so the twin derives the same object ids and accepts the very signatures in move/tests/vectors_tests.move.
 */
import { describe, expect, it } from 'vitest';
import { bcs } from '@mysten/sui/bcs';
import { FUNCTIONS } from '../../core/abi/package.js';
import { K3SDAAS_FUNCTIONS } from './index.js';
import { ENCLAVE_PK, GATEWAY, MIN_WORKER_STAKE, OPERATOR, TestEnv, USER, WORKER, WORKER_KEY, moveVectors, type RunOptions } from './testing.js';

const v = moveVectors();

/** `tx_context::dummy_tx_hash_with_hint(hint)`. */
function tx(hint: number, firstId = 0): RunOptions {
  const digest = new Uint8Array(32);
  digest.set(bcs.u64().serialize(BigInt(hint)).toBytes());
  return { txDigest: '0x' + Buffer.from(digest).toString('hex'), firstId };
}

/** env::setup: tx0 creates the cluster, tx1 registers the enclave key and GATEWAY. */
function setup(): TestEnv {
  const env = new TestEnv();
  const fx = env.chain.call(OPERATOR, 'cluster::create', env.createArgs(true), tx(0));
  env.clusterId = fx.created[0].id;
  env.capId = fx.created[1].id;
  env.chain.call(OPERATOR, 'enclave::register_debug', { cap: env.capId, cluster: env.clusterId, public_key: ENCLAVE_PK }, tx(1));
  env.chain.call(OPERATOR, 'cluster::register_gateway', { cap: env.capId, cluster: env.clusterId, gateway: GATEWAY }, tx(1));
  return env;
}

/** Runs `f` with the cap owned by `holder`, as test_scenario's `take_from_address` lets a Move test use it. */
function asCapHolder<T>(env: TestEnv, holder: string, f: () => T): T {
  const cap = env.chain.get(env.capId);
  const owner = cap.owner;
  cap.owner = { $kind: 'AddressOwner', address: holder };
  try {
    return f();
  } finally {
    env.chain.get(env.capId).owner = owner;
  }
}

/**
 * env::setup_with_token: tx2 mints a coin (id 0) and USER stakes (token id 1): a tenant of `team-a` for role 3, else
 * `stake_granted` with OPERATOR's cap (the Move test takes it from OPERATOR's inventory in USER's transaction).
 */
function withToken(role: number, amount: bigint): { env: TestEnv; token: string } {
  const env = setup();
  const payment = env.chain.mintCoin(USER, amount);
  const fx =
    role === 3
      ? env.chain.call(USER, 'access::stake', { cluster: env.clusterId, payment, namespace: 'team-a' }, tx(2, 1))
      : asCapHolder(env, USER, () => env.chain.call(USER, 'access::stake_granted', { cap: env.capId, cluster: env.clusterId, payment, role }, tx(2, 1)));
  return { env, token: fx.created[0].id };
}

describe('Move scenario replay', () => {
  it('derives the cluster, token and worker ids of the Move tests', () => {
    const { env, token } = withToken(2, 1_000n);
    expect(env.clusterId).toBe(v.address('CLUSTER_ID'));
    expect(token).toBe(v.address('TOKEN_ID'));
    expect(withToken(3, 1_000n).token).toBe(v.address('TOKEN_ID'));
    const w = setup();
    const payment = w.chain.mintCoin(WORKER, MIN_WORKER_STAKE);
    const fx = w.chain.call(WORKER, 'workers::register', { cluster: w.clusterId, payment, node_name: 'worker-1', encryption_key: WORKER_KEY }, tx(2, 1));
    expect(fx.created[0].id).toBe(v.address('WORKER_ID'));
    expect(v.bytes('WORKER_KEY')).toEqual(WORKER_KEY);
  });

  it('request_tests: submit, then respond with RESPONSE_SIG (latency 1500)', () => {
    const { env, token } = withToken(2, 1_000n);
    const sub = env.chain.call(
      USER,
      'request::submit',
      env.submitArgs(token, {
        path: '/api/v1/namespaces/default/pods/web/log',
        reply_key: new Uint8Array(32).fill(0x55),
        body_digest: v.bytes('REQUEST_DIGEST'),
        body_size: 4n,
        body: [new TextEncoder().encode('ab'), new TextEncoder().encode('cd')],
      }),
      tx(3),
    );
    const requestId = sub.created[0].id;
    expect(requestId).toBe(v.address('REQUEST_ID'));
    expect(sub.events[0].data).toMatchObject({ requester: USER, gateway: null, role: 2, namespace: 'default', resource: 'pods/log', body: new TextEncoder().encode('abcd') });
    env.chain.clockMs = v.u64('RESPONSE_TS') + 500n;
    const fx = env.chain.call(OPERATOR, 'request::respond', {
      cluster: env.clusterId,
      request: requestId,
      status: Number(v.u64('RESPONSE_STATUS')),
      body_digest: v.bytes('RESPONSE_DIGEST'),
      body_size: 4n,
      body: [new TextEncoder().encode('ok'), new TextEncoder().encode('!')],
      body_blob: '',
      timestamp_ms: v.u64('RESPONSE_TS'),
      signature: v.bytes('RESPONSE_SIG'),
    });
    expect(fx.deleted).toEqual([requestId]);
    expect(fx.events[0].data).toMatchObject({ request_id: requestId, requester: USER, status: 200, body: new TextEncoder().encode('ok!'), latency_ms: '1500' });
  });

  it('request_tests: submit_via_gateway with CREDENTIAL / CREDENTIAL_SIG acts for USER', () => {
    const { env } = withToken(2, 1_000n);
    const fx = env.chain.call(GATEWAY, 'request::submit_via_gateway', {
      cluster: env.clusterId,
      credential: v.bytes('CREDENTIAL'),
      signature: v.bytes('CREDENTIAL_SIG'),
      method: 'POST',
      path: '/api/v1/namespaces/default/pods',
      body_digest: v.bytes('REQUEST_DIGEST'),
      body_size: 0n,
      body: [],
      body_blob: 'blob-1',
      reply_key: new Uint8Array(32).fill(0x55),
    });
    expect(fx.events[0].data).toMatchObject({ requester: USER, gateway: GATEWAY, role: 2, namespace: 'default', resource: 'pods', body: new Uint8Array(), token_id: v.address('TOKEN_ID') });
  });

  it('workers: set_join_token with JOIN_SIG', () => {
    const env = setup();
    const payment = env.chain.mintCoin(WORKER, MIN_WORKER_STAKE);
    const worker = env.chain.call(WORKER, 'workers::register', { cluster: env.clusterId, payment, node_name: 'worker-1', encryption_key: WORKER_KEY }, tx(2, 1)).created[0].id;
    const fx = env.chain.call(OPERATOR, 'workers::set_join_token', {
      cluster: env.clusterId,
      worker,
      ciphertext: v.bytes('CIPHERTEXT'),
      timestamp_ms: v.u64('JOIN_TS'),
      signature: v.bytes('JOIN_SIG'),
    });
    expect(fx.events[0].data).toMatchObject({ worker_id: worker, ciphertext: v.bytes('CIPHERTEXT'), timestamp_ms: String(v.u64('JOIN_TS')) });
  });
});

describe('K3SDAAS_FUNCTIONS', () => {
  it('has a twin for every function of the ABI, and nothing else', () => {
    expect(Object.keys(K3SDAAS_FUNCTIONS).sort()).toEqual(FUNCTIONS.map((f) => `${f.module}::${f.name}`).sort());
  });
});
