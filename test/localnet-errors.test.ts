import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuiGrpcClient } from '@mysten/sui/grpc';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { toBase64 } from '@mysten/sui/utils';
import { startLocalnet, type Localnet } from '../src/localnet/index.js';
import { silentLogger } from '../src/localnet/log.js';
import { buildOffline, signAndSubmit } from '../src/localnet/testing.js';

let net: Localnet;
let client: SuiGrpcClient;
let signer: Ed25519Keypair;
let owner: string;

beforeAll(async () => {
  net = await startLocalnet({ port: 0, faucetPort: 0, ephemeral: true, checkpointMs: 0, logger: silentLogger });
  client = new SuiGrpcClient({ baseUrl: net.rpcUrl, network: 'localnet' });
  signer = net.accounts[2]!.keypair;
  owner = signer.toSuiAddress();
});
afterAll(async () => net?.stop());

async function snapshot() {
  const { balance } = await client.core.getBalance({ owner });
  const { objects } = await client.core.listCoins({ owner });
  return { balance: balance.balance, coins: objects.map((o) => `${o.objectId}@${o.version}:${o.balance}`).sort() };
}

const transfer = (to: string, amount = 1000n) => (tx: Transaction) => {
  const [c] = tx.splitCoins(tx.gas, [tx.pure.u64(amount)]);
  tx.transferObjects([c!], to);
};

describe('coins: split, merge, transfer', () => {
  it('splits and merges coins, balances read back', async () => {
    const kp = new Ed25519Keypair();
    const addr = kp.toSuiAddress();
    const fund = new Transaction();
    const parts = fund.splitCoins(fund.gas, [fund.pure.u64(3_000_000_000n), fund.pure.u64(2_000_000_000n), fund.pure.u64(1_000_000_000n)]);
    fund.transferObjects([parts[0]!, parts[1]!, parts[2]!], addr);
    await client.signAndExecuteTransaction({ transaction: fund, signer });
    let coins = (await client.core.listCoins({ owner: addr })).objects;
    expect(coins.map((c) => c.balance).sort()).toEqual(['1000000000', '2000000000', '3000000000']);

    const merge = new Transaction();
    const small = coins.filter((c) => c.balance !== '3000000000');
    merge.mergeCoins(merge.gas, small.map((c) => merge.object(c.objectId)));
    const res = await client.signAndExecuteTransaction({ transaction: merge, signer: kp, include: { effects: true } });
    expect(res.$kind).toBe('Transaction');
    coins = (await client.core.listCoins({ owner: addr })).objects;
    expect(coins).toHaveLength(1);
    const gas = res.Transaction!.effects!.gasUsed;
    const cost = BigInt(gas.computationCost) + BigInt(gas.storageCost) - BigInt(gas.storageRebate);
    expect((await client.core.getBalance({ owner: addr })).balance.balance).toBe(String(6_000_000_000n - cost));

    const pay = new Transaction();
    pay.moveCall({ target: '0x2::pay::split_and_transfer', typeArguments: ['0x2::sui::SUI'], arguments: [pay.gas, pay.pure.u64(5), pay.pure.address(owner)] });
    const coinSplit = pay.moveCall({ target: '0x2::coin::split', typeArguments: ['0x2::sui::SUI'], arguments: [pay.gas, pay.pure.u64(7)] });
    pay.moveCall({ target: '0x2::transfer::public_transfer', typeArguments: ['0x2::coin::Coin<0x2::sui::SUI>'], arguments: [coinSplit, pay.pure.address(owner)] });
    const payRes = await client.signAndExecuteTransaction({ transaction: pay, signer: kp, include: { balanceChanges: true } });
    expect(payRes.$kind).toBe('Transaction');
    expect(payRes.Transaction!.balanceChanges!.find((b) => b.address === owner)?.amount).toBe('12');
    const objects = await client.core.listOwnedObjects({ owner: addr, type: '0x2::coin::Coin' });
    expect(objects.objects).toHaveLength(1);
  });
});

describe('bad input is refused with a clear gRPC error and changes nothing', () => {
  it('garbage bytes', async () => {
    const before = await snapshot();
    await expect(
      client.core.executeTransaction({ transaction: new Uint8Array([1, 2, 3, 4, 5]), signatures: [toBase64(new Uint8Array(97))] }),
    ).rejects.toThrow(/not a BCS TransactionData/);
    expect(await snapshot()).toEqual(before);
  });

  it('wrong and missing signatures', async () => {
    const before = await snapshot();
    const bytes = await buildOffline(client, signer, transfer(owner));
    const other = new Ed25519Keypair();
    const { signature } = await other.signTransaction(bytes);
    await expect(client.core.executeTransaction({ transaction: bytes, signatures: [signature] })).rejects.toThrow(/must be signed by the sender/);
    await expect(client.core.executeTransaction({ transaction: bytes, signatures: [] })).rejects.toThrow(/no signatures/);
    const { signature: good } = await signer.signTransaction(bytes);
    const tampered = Uint8Array.from(Buffer.from(good, 'base64'));
    tampered[10] ^= 0xff;
    await expect(client.core.executeTransaction({ transaction: bytes, signatures: [toBase64(tampered)] })).rejects.toThrow(/signature 0 is invalid/);
    expect(await snapshot()).toEqual(before);
  });

  it('replayed transaction and spent object version', async () => {
    const bytes = await buildOffline(client, signer, transfer(owner));
    const { signature } = await signer.signTransaction(bytes);
    const ok = await client.core.executeTransaction({ transaction: bytes, signatures: [signature] });
    expect(ok.$kind).toBe('Transaction');
    const before = await snapshot();
    await expect(client.core.executeTransaction({ transaction: bytes, signatures: [signature] })).rejects.toThrow(/already executed/);
    // A different transaction spending the same (now old) gas coin version.
    const data = Transaction.from(bytes).getData();
    const stale = { ...data.gasData.payment![0]!, version: String(data.gasData.payment![0]!.version) };
    const again = await buildOffline(client, signer, transfer(owner, 2000n), { gasCoin: stale });
    await expect(signAndSubmit(client, signer, again)).rejects.toThrow(/not available for consumption/);
    expect(await snapshot()).toEqual(before);
  });

  it('too-large pure argument and too-large transaction', async () => {
    const before = await snapshot();
    const big = await buildOffline(client, signer, (tx) => {
      const [c] = tx.splitCoins(tx.gas, [tx.pure.u64(1)]);
      tx.transferObjects([c!], owner);
      tx.pure.vector('u8', new Array(17 * 1024).fill(7));
    });
    await expect(signAndSubmit(client, signer, big)).rejects.toThrow(/max_pure_argument_size is 16384/);
    const huge = await buildOffline(client, signer, (tx) => {
      const [c] = tx.splitCoins(tx.gas, [tx.pure.u64(1)]);
      tx.transferObjects([c!], owner);
      for (let i = 0; i < 9; i++) tx.pure.vector('u8', new Array(15 * 1024).fill(i));
    });
    await expect(signAndSubmit(client, signer, huge)).rejects.toThrow(/max_tx_size_bytes is 131072/);
    expect(await snapshot()).toEqual(before);
  });

  it('unknown method names the method', async () => {
    await expect(client.nameService.lookupName({ name: 'x.sui' })).rejects.toThrow(/sui\.rpc\.v2\.NameService\/LookupName is not implemented/);
  });

  it('missing objects are reported per item', async () => {
    const { objects } = await client.core.getObjects({ objectIds: ['0x1234', net.packageId] });
    expect(objects[0]).toBeInstanceOf(Error);
    expect(objects[1]).not.toBeInstanceOf(Error);
  });
});
