/**
 * Issue 11: "a revoked token's running `get -w` is cut within 3 checkpoint intervals; a session past its maximum
 * duration is closed". The real kubectl watches
 * through the gateway as a user whose SealToken has a role; the operator revokes the role (or slashes the stake
 * below the cluster's minimum, or the user unstakes) on chain; nautilus's revoker sees the event and cuts the session, and kubectl's
 * watch ends — measured from the timestamp of the checkpoint holding the operator's transaction. The session's
 * record on chain says it was cut. The cluster's maximum session duration (on chain, set by the cap holder) closes a
 * running watch when it passes, and the record on chain says so.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import * as calls from '../src/core/calls/index.js';
import { CLUSTER_DEFAULTS } from '../src/core/cluster-admin.js';
import { SLASH_REASONS } from '../src/core/abi/package.js';
import { decodeEvent, type SessionClosed, type SessionOpened } from '../src/core/events/index.js';
import { readCluster } from '../src/core/chain/objects.js';
import { checkSessionClosed } from '../src/core/verify/index.js';
import { SESSION_REASONS } from '../src/core/session/payloads.js';
import { TransactionExecutor } from '../src/core/chain/index.js';
import { credentialKubeconfig, stakedUser, tempDir, type TestUser } from './helpers/e2e.js';

const CHECKPOINT_MS = 250;
let sb: Sandbox;
const cacheDir = tempDir('e2e-revoke-kcache');

beforeAll(async () => {
  // No stake lock, so a user can unstake while its watch runs.
  sb = await startSandbox({ checkpointMs: CHECKPOINT_MS, stakeLockMs: 0n });
}, 60_000);
afterAll(async () => sb?.stop());

/** `kubectl get pods -w` as `kubeconfig`; resolves with the wall-clock time kubectl exited. */
function watch(kubeconfig: string) {
  const child = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, 'get', 'pods', '-w'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number; atMs: number }>((r) => child.on('exit', (code) => r({ code: code ?? 1, atMs: Date.now() })));
  return { exited, get stderr() { return stderr; }, kill: () => child.kill('SIGKILL') };
}

async function until(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The checkpoint timestamp of a transaction (waits until it is checkpointed). */
async function checkpointedAt(digest: string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const r = await sb.client.core.getTransaction({ digest, include: { effects: true } });
    const tx = r.$kind === 'Transaction' ? r.Transaction : r.FailedTransaction;
    if (tx.timestampMs !== null) return Number(tx.timestampMs);
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`${digest} never checkpointed`);
}

/** Watches as `user`, runs `act` once the session is open; checks the cut came within 3 checkpoints, on chain too. */
async function cutAfter(user: TestUser, act: () => Promise<string>): Promise<void> {
  const before = sb.sessions.records.length;
  const w = watch(await credentialKubeconfig(sb, user));
  try {
    await until(() => sb.sessions.openCount === 1, 'the watch session to open');
    const digest = await act();
    const at = await checkpointedAt(digest);
    const exited = await Promise.race([w.exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    expect(exited, `kubectl get -w still running after the revocation\n${w.stderr}`).not.toBeNull();
    expect(exited!.atMs - at).toBeLessThan(3 * CHECKPOINT_MS);
  } finally {
    w.kill();
  }
  const rec = sb.sessions.records.slice(before).find((r) => r.requester === user.address);
  expect(rec?.reason).toBe('cut');
  expect(sb.sessions.openCount).toBe(0);
  // On chain: the enclave's record of the session says it was cut.
  await sb.sessionRecorder.idle();
  const page = await sb.client.core.listEvents({ filter: { emitModule: `${sb.packageId}::session` }, order: 'descending', limit: 20 });
  const closed = page.events
    .map((e) => decodeEvent(e, { packageId: sb.packageId }))
    .find((e): e is SessionClosed => e?.$kind === 'SessionClosed' && e.requestId === rec!.sessionId);
  expect(closed?.reason).toBe(SESSION_REASONS.indexOf('cut'));
  expect(closed?.requester).toBe(user.address);
}

describe('revocation cuts running watches', () => {
  it('a revoked role ends `kubectl get pods -w` within 3 checkpoint intervals of the revocation', async () => {
    const user = await stakedUser(sb, 'viewer', CLUSTER_DEFAULTS.minUserStake);
    await cutAfter(user, async () => {
      const tx = await sb.operatorExecutor.execute(
        calls.access.revoke({ package: sb.packageId, arguments: { cap: sb.capId, cluster: sb.clusterId, tokenId: user.tokenId } }),
      );
      return tx.digest;
    });
  }, 60_000);

  it('unstaking ends it too', async () => {
    const user = await stakedUser(sb, 'viewer', CLUSTER_DEFAULTS.minUserStake);
    await cutAfter(user, async () => {
      const tx = await new TransactionExecutor(sb.client, user.keypair).execute(
        calls.access.unstake({ package: sb.packageId, arguments: { cluster: sb.clusterId, token: user.tokenId } }),
      );
      return tx.digest;
    });
  }, 60_000);

  it('a slash below the minimum stake ends it too; a slash that leaves enough does not', async () => {
    const user = await stakedUser(sb, 'viewer', CLUSTER_DEFAULTS.minUserStake + 10n);
    const slash = (amount: bigint) =>
      sb.operatorExecutor.execute(
        calls.access.slash({ package: sb.packageId, arguments: { cap: sb.capId, cluster: sb.clusterId, tokenId: user.tokenId, amount, reason: SLASH_REASONS.abuse } }),
      );
    await cutAfter(user, async () => {
      // 10 MIST leaves exactly the minimum: the session stays open past 3 checkpoints.
      const kept = await slash(10n);
      await checkpointedAt(kept.digest);
      await new Promise((r) => setTimeout(r, 3 * CHECKPOINT_MS + 100));
      expect(sb.sessions.openCount).toBe(1);
      return (await slash(1n)).digest;
    });
  }, 60_000);
});

describe('the cluster\'s maximum session duration', () => {
  it('set on chain by the cap holder, it closes a running `kubectl get pods -w` when it passes, recorded on chain', async () => {
    const MAX_MS = 2_000;
    expect(sb.sessions.clusterMaxSessionMs).toBe(30 * 60_000);
    const set = await sb.operatorExecutor.execute(
      calls.cluster.setMaxSessionMs({ package: sb.packageId, arguments: { cap: sb.capId, cluster: sb.clusterId, maxSessionMs: BigInt(MAX_MS) } }),
    );
    expect(set.events.map((e) => decodeEvent(e, {})?.$kind)).toEqual(['MaxSessionUpdated']);
    const cluster = await readCluster(sb.client, sb.clusterId);
    expect(cluster.maxSessionMs).toBe(BigInt(MAX_MS));
    // nautilus follows the cluster's events: the new maximum applies to sessions granted from now on.
    await until(() => sb.sessions.maxSessionMs === MAX_MS, 'nautilus to see the new maximum');

    const user = await stakedUser(sb, 'viewer', CLUSTER_DEFAULTS.minUserStake);
    const before = sb.sessions.records.length;
    const w = watch(await credentialKubeconfig(sb, user));
    try {
      const exited = await Promise.race([w.exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
      expect(exited, `kubectl get -w still running past the maximum\n${w.stderr}`).not.toBeNull();
    } finally {
      w.kill();
    }
    const rec = sb.sessions.records.slice(before).find((r) => r.requester === user.address);
    expect(rec?.reason).toBe('maximum duration');
    expect(rec!.durationMs).toBeGreaterThanOrEqual(MAX_MS - 500);
    expect(rec!.durationMs).toBeLessThan(MAX_MS + 500);
    await sb.sessionRecorder.idle();
    const page = await sb.client.core.listEvents({ filter: { emitModule: `${sb.packageId}::session` }, order: 'descending', limit: 20 });
    const evs = page.events.map((e) => decodeEvent(e, { packageId: sb.packageId }));
    const opened = evs.find((e): e is SessionOpened => e?.$kind === 'SessionOpened' && e.requestId === rec!.sessionId);
    const closed = evs.find((e): e is SessionClosed => e?.$kind === 'SessionClosed' && e.requestId === rec!.sessionId);
    // The grant's end time is within the cluster's maximum; the record says the maximum ended it, when it did.
    expect(opened!.expiresMs - opened!.openedMs).toBeLessThanOrEqual(BigInt(MAX_MS));
    expect(closed?.reason).toBe(SESSION_REASONS.indexOf('maximum duration'));
    expect(closed!.closedMs).toBeGreaterThanOrEqual(opened!.expiresMs - 50n);
    const { enclavePk } = await readCluster(sb.client, sb.clusterId);
    expect(checkSessionClosed(closed!, enclavePk, rec!.digest)).toMatchObject({ ok: true });
  }, 60_000);
});
