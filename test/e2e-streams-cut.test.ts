/**
 * Issue 11: "a revoked token's running `exec` and `get -w` are cut within 3 checkpoint intervals; a session past its
 * maximum duration is closed". The real kubectl watches (or runs `exec -i POD -- cat`)
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
import { kubectlRunner, writeKubeconfig } from './helpers/kubectl.js';
import { gatewayToken } from './helpers/sandbox.js';

const CHECKPOINT_MS = 250;
let sb: Sandbox;
const cacheDir = tempDir('e2e-revoke-kcache');

beforeAll(async () => {
  // No stake lock, so a user can unstake while its watch runs.
  sb = await startSandbox({ checkpointMs: CHECKPOINT_MS, stakeLockMs: 0n });
}, 60_000);
afterAll(async () => sb?.stop());

/** A running kubectl (`get pods -w` unless told) as `kubeconfig`; `exited` resolves with the wall-clock time it exited. */
function running(kubeconfig: string, args = ['get', 'pods', '-w']) {
  const child = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number; atMs: number }>((r) => child.on('exit', (code) => r({ code: code ?? 1, atMs: Date.now() })));
  return { exited, write: (s: string) => child.stdin.write(s), get stdout() { return stdout; }, get stderr() { return stderr; }, kill: () => child.kill('SIGKILL') };
}
const watch = (kubeconfig: string) => running(kubeconfig);

async function until(cond: () => boolean, what: string | (() => string), timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
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

/**
 * Watches as `user` (or runs `exec -i shell -- cat`, checking a line echoes first), runs `act` once the session is
 * open; checks the cut came within 3 checkpoints, on chain too.
 */
async function cutAfter(user: TestUser, act: () => Promise<string>, kind: 'watch' | 'exec' = 'watch'): Promise<void> {
  const before = sb.sessions.records.length;
  const config = await credentialKubeconfig(sb, user);
  const w = kind === 'watch' ? watch(config) : running(config, ['exec', '-i', 'shell', '--', 'cat']);
  try {
    await until(() => sb.sessions.openCount === 1, () => `the ${kind} session to open (stderr: ${w.stderr})`);
    if (kind === 'exec') {
      w.write('still here\n');
      await until(() => w.stdout === 'still here\n', () => `cat to echo through the session (stderr: ${w.stderr})`);
    }
    const digest = await act();
    const at = await checkpointedAt(digest);
    const exited = await Promise.race([w.exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    expect(exited, `kubectl ${kind} still running after the revocation\n${w.stderr}`).not.toBeNull();
    expect(exited!.atMs - at).toBeLessThan(3 * CHECKPOINT_MS);
    if (kind === 'exec') {
      // A cut exec is not a clean exit: kubectl is told why, on the remote-command error channel.
      expect(exited!.code, w.stderr).toBe(1);
      expect(w.stderr).toMatch(/^error: k3sdaas: session 0x[0-9a-f]{64} cut: the SealToken's role was revoked$/m);
    }
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

describe('revocation cuts running execs', () => {
  it('a revoked role ends `kubectl exec -i POD -- cat` within 3 checkpoint intervals of the revocation', async () => {
    // A pod with a long-running container, made through the gateway by the sandbox's admin.
    const admin = kubectlRunner(writeKubeconfig(sb.gatewayUrl, sb.tls.caPem, { token: await gatewayToken(sb) }));
    const run = await admin(['run', 'shell', '--image=busybox', '--', 'sleep', '3600']);
    expect(run.code, run.stderr).toBe(0);
    const ready = await admin(['wait', '--for=condition=Ready', 'pod/shell', '--timeout=30s'], undefined, 40_000);
    expect(ready.code, ready.stderr).toBe(0);
    const user = await stakedUser(sb, 'editor', CLUSTER_DEFAULTS.minWriteStake);
    await cutAfter(user, async () => {
      const tx = await sb.operatorExecutor.execute(
        calls.access.revoke({ package: sb.packageId, arguments: { cap: sb.capId, cluster: sb.clusterId, tokenId: user.tokenId } }),
      );
      return tx.digest;
    }, 'exec');
  }, 90_000);
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
