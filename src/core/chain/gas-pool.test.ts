import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { startLocalnet, type Localnet } from '../../localnet/index.js';
import { createChainClient } from './client.js';
import { TransactionExecutor } from './executor.js';
import { createCluster } from '../cluster-admin.js';
import { MoveAbortError } from '../errors.js';
import * as calls from '../calls/index.js';
import { silentLogger } from '../log.js';

let net: Localnet;
beforeAll(async () => {
  net = await startLocalnet({ port: 0, faucetPort: 0, ephemeral: true, checkpointMs: 50, logger: silentLogger });
});
afterAll(() => net?.stop());

describe('concurrent transactions from one key (gas pool)', () => {
  it('runs several transactions at once, each on its own coin, and keeps every coin usable afterwards', async () => {
    const client = createChainClient({ rpcUrl: net.rpcUrl });
    const key = Ed25519Keypair.generate();
    await requestSuiFromFaucetV2({ host: net.faucetUrl, recipient: key.toSuiAddress() });
    const ex = await new TransactionExecutor(client, key).enableConcurrency(4, 2_000_000_000n);
    const { objects } = await client.core.listCoins({ owner: key.toSuiAddress() });
    expect(objects.filter((c) => BigInt(c.balance) >= 2_000_000_000n).length).toBeGreaterThanOrEqual(4);

    const sink = Ed25519Keypair.generate().toSuiAddress();
    const send = () =>
      ex.execute((tx) => {
        const [c] = tx.splitCoins(tx.gas, [1_000n]);
        tx.transferObjects([c], sink);
      });
    const first = await Promise.all(Array.from({ length: 8 }, send));
    expect(new Set(first.map((r) => r.digest)).size).toBe(8);

    // An abort (simulation refuses it) leaves its coin usable; the next round still runs on all coins.
    await expect(
      ex.execute(calls.cluster.create({ package: net.packageId, arguments: { name: 'x', apiUrl: 'u', caHash: new Uint8Array(), minUserStake: 1, minWriteStake: 1, minWorkerStake: 1, stakeLockMs: 0, requestTimeoutMs: 0, heartbeatTimeoutMs: 1, readFee: 0, writeFee: 0, workerPolicy: 1, unbondingMs: 0, maxSlashBps: 10_000, debug: true, expectedPcrs: [] } })),
    ).rejects.toBeInstanceOf(MoveAbortError);
    await Promise.all(Array.from({ length: 8 }, send));
    const created = await createCluster(ex, net.packageId, { name: 'ok', apiUrl: 'https://k', debug: true });
    expect(created.clusterId).toMatch(/^0x/);
    const balance = await client.core.getBalance({ owner: sink });
    expect(BigInt(balance.balance.balance)).toBe(16_000n);
  }, 60_000);

  it('a transaction waiting for a big coin is not stranded when every coin in flight comes back smaller', async () => {
    const client = createChainClient({ rpcUrl: net.rpcUrl });
    const key = Ed25519Keypair.generate();
    await requestSuiFromFaucetV2({ host: net.faucetUrl, recipient: key.toSuiAddress() });
    const ex = await new TransactionExecutor(client, key).enableConcurrency(2, 1_000_000_000n);
    const pool = ex.gas;
    const [a, b] = [await pool.acquire(), await pool.acquire()];
    // Both coins are in flight and one is big enough: the caller waits for it...
    const big = pool.acquire(800_000_000n);
    // ...but both come back spent below what it needs (as after two large batches).
    pool.settle(a, { kind: 'executed', version: a.version, digest: a.digest, balance: 300_000_000n });
    pool.settle(b, { kind: 'executed', version: b.version, digest: b.digest, balance: 300_000_000n });
    const stranded = new Promise((_, reject) => setTimeout(() => reject(new Error('the waiter was stranded')), 15_000));
    const coin = (await Promise.race([big, stranded])) as Awaited<typeof big>;
    expect(coin.balance).toBeGreaterThanOrEqual(800_000_000n);
    expect([a.objectId, b.objectId]).not.toContain(coin.objectId);
    pool.settle(coin, { kind: 'untouched' });
  }, 60_000);

  it('a coin that comes back spent while a refill runs is replaced after it, and settled() waits for that', async () => {
    const client = createChainClient({ rpcUrl: net.rpcUrl });
    const key = Ed25519Keypair.generate();
    await requestSuiFromFaucetV2({ host: net.faucetUrl, recipient: key.toSuiAddress() });
    const ex = await new TransactionExecutor(client, key).enableConcurrency(3, 1_000_000_000n);
    const pool = ex.gas;
    const [a, b, c] = [await pool.acquire(), await pool.acquire(), await pool.acquire()];
    // The first coin comes back spent: a refill starts to replace it (it counts the coins as it begins)...
    pool.settle(a, { kind: 'executed', version: a.version, digest: a.digest, balance: 1_000_000n });
    // ...and a second comes back spent while that refill runs.
    pool.settle(b, { kind: 'executed', version: b.version, digest: b.digest, balance: 1_000_000n });
    pool.settle(c, { kind: 'untouched' });
    await pool.settled();
    const h = pool.health();
    expect(h.coins).toBe(3);
    expect(h.lowest).toBeGreaterThanOrEqual(pool.minBalance);
  }, 60_000);
});
