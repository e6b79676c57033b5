/**
 * Test helpers for localnet: a tiny fake package (`demo`) to exercise the engine without the real twin, and
 * helpers to build fully specified (offline) transactions with the SDK.
 */
import { bcs } from '@mysten/sui/bcs';
import type { SuiGrpcClient } from '@mysten/sui/grpc';
import type { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import type { FunctionAbi } from '../core/abi/types.js';
import { MoveAbortError, type PackageFunction } from './engine/move-runtime.js';

export const Counter = bcs.struct('Counter', { id: bcs.Address, value: bcs.u64(), limit: bcs.u64() });
export const CounterCreated = bcs.struct('CounterCreated', { id: bcs.Address, limit: bcs.u64() });
export const Bumped = bcs.struct('Bumped', { id: bcs.Address, value: bcs.u64(), timestamp_ms: bcs.u64() });
export const DEMO_ELIMIT = 7;

const counterType = (pkg: string) => `${pkg}::demo::Counter`;

/** `demo::create(limit)`, `demo::bump(&mut Counter, by, &Clock)` (aborts ELimit = 7), `demo::peek(&Counter)`, `demo::destroy(Counter)`. */
export const DEMO_FUNCTIONS: Record<string, PackageFunction> = {
  'demo::create': (rt, args) => {
    const limit = bcs.u64().parse(pure(args[0]));
    const id = rt.freshId();
    rt.create(counterType(rt.packageId), Counter.serialize({ id, value: 0n, limit }).toBytes(), { $kind: 'Shared' });
    rt.emit(`${rt.packageId}::demo::CounterCreated`, CounterCreated.serialize({ id, limit }).toBytes());
  },
  'demo::bump': (rt, args) => {
    const counter = obj(args[0]);
    const by = BigInt(bcs.u64().parse(pure(args[1])));
    const clock = obj(args[2]);
    const c = Counter.parse(counter.contents);
    const value = BigInt(c.value) + by;
    // Emitted before the abort check: an aborted call must leave no event behind.
    rt.emit(`${rt.packageId}::demo::Bumped`, Bumped.serialize({ id: c.id, value, timestamp_ms: bcs.u64().parse(clock.contents.subarray(32)) }).toBytes());
    if (value > BigInt(c.limit)) throw new MoveAbortError('demo', 'bump', DEMO_ELIMIT, 'ELimit');
    rt.mutate(counter.id, Counter.serialize({ ...c, value }).toBytes());
  },
  'demo::peek': () => {},
  'demo::destroy': (rt, args) => rt.delete(obj(args[0]).id),
};

const COUNTER = { struct: 'k3sdaas::demo::Counter' } as const;
export const DEMO_ABI: FunctionAbi[] = [
  { module: 'demo', name: 'create', params: [{ name: 'limit', kind: 'pure', type: 'u64' }], txContext: '&mut' },
  {
    module: 'demo',
    name: 'bump',
    params: [
      { name: 'counter', kind: 'object', type: COUNTER, ref: '&mut' },
      { name: 'by', kind: 'pure', type: 'u64' },
      { name: 'clock', kind: 'object', type: { struct: '0x2::clock::Clock' }, ref: '&' },
    ],
    txContext: 'none',
  },
  { module: 'demo', name: 'peek', params: [{ name: 'counter', kind: 'object', type: COUNTER, ref: '&' }], txContext: 'none' },
  { module: 'demo', name: 'destroy', params: [{ name: 'counter', kind: 'object', type: COUNTER, ref: 'value' }], txContext: 'none' },
];

function pure(a: Parameters<PackageFunction>[1][number] | undefined): Uint8Array {
  if (a?.kind !== 'pure') throw new Error('expected a pure argument');
  return a.bytes;
}
function obj(a: Parameters<PackageFunction>[1][number] | undefined) {
  if (a?.kind !== 'object') throw new Error('expected an object argument');
  return a.object;
}

/**
 * Builds a transaction without any simulation: gas payment = the signer's largest SUI coin (or `gasCoin`),
 * fixed price and budget. `build` adds the commands.
 */
export async function buildOffline(
  client: SuiGrpcClient,
  signer: Ed25519Keypair,
  build: (tx: Transaction) => void,
  options: { gasCoin?: { objectId: string; version: string; digest: string }; budget?: bigint } = {},
): Promise<Uint8Array> {
  const sender = signer.toSuiAddress();
  let gas = options.gasCoin;
  if (!gas) {
    const { objects } = await client.core.listCoins({ owner: sender });
    const best = [...objects].sort((a, b) => (BigInt(b.balance) > BigInt(a.balance) ? 1 : -1))[0];
    if (!best) throw new Error(`${sender} has no coins`);
    gas = { objectId: best.objectId, version: best.version, digest: best.digest };
  }
  const tx = new Transaction();
  tx.setSender(sender);
  tx.setGasPrice(1000);
  tx.setGasBudget(options.budget ?? 50_000_000n);
  tx.setGasPayment([gas]);
  build(tx);
  return tx.build();
}

export async function signAndSubmit(client: SuiGrpcClient, signer: Ed25519Keypair, bytes: Uint8Array) {
  const { signature } = await signer.signTransaction(bytes);
  return client.core.executeTransaction({ transaction: bytes, signatures: [signature], include: { effects: true, events: true, balanceChanges: true } });
}
