import { describe, expect, it } from 'vitest';
import { bcs } from '@mysten/sui/bcs';
import { checkPure, splitVector, vectorBytes } from './pure.js';

describe('pure argument checks', () => {
  it('accepts exact BCS and names the problem otherwise', () => {
    expect(checkPure(bcs.u64().serialize(5).toBytes(), 'u64')).toBeUndefined();
    expect(checkPure(new Uint8Array(7), 'u64')).toMatch(/truncated/);
    expect(checkPure(new Uint8Array(9), 'u64')).toMatch(/trailing/);
    expect(checkPure(new Uint8Array([2]), 'bool')).toMatch(/invalid bool/);
    expect(checkPure(bcs.string().serialize('héllo').toBytes(), { struct: '0x1::string::String' })).toBeUndefined();
    expect(checkPure(new Uint8Array([2, 0xff, 0xfe]), { struct: '0x1::string::String' })).toMatch(/UTF-8/);
    const chunks = bcs.vector(bcs.byteVector()).serialize([new Uint8Array([1, 2]), new Uint8Array(300)]).toBytes();
    expect(checkPure(chunks, { vector: { vector: 'u8' } })).toBeUndefined();
    expect(checkPure(bcs.option(bcs.Address).serialize(null).toBytes(), { struct: '0x1::option::Option', typeArgs: ['address'] })).toBeUndefined();
  });

  it('builds and splits vectors', () => {
    const v = vectorBytes([bcs.u64().serialize(1).toBytes(), bcs.u64().serialize(2).toBytes()]);
    expect(v).toEqual(bcs.vector(bcs.u64()).serialize([1, 2]).toBytes());
    expect(splitVector(v, 8).map((b) => b[0])).toEqual([1, 2]);
  });
});
