/** Checks that pure argument bytes are valid BCS for a Move parameter type (exact length, UTF-8 strings, ...). */
import type { MoveType } from '../../core/abi/types.js';

export function checkPure(bytes: Uint8Array, type: MoveType): string | undefined {
  try {
    const end = consume(bytes, 0, type);
    if (end !== bytes.length) return `${bytes.length - end} trailing bytes`;
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function uleb(bytes: Uint8Array, offset: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (offset >= bytes.length) throw new Error('truncated length prefix');
    const b = bytes[offset++]!;
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, offset];
    shift += 7;
    if (shift > 35) throw new Error('length prefix too large');
  }
}

const FIXED: Record<string, number> = { bool: 1, u8: 1, u16: 2, u32: 4, u64: 8, u128: 16, u256: 32, address: 32 };

function need(bytes: Uint8Array, offset: number, n: number): number {
  if (offset + n > bytes.length) throw new Error('truncated value');
  return offset + n;
}

function consume(bytes: Uint8Array, offset: number, type: MoveType): number {
  if (typeof type === 'string') {
    const end = need(bytes, offset, FIXED[type]!);
    if (type === 'bool' && bytes[offset]! > 1) throw new Error('invalid bool');
    return end;
  }
  if ('vector' in type) {
    const [len, start] = uleb(bytes, offset);
    if (type.vector === 'u8') return need(bytes, start, len);
    let o = start;
    for (let i = 0; i < len; i++) o = consume(bytes, o, type.vector);
    return o;
  }
  const name = type.struct;
  if (name.endsWith('::string::String') || name.endsWith('::ascii::String')) {
    const [len, start] = uleb(bytes, offset);
    const end = need(bytes, start, len);
    if (name.endsWith('::string::String')) {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, end));
      } catch {
        throw new Error('invalid UTF-8 string');
      }
    } else if (bytes.subarray(start, end).some((b) => b > 0x7f)) throw new Error('invalid ASCII string');
    return end;
  }
  if (name.endsWith('::object::ID')) return need(bytes, offset, 32);
  if (name.endsWith('::option::Option')) {
    const [len, start] = uleb(bytes, offset);
    if (len > 1) throw new Error('invalid Option');
    return len === 0 ? start : consume(bytes, start, type.typeArgs?.[0] ?? 'u8');
  }
  // Unknown struct: cannot be a pure value we can check; accept the rest.
  return bytes.length;
}

/** `bcs(vector<T>)` from the BCS of each element. */
export function vectorBytes(items: Uint8Array[]): Uint8Array {
  const prefix: number[] = [];
  let n = items.length;
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    prefix.push(b);
  } while (n > 0);
  const total = prefix.length + items.reduce((s, i) => s + i.length, 0);
  const out = new Uint8Array(total);
  out.set(prefix, 0);
  let o = prefix.length;
  for (const i of items) {
    out.set(i, o);
    o += i.length;
  }
  return out;
}

/** Splits `bcs(vector<T>)` of fixed-size T into elements. */
export function splitVector(bytes: Uint8Array, size: number): Uint8Array[] {
  const [len, start] = uleb(bytes, 0);
  if (start + len * size !== bytes.length) throw new Error('malformed vector');
  return Array.from({ length: len }, (_, i) => bytes.subarray(start + i * size, start + (i + 1) * size));
}
