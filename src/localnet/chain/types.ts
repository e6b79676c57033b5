/**
 * The ledger of localnet as the gRPC-web services see it. The execution side (src/localnet/chain/*) owns state and
 * produces these records; the service side (src/localnet/rpc/*) only maps them to Sui's proto messages.
 * Ids and addresses are 0x-prefixed 64-hex strings; digests are base58 strings of 32 bytes; u64s are bigint.
 */
import type { ObjectOwner } from '../engine/move-runtime.js';

export interface StoredObject {
  id: string;
  version: bigint;
  digest: string;
  owner: ObjectOwner;
  /** Fully qualified Move type, e.g. `0x2::coin::Coin<0x2::sui::SUI>` with 64-hex addresses. */
  type: string;
  /** BCS of the Move struct (UID first). */
  contents: Uint8Array;
  previousTransaction: string;
  storageRebate: bigint;
  /** false for packages. */
  isMoveObject: boolean;
}

export type IdOperation = 'NONE' | 'CREATED' | 'DELETED';

export interface ChangedObject {
  id: string;
  /** State before the transaction (absent for created objects). */
  input?: { version: bigint; digest: string; owner: ObjectOwner };
  /** State after (absent for deleted/wrapped objects). */
  output?: { version: bigint; digest: string; owner: ObjectOwner };
  idOperation: IdOperation;
  objectType?: string;
}

export interface ExecutionFailure {
  /** Human-readable, e.g. `MoveAbort in k3sdaas::access::stake with code 1 (EInsufficientStake)`. */
  message: string;
  /** sui.rpc.v2.ExecutionError.ExecutionErrorKind name, e.g. `MOVE_ABORT`, `INSUFFICIENT_GAS`. */
  kind: string;
  size?: { size: bigint; maxSize: bigint };
  /** Move abort details when the failure is an abort. */
  abort?: { packageId: string; module: string; function: string; code: bigint; errorName?: string };
  /** Index of the failing command, if known. */
  command?: number;
}

export interface TransactionEffectsRecord {
  status: { success: true } | { success: false; error: ExecutionFailure };
  epoch: bigint;
  gasUsed: { computationCost: bigint; storageCost: bigint; storageRebate: bigint; nonRefundableStorageFee: bigint };
  gasObject?: string;
  lamportVersion: bigint;
  changedObjects: ChangedObject[];
  /** Shared objects read but not written (`&` inputs). */
  unchangedShared: Array<{ id: string; version: bigint; digest: string; type: string }>;
  dependencies: string[];
  /** Effects digest (deterministic). */
  digest: string;
}

export interface EventRecord {
  packageId: string;
  module: string;
  sender: string;
  /** Fully qualified struct type. */
  type: string;
  contents: Uint8Array;
  /** Position in the transaction. */
  eventSequence: number;
}

export interface TransactionRecord {
  digest: string;
  /** BCS TransactionData as submitted. */
  transactionBcs: Uint8Array;
  /** Serialized user signatures (flag ‖ sig ‖ pk). */
  signatures: Uint8Array[];
  effects: TransactionEffectsRecord;
  events: EventRecord[];
  checkpoint?: bigint;
  /** Position of the transaction in its checkpoint. */
  checkpointIndex?: number;
  timestampMs: bigint;
  /** Objects read/written, for `include: { objectTypes, balanceChanges }`. */
  balanceChanges: Array<{ address: string; coinType: string; amount: bigint }>;
}

export interface CheckpointRecord {
  sequenceNumber: bigint;
  digest: string;
  timestampMs: bigint;
  epoch: bigint;
  previousDigest?: string;
  transactions: string[];
  /** Transactions in all checkpoints up to and including this one. */
  networkTotalTransactions: bigint;
}
