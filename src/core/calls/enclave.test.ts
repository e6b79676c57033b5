import { Transaction } from '@mysten/sui/transactions';
import { describe, expect, it } from 'vitest';
import { ENCLAVE_FUNCTIONS } from '../abi/package.js';
import * as enclave from './enclave.js';
import { decodeMoveCall, expectedArguments } from './testing.js';

const PKG = '0x' + 'ab'.repeat(32);
const CAP = '0x' + 'c1'.repeat(32);
const CLUSTER = '0x' + 'c2'.repeat(32);

describe('enclave calls', () => {
  it('registerDebug: the Clock defaults to 0x6', () => {
    const tx = new Transaction();
    tx.add(enclave.registerDebug({ package: PKG, arguments: { cap: CAP, cluster: CLUSTER, publicKey: new Uint8Array(32).fill(5) } }));
    const call = decodeMoveCall(tx, ENCLAVE_FUNCTIONS.register_debug);
    expect(call.target).toBe(`${PKG}::enclave::register_debug`);
    expect(call.arguments).toEqual(
      expectedArguments(ENCLAVE_FUNCTIONS.register_debug, { cap: CAP, cluster: CLUSTER, public_key: new Uint8Array(32).fill(5) }),
    );
  });

  it('registerAttested: the cap first, then the cluster and the attestation document as a result of an earlier command', () => {
    const tx = new Transaction();
    const [document] = tx.moveCall({ target: '0x2::nitro_attestation::load_nitro_attestation', arguments: [] });
    tx.add(enclave.registerAttested({ package: PKG, arguments: { cap: CAP, cluster: CLUSTER, document } }));
    const data = tx.getData();
    const call = data.commands[1].MoveCall!;
    expect(`${call.module}::${call.function}`).toBe('enclave::register_attested');
    expect(call.arguments).toHaveLength(4);
    const input = (i: number) => data.inputs[(call.arguments[i] as { Input: number }).Input];
    expect(input(0).UnresolvedObject?.objectId).toBe(CAP);
    expect(input(1).UnresolvedObject?.objectId).toBe(CLUSTER);
    expect(call.arguments[2]).toMatchObject({ $kind: 'NestedResult', NestedResult: [0, 0] });
    expect(input(3).UnresolvedObject?.objectId).toBe('0x' + '0'.repeat(63) + '6');
  });
});
