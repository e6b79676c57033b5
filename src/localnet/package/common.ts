/**
 * Shared plumbing of the TypeScript twin of the K3s-DaaS Move package: argument decoding by the ABI, object and
 * event encoding, the clock, coins, the Cluster's stake table and aborts located like Sui reports them.
 */
import { bcs } from '@mysten/sui/bcs';
import { addressBcs } from '../../core/abi/address-bcs.js';
import { ed25519Verify as nativeEd25519Verify } from '../../core/crypto/ed25519.js';
import { bcsFor, bcsForStruct } from '../../core/abi/bcs.js';
import { ERRORS, FUNCTIONS } from '../../core/abi/package.js';
import type { FunctionAbi, MoveType } from '../../core/abi/types.js';
import { MoveAbortError, type CallArg, type MoveRuntime, type ObjectArg } from '../engine/move-runtime.js';
import { rememberedVerdict } from './verified.js';

export const SUI_COIN_TYPE = '0x2::coin::Coin<0x2::sui::SUI>';
export const U64_MAX = (1n << 64n) - 1n;

/** Throws the Move abort `module::fn` with the code of the error constant `name` of `module`. */
export function abort(module: string, fn: string, name: string): never {
  const e = ERRORS.find((x) => x.module === module && x.name === name);
  if (!e) throw new Error(`twin bug: no error ${module}::${name}`);
  throw new MoveAbortError(module, fn, e.code, name);
}

/** `assert!(cond, name)` in `module::fn`. */
export function check(cond: boolean, module: string, fn: string, name: string): asserts cond {
  if (!cond) abort(module, fn, name);
}

export function fnAbi(module: string, name: string): FunctionAbi {
  const f = FUNCTIONS.find((x) => x.module === module && x.name === name);
  if (!f) throw new Error(`twin bug: no ABI for ${module}::${name}`);
  return f;
}

/** `k3sdaas::m::S` with the real package id; framework types normalized (`0x2::...`). */
export function typeTag(rt: MoveRuntime, type: MoveType): string {
  if (typeof type === 'string') return type;
  if ('vector' in type) return `vector<${typeTag(rt, type.vector)}>`;
  const name = type.struct.startsWith('k3sdaas::') ? `${rt.packageId}${type.struct.slice('k3sdaas'.length)}` : type.struct;
  return type.typeArgs?.length ? `${name}<${type.typeArgs.map((t) => typeTag(rt, t)).join(', ')}>` : name;
}

export function structType(rt: MoveRuntime, module: string, name: string): string {
  return `${rt.packageId}::${module}::${name}`;
}

/** Removes leading zeros of addresses in a type tag, so `0x0…02::coin::Coin` equals `0x2::coin::Coin`. */
export function normalizeType(type: string): string {
  return type.replace(/0x0*([0-9a-fA-F]+)(?=::)/g, (_m, hex: string) => `0x${hex.toLowerCase()}`).replace(/\s+/g, '');
}

export const NITRO_DOCUMENT_TYPE = '0x2::nitro_attestation::NitroAttestationDocument';

/** `0x2::nitro_attestation::NitroAttestationDocument` as BCS. */
export const NitroAttestationDocumentBcs = bcs.struct('NitroAttestationDocument', {
  module_id: bcs.byteVector(),
  timestamp: bcs.u64(),
  digest: bcs.byteVector(),
  pcrs: bcs.vector(bcs.struct('PCREntry', { index: bcs.u8(), value: bcs.byteVector() })),
  public_key: bcs.option(bcs.byteVector()),
  user_data: bcs.option(bcs.byteVector()),
  nonce: bcs.option(bcs.byteVector()),
});

export interface DecodedObject<T = Record<string, unknown>> {
  arg: ObjectArg;
  id: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  value: T & Record<string, any>;
}

/**
 * Decodes the arguments of `module::name` by its ABI: pure values with their BCS schema, objects with the struct
 * schema (checked against the expected type). Returns them by parameter name.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function decodeArgs(rt: MoveRuntime, module: string, name: string, args: CallArg[]): Record<string, any> {
  const abi = fnAbi(module, name);
  if (args.length !== abi.params.length) {
    throw new Error(`${module}::${name} takes ${abi.params.length} arguments, got ${args.length}`);
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const out: Record<string, any> = {};
  abi.params.forEach((param, i) => {
    const arg = args[i];
    if (typeof param.type === 'object' && 'struct' in param.type && param.type.struct === NITRO_DOCUMENT_TYPE) {
      // A value from `0x2::nitro_attestation::load_nitro_attestation` in an earlier command: BCS either way.
      const bytes = arg.kind === 'pure' ? arg.bytes : arg.object.contents;
      out[param.name] = NitroAttestationDocumentBcs.parse(bytes);
      return;
    }
    if (param.kind === 'pure') {
      if (arg.kind !== 'pure') throw new Error(`${module}::${name}: argument ${param.name} must be a pure value`);
      out[param.name] = bcsFor(param.type).parse(arg.bytes);
      return;
    }
    if (arg.kind !== 'object') throw new Error(`${module}::${name}: argument ${param.name} must be an object`);
    const want = normalizeType(typeTag(rt, param.type));
    if (normalizeType(arg.object.type) !== want) {
      throw new Error(`${module}::${name}: argument ${param.name} has type ${arg.object.type}, expected ${want}`);
    }
    out[param.name] = { arg: arg.object, id: arg.object.id, value: bcsFor(param.type).parse(arg.object.contents) } satisfies DecodedObject;
  });
  return out;
}

/** `clock.timestamp_ms()`. */
export function now(clock: DecodedObject): bigint {
  return BigInt(clock.value.timestamp_ms as string);
}

/** The address of `ID`/`address` values as BCS key bytes (Table keys). */
export function idBytes(id: string): Uint8Array {
  let bytes = idKeys.get(id);
  if (!bytes) {
    bytes = addressBcs.serialize(id).toBytes();
    if (idKeys.size >= ID_KEYS_MAX) idKeys.delete(idKeys.keys().next().value!);
    idKeys.set(id, bytes);
  }
  return Uint8Array.from(bytes);
}
/** Table keys by id: the same few tokens and clusters are looked up by every call (kept as the SDK encodes them). */
const ID_KEYS_MAX = 4_096;
const idKeys = new Map<string, Uint8Array>();

export function encodeStruct(module: string, name: string, value: unknown, typeArgs?: MoveType[]): Uint8Array {
  return bcsForStruct(module, name, typeArgs).serialize(value).toBytes();
}

export function emit(rt: MoveRuntime, module: string, name: string, value: unknown): void {
  rt.emit(structType(rt, module, name), encodeStruct(module, name, value));
}

/** Writes back a decoded object after changing `value`. */
export function mutateStruct(rt: MoveRuntime, obj: DecodedObject, module: string, name: string): void {
  rt.mutate(obj.id, encodeStruct(module, name, obj.value));
}

export function coinValue(coin: DecodedObject): bigint {
  return BigInt((coin.value.balance as { value: string }).value);
}

/** `transfer::public_transfer(coin::from_balance(amount), to)`. Returns the new coin id. */
export function sendCoin(rt: MoveRuntime, amount: bigint, to: string): string {
  const id = rt.freshId();
  const contents = bcsFor({ struct: '0x2::coin::Coin', typeArgs: [{ struct: '0x2::sui::SUI' }] })
    .serialize({ id, balance: { value: amount } })
    .toBytes();
  rt.create(SUI_COIN_TYPE, contents, { $kind: 'AddressOwner', address: to });
  return id;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** `sui::ed25519::ed25519_verify`: false (never an abort) for malformed keys or signatures. */
export function ed25519Verify(signature: Uint8Array, publicKey: Uint8Array, message: Uint8Array): boolean {
  return rememberedVerdict(signature, publicKey, message, () => nativeEd25519Verify(signature, message, publicKey));
}

export function sameAddress(a: string, b: string): boolean {
  return normalizeAddress(a) === normalizeAddress(b);
}

export function normalizeAddress(a: string): string {
  const hex = a.toLowerCase().replace(/^0x/, '');
  return '0x' + hex.padStart(64, '0');
}
