/**
 * The tenancy model end to end on localnet through the SDK (SuiGrpcClient, the typed builders, the repo's
 * TransactionExecutor): tenants and their namespace, roles granted and revoked, fees, slashing, worker admission
 * and unbonding, and versions with migrate. Each scenario is what issue 10 "Done when" asks of the contract.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuiGrpcClient } from '@mysten/sui/grpc';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { bcsForStruct } from '../src/core/abi/bcs.js';
import { INTENT_RESPONSE, ROLE_TENANT } from '../src/core/abi/package.js';
import * as calls from '../src/core/calls/index.js';
import { readCluster, TransactionExecutor } from '../src/core/chain/index.js';
import { createCluster, stakeForTenant } from '../src/core/cluster-admin.js';
import { MoveAbortError } from '../src/core/errors.js';
import { decodeEvent, type K3sDaasEvent, type RequestSubmitted, type WorkerRegistered } from '../src/core/events/index.js';
import { signIntent } from '../src/core/intent.js';
import { DEV_ACCOUNTS, startLocalnet, type Localnet } from '../src/localnet/index.js';
import { silentLogger } from '../src/localnet/log.js';
import { generateEnclaveKey } from '../src/nautilus/enclave-key.js';

const ENCLAVE = generateEnclaveKey(new Uint8Array(32).fill(0x03));
const DIGEST = new Uint8Array(32).fill(0xaa);
const REPLY_KEY = new Uint8Array(32).fill(0x55);
const WORKER_KEY = new Uint8Array(32).fill(0xcc);
const READ_FEE = 7n;
const WRITE_FEE = 11n;

let net: Localnet;
let pkg: string;
let client: SuiGrpcClient;
let operator: TransactionExecutor;
let tenantA: TransactionExecutor;
let tenantB: TransactionExecutor;
let other: TransactionExecutor;
let cluster: { clusterId: string; capId: string };

function events(tx: { events: Array<{ eventType: string; bcs: Uint8Array }> }): K3sDaasEvent[] {
  return tx.events.map((e) => decodeEvent(e, { packageId: pkg })).filter((e): e is K3sDaasEvent => e !== null);
}
function eventOf<K extends K3sDaasEvent['$kind']>(tx: { events: Array<{ eventType: string; bcs: Uint8Array }> }, kind: K) {
  const ev = events(tx).find((e) => e.$kind === kind);
  if (!ev) throw new Error(`no ${kind}`);
  return ev as Extract<K3sDaasEvent, { $kind: K }>;
}
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof MoveAbortError) return `${e.module}::${e.abortName}`;
    throw e;
  }
  throw new Error('not refused');
}
const submit = (as: TransactionExecutor, token: string, method: string, path: string, clusterId = cluster.clusterId) =>
  as.execute(calls.request.submit({ package: pkg, arguments: { cluster: clusterId, token, method, path, bodyDigest: DIGEST, body: new Uint8Array(), replyKey: REPLY_KEY } }));
async function respond(r: RequestSubmitted) {
  const timestampMs = BigInt(Date.now());
  const signature = await signIntent(ENCLAVE, INTENT_RESPONSE, timestampMs, {
    requestId: r.requestId,
    requester: r.requester,
    requestBodyDigest: r.bodyDigest,
    status: 200,
    responseBodyDigest: DIGEST,
  });
  return operator.execute(
    calls.request.respond({ package: pkg, arguments: { cluster: r.clusterId, request: r.requestId, status: 200, bodyDigest: DIGEST, body: new Uint8Array(), timestampMs, signature } }),
  );
}
const balanceOf = async (a: string) => BigInt((await client.core.getBalance({ owner: a })).balance.balance);

beforeAll(async () => {
  net = await startLocalnet({ port: 0, faucetPort: 0, ephemeral: true, checkpointMs: 0, logger: silentLogger });
  client = new SuiGrpcClient({ baseUrl: net.rpcUrl, network: 'localnet' });
  pkg = net.packageId;
  [operator, tenantA, tenantB, other] = DEV_ACCOUNTS.slice(0, 4).map((a) => new TransactionExecutor(client, a.keypair));
  cluster = await createCluster(operator, pkg, {
    name: 'tenancy',
    apiUrl: 'https://10.0.0.1:6443',
    debug: true,
    minUserStake: 100n,
    minWriteStake: 10_000n,
    minWorkerStake: 1_000n,
    stakeLockMs: 0n,
    requestTimeoutMs: 60_000n,
    readFee: READ_FEE,
    writeFee: WRITE_FEE,
    maxSlashBps: 2_000n,
    unbondingMs: 86_400_000n,
  });
  await operator.execute(calls.enclave.registerDebug({ package: pkg, arguments: { cap: cluster.capId, cluster: cluster.clusterId, publicKey: ENCLAVE.publicKey } }));
});
afterAll(async () => net?.stop());

describe('tenancy on localnet through the SDK', () => {
  it('a tenant works in its namespace only; roles come from grant and go with revoke; self-reviews are no writes', async () => {
    const a = await stakeForTenant(tenantA, pkg, cluster.clusterId, 100n, 'team-a');
    expect(a).toMatchObject({ namespace: 'team-a', role: ROLE_TENANT });
    await stakeForTenant(tenantB, pkg, cluster.clusterId, 100n, 'team-b');
    expect(await refusal(stakeForTenant(other, pkg, cluster.clusterId, 100n, 'team-a'))).toBe('access::ENamespaceTaken');
    await tenantA.execute((tx) => {
      const [payment] = tx.splitCoins(tx.gas, [1_000n]);
      tx.add(calls.access.topup({ package: pkg, arguments: { cluster: cluster.clusterId, tokenId: a.tokenId, payment } }));
    });
    // a deployment in its own namespace, below min_write_stake: a tenant's writes there need none
    const created = eventOf(await submit(tenantA, a.tokenId, 'POST', '/apis/apps/v1/namespaces/team-a/deployments'), 'RequestSubmitted');
    expect(created).toMatchObject({ namespace: 'team-a', resource: 'deployments', role: ROLE_TENANT, fee: WRITE_FEE });
    expect(await refusal(submit(tenantA, a.tokenId, 'GET', '/api/v1/namespaces/team-b/secrets'))).toBe('access::ETenantOutsideNamespace');
    expect(await refusal(submit(tenantA, a.tokenId, 'POST', '/api/v1/namespaces/team-b/configmaps'))).toBe('access::ETenantOutsideNamespace');
    // exec/attach/port-forward are submitted as POST on the pods subresource: in its namespace only
    expect(await refusal(submit(tenantA, a.tokenId, 'POST', '/api/v1/namespaces/team-b/pods/p/exec'))).toBe('access::ETenantOutsideNamespace');
    expect(eventOf(await submit(tenantA, a.tokenId, 'POST', '/api/v1/namespaces/team-a/pods/p/exec'), 'RequestSubmitted')).toMatchObject({ namespace: 'team-a', role: ROLE_TENANT });
    expect(await refusal(submit(tenantA, a.tokenId, 'GET', '/api/v1/namespaces/kube-system/secrets'))).toBe('access::ETenantOutsideNamespace');
    expect(await refusal(submit(tenantA, a.tokenId, 'DELETE', '/api/v1/namespaces/kube-system'))).toBe('access::ETenantOutsideNamespace');
    expect(await refusal(submit(tenantA, a.tokenId, 'POST', '/api/v1/namespaces'))).toBe('access::ETenantClusterScoped');
    const review = eventOf(await submit(tenantA, a.tokenId, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'), 'RequestSubmitted');
    expect(review.resource).toBe('selfsubjectaccessreviews');

    const granted = await operator.execute(calls.access.grant({ package: pkg, arguments: { cap: cluster.capId, cluster: cluster.clusterId, tokenId: a.tokenId, role: 2 } }));
    expect(eventOf(granted, 'RoleGranted')).toMatchObject({ tokenId: a.tokenId, role: 2 });
    // an admin's writes outside its own namespace need min_write_stake (this token staked less); its reads pass
    expect(await refusal(submit(tenantA, a.tokenId, 'POST', '/api/v1/namespaces'))).toBe('access::EInsufficientWriteStake');
    eventOf(await submit(tenantA, a.tokenId, 'GET', '/api/v1/namespaces/team-b/secrets'), 'RequestSubmitted');
    const revoked = await operator.execute(calls.access.revoke({ package: pkg, arguments: { cap: cluster.capId, cluster: cluster.clusterId, tokenId: a.tokenId } }));
    expect(eventOf(revoked, 'RoleRevoked')).toMatchObject({ tokenId: a.tokenId, role: 2 });
    expect(await refusal(submit(tenantA, a.tokenId, 'GET', '/api/v1/namespaces/team-b/secrets'))).toBe('access::ETenantOutsideNamespace');
  });

  it('fees: N answered requests move exactly N x fee to the revenue, an expired one is refunded, withdraw pays exactly the revenue', async () => {
    const c = await createCluster(operator, pkg, { name: 'fees', apiUrl: 'https://10.0.0.2:6443', debug: true, minUserStake: 100n, readFee: READ_FEE, writeFee: WRITE_FEE, requestTimeoutMs: 60_000n });
    await operator.execute(calls.enclave.registerDebug({ package: pkg, arguments: { cap: c.capId, cluster: c.clusterId, publicKey: ENCLAVE.publicKey } }));
    const t = await stakeForTenant(tenantA, pkg, c.clusterId, 100n, 'team-a');
    expect(await refusal(submit(tenantA, t.tokenId, 'GET', '/api/v1/namespaces/team-a/pods', c.clusterId))).toBe('access::EInsufficientBalance');
    await tenantA.execute((tx) => {
      const [payment] = tx.splitCoins(tx.gas, [3n * READ_FEE]);
      tx.add(calls.access.topup({ package: pkg, arguments: { cluster: c.clusterId, tokenId: t.tokenId, payment } }));
    });
    const reqs = [];
    for (let i = 0; i < 2; i++) reqs.push(eventOf(await submit(tenantA, t.tokenId, 'GET', '/api/v1/namespaces/team-a/pods', c.clusterId), 'RequestSubmitted'));
    for (const r of reqs) expect(eventOf(await respond(r), 'ResponseStored').fee).toBe(READ_FEE);
    expect((await readCluster(client, c.clusterId)).revenue).toBe(2n * READ_FEE);

    // the third request gets a 1 ms deadline and expires unanswered
    await operator.execute(calls.cluster.update({ package: pkg, arguments: { cap: c.capId, cluster: c.clusterId, apiUrl: 'https://10.0.0.2:6443', caHash: new Uint8Array(), minWriteStake: 0n, requestTimeoutMs: 1n } }));
    const late = eventOf(await submit(tenantA, t.tokenId, 'GET', '/api/v1/namespaces/team-a/pods', c.clusterId), 'RequestSubmitted');
    while (BigInt(Date.now()) <= late.deadlineMs + 2n) await new Promise((r) => setTimeout(r, 2));
    const before = await balanceOf(tenantA.address);
    const expired = await other.execute(calls.request.expire({ package: pkg, arguments: { request: late.requestId } }));
    expect(eventOf(expired, 'RequestExpired').refund).toBe(READ_FEE);
    expect((await balanceOf(tenantA.address)) - before).toBe(READ_FEE);

    const op = await balanceOf(operator.address);
    const w = await operator.execute(calls.cluster.withdrawRevenue({ package: pkg, arguments: { cap: c.capId, cluster: c.clusterId } }));
    expect(eventOf(w, 'RevenueWithdrawn').amount).toBe(2n * READ_FEE);
    const gas = BigInt(w.effects!.gasUsed.computationCost) + BigInt(w.effects!.gasUsed.storageCost) - BigInt(w.effects!.gasUsed.storageRebate);
    expect((await balanceOf(operator.address)) - op + gas).toBe(2n * READ_FEE);
    expect((await readCluster(client, c.clusterId)).revenue).toBe(0n);
  });

  it('slashing: above the bound aborts; below the minimum the next request is refused; the treasury is withdrawable', async () => {
    const t = await stakeForTenant(other, pkg, cluster.clusterId, 100n, 'slashed');
    const slash = (amount: bigint) =>
      operator.execute(calls.access.slash({ package: pkg, arguments: { cap: cluster.capId, cluster: cluster.clusterId, tokenId: t.tokenId, amount, reason: 2 } }));
    expect(await refusal(slash(21n))).toBe('cluster::ESlashTooLarge'); // max 20 % of 100
    expect(eventOf(await slash(20n), 'Slashed')).toMatchObject({ amount: 20n, reason: 2, remaining: 80n });
    expect(await refusal(submit(other, t.tokenId, 'GET', '/api/v1/namespaces/slashed/pods'))).toBe('access::EStakeBelowMinimum');
    expect((await readCluster(client, cluster.clusterId)).treasury).toBe(20n);
    const w = await operator.execute(calls.cluster.withdrawTreasury({ package: pkg, arguments: { cap: cluster.capId, cluster: cluster.clusterId } }));
    expect(eventOf(w, 'TreasuryWithdrawn').amount).toBe(20n);
  });

  it('workers: no join token before approve on an approval cluster; a leaving stake is withdrawable only after unbonding', async () => {
    const reg = await other.execute((tx) => {
      const [payment] = tx.splitCoins(tx.gas, [1_000n]);
      tx.add(calls.workers.register({ package: pkg, arguments: { cluster: cluster.clusterId, payment, nodeName: 'node-1', encryptionKey: WORKER_KEY } }));
    });
    const w = eventOf(reg, 'WorkerRegistered') as WorkerRegistered;
    expect(w.approved).toBe(false); // the default policy is approval
    const approved = await operator.execute(calls.workers.approve({ package: pkg, arguments: { cap: cluster.capId, worker: w.workerId } }));
    expect(eventOf(approved, 'WorkerApproved').workerId).toBe(w.workerId);
    const leaving = eventOf(await other.execute(calls.workers.leave({ package: pkg, arguments: { cluster: cluster.clusterId, worker: w.workerId } })), 'WorkerLeaving');
    expect(leaving.withdrawableMs).toBeGreaterThan(BigInt(Date.now()) + 86_000_000n);
    expect(await refusal(other.execute(calls.workers.withdraw({ package: pkg, arguments: { worker: w.workerId } })))).toBe('workers::EUnbonding');
    // a pending slash still reaches it
    const s = await operator.execute(calls.workers.slash({ package: pkg, arguments: { cap: cluster.capId, cluster: cluster.clusterId, worker: w.workerId, amount: 200n, reason: 3 } }));
    expect(eventOf(s, 'WorkerSlashed')).toMatchObject({ amount: 200n, remaining: 800n });
  });

  it('versions: an object of another version is refused with EWrongVersion; migrate fixes it', async () => {
    const c = await createCluster(operator, pkg, { name: 'old', apiUrl: 'https://10.0.0.3:6443', debug: true });
    // localnet cannot publish an upgrade: rewrite the stored Cluster as an older package would have made it
    const stored = net.chain.objects.get(normalizeSuiAddress(c.clusterId))!;
    const schema = bcsForStruct('cluster', 'Cluster');
    stored.contents = schema.serialize({ ...schema.parse(stored.contents), version: 0n }).toBytes();
    const fees = () => operator.execute(calls.cluster.setFees({ package: pkg, arguments: { cap: c.capId, cluster: c.clusterId, readFee: 1n, writeFee: 2n } }));
    expect(await refusal(fees())).toBe('cluster::EWrongVersion');
    const m = await operator.execute(calls.cluster.migrate({ package: pkg, arguments: { cap: c.capId, cluster: c.clusterId } }));
    expect(eventOf(m, 'ClusterMigrated')).toMatchObject({ fromVersion: 0n, toVersion: 1n });
    expect(eventOf(await fees(), 'FeesUpdated')).toMatchObject({ readFee: 1n, writeFee: 2n });
  });

  it('enclave config: updating the PCRs clears the enclave key until a new registration', async () => {
    const c = await createCluster(operator, pkg, { name: 'pcrs', apiUrl: 'https://10.0.0.4:6443', debug: true });
    await operator.execute(calls.enclave.registerDebug({ package: pkg, arguments: { cap: c.capId, cluster: c.clusterId, publicKey: ENCLAVE.publicKey } }));
    const u = await operator.execute(calls.enclave.updatePcrs({ package: pkg, arguments: { cap: c.capId, cluster: c.clusterId, expectedPcrs: [] } }));
    expect(eventOf(u, 'EnclaveConfigUpdated').configVersion).toBe(2n);
    const read = await readCluster(client, c.clusterId);
    expect(read.enclavePk).toEqual(new Uint8Array());
    expect(read.enclaveConfigVersion).toBe(2n);
  });
});
