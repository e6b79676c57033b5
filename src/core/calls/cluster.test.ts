import { Transaction } from '@mysten/sui/transactions';
import { describe, expect, it } from 'vitest';
import { CLUSTER_FUNCTIONS } from '../abi/package.js';
import * as cluster from './cluster.js';
import { decodeMoveCall, expectedArguments } from './testing.js';

const PKG = '0x' + 'ab'.repeat(32);
const CAP = '0x' + 'c1'.repeat(32);
const CLUSTER = '0x' + 'c2'.repeat(32);

function build(thunk: ReturnType<typeof cluster.create>) {
  const tx = new Transaction();
  tx.add(thunk);
  return tx;
}

describe('cluster calls', () => {
  it('create: every argument in ABI order, PCRs as a vector of pure vectors', () => {
    const pcrs = [new Uint8Array(48).fill(1), new Uint8Array(48).fill(2), new Uint8Array(48).fill(3)];
    const tx = build(
      cluster.create({
        package: PKG,
        arguments: {
          name: 'prod',
          apiUrl: 'https://k3s.example:6443',
          caHash: new Uint8Array(32).fill(7),
          minUserStake: 1_000n,
          minWriteStake: 2_000,
          minWorkerStake: '3000',
          stakeLockMs: 86_400_000n,
          requestTimeoutMs: 30_000n,
          heartbeatTimeoutMs: 120_000n,
          readFee: 5n,
          writeFee: 0n,
          workerPolicy: 1,
          unbondingMs: 0n,
          maxSlashBps: 10_000n,
          debug: false,
          expectedPcrs: pcrs,
        },
      }),
    );
    const call = decodeMoveCall(tx, CLUSTER_FUNCTIONS.create);
    expect(call.target).toBe(`${PKG}::cluster::create`);
    expect(call.arguments).toEqual(
      expectedArguments(CLUSTER_FUNCTIONS.create, {
        name: 'prod',
        api_url: 'https://k3s.example:6443',
        ca_hash: new Uint8Array(32).fill(7),
        min_user_stake: 1000,
        min_write_stake: 2000,
        min_worker_stake: 3000,
        stake_lock_ms: 86_400_000,
        request_timeout_ms: 30_000,
        heartbeat_timeout_ms: 120_000,
        read_fee: 5,
        write_fee: 0,
        worker_policy: 1,
        unbonding_ms: 0,
        max_slash_bps: 10_000,
        debug: false,
        expected_pcrs: pcrs,
      }),
    );
    expect(call.sizes.expected_pcrs).toEqual([49, 49, 49]);
  });

  it('create: a debug cluster with no PCRs is an empty MakeMoveVec', () => {
    const tx = build(
      cluster.create({
        package: PKG,
        arguments: {
          name: 'dev',
          apiUrl: '',
          caHash: new Uint8Array(),
          minUserStake: 0,
          minWriteStake: 0,
          minWorkerStake: 0,
          stakeLockMs: 0,
          requestTimeoutMs: 1,
          heartbeatTimeoutMs: 1,
          readFee: 0,
          writeFee: 0,
          workerPolicy: 1,
          unbondingMs: 0,
          maxSlashBps: 10_000,
          debug: true,
          expectedPcrs: [],
        },
      }),
    );
    expect(decodeMoveCall(tx, CLUSTER_FUNCTIONS.create).arguments.expected_pcrs).toEqual([]);
  });

  it('update', () => {
    const tx = build(
      cluster.update({
        package: PKG,
        arguments: { cap: CAP, cluster: CLUSTER, apiUrl: 'https://x', caHash: new Uint8Array(32), minWriteStake: 5n, requestTimeoutMs: 9n },
      }),
    );
    const call = decodeMoveCall(tx, CLUSTER_FUNCTIONS.update);
    expect(call.target).toBe(`${PKG}::cluster::update`);
    expect(call.arguments).toEqual(
      expectedArguments(CLUSTER_FUNCTIONS.update, {
        cap: CAP,
        cluster: CLUSTER,
        api_url: 'https://x',
        ca_hash: new Uint8Array(32),
        min_write_stake: 5,
        request_timeout_ms: 9,
      }),
    );
  });

  it.each([
    ['registerGateway', 'register_gateway'],
    ['removeGateway', 'remove_gateway'],
  ] as const)('%s', (builder, name) => {
    const tx = build(cluster[builder]({ package: PKG, arguments: { cap: CAP, cluster: CLUSTER, gateway: '0x9a' } }));
    const call = decodeMoveCall(tx, CLUSTER_FUNCTIONS[name]);
    expect(call.target).toBe(`${PKG}::cluster::${name}`);
    expect(call.arguments).toEqual(
      expectedArguments(CLUSTER_FUNCTIONS[name], { cap: CAP, cluster: CLUSTER, gateway: '0x9a' }),
    );
  });

  it('rejects an argument that does not fit its Move type', () => {
    const tx = new Transaction();
    expect(() =>
      tx.add(cluster.registerGateway({ package: PKG, arguments: { cap: CAP, cluster: CLUSTER, gateway: 'not-an-address' } })),
    ).toThrowError(/register_gateway\(gateway\)/);
  });
});

describe('cluster fee calls', () => {
  it('set_fees and withdraw_revenue', () => {
    const fees = decodeMoveCall(build(cluster.setFees({ package: PKG, arguments: { cap: CAP, cluster: CLUSTER, readFee: 3n, writeFee: 5 } })), CLUSTER_FUNCTIONS.set_fees);
    expect(fees.target).toBe(`${PKG}::cluster::set_fees`);
    expect(fees.arguments).toEqual(expectedArguments(CLUSTER_FUNCTIONS.set_fees, { cap: CAP, cluster: CLUSTER, read_fee: 3, write_fee: 5 }));
    const w = decodeMoveCall(build(cluster.withdrawRevenue({ package: PKG, arguments: { cap: CAP, cluster: CLUSTER } })), CLUSTER_FUNCTIONS.withdraw_revenue);
    expect(w.arguments).toEqual(expectedArguments(CLUSTER_FUNCTIONS.withdraw_revenue, { cap: CAP, cluster: CLUSTER }));
  });
});
