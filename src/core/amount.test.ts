import { describe, expect, it } from 'vitest';
import { AmountError, formatAmount, formatAmountExact, parseAmount } from './amount.js';

describe('parseAmount', () => {
  const ok: Array<[string, bigint]> = [
    ['1.5SUI', 1_500_000_000n],
    ['1.5 SUI', 1_500_000_000n],
    ['1.5sui', 1_500_000_000n],
    ['0.1SUI', 100_000_000n],
    ['.25SUI', 250_000_000n],
    ['10SUI', 10_000_000_000n],
    ['10.SUI', 10_000_000_000n],
    ['0.000000001SUI', 1n],
    ['1500000000', 1_500_000_000n],
    ['1500000000MIST', 1_500_000_000n],
    ['1_000_000_000', 1_000_000_000n],
    [' 7 mist ', 7n],
  ];
  for (const [input, mist] of ok) it(`${JSON.stringify(input)} → ${mist}`, () => expect(parseAmount(input)).toBe(mist));

  const bad: Array<[string, RegExp]> = [
    ['', /invalid amount/],
    ['abc', /invalid amount 'abc'/],
    ['1.5', /MIST is an integer \(did you mean 1.5SUI\?\)/],
    ['1.5MIST', /MIST is an integer/],
    ['0.0000000001SUI', /at most 9 decimals/],
    ['0', /more than zero/],
    ['0SUI', /more than zero/],
    ['-1SUI', /invalid amount/],
    ['1e9', /invalid amount/],
    ['1 ETH', /invalid amount/],
    ['18446744073709551616', /too large/],
  ];
  for (const [input, message] of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      expect(() => parseAmount(input)).toThrow(AmountError);
      expect(() => parseAmount(input)).toThrow(message);
    });
  }
});

describe('formatAmount', () => {
  it('always prints a unit, without trailing zeros', () => {
    expect(formatAmount(1_500_000_000n)).toBe('1.5 SUI');
    expect(formatAmount(10_000_000_000n)).toBe('10 SUI');
    expect(formatAmount(1n)).toBe('0.000000001 SUI');
    expect(formatAmount(0n)).toBe('0 SUI');
    expect(formatAmount(-2_000_000_000n)).toBe('-2 SUI');
    expect(formatAmountExact(100_000_000n)).toBe('0.1 SUI (100000000 MIST)');
  });
  it('round-trips', () => {
    for (const v of [1n, 999n, 123_456_789_012n, 5_000_000_000n]) expect(parseAmount(formatAmount(v).replace(' ', ''))).toBe(v);
  });
});
