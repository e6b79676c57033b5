/** Maps ledger records to sui.rpc.v2 proto messages (plain objects accepted by the GrpcTypes message types). */
import { GrpcTypes } from '@mysten/sui/grpc';
import { bcs } from '@mysten/sui/bcs';
import { parseSerializedSignature } from '@mysten/sui/cryptography';
import type { ObjectOwner } from '../engine/move-runtime.js';
import type { Chain, IndexedEvent } from '../chain/chain.js';
import { fromBase64, toBase64 } from '../chain/bytes.js';
import { coinValue, isCoinType, hasPublicTransfer, objectBcs } from '../chain/ids.js';
import { pureBytes } from '../chain/inputs.js';
import { recentlyDecoded } from '../chain/transaction-bytes.js';
import type { TransactionDataV1 } from '../chain/executor.js';
import type { ChangedObject, CheckpointRecord, EventRecord, StoredObject, TransactionEffectsRecord, TransactionRecord } from '../chain/types.js';
import type { MessageType } from './grpc-web.js';

const T = GrpcTypes;

export function timestamp(ms: bigint) {
  return { seconds: ms / 1000n, nanos: Number(ms % 1000n) * 1_000_000 };
}

export function ownerProto(owner: ObjectOwner) {
  switch (owner.$kind) {
    case 'AddressOwner':
      return { kind: T.Owner_OwnerKind.ADDRESS, address: owner.AddressOwner };
    case 'ObjectOwner':
      return { kind: T.Owner_OwnerKind.OBJECT, address: owner.ObjectOwner };
    case 'Shared':
      return { kind: T.Owner_OwnerKind.SHARED, version: BigInt(owner.Shared.initialSharedVersion) };
    case 'Immutable':
      return { kind: T.Owner_OwnerKind.IMMUTABLE };
  }
}

export function objectProto(o: StoredObject) {
  const full = o.isMoveObject ? objectBcs(o) : undefined;
  return {
    objectId: o.id,
    version: o.version,
    digest: o.digest,
    owner: ownerProto(o.owner),
    objectType: o.type,
    hasPublicTransfer: o.isMoveObject ? hasPublicTransfer(o.type) : false,
    contents: o.isMoveObject ? { name: o.type, value: o.contents } : undefined,
    bcs: full ? { name: 'Object', value: full } : undefined,
    previousTransaction: o.previousTransaction,
    storageRebate: o.storageRebate,
    balance: isCoinType(o.type) ? coinValue(o.contents) : undefined,
  };
}

function argumentProto(arg: any) {
  switch (arg.$kind) {
    case 'GasCoin':
      return { kind: T.Argument_ArgumentKind.GAS };
    case 'Input':
      return { kind: T.Argument_ArgumentKind.INPUT, input: arg.Input };
    case 'Result':
      return { kind: T.Argument_ArgumentKind.RESULT, result: arg.Result };
    default:
      return { kind: T.Argument_ArgumentKind.RESULT, result: arg.NestedResult[0], subresult: arg.NestedResult[1] };
  }
}

function commandProto(cmd: any) {
  switch (cmd.$kind) {
    case 'MoveCall':
      return {
        command: {
          oneofKind: 'moveCall',
          moveCall: {
            package: cmd.MoveCall.package,
            module: cmd.MoveCall.module,
            function: cmd.MoveCall.function,
            typeArguments: cmd.MoveCall.typeArguments,
            arguments: cmd.MoveCall.arguments.map(argumentProto),
          },
        },
      };
    case 'TransferObjects':
      return {
        command: {
          oneofKind: 'transferObjects',
          transferObjects: { objects: cmd.TransferObjects.objects.map(argumentProto), address: argumentProto(cmd.TransferObjects.address) },
        },
      };
    case 'SplitCoins':
      return {
        command: { oneofKind: 'splitCoins', splitCoins: { coin: argumentProto(cmd.SplitCoins.coin), amounts: cmd.SplitCoins.amounts.map(argumentProto) } },
      };
    case 'MergeCoins':
      return {
        command: {
          oneofKind: 'mergeCoins',
          mergeCoins: { coin: argumentProto(cmd.MergeCoins.destination), coinsToMerge: cmd.MergeCoins.sources.map(argumentProto) },
        },
      };
    case 'MakeMoveVec':
      return {
        command: {
          oneofKind: 'makeMoveVector',
          makeMoveVector: { elementType: cmd.MakeMoveVec.type ?? undefined, elements: cmd.MakeMoveVec.elements.map(argumentProto) },
        },
      };
    case 'Publish':
      return { command: { oneofKind: 'publish', publish: { modules: cmd.Publish.modules.map((m: string) => fromBase64(m)), dependencies: cmd.Publish.dependencies } } };
    default:
      return { command: { oneofKind: undefined } };
  }
}

export function inputProto(input: any, objects?: ReadonlyMap<string, StoredObject>) {
  if (input.$kind === 'Pure') return { kind: T.Input_InputKind.PURE, pure: pureBytes(input.Pure) };
  const o = input.Object;
  if (o?.$kind === 'SharedObject') {
    return {
      kind: T.Input_InputKind.SHARED,
      objectId: o.SharedObject.objectId,
      version: BigInt(o.SharedObject.initialSharedVersion),
      mutable: o.SharedObject.mutable,
      mutability: o.SharedObject.mutable ? T.Input_Mutability.MUTABLE : T.Input_Mutability.IMMUTABLE,
    };
  }
  if (o?.$kind === 'ImmOrOwnedObject' || o?.$kind === 'Receiving') {
    const r = o.ImmOrOwnedObject ?? o.Receiving;
    void objects;
    return {
      kind: o.$kind === 'Receiving' ? T.Input_InputKind.RECEIVING : T.Input_InputKind.IMMUTABLE_OR_OWNED,
      objectId: r.objectId,
      version: BigInt(r.version),
      digest: r.digest,
    };
  }
  return { kind: T.Input_InputKind.INPUT_KIND_UNKNOWN };
}

function expirationProto(exp: TransactionDataV1['expiration']) {
  const K = T.TransactionExpiration_TransactionExpirationKind;
  if (!exp || exp.$kind === 'None') return { kind: K.NONE };
  if (exp.$kind === 'Epoch') return { kind: K.EPOCH, epoch: BigInt(exp.Epoch) };
  const v = (exp.$kind === 'ValidDuring' ? exp.ValidDuring : exp.Validity)!;
  return {
    kind: exp.$kind === 'ValidDuring' ? K.VALID_DURING : K.VALIDITY,
    minEpoch: v.minEpoch != null ? BigInt(v.minEpoch) : undefined,
    epoch: v.maxEpoch != null ? BigInt(v.maxEpoch) : undefined,
    minTimestamp: v.minTimestamp != null ? timestamp(BigInt(v.minTimestamp)) : undefined,
    maxTimestamp: v.maxTimestamp != null ? timestamp(BigInt(v.maxTimestamp)) : undefined,
    chain: v.chain,
    nonce: v.nonce,
  };
}

/** sui.rpc.v2.Transaction from BCS TransactionData. */
export function transactionProto(data: TransactionDataV1, txBytes?: Uint8Array, digest?: string) {
  const ptb = data.kind.ProgrammableTransaction!;
  return {
    bcs: txBytes ? { name: 'TransactionData', value: txBytes } : undefined,
    digest,
    version: 1,
    kind: {
      kind: T.TransactionKind_Kind.PROGRAMMABLE_TRANSACTION,
      data: { oneofKind: 'programmableTransaction', programmableTransaction: { inputs: ptb.inputs.map((i) => inputProto(i)), commands: ptb.commands.map(commandProto) } },
    },
    sender: data.sender,
    gasPayment: {
      objects: data.gasData.payment.map((r) => ({ objectId: r.objectId, version: BigInt(r.version), digest: r.digest })),
      owner: data.gasData.owner,
      price: BigInt(data.gasData.price),
      budget: BigInt(data.gasData.budget),
    },
    expiration: expirationProto(data.expiration),
  };
}

function changedObjectProto(c: ChangedObject) {
  const S = T.ChangedObject_InputObjectState;
  const O = T.ChangedObject_OutputObjectState;
  return {
    objectId: c.id,
    inputState: c.input ? S.EXISTS : S.DOES_NOT_EXIST,
    inputVersion: c.input?.version,
    inputDigest: c.input?.digest,
    inputOwner: c.input ? ownerProto(c.input.owner) : undefined,
    outputState: c.output ? O.OBJECT_WRITE : O.DOES_NOT_EXIST,
    outputVersion: c.output?.version,
    outputDigest: c.output?.digest,
    outputOwner: c.output ? ownerProto(c.output.owner) : undefined,
    idOperation: T.ChangedObject_IdOperation[c.idOperation],
    objectType: c.objectType,
  };
}

export function statusProto(status: TransactionEffectsRecord['status']) {
  if (status.success) return { success: true };
  const e = status.error;
  const kind = (T.ExecutionError_ExecutionErrorKind as unknown as Record<string, number>)[e.kind] ?? 0;
  let errorDetails: any = { oneofKind: undefined };
  if (e.abort) {
    errorDetails = {
      oneofKind: 'abort',
      abort: {
        abortCode: e.abort.code,
        location: { package: e.abort.packageId, module: e.abort.module, functionName: e.abort.function, function: 0, instruction: 0 },
      },
    };
  } else if (e.size) errorDetails = { oneofKind: 'sizeError', sizeError: { size: e.size.size, maxSize: e.size.maxSize } };
  return { success: false, error: { description: e.message, command: e.command !== undefined ? BigInt(e.command) : undefined, kind, errorDetails } };
}

export function effectsProto(e: TransactionEffectsRecord, txDigest: string, eventsDigest?: string) {
  const changed = e.changedObjects.map(changedObjectProto);
  return {
    digest: e.digest,
    version: 2,
    status: statusProto(e.status),
    epoch: e.epoch,
    gasUsed: e.gasUsed,
    transactionDigest: txDigest,
    gasObject: e.gasObject ? changed.find((c) => c.objectId === e.gasObject) : undefined,
    eventsDigest,
    dependencies: e.dependencies,
    lamportVersion: e.lamportVersion,
    changedObjects: changed,
    unchangedConsensusObjects: e.unchangedShared.map((u) => ({
      kind: T.UnchangedConsensusObject_UnchangedConsensusObjectKind.READ_ONLY_ROOT,
      objectId: u.id,
      version: u.version,
      digest: u.digest,
      objectType: u.type,
    })),
  };
}

export function eventProto(e: EventRecord, ctx: { txDigest?: string; checkpoint?: bigint; txIndex?: number; eventIndex?: number } = {}) {
  return {
    packageId: e.packageId,
    module: e.module,
    sender: e.sender,
    eventType: e.type,
    contents: { name: e.type, value: e.contents },
    checkpoint: ctx.checkpoint,
    transactionDigest: ctx.txDigest,
    transactionIndex: ctx.txIndex !== undefined ? BigInt(ctx.txIndex) : undefined,
    eventIndex: ctx.eventIndex,
  };
}

export function indexedEventProto(e: IndexedEvent) {
  return eventProto(e.event, { txDigest: e.txDigest, checkpoint: e.checkpoint, txIndex: e.txIndex, eventIndex: e.eventIndex });
}

export function signatureProto(sig: Uint8Array) {
  try {
    const parsed = parseSerializedSignature(toBase64(sig));
    const scheme = (T.SignatureScheme as unknown as Record<string, number>)[parsed.signatureScheme.toUpperCase()] ?? 0;
    if ('publicKey' in parsed && parsed.publicKey && 'signature' in parsed && parsed.signature) {
      return { bcs: { value: sig }, scheme, signature: { oneofKind: 'simple', simple: { scheme, signature: parsed.signature, publicKey: parsed.publicKey } } };
    }
    return { bcs: { value: sig }, scheme };
  } catch {
    return { bcs: { value: sig } };
  }
}

export function executedTransactionProto(tx: TransactionRecord) {
  const data = recentlyDecoded(tx.transactionBcs) ?? bcs.TransactionData.parse(tx.transactionBcs).V1!;
  return {
    digest: tx.digest,
    transaction: transactionProto(data, tx.transactionBcs, tx.digest),
    signatures: tx.signatures.map(signatureProto),
    effects: effectsProto(tx.effects, tx.digest),
    events: { events: tx.events.map((e, i) => eventProto(e, { txDigest: tx.digest, checkpoint: tx.checkpoint, txIndex: tx.checkpointIndex, eventIndex: i })) },
    checkpoint: tx.checkpoint,
    timestamp: timestamp(tx.timestampMs),
    balanceChanges: tx.balanceChanges.map((b) => ({ address: b.address, coinType: b.coinType, amount: b.amount.toString() })),
    transactionIndex: tx.checkpointIndex !== undefined ? BigInt(tx.checkpointIndex) : undefined,
  };
}

export function checkpointProto(cp: CheckpointRecord, chain: Chain, wantTransactions: boolean) {
  const txs = cp.transactions.map((d) => chain.transactions.get(d)).filter((t): t is TransactionRecord => !!t);
  return {
    sequenceNumber: cp.sequenceNumber,
    digest: cp.digest,
    summary: {
      digest: cp.digest,
      epoch: cp.epoch,
      sequenceNumber: cp.sequenceNumber,
      totalNetworkTransactions: cp.networkTotalTransactions,
      previousDigest: cp.previousDigest,
      timestamp: timestamp(cp.timestampMs),
      epochRollingGasCostSummary: { computationCost: 0n, storageCost: 0n, storageRebate: 0n, nonRefundableStorageFee: 0n },
    },
    contents: {
      digest: cp.digest,
      version: 1,
      transactions: txs.map((t) => ({ transaction: t.digest, effects: t.effects.digest, signatures: t.signatures.map(signatureProto) })),
    },
    transactions: wantTransactions ? txs.map(executedTransactionProto) : [],
  };
}

// === Read masks ===

interface MaskTree {
  [field: string]: MaskTree;
}

export function maskTree(paths: readonly string[] | undefined): MaskTree | undefined {
  if (!paths || paths.length === 0) return undefined;
  const tree: MaskTree = {};
  const FULL: MaskTree = {};
  for (const p of paths) {
    if (p === '*' ) return undefined;
    const parts = p.split('.');
    let node = tree;
    for (const [i, part] of parts.entries()) {
      if (node[part] === FULL) break;
      if (i === parts.length - 1) node[part] = FULL;
      else node = node[part] ??= {};
    }
  }
  return tree;
}

/** Keeps only the fields named by a read mask (proto field names, dotted paths); no mask keeps everything. */
export function applyMask<M>(type: MessageType<M>, msg: any, tree: MaskTree | undefined): any {
  if (!tree || msg == null) return msg;
  const out: any = {};
  for (const field of type.fields) {
    const sub = tree[field.name];
    if (!sub) continue;
    const recurse = (v: any) => (field.kind === 'message' && Object.keys(sub).length > 0 ? applyMask(field.T(), v, sub) : v);
    if (field.oneof) {
      const group = msg[field.oneof];
      if (group?.oneofKind === field.localName) out[field.oneof] = { oneofKind: field.localName, [field.localName]: recurse(group[field.localName]) };
      continue;
    }
    const v = msg[field.localName];
    if (v === undefined) continue;
    out[field.localName] = field.repeat ? (v as any[]).map(recurse) : recurse(v);
  }
  return out;
}
