import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuiGrpcClient } from '@mysten/sui/grpc';
import type { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { bcs } from '@mysten/sui/bcs';
import { startLocalnet, type Localnet } from '../src/localnet/index.js';
import { silentLogger } from '../src/localnet/log.js';
import { buildOffline, Counter, DEMO_ABI, DEMO_ELIMIT, DEMO_FUNCTIONS, signAndSubmit } from '../src/localnet/testing.js';

let net: Localnet;
let client: SuiGrpcClient;
let signer: Ed25519Keypair;
let pkg: string;

async function createCounter(limit: number): Promise<{ id: string; isv: string }> {
  const tx = new Transaction();
  tx.moveCall({ target: `${pkg}::demo::create`, arguments: [tx.pure.u64(limit)] });
  const res = await client.signAndExecuteTransaction({ transaction: tx, signer, include: { effects: true, events: true } });
  expect(res.$kind).toBe('Transaction');
  const created = res.Transaction!.effects!.changedObjects.find((c) => c.idOperation === 'Created' && c.outputOwner?.$kind === 'Shared')!;
  expect(res.Transaction!.events![0]!.eventType).toBe(`${pkg}::demo::CounterCreated`);
  return { id: created.objectId, isv: (created.outputOwner as any).Shared.initialSharedVersion };
}

async function counterValue(id: string): Promise<bigint> {
  const { objects } = await client.core.getObjects({ objectIds: [id], include: { content: true } });
  const o = objects[0]!;
  if (o instanceof Error) throw o;
  return BigInt(Counter.parse(o.content!).value);
}

beforeAll(async () => {
  net = await startLocalnet({ port: 0, faucetPort: 0, ephemeral: true, checkpointMs: 20, logger: silentLogger, packageFunctions: DEMO_FUNCTIONS, packageAbi: DEMO_ABI });
  client = new SuiGrpcClient({ baseUrl: net.rpcUrl, network: 'localnet' });
  signer = net.accounts[1]!.keypair;
  pkg = net.packageId;
});
afterAll(async () => net?.stop());

describe('package functions through the twin interface', () => {
  it('creates a shared object, resolves &mut / & shared inputs, emits events', async () => {
    const { id } = await createCounter(10);
    const tx = new Transaction();
    tx.moveCall({ target: `${pkg}::demo::bump`, arguments: [tx.object(id), tx.pure.u64(3), tx.object.clock()] });
    tx.moveCall({ target: `${pkg}::demo::peek`, arguments: [tx.object(id)] });
    const res = await client.signAndExecuteTransaction({ transaction: tx, signer, include: { effects: true, events: true, transaction: true } });
    expect(res.$kind).toBe('Transaction');
    const inputs = res.Transaction!.transaction!.inputs;
    const shared = inputs.filter((i: any) => i.Object?.SharedObject).map((i: any) => i.Object.SharedObject);
    expect(shared.find((s: any) => s.objectId === id)?.mutable).toBe(true);
    expect(shared.find((s: any) => s.objectId === '0x0000000000000000000000000000000000000000000000000000000000000006')?.mutable).toBe(false);
    expect(await counterValue(id)).toBe(3n);

    const peekOnly = new Transaction();
    peekOnly.moveCall({ target: `${pkg}::demo::peek`, arguments: [peekOnly.object(id)] });
    peekOnly.setSender(signer.toSuiAddress());
    const bytes = await peekOnly.build({ client });
    const data = bcs.TransactionData.parse(bytes).V1!;
    expect(data.kind.ProgrammableTransaction!.inputs[0]!.Object!.SharedObject!.mutable).toBe(false);

    const events = await client.core.listEvents({ filter: { emitModule: `${pkg}::demo` } });
    expect(events.events.map((e) => e.eventType)).toContain(`${pkg}::demo::Bumped`);
  });

  it('reports an abort like Sui (MoveAbort with location and code), charges gas, applies nothing else', async () => {
    const { id, isv } = await createCounter(5);
    const owner = signer.toSuiAddress();
    const before = BigInt((await client.core.getBalance({ owner })).balance.balance);
    const eventsBefore = (await client.core.listEvents({ filter: { sender: owner }, limit: 1000 })).events.length;
    const bytes = await buildOffline(client, signer, (tx) => {
      tx.moveCall({
        target: `${pkg}::demo::bump`,
        arguments: [tx.sharedObjectRef({ objectId: id, initialSharedVersion: isv, mutable: true }), tx.pure.u64(6), tx.object.clock()],
      });
    });
    const res = await signAndSubmit(client, signer, bytes);
    expect(res.$kind).toBe('FailedTransaction');
    const failed = res.FailedTransaction!;
    expect(failed.status.error?.$kind).toBe('MoveAbort');
    const abort = (failed.status.error as any).MoveAbort;
    expect(abort.abortCode).toBe(String(DEMO_ELIMIT));
    expect(abort.location.module).toBe('demo');
    expect(abort.location.functionName).toBe('bump');
    expect(failed.events).toEqual([]);
    expect(await counterValue(id)).toBe(0n);
    const gas = failed.effects!.gasUsed;
    const cost = BigInt(gas.computationCost) + BigInt(gas.storageCost) - BigInt(gas.storageRebate);
    expect(cost).toBeGreaterThan(0n);
    expect(BigInt((await client.core.getBalance({ owner })).balance.balance)).toBe(before - cost);
    await client.waitForTransaction({ digest: failed.digest });
    expect((await client.core.listEvents({ filter: { sender: owner }, limit: 1000 })).events.length).toBe(eventsBefore);

    // Simulation (tx.build) reports the same abort before anything is signed.
    const tx = new Transaction();
    tx.moveCall({ target: `${pkg}::demo::bump`, arguments: [tx.object(id), tx.pure.u64(6), tx.object.clock()] });
    await expect(client.signAndExecuteTransaction({ transaction: tx, signer })).rejects.toThrow(/abort/i);
  });

  it('deletes a shared object passed by value', async () => {
    const { id } = await createCounter(1);
    const tx = new Transaction();
    tx.moveCall({ target: `${pkg}::demo::destroy`, arguments: [tx.object(id)] });
    const res = await client.signAndExecuteTransaction({ transaction: tx, signer, include: { effects: true } });
    expect(res.$kind).toBe('Transaction');
    expect(res.Transaction!.effects!.changedObjects.find((c) => c.objectId === id)?.idOperation).toBe('Deleted');
    const { objects } = await client.core.getObjects({ objectIds: [id] });
    expect(objects[0]).toBeInstanceOf(Error);
  });

  it('refuses publish and nitro attestation with clear errors', async () => {
    const tx = new Transaction();
    tx.moveCall({ target: '0x2::nitro_attestation::load_nitro_attestation', arguments: [tx.pure.vector('u8', [1, 2]), tx.object.clock()] });
    await expect(client.signAndExecuteTransaction({ transaction: tx, signer })).rejects.toThrow(/load_nitro_attestation is not available on localnet/);
    const pub = new Transaction();
    pub.publish({ modules: [[1, 2, 3]], dependencies: ['0x1', '0x2'] });
    await expect(client.signAndExecuteTransaction({ transaction: pub, signer })).rejects.toThrow(/Publish is not supported on localnet/);
  });
});
