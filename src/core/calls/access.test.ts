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
  it('stake: payment is a split coin, role a u8', () => {
    const tx = new Transaction();
    const [coin] = tx.splitCoins(tx.gas, [1_000_000n]);
    tx.add(access.stake({ package: PKG, arguments: { cluster: CLUSTER, payment: coin, role: ROLES.editor } }));
    const data = tx.getData();
    const move = data.commands[1].MoveCall!;
    expect(`${move.module}::${move.function}`).toBe('access::stake');
    expect(move.arguments[1]).toMatchObject({ $kind: 'NestedResult', NestedResult: [0, 0] });
    const role = data.inputs[(move.arguments[2] as { Input: number }).Input].Pure!.bytes;
    expect(Buffer.from(role, 'base64')).toEqual(Buffer.from([1]));
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
    tx.add(access.slash({ package: PKG, arguments: { cap: CAP, cluster: CLUSTER, tokenId: TOKEN, amount: 2n ** 64n - 1n } }));
    const call = decodeMoveCall(tx, ACCESS_FUNCTIONS.slash);
    expect(call.target).toBe(`${PKG}::access::slash`);
    expect(call.arguments).toEqual(
      expectedArguments(ACCESS_FUNCTIONS.slash, { cap: CAP, cluster: CLUSTER, token_id: TOKEN, amount: 2n ** 64n - 1n }),
    );
  });

  it('a missing object argument is an AbiError naming the parameter', () => {
    const tx = new Transaction();
    expect(() =>
      tx.add(access.unstake({ package: PKG, arguments: { cluster: CLUSTER, token: undefined as unknown as string } })),
    ).toThrowError(/access::unstake\(token\): missing/);
  });
});
