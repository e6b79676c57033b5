import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.js';
import { bisect } from './bisect.js';
import { fulfilled, type Settled } from './settled.js';

function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
}

describe('Batcher', () => {
  it('sends the first item at once and gathers the ones that arrive while it is in flight', async () => {
    const batches: number[][] = [];
    const first = gate();
    const b = new Batcher<number, number>({
      limits: { maxInFlight: 1, maxItems: 10, maxBytes: Infinity },
      run: async (items) => {
        batches.push(items);
        if (batches.length === 1) await first.p;
        return items.map((i) => fulfilled(i * 10));
      },
    });
    const a = b.submit(1);
    expect(batches).toEqual([[1]]); // no window when idle
    const rest = [2, 3, 4].map((i) => b.submit(i));
    expect(b.stats.waiting).toBe(3);
    first.open();
    expect(await Promise.all([a, ...rest])).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('with a window: idle sends at once; busy, a free slot waits the window to gather a burst, or less when full', async () => {
    const batches: number[][] = [];
    const gates: Array<ReturnType<typeof gate>> = [];
    let fire: (() => void) | undefined;
    let armed = 0;
    const b = new Batcher<number, number>({
      limits: { maxInFlight: 3, maxItems: 4, maxBytes: Infinity },
      window: () => 20,
      timers: { setTimeout: (fn, ms) => ((armed = ms), (fire = fn)), clearTimeout: () => (fire = undefined) },
      run: async (items) => {
        batches.push(items);
        const g = gate();
        gates.push(g);
        await g.p;
        return items.map((i) => fulfilled(i));
      },
    });
    const first = b.submit(1);
    expect(batches).toEqual([[1]]); // idle: no window
    const burst = [2, 3].map((i) => b.submit(i));
    expect(batches).toEqual([[1]]); // a slot is free, but one batch is in flight: wait for more
    expect(armed).toBe(20);
    const more = [4].map((i) => b.submit(i));
    fire!(); // the window closes: whatever gathered goes as one batch
    expect(batches).toEqual([[1], [2, 3, 4]]);
    const full = [5, 6, 7, 8].map((i) => b.submit(i));
    expect(batches).toEqual([[1], [2, 3, 4], [5, 6, 7, 8]]); // a full batch does not wait
    gates.forEach((g) => g.open());
    expect(await Promise.all([first, ...burst, ...more, ...full])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Idle again: the next item goes at once.
    const next = b.submit(9);
    expect(batches.at(-1)).toEqual([9]);
    gates.at(-1)!.open();
    expect(await next).toBe(9);
  });

  it('respects maxItems and maxBytes; an oversized item goes alone', async () => {
    const batches: number[][] = [];
    const first = gate();
    const b = new Batcher<number, number>({
      limits: { maxInFlight: 1, maxItems: 3, maxBytes: 10 },
      sizeOf: (i) => i,
      run: async (items) => {
        batches.push(items);
        if (batches.length === 1) await first.p;
        return items.map((i) => fulfilled(i));
      },
    });
    const all = [0, 1, 1, 1, 1, 4, 4, 4, 50, 1].map((i) => b.submit(i));
    first.open();
    await Promise.all(all);
    expect(batches).toEqual([[0], [1, 1, 1], [1, 4, 4], [4], [50], [1]]);
  });

  it('gives each item its own outcome, and a thrown batch fails each of its items', async () => {
    const b = new Batcher<number, number>({
      limits: { maxInFlight: 2, maxItems: 10, maxBytes: Infinity },
      run: async (items) => {
        if (items.includes(99)) throw new Error('down');
        return items.map((i): Settled<number> => (i % 2 ? fulfilled(i) : { ok: false, error: new Error(`even ${i}`) }));
      },
    });
    await expect(b.submit(1)).resolves.toBe(1);
    await expect(b.submit(2)).rejects.toThrow('even 2');
    await expect(b.submit(99)).rejects.toThrow('down');
  });
});

describe('bisect', () => {
  it('a refused item fails alone; the others run, in as few batches as bisection needs', async () => {
    const runs: number[][] = [];
    const bad = new Set([5]);
    const out = await bisect([1, 2, 3, 4, 5, 6, 7, 8], {
      many: async (items) => {
        runs.push(items);
        if (items.some((i) => bad.has(i))) throw new Error('abort');
        return items.map((i) => fulfilled(i));
      },
      one: async (i) => {
        runs.push([i]);
        if (bad.has(i)) throw new Error(`abort ${i}`);
        return i;
      },
      splittable: () => true,
    });
    expect(out.map((o) => (o.ok ? o.value : (o.error as Error).message))).toEqual([1, 2, 3, 4, 'abort 5', 6, 7, 8]);
    // Every good item ran exactly once.
    const good = runs.filter((r) => !r.some((i) => bad.has(i))).flat();
    expect(good.sort()).toEqual([1, 2, 3, 4, 6, 7, 8]);
  });

  it('does not split a failure no item caused', async () => {
    let calls = 0;
    const out = await bisect([1, 2, 3], {
      many: async () => (calls++, Promise.reject(new Error('unreachable'))),
      one: async (i) => i,
      splittable: () => false,
    });
    expect(calls).toBe(1);
    expect(out.every((o) => !o.ok)).toBe(true);
  });
});
