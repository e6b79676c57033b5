import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalnet, type Localnet } from '../../localnet/index.js';
import { silentLogger } from '../log.js';
import { ChainCallStats, chainCalls } from './call-stats.js';
import { createChainClient } from './client.js';

let net: Localnet;
beforeAll(async () => {
  net = await startLocalnet({ port: 0, faucetPort: 0, ephemeral: true, checkpointMs: 0, logger: silentLogger });
});
afterAll(() => net?.stop());

describe('chain call stats', () => {
  it('counts and times every call of a chain client by method, failures apart, and renders them as counters', async () => {
    const before = chainCalls.snapshot();
    const client = createChainClient({ rpcUrl: net.rpcUrl });
    await client.core.getReferenceGasPrice();
    await client.core.getReferenceGasPrice();
    await client.core.getObjects({ objectIds: ['0x5'] });
    // A server stream is timed until it ends.
    const call = client.ledgerService.listEvents({ readMask: { paths: ['event_type'] }, options: { limit: 1 } } as any);
    for await (const _ of call.responses) void _;
    await call.status;
    await expect(client.core.getTransaction({ digest: 'not-a-digest' })).rejects.toThrow();
    await new Promise((r) => setImmediate(r));
    const after = chainCalls.snapshot();
    const delta = (m: string) => (after[m]?.calls ?? 0) - (before[m]?.calls ?? 0);
    expect(delta('GetEpoch')).toBe(2);
    expect(delta('BatchGetObjects')).toBe(1);
    expect(delta('ListEvents')).toBe(1);
    expect(delta('GetTransaction')).toBe(1);
    expect((after.GetTransaction?.failures ?? 0) - (before.GetTransaction?.failures ?? 0)).toBe(1);
    expect(after.GetEpoch!.seconds).toBeGreaterThan(before.GetEpoch?.seconds ?? 0);

    const text = chainCalls.metrics().map((m) => m.render()).join('\n');
    expect(text).toMatch(new RegExp(`^k3sdaas_chain_rpc_calls_total\\{method="GetEpoch"\\} ${after.GetEpoch!.calls}$`, 'm'));
    expect(text).toMatch(/^k3sdaas_chain_rpc_seconds_total\{method="ListEvents"\} [0-9.e-]+$/m);
  });

  it('a fresh collector starts empty and sums what it is told', () => {
    const s = new ChainCallStats();
    expect(s.snapshot()).toEqual({});
    s.observe('ExecuteTransaction', 0.25, true);
    s.observe('ExecuteTransaction', 0.5, false);
    expect(s.snapshot()).toEqual({ ExecuteTransaction: { calls: 2, failures: 1, seconds: 0.75 } });
  });
});
