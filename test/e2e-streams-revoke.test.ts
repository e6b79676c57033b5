/**
 * Issue 11: "a revoked token's running `get -w` is cut within 3 checkpoint intervals". The real kubectl watches
 * through the gateway as a user whose SealToken has a role; the operator revokes the role (or slashes the stake
 * below the cluster's minimum) on chain; nautilus's revoker sees the event and cuts the session, and kubectl's
 * watch ends — measured from the timestamp of the checkpoint holding the operator's transaction. The session's
 * record on chain says it was cut.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import * as calls from '../src/core/calls/index.js';
import { CLUSTER_DEFAULTS } from '../src/core/cluster-admin.js';
import { SLASH_REASONS } from '../src/core/abi/package.js';
import { decodeEvent, type SessionClosed } from '../src/core/events/index.js';
import { SESSION_REASONS } from '../src/core/session/payloads.js';
import { credentialKubeconfig, stakedUser, tempDir, type TestUser } from './helpers/e2e.js';

const CHECKPOINT_MS = 250;
let sb: Sandbox;
const cacheDir = tempDir('e2e-revoke-kcache');

beforeAll(async () => {
  sb = await startSandbox({ checkpointMs: CHECKPOINT_MS });
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
