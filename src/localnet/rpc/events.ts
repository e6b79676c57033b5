/** ListEvents: filters (DNF of sender / emit module / event type literals), cursors, ordering, limits. */
import { GrpcTypes } from '@mysten/sui/grpc';
import type { Chain, IndexedEvent } from '../chain/chain.js';
import { addr, normalizeType } from '../chain/ids.js';
import { Code, GrpcError } from './grpc-web.js';

const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 50;

/**
 * Event cursor: checkpoint (u64 BE) ‖ transaction index in the checkpoint (u32 BE) ‖ event index (u32 BE). A
 * SubscribeCheckpoints consumer can therefore build the cursor of the last event it handled and resume with
 * ListEvents `after` it.
 */
export function eventCursor(checkpoint: bigint, txIndex: number, eventIndex: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, checkpoint, false);
  v.setUint32(8, txIndex, false);
  v.setUint32(12, eventIndex, false);
  return b;
}

export const encodeCursor = (e: IndexedEvent) => eventCursor(e.checkpoint, e.txIndex, e.eventIndex);

/** The global position of the first event strictly after `cursor`, as a comparable key. */
function cursorKey(b: Uint8Array): bigint {
  if (b.length !== 16) throw new GrpcError(Code.INVALID_ARGUMENT, 'invalid event cursor');
  const v = new DataView(b.buffer, b.byteOffset, 16);
  return (v.getBigUint64(0, false) << 64n) | (BigInt(v.getUint32(8, false)) << 32n) | BigInt(v.getUint32(12, false));
}

const keyOf = (e: IndexedEvent) => (e.checkpoint << 64n) | (BigInt(e.txIndex) << 32n) | BigInt(e.eventIndex);

/** `0x2::coin` → `0x000…2::coin`; full types are normalised as struct tags. */
function normalizeModuleOrType(s: string): string {
  const parts = s.split('::');
  if (parts.length === 2) return `${addr(parts[0]!)}::${parts[1]}`;
  return normalizeType(s);
}

type Predicate = (e: IndexedEvent) => boolean;

function literal(lit: any): Predicate {
  const p = lit.predicate;
  let f: Predicate;
  switch (p?.oneofKind) {
    case 'sender': {
      const a = addr(p.sender.address ?? '');
      f = (e) => e.event.sender === a;
      break;
    }
    case 'emitModule': {
      const m = normalizeModuleOrType(p.emitModule.module ?? '');
      f = (e) => `${e.event.packageId}::${e.event.module}` === m;
      break;
    }
    case 'eventType': {
      const t = normalizeModuleOrType(p.eventType.eventType ?? '');
      const isModule = t.split('::').length === 2;
      const hasParams = t.includes('<');
      f = (e) =>
        isModule ? e.event.type.startsWith(`${t}::`) : hasParams ? e.event.type === t : e.event.type === t || e.event.type.startsWith(`${t}<`);
      break;
    }
    default:
      throw new GrpcError(Code.INVALID_ARGUMENT, `unsupported event filter ${p?.oneofKind ?? '(empty)'}`);
  }
  return lit.negated ? (e) => !f(e) : f;
}

export function eventFilter(filter: any): Predicate {
  const terms: Predicate[][] = (filter?.terms ?? []).map((t: any) => (t.literals ?? []).map(literal));
  if (terms.length === 0) return () => true;
  return (e) => terms.some((lits) => lits.every((l) => l(e)));
}

export function queryEvents(chain: Chain, req: any): { events: IndexedEvent[]; more: boolean } {
  const opts = req.options ?? {};
  const limit = Math.min(opts.limit || DEFAULT_LIMIT, MAX_LIMIT);
  const desc = opts.ordering === GrpcTypes.Ordering.DESCENDING;
  const after = opts.after?.length ? cursorKey(opts.after) : undefined;
  const before = opts.before?.length ? cursorKey(opts.before) : undefined;
  const match = eventFilter(req.filter);
  const inRange = (e: IndexedEvent) =>
    (after === undefined || keyOf(e) > after) &&
    (before === undefined || keyOf(e) < before) &&
    (req.startCheckpoint === undefined || e.checkpoint >= req.startCheckpoint) &&
    (req.endCheckpoint === undefined || e.checkpoint <= req.endCheckpoint);
  const all = chain.events;
  const out: IndexedEvent[] = [];
  let more = false;
  for (let k = 0; k < all.length; k++) {
    const e = all[desc ? all.length - 1 - k : k]!;
    if (!inRange(e) || !match(e)) continue;
    if (out.length === limit) {
      more = true;
      break;
    }
    out.push(e);
  }
  return { events: out, more };
}
