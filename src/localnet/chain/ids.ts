/** Hashes, ids and digests as Sui computes them (blake2b-256, base58 digests, 0x-prefixed 64-hex ids). */
import { blake2b } from '@noble/hashes/blake2.js';
import { bcs, TypeTagSerializer } from '@mysten/sui/bcs';
import { fromBase58, normalizeStructTag, normalizeSuiAddress, toBase58 } from '@mysten/sui/utils';
import { fromHex, toHex } from './bytes.js';
import type { ObjectOwner } from '../engine/move-runtime.js';
import type { StoredObject } from './types.js';

export const SUI_COIN_TYPE = normalizeStructTag('0x2::coin::Coin<0x2::sui::SUI>');
export const CLOCK_ID = normalizeSuiAddress('0x6');
export const CLOCK_TYPE = normalizeStructTag('0x2::clock::Clock');

export function blake2b256(...parts: Uint8Array[]): Uint8Array {
  const h = blake2b.create({ dkLen: 32 });
  for (const p of parts) h.update(p);
  return h.digest();
}

export const utf8 = (s: string) => new TextEncoder().encode(s);

export function u64le(v: bigint | number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
  return b;
}

export function readU64le(b: Uint8Array, offset = 0): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(offset, true);
}

export const addr = (a: string) => normalizeSuiAddress(a);
export const addrBytes = (a: string) => fromHex(normalizeSuiAddress(a).slice(2));
export const addrFromBytes = (b: Uint8Array) => normalizeSuiAddress(toHex(b));

/** Sui's object id derivation: blake2b256(tx digest ‖ creation counter u64 LE). */
export function deriveObjectId(txDigest: string, counter: number): string {
  return addrFromBytes(blake2b256(fromBase58(txDigest), u64le(counter)));
}

/** Normalises a Move type (struct tags get 64-hex addresses). Unparseable types are returned unchanged. */
export function normalizeType(type: string): string {
  try {
    return type.includes('::') ? normalizeStructTag(type) : type;
  } catch {
    return type;
  }
}

export function ownerBcs(owner: ObjectOwner) {
  switch (owner.$kind) {
    case 'AddressOwner':
      return { AddressOwner: owner.AddressOwner };
    case 'ObjectOwner':
      return { ObjectOwner: owner.ObjectOwner };
    case 'Shared':
      return { Shared: { initialSharedVersion: owner.Shared.initialSharedVersion } };
    case 'Immutable':
      return { Immutable: true };
  }
}

/** BCS of the whole object (`bcs.Object`), when its type can be expressed as a TypeTag. */
export function objectBcs(o: Omit<StoredObject, 'digest'>): Uint8Array | undefined {
  try {
    const type = o.type === SUI_COIN_TYPE ? { GasCoin: true } : { Other: structTag(o.type) };
    return bcs.Object.serialize({
      data: { Move: { type, hasPublicTransfer: hasPublicTransfer(o.type), version: o.version, contents: o.contents } },
      owner: ownerBcs(o.owner),
      previousTransaction: o.previousTransaction,
      storageRebate: o.storageRebate,
    } as any).toBytes();
  } catch {
    return undefined;
  }
}

/**
 * The parsed struct tag of an object type. The same few types are written by every transaction (and digested in
 * each of its runs), so parses are kept by type text; bcs serialization only reads them.
 */
const STRUCT_TAGS_MAX = 1_024;
const structTags = new Map<string, unknown>();
function structTag(type: string): unknown {
  let tag = structTags.get(type);
  if (tag === undefined) {
    tag = (TypeTagSerializer.parseFromStr(type, true) as { struct: any }).struct;
    if (structTags.size >= STRUCT_TAGS_MAX) structTags.delete(structTags.keys().next().value!);
    structTags.set(type, tag);
  }
  return tag;
}

/** Object digest: blake2b256("Object::" ‖ bcs(Object)), or of a stable encoding when no BCS form exists. */
export function objectDigest(o: Omit<StoredObject, 'digest'>): string {
  const encoded = objectBcs(o);
  if (encoded) return toBase58(blake2b256(utf8('Object::'), encoded));
  return toBase58(
    blake2b256(utf8('LocalnetObject::'), utf8(o.type), u64le(o.version), utf8(JSON.stringify(ownerBcs(o.owner))), o.contents, utf8(o.previousTransaction)),
  );
}

/** Coins and other `store` objects the framework knows about can be transferred with TransferObjects. */
let publicTransferTypes: (type: string) => boolean = (type) => type.startsWith(`${addr('0x2')}::coin::Coin<`);
export function hasPublicTransfer(type: string): boolean {
  return publicTransferTypes(type);
}
export function setPublicTransferTypes(fn: (type: string) => boolean): void {
  publicTransferTypes = fn;
}

export const isCoinType = (type: string) => type.startsWith(`${addr('0x2')}::coin::Coin<`);
export const coinInnerType = (type: string) => type.slice(`${addr('0x2')}::coin::Coin<`.length, -1);

/** Coin<T> contents: UID ‖ u64 balance. */
export function coinContents(id: string, value: bigint): Uint8Array {
  const b = new Uint8Array(40);
  b.set(addrBytes(id), 0);
  b.set(u64le(value), 32);
  return b;
}
export const coinValue = (contents: Uint8Array) => readU64le(contents, 32);

export function digestOf(label: string, data: unknown): string {
  return toBase58(blake2b256(utf8(label), utf8(JSON.stringify(data, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? toHex(v) : v)))));
}
