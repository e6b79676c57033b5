import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { fromBase64, normalizeSuiAddress } from '@mysten/sui/utils';
import { startLocalnet, type Localnet } from '../../localnet/index.js';
import { createChainClient, type ChainClient } from './client.js';
import { TransactionExecutor } from './executor.js';
import { signedOwnedRefs } from './owned-inputs.js';
import { silentLogger } from '../log.js';

let net: Localnet;
beforeAll(async () => {
  // As a fullnode: ExecuteTransaction answers at finality, before the checkpoint (and the index) has the transaction.
  net = await startLocalnet({ port: 0, faucetPort: 0, ephemeral: true, checkpointMs: 50, logger: silentLogger, fullnode: { answerAtFinality: true } });
});
afterAll(() => net?.stop());

/**
 * A client whose ExecuteTransaction records which owned objects (inputs and gas) each in-flight transaction signs,
 * and fails the test's assertion if two in flight at once share one.
 */
function watchedClient(): { client: ChainClient; overlaps: string[]; maxInFlight: () => number } {
  const client = createChainClient({ rpcUrl: net.rpcUrl });
  const inFlight = new Map<number, Set<string>>();
  const overlaps: string[] = [];
  let next = 0;
  let max = 0;
  const original = client.core.executeTransaction.bind(client.core);
  client.core.executeTransaction = (async (opts: Parameters<typeof original>[0]) => {
    const bytes = typeof opts.transaction === 'string' ? fromBase64(opts.transaction) : opts.transaction;
    const ids = new Set(signedOwnedRefs(Transaction.from(bytes).getData()).map((r) => r.objectId));
    for (const other of inFlight.values()) for (const id of ids) if (other.has(id)) overlaps.push(id);
    const me = next++;
    inFlight.set(me, ids);
    max = Math.max(max, inFlight.size);
    try {
      return await original(opts);
    } finally {
      inFlight.delete(me);
    }
  }) as typeof original;
  return { client, overlaps, maxInFlight: () => max };
}

/** A fresh key holding `small` coins of `smallMist` and one coin of `largeMist`. */
async function fundedKey(client: ChainClient, small: number, smallMist: bigint, largeMist: bigint): Promise<Ed25519Keypair> {
  const key = Ed25519Keypair.generate();
  const tx = new Transaction();
  const parts = tx.splitCoins(tx.gas, [...Array.from({ length: small }, () => smallMist), largeMist]);
  tx.transferObjects(Array.from({ length: small + 1 }, (_, i) => parts[i]!), key.toSuiAddress());
  await client.signAndExecuteTransaction({ transaction: tx, signer: net.accounts[2]!.keypair });
  return key;
}

describe('TransactionExecutor: one signer, several transactions in flight', () => {
  it('never lets two in-flight transactions share an owned object (inputs or gas)', async () => {
    const { client, overlaps, maxInFlight } = watchedClient();
    const key = await fundedKey(client, 0, 0n, 20_000_000_000n);
    const ex = await new TransactionExecutor(client, key).enableConcurrency(4, 1_000_000_000n);
    // An owned object several transactions use (like a user's SealToken): a coin outside the pool.
    const shared = await ex.execute((tx) => tx.transferObjects([tx.splitCoins(tx.gas, [5_000_000n])[0]!], key.toSuiAddress()));
    const tokenId = shared.effects.changedObjects.find((o) => o.idOperation === 'Created')!.objectId;
    const sink = Ed25519Keypair.generate().toSuiAddress();
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        ex.execute((tx) => {
          // Every third one takes from the owned coin, the rest only need gas.
          const from = i % 3 === 0 ? tx.object(tokenId) : tx.gas;
          tx.transferObjects([tx.splitCoins(from, [1_000n])[0]!], sink);
        }),
      ),
    );
    expect(new Set(results.map((r) => r.digest)).size).toBe(24);
    expect(overlaps).toEqual([]);
    expect(maxInFlight()).toBeGreaterThan(1);
    expect(BigInt((await client.core.getBalance({ owner: sink })).balance.balance)).toBe(24_000n);
    expect(ex.locks.held).toEqual([]);
  }, 60_000);

  it('runs 2,000 transactions per signer from many small coins and one large one, with healthy pools at the end', async () => {
    const { client, overlaps } = watchedClient();
    // "gateway" and "nautilus": 40 dust coins each (below the pool minimum) and one large coin.
    const keys = [await fundedKey(client, 40, 1_000_000n, 30_000_000_000n), await fundedKey(client, 40, 1_000_000n, 30_000_000_000n)];
    const gas = { size: 4, coinBalance: 100_000_000n, minBalance: 20_000_000n };
    const executors = keys.map((k) => new TransactionExecutor(client, k, { gas }));
    const sink = Ed25519Keypair.generate().toSuiAddress();
    const failures: unknown[] = [];
    const N = 2_000;
    await Promise.all(
      executors.map(async (ex) => {
        let sent = 0;
        const lane = async () => {
          while (sent < N) {
            sent++;
            // A fixed budget skips the simulation round trip (the test is about gas, not resolution).
            await ex.execute((tx) => tx.transferObjects([tx.splitCoins(tx.gas, [1n])[0]!], sink), { gasBudget: 10_000_000n }).catch((e) => failures.push(e));
          }
        };
        await Promise.all(Array.from({ length: 6 }, lane));
      }),
    );
    expect(failures).toEqual([]);
    expect(overlaps).toEqual([]);
    expect(BigInt((await client.core.getBalance({ owner: sink })).balance.balance)).toBe(BigInt(2 * N));
    for (const [i, ex] of executors.entries()) {
      const h = ex.gas.health();
      expect(h.coins).toBe(4);
      expect(h.inUse).toBe(0);
      expect(h.lowest).toBeGreaterThanOrEqual(gas.minBalance);
      expect(h.refills).toBeGreaterThan(5);
      // Balances tracked from effects agree with the chain.
      const { objects } = await client.core.listCoins({ owner: keys[i]!.toSuiAddress() });
      const onChain = new Map(objects.map((c) => [normalizeSuiAddress(c.objectId), BigInt(c.balance)]));
      const dust = objects.filter((c) => BigInt(c.balance) < gas.minBalance);
      // The 40 dust coins were merged away (at most a few fresh leftovers remain).
      expect(dust.length).toBeLessThanOrEqual(4);
      expect(h.pooled).toBeLessThanOrEqual([...onChain.values()].reduce((s, b) => s + b, 0n));
    }
  }, 180_000);

  it('gives a transaction needing more gas than a pool coin holds a big enough coin', async () => {
    const { client } = watchedClient();
    const key = await fundedKey(client, 0, 0n, 10_000_000_000n);
    const ex = new TransactionExecutor(client, key, { gas: { size: 2, coinBalance: 100_000_000n, minBalance: 20_000_000n } });
    const sink = Ed25519Keypair.generate().toSuiAddress();
    // Splits 2 SUI off the gas coin: no pool coin (0.1 SUI) can pay for that.
    await ex.execute((tx) => tx.transferObjects([tx.splitCoins(tx.gas, [2_000_000_000n])[0]!], sink));
    expect(BigInt((await client.core.getBalance({ owner: sink })).balance.balance)).toBe(2_000_000_000n);
    // And a large explicit budget.
    await ex.execute((tx) => tx.transferObjects([tx.splitCoins(tx.gas, [1n])[0]!], sink), { gasBudget: 400_000_000n });
    expect(ex.gas.health().coins).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
