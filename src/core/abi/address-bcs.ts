/**
 * A Sui address (and UID, ID) in BCS: 32 bytes, read as a normalized 0x-address. The same bytes, values and refusals
 * as the SDK's `bcs.Address`, which on every write normalizes, validates and hex-decodes the string three times in
 * pure JavaScript (validate, input, serialized size); this one checks and decodes it once, with Buffer's hex codec.
 * Every K3s-DaaS object and event is full of addresses: this was the largest single cost of localnet's twin.
 */
import { BcsType } from '@mysten/bcs';

const ADDRESS_BYTES = 32;
const HEX = /^[0-9a-f]*$/;

/** The 32 bytes of an address given as a string (`0x`-prefixed or not, short forms zero-padded) or as bytes. */
export function addressBytes(value: string | Uint8Array): Uint8Array {
  if (value instanceof Uint8Array) {
    if (value.length !== ADDRESS_BYTES) throw new Error(`Invalid Sui address ${Buffer.from(value).toString('hex')}`);
    return value;
  }
  if (typeof value !== 'string' || value === '') throw new Error(`Invalid Sui address ${String(value)}`);
  const lower = value.toLowerCase();
  const body = lower.startsWith('0x') ? lower.slice(2) : lower;
  if (body.length > 2 * ADDRESS_BYTES || !HEX.test(body)) throw new Error(`Invalid Sui address ${value}`);
  return Buffer.from(body.padStart(2 * ADDRESS_BYTES, '0'), 'hex');
}

export const addressBcs = new BcsType<string, string | Uint8Array>({
  name: 'bytes[32]',
  read: (reader) => `0x${Buffer.from(reader.readBytes(ADDRESS_BYTES)).toString('hex')}`,
  write: (value, writer) => void writer.writeBytes(addressBytes(value)),
  serializedSize: () => ADDRESS_BYTES,
  validate: (value) => void addressBytes(value),
});
