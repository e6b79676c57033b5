/**
 * Issue 12, gas endurance: a gateway and nautilus whose accounts start with many small coins and one large one run
 * 2,000 requests with no gas failure, and their pools are healthy at the end. The real GatewaySubmitter (batched
 * `submit_via_gateway`), the real RequestTracker and the real NautilusService (batched `respond`) against localnet
 * and the embedded Kubernetes API; requests go straight to the submitter (no kubectl processes), many at once so
 * batches form on both sides.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIST_PER_SUI } from '../src/core/cluster-admin.js';
import { signCredential, type Credential } from '../src/core/credential.js';
import { decodeEvent } from '../src/core/events/index.js';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import type { Identity } from '../src/gateway/submitters.js';
import { stakedUser } from './helpers/e2e.js';

const DUST = { smallCoins: 40, smallMist: 1_000_000n, largeMist: 200n * MIST_PER_SUI };
const N = 2_000;
const CONCURRENCY = 64;

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ checkpointMs: 0, signerCoins: DUST });
}, 60_000);
afterAll(async () => sb?.stop());

/** Every ResponseStored of the sandbox cluster since the start, by request id (counted, to catch a double answer). */
async function answersOnChain(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let after: string | null = null;
  for (;;) {
    const page = await sb.client.core.listEvents({ filter: { emitModule: `${sb.packageId}::request` }, after, limit: 1_000 });
    for (const e of page.events) {
      const ev = decodeEvent(e, { packageId: sb.packageId });
      if (ev?.$kind === 'ResponseStored' && ev.clusterId === sb.clusterId) out.set(ev.requestId, (out.get(ev.requestId) ?? 0) + 1);
    }
    if (!page.hasNextPage || !page.endCursor) return out;
    after = page.endCursor;
  }
}

describe('gas endurance: gateway and nautilus from dust and one large coin', () => {
  it(`run ${N} requests with no gas failure, each answered once, and healthy pools at the end`, async () => {
    const started = Date.now();
    const user = await stakedUser(sb, 'editor', 2n * MIST_PER_SUI);
    const value: Credential = { clusterId: sb.clusterId, gateway: sb.gatewayAddress, tokenId: user.tokenId, expiresMs: BigInt(Date.now() + 600_000) };
    const signed = await signCredential(user.keypair, value);
    const identity: Identity = { user: user.address, credential: { bytes: signed.bytes, signature: signed.signature, value } };
    const submitter = sb.gatewaySubmitter;
    const tracker = sb.gatewayTracker;
    const enclaveKey = await tracker.enclaveKey();
    const failures: unknown[] = [];
    const outcomes = new Map<string, string>();
    let next = 0;
    const lane = async () => {
      while (next < N) {
        const i = next++;
        // Mostly reads, every tenth a write: nautilus executes both against the API and answers each on chain.
        const http =
          i % 10 === 0
            ? { method: 'POST', url: '/api/v1/namespaces/default/configmaps', headers: [['content-type', 'application/json']] as Array<[string, string]>, body: new TextEncoder().encode(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `gas-${i}` }, data: { i: String(i) } })) }
            : { method: 'GET', url: '/api/v1/namespaces/default/configmaps?limit=1', headers: [] as Array<[string, string]>, body: new Uint8Array() };
        try {
          const s = await submitter.submit(http, identity, enclaveKey);
          const outcome = await tracker.wait(s.requestId, s.deadlineMs, submitter.janitor);
          if (outcomes.has(s.requestId)) failures.push(new Error(`request ${s.requestId} resolved twice`));
          outcomes.set(s.requestId, outcome.$kind);
        } catch (err) {
          failures.push(err);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    await sb.nautilus.idle();
    const elapsed = Date.now() - started;

    expect(failures.map((f) => String((f as Error).message ?? f)).slice(0, 5)).toEqual([]);
    expect(outcomes.size).toBe(N);
    expect([...outcomes.values()].every((k) => k === 'ResponseStored')).toBe(true);
    const onChain = await answersOnChain();
    for (const id of outcomes.keys()) expect(onChain.get(id), id).toBe(1);

    const submits = submitter.batching;
    const answers = sb.nautilus.batching;
    console.log(
      `gas endurance: ${N} requests in ${(elapsed / 1000).toFixed(1)} s; ` +
        `submit batches ${JSON.stringify(submits)}; respond batches ${JSON.stringify(answers)}; ` +
        `gateway gas ${JSON.stringify(sb.gatewayExecutor.gas.health(), (_, v) => (typeof v === 'bigint' ? String(v) : v))}; ` +
        `nautilus gas ${JSON.stringify(sb.operatorExecutor.gas.health(), (_, v) => (typeof v === 'bigint' ? String(v) : v))}`,
    );
    // No per-request state left behind: nobody waits, nothing scheduled for expiry, no object locked.
    expect(tracker.retained.waiting).toBe(0);
    expect(tracker.retained.early).toBeLessThanOrEqual(512);
    expect(submitter.janitor!.stats.scheduled).toBe(0);
    expect(sb.gatewayExecutor.locks.held).toEqual([]);
    expect(sb.operatorExecutor.locks.held).toEqual([]);
    // The executors cache only what they sign again (pool coins, the cluster, the cap): not one entry per request.
    for (const ex of [sb.gatewayExecutor, sb.operatorExecutor]) {
      expect(ex.cachedRefs.shared).toBeLessThan(10);
      expect(ex.cachedRefs.owned).toBeLessThan(50);
    }
    // Batched on both sides: fewer transactions than requests.
    expect(submits.batches).toBeLessThan(N);
    expect(answers.batches).toBeLessThan(N);

    for (const ex of [sb.gatewayExecutor, sb.operatorExecutor]) {
      // A coin spent below the minimum near the end is being replaced in the background.
      await ex.gas.settled();
      const h = ex.gas.health();
      const minBalance = 50_000_000n;
      expect(h.coins).toBe(h.size);
      expect(h.inUse).toBe(0);
      expect(h.quarantined).toBe(0);
      expect(h.lowest).toBeGreaterThanOrEqual(minBalance);
      // The dust the account started with was merged away.
      expect(h.merged).toBeGreaterThanOrEqual(DUST.smallCoins);
      const { objects } = await sb.client.core.listCoins({ owner: ex.address });
      expect(objects.filter((c) => BigInt(c.balance) < minBalance).length).toBeLessThanOrEqual(4);
      // Balances tracked from effects never exceed what the chain holds.
      expect(h.pooled).toBeLessThanOrEqual(objects.reduce((s, c) => s + BigInt(c.balance), 0n));
    }
  }, 150_000);
});
