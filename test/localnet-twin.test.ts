import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuiGrpcClient } from '@mysten/sui/grpc';
import { Transaction } from '@mysten/sui/transactions';
import * as calls from '../src/core/calls/index.js';
import { startLocalnet, type Localnet } from '../src/localnet/index.js';
import { silentLogger } from '../src/localnet/log.js';

let net: Localnet;
let client: SuiGrpcClient;

beforeAll(async () => {
  net = await startLocalnet({ port: 0, faucetPort: 0, ephemeral: true, checkpointMs: 0, logger: silentLogger });
  client = new SuiGrpcClient({ baseUrl: net.rpcUrl, network: 'localnet' });
});
afterAll(async () => net?.stop());

describe('the K3s-DaaS twin from genesis', () => {
  it('creates a cluster, stakes and unstakes through the unmodified SDK', async () => {
    const signer = net.accounts[0]!.keypair;
    const owner = signer.toSuiAddress();
    const pkg = net.packageId;
    const create = new Transaction();
    create.add(
      calls.cluster.create({
        package: pkg,
        arguments: {
          name: 'dev',
          apiUrl: 'https://127.0.0.1:6443',
          caHash: new Uint8Array(32),
          minUserStake: 1_000_000n,
          minWriteStake: 1_000_000n,
          minWorkerStake: 1_000_000n,
          stakeLockMs: 0n,
          requestTimeoutMs: 30_000n,
          heartbeatTimeoutMs: 60_000n,
          readFee: 0n,
          writeFee: 0n,
          workerPolicy: 1,
          unbondingMs: 0n,
          maxSlashBps: 10_000n,
          debug: true,
          expectedPcrs: [],
        },
      }),
    );
    const created = await client.signAndExecuteTransaction({ transaction: create, signer, include: { effects: true, events: true, objectTypes: true } });
    expect(created.$kind).toBe('Transaction');
    expect(created.Transaction!.events!.map((e) => e.eventType)).toEqual([`${pkg}::cluster::ClusterCreated`]);
    const types = created.Transaction!.objectTypes!;
    const clusterId = Object.keys(types).find((id) => types[id] === `${pkg}::cluster::Cluster`)!;
    const capId = Object.keys(types).find((id) => types[id] === `${pkg}::cluster::ClusterAdminCap`)!;
    expect(clusterId).toBeTruthy();
    const caps = await client.core.listOwnedObjects({ owner, type: `${pkg}::cluster::ClusterAdminCap` });
    expect(caps.objects.map((o) => o.objectId)).toEqual([capId]);

    const before = BigInt((await client.core.getBalance({ owner })).balance.balance);
    const stake = new Transaction();
    const [payment] = stake.splitCoins(stake.gas, [5_000_000n]);
    stake.add(calls.access.stake({ package: pkg, arguments: { cluster: clusterId, payment: payment!, namespace: 'team-a' } }));
    const staked = await client.signAndExecuteTransaction({ transaction: stake, signer, include: { events: true, effects: true } });
    expect(staked.$kind).toBe('Transaction');
    expect(staked.Transaction!.events!.map((e) => e.eventType)).toEqual([`${pkg}::access::Staked`, `${pkg}::access::NamespaceClaimed`]);
    const gas = staked.Transaction!.effects!.gasUsed;
    const cost = BigInt(gas.computationCost) + BigInt(gas.storageCost) - BigInt(gas.storageRebate);
    expect(BigInt((await client.core.getBalance({ owner })).balance.balance)).toBe(before - 5_000_000n - cost);
    const tokens = await client.core.listOwnedObjects({ owner, type: `${pkg}::access::SealToken` });
    expect(tokens.objects).toHaveLength(1);

    const bad = new Transaction();
    const [p2] = bad.splitCoins(bad.gas, [5_000_000n]);
    bad.add(calls.access.stake({ package: pkg, arguments: { cluster: clusterId, payment: p2!, namespace: 'kube-system' } }));
    await expect(client.signAndExecuteTransaction({ transaction: bad, signer })).rejects.toThrow(/access::stake|abort/i);

    const unstake = new Transaction();
    unstake.add(calls.access.unstake({ package: pkg, arguments: { cluster: clusterId, token: tokens.objects[0]!.objectId } }));
    const un = await client.signAndExecuteTransaction({ transaction: unstake, signer, include: { events: true } });
    expect(un.$kind).toBe('Transaction');
    expect(un.Transaction!.events!.map((e) => e.eventType)).toEqual([`${pkg}::access::NamespaceReleased`, `${pkg}::access::Unstaked`]);
    const coins = await client.core.listCoins({ owner });
    expect(coins.objects.some((c) => c.balance === '5000000')).toBe(true);
  });
});
