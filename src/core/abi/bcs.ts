/**
 * BCS schemas derived from the ABI description, so Move-call encoding, event decoding and localnet's twin all use
 * one layout per Move type. `UID` and `ID` decode to 0x-addresses; `String` to a JS string; `u64` to a decimal
 * string (as @mysten/bcs does); `Balance<T>` to `{ value }`; `Table<K, V>` to `{ id, size }`. Addresses use
 * address-bcs.ts (the SDK's layout, checked and hex-decoded once).
 */
import { bcs, type BcsType } from '@mysten/sui/bcs';
import { addressBcs } from './address-bcs.js';
import { K3SDAAS_ABI } from './package.js';
import type { MoveType, StructAbi } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyBcs = BcsType<any, any>;

/** Framework layouts. Type arguments are resolved lazily: phantom ones (`Balance<SUI>`, `Table<K, V>`) have none. */
const FRAMEWORK: Record<string, (args: () => AnyBcs[]) => AnyBcs> = {
  '0x2::object::UID': () => addressBcs,
  '0x2::object::ID': () => addressBcs,
  '0x1::string::String': () => bcs.string(),
  '0x1::ascii::String': () => bcs.string(),
  '0x1::option::Option': (args) => bcs.option(args()[0]),
  '0x2::balance::Balance': () => bcs.struct('Balance', { value: bcs.u64() }),
  '0x2::coin::Coin': () => bcs.struct('Coin', { id: addressBcs, balance: bcs.struct('Balance', { value: bcs.u64() }) }),
  '0x2::table::Table': () => bcs.struct('Table', { id: addressBcs, size: bcs.u64() }),
  '0x2::clock::Clock': () => bcs.struct('Clock', { id: addressBcs, timestamp_ms: bcs.u64() }),
};

const cache = new Map<string, AnyBcs>();

/** Primitive layouts, built once (schemas hold no state; every Move call and event decode asks for them). */
const PRIMITIVE: Record<string, AnyBcs> = {
  bool: bcs.bool(),
  u8: bcs.u8(),
  u16: bcs.u16(),
  u32: bcs.u32(),
  u64: bcs.u64(),
  u128: bcs.u128(),
  u256: bcs.u256(),
  address: addressBcs,
};
const BYTE_VECTOR = bcs.byteVector();

/** Finds a K3s-DaaS struct by `module::Name`. */
export function structAbi(module: string, name: string): StructAbi {
  const s = K3SDAAS_ABI.structs.find((x) => x.module === module && x.name === name);
  if (!s) throw new Error(`unknown struct k3sdaas::${module}::${name}`);
  return s;
}

/** The BCS schema of a Move type. Type parameters of the enclosing struct are substituted from `params`. */
export function bcsFor(t: MoveType, params: Record<string, MoveType> = {}): AnyBcs {
  if (typeof t === 'string' && Object.hasOwn(PRIMITIVE, t)) return PRIMITIVE[t]!;
  // (Any other string is not a MoveType: the `in` below throws for it, as it always did.)
  const type = t as Exclude<MoveType, string>;
  if ('vector' in type) {
    return type.vector === 'u8' ? BYTE_VECTOR : bcs.vector(bcsFor(type.vector, params));
  }
  if (params[type.struct]) return bcsFor(params[type.struct], params);
  const args = () => (type.typeArgs ?? []).map((t) => bcsFor(t, params));
  const framework = FRAMEWORK[type.struct];
  if (framework) return framework(args);
  const m = /^k3sdaas::(\w+)::(\w+)$/.exec(type.struct);
  if (!m) throw new Error(`no BCS layout for ${type.struct}`);
  // Generic structs (IntentMessage<T>) depend on the enclosing parameters too.
  const key = Object.keys(params).length ? JSON.stringify([type, params]) : JSON.stringify(type);
  const hit = cache.get(key);
  if (hit) return hit;
  const s = structAbi(m[1], m[2]);
  const own: Record<string, MoveType> = {};
  (s.typeParams ?? []).forEach((p, i) => (own[p] = type.typeArgs?.[i] ?? params[p]));
  const fields: Record<string, AnyBcs> = {};
  for (const field of s.fields) fields[field.name] = bcsFor(field.type, { ...params, ...own });
  const schema = bcs.struct(s.name, fields);
  cache.set(key, schema);
  return schema;
}

/** The BCS schema of a K3s-DaaS struct by module and name (e.g. `bcsForStruct('request', 'RequestSubmitted')`). */
export function bcsForStruct(module: string, name: string, typeArgs?: MoveType[]): AnyBcs {
  return bcsFor({ struct: `k3sdaas::${module}::${name}`, typeArgs });
}
