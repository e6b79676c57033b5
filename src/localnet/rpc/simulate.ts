/**
 * SimulateTransaction: resolves what `tx.build()` leaves open (object inputs given by id only, shared mutability
 * from the Move signatures, gas payment, price and budget), then dry-runs the transaction.
 */
import { bcs } from '@mysten/sui/bcs';
import { GrpcTypes } from '@mysten/sui/grpc';
import { TransactionDataBuilder } from '@mysten/sui/transactions';
import type { Chain } from '../chain/chain.js';
import { decodeTransaction } from '../chain/chain.js';
import { TxRejected } from '../chain/errors.js';
import { REFERENCE_GAS_PRICE, MAX_GAS_BUDGET, MIN_GAS_BUDGET, type TransactionDataV1 } from '../chain/executor.js';
import { addr, CLOCK_ID, coinValue, normalizeType, SUI_COIN_TYPE } from '../chain/ids.js';
import type { Command } from '../chain/interpreter.js';
import { Code, GrpcError } from './grpc-web.js';
import { effectsProto, eventProto, transactionProto } from './convert.js';

const T = GrpcTypes;

function argFromProto(a: any): any {
  switch (a?.kind) {
    case T.Argument_ArgumentKind.GAS:
      return { $kind: 'GasCoin', GasCoin: true };
    case T.Argument_ArgumentKind.INPUT:
      return { $kind: 'Input', Input: a.input ?? 0 };
    case T.Argument_ArgumentKind.RESULT:
      return a.subresult != null ? { $kind: 'NestedResult', NestedResult: [a.result ?? 0, a.subresult] } : { $kind: 'Result', Result: a.result ?? 0 };
    default:
      throw new GrpcError(Code.INVALID_ARGUMENT, 'argument kind is missing');
  }
}

function commandFromProto(c: any): any {
  const cmd = c.command;
  switch (cmd?.oneofKind) {
    case 'moveCall':
      return {
        MoveCall: {
          package: cmd.moveCall.package,
          module: cmd.moveCall.module,
          function: cmd.moveCall.function,
          typeArguments: cmd.moveCall.typeArguments.map(normalizeType),
          arguments: cmd.moveCall.arguments.map(argFromProto),
        },
      };
    case 'transferObjects':
      return { TransferObjects: { objects: cmd.transferObjects.objects.map(argFromProto), address: argFromProto(cmd.transferObjects.address) } };
    case 'splitCoins':
      return { SplitCoins: { coin: argFromProto(cmd.splitCoins.coin), amounts: cmd.splitCoins.amounts.map(argFromProto) } };
    case 'mergeCoins':
      return { MergeCoins: { destination: argFromProto(cmd.mergeCoins.coin), sources: cmd.mergeCoins.coinsToMerge.map(argFromProto) } };
    case 'makeMoveVector':
      return { MakeMoveVec: { type: cmd.makeMoveVector.elementType ? normalizeType(cmd.makeMoveVector.elementType) : null, elements: cmd.makeMoveVector.elements.map(argFromProto) } };
    case 'publish':
      return { Publish: { modules: cmd.publish.modules, dependencies: cmd.publish.dependencies } };
    case 'upgrade':
      return { Upgrade: { modules: cmd.upgrade.modules, dependencies: cmd.upgrade.dependencies, package: cmd.upgrade.package, ticket: argFromProto(cmd.upgrade.ticket) } };
    default:
      throw new GrpcError(Code.INVALID_ARGUMENT, 'command is missing');
  }
}

/** Whether input `index` is used mutably (for shared objects: `&mut` or by value in the Move signature). */
function usedMutably(chain: Chain, commands: Command[], index: number): boolean {
  const isInput = (a: any) => a?.$kind === 'Input' && a.Input === index;
  for (const cmd of commands) {
    if (cmd.$kind === 'MoveCall') {
      const call = cmd.MoveCall;
      for (const [i, a] of call.arguments.entries()) {
        if (!isInput(a)) continue;
        if (addr(call.package) === chain.pkg.packageId || chain.pkg.upgrades?.includes(addr(call.package))) {
          const fn = chain.pkg.abi.find((f) => f.module === call.module && f.name === call.function);
          const p = fn?.params[i];
          if (!p || p.kind !== 'object' || p.ref !== '&') return true;
        } else if (!(call.module === 'coin' && call.function === 'value')) return true;
      }
      continue;
    }
    const args: any[] =
      cmd.$kind === 'SplitCoins'
        ? [cmd.SplitCoins.coin]
        : cmd.$kind === 'MergeCoins'
          ? [cmd.MergeCoins.destination, ...cmd.MergeCoins.sources]
          : cmd.$kind === 'TransferObjects'
            ? cmd.TransferObjects.objects
            : cmd.$kind === 'MakeMoveVec'
              ? cmd.MakeMoveVec.elements
              : [];
    if (args.some(isInput)) return true;
  }
  return false;
}

function expirationFromProto(e: any): any {
  const K = T.TransactionExpiration_TransactionExpirationKind;
  const ms = (t: any) => (t ? t.seconds * 1000n + BigInt(Math.floor(t.nanos / 1e6)) : null);
  switch (e?.kind) {
    case K.EPOCH:
      return { Epoch: Number(e.epoch ?? 0n) };
    case K.VALID_DURING:
    case K.VALIDITY:
      return {
        ValidDuring: {
          minEpoch: e.minEpoch ?? null,
          maxEpoch: e.epoch ?? null,
          minTimestamp: ms(e.minTimestamp),
          maxTimestamp: ms(e.maxTimestamp),
          chain: e.chain,
          nonce: e.nonce ?? 0,
        },
      };
    default:
      return { None: true };
  }
}

/** Builds BCS TransactionData from the proto Transaction, resolving object inputs against the ledger. */
function resolveTransaction(chain: Chain, tx: any): { data: any; gasOwner: string; needsGas: boolean } {
  const ptb = tx?.kind?.data?.oneofKind === 'programmableTransaction' ? tx.kind.data.programmableTransaction : undefined;
  if (!ptb) throw new GrpcError(Code.INVALID_ARGUMENT, 'only programmable transactions can be simulated');
  const commands = ptb.commands.map(commandFromProto);
  const sender = addr(tx.sender ?? '0x0');
  const parsedCommands = commands.map((c: any) => ({ ...c, $kind: Object.keys(c)[0] })) as Command[];
  const inputs = ptb.inputs.map((input: any, i: number) => {
    const K = T.Input_InputKind;
    switch (input.kind) {
      case K.PURE:
        return { Pure: { bytes: input.pure ?? new Uint8Array() } };
      case K.IMMUTABLE_OR_OWNED:
        return { Object: { ImmOrOwnedObject: { objectId: input.objectId, version: input.version, digest: input.digest } } };
      case K.SHARED:
        return { Object: { SharedObject: { objectId: input.objectId, initialSharedVersion: input.version, mutable: input.mutable ?? false } } };
      case K.RECEIVING:
        return { Object: { Receiving: { objectId: input.objectId, version: input.version, digest: input.digest } } };
      default: {
        if (!input.objectId) throw new GrpcError(Code.INVALID_ARGUMENT, `input ${i} has no kind and no object id`);
        const id = addr(input.objectId);
        const o = chain.objects.get(id);
        if (!o) throw new GrpcError(Code.NOT_FOUND, `input ${i}: object ${id} does not exist`);
        if (o.owner.$kind === 'Shared') {
          const mutable = id === CLOCK_ID ? false : input.mutable === true || usedMutably(chain, parsedCommands, i);
          return { Object: { SharedObject: { objectId: id, initialSharedVersion: o.owner.Shared.initialSharedVersion, mutable } } };
        }
        return { Object: { ImmOrOwnedObject: { objectId: id, version: o.version, digest: o.digest } } };
      }
    }
  });
  const gp = tx.gasPayment ?? {};
  const gasOwner = addr(gp.owner ?? sender);
  const data = {
    sender,
    expiration: expirationFromProto(tx.expiration),
    gasData: {
      payment: (gp.objects ?? []).map((r: any) => ({ objectId: r.objectId, version: r.version, digest: r.digest })),
      owner: gasOwner,
      price: gp.price ?? REFERENCE_GAS_PRICE,
      budget: gp.budget ?? 0n,
    },
    kind: { ProgrammableTransaction: { inputs, commands } },
  };
  return { data, gasOwner, needsGas: gp.budget == null };
}

const serialize = (data: any) => bcs.TransactionData.serialize({ V1: data }).toBytes();

/**
 * True when the caller reads nothing of the simulated transaction's outcome but its status and epoch (the SDK's
 * resolution asks exactly that): then the dry run that estimated the budget already answers it.
 */
function statusOnly(req: any): boolean {
  const paths: string[] | undefined = req.readMask?.paths;
  if (!paths?.length) return false;
  return paths.every((p) => p === 'transaction.effects.status' || p === 'transaction.effects.epoch' || (p.startsWith('transaction.transaction.') || p === 'transaction.digest'));
}

export function simulate(chain: Chain, req: any) {
  let txBytes: Uint8Array;
  let data: TransactionDataV1;
  /** The dry run that set the budget, and whether the budget it set covers what it used (not capped by the coins). */
  let estimated: Estimate | undefined;
  const checks = req.checks !== T.SimulateTransactionRequest_TransactionChecks.DISABLED;
  if (req.transaction?.bcs?.value?.length) {
    txBytes = req.transaction.bcs.value;
    data = decodeTransaction(txBytes);
  } else {
    const resolved = resolveTransaction(chain, req.transaction);
    const raw = resolved.data;
    // Gas chosen here pays with other coins than the dry run did: that run is no answer for the final one.
    if (checks && raw.gasData.payment.length === 0 && req.doGasSelection) selectGas(chain, raw, resolved.gasOwner, resolved.needsGas);
    else if (checks && raw.gasData.payment.length > 0 && resolved.needsGas) estimated = estimateBudget(chain, raw);
    else if (raw.gasData.budget === 0n) raw.gasData.budget = MAX_GAS_BUDGET;
    try {
      txBytes = serialize(raw);
    } catch (err) {
      throw new GrpcError(Code.INVALID_ARGUMENT, `cannot encode the transaction: ${(err as Error).message}`);
    }
    data = bcs.TransactionData.parse(txBytes).V1!;
  }
  const digest = TransactionDataBuilder.getDigestFromBytes(txBytes);
  const transaction = transactionProto(data, txBytes, digest);
  if (!checks) {
    return { transaction: { digest, transaction, effects: { status: { success: true }, epoch: 0n } }, commandOutputs: [] };
  }
  // With the budget it estimated, a second run goes the same way (same inputs, same code, a budget that covers it):
  // when only the status is read, the dry run's is the answer, and the transaction is not run twice.
  const result =
    estimated?.covered && estimated.dry.effects.status.success && statusOnly(req) ? estimated.dry : chain.run(data, txBytes.length, { digest, simulate: true });
  return {
    transaction: {
      digest,
      transaction,
      signatures: [],
      effects: effectsProto(result.effects, digest),
      events: { events: result.events.map((e, i) => eventProto(e, { txDigest: digest, eventIndex: i })) },
      balanceChanges: result.balanceChanges.map((b) => ({ address: b.address, coinType: b.coinType, amount: b.amount.toString() })),
    },
    commandOutputs: [],
    suggestedGasPrice: REFERENCE_GAS_PRICE,
  };
}

interface Estimate {
  budget: bigint;
  dry: ReturnType<Chain['run']>;
  covered: boolean;
}

/** Dry-runs with the given gas payment (budget not reserved) and sets budget = computation + storage + margin. */
function estimateBudget(chain: Chain, raw: any, total?: bigint): Estimate {
  const available =
    total ??
    raw.gasData.payment.reduce((s: bigint, r: any) => {
      const o = chain.objects.get(addr(r.objectId));
      return s + (o ? coinValue(o.contents) : 0n);
    }, 0n);
  raw.gasData.budget = available < MAX_GAS_BUDGET ? available : MAX_GAS_BUDGET;
  const bytes = serialize(raw);
  const dry = chain.run(bcs.TransactionData.parse(bytes).V1!, bytes.length, { digest: TransactionDataBuilder.getDigestFromBytes(bytes), simulate: true, estimate: true });
  const used = dry.effects.gasUsed;
  let budget = used.computationCost + used.storageCost + MIN_GAS_BUDGET;
  const covered = budget <= available;
  if (!covered) budget = available;
  raw.gasData.budget = budget;
  return { budget, dry, covered };
}

/** Picks SUI coins of the gas owner (largest first) and, when no budget was given, estimates one by dry run. */
function selectGas(chain: Chain, raw: any, owner: string, needsBudget: boolean): void {
  const used = new Set<string>(
    raw.kind.ProgrammableTransaction.inputs.map((i: any) => i.Object?.ImmOrOwnedObject?.objectId).filter(Boolean).map(addr),
  );
  const coins = chain
    .ownedBy(owner)
    .filter((o) => o.type === SUI_COIN_TYPE && !used.has(o.id))
    .sort((a, b) => (coinValue(b.contents) > coinValue(a.contents) ? 1 : -1))
    .slice(0, 256);
  if (coins.length === 0) throw new TxRejected(9, `no SUI coins owned by ${owner} are available for gas`);
  const total = coins.reduce((s, c) => s + coinValue(c.contents), 0n);
  const toRef = (o: (typeof coins)[number]) => ({ objectId: o.id, version: o.version, digest: o.digest });
  let budget: bigint = raw.gasData.budget;
  if (needsBudget) {
    raw.gasData.payment = coins.map(toRef);
    budget = estimateBudget(chain, raw, total).budget;
  }
  const payment: typeof coins = [];
  let sum = 0n;
  for (const c of coins) {
    if (sum >= budget) break;
    payment.push(c);
    sum += coinValue(c.contents);
  }
  if (sum < budget) throw new TxRejected(9, `gas owner ${owner} holds ${sum} MIST, below the gas budget ${budget}`);
  raw.gasData.payment = payment.map(toRef);
  raw.gasData.budget = budget;
}
