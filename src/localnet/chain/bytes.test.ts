import { randomBytes } from 'node:crypto';
import { fromBase64 as sdkFromBase64, fromHex as sdkFromHex, toBase64 as sdkToBase64, toHex as sdkToHex } from '@mysten/sui/utils';
import { describe, expect, it } from 'vitest';
import { fromBase64, fromHex, toBase64, toHex } from './bytes.js';

/** What a call returns or throws, comparable across implementations. */
function outcome(fn: () => unknown): unknown {
  try {
    const v = fn();
    return { value: v instanceof Uint8Array ? { type: v.constructor.name, offset: v.byteOffset, shared: v.buffer.byteLength !== v.length, bytes: [...v] } : v };
  } catch (err) {
    return { error: (err as Error).constructor.name, message: (err as Error).message };
  }
}

const samples = [0, 1, 2, 3, 31, 32, 33, 64, 97, 1000, 8191, 8192, 20_000].map((n) => new Uint8Array(randomBytes(n)));

describe('native base64 and hex, as @mysten/utils converts', () => {
  it('encodes the same text (views into larger buffers included)', () => {
    for (const b of [...samples, samples[9]!.subarray(3, 50)]) {
      expect(toBase64(b)).toBe(sdkToBase64(b));
      expect(toHex(b)).toBe(sdkToHex(b));
    }
  });

  it('decodes the same bytes into fresh, unshared arrays', () => {
    for (const b of samples) {
      expect(outcome(() => fromBase64(sdkToBase64(b)))).toEqual(outcome(() => sdkFromBase64(sdkToBase64(b))));
      const hex = sdkToHex(b);
      for (const text of [hex, `0x${hex}`, hex.toUpperCase(), hex.slice(1), `0x${hex.slice(1)}`]) expect(outcome(() => fromHex(text))).toEqual(outcome(() => sdkFromHex(text)));
    }
  });

  it('accepts and refuses what the SDK accepts and refuses, with its errors', () => {
    for (const text of ['', 'AQID', 'AQI', 'AQI=', 'AQ', 'AQ==', 'A', 'A===', ' AQID', 'AQ ID', 'AQID\n', '-_-_', 'AQ=D', '!!!!', 'AQID====', '\u00e9AAA']) {
      expect(outcome(() => fromBase64(text)), JSON.stringify(text)).toEqual(outcome(() => sdkFromBase64(text)));
    }
    for (const text of ['', '0x', '0', 'g0', '0g', 'zz', '0x0x12', '0X12', '12 34', 'abc', 'ABCDEF', '0xabcdefgh', '\u00e9']) {
      expect(outcome(() => fromHex(text)), JSON.stringify(text)).toEqual(outcome(() => sdkFromHex(text)));
    }
  });
});
