/**
 * Turns a typed argument object into Move-call arguments, in the order of the ABI parameter list (so builders cannot
 * drift from the Move signature). Pure values are BCS-encoded with the ABI schemas; `vector<vector<u8>>` values are
 * one pure `vector<u8>` per element combined with MakeMoveVec, so each stays under the pure-argument limit.
 */
import type { Transaction, TransactionArgument, TransactionObjectArgument } from '@mysten/sui/transactions';
import { SUI_CLOCK_OBJECT_ID } from '@mysten/sui/utils';
import { bcsFor } from '../abi/bcs.js';
import { MAX_PURE_ARG } from '../abi/package.js';
import type { FunctionAbi, MoveType, Param } from '../abi/types.js';
import { AbiError } from '../errors.js';
import { PureBytes } from './pure-bytes.js';

/** An object argument: an object id, or an argument already in the transaction (input, result, thunk). */
export type ObjectInput = string | TransactionObjectArgument;
/** u64 values: bigint preferred; numbers must be safe integers; decimal strings are accepted. */
export type U64Input = bigint | number | string;

/** BCS overhead kept free in every chunk (the ULEB128 length prefix of a `vector<u8>` is at most 3 bytes here). */
export const CHUNK_OVERHEAD = 16;
/** Largest chunk of a body that fits one pure `vector<u8>` argument. */
export const MAX_CHUNK_SIZE = MAX_PURE_ARG - CHUNK_OVERHEAD;

/** Splits a body into chunks of at most MAX_CHUNK_SIZE bytes (an empty body is no chunks). */
export function chunkBody(bytes: Uint8Array, chunkSize: number = MAX_CHUNK_SIZE): Uint8Array[] {
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
    throw new AbiError(`chunk size must be between 1 and ${MAX_CHUNK_SIZE}`, { chunkSize });
  }
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  return chunks;
}

/** `snake_case` ABI parameter name → `camelCase` key of the typed argument object. */
export function argumentKey(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const isClock = (type: MoveType) => typeof type === 'object' && 'struct' in type && type.struct === '0x2::clock::Clock';
const isChunks = (type: MoveType) =>
  typeof type === 'object' && 'vector' in type && typeof type.vector === 'object' && 'vector' in type.vector && type.vector.vector === 'u8';

function where(fn: FunctionAbi, param: Param) {
  return `${fn.module}::${fn.name}(${param.name})`;
}

/**
 * The serialized value as a branded serialized value (pure-bytes.ts): `tx.pure` takes it as is, where plain bytes are
 * first checked against the SDK's call-argument schema (a valibot parse per argument) — same input either way.
 */
function encodePure(fn: FunctionAbi, param: Param, type: MoveType, value: unknown): PureBytes {
  let bytes: Uint8Array;
  try {
    bytes = bcsFor(type).serialize(value).toBytes();
  } catch (cause) {
    throw new AbiError(`${where(fn, param)}: cannot encode ${String(value)}: ${(cause as Error).message}`, { param: param.name }, cause);
  }
  if (bytes.length > MAX_PURE_ARG) {
    throw new AbiError(`${where(fn, param)}: ${bytes.length} bytes exceed the ${MAX_PURE_ARG}-byte pure-argument limit`, {
      param: param.name,
      size: bytes.length,
    });
  }
  return new PureBytes(bytes);
}

/** `tx.pure` of a branded serialized value (its type names the SDK's SerializedBcs class; the brand is what counts). */
const pure = (tx: Transaction, value: PureBytes) => tx.pure(value as unknown as Uint8Array);

function encodeParam(tx: Transaction, fn: FunctionAbi, param: Param, value: unknown): TransactionArgument {
  if (param.kind === 'object') {
    if (value === undefined && isClock(param.type)) return tx.object(SUI_CLOCK_OBJECT_ID);
    if (value === undefined || value === null) throw new AbiError(`${where(fn, param)}: missing object argument`, { param: param.name });
    return tx.object(value as ObjectInput);
  }
  if (value === undefined) throw new AbiError(`${where(fn, param)}: missing argument`, { param: param.name });
  if (isChunks(param.type)) {
    if (!Array.isArray(value)) throw new AbiError(`${where(fn, param)}: expected an array of byte arrays`, { param: param.name });
    const elements = value.map((chunk) => pure(tx, encodePure(fn, param, { vector: 'u8' }, chunk)));
    // The SDK types MakeMoveVec elements as object arguments, but pure inputs are valid elements on chain.
    return tx.makeMoveVec({ type: 'vector<u8>', elements: elements as unknown as TransactionObjectArgument[] });
  }
  return pure(tx, encodePure(fn, param, param.type, value));
}

/** Adds the Move call `fn` with the typed `args` (camelCase keys of the ABI parameter names) to `tx`. */
export function callFunction(tx: Transaction, fn: FunctionAbi, packageId: string, args: object) {
  const values = args as Record<string, unknown>;
  return tx.moveCall({
    target: `${packageId}::${fn.module}::${fn.name}`,
    arguments: fn.params.map((param) => encodeParam(tx, fn, param, values[argumentKey(param.name)])),
  });
}

/** The options every builder takes: the published package id and the typed arguments. */
export interface CallOptions<Args> {
  package: string;
  arguments: Args;
}
