import { ObjectError } from '@mysten/sui/client';
import { describe, expect, it } from 'vitest';
import type { ChainClient } from './client.js';
import { ObjectExistence } from './object-existence.js';

/** A client whose getObjects knows `live` and records each call's ids. */
function fakeClient(live: Set<string>, fail?: Error, shared: Record<string, string> = {}) {
  const calls: string[][] = [];
  const client = {
    core: {
      async getObjects({ objectIds }: { objectIds: string[] }) {
        calls.push(objectIds);
        if (fail) throw fail;
        return { objects: objectIds.map((id) => (live.has(id) ? { objectId: id, owner: shared[id] ? { $kind: 'Shared', Shared: { initialSharedVersion: shared[id] } } : { $kind: 'AddressOwner', AddressOwner: '0xa' } } : new ObjectError('notExists', `${id} not found`, { reason: 'notFound', objectId: id } as never))) };
      },
    },
  } as unknown as ChainClient;
  return { client, calls };
}

describe('object existence', () => {
  it('questions of one tick go out as one BatchGetObjects; each gets its own answer', async () => {
    const { client, calls } = fakeClient(new Set(['0x1', '0x3']));
    const e = new ObjectExistence(client);
    const answers = await Promise.all(['0x1', '0x2', '0x3', '0x1'].map((id) => e.exists(id)));
    expect(answers).toEqual([true, false, true, true]);
    // Deduplicated, in the order asked.
    expect(calls).toEqual([['0x1', '0x2', '0x3']]);
    expect(e.rpcs).toBe(1);
    // A later tick is a new batch.
    expect(await e.exists('0x2')).toBe(false);
    expect(calls).toHaveLength(2);
  });

  it('pages by 50 ids; questions with another abort signal go in their own call', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => `0x${i}`);
    const { client, calls } = fakeClient(new Set(ids.filter((_, i) => i % 2 === 0)));
    const e = new ObjectExistence(client);
    const other = new AbortController().signal;
    const [answers, lone] = await Promise.all([Promise.all(ids.map((id) => e.exists(id))), e.exists('0x0', other)]);
    expect(answers).toEqual(ids.map((_, i) => i % 2 === 0));
    expect(lone).toBe(true);
    expect(calls.map((c) => c.length)).toEqual([50, 50, 20, 1]);
  });

  it('an RPC failure rejects every question it carried', async () => {
    const { client } = fakeClient(new Set(), new Error('fetch failed'));
    const e = new ObjectExistence(client);
    const results = await Promise.allSettled([e.exists('0x1'), e.exists('0x2')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason.message).toBe('fetch failed');
  });

  it('keeps the initial shared version of shared objects it found, until forgotten', async () => {
    const { client } = fakeClient(new Set(['0x1', '0x2']), undefined, { '0x1': '17' });
    const e = new ObjectExistence(client);
    expect(await Promise.all([e.exists('0x1'), e.exists('0x2'), e.exists('0x3')])).toEqual([true, true, false]);
    expect([e.sharedVersion('0x1'), e.sharedVersion('0x2'), e.sharedVersion('0x3')]).toEqual(['17', undefined, undefined]);
    e.forget('0x1');
    expect(e.sharedVersion('0x1')).toBeUndefined();
  });
});
