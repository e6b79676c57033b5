import { Transaction } from '@mysten/sui/transactions';
import { describe, expect, it } from 'vitest';
import { ACCESS_FUNCTIONS, ROLES } from '../abi/package.js';
import * as access from './access.js';
import { decodeMoveCall, expectedArguments } from './testing.js';

const PKG = '0x' + 'ab'.repeat(32);
const CAP = '0x' + 'c1'.repeat(32);
const CLUSTER = '0x' + 'c2'.repeat(32);
const TOKEN = '0x' + 'd4'.repeat(32);
const CLOCK = '0x' + 'e5'.repeat(32);

describe('access calls', () => {
  it('stake: payment is a split coin, namespace a String', () => {
    const tx = new Transaction();
    const [coin] = tx.splitCoins(tx.gas, [1_000_000n]);
    tx.add(access.stake({ package: PKG, arguments: { cluster: CLUSTER, payment: coin, namespace: 'team-a' } }));
    const data = tx.getData();
    const move = data.commands[1].MoveCall!;
    expect(`${move.module}::${move.function}`).toBe('access::stake');
    expect(move.arguments[1]).toMatchObject({ $kind: 'NestedResult', NestedResult: [0, 0] });
    const namespace = data.inputs[(move.arguments[2] as { Input: number }).Input].Pure!.bytes;
    expect(Buffer.from(namespace, 'base64')).toEqual(Buffer.from([6, ...Buffer.from('team-a')]));
  });

  it('unstake: explicit clock', () => {
    const tx = new Transaction();
    tx.add(access.unstake({ package: PKG, arguments: { cluster: CLUSTER, token: TOKEN, clock: CLOCK } }));
    const call = decodeMoveCall(tx, ACCESS_FUNCTIONS.unstake);
    expect(call.target).toBe(`${PKG}::access::unstake`);
    expect(call.arguments).toEqual(expectedArguments(ACCESS_FUNCTIONS.unstake, { cluster: CLUSTER, token: TOKEN, clock: CLOCK }));
  });

  it('slash', () => {
    const tx = new Transaction();
    tx.add(access.slash({ package: PKG, arguments: { cap: CAP, cluster: CLUSTER, tokenId: TOKEN, amount: 2n ** 64n - 1n, reason: 2 } }));
    const call = decodeMoveCall(tx, ACCESS_FUNCTIONS.slash);
    expect(call.target).toBe(`${PKG}::access::slash`);
    expect(call.arguments).toEqual(
      expectedArguments(ACCESS_FUNCTIONS.slash, { cap: CAP, cluster: CLUSTER, token_id: TOKEN, amount: 2n ** 64n - 1n, reason: 2 }),
    );
  });

  it('a missing object argument is an AbiError naming the parameter', () => {
    const tx = new Transaction();
    expect(() =>
      tx.add(access.unstake({ package: PKG, arguments: { cluster: CLUSTER, token: undefined as unknown as string } })),
    ).toThrowError(/access::unstake\(token\): missing/);
  });
});

describe('tenancy calls', () => {
  const call = (f: (tx: Transaction) => unknown, abi: (typeof ACCESS_FUNCTIONS)[keyof typeof ACCESS_FUNCTIONS]) => {
    const tx = new Transaction();
    tx.add(f as (tx: Transaction) => never);
    return decodeMoveCall(tx, abi);
  };

  it('grant, revoke and reserve_namespace take the cap, the cluster and a token id or name', () => {
    const g = call(access.grant({ package: PKG, arguments: { cap: CAP, cluster: CLUSTER, tokenId: TOKEN, role: ROLES.admin } }), ACCESS_FUNCTIONS.grant);
    expect(g.target).toBe(`${PKG}::access::grant`);
    expect(g.arguments).toEqual(expectedArguments(ACCESS_FUNCTIONS.grant, { cap: CAP, cluster: CLUSTER, token_id: TOKEN, role: 2 }));
    const r = call(access.revoke({ package: PKG, arguments: { cap: CAP, cluster: CLUSTER, tokenId: TOKEN } }), ACCESS_FUNCTIONS.revoke);
    expect(r.arguments).toEqual(expectedArguments(ACCESS_FUNCTIONS.revoke, { cap: CAP, cluster: CLUSTER, token_id: TOKEN }));
    const n = call(access.reserveNamespace({ package: PKG, arguments: { cap: CAP, cluster: CLUSTER, namespace: 'ops' } }), ACCESS_FUNCTIONS.reserve_namespace);
    expect(n.arguments).toEqual(expectedArguments(ACCESS_FUNCTIONS.reserve_namespace, { cap: CAP, cluster: CLUSTER, namespace: 'ops' }));
  });

  it('stake_granted and topup take a coin', () => {
    const tx = new Transaction();
    const [coin] = tx.splitCoins(tx.gas, [5n]);
    tx.add(access.stakeGranted({ package: PKG, arguments: { cap: CAP, cluster: CLUSTER, payment: coin, role: ROLES.viewer } }));
    tx.add(access.topup({ package: PKG, arguments: { cluster: CLUSTER, tokenId: TOKEN, payment: coin } }));
    const [, granted, topup] = tx.getData().commands.map((c) => c.MoveCall!);
    expect(`${granted.module}::${granted.function}`).toBe('access::stake_granted');
    expect(granted.arguments[2]).toMatchObject({ NestedResult: [0, 0] });
    expect(`${topup.module}::${topup.function}`).toBe('access::topup');
    expect(topup.arguments[2]).toMatchObject({ NestedResult: [0, 0] });
  });
});
