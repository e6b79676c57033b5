/**
 * Test support: reads the Move calls of a Transaction back through the ABI, so tests can check targets, argument
 * order and pure encodings (including MakeMoveVec chunk vectors) without a chain.
 */
import type { Transaction } from '@mysten/sui/transactions';
import { fromBase64, normalizeSuiAddress } from '@mysten/sui/utils';
import { bcsFor } from '../abi/bcs.js';
import type { FunctionAbi, MoveType } from '../abi/types.js';

type Data = ReturnType<Transaction['getData']>;
type Arg = { $kind: string; Input?: number; Result?: number };

export interface DecodedCall {
  target: string;
  /** By ABI parameter name: object id (normalized), parsed pure value, or the chunks of a MakeMoveVec. */
  arguments: Record<string, unknown>;
  /** By ABI parameter name: the BCS size of each pure input (one per chunk for chunk vectors). */
  sizes: Record<string, number[]>;
}

function input(data: Data, arg: Arg) {
  if (arg.$kind !== 'Input' || arg.Input === undefined) throw new Error(`expected an input, got ${JSON.stringify(arg)}`);
  return data.inputs[arg.Input];
}

function pureBytes(data: Data, arg: Arg): Uint8Array {
  const inp = input(data, arg);
  if (!inp.Pure) throw new Error(`expected a pure input, got ${JSON.stringify(inp)}`);
  return fromBase64(inp.Pure.bytes);
}

/** Decodes the `index`-th MoveCall of `tx` against `fn`'s parameter list. */
export function decodeMoveCall(tx: Transaction, fn: FunctionAbi, index = 0): DecodedCall {
  const data = tx.getData();
  const calls = data.commands.filter((c) => c.MoveCall);
  const call = calls[index]?.MoveCall;
  if (!call) throw new Error(`no MoveCall #${index}`);
  if (call.arguments.length !== fn.params.length) {
    throw new Error(`${fn.name}: ${call.arguments.length} arguments, ABI has ${fn.params.length}`);
  }
  const out: Record<string, unknown> = {};
  const sizes: Record<string, number[]> = {};
  fn.params.forEach((param, i) => {
    const arg = call.arguments[i] as Arg;
    if (param.kind === 'object') {
      const inp = input(data, arg);
      const objectId = inp.UnresolvedObject?.objectId ?? inp.Object?.SharedObject?.objectId ?? inp.Object?.ImmOrOwnedObject?.objectId;
      if (!objectId) throw new Error(`${param.name}: not an object input`);
      out[param.name] = normalizeSuiAddress(objectId);
    } else if (arg.$kind === 'Result') {
      const vec = data.commands[arg.Result!].MakeMoveVec;
      if (!vec || vec.type !== 'vector<u8>') throw new Error(`${param.name}: expected MakeMoveVec<vector<u8>>`);
      const raw = vec.elements.map((e) => pureBytes(data, e as Arg));
      out[param.name] = raw.map((b) => bcsFor({ vector: 'u8' }).parse(b) as Uint8Array);
      sizes[param.name] = raw.map((b) => b.length);
    } else {
      const bytes = pureBytes(data, arg);
      out[param.name] = bcsFor(param.type).parse(bytes);
      sizes[param.name] = [bytes.length];
    }
  });
  return { target: `${normalizeSuiAddress(call.package)}::${call.module}::${call.function}`, arguments: out, sizes };
}

/** Normalizes expected values (snake_case ABI names) to what `decodeMoveCall` returns; the Clock defaults to 0x6. */
export function expectedArguments(fn: FunctionAbi, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const param of fn.params) {
    const value = values[param.name];
    if (param.kind === 'object') {
      const isClock = typeof param.type === 'object' && 'struct' in param.type && param.type.struct === '0x2::clock::Clock';
      out[param.name] = normalizeSuiAddress(String(value ?? (isClock ? '0x6' : 'missing')));
    } else out[param.name] = normalizeValue(param.type, value);
  }
  return out;
}

function normalizeValue(type: MoveType, value: unknown): unknown {
  if (type === 'u64' || type === 'u128' || type === 'u256') return String(BigInt(value as bigint));
  if (type === 'address') return normalizeSuiAddress(String(value));
  if (typeof type === 'object' && 'vector' in type) {
    if (type.vector === 'u8') return Uint8Array.from(value as Uint8Array);
    return (value as unknown[]).map((v) => normalizeValue(type.vector, v));
  }
  if (typeof type === 'object' && 'struct' in type && type.struct === '0x2::object::ID') return normalizeSuiAddress(String(value));
  return value;
}
