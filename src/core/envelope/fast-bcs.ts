/**
 * Hand-written BCS for the few layouts every request goes through twice (bindings, envelopes). The SDK's schemas
 * validate and normalize each address three times (size, validate, write), write strings byte by byte and allocate
 * per field; these write each field once into one buffer. They only handle values whose encoding is unambiguous
 * (canonical 0x-addresses, strings, byte arrays, integers in range) and return null otherwise, so callers fall back
 * to the SDK schema — which then produces the same bytes, or the same error, as before. Reading is the same: any
 * irregularity (bounds, non-canonical ULEB, bad UTF-8) returns null and the SDK parse decides.
 */

const ADDRESS = /^0x[0-9a-f]{64}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The parts of a BCS value, concatenated once at the end. */
export class FastWriter {
  readonly #parts: Uint8Array[] = [];
  #size = 0;
  ok = true;

  #push(b: Uint8Array): this {
    this.#parts.push(b);
    this.#size += b.length;
    return this;
  }

  uleb(n: number): this {
    const out: number[] = [];
    do {
      let byte = n & 0x7f;
      n = Math.floor(n / 128);
      if (n > 0) byte |= 0x80;
      out.push(byte);
    } while (n > 0);
    return this.#push(Uint8Array.from(out));
  }

  /** A bytes value already encoded (e.g. a constant string). */
  raw(b: Uint8Array): this {
    return this.#push(b);
  }

  string(s: unknown): this {
    if (typeof s !== 'string') return this.#fail();
    const b = Buffer.from(s, 'utf8');
    return this.uleb(b.length).#push(b);
  }

  bytes(b: unknown): this {
    if (!(b instanceof Uint8Array)) return this.#fail();
    return this.uleb(b.length).#push(b);
  }

  /** A 32-byte address, from its canonical form only (0x + 64 lowercase hex digits). */
  address(a: unknown): this {
    if (typeof a !== 'string' || !ADDRESS.test(a)) return this.#fail();
    return this.#push(Buffer.from(a.slice(2), 'hex'));
  }

  u16(n: unknown): this {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffff) return this.#fail();
    return this.#push(Uint8Array.of(n & 0xff, n >> 8));
  }

  #fail(): this {
    this.ok = false;
    return this;
  }

  /** The encoding, or null when a value was not one this writer handles. */
  toBytes(): Uint8Array | null {
    if (!this.ok) return null;
    const out = new Uint8Array(this.#size);
    let at = 0;
    for (const p of this.#parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** The ULEB length prefix and bytes of a constant string. */
export function constantString(s: string): Uint8Array {
  return new FastWriter().string(s).toBytes()!;
}

/** Thrown inside FastReader on anything irregular; the caller turns it into "let the SDK decide". */
class Irregular extends Error {}

export class FastReader {
  #at = 0;
  readonly #b: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.#b = bytes;
  }

  /** Canonical ULEB128 up to 4 bytes (lengths here are far below 2^28). */
  uleb(): number {
    let n = 0;
    for (let i = 0; i < 4; i++) {
      if (this.#at >= this.#b.length) throw new Irregular();
      const byte = this.#b[this.#at++]!;
      n += (byte & 0x7f) * 2 ** (7 * i);
      if ((byte & 0x80) === 0) {
        if (byte === 0 && i > 0) throw new Irregular();
        return n;
      }
    }
    throw new Irregular();
  }

  take(n: number): Uint8Array {
    if (this.#at + n > this.#b.length) throw new Irregular();
    const out = this.#b.subarray(this.#at, this.#at + n);
    this.#at += n;
    return out;
  }

  string(): string {
    try {
      return utf8.decode(this.take(this.uleb()));
    } catch {
      throw new Irregular();
    }
  }

  /** A fresh copy (the SDK's decode copies too). */
  bytes(): Uint8Array {
    return this.take(this.uleb()).slice();
  }

  u16(): number {
    const b = this.take(2);
    return b[0]! | (b[1]! << 8);
  }

  /** Runs a decoder; null when the bytes were irregular in any way. */
  static read<T>(bytes: Uint8Array, decode: (r: FastReader) => T): T | null {
    try {
      return decode(new FastReader(bytes));
    } catch (err) {
      if (err instanceof Irregular) return null;
      throw err;
    }
  }
}
