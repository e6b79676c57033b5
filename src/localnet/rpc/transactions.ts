/**
 * ListTransactions and SubscribeTransactions: the proto's transaction filter (DNF of sender / move-call literals),
 * checkpoint ranges, cursors `(checkpoint u64 BE ‖ index u32 BE)`, QueryEnd reasons and watermarks as a fullnode
 * sends them.
 */
import { bcs } from '@mysten/sui/bcs';
import { GrpcTypes } from '@mysten/sui/grpc';
import type { Chain } from '../chain/chain.js';
import { addr } from '../chain/ids.js';
import type { TransactionRecord } from '../chain/types.js';
import { Code, GrpcError } from './grpc-web.js';

const MAX_U32 = 0xffffffff;

export function transactionCursor(checkpoint: bigint, index: number): Uint8Array {
  const b = new Uint8Array(12);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, checkpoint, false);
  v.setUint32(8, index, false);
  return b;
}

function cursorKey(b: Uint8Array): bigint {
  if (b.length !== 12) throw new GrpcError(Code.INVALID_ARGUMENT, 'invalid transaction cursor');
  const v = new DataView(b.buffer, b.byteOffset, 12);
  return (v.getBigUint64(0, false) << 32n) | BigInt(v.getUint32(8, false));
}

const keyOf = (tx: TransactionRecord) => (tx.checkpoint! << 32n) | BigInt(tx.checkpointIndex ?? 0);

const parsed = new WeakMap<TransactionRecord, { sender: string; calls: string[] }>();
function facts(tx: TransactionRecord): { sender: string; calls: string[] } {
  let f = parsed.get(tx);
  if (!f) {
    const data = bcs.TransactionData.parse(tx.transactionBcs).V1!;
    const calls = (data.kind.ProgrammableTransaction?.commands ?? []).flatMap((c) =>
      c.MoveCall ? [`${addr(c.MoveCall.package)}::${c.MoveCall.module}::${c.MoveCall.function}`] : [],
    );
    f = { sender: addr(data.sender), calls };
    parsed.set(tx, f);
  }
  return f;
}

type Predicate = (tx: TransactionRecord) => boolean;

function literal(lit: any): Predicate {
  const p = lit.predicate;
  let f: Predicate;
  switch (p?.oneofKind) {
    case 'sender': {
      const a = addr(p.sender.address ?? '');
      f = (tx) => facts(tx).sender === a;
      break;
    }
    case 'moveCall': {
      const path = String(p.moveCall.function ?? '');
      const [pkg, ...rest] = path.split('::');
      if (!pkg) throw new GrpcError(Code.INVALID_ARGUMENT, 'move_call.function is required');
      const prefix = [addr(pkg), ...rest].join('::');
      f = (tx) => facts(tx).calls.some((c) => c === prefix || c.startsWith(`${prefix}::`));
      break;
    }
    default:
      throw new GrpcError(Code.INVALID_ARGUMENT, `unsupported transaction filter ${p?.oneofKind ?? '(empty)'} on localnet`);
  }
  return lit.negated ? (tx) => !f(tx) : f;
}

export function transactionFilter(filter: any): Predicate {
  const terms: Predicate[][] = (filter?.terms ?? []).map((t: any) => (t.literals ?? []).map(literal));
  if (terms.length === 0) return () => true;
  return (tx) => terms.some((lits) => lits.every((l) => l(tx)));
}

export type TransactionFrame =
  | { kind: 'transaction'; tx: TransactionRecord; cursor: Uint8Array; checkpoint: bigint }
  | { kind: 'end'; reason: 'ITEM_LIMIT' | 'SCAN_LIMIT' | 'LEDGER_TIP' | 'CHECKPOINT_BOUND'; cursor: Uint8Array; checkpoint: bigint };

/** ListTransactions (ascending): matching transactions, then the QueryEnd frame with the resume watermark. */
export function queryTransactionFrames(chain: Chain, req: any, limits: { scanLimit?: number; lowestAvailable?: bigint } = {}): TransactionFrame[] {
  const opts = req.options ?? {};
  if (opts.ordering === GrpcTypes.Ordering.DESCENDING) throw new GrpcError(Code.UNIMPLEMENTED, 'descending ListTransactions is not supported on localnet');
  const limit = Math.min(opts.limit || 50, 1000);
  const lowest = limits.lowestAvailable ?? 0n;
  const after = opts.after?.length ? cursorKey(opts.after) : undefined;
  const start: bigint = req.startCheckpoint ?? 0n;
  if (req.startCheckpoint !== undefined && start < lowest) throw new GrpcError(Code.OUT_OF_RANGE, `checkpoint ${start} is pruned on this node (lowest available checkpoint ${lowest})`);
  const tip = chain.latestCheckpoint.sequenceNumber;
  const end: bigint = req.endCheckpoint ?? tip + 1n;
  const match = transactionFilter(req.filter);
  const frames: TransactionFrame[] = [];
  let scanned = 0;
  const first = start > lowest ? start : lowest;
  for (let seq = first; seq < end && seq <= tip; seq++) {
    const cp = chain.checkpoints[Number(seq)];
    if (!cp) continue;
    for (const [i, digest] of cp.transactions.entries()) {
      const tx = chain.transactions.get(digest);
      if (!tx || (after !== undefined && keyOf(tx) <= after)) continue;
      if (limits.scanLimit !== undefined && scanned >= limits.scanLimit) {
        frames.push({ kind: 'end', reason: 'SCAN_LIMIT', cursor: i > 0 ? transactionCursor(seq, i - 1) : transactionCursor(seq - 1n, MAX_U32), checkpoint: seq - 1n });
        return frames;
      }
      scanned++;
      if (!match(tx)) continue;
      if (frames.length === limit) {
        frames.push({ kind: 'end', reason: 'ITEM_LIMIT', cursor: frames[frames.length - 1]!.cursor, checkpoint: seq - 1n });
        return frames;
      }
      frames.push({ kind: 'transaction', tx, cursor: transactionCursor(seq, i), checkpoint: seq - 1n });
    }
  }
  if (end <= tip) frames.push({ kind: 'end', reason: 'CHECKPOINT_BOUND', cursor: transactionCursor(end - 1n, MAX_U32), checkpoint: end - 1n });
  else frames.push({ kind: 'end', reason: 'LEDGER_TIP', cursor: transactionCursor(tip, MAX_U32), checkpoint: tip });
  return frames;
}

export { MAX_U32 };
