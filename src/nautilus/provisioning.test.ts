import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { SLASH_REASONS } from '../core/abi/package.js';
import * as calls from '../core/calls/index.js';
import { TransactionExecutor } from '../core/chain/index.js';
import { MIST_PER_SUI, stakeForTenant } from '../core/cluster-admin.js';
import { KubeForwarder } from '../core/kube/index.js';
import { resourceForKind, startKubeApi, type KubeApi } from '../kube/index.js';
import { DEV_ACCOUNTS } from '../localnet/index.js';
import { startWorkerTestbed, type WorkerTestbed } from '../worker/testing.js';
import { NautilusProvisioning, tenantChangeOf } from './provisioning.js';
import { BINDING_NAME } from './tenants.js';

let tb: WorkerTestbed;
let api: KubeApi;
let fwd: KubeForwarder;

beforeAll(async () => {
  [tb, api] = await Promise.all([startWorkerTestbed({ stakeLockMs: 0n }), startKubeApi({ port: 0 })]);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: api.url, skipTLSVerify: true }],
    users: [{ name: 'nautilus', token: 'x' }],
    contexts: [{ name: 'c', cluster: 'c', user: 'nautilus' }],
    currentContext: 'c',
  });
  fwd = new KubeForwarder({ kubeconfig: kc });
});
afterAll(async () => {
  await fwd?.close();
  await api?.close();
  await tb?.stop();
});

const binding = (ns: string) => api.store.get(resourceForKind('RoleBinding'), ns, BINDING_NAME);
const namespace = (ns: string) => api.store.get(resourceForKind('Namespace'), undefined, ns);

async function until(cond: () => unknown): Promise<void> {
  for (let i = 0; i < 1500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBeTruthy();
}

describe('nautilus provisioning from chain events', () => {
  it('claims on chain become tenant namespaces; unstaking removes the binding; a restart reconciles from history', async () => {
    const alice = new TransactionExecutor(tb.client, DEV_ACCOUNTS[2].keypair);
    const bob = new TransactionExecutor(tb.client, DEV_ACCOUNTS[3].keypair);
    // Before nautilus starts: replayed at start.
    const early = await stakeForTenant(alice, tb.packageId, tb.clusterId, MIST_PER_SUI, 'early');
    const p = new NautilusProvisioning({ client: tb.client, packageId: tb.packageId, clusterId: tb.clusterId, forwarder: fwd });
    await p.start();
    expect(binding('early')).toMatchObject({ subjects: [{ kind: 'User', name: DEV_ACCOUNTS[2].address }] });
    expect(api.store.get(resourceForKind('ClusterRoleBinding'), undefined, 'k3sdaas-admin-cluster-admin')).toBeTruthy();

    // While running: followed.
    const live = await stakeForTenant(bob, tb.packageId, tb.clusterId, MIST_PER_SUI, 'live');
    await until(() => binding('live'));
    await bob.execute(calls.access.unstake({ package: tb.packageId, arguments: { cluster: tb.clusterId, token: live.tokenId } }));
    await until(() => !binding('live'));
    expect(namespace('live')).toBeTruthy(); // kept (default policy)
    // the record follows the binding's removal (the API answers the delete first)
    await until(() => p.tenants.tenants().find((t) => t.namespace === 'live')?.state === 'released');
    await p.stop();

    // While stopped: the early tenant unstakes, and someone deletes its quota by hand. The next start fixes both.
    await alice.execute(calls.access.unstake({ package: tb.packageId, arguments: { cluster: tb.clusterId, token: early.tokenId } }));
    const again = await stakeForTenant(alice, tb.packageId, tb.clusterId, MIST_PER_SUI, 'again');
    const restarted = new NautilusProvisioning({ client: tb.client, packageId: tb.packageId, clusterId: tb.clusterId, forwarder: fwd });
    await restarted.start();
    expect(binding('early')).toBeUndefined();
    expect(binding('again')).toMatchObject({ metadata: { annotations: { 'k3sdaas.io/seal-token': again.tokenId } } });
    expect(restarted.tenants.tenants().map((t) => [t.namespace, t.state])).toEqual([
      ['early', 'released'],
      ['live', 'released'],
      ['again', 'active'],
    ]);
    await restarted.stop();
  });

  it('a tenant slashed below the minimum stake loses its binding at once (and after a restart)', async () => {
    const carol = new TransactionExecutor(tb.client, DEV_ACCOUNTS[1].keypair);
    const p = new NautilusProvisioning({ client: tb.client, packageId: tb.packageId, clusterId: tb.clusterId, forwarder: fwd });
    await p.start();
    // The minimum is 0.1 SUI and one slash takes at most 10% (the testbed's max_slash_bps).
    const staked = await stakeForTenant(carol, tb.packageId, tb.clusterId, 110_000_000n, 'slashed');
    await until(() => binding('slashed'));
    const slash = (amount: bigint) =>
      tb.operator.execute(calls.access.slash({ package: tb.packageId, arguments: { cap: tb.capId, cluster: tb.clusterId, tokenId: staked.tokenId, amount, reason: SLASH_REASONS.abuse } }));
    await slash(5_000_000n); // 0.105 SUI left: still above the minimum
    // Events are applied in order: once a later claim is provisioned, the slash has been seen.
    await stakeForTenant(carol, tb.packageId, tb.clusterId, MIST_PER_SUI, 'marker');
    await until(() => binding('marker'));
    expect(binding('slashed')).toBeTruthy();
    await slash(10_000_000n); // 0.095 SUI left
    await until(() => !binding('slashed'));
    await p.stop();
    const restarted = new NautilusProvisioning({ client: tb.client, packageId: tb.packageId, clusterId: tb.clusterId, forwarder: fwd });
    await restarted.start();
    expect(binding('slashed')).toBeUndefined();
    expect(restarted.tenants.tenants().find((t) => t.namespace === 'slashed')?.state).toBe('released');
    await restarted.stop();
  });

  it('events of other clusters, and other access events, change nothing', () => {
    const base = { clusterId: tb.clusterId, tokenId: '0x1', owner: '0x2', namespace: 'n' };
    expect(tenantChangeOf({ $kind: 'NamespaceClaimed', ...base, clusterId: '0x' + '9'.repeat(64) }, tb.clusterId)).toBeNull();
    expect(tenantChangeOf({ $kind: 'RoleGranted', ...base, role: 2 }, tb.clusterId)).toBeNull();
    expect(tenantChangeOf({ $kind: 'NamespaceClaimed', ...base }, tb.clusterId)).toMatchObject({ kind: 'claimed', namespace: 'n' });
    expect(tenantChangeOf({ $kind: 'NamespaceReleased', ...base }, tb.clusterId)).toMatchObject({ kind: 'released', namespace: 'n' });
  });
});
