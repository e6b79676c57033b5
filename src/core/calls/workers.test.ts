import { Transaction } from '@mysten/sui/transactions';
import { describe, expect, it } from 'vitest';
import { WORKERS_FUNCTIONS } from '../abi/package.js';
import * as workers from './workers.js';
import { decodeMoveCall, expectedArguments } from './testing.js';

const PKG = '0x' + 'ab'.repeat(32);
const CAP = '0x' + 'c1'.repeat(32);
const CLUSTER = '0x' + 'c2'.repeat(32);
const WORKER = '0x' + 'a7'.repeat(32);
const COIN = '0x' + 'b8'.repeat(32);

describe('workers calls', () => {
  it('register', () => {
    const tx = new Transaction();
    tx.add(
      workers.register({
        package: PKG,
        arguments: { cluster: CLUSTER, payment: COIN, nodeName: 'worker-1', encryptionKey: new Uint8Array(32).fill(8) },
      }),
    );
    const call = decodeMoveCall(tx, WORKERS_FUNCTIONS.register);
    expect(call.target).toBe(`${PKG}::workers::register`);
    expect(call.arguments).toEqual(
      expectedArguments(WORKERS_FUNCTIONS.register, {
        cluster: CLUSTER,
        payment: COIN,
        node_name: 'worker-1',
        encryption_key: new Uint8Array(32).fill(8),
      }),
    );
  });

  it('setJoinToken', () => {
    const tx = new Transaction();
    const args = { ciphertext: new Uint8Array(300).fill(6), timestampMs: 42n, signature: new Uint8Array(64).fill(2) };
    tx.add(workers.setJoinToken({ package: PKG, arguments: { cluster: CLUSTER, worker: WORKER, ...args } }));
    const call = decodeMoveCall(tx, WORKERS_FUNCTIONS.set_join_token);
    expect(call.target).toBe(`${PKG}::workers::set_join_token`);
    expect(call.arguments).toEqual(
      expectedArguments(WORKERS_FUNCTIONS.set_join_token, {
        cluster: CLUSTER,
        worker: WORKER,
        ciphertext: args.ciphertext,
        timestamp_ms: 42,
        signature: args.signature,
      }),
    );
  });

  it('heartbeat', () => {
    const tx = new Transaction();
    tx.add(workers.heartbeat({ package: PKG, arguments: { worker: WORKER } }));
    const call = decodeMoveCall(tx, WORKERS_FUNCTIONS.heartbeat);
    expect(call.target).toBe(`${PKG}::workers::heartbeat`);
    expect(call.arguments).toEqual(expectedArguments(WORKERS_FUNCTIONS.heartbeat, { worker: WORKER }));
  });

  it('markInactive', () => {
    const tx = new Transaction();
    tx.add(workers.markInactive({ package: PKG, arguments: { cluster: CLUSTER, worker: WORKER } }));
    const call = decodeMoveCall(tx, WORKERS_FUNCTIONS.mark_inactive);
    expect(call.target).toBe(`${PKG}::workers::mark_inactive`);
    expect(call.arguments).toEqual(expectedArguments(WORKERS_FUNCTIONS.mark_inactive, { cluster: CLUSTER, worker: WORKER }));
  });

  it('leave, withdraw, approve', () => {
    const tx = new Transaction();
    tx.add(workers.leave({ package: PKG, arguments: { cluster: CLUSTER, worker: WORKER } }));
    const call = decodeMoveCall(tx, WORKERS_FUNCTIONS.leave);
    expect(call.target).toBe(`${PKG}::workers::leave`);
    expect(call.arguments).toEqual(expectedArguments(WORKERS_FUNCTIONS.leave, { cluster: CLUSTER, worker: WORKER }));
    const w = new Transaction();
    w.add(workers.withdraw({ package: PKG, arguments: { worker: WORKER } }));
    expect(decodeMoveCall(w, WORKERS_FUNCTIONS.withdraw).arguments).toEqual(expectedArguments(WORKERS_FUNCTIONS.withdraw, { worker: WORKER }));
    const a = new Transaction();
    a.add(workers.approve({ package: PKG, arguments: { cap: CAP, worker: WORKER } }));
    expect(decodeMoveCall(a, WORKERS_FUNCTIONS.approve).arguments).toEqual(expectedArguments(WORKERS_FUNCTIONS.approve, { cap: CAP, worker: WORKER }));
  });

  it('slash', () => {
    const tx = new Transaction();
    tx.add(workers.slash({ package: PKG, arguments: { cap: CAP, cluster: CLUSTER, worker: WORKER, amount: 77n, reason: 3 } }));
    const call = decodeMoveCall(tx, WORKERS_FUNCTIONS.slash);
    expect(call.target).toBe(`${PKG}::workers::slash`);
    expect(call.arguments).toEqual(expectedArguments(WORKERS_FUNCTIONS.slash, { cap: CAP, cluster: CLUSTER, worker: WORKER, amount: 77, reason: 3 }));
  });
});
