/**
 * Decoders for K3s-DaaS events and objects, driven by the ABI: the BCS schema and the JS conversion of every field
 * come from the struct description in ../abi/package.ts, so a layout change there is a change here.
 */
import { BcsReader } from '@mysten/bcs';
import { fromBase64, normalizeSuiAddress } from '@mysten/sui/utils';
import { bcsFor } from '../abi/bcs.js';
import { EVENT_STRUCTS, OBJECT_STRUCTS } from '../abi/package.js';
import type { MoveType, StructAbi } from '../abi/types.js';
import { argumentKey } from '../calls/arguments.js';
import { AbiError } from '../errors.js';
import type { EventOf, K3sDaasEvent, K3sDaasEventKind, K3sDaasObject, K3sDaasObjectKind } from './types.js';

/** Converts a value parsed by `bcsFor(type)` to the decoded form (bigint u64, null for None, camelCase fields). */
export function fromBcsValue(type: MoveType, value: unknown): unknown {
  if (typeof type === 'string') {
    if (type === 'u64' || type === 'u128' || type === 'u256') return BigInt(value as string);
    if (type === 'address') return normalizeSuiAddress(value as string);
    return value;
  }
  if ('vector' in type) {
    if (type.vector === 'u8') return value as Uint8Array;
    return (value as unknown[]).map((v) => fromBcsValue(type.vector, v));
  }
  switch (type.struct) {
    case '0x2::object::ID':
    case '0x2::object::UID':
      return normalizeSuiAddress(value as string);
    case '0x1::option::Option':
      return value === null || value === undefined ? null : fromBcsValue(type.typeArgs![0], value);
    case '0x2::balance::Balance':
      return BigInt((value as { value: string }).value);
    case '0x2::table::Table': {
      const t = value as { id: string; size: string };
      return { id: normalizeSuiAddress(t.id), size: BigInt(t.size) };
    }
  }
  return value;
}

/** Parses `bytes` as the struct and converts every field; the bytes must be exactly one value. */
export function decodeStruct(struct: StructAbi, bytes: Uint8Array): Record<string, unknown> {
  const schema = bcsFor({ struct: `k3sdaas::${struct.module}::${struct.name}` });
  let parsed: Record<string, unknown>;
  // Read with a reader, whose position says how many bytes the value took (no re-serialization to measure it).
  const reader = new BcsReader(bytes);
  try {
    parsed = schema.read(reader) as Record<string, unknown>;
  } catch (cause) {
    throw new AbiError(`malformed ${struct.module}::${struct.name}: ${(cause as Error).message}`, { struct: struct.name }, cause);
  }
  const size = (reader as unknown as { bytePosition: number }).bytePosition;
  if (size !== bytes.length) {
    throw new AbiError(`malformed ${struct.module}::${struct.name}: ${bytes.length - size} trailing bytes`, { struct: struct.name });
  }
  const out: Record<string, unknown> = {};
  for (const field of struct.fields) out[argumentKey(field.name)] = fromBcsValue(field.type, parsed[field.name]);
  return out;
}

/** Splits `0xpkg::module::Name` (no type arguments); null otherwise. */
export function parseStructTag(type: string): { address: string; module: string; name: string } | null {
  const m = /^(0x[0-9a-fA-F]{1,64})::(\w+)::(\w+)$/.exec(type.trim());
  return m ? { address: normalizeSuiAddress(m[1]), module: m[2], name: m[3] } : null;
}

/**
 * An event as the SDK returns it: `core.listEvents` / `executeTransaction({ include: { events: true } })` give
 * `{ eventType, bcs }`; raw gRPC messages give `{ eventType, contents: { value } }`.
 */
export interface EventLike {
  eventType?: string;
  type?: string;
  bcs?: Uint8Array | string;
  contents?: Uint8Array | { value?: Uint8Array } | null;
}

function eventBytes(event: EventLike): Uint8Array | undefined {
  if (typeof event.bcs === 'string') return fromBase64(event.bcs);
  if (event.bcs) return event.bcs;
  if (event.contents instanceof Uint8Array) return event.contents;
  return event.contents?.value;
}

export interface DecodeOptions {
  /** Only accept events/objects of this package (null for others). */
  packageId?: string;
}

/**
 * Decodes a K3s-DaaS event. Unknown types (other modules, other packages when `packageId` is given, generic
 * types) give null; a known type with bytes that do not fit its layout throws AbiError.
 */
export function decodeEvent(event: EventLike, options: DecodeOptions = {}): K3sDaasEvent | null {
  const tag = parseStructTag(event.eventType ?? event.type ?? '');
  if (!tag) return null;
  if (options.packageId && normalizeSuiAddress(options.packageId) !== tag.address) return null;
  const struct = EVENT_STRUCTS.find((s) => s.module === tag.module && s.name === tag.name);
  if (!struct) return null;
  const bytes = eventBytes(event);
  if (!bytes) throw new AbiError(`event ${tag.module}::${tag.name} has no BCS contents`, { type: tag.name });
  return { $kind: struct.name, packageId: tag.address, ...decodeStruct(struct, bytes) } as K3sDaasEvent;
}

/** Narrows a decoded event to one kind. */
export function isEvent<Kind extends K3sDaasEventKind>(event: K3sDaasEvent | null, kind: Kind): event is EventOf<Kind> {
  return event?.$kind === kind;
}

const OBJECT_KINDS: K3sDaasObjectKind[] = ['Cluster', 'ClusterAdminCap', 'SealToken', 'Request', 'Worker'];

/** An object as `core.getObjects({ include: { content: true } })` returns it. */
export interface ObjectLike {
  type: string;
  content?: Uint8Array;
}

/** Decodes the BCS content of one K3s-DaaS object kind. */
export function decodeObjectContent<Kind extends K3sDaasObjectKind>(
  kind: Kind,
  content: Uint8Array,
): Extract<K3sDaasObject, { $kind: Kind }> {
  const struct = OBJECT_STRUCTS.find((s) => s.name === kind)!;
  return { $kind: kind, ...decodeStruct(struct, content) } as Extract<K3sDaasObject, { $kind: Kind }>;
}

/** Decodes an object by its type; null for types that are not K3s-DaaS objects. */
export function decodeObject(object: ObjectLike, options: DecodeOptions = {}): K3sDaasObject | null {
  const tag = parseStructTag(object.type);
  if (!tag) return null;
  if (options.packageId && normalizeSuiAddress(options.packageId) !== tag.address) return null;
  const kind = OBJECT_KINDS.find((k) => k === tag.name);
  const struct = OBJECT_STRUCTS.find((s) => s.module === tag.module && s.name === tag.name);
  if (!kind || !struct) return null;
  if (!object.content) throw new AbiError(`object ${tag.module}::${tag.name} was read without content`, { type: tag.name });
  return decodeObjectContent(kind, object.content);
}

export const decodeCluster = (content: Uint8Array) => decodeObjectContent('Cluster', content);
export const decodeClusterAdminCap = (content: Uint8Array) => decodeObjectContent('ClusterAdminCap', content);
export const decodeSealToken = (content: Uint8Array) => decodeObjectContent('SealToken', content);
export const decodeRequest = (content: Uint8Array) => decodeObjectContent('Request', content);
export const decodeWorker = (content: Uint8Array) => decodeObjectContent('Worker', content);
