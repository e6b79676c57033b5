/**
 * Issue 10 ("Tenancy"), "Done when", with the real kubectl through the sandbox gateway: tenants bound to the
 * namespace they claimed, roles granted and revoked by the operator, `kubectl auth can-i`, what nautilus provisions
 * for a tenant, and fees. Users are fresh faucet-funded keys; the operator is the sandbox's cap holder.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { KubeConfig } from '@kubernetes/client-node';
import { ROLE_TENANT, SLASH_REASONS } from '../src/core/abi/package.js';
import { KubeForwarder } from '../src/core/kube/index.js';
import { impersonationGroups } from '../src/nautilus/roles.js';
import * as calls from '../src/core/calls/index.js';
import { readCluster, TransactionExecutor } from '../src/core/chain/index.js';
import { MIST_PER_SUI, stakeForTenant } from '../src/core/cluster-admin.js';
import { decodeEvent } from '../src/core/events/index.js';
import { prepaidBalance } from '../src/core/tenancy.js';
import { generateEncryptionKey } from '../src/core/crypto/index.js';
import { readWorker, registerWorker, waitForJoinToken } from '../src/worker/chain.js';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import { BINDING_NAME, LIMITS_NAME, NETWORK_POLICY_NAME, QUOTA_NAME } from '../src/nautilus/tenants.js';
import { runCli } from './helpers/cli.js';
import { cliEnv, credentialKubeconfig, fundedKey, operatorExecutor, stored, tempDir, type TestUser } from './helpers/e2e.js';
import { kubectlRunner, type KubectlResult } from './helpers/kubectl.js';

let sb: Sandbox;
let teamA: TestUser;
let teamB: TestUser;
const kubectls = new Map<string, (args: string[]) => Promise<KubectlResult>>();

async function tenant(sb: Sandbox, namespace: string, stake = 2n * MIST_PER_SUI): Promise<TestUser> {
  const keypair = await fundedKey(sb);
  const staked = await stakeForTenant(new TransactionExecutor(sb.client, keypair), sb.packageId, sb.clusterId, stake, namespace);
  return { keypair, address: keypair.toSuiAddress(), tokenId: staked.tokenId };
}

/** kubectl as `user` (one kubeconfig and discovery cache per user). */
async function kubectl(user: TestUser, args: string[]): Promise<KubectlResult> {
  let run = kubectls.get(user.tokenId);
  if (!run) {
    const k = kubectlRunner(await credentialKubeconfig(sb, user));
    run = (a: string[]) => k(a);
    kubectls.set(user.tokenId, run);
  }
  return run(args);
}

/** Waits (on chain time, not a fixed sleep) until nautilus has provisioned the tenant's namespace. */
async function provisioned(namespace: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (stored(sb, 'RoleBinding', namespace, BINDING_NAME)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`namespace ${namespace} was not provisioned`);
}

const refusedBy = (r: KubectlResult, abort: string) => {
  expect(r.code, r.stdout).toBe(1);
  expect(r.stderr).toContain(`(contract access::${abort})`);
  expect(r.stderr).toMatch(/k3sdaas refusal recorded on chain in transaction \w+/);
};

beforeAll(async () => {
  sb = await startSandbox({ checkpointMs: 0 });
  [teamA, teamB] = await Promise.all([tenant(sb, 'team-a'), tenant(sb, 'team-b')]);
  await Promise.all([provisioned('team-a'), provisioned('team-b')]);
}, 120_000);
afterAll(async () => sb?.stop());

describe('tenants through kubectl', () => {
  it('a fresh address staked as tenant on team-a can create a deployment there', async () => {
    const r = await kubectl(teamA, ['create', 'deployment', 'web', '--image=nginx', '-n', 'team-a']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('deployment.apps/web created');
    expect(stored(sb, 'Deployment', 'team-a', 'web')).toBeDefined();
    const get = await kubectl(teamA, ['get', 'deployments', '-n', 'team-a']);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toMatch(/^NAME\s+READY/);
  });

  it("cannot read secrets or write in another tenant's namespace or kube-system, create a namespace, or delete kube-system", async () => {
    refusedBy(await kubectl(teamA, ['get', 'secrets', '-n', 'team-b']), 'ETenantOutsideNamespace');
    refusedBy(await kubectl(teamA, ['create', 'configmap', 'x', '--from-literal=a=b', '-n', 'team-b']), 'ETenantOutsideNamespace');
    refusedBy(await kubectl(teamA, ['create', 'configmap', 'x', '--from-literal=a=b', '-n', 'kube-system']), 'ETenantOutsideNamespace');
    const ns = await kubectl(teamA, ['create', 'namespace', 'team-a-2']);
    refusedBy(ns, 'ETenantClusterScoped');
    expect(ns.stderr).toContain('k3sdaas: your SealToken is a tenant: cluster-scoped resources');
    // The namespace object kube-system is not the tenant's: refused as outside its namespace (checked first).
    refusedBy(await kubectl(teamA, ['delete', 'namespace', 'kube-system', '--wait=false']), 'ETenantOutsideNamespace');
    // Its own namespace object it may read, never delete.
    refusedBy(await kubectl(teamA, ['delete', 'namespace', 'team-a', '--wait=false']), 'ETenantClusterScoped');
    expect(stored(sb, 'ConfigMap', 'team-b', 'x')).toBeUndefined();
    expect(stored(sb, 'ConfigMap', 'kube-system', 'x')).toBeUndefined();
    expect(stored(sb, 'Namespace', undefined, 'team-a-2')).toBeUndefined();
    expect(stored(sb, 'Namespace', undefined, 'kube-system')).toBeDefined();
  });

  it('asking for --role admin while staking is refused; nothing is sent', async () => {
    const keypair = await fundedKey(sb);
    const txs = sb.localnet.chain.transactions.size;
    const r = await runCli(['stake', 'add', '1SUI', '--namespace', 'team-c', '--role', 'admin'], { env: cliEnv(sb, keypair) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--role.*roles are not bought: stake as a tenant with --namespace NAME/);
    expect(sb.localnet.chain.transactions.size).toBe(txs);
  });

  it('after `grant … --role admin` the same token can create a namespace; after `revoke` it cannot', async () => {
    const operator = cliEnv(sb, sb.operator as Ed25519Keypair);
    const granted = await runCli(['grant', teamA.tokenId, '--role', 'admin'], { env: operator });
    expect(granted.code, granted.stderr).toBe(0);
    const created = await kubectl(teamA, ['create', 'namespace', 'made-by-a']);
    expect(created.code, created.stderr).toBe(0);
    expect(stored(sb, 'Namespace', undefined, 'made-by-a')).toBeDefined();
    const revoked = await runCli(['revoke', teamA.tokenId], { env: operator });
    expect(revoked.code, revoked.stderr).toBe(0);
    refusedBy(await kubectl(teamA, ['create', 'namespace', 'made-by-a-again']), 'ETenantClusterScoped');
    expect(stored(sb, 'Namespace', undefined, 'made-by-a-again')).toBeUndefined();
    // Still the tenant of team-a.
    expect((await kubectl(teamA, ['get', 'pods', '-n', 'team-a'])).code).toBe(0);
  });

  it("the tenant's namespace has its quota, limits, isolation and binding — only there", () => {
    expect(stored(sb, 'ResourceQuota', 'team-a', QUOTA_NAME)).toMatchObject({ spec: { hard: { pods: '20', 'requests.cpu': '2' } } });
    expect(stored(sb, 'LimitRange', 'team-a', LIMITS_NAME)).toMatchObject({ spec: { limits: [{ type: 'Container' }] } });
    expect(stored(sb, 'NetworkPolicy', 'team-a', NETWORK_POLICY_NAME)).toMatchObject({ spec: { policyTypes: ['Ingress', 'Egress'] } });
    expect(stored(sb, 'RoleBinding', 'team-a', BINDING_NAME)).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'admin' },
      subjects: [{ kind: 'User', name: teamA.address }],
    });
    expect(stored(sb, 'RoleBinding', 'team-b', BINDING_NAME)).toMatchObject({ subjects: [{ kind: 'User', name: teamB.address }] });
  });
});

describe('Kubernetes RBAC under the chain', () => {
  it('`kubectl auth can-i create pods -n team-a` prints yes for the tenant, no for -n team-b, and records no refusal', async () => {
    const yes = await kubectl(teamA, ['auth', 'can-i', 'create', 'pods', '-n', 'team-a']);
    expect(yes.stdout.trim(), yes.stderr).toBe('yes');
    expect(yes.code).toBe(0);
    const no = await kubectl(teamA, ['auth', 'can-i', 'create', 'pods', '-n', 'team-b']);
    expect(no.stdout.trim(), no.stderr).toBe('no');
    for (const r of [yes, no]) expect(r.stderr).not.toMatch(/refusal recorded/);
    // Both reviews were authorized on chain (RequestSubmitted) and answered, none refused.
    const page = await sb.client.core.listEvents({ filter: { emitModule: `${sb.packageId}::request` }, order: 'descending', limit: 50 });
    const reviews = page.events
      .map((e) => decodeEvent(e, { packageId: sb.packageId }))
      .filter((e) => e?.$kind === 'RequestSubmitted' && e.tokenId === teamA.tokenId && e.path.endsWith('/selfsubjectaccessreviews'));
    expect(reviews).toHaveLength(2);
  });

  it('the tenant identity is denied by Kubernetes RBAC outside its namespace even if the chain allowed it', async () => {
    // What nautilus would send for this tenant, straight to the cluster (as if the chain had allowed anything).
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: sb.kube!.url, skipTLSVerify: true }],
      users: [{ name: 'nautilus' }],
      contexts: [{ name: 'c', cluster: 'c', user: 'nautilus' }],
      currentContext: 'c',
    });
    const fwd = new KubeForwarder({ kubeconfig: kc });
    const as = { user: teamA.address, groups: impersonationGroups(ROLE_TENANT) };
    const get = (url: string) => fwd.forward({ method: 'GET', url, headers: [['Accept', 'application/json']], body: new Uint8Array() }, as);
    try {
      expect((await get('/api/v1/namespaces/team-a/secrets')).status).toBe(200);
      for (const url of ['/api/v1/namespaces/team-b/secrets', '/api/v1/namespaces/kube-system/configmaps', '/api/v1/nodes', '/apis/rbac.authorization.k8s.io/v1/clusterroles']) {
        const res = await get(url);
        expect(res.status, url).toBe(403);
        expect(JSON.parse(new TextDecoder().decode(res.body)).message).toContain(`User "${teamA.address}" cannot`);
      }
    } finally {
      await fwd.close();
    }
  });
});

describe('slashing', () => {
  it('a tenant slashed below the minimum is refused on its next request, and nautilus removes its binding', async () => {
    // min_user_stake is 0.1 SUI; one slash may take at most 10% of the stake (max_slash_bps 1000).
    const user = await tenant(sb, 'team-s', 105_000_000n);
    await provisioned('team-s');
    expect((await kubectl(user, ['get', 'pods', '-n', 'team-s'])).code).toBe(0);
    await operatorExecutor(sb).execute(
      calls.access.slash({ package: sb.packageId, arguments: { cap: sb.capId, cluster: sb.clusterId, tokenId: user.tokenId, amount: 10_000_000n, reason: SLASH_REASONS.abuse } }),
    );
    const r = await kubectl(user, ['get', 'pods', '-n', 'team-s']);
    refusedBy(r, 'EStakeBelowMinimum');
    expect(r.stderr).toContain('it was slashed');
    for (let i = 0; i < 400 && stored(sb, 'RoleBinding', 'team-s', BINDING_NAME); i++) await new Promise((res) => setTimeout(res, 25));
    expect(stored(sb, 'RoleBinding', 'team-s', BINDING_NAME)).toBeUndefined();
    expect(stored(sb, 'Namespace', undefined, 'team-s')).toBeDefined(); // kept (default policy)
  });
});

describe('kubeconfig picks the token', () => {
  it('`k3sdaas kubeconfig --seal-token ID --context NAME`: a second token of the same key, used by its context only', async () => {
    const second = await stakeForTenant(new TransactionExecutor(sb.client, teamA.keypair), sb.packageId, sb.clusterId, MIST_PER_SUI, 'team-a2');
    await provisioned('team-a2');
    const env = cliEnv(sb, teamA.keypair);
    const out = join(tempDir('kc'), 'config');
    const bad = await runCli(['kubeconfig', '--gateway', sb.gatewayUrl, '--out', out, '--seal-token', 'nope'], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--seal-token: not an object id: nope/);
    const gone = await runCli(['kubeconfig', '--gateway', sb.gatewayUrl, '--out', out, '--seal-token', '0x' + 'ab'.repeat(32)], { env });
    expect(gone.stderr).toMatch(/--seal-token: no SealToken 0xabab/);
    const r = await runCli(['kubeconfig', '--gateway', sb.gatewayUrl, '--out', out, '--seal-token', second.tokenId, '--context', 'a2'], { env });
    expect(r.code, r.stderr).toBe(0);
    const run = kubectlRunner(out, { HOME: env.HOME, K3SDAAS_CONFIG: env.K3SDAAS_CONFIG, K3SDAAS_PRIVATE_KEY: env.K3SDAAS_PRIVATE_KEY });
    const mine = await run(['--context', 'a2', 'create', 'configmap', 'via-a2', '--from-literal=a=b', '-n', 'team-a2']);
    expect(mine.code, mine.stderr).toBe(0);
    expect(stored(sb, 'ConfigMap', 'team-a2', 'via-a2')).toBeDefined();
    // The context acts as the second token: team-a (the first token's namespace) is another tenant's to it.
    refusedBy(await run(['--context', 'a2', 'get', 'configmaps', '-n', 'team-a']), 'ETenantOutsideNamespace');
  });
});

describe('workers are admitted', () => {
  it('a worker registering on an approval cluster gets no join token until `worker approve`; on open at once', async () => {
    // The dev sandbox is open (workers join at once); the operator switches it to approval.
    const setPolicy = (workerPolicy: number) =>
      operatorExecutor(sb).execute(calls.cluster.setWorkerPolicy({ package: sb.packageId, arguments: { cap: sb.capId, cluster: sb.clusterId, workerPolicy } }));
    await setPolicy(0);
    const cluster = await readCluster(sb.client, sb.clusterId);
    expect(cluster.workerPolicy).toBe(0);
    const keypair = await fundedKey(sb);
    const owner = new TransactionExecutor(sb.client, keypair);
    const register = (nodeName: string) =>
      registerWorker(owner, sb.packageId, { clusterId: sb.clusterId, stake: cluster.minWorkerStake, nodeName, encryptionKey: generateEncryptionKey().publicKey });
    const reg = await register('node-approval');
    expect(reg.approved).toBe(false);
    // nautilus's issuer has seen the registration, and issued nothing.
    for (let i = 0; i < 200 && !sb.joinTokens.workers.has(reg.workerId); i++) await new Promise((r) => setTimeout(r, 25));
    expect(sb.joinTokens.workers.has(reg.workerId)).toBe(true);
    expect((await readWorker(sb.client, reg.workerId))!.joinToken.length).toBe(0);

    const stranger = cliEnv(sb, keypair);
    const listed = await runCli(['worker', 'list', '--json'], { env: stranger });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toContainEqual(expect.objectContaining({ workerId: reg.workerId, nodeName: 'node-approval', approved: false, joinToken: false, state: 'awaiting approval' }));
    const txs = sb.localnet.chain.transactions.size;
    const refused = await runCli(['worker', 'approve', reg.workerId], { env: stranger });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/only the cluster operator .* may approve workers/);
    expect(sb.localnet.chain.transactions.size).toBe(txs);

    const approved = await runCli(['worker', 'approve', reg.workerId], { env: cliEnv(sb, sb.operator as Ed25519Keypair) });
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toMatch(/approved worker node-approval/);
    const joined = await waitForJoinToken(sb.client, reg.workerId, { pollMs: 50, timeoutMs: 20_000 });
    expect(joined.joinToken.length).toBeGreaterThan(0);
    const again = await runCli(['worker', 'approve', reg.workerId], { env: cliEnv(sb, sb.operator as Ed25519Keypair) });
    expect(again.stderr).toMatch(/is already approved/);

    // Open policy: joined at registration, as before.
    await setPolicy(1);
    const open = await register('node-open');
    expect(open.approved).toBe(true);
    expect((await waitForJoinToken(sb.client, open.workerId, { pollMs: 50, timeoutMs: 20_000 })).joinToken.length).toBeGreaterThan(0);
  });
});

describe('fees', () => {
  it('N answered requests move exactly N × fee from the balance to revenue; revenue withdraw pays exactly the revenue', async () => {
    const fee = 1_000n;
    const operator = operatorExecutor(sb);
    await operator.execute(calls.cluster.setFees({ package: sb.packageId, arguments: { cap: sb.capId, cluster: sb.clusterId, readFee: fee, writeFee: fee } }));
    const payer = new TransactionExecutor(sb.client, teamB.keypair);
    await payer.execute((tx) => {
      const [coin] = tx.splitCoins(tx.gas, [100_000n]);
      calls.access.topup({ package: sb.packageId, arguments: { cluster: sb.clusterId, tokenId: teamB.tokenId, payment: coin } })(tx);
    });
    const balance = () => prepaidBalance(sb.client, sb.packageId, sb.clusterId, teamB.tokenId, teamB.address);
    const revenue = async () => (await readCluster(sb.client, sb.clusterId)).revenue;
    const [balance0, revenue0] = [await balance(), await revenue()];

    for (const args of [['get', 'pods', '-n', 'team-b'], ['create', 'configmap', 'paid', '--from-literal=a=b', '-n', 'team-b'], ['get', 'configmap', 'paid', '-n', 'team-b']]) {
      const r = await kubectl(teamB, args);
      expect(r.code, r.stderr).toBe(0);
    }
    // Count the token's answered requests from the chain itself.
    const page = await sb.client.core.listEvents({ filter: { emitModule: `${sb.packageId}::request` }, order: 'descending', limit: 200 });
    const evs = page.events.map((e) => decodeEvent(e, { packageId: sb.packageId }));
    const mine = new Set(evs.filter((e) => e?.$kind === 'RequestSubmitted' && e.tokenId === teamB.tokenId).map((e) => (e as { requestId: string }).requestId));
    const answered = evs.filter((e) => e?.$kind === 'ResponseStored' && mine.has(e.requestId));
    expect(answered.length).toBeGreaterThanOrEqual(3);
    const n = BigInt(answered.length);
    expect(balance0 - (await balance())).toBe(n * fee);
    expect((await revenue()) - revenue0).toBe(n * fee);

    const due = await revenue();
    const withdrawn = await runCli(['revenue', 'withdraw', '--json'], { env: cliEnv(sb, sb.operator as Ed25519Keypair) });
    expect(withdrawn.code, withdrawn.stderr).toBe(0);
    const out = JSON.parse(withdrawn.stdout);
    expect(BigInt(out.withdrawnMist)).toBe(due);
    const tx = await sb.client.core.getTransaction({ digest: out.tx, include: { balanceChanges: true, effects: true } });
    const done = tx.Transaction!;
    const gas = done.effects!.gasUsed;
    const net = BigInt(gas.computationCost) + BigInt(gas.storageCost) - BigInt(gas.storageRebate);
    const change = done.balanceChanges!.find((c) => c.address === sb.operator.toSuiAddress())!;
    expect(BigInt(change.amount)).toBe(due - net);
    expect(await revenue()).toBe(0n);
  });
});
