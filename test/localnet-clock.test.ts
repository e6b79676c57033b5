/**
 * localnet's injectable clock: transaction, checkpoint and Clock (0x6) timestamps follow it, so a stake lock period
 * of an hour is tested without waiting an hour.
 */
import { expect, it } from 'vitest';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { createChainClient, TransactionExecutor } from '../src/core/chain/index.js';
import { createCluster, MIST_PER_SUI, stakeForTenant } from '../src/core/cluster-admin.js';
import * as calls from '../src/core/calls/index.js';
import { startLocalnet } from '../src/localnet/index.js';
import { silentLogger } from '../src/localnet/log.js';

it('a stake stays locked until the injected clock passes the lock period', async () => {
  let now = Date.UTC(2026, 0, 1);
  const net = await startLocalnet({ port: 0, faucetPort: 0, ephemeral: true, checkpointMs: 0, logger: silentLogger, clock: () => now });
  try {
    const client = createChainClient({ rpcUrl: net.rpcUrl });
    const operator = new TransactionExecutor(client, net.accounts[0]!.keypair);
    const userKey = Ed25519Keypair.generate();
    const fund = new Transaction();
    fund.transferObjects([fund.splitCoins(fund.gas, [10n * MIST_PER_SUI])[0]!], userKey.toSuiAddress());
    await operator.executeTransaction(fund);
    const user = new TransactionExecutor(client, userKey);
    const { clusterId } = await createCluster(operator, net.packageId, { name: 'clock', apiUrl: 'https://k', debug: true, stakeLockMs: 3_600_000n });
    const staked = await stakeForTenant(user, net.packageId, clusterId, 2n * MIST_PER_SUI, 'clock-tenant');
    // The contract read the Clock: the lock ends an hour after the injected time.
    expect(staked.lockedUntilMs).toBe(BigInt(now + 3_600_000));
    const unstake = () => user.execute(calls.access.unstake({ package: net.packageId, arguments: { cluster: clusterId, token: staked.tokenId } }));

    now += 3_599_000;
    await expect(unstake()).rejects.toMatchObject({ abortName: 'EStakeLocked' });

    now += 1_001;
    const done = await unstake();
    expect(done.events.some((e) => e.eventType.endsWith('::access::Unstaked'))).toBe(true);
    expect(net.chain.latestCheckpoint.timestampMs).toBe(BigInt(now));
  } finally {
    await net.stop();
  }
}, 30_000);
