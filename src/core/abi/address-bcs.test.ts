import { bcs } from '@mysten/sui/bcs';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addressBcs } from './address-bcs.js';

/** What a schema does with a value: its bytes and what it reads back, or that it refuses it. */
function outcome(schema: typeof addressBcs, value: unknown) {
  try {
    const bytes = schema.serialize(value as string).toBytes();
    return { bytes: Buffer.from(bytes).toString('hex'), back: schema.parse(bytes) };
  } catch {
    return 'refused';
  }
}

describe('address BCS', () => {
  it('writes, reads and refuses exactly what the SDK’s bcs.Address does', () => {
    const random = Array.from({ length: 200 }, () => randomBytes(32));
    const values: unknown[] = [
      ...random.map((b) => `0x${b.toString('hex')}`),
      ...random.slice(0, 20).map((b) => b.toString('hex')),
      ...random.slice(0, 20).map((b) => `0x${b.toString('hex').toUpperCase()}`),
      ...random.slice(0, 20).map((b) => `0X${b.toString('hex')}`),
      ...random.slice(0, 20).map((b) => new Uint8Array(b)),
      '0x2', '0x6', '2', '0x', '0x0', '', '0x1g', 'xyz', ' 0x2', '0x2 ', `0x${'1'.repeat(65)}`, `0x${'0'.repeat(64)}`, `0x${'f'.repeat(63)}`,
      new Uint8Array(31), new Uint8Array(33), new Uint8Array(0),
    ];
    for (const v of values) expect(outcome(addressBcs, v), String(v)).toEqual(outcome(bcs.Address as never, v));
  });

  it('in a struct, as the SDK lays it out', () => {
    const id = `0x${randomBytes(32).toString('hex')}`;
    const ours = bcs.struct('S', { id: addressBcs, n: bcs.u64() });
    const sdk = bcs.struct('S', { id: bcs.Address, n: bcs.u64() });
    const bytes = ours.serialize({ id, n: 7n }).toBytes();
    expect(bytes).toEqual(sdk.serialize({ id, n: 7n }).toBytes());
    expect(ours.parse(bytes)).toEqual(sdk.parse(bytes));
  });
});
