import { describe, expect, it } from 'vitest';
import { ObjectLocks } from './object-locks.js';

const A = '0xa';
const B = '0xb';
const C = '0xc';
const tick = () => new Promise((r) => setImmediate(r));

describe('ObjectLocks', () => {
  it('grants each object to one holder at a time, first come first served, and never deadlocks on overlapping sets', async () => {
    const locks = new ObjectLocks();
    const order: string[] = [];
    const r1 = await locks.acquire([A, B]);
    const p2 = locks.acquire([B, C]).then((r) => (order.push('2'), r));
    const p3 = locks.acquire([C, A]).then((r) => (order.push('3'), r));
    const p4 = locks.acquire([C]).then((r) => (order.push('4'), r));
    await tick();
    expect(order).toEqual([]);
    r1();
    const r2 = await p2;
    await tick();
    // 3 waits for C (held by 2); 4 arrived after 3 and waits behind it on C.
    expect(order).toEqual(['2']);
    r2();
    const r3 = await p3;
    await tick();
    expect(order).toEqual(['2', '3']);
    r3();
    (await p4)();
    expect(locks.held).toEqual([]);
  });

  it('lets one object go early (an input found to be shared) and leaves the queue when aborted', async () => {
    const locks = new ObjectLocks();
    const r1 = await locks.acquire([A, B]);
    const waiting = locks.acquire([A]);
    r1.only(A);
    (await waiting)();
    expect(locks.isHeld(B)).toBe(true);
    const abort = new AbortController();
    const blocked = locks.acquire([B, C], abort.signal);
    const after = locks.acquire([C]);
    abort.abort(new Error('gave up'));
    await expect(blocked).rejects.toThrow('gave up');
    (await after)();
    r1();
    expect(locks.held).toEqual([]);
  });
});
