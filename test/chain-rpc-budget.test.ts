/**
 * Issue 13, the serial request's round trips: what one kubectl request through the gateway asks of the node, counted
 * by the chain client's own interceptor (core/chain/call-stats.ts). One request at a time, with a checkpoint per
 * transaction: two transactions (each one simulation and one execution), one existence check of the Request by
 * nautilus, and one event page on each side (nautilus: the RequestSubmitted; the gateway: the ResponseStored).
 * Each of these is a round trip on the request's critical path, so one more is a regression that costs latency on
 * every request (as the follower once drained for every RequestSubmitted of every user and again on every wait).
 */
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainCalls } from '../src/core/chain/index.js';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import { gatewayToken } from './helpers/sandbox.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ checkpointMs: 0, proxyPort: null });
}, 90_000);
afterAll(async () => sb?.stop());

describe('chain RPCs per serial request', () => {
  it('two transactions, one existence check and one event page per side; nothing else', async () => {
    const token = await gatewayToken(sb);
    const dispatcher = new Agent({ connect: { ca: sb.tls.caPem } });
    const get = async () => {
      const res = await request(`${sb.gatewayUrl}/api/v1/namespaces/default/configmaps`, { dispatcher, headers: { authorization: `Bearer ${token}` } });
      const body = await res.body.text();
      expect(res.statusCode, body).toBe(200);
    };
    for (let i = 0; i < 3; i++) await get(); // caches: gas price, object refs, Move function signatures
    const before = chainCalls.snapshot();
    const N = 10;
    for (let i = 0; i < N; i++) await get();
    const after = chainCalls.snapshot();
    await dispatcher.close();
    // Gateway and nautilus share this process (and its interceptor): their calls add up here.
    const perRequest = Object.fromEntries(
      Object.entries(after)
        .filter(([m]) => m !== 'SubscribeEvents')
        .map(([m, s]) => [m, (s.calls - (before[m]?.calls ?? 0)) / N] as const)
        .filter(([, n]) => n > 0),
    );
    // Background work (a gas coin topped up, a safety poll) may add a call now and then: allow a tenth of one.
    const within = (n: number | undefined, expected: number) => {
      expect(n ?? 0).toBeGreaterThanOrEqual(expected);
      expect(n ?? 0).toBeLessThanOrEqual(expected + 0.1);
    };
    within(perRequest.SimulateTransaction, 2);
    within(perRequest.ExecuteTransaction, 2);
    within(perRequest.BatchGetObjects, 1);
    within(perRequest.ListEvents, 2);
    const total = Object.values(perRequest).reduce((a, b) => a + b, 0);
    expect(total, JSON.stringify(perRequest)).toBeLessThanOrEqual(7.3);
  }, 60_000);
});
