/**
 * Executes one transaction against the ledger's live objects: checks (size limits, expiration, input versions,
 * ownership, gas), runs the commands on an Overlay, charges gas, and produces the effects plus the object writes
 * to commit. Nothing here touches the ledger; the Chain commits the result.
 */
import type { bcs } from '@mysten/sui/bcs';
import { ExecFailure, TxRejected } from './errors.js';
import { addr, coinContents, coinValue, digestOf, isCoinType, objectDigest, SUI_COIN_TYPE, CLOCK_ID } from './ids.js';
import { pureBytes } from './inputs.js';
import { Interpreter, LIMITS, type Access, type PackageContext, type Val } from './interpreter.js';
import { Overlay } from './overlay.js';
import type { ChangedObject, EventRecord, ExecutionFailure, StoredObject, TransactionEffectsRecord } from './types.js';

export type TransactionDataV1 = typeof bcs.TransactionDataV1.$inferType;

export const REFERENCE_GAS_PRICE = 1000n;
/** Computation units charged per command (plus one for the transaction). */
export const COMPUTATION_UNITS_PER_COMMAND = 1000n;
/** MIST per byte stored (Sui: storage price 76 × 100 units per byte). */
export const STORAGE_COST_PER_BYTE = 7600n;
/** Share of a storage rebate that is not refunded (Sui: 1%). */
export const NON_REFUNDABLE_BPS = 100n;
export const MIN_GAS_BUDGET = 1000n * REFERENCE_GAS_PRICE;
export const MAX_GAS_BUDGET = 50_000_000_000n;

export interface ExecuteOptions {
  digest: string;
  timestampMs: bigint;
  epoch: bigint;
  chainId: string;
  pkg: PackageContext;
  /** Simulation: no gas payment is required (costs are still reported). */
  simulate?: boolean;
  /** Budget estimation: do not reserve the budget from the gas coin and do not enforce it. */
  estimate?: boolean;
  /** Executed digests (replay protection). */
  executed?: (digest: string) => boolean;
}

export interface ExecuteResult {
  effects: TransactionEffectsRecord;
  events: EventRecord[];
  /** Live objects after the transaction (new versions). */
  writes: StoredObject[];
  deletes: string[];
  balanceChanges: Array<{ address: string; coinType: string; amount: bigint }>;
}

interface InputInfo {
  slots: Array<Val | undefined>;
  access: Map<string, Access>;
  /** Objects whose version is bumped even when unchanged (owned inputs, mutable shared inputs, gas). */
  mutated: Set<string>;
  sharedRead: Set<string>;
  maxVersion: bigint;
}

export function checkLimits(data: TransactionDataV1, txBytes: number): void {
  if (txBytes > LIMITS.maxTxBytes) {
    throw new TxRejected(3, `transaction is ${txBytes} bytes; max_tx_size_bytes is ${LIMITS.maxTxBytes}`);
  }
  const ptb = data.kind.ProgrammableTransaction;
  if (!ptb) throw new TxRejected(3, `only programmable transactions are accepted, got ${data.kind.$kind}`);
  if (ptb.commands.length === 0) throw new TxRejected(3, 'transaction has no commands');
  if (ptb.commands.length > LIMITS.maxCommands) {
    throw new TxRejected(3, `transaction has ${ptb.commands.length} commands; max_programmable_tx_commands is ${LIMITS.maxCommands}`);
  }
  if (ptb.inputs.length > LIMITS.maxInputs) throw new TxRejected(3, `transaction has ${ptb.inputs.length} inputs; max_input_objects is ${LIMITS.maxInputs}`);
  ptb.inputs.forEach((input, i) => {
    if (input.$kind === 'Pure') {
      const size = pureBytes(input.Pure).length;
      if (size > LIMITS.maxPureArgBytes) {
        throw new TxRejected(3, `pure argument ${i} is ${size} bytes; max_pure_argument_size is ${LIMITS.maxPureArgBytes}`);
      }
    }
  });
  if (data.gasData.payment.length > LIMITS.maxGasObjects) {
    throw new TxRejected(3, `${data.gasData.payment.length} gas objects; max_gas_payment_objects is ${LIMITS.maxGasObjects}`);
  }
}

function checkExpiration(data: TransactionDataV1, opts: ExecuteOptions): void {
  const exp = data.expiration;
  if (!exp || exp.$kind === 'None') return;
  if (exp.$kind === 'Epoch') {
    if (opts.epoch > BigInt(exp.Epoch)) throw new TxRejected(9, `transaction expired at epoch ${exp.Epoch} (current epoch ${opts.epoch})`);
    return;
  }
  const v = exp.$kind === 'ValidDuring' ? exp.ValidDuring : exp.Validity;
  if (!v) return;
  if (v.minEpoch != null && opts.epoch < BigInt(v.minEpoch)) throw new TxRejected(9, `transaction is not valid before epoch ${v.minEpoch}`);
  if (v.maxEpoch != null && opts.epoch > BigInt(v.maxEpoch)) throw new TxRejected(9, `transaction expired at epoch ${v.maxEpoch}`);
  if (v.minTimestamp != null && opts.timestampMs < BigInt(v.minTimestamp)) throw new TxRejected(9, 'transaction is not valid yet');
  if (v.maxTimestamp != null && opts.timestampMs > BigInt(v.maxTimestamp)) throw new TxRejected(9, 'transaction expired');
  if (v.chain && v.chain !== opts.chainId) throw new TxRejected(9, `transaction is for chain ${v.chain}, this is ${opts.chainId}`);
}

function resolveInputs(data: TransactionDataV1, objects: ReadonlyMap<string, StoredObject>): InputInfo {
  const ptb = data.kind.ProgrammableTransaction!;
  const info: InputInfo = { slots: [], access: new Map(), mutated: new Set(), sharedRead: new Set(), maxVersion: 0n };
  const seen = new Set<string>();
  ptb.inputs.forEach((input, i) => {
    if (input.$kind === 'Pure') {
      info.slots.push({ t: 'pure', bytes: pureBytes(input.Pure) });
      return;
    }
    if (input.$kind !== 'Object') throw new TxRejected(3, `input ${i}: ${input.$kind} inputs are not supported on localnet`);
    const arg = input.Object;
    const ref = arg.$kind === 'SharedObject' ? arg.SharedObject : arg.$kind === 'ImmOrOwnedObject' ? arg.ImmOrOwnedObject : undefined;
    if (!ref) throw new TxRejected(3, `input ${i}: Receiving objects are not supported on localnet`);
    const id = addr(ref.objectId);
    if (seen.has(id)) throw new TxRejected(3, `object ${id} appears more than once in the inputs`);
    seen.add(id);
    const o = objects.get(id);
    if (!o) throw new TxRejected(5, `input ${i}: object ${id} does not exist (deleted or never created)`);
    if (arg.$kind === 'SharedObject') {
      const s = arg.SharedObject;
      if (o.owner.$kind !== 'Shared') throw new TxRejected(3, `input ${i}: object ${id} is not shared`);
      if (String(s.initialSharedVersion) !== o.owner.Shared.initialSharedVersion) {
        throw new TxRejected(3, `input ${i}: shared object ${id} has initial shared version ${o.owner.Shared.initialSharedVersion}, not ${s.initialSharedVersion}`);
      }
      if (id === CLOCK_ID && s.mutable) throw new TxRejected(3, 'the Clock (0x6) can only be passed as an immutable shared object');
      info.access.set(id, s.mutable ? 'sharedMut' : 'sharedImm');
      (s.mutable ? info.mutated : info.sharedRead).add(id);
    } else {
      const r = arg.ImmOrOwnedObject!;
      if (o.owner.$kind === 'Shared') throw new TxRejected(3, `input ${i}: object ${id} is shared; pass it as a shared object`);
      if (BigInt(r.version) !== o.version) {
        throw new TxRejected(
          9,
          `input ${i}: object ${id} version ${r.version} is not available for consumption; current version is ${o.version}`,
        );
      }
      if (r.digest !== o.digest) throw new TxRejected(9, `input ${i}: object ${id} digest ${r.digest} does not match ${o.digest}`);
      if (o.owner.$kind === 'Immutable') info.access.set(id, 'immutable');
      else if (o.owner.$kind === 'AddressOwner') {
        if (o.owner.AddressOwner !== addr(data.sender)) {
          throw new TxRejected(3, `input ${i}: object ${id} is owned by ${o.owner.AddressOwner}, not by the sender ${addr(data.sender)}`);
        }
        info.access.set(id, 'owned');
        info.mutated.add(id);
      } else throw new TxRejected(3, `input ${i}: object ${id} is owned by object ${o.owner.ObjectOwner} and cannot be an input`);
    }
    if (o.version > info.maxVersion) info.maxVersion = o.version;
    info.slots.push({ t: 'obj', id });
  });
  return info;
}

interface GasInfo {
  id?: string;
  coins: string[];
  budget: bigint;
  price: bigint;
}

function checkGas(data: TransactionDataV1, objects: ReadonlyMap<string, StoredObject>, info: InputInfo, simulate: boolean): GasInfo {
  const price = BigInt(data.gasData.price);
  const budget = BigInt(data.gasData.budget);
  const owner = addr(data.gasData.owner);
  const coins: string[] = [];
  if (data.gasData.payment.length === 0) {
    if (simulate) return { coins, budget, price };
    throw new TxRejected(3, 'no gas payment: gasData.payment is empty');
  }
  if (price < REFERENCE_GAS_PRICE) throw new TxRejected(3, `gas price ${price} is below the reference gas price ${REFERENCE_GAS_PRICE}`);
  if (budget < MIN_GAS_BUDGET) throw new TxRejected(3, `gas budget ${budget} is below the minimum ${MIN_GAS_BUDGET}`);
  if (budget > MAX_GAS_BUDGET) throw new TxRejected(3, `gas budget ${budget} is above the maximum ${MAX_GAS_BUDGET}`);
  let total = 0n;
  for (const ref of data.gasData.payment) {
    const id = addr(ref.objectId);
    const o = objects.get(id);
    if (!o) throw new TxRejected(5, `gas object ${id} does not exist`);
    if (coins.includes(id) || info.access.has(id)) throw new TxRejected(3, `gas object ${id} is used twice`);
    if (o.type !== SUI_COIN_TYPE) throw new TxRejected(3, `gas object ${id} is not a SUI coin (${o.type})`);
    if (o.owner.$kind !== 'AddressOwner' || o.owner.AddressOwner !== owner) throw new TxRejected(3, `gas object ${id} is not owned by the gas owner ${owner}`);
    if (BigInt(ref.version) !== o.version) {
      throw new TxRejected(9, `gas object ${id} version ${ref.version} is not available for consumption; current version is ${o.version}`);
    }
    if (ref.digest !== o.digest) throw new TxRejected(9, `gas object ${id} digest ${ref.digest} does not match ${o.digest}`);
    total += coinValue(o.contents);
    coins.push(id);
    if (o.version > info.maxVersion) info.maxVersion = o.version;
  }
  if (total < budget) throw new TxRejected(9, `gas balance ${total} is below the gas budget ${budget}`);
  return { id: coins[0], coins, budget, price };
}

/** Smashes the gas coins into the first one and reserves the budget from it. */
function prepareGas(overlay: Overlay, gas: GasInfo, reserve: bigint): void {
  if (!gas.id) return;
  let total = 0n;
  for (const id of gas.coins) {
    total += coinValue(overlay.get(id)!.contents);
    if (id !== gas.id) overlay.delete(id);
  }
  const primary = overlay.get(gas.id)!;
  overlay.put({ ...primary, contents: coinContents(gas.id, total - reserve) });
}

const objectSize = (o: StoredObject) => BigInt(o.contents.length + o.type.length + 64);

export function executeTransaction(data: TransactionDataV1, txBytes: number, objects: ReadonlyMap<string, StoredObject>, opts: ExecuteOptions): ExecuteResult {
  checkLimits(data, txBytes);
  if (!opts.simulate && opts.executed?.(opts.digest)) throw new TxRejected(6, `transaction ${opts.digest} was already executed`);
  checkExpiration(data, opts);
  const sender = addr(data.sender);
  const info = resolveInputs(data, objects);
  const gas = checkGas(data, objects, info, !!opts.simulate);
  const lamport = info.maxVersion + 1n;
  const commands = data.kind.ProgrammableTransaction!.commands;
  const ids = { next: 0 };
  const reserve = opts.estimate ? 0n : gas.budget;

  const attempt = (run: boolean) => {
    const overlay = new Overlay(objects);
    prepareGas(overlay, gas, reserve);
    const access = new Map(info.access);
    if (gas.id) access.set(gas.id, 'owned');
    const interp = new Interpreter({
      overlay,
      sender,
      digest: opts.digest,
      timestampMs: opts.timestampMs,
      pkg: opts.pkg,
      inputs: info.slots.map((s) => s),
      access,
      gasId: gas.id,
      ids,
    });
    if (run) interp.run(commands);
    return { overlay, events: interp.events };
  };

  let failure: ExecutionFailure | undefined;
  let { overlay, events } = (() => {
    try {
      return attempt(true);
    } catch (err) {
      if (!(err instanceof ExecFailure)) throw err;
      failure = toFailure(err);
      return attempt(false);
    }
  })();

  const computationCost = gas.price * COMPUTATION_UNITS_PER_COMMAND * BigInt(commands.length + 1);
  const costs = () => measure(overlay, objects, info, gas);
  let { storageCost, storageRebate } = costs();
  if (gas.id && !opts.estimate && computationCost + storageCost > gas.budget) {
    failure = {
      kind: 'INSUFFICIENT_GAS',
      message: `insufficient gas: computation ${computationCost} + storage ${storageCost} exceeds the budget ${gas.budget}`,
    };
    ({ overlay, events } = attempt(false));
    ({ storageCost, storageRebate } = costs());
  }
  const nonRefundableStorageFee = (storageRebate * NON_REFUNDABLE_BPS) / 10_000n;
  const refunded = storageRebate - nonRefundableStorageFee;
  let charged = computationCost + storageCost - refunded;
  if (gas.id) {
    if (charged > gas.budget && !opts.estimate) charged = gas.budget;
    const g = overlay.get(gas.id)!;
    const value = coinValue(g.contents) + reserve - charged;
    overlay.put({ ...g, contents: coinContents(gas.id, value < 0n ? 0n : value) });
  }
  return finish({ data, opts, overlay, objects, info, gas, lamport, failure, events: failure ? [] : events, sender, gasUsed: { computationCost, storageCost, storageRebate: refunded, nonRefundableStorageFee } });
}

function toFailure(err: ExecFailure): ExecutionFailure {
  return { kind: err.kind, message: err.message, abort: err.details.abort, command: err.details.command, size: err.details.size };
}

function changedIds(overlay: Overlay, info: InputInfo, gas: GasInfo): string[] {
  const ids = new Set<string>([...info.mutated, ...gas.coins, ...overlay.changes.keys()]);
  return [...ids].filter((id) => overlay.base(id) || overlay.get(id));
}

function measure(overlay: Overlay, objects: ReadonlyMap<string, StoredObject>, info: InputInfo, gas: GasInfo) {
  let storageCost = 0n;
  let storageRebate = 0n;
  for (const id of changedIds(overlay, info, gas)) {
    const before = objects.get(id);
    const after = overlay.get(id);
    if (before) storageRebate += before.storageRebate;
    if (after) storageCost += objectSize(after) * STORAGE_COST_PER_BYTE;
  }
  return { storageCost, storageRebate };
}

function finish(p: {
  data: TransactionDataV1;
  opts: ExecuteOptions;
  overlay: Overlay;
  objects: ReadonlyMap<string, StoredObject>;
  info: InputInfo;
  gas: GasInfo;
  lamport: bigint;
  failure?: ExecutionFailure;
  events: EventRecord[];
  sender: string;
  gasUsed: TransactionEffectsRecord['gasUsed'];
}): ExecuteResult {
  const { overlay, objects, lamport, opts } = p;
  const writes: StoredObject[] = [];
  const deletes: string[] = [];
  const changedObjects: ChangedObject[] = [];
  const balance = new Map<string, bigint>();
  const addBalance = (o: StoredObject | undefined, sign: 1n | -1n) => {
    if (!o || !isCoinType(o.type) || o.owner.$kind !== 'AddressOwner') return;
    const key = `${o.owner.AddressOwner}|${o.type.slice(o.type.indexOf('<') + 1, -1)}`;
    balance.set(key, (balance.get(key) ?? 0n) + sign * coinValue(o.contents));
  };
  const dependencies = new Set<string>();
  for (const id of changedIds(overlay, p.info, p.gas)) {
    const before = objects.get(id);
    let after = overlay.get(id);
    if (before) dependencies.add(before.previousTransaction);
    addBalance(before, -1n);
    if (after) {
      const owner =
        after.owner.$kind === 'Shared' && after.owner.Shared.initialSharedVersion === '0'
          ? { $kind: 'Shared' as const, Shared: { initialSharedVersion: lamport.toString() } }
          : after.owner;
      const base = { ...after, owner, version: lamport, previousTransaction: opts.digest, storageRebate: objectSize(after) * STORAGE_COST_PER_BYTE };
      after = { ...base, digest: objectDigest(base) };
      writes.push(after);
      addBalance(after, 1n);
    } else deletes.push(id);
    changedObjects.push({
      id,
      input: before ? { version: before.version, digest: before.digest, owner: before.owner } : undefined,
      output: after ? { version: after.version, digest: after.digest, owner: after.owner } : undefined,
      idOperation: !before ? 'CREATED' : !after ? 'DELETED' : 'NONE',
      objectType: (after ?? before)!.type,
    });
  }
  for (const id of p.info.sharedRead) {
    const o = objects.get(id);
    if (o) dependencies.add(o.previousTransaction);
  }
  const unchangedShared = [...p.info.sharedRead].map((id) => {
    const o = objects.get(id)!;
    return { id, version: o.version, digest: o.digest, type: o.type };
  });
  const effects: Omit<TransactionEffectsRecord, 'digest'> = {
    status: p.failure ? { success: false, error: p.failure } : { success: true },
    epoch: opts.epoch,
    gasUsed: p.gasUsed,
    gasObject: p.gas.id,
    lamportVersion: lamport,
    changedObjects,
    unchangedShared,
    dependencies: [...dependencies].filter((d) => d !== opts.digest).sort(),
  };
  return {
    effects: { ...effects, digest: digestOf('TransactionEffects::', { tx: opts.digest, effects }) },
    events: p.events,
    writes,
    deletes,
    balanceChanges: [...balance]
      .filter(([, v]) => v !== 0n)
      .map(([k, amount]) => {
        const [address, coinType] = k.split('|') as [string, string];
        return { address, coinType, amount };
      }),
  };
}
