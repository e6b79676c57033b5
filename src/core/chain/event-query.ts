/**
 * The raw sui.rpc.v2 event calls the follower is built on: filters as the proto's DNF, one ListEvents page read
 * frame by frame (events, watermark-only frames, the final QueryEnd reason), and event protos turned into the SDK's
 * EventEntry shape. The SDK's `core.listEvents` hides watermarks and QueryEnd reasons, which a durable follower needs.
 */
import type { SuiClientTypes } from '@mysten/sui/client';
import { GrpcTypes } from '@mysten/sui/grpc';
import { normalizeStructTag, normalizeSuiAddress } from '@mysten/sui/utils';
import type { ChainClient } from './client.js';

/** What a stream follows: events of a type or of a module's types (`0xORIGINAL::module`), or from a sender. */
export type StreamFilter = { eventType: string } | { emitModule: string } | { sender: string };

/** What k3sdaas reads of an event (its BCS contents, decoded by our own schemas; not the node's JSON rendering). */
export const EVENT_READ_MASK = ['package_id', 'module', 'sender', 'event_type', 'contents', 'checkpoint', 'transaction_digest', 'event_index'];

function normalizeModuleOrType(s: string): string {
  const parts = s.split('::');
  return parts.length === 2 ? `${normalizeSuiAddress(parts[0]!)}::${parts[1]}` : normalizeStructTag(s);
}

function literal(f: StreamFilter) {
  if ('sender' in f) return { negated: false, predicate: { oneofKind: 'sender' as const, sender: { address: normalizeSuiAddress(f.sender) } } };
  if ('emitModule' in f) return { negated: false, predicate: { oneofKind: 'emitModule' as const, emitModule: { module: normalizeModuleOrType(f.emitModule) } } };
  return { negated: false, predicate: { oneofKind: 'eventType' as const, eventType: { eventType: normalizeModuleOrType(f.eventType) } } };
}

/** One DNF filter matching any of `filters` (each a single-literal term). */
export function grpcEventFilter(filters: StreamFilter[]) {
  return { terms: filters.map((f) => ({ literals: [literal(f)] })) };
}

/** Client-side twin of one stream filter, to hand each event of a combined query to its streams. */
export function matches(f: StreamFilter, e: SuiClientTypes.EventEntry): boolean {
  if ('sender' in f) return normalizeSuiAddress(e.sender) === normalizeSuiAddress(f.sender);
  if ('emitModule' in f) return `${e.packageId}::${e.module}` === normalizeModuleOrType(f.emitModule);
  const t = normalizeModuleOrType(f.eventType);
  if (t.split('::').length === 2) return e.eventType.startsWith(`${t}::`);
  return e.eventType === t || e.eventType.startsWith(`${t}<`);
}

export function eventEntry(event: any): SuiClientTypes.EventEntry {
  return {
    packageId: normalizeSuiAddress(event.packageId ?? '0x0'),
    module: event.module ?? '',
    sender: normalizeSuiAddress(event.sender ?? '0x0'),
    eventType: normalizeStructTag(event.eventType ?? '0x0::x::X'),
    bcs: event.contents?.value ?? new Uint8Array(),
    json: null,
    checkpoint: event.checkpoint?.toString() ?? null,
    transactionDigest: event.transactionDigest ?? '',
    eventIndex: event.eventIndex ?? 0,
  } as SuiClientTypes.EventEntry;
}

export type QueryEnd = 'ITEM_LIMIT' | 'SCAN_LIMIT' | 'CHECKPOINT_BOUND' | 'CURSOR_BOUND' | 'LEDGER_TIP' | 'NONE';

export interface EventPage {
  events: Array<{ entry: SuiClientTypes.EventEntry; cursor: Uint8Array | undefined }>;
  /** The last watermark seen (the safe resume point), even when no event came back. */
  cursor: Uint8Array | undefined;
  /** The checkpoint the scan fully covered, per the last watermark. */
  checkpoint: bigint | undefined;
  end: QueryEnd;
  /** Frames that carried only a watermark. */
  watermarkOnly: number;
}

const END_NAMES: Record<number, QueryEnd> = {
  [GrpcTypes.QueryEndReason.ITEM_LIMIT]: 'ITEM_LIMIT',
  [GrpcTypes.QueryEndReason.SCAN_LIMIT]: 'SCAN_LIMIT',
  [GrpcTypes.QueryEndReason.CHECKPOINT_BOUND]: 'CHECKPOINT_BOUND',
  [GrpcTypes.QueryEndReason.CURSOR_BOUND]: 'CURSOR_BOUND',
  [GrpcTypes.QueryEndReason.LEDGER_TIP]: 'LEDGER_TIP',
};

/** One ListEvents call, ascending, after `after` (or from `startCheckpoint`), read to its last frame. */
export async function listEventsPage(
  client: ChainClient,
  o: { filter: ReturnType<typeof grpcEventFilter>; after?: Uint8Array; startCheckpoint?: bigint; limit: number; signal?: AbortSignal },
): Promise<EventPage> {
  const call = client.ledgerService.listEvents(
    {
      readMask: { paths: EVENT_READ_MASK },
      filter: o.filter,
      ...(o.after ? {} : o.startCheckpoint !== undefined ? { startCheckpoint: o.startCheckpoint } : {}),
      options: { limit: o.limit, ordering: GrpcTypes.Ordering.ASCENDING, ...(o.after ? { after: o.after } : {}) },
    } as any,
    { abort: o.signal },
  );
  const page: EventPage = { events: [], cursor: o.after, checkpoint: undefined, end: 'NONE', watermarkOnly: 0 };
  for await (const frame of call.responses as AsyncIterable<any>) {
    if (frame.watermark?.cursor?.length) page.cursor = frame.watermark.cursor;
    if (frame.watermark?.checkpoint !== undefined) page.checkpoint = frame.watermark.checkpoint;
    if (frame.event) page.events.push({ entry: eventEntry(frame.event), cursor: frame.watermark?.cursor });
    else if (!frame.end && frame.watermark) page.watermarkOnly++;
    if (frame.end) page.end = END_NAMES[frame.end.reason] ?? 'NONE';
  }
  return page;
}
