import { describe, expect, it } from 'vitest';
import type { IndexedEvent } from '../chain/chain.js';
import { firstAtLeast } from './events.js';

const ev = (checkpoint: bigint, txIndex: number, eventIndex: number) => ({ checkpoint, txIndex, eventIndex }) as IndexedEvent;
const key = (e: IndexedEvent) => (e.checkpoint << 64n) | (BigInt(e.txIndex) << 32n) | BigInt(e.eventIndex);

describe('firstAtLeast', () => {
  it('finds the first event at or past a key, as a scan would', () => {
    const events = [ev(1n, 0, 0), ev(1n, 0, 1), ev(1n, 2, 0), ev(3n, 0, 0), ev(3n, 0, 5), ev(7n, 1, 0)];
    const probes = [0n, ...events.flatMap((e) => [key(e) - 1n, key(e), key(e) + 1n]), 8n << 64n, 3n << 64n, 2n << 64n];
    for (const k of probes) {
      const scan = events.findIndex((e) => key(e) >= k);
      expect(firstAtLeast(events, k), String(k)).toBe(scan < 0 ? events.length : scan);
    }
    expect(firstAtLeast([], 5n)).toBe(0);
  });
});
