import { describe, expect, it } from 'vitest';
import {
  CA_HASH,
  GATEWAY,
  OPERATOR,
  OTHER,
  PCRS,
  TestEnv,
  expectAbort,
} from './testing.js';
import { U64_MAX } from './common.js';

const G2 = '0x' + '2'.padStart(64, '0');
const G3 = '0x' + '3'.padStart(64, '0');

describe('cluster::create', () => {
  it('shares a Cluster, gives the cap to the sender and emits ClusterCreated', () => {
    const env = new TestEnv();
    const fx = env.chain.call(OPERATOR, 'cluster::create', env.createArgs(true));
    expect(fx.created).toHaveLength(2);
    const [cluster, cap] = fx.created;
    expect(cluster.type).toBe(env.chain.typeOf('cluster', 'Cluster'));
    expect(cluster.owner).toEqual({ $kind: 'Shared' });
    expect(cap.type).toBe(env.chain.typeOf('cluster', 'ClusterAdminCap'));
    expect(cap.owner).toEqual({ $kind: 'AddressOwner', address: OPERATOR });
    expect(fx.events).toHaveLength(1);
    expect(fx.events[0].type).toBe(env.chain.typeOf('cluster', 'ClusterCreated'));
    expect(fx.events[0].data).toEqual({
      cluster_id: cluster.id,
      cap_id: cap.id,
      operator: OPERATOR,
      name: 'dev',
      api_url: 'https://10.0.0.1:6443',
      ca_hash: CA_HASH,
      debug: true,
      read_fee: '0',
      write_fee: '0',
      worker_policy: 1,
      unbonding_ms: '600000',
      max_slash_bps: '5000',
    });
    const c = env.read(cluster.id);
    expect(c).toMatchObject({
      id: cluster.id,
      operator: OPERATOR,
      min_user_stake: '100',
      min_write_stake: '200',
      min_worker_stake: '1000',
      stake_lock_ms: '86400000',
      request_timeout_ms: '30000',
      heartbeat_timeout_ms: '60000',
      debug: true,
      expected_pcrs: [],
      enclave_pk: new Uint8Array(),
      enclave_registered_ms: '0',
      gateways: [],
    });
    expect(c.stakes.size).toBe('0');
    expect(c.stakes.id).not.toBe(cluster.id);
    expect(c.namespaces).toMatchObject({ size: '0' });
    expect(c.namespaces.id).not.toBe(c.stakes.id);
    expect(c).toMatchObject({ read_fee: '0', write_fee: '0', revenue: { value: '0' }, worker_policy: 1, unbonding_ms: '600000' });
    expect(env.read(cap.id)).toEqual({ id: cap.id, cluster_id: cluster.id });
  });

  it('creates an attested cluster with exactly 3 PCRs', () => {
    const env = TestEnv.create(false);
    const c = env.read(env.clusterId);
    expect(c.debug).toBe(false);
    expect(c.expected_pcrs).toEqual(PCRS);
  });

  it('aborts EInvalidTimeout on a zero or unbounded request or heartbeat timeout, EInvalidPeriod on a stake lock over a year (before the PCRs)', () => {
    const env = new TestEnv();
    const create = (over: Record<string, unknown>) => env.chain.abort(OPERATOR, 'cluster::create', { ...env.createArgs(true), ...over });
    for (const ms of [0n, 3_600_001n, U64_MAX]) expectAbort(create({ request_timeout_ms: ms }), 'cluster', 'assert_request_timeout', 'EInvalidTimeout');
    for (const ms of [0n, 604_800_001n, U64_MAX]) expectAbort(create({ heartbeat_timeout_ms: ms }), 'cluster', 'create', 'EInvalidTimeout');
    for (const ms of [31_536_000_001n, U64_MAX]) expectAbort(create({ stake_lock_ms: ms }), 'cluster', 'create', 'EInvalidPeriod');
    for (const ms of [2_592_000_001n, U64_MAX]) expectAbort(create({ unbonding_ms: ms }), 'cluster', 'create', 'EInvalidPeriod');
    expectAbort(create({ worker_policy: 2 }), 'cluster', 'assert_policy', 'EInvalidPolicy');
    for (const bps of [0n, 10_001n]) expectAbort(create({ max_slash_bps: bps }), 'cluster', 'create', 'EInvalidSlashBound');
    expectAbort(
      env.chain.abort(OPERATOR, 'cluster::create', { ...env.createArgs(false), expected_pcrs: [], request_timeout_ms: 0n }),
      'cluster',
      'assert_request_timeout',
      'EInvalidTimeout',
    );
    // at the bounds
    env.chain.call(OPERATOR, 'cluster::create', { ...env.createArgs(true), request_timeout_ms: 3_600_000n, heartbeat_timeout_ms: 604_800_000n, stake_lock_ms: 31_536_000_000n });
    env.chain.objects.clear();
    expect([...env.chain.objects.values()].filter((o) => o.type.includes("::cluster::"))).toEqual([]);
  });

  it('aborts EInvalidPcrs for an attested cluster without exactly 3 PCRs', () => {
    const env = new TestEnv();
    expectAbort(env.chain.abort(OPERATOR, 'cluster::create', { ...env.createArgs(false), expected_pcrs: [] }), 'cluster', 'create', 'EInvalidPcrs');
    expectAbort(
      env.chain.abort(OPERATOR, 'cluster::create', { ...env.createArgs(false), expected_pcrs: [...PCRS, PCRS[0]] }),
      'cluster',
      'create',
      'EInvalidPcrs',
    );
    // debug clusters may carry any PCRs
    env.chain.call(OPERATOR, 'cluster::create', { ...env.createArgs(true), expected_pcrs: [PCRS[0]] });
  });
});

describe('cluster::update', () => {
  it('changes the API URL, CA pin, write stake and timeout and emits ClusterUpdated', () => {
    const env = TestEnv.create(true);
    const ca = new Uint8Array(32).fill(9);
    const fx = env.chain.call(OPERATOR, 'cluster::update', {
      cap: env.capId,
      cluster: env.clusterId,
      api_url: 'https://10.0.0.2:6443',
      ca_hash: ca,
      min_write_stake: 500n,
      request_timeout_ms: 45_000n,
    });
    expect(fx.mutated).toEqual([env.clusterId]);
    expect(fx.events.map((e) => e.name)).toEqual(['ClusterUpdated']);
    expect(fx.events[0].data).toEqual({
      cluster_id: env.clusterId,
      api_url: 'https://10.0.0.2:6443',
      ca_hash: ca,
      min_write_stake: '500',
      request_timeout_ms: '45000',
    });
    expect(env.read(env.clusterId)).toMatchObject({ api_url: 'https://10.0.0.2:6443', ca_hash: ca, min_write_stake: '500', request_timeout_ms: '45000', name: 'dev' });
  });

  it('aborts EWrongCap with the cap of another cluster (cluster::assert_cap_for), before EInvalidTimeout', () => {
    const env = TestEnv.create(true);
    const other = TestEnv.create(true);
    // move the other cluster's cap and cluster into this chain
    for (const id of [other.capId, other.clusterId]) env.chain.put(other.chain.get(id));
    const args = { cap: other.capId, cluster: env.clusterId, api_url: 'x', ca_hash: CA_HASH, min_write_stake: 1n, request_timeout_ms: 0n };
    expectAbort(env.chain.abort(OPERATOR, 'cluster::update', args), 'cluster', 'assert_cap_for', 'EWrongCap');
    expectAbort(env.chain.abort(OPERATOR, 'cluster::update', { ...args, cap: env.capId }), 'cluster', 'assert_request_timeout', 'EInvalidTimeout');
    expectAbort(
      env.chain.abort(OPERATOR, 'cluster::update', { ...args, cap: env.capId, request_timeout_ms: 3_600_001n }),
      'cluster',
      'assert_request_timeout',
      'EInvalidTimeout',
    );
  });
});

describe('fees and revenue', () => {
  it('set_fees emits FeesUpdated; withdraw_revenue sends the whole revenue to the cap holder and emits RevenueWithdrawn', () => {
    const env = TestEnv.create(true);
    const fx = env.chain.call(OPERATOR, 'cluster::set_fees', { cap: env.capId, cluster: env.clusterId, read_fee: 3n, write_fee: 5n });
    expect(fx.events[0]).toMatchObject({ name: 'FeesUpdated', data: { cluster_id: env.clusterId, read_fee: '3', write_fee: '5' } });
    expect(env.read(env.clusterId)).toMatchObject({ read_fee: '3', write_fee: '5' });
    const w = env.chain.call(OPERATOR, 'cluster::withdraw_revenue', { cap: env.capId, cluster: env.clusterId });
    expect(w.events[0]).toMatchObject({ name: 'RevenueWithdrawn', data: { cluster_id: env.clusterId, recipient: OPERATOR, amount: '0' } });
    expect(env.chain.coinValue(w.created[0].id)).toBe(0n);
  });

  it('set_fees and withdraw_revenue abort EWrongCap with another cluster\'s cap', () => {
    const env = TestEnv.create(true);
    const other = TestEnv.create(true);
    env.chain.put(other.chain.get(other.capId));
    expectAbort(env.chain.abort(OPERATOR, 'cluster::set_fees', { cap: other.capId, cluster: env.clusterId, read_fee: 1n, write_fee: 1n }), 'cluster', 'assert_cap_for', 'EWrongCap');
    expectAbort(env.chain.abort(OPERATOR, 'cluster::withdraw_revenue', { cap: other.capId, cluster: env.clusterId }), 'cluster', 'assert_cap_for', 'EWrongCap');
  });
});

describe('gateways', () => {
  it('registers gateways and emits GatewayRegistered', () => {
    const env = TestEnv.create(true);
    const fx = env.chain.call(OPERATOR, 'cluster::register_gateway', { cap: env.capId, cluster: env.clusterId, gateway: GATEWAY });
    expect(fx.events[0]).toMatchObject({ name: 'GatewayRegistered', data: { cluster_id: env.clusterId, gateway: GATEWAY } });
    env.chain.call(OPERATOR, 'cluster::register_gateway', { cap: env.capId, cluster: env.clusterId, gateway: G2 });
    expect(env.read(env.clusterId).gateways).toEqual([GATEWAY, G2]);
  });

  it('aborts EGatewayExists on a second registration', () => {
    const env = TestEnv.setup();
    expectAbort(
      env.chain.abort(OPERATOR, 'cluster::register_gateway', { cap: env.capId, cluster: env.clusterId, gateway: GATEWAY }),
      'cluster',
      'register_gateway',
      'EGatewayExists',
    );
  });

  it('removes a gateway keeping the order of the rest and emits GatewayRemoved', () => {
    const env = TestEnv.setup();
    for (const g of [G2, G3]) env.chain.call(OPERATOR, 'cluster::register_gateway', { cap: env.capId, cluster: env.clusterId, gateway: g });
    const fx = env.chain.call(OPERATOR, 'cluster::remove_gateway', { cap: env.capId, cluster: env.clusterId, gateway: GATEWAY });
    expect(fx.events[0]).toMatchObject({ name: 'GatewayRemoved', data: { cluster_id: env.clusterId, gateway: GATEWAY } });
    expect(env.read(env.clusterId).gateways).toEqual([G2, G3]);
  });

  it('aborts EGatewayNotFound for an unknown gateway', () => {
    const env = TestEnv.create(true);
    expectAbort(
      env.chain.abort(OPERATOR, 'cluster::remove_gateway', { cap: env.capId, cluster: env.clusterId, gateway: GATEWAY }),
      'cluster',
      'remove_gateway',
      'EGatewayNotFound',
    );
  });

  it('aborts EWrongCap for a foreign cap on register and remove', () => {
    const env = TestEnv.setup();
    const other = TestEnv.create(true);
    env.chain.put(other.chain.get(other.capId));
    for (const fn of ['register_gateway', 'remove_gateway']) {
      expectAbort(
        env.chain.abort(OPERATOR, `cluster::${fn}`, { cap: other.capId, cluster: env.clusterId, gateway: GATEWAY }),
        'cluster',
        'assert_cap_for',
        'EWrongCap',
      );
    }
  });

  it('is not callable by someone who does not own the cap (Sui ownership)', () => {
    const env = TestEnv.create(true);
    expect(() => env.chain.call(OTHER, 'cluster::register_gateway', { cap: env.capId, cluster: env.clusterId, gateway: GATEWAY })).toThrow(/owned by/);
  });

  it('rejects an object of the wrong type as an argument error, not an abort', () => {
    const env = TestEnv.create(true);
    expect(() => env.chain.call(OPERATOR, 'cluster::register_gateway', { cap: env.clusterId, cluster: env.clusterId, gateway: GATEWAY })).toThrow(
      /expected .*ClusterAdminCap/,
    );
  });
});

describe('cluster::set_max_session_ms', () => {
  it('starts at 30 min, sets the maximum session duration and emits MaxSessionUpdated', () => {
    const env = TestEnv.create(true);
    expect(env.read(env.clusterId)).toMatchObject({ max_session_ms: '1800000' });
    const fx = env.chain.call(OPERATOR, 'cluster::set_max_session_ms', { cap: env.capId, cluster: env.clusterId, max_session_ms: 2_000n });
    expect(fx.events[0]).toMatchObject({ name: 'MaxSessionUpdated', data: { cluster_id: env.clusterId, max_session_ms: '2000' } });
    expect(env.read(env.clusterId)).toMatchObject({ max_session_ms: '2000' });
  });

  it('aborts EWrongCap with another cluster\'s cap before EInvalidPeriod on 0 or above 1 day', () => {
    const env = TestEnv.create(true);
    const other = TestEnv.create(true);
    env.chain.put(other.chain.get(other.capId));
    expectAbort(env.chain.abort(OPERATOR, 'cluster::set_max_session_ms', { cap: other.capId, cluster: env.clusterId, max_session_ms: 0n }), 'cluster', 'assert_cap_for', 'EWrongCap');
    for (const ms of [0n, 86_400_001n]) {
      expectAbort(env.chain.abort(OPERATOR, 'cluster::set_max_session_ms', { cap: env.capId, cluster: env.clusterId, max_session_ms: ms }), 'cluster', 'set_max_session_ms', 'EInvalidPeriod');
    }
  });
});
