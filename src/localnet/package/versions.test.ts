/**
 * Versions: objects made by another package version are refused by every entry (EWrongVersion) until the cap
 * holder's `migrate` moves them to this one. localnet cannot publish an upgrade, so the tests rewrite an object's
 * `version` field, as an object made by an older (0) or newer (2) package would carry it.
 */
import { describe, expect, it } from 'vitest';
import { bcsForStruct } from '../../core/abi/bcs.js';
import { OPERATOR, REQUEST_TIMEOUT_MS, TestEnv, USER, WORKER, expectAbort } from './testing.js';

/** Rewrites the `version` of object `id` (a `module::Name`). */
function setVersion(env: TestEnv, id: string, module: string, name: string, version: bigint): void {
  const o = env.chain.get(id);
  const value = bcsForStruct(module, name).parse(o.contents);
  env.chain.put({ ...o, contents: bcsForStruct(module, name).serialize({ ...value, version }).toBytes() });
}

describe('cluster versions', () => {
  it('an older or newer Cluster is refused by every entry; migrate moves an older one forward (ClusterMigrated)', () => {
    const env = TestEnv.setup();
    const token = env.stake(USER, 2, 1_000n);
    setVersion(env, env.clusterId, 'cluster', 'Cluster', 0n);
    const fees = { cap: env.capId, cluster: env.clusterId, read_fee: 0n, write_fee: 0n };
    expectAbort(env.chain.abort(OPERATOR, 'cluster::set_fees', fees), 'cluster', 'assert_version', 'EWrongVersion');
    expectAbort(env.chain.abort(USER, 'request::submit', env.submitArgs(token)), 'cluster', 'assert_version', 'EWrongVersion');
    expectAbort(
      env.chain.abort(OPERATOR, 'access::grant', { cap: env.capId, cluster: env.clusterId, token_id: token, role: 1 }),
      'cluster',
      'assert_version',
      'EWrongVersion',
    );
    const fx = env.chain.call(OPERATOR, 'cluster::migrate', { cap: env.capId, cluster: env.clusterId });
    expect(fx.events[0]).toMatchObject({ name: 'ClusterMigrated', data: { cluster_id: env.clusterId, from_version: '0', to_version: '1' } });
    env.chain.call(OPERATOR, 'cluster::set_fees', fees);
    env.submit(USER, token);
    expectAbort(env.chain.abort(OPERATOR, 'cluster::migrate', { cap: env.capId, cluster: env.clusterId }), 'cluster', 'migrate', 'ENotUpgraded');
    setVersion(env, env.clusterId, 'cluster', 'Cluster', 2n);
    expectAbort(env.chain.abort(OPERATOR, 'cluster::set_fees', fees), 'cluster', 'assert_version', 'EWrongVersion');
    expectAbort(env.chain.abort(OPERATOR, 'cluster::migrate', { cap: env.capId, cluster: env.clusterId }), 'cluster', 'migrate', 'ENotUpgraded');
  });
});

describe('worker versions', () => {
  it('an older Worker is refused (workers::assert_version) until workers::migrate', () => {
    const env = TestEnv.setup();
    const worker = env.registerWorker();
    setVersion(env, worker, 'workers', 'Worker', 0n);
    expectAbort(env.chain.abort(WORKER, 'workers::heartbeat', { worker }), 'workers', 'assert_version', 'EWrongVersion');
    const fx = env.chain.call(OPERATOR, 'workers::migrate', { cap: env.capId, worker });
    expect(fx.events[0]).toMatchObject({ name: 'WorkerMigrated', data: { worker_id: worker, from_version: '0', to_version: '1' } });
    env.chain.call(WORKER, 'workers::heartbeat', { worker });
    expectAbort(env.chain.abort(OPERATOR, 'workers::migrate', { cap: env.capId, worker }), 'workers', 'migrate', 'ENotUpgraded');
  });
});

describe('request versions', () => {
  it('an older Request cannot be answered but still expires with its refund; a newer one is refused by expire', () => {
    const env = TestEnv.setup();
    const token = env.stake(USER, 2, 1_000n);
    const older = env.submit(USER, token);
    setVersion(env, older, 'request', 'Request', 0n);
    expectAbort(env.chain.abort(OPERATOR, 'request::respond', env.respondArgs(older)), 'request', 'respond', 'EWrongVersion');
    const newer = env.submit(USER, token);
    setVersion(env, newer, 'request', 'Request', 2n);
    env.chain.clockMs += REQUEST_TIMEOUT_MS + 1n;
    env.chain.call(OPERATOR, 'request::expire', { request: older });
    expectAbort(env.chain.abort(OPERATOR, 'request::expire', { request: newer }), 'request', 'expire', 'EWrongVersion');
  });
});
