/**
 * A BCS-encoded pure argument in the form `tx.pure` takes without re-checking it: the SDK recognises serialized
 * values by the `@mysten/serialized-bcs` brand (a registry symbol, so any copy of @mysten/bcs agrees) and only asks
 * them for `toBase64()`. Its own base64 (`String.fromCharCode(...bytes)` + `btoa`) is most of the cost of adding a
 * 1 KiB body to a transaction; Node's encoder gives the same string (standard alphabet, padded) many times faster.
 */
const SERIALIZED_BCS_BRAND = Symbol.for('@mysten/serialized-bcs');

export class PureBytes {
  constructor(readonly bytes: Uint8Array) {}

  get [SERIALIZED_BCS_BRAND](): true {
    return true;
  }

  toBytes(): Uint8Array {
    return this.bytes;
  }

  toBase64(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString('base64');
  }
}
