import { bcs } from '@mysten/sui/bcs';
import { fromBase58, normalizeSuiAddress, toBase58 } from '@mysten/sui/utils';
import { describe, expect, it } from 'vitest';
import { decodeTransaction, isRenderedTypeTag, reencodesExactly } from './transaction-bytes.js';
import { TxRejected } from './errors.js';

/** The check as it was: parse, then re-serialize and compare lengths. */
function decodeByReserializing(txBytes: Uint8Array) {
  let parsed: ReturnType<typeof bcs.TransactionData.parse>;
  try {
    parsed = bcs.TransactionData.parse(txBytes);
  } catch (err) {
    throw new TxRejected(3, `transaction bytes are not a BCS TransactionData: ${(err as Error).message}`);
  }
  if (!parsed.V1) throw new TxRejected(3, 'unsupported TransactionData version');
  if (bcs.TransactionData.serialize(parsed).toBytes().length !== txBytes.length) throw new TxRejected(3, 'transaction bytes have trailing data');
  return parsed.V1;
}

function outcome(fn: () => unknown): unknown {
  try {
    return { value: fn() };
  } catch (err) {
    return { error: (err as Error).constructor.name, message: (err as Error).message };
  }
}

const A = normalizeSuiAddress('0xa11ce');
const digest = toBase58(new Uint8Array(32).fill(9));
const otherDigest = toBase58(new Uint8Array(32).fill(5));
const ref = { objectId: normalizeSuiAddress('0xc0'), version: '4', digest };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function tx(over: { typeArguments?: any[]; expiration?: any; inputs?: any[]; vecType?: any } = {}): Uint8Array {
  return bcs.TransactionData.serialize({
    V1: {
      kind: {
        ProgrammableTransaction: {
          inputs: over.inputs ?? [
            { Pure: { bytes: new Uint8Array([1, 2, 3]) } },
            { Object: { ImmOrOwnedObject: ref } },
            { Object: { SharedObject: { objectId: normalizeSuiAddress('0x6'), initialSharedVersion: '1', mutable: false } } },
          ],
          commands: [
            { MoveCall: { package: normalizeSuiAddress('0x2'), module: 'coin', function: 'zero', typeArguments: over.typeArguments ?? ['0x2::sui::SUI', 'vector<0x2::coin::Coin<0x2::sui::SUI>>', 'u64'], arguments: [{ Input: 0 }] } },
            { MakeMoveVec: { type: over.vecType ?? null, elements: [{ Input: 0 }] } },
          ],
        },
      },
      sender: A,
      gasData: { payment: [ref], owner: A, price: '1000', budget: '5000000' },
      expiration: over.expiration ?? { None: true },
    },
  }).toBytes();
}

function withTrailing(bytes: Uint8Array, extra = [0]): Uint8Array {
  return Uint8Array.from([...bytes, ...extra]);
}

/** Replaces the last occurrence of the bytes `from` in `bytes` by `to`. */
function replace(bytes: Uint8Array, from: ArrayLike<number>, to: ArrayLike<number>): Uint8Array {
  const hay = Buffer.from(bytes);
  const at = hay.lastIndexOf(Buffer.from(Array.from(from)));
  if (at < 0) throw new Error('not found');
  return Uint8Array.from([...hay.subarray(0, at), ...Array.from(to), ...hay.subarray(at + from.length)]);
}

/** Replaces the last length-prefixed `from` by a length-prefixed `to` (a digest of another length). */
const splice = (bytes: Uint8Array, from: Uint8Array, to: Uint8Array) => replace(bytes, [from.length, ...from], [to.length, ...to]);

const weirdName = (name: string) => ({ struct: { address: normalizeSuiAddress('0x2'), module: 'm', name, typeParams: [] } });

describe('decodeTransaction', () => {
  const cases: Record<string, Uint8Array> = {
    'SDK-shaped': tx(),
    'ValidDuring expiration': tx({ expiration: { ValidDuring: { minEpoch: '0', maxEpoch: '1', minTimestamp: null, maxTimestamp: '99', chain: digest, nonce: 7 } } }),
    'Epoch expiration': tx({ expiration: { Epoch: 12 } }),
    'huge Epoch expiration': tx({ expiration: { Epoch: '18446744073709551615' } }),
    'Validity expiration': tx({ expiration: { Validity: { minEpoch: null, maxEpoch: null, minTimestamp: null, maxTimestamp: null, chain: digest, nonce: 1, allowedProposers: { epoch: '0', proposers: [1, 2] } } } }),
    // Readable, but the SDK refuses to write proposers out of order.
    'Validity with unordered proposers': replace(
      tx({ expiration: { Validity: { minEpoch: null, maxEpoch: null, minTimestamp: null, maxTimestamp: null, chain: digest, nonce: 1, allowedProposers: { epoch: '0', proposers: [1, 2] } } } }),
      [2, 1, 0, 0, 0, 2, 0, 0, 0],
      [2, 2, 0, 0, 0, 1, 0, 0, 0],
    ),
    'typed MakeMoveVec': tx({ vecType: 'vector<u8>' }),
    'type name with a space': tx({ typeArguments: [weirdName('a b')] }),
    'type name with <': tx({ typeArguments: [weirdName('a<b')] }),
    'type name with ,': tx({ typeArguments: [{ struct: { ...weirdName('x').struct, typeParams: [weirdName('a, 0x2::m::b')] } }] }),
    'empty type name': tx({ typeArguments: [weirdName('')] }),
    'gas digest of 31 bytes': splice(tx({ inputs: [] }), fromBase58(digest), new Uint8Array(31).fill(9)),
    'input digest of 33 bytes': splice(tx({ inputs: [{ Object: { Receiving: { ...ref, digest: otherDigest } } }] }), fromBase58(otherDigest), new Uint8Array(33).fill(9)),
    garbage: new Uint8Array([1, 2, 3, 4, 5]),
    'other version': new Uint8Array([1, 0, 0]),
  };
  for (const [name, bytes] of Object.entries(cases)) {
    it(`decides as re-serializing did: ${name}, and with trailing bytes`, () => {
      expect(outcome(() => decodeTransaction(bytes))).toEqual(outcome(() => decodeByReserializing(bytes)));
      const trailing = withTrailing(bytes);
      expect(outcome(() => decodeTransaction(trailing))).toEqual(outcome(() => decodeByReserializing(trailing)));
    });
  }

  it('takes the reader position only for values the SDK re-encodes byte for byte', () => {
    expect(reencodesExactly(decodeTransaction(cases['SDK-shaped']!))).toBe(true);
    expect(reencodesExactly(decodeTransaction(cases['ValidDuring expiration']!))).toBe(true);
    expect(() => decodeTransaction(withTrailing(cases['SDK-shaped']!))).toThrow(/trailing data/);
    const parsed = (b: Uint8Array) => bcs.TransactionData.parse(b).V1!;
    expect(reencodesExactly(parsed(cases['type name with <']!))).toBe(false);
    expect(reencodesExactly(parsed(cases['Validity expiration']!))).toBe(false);
    expect(reencodesExactly(parsed(cases['huge Epoch expiration']!))).toBe(false);
    expect(reencodesExactly(parsed(cases['gas digest of 31 bytes']!))).toBe(false);
  });

  it('recognises type tags as the SDK renders them', () => {
    const c = normalizeSuiAddress('0x2');
    for (const t of ['u8', 'address', 'signer', 'vector<u64>', `${c}::sui::SUI`, `${c}::coin::Coin<${c}::sui::SUI>`, `${c}::m::P<u8, vector<${c}::m::Q<bool, u256>>>`]) {
      expect(isRenderedTypeTag(t), t).toBe(true);
    }
    for (const t of ['', 'u9', 'vector', 'vector<u8', 'vector<u8>>', '0x2::sui::SUI', `${c}::m::P<u8,u8>`, `${c}::m::P<>`, `${c}::m::a b`, `${c}::m::P<u8> `, `${c}::m::`, `${c.toUpperCase()}::m::N`]) {
      expect(isRenderedTypeTag(t), t).toBe(false);
    }
  });
});
