import { it, expect } from 'vitest';
import { SuiGrpcClient } from '@mysten/sui/grpc';
import { SerialTransactionExecutor, Transaction, coinWithBalance } from '@mysten/sui/transactions';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { startLocalnet } from '../src/localnet/index.js';
import { silentLogger } from '../src/localnet/log.js';

it('resolves coinWithBalance and serialises concurrent transactions from several senders', async () => {
  const net = await startLocalnet({ port: 0, faucetPort: 0, ephemeral: true, logger: silentLogger });
  try {
    const client = new SuiGrpcClient({ baseUrl: net.rpcUrl, network: 'localnet' });
    const bob = new Ed25519Keypair().toSuiAddress();
    const tx = new Transaction();
    tx.transferObjects([coinWithBalance({ balance: 777n })], bob);
    const r = await client.signAndExecuteTransaction({ transaction: tx, signer: net.accounts[0]!.keypair });
    expect((await client.core.getBalance({ owner: bob })).balance.balance).toBe('777');
    const results = await Promise.all(net.accounts.map(async (a) => {
      const t = new Transaction();
      t.transferObjects([t.splitCoins(t.gas, [t.pure.u64(1)])[0]!], bob);
      return client.signAndExecuteTransaction({ transaction: t, signer: a.keypair });
    }));
    expect(results.every((x) => x.$kind === 'Transaction')).toBe(true);
    expect((await client.core.getBalance({ owner: bob })).balance.balance).toBe(String(777 + net.accounts.length));
    // The SDK's executor reuses object versions and digests from effects without re-reading them.
    const executor = new SerialTransactionExecutor({ client, signer: net.accounts[1]!.keypair });
    for (let i = 0; i < 3; i++) {
      const t = new Transaction();
      t.transferObjects([t.splitCoins(t.gas, [t.pure.u64(10)])[0]!], bob);
      const r = await executor.executeTransaction(t);
      expect(r.Transaction?.status.success ?? r).toBe(true);
    }
    expect((await client.core.getBalance({ owner: bob })).balance.balance).toBe(String(777 + net.accounts.length + 30));
  } finally {
    await net.stop();
  }
});
