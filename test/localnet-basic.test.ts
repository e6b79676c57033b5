import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuiGrpcClient } from '@mysten/sui/grpc';
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { startLocalnet, type Localnet } from '../src/localnet/index.js';
import { silentLogger } from '../src/localnet/log.js';
import { MIN_GAS_BUDGET } from '../src/localnet/chain/executor.js';

let net: Localnet;
let client: SuiGrpcClient;

beforeAll(async () => {
  net = await startLocalnet({ port: 0, faucetPort: 0, ephemeral: true, checkpointMs: 50, logger: silentLogger });
  client = new SuiGrpcClient({ baseUrl: net.rpcUrl, network: 'localnet' });
});
afterAll(async () => net?.stop());

describe('localnet basics', () => {
  it('serves chain id, gas price and genesis balances', async () => {
    const { chainIdentifier } = await client.core.getChainIdentifier();
    expect(chainIdentifier).toBe(net.chainId);
    const { referenceGasPrice } = await client.core.getReferenceGasPrice();
    expect(referenceGasPrice).toBe('1000');
    const { balance } = await client.core.getBalance({ owner: net.accounts[0]!.address });
    expect(balance.balance).toBe(String(5n * 1000n * 1_000_000_000n));
  });

  it('answers binary gRPC-web as well as text (the SDK default)', async () => {
    const binary = new SuiGrpcClient({ baseUrl: net.rpcUrl, network: 'localnet', format: 'binary' } as any);
    const { balance } = await binary.core.getBalance({ owner: net.accounts[0]!.address });
    expect(BigInt(balance.balance)).toBeGreaterThan(0n);
    const { events } = await binary.core.listEvents({ filter: { sender: net.accounts[0]!.address } });
    expect(events).toEqual([]);
  });

  it('funds a new account from the faucet and transfers', async () => {
    const alice = new Ed25519Keypair();
    const bob = new Ed25519Keypair();
    const res: any = await requestSuiFromFaucetV2({ host: net.faucetUrl, recipient: alice.toSuiAddress() });
    expect(res.coins_sent).toHaveLength(1);
    await client.waitForTransaction({ digest: res.coins_sent[0]!.transferTxDigest });
    const before = await client.core.getBalance({ owner: alice.toSuiAddress() });
    expect(before.balance.balance).toBe(String(100n * 1_000_000_000n));

    const tx = new Transaction();
    const [coin] = tx.splitCoins(tx.gas, [tx.pure.u64(1_000_000_000n)]);
    tx.transferObjects([coin!], bob.toSuiAddress());
    const result = await client.signAndExecuteTransaction({ transaction: tx, signer: alice, include: { effects: true, balanceChanges: true } });
    expect(result.$kind).toBe('Transaction');
    const done = await client.waitForTransaction({ result });
    expect(done.Transaction?.checkpoint).toBeTruthy();
    const bobBal = await client.core.getBalance({ owner: bob.toSuiAddress() });
    expect(bobBal.balance.balance).toBe('1000000000');
    const aliceBal = await client.core.getBalance({ owner: alice.toSuiAddress() });
    const gas = result.Transaction!.effects!.gasUsed;
    const cost = BigInt(gas.computationCost) + BigInt(gas.storageCost) - BigInt(gas.storageRebate);
    expect(BigInt(aliceBal.balance.balance)).toBe(100n * 1_000_000_000n - 1_000_000_000n - cost);
  });

  it('estimates a budget the same way whether the simulation is read for its status only or for its effects', async () => {
    const alice = new Ed25519Keypair();
    const res: any = await requestSuiFromFaucetV2({ host: net.faucetUrl, recipient: alice.toSuiAddress() });
    await client.waitForTransaction({ digest: res.coins_sent[0]!.transferTxDigest });
    const { objects: [coin] } = await client.core.listCoins({ owner: alice.toSuiAddress() });
    const transfer = (amount: bigint) => {
      const tx = new Transaction();
      tx.setSender(alice.toSuiAddress());
      tx.setGasPayment([{ objectId: coin!.objectId, version: coin!.version, digest: coin!.digest }]);
      const [c] = tx.splitCoins(tx.gas, [tx.pure.u64(amount)]);
      tx.transferObjects([c!], new Ed25519Keypair().toSuiAddress());
      return tx;
    };
    // The SDK's resolution reads only the status (its dry run answers it); a full simulation reads the effects of
    // a run with the estimated budget. Same budget, same outcome.
    const built = Transaction.from(await transfer(1_000_000_000n).build({ client }));
    const full = await client.core.simulateTransaction({ transaction: transfer(1_000_000_000n), include: { effects: true, transaction: true } });
    expect(full.$kind).toBe('Transaction');
    const used = full.Transaction!.effects!.gasUsed;
    expect(BigInt(built.getData().gasData.budget!)).toBe(BigInt(used.computationCost) + BigInt(used.storageCost) + MIN_GAS_BUDGET);
    expect(full.Transaction!.transaction!.gasData.budget).toBe(built.getData().gasData.budget);
    // More than the coin holds: refused either way.
    await expect(transfer(1_000_000_000_000n).build({ client })).rejects.toThrow(/InsufficientCoinBalance|insufficient/i);
    const refused = await client.core.simulateTransaction({ transaction: transfer(1_000_000_000_000n), include: { effects: true } });
    expect(refused.$kind).toBe('FailedTransaction');
  });
});
