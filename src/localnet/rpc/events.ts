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

/** How a fullnode bounds ListEvents (set by `LocalnetOptions.fullnode`). */
export interface EventQueryLimits {
  /** Events examined per call before it ends with SCAN_LIMIT (matching or not). Default: unbounded. */
  scanLimit?: number;
  /** A watermark-only frame after this many non-matching events scanned in a row. Default: none. */
  watermarkEvery?: number;
  /** The lowest checkpoint whose events are still served (pruning). Default 0. */
  lowestAvailable?: bigint;
}

export type EventFrame =
  | { kind: 'event'; event: IndexedEvent; cursor: Uint8Array; checkpoint: bigint }
  | { kind: 'watermark'; cursor: Uint8Array; checkpoint: bigint }
  | { kind: 'end'; reason: 'ITEM_LIMIT' | 'SCAN_LIMIT' | 'LEDGER_TIP' | 'CHECKPOINT_BOUND'; cursor: Uint8Array; checkpoint: bigint };

const MAX_U32 = 0xffffffff;

/**
 * ListEvents as a fullnode answers it: frames for matching events, watermark-only frames while scanning what does
 * not match, and one final frame with the QueryEnd reason and the watermark to resume from. Every frame's
 * watermark is a valid `after` cursor; its checkpoint is the last one fully covered (ascending).
 */
export function queryEventFrames(chain: Chain, req: any, limits: EventQueryLimits = {}): EventFrame[] {
  const opts = req.options ?? {};
  const limit = Math.min(opts.limit || DEFAULT_LIMIT, MAX_LIMIT);
  const desc = opts.ordering === GrpcTypes.Ordering.DESCENDING;
  const after = opts.after?.length ? cursorKey(opts.after) : undefined;
  const before = opts.before?.length ? cursorKey(opts.before) : undefined;
  const lowest = limits.lowestAvailable ?? 0n;
  const tip = chain.latestCheckpoint.sequenceNumber;
  const start: bigint | undefined = req.startCheckpoint;
  const end: bigint | undefined = req.endCheckpoint;
  if (start !== undefined && start < lowest) throw new GrpcError(Code.OUT_OF_RANGE, `checkpoint ${start} is pruned on this node (lowest available checkpoint ${lowest})`);
  if (after !== undefined && after >> 64n < lowest - 1n && after >> 64n < tip) {
    throw new GrpcError(Code.OUT_OF_RANGE, `cursor is in pruned history (lowest available checkpoint ${lowest})`);
  }
  const match = eventFilter(req.filter);
  const inRange = (e: IndexedEvent) =>
    e.checkpoint >= lowest &&
    (after === undefined || keyOf(e) > after) &&
    (before === undefined || keyOf(e) < before) &&
    (start === undefined || e.checkpoint >= start) &&
    (end === undefined || e.checkpoint < end);
  const all = chain.events;
  const frames: EventFrame[] = [];
  let matched = 0;
  let scanned = 0;
  let sinceWatermark = 0;
  let lastScanned: Uint8Array | undefined;
  // Ascending, the events below the range (before `after`, the start or the lowest available checkpoint) are
  // skipped by binary search rather than one by one: they would all fail inRange, which changes nothing else.
  for (let k = desc ? 0 : firstAtLeast(all, lowerKey(after, start, lowest)); k < all.length; k++) {
    const e = all[desc ? all.length - 1 - k : k]!;
    if (!inRange(e)) continue;
    const covered = desc ? e.checkpoint + 1n : e.checkpoint - 1n;
    if (limits.scanLimit !== undefined && scanned >= Math.max(1, limits.scanLimit)) {
      // The scan budget ran out before this event: resume right after the last one scanned.
      frames.push({ kind: 'end', reason: 'SCAN_LIMIT', cursor: lastScanned!, checkpoint: covered });
      return frames;
    }
    scanned++;
    lastScanned = encodeCursor(e);
    if (!match(e)) {
      if (limits.watermarkEvery && ++sinceWatermark >= limits.watermarkEvery) {
        sinceWatermark = 0;
        frames.push({ kind: 'watermark', cursor: encodeCursor(e), checkpoint: covered });
      }
      continue;
    }
    if (matched === limit) {
      frames.push({ kind: 'end', reason: 'ITEM_LIMIT', cursor: frames[frames.length - 1]!.cursor, checkpoint: covered });
      return frames;
    }
    sinceWatermark = 0;
    matched++;
    frames.push({ kind: 'event', event: e, cursor: encodeCursor(e), checkpoint: covered });
  }
  if (desc) {
    frames.push({ kind: 'end', reason: 'LEDGER_TIP', cursor: frames.length ? frames[frames.length - 1]!.cursor : eventCursor(lowest, 0, 0), checkpoint: lowest });
  } else if (end !== undefined && end <= tip) {
    frames.push({ kind: 'end', reason: 'CHECKPOINT_BOUND', cursor: eventCursor(end - 1n, MAX_U32, MAX_U32), checkpoint: end - 1n });
  } else {
    // Everything up to the tip was covered: a cursor past its last event is the safe resume point.
    frames.push({ kind: 'end', reason: 'LEDGER_TIP', cursor: eventCursor(tip, MAX_U32, MAX_U32), checkpoint: tip });
  }
  return frames;
}

/** The smallest event key the ascending range can hold. */
function lowerKey(after: bigint | undefined, start: bigint | undefined, lowest: bigint): bigint {
  let key = lowest << 64n;
  if (start !== undefined && start << 64n > key) key = start << 64n;
  if (after !== undefined && after + 1n > key) key = after + 1n;
  return key;
}

/** Index of the first event whose key is at least `key` (events are in key order: checkpoint, tx, event). */
export function firstAtLeast(events: readonly IndexedEvent[], key: bigint): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyOf(events[mid]!) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function queryEvents(chain: Chain, req: any): { events: IndexedEvent[]; more: boolean } {
  const frames = queryEventFrames(chain, req);
  const events = frames.flatMap((f) => (f.kind === 'event' ? [f.event] : []));
  return { events, more: frames.some((f) => f.kind === 'end' && f.reason === 'ITEM_LIMIT') };
}
