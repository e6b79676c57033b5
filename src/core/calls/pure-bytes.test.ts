import { randomBytes } from 'node:crypto';
import { Transaction } from '@mysten/sui/transactions';
import { describe, expect, it } from 'vitest';
import { PureBytes } from './pure-bytes.js';

describe('branded pure bytes', () => {
  it('make the same transaction input as the bytes themselves, at every base64 padding and SDK chunk size', () => {
    const mine = new Transaction();
    const sdk = new Transaction();
    for (const n of [0, 1, 2, 3, 4, 100, 8191, 8192, 8193, 20_000]) {
      const big = randomBytes(n + 7);
      // A view into a larger buffer, as chunkBody hands out.
      const b = new Uint8Array(big.buffer, big.byteOffset + 3, n);
      mine.pure(new PureBytes(b) as unknown as Uint8Array);
      sdk.pure(Uint8Array.from(b));
    }
    expect(mine.getData().inputs).toEqual(sdk.getData().inputs);
  });
});
