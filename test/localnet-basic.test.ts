import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuiGrpcClient } from '@mysten/sui/grpc';
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { startLocalnet, type Localnet } from '../src/localnet/index.js';
import { silentLogger } from '../src/localnet/log.js';

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
});
