/**
 * The lifecycle source against a whole system in-process (localnet + gateway + nautilus + embedded Kubernetes):
 * a kubectl request through the gateway shows up as submitted → stored, and a viewer's write that aborts on chain
 * as rejected with the contract's reason.
 */
import { randomBytes } from 'node:crypto';
import type { Keypair } from '@mysten/sui/cryptography';
import { Transaction } from '@mysten/sui/transactions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as calls from '../core/calls/index.js';
import { TransactionExecutor } from '../core/chain/index.js';
import { MIST_PER_SUI, stakeForToken } from '../core/cluster-admin.js';
import { credentialToToken, signCredential } from '../core/credential.js';
import { createLogger } from '../core/log.js';
import { startSandbox, type Sandbox } from '../dev/sandbox.js';
import { DEV_ACCOUNTS } from '../localnet/index.js';
import { kubectlRunner, writeKubeconfig } from '../../test/helpers/kubectl.js';
import type { LifecycleEvent } from './lifecycle.js';
import { jsonLine, plainLine } from './plain.js';
import { ChainLifecycleSource } from './source.js';

let sb: Sandbox;
let source: ChainLifecycleSource;
const seen: LifecycleEvent[] = [];

async function waitFor<T extends LifecycleEvent>(match: (e: LifecycleEvent) => e is T, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const hit = seen.find(match);
    if (hit) return hit;
    if (Date.now() > end) throw new Error(`timed out; saw ${seen.map((e) => e.kind).join(', ')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Signs and executes without the SDK's dry run: the gRPC client simulates every transaction it builds and throws
 * on a failure, so an aborting submit only reaches the chain when the bytes are complete before execution.
 */
async function executeWithoutDryRun(signer: Keypair, build: (tx: Transaction) => void) {
  const kindTx = new Transaction();
  build(kindTx);
  const tx = Transaction.fromKind(await kindTx.build({ client: sb.client, onlyTransactionKind: true }));
  const owner = signer.toSuiAddress();
  const coin = (await sb.client.core.listCoins({ owner })).objects[0];
  tx.setSender(owner);
  tx.setGasBudget(50_000_000n);
  tx.setGasPrice(1000n);
  tx.setGasPayment([{ objectId: coin.objectId, version: coin.version, digest: coin.digest }]);
  const bytes = await tx.build();
  const { signature } = await signer.signTransaction(bytes);
  return sb.client.core.executeTransaction({ transaction: bytes, signatures: [signature], include: { effects: true } });
}

beforeAll(async () => {
  sb = await startSandbox({ checkpointMs: 0 });
  source = new ChainLifecycleSource({ client: sb.client, packageId: sb.packageId, clusterId: sb.clusterId, logger: process.env.DEBUG_WATCH ? createLogger({ level: 'debug' }) : undefined });
  source.subscribe({ events: (batch) => seen.push(...batch) });
  source.start();
  await source.waitCaughtUp();
}, 60_000);
afterAll(async () => {
  await source?.stop();
  await sb?.stop();
});

describe('ChainLifecycleSource on a sandbox', () => {
  it('replays the history: the dev user staked as tenant of dev, then the operator granted it admin', () => {
    expect(seen).toContainEqual(expect.objectContaining({ kind: 'staked', tokenId: sb.user.tokenId, owner: sb.user.address, role: 3, namespace: 'dev' }));
    expect(seen).toContainEqual(expect.objectContaining({ kind: 'namespace-claimed', tokenId: sb.user.tokenId, namespace: 'dev' }));
    expect(seen).toContainEqual(expect.objectContaining({ kind: 'role-granted', tokenId: sb.user.tokenId, role: 2 }));
  });

  it('kubectl through the gateway: submitted → stored, with both transactions', async () => {
    const signed = await signCredential(sb.user.keypair, {
      clusterId: sb.clusterId,
      gateway: sb.gatewayAddress,
      tokenId: sb.user.tokenId,
      expiresMs: BigInt(Date.now() + 600_000),
    });
    const kubectl = kubectlRunner(writeKubeconfig(sb.gatewayUrl, sb.tls.caPem, { token: credentialToToken(signed) }));
    const r = await kubectl(['get', 'configmaps', '-n', 'default']);
    expect(r.code, r.stderr).toBe(0);
    const sub = await waitFor((e): e is Extract<LifecycleEvent, { kind: 'submitted' }> => e.kind === 'submitted' && e.resource === 'configmaps');
    expect(sub).toMatchObject({ method: 'GET', namespace: 'default', requester: sb.user.address, gateway: sb.gatewayAddress, role: 2 });
    expect(sub.txDigest).toMatch(/^\w{43,44}$/);
    const stored = await waitFor((e): e is Extract<LifecycleEvent, { kind: 'stored' }> => e.kind === 'stored' && e.requestId === sub.requestId);
    expect(stored.status).toBe(200);
    expect(stored.latencyMs).toBeGreaterThanOrEqual(0);
    expect(stored.txDigest).not.toBe(sub.txDigest);
    expect(plainLine(sub)).toContain(`list configmaps -n default by ${sb.user.address} (admin)`);
    expect(JSON.parse(jsonLine(stored))).toMatchObject({ event: 'stored', requestId: sub.requestId, status: 200 });
  });

  it("a viewer's write that aborts on chain is a rejection with the contract's reason", async () => {
    const viewer = DEV_ACCOUNTS[3].keypair;
    const tx = new TransactionExecutor(sb.client, viewer);
    const token = await stakeForToken(tx, sb.packageId, sb.clusterId, 1n * MIST_PER_SUI, 'viewer', {
      executor: new TransactionExecutor(sb.client, sb.operator),
      capId: sb.capId,
    });
    const executed = await executeWithoutDryRun(viewer, (t) =>
      calls.request.submit({
        package: sb.packageId,
        arguments: {
          cluster: sb.clusterId,
          token: token.tokenId,
          method: 'POST',
          path: '/api/v1/namespaces/default/configmaps',
          bodyDigest: randomBytes(32),
          body: randomBytes(16),
          replyKey: randomBytes(32),
        },
      })(t),
    );
    expect(executed.$kind).toBe('FailedTransaction');
    const rejected = await waitFor((e): e is Extract<LifecycleEvent, { kind: 'rejected' }> => e.kind === 'rejected');
    expect(rejected).toMatchObject({
      requester: viewer.toSuiAddress(),
      gateway: null,
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      abortModule: 'access',
      abortCode: 5,
      abortName: 'ERoleCannotWrite',
      reason: expect.stringContaining("role does not allow writes"),
    });
    expect(rejected.txDigest).toBe(executed.FailedTransaction!.digest);
    expect(plainLine(rejected)).toContain('create configmaps -n default by');
    expect(plainLine(rejected)).toContain('access::ERoleCannotWrite');
  });

  it('a source started later finds past events and past rejections (checkpoint backfill)', async () => {
    const late = new ChainLifecycleSource({ client: sb.client, packageId: sb.packageId, clusterId: sb.clusterId });
    const events: LifecycleEvent[] = [];
    late.subscribe({ events: (batch) => events.push(...batch) });
    late.start();
    await late.waitCaughtUp();
    await late.stop();
    const kinds = new Set(events.map((e) => e.kind));
    expect([...kinds]).toEqual(expect.arrayContaining(['staked', 'submitted', 'stored', 'rejected']));
  });

  it('ignores other clusters', async () => {
    const other = new ChainLifecycleSource({ client: sb.client, packageId: sb.packageId, clusterId: '0x' + '12'.repeat(32) });
    const events: LifecycleEvent[] = [];
    other.subscribe({ events: (batch) => events.push(...batch) });
    other.start();
    await other.waitCaughtUp();
    await other.stop();
    expect(events).toEqual([]);
  });
});
