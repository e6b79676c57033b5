/**
 * The janitor against localnet through the SDK: unanswered Requests past their deadline are expired in one
 * batched transaction; one not yet due inside the same batch is refused alone (EDeadlineNotReached, bisected out)
 * and expired when it is due; a Request already gone is left alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../dev/sandbox.js';
import { ProxySubmitter, type Submitted } from '../gateway/submitters.js';
import { objectContent, readCluster } from './chain/objects.js';
import { TransactionExecutor } from './chain/index.js';
import { RequestJanitor } from './janitor.js';

let sb: Sandbox;
let submitter: ProxySubmitter;
let executor: TransactionExecutor;

beforeAll(async () => {
  // Nobody answers: nautilus is stopped, so every request stays until its 1 s deadline passes.
  sb = await startSandbox({ checkpointMs: 0, requestTimeoutMs: 1_000n });
  await sb.nautilus.stop();
  executor = await new TransactionExecutor(sb.client, sb.operator).enableConcurrency(2);
  const user = new TransactionExecutor(sb.client, sb.user.keypair);
  submitter = new ProxySubmitter({ executor: user, packageId: sb.packageId, clusterId: sb.clusterId, tokenId: sb.user.tokenId, secret: 'x', expireUnanswered: false });
}, 60_000);
afterAll(async () => sb?.stop());

const enclaveKey = async () => (await readCluster(sb.client, sb.clusterId)).enclavePk;

async function submit(): Promise<Submitted> {
  return submitter.submit({ method: 'GET', url: '/api/v1/namespaces/default/configmaps', headers: [], body: new Uint8Array() }, { user: sb.user.address }, await enclaveKey());
}

describe('RequestJanitor', () => {
  it('expires due requests in one transaction; one not yet due is refused alone and expired later', async () => {
    const due = await Promise.all([submit(), submit(), submit()]);
    const deadline = Math.max(...due.map((d) => d.deadlineMs));
    while (Date.now() <= deadline + 200) await new Promise((r) => setTimeout(r, 50));
    const later = await submit();

    const expired: Array<[string, string]> = [];
    const janitor = new RequestJanitor({
      client: sb.client,
      executor: new TransactionExecutor(sb.client, sb.operator),
      packageId: sb.packageId,
      retryPolicy: { minDelayMs: 50, maxDelayMs: 200 },
      onExpired: (id, tx) => expired.push([id, tx]),
    });
    // All four at once (the one not due rides in the same batch and must not sink it).
    const outcomes = await Promise.all([...due, later].map((d) => janitor.expire(d.requestId, d.deadlineMs)));
    expect(outcomes).toEqual(['expired', 'expired', 'expired', 'expired']);
    for (const d of [...due, later]) expect(await objectContent(sb.client, d.requestId)).toBeNull();
    const txOf = new Map(expired);
    // One transaction at a time: the first went at once, alone; the other three gathered behind it, and the
    // bisection took the early one out, so the two due ones still went together and the early one alone, later.
    const [t0, t1, t2] = due.map((d) => txOf.get(d.requestId));
    expect(t1).toBe(t2);
    expect(t0).not.toBe(t1);
    expect([t0, t1]).not.toContain(txOf.get(later.requestId));
    // A Request already gone: nothing to do, no transaction.
    expect(await janitor.expire(due[0].requestId, due[0].deadlineMs)).toBe('gone');
    expect(janitor.stats.expired).toBe(4);
    await janitor.stop();
  }, 60_000);

  it('schedule waits for the deadline; forget cancels', async () => {
    const [a, b] = await Promise.all([submit(), submit()]);
    const janitor = new RequestJanitor({ client: sb.client, executor, packageId: sb.packageId, graceMs: 100, retryPolicy: { minDelayMs: 50, maxDelayMs: 200 } });
    janitor.schedule(a.requestId, a.deadlineMs);
    janitor.schedule(b.requestId, b.deadlineMs);
    janitor.forget(b.requestId);
    expect(janitor.stats.scheduled).toBe(1);
    while (janitor.stats.expired < 1) await new Promise((r) => setTimeout(r, 50));
    expect(await objectContent(sb.client, a.requestId)).toBeNull();
    expect(await objectContent(sb.client, b.requestId)).not.toBeNull();
    await janitor.stop();
  }, 30_000);
});
