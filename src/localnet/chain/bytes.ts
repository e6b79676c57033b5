/**
 * Base64 and hex as @mysten/utils converts them, on node's native codecs: localnet converts pure arguments,
 * addresses, signatures and journal bytes on every transaction, and the SDK's versions (a regex per hex pair, a
 * callback per base64 byte) were the largest single CPU item in its profile. Results are identical: decoders take the
 * native path only for input the SDK would decode the same way (canonical base64, all-hex strings) and hand anything
 * else to the SDK, so invalid input fails with the SDK's error as before. Outputs are fresh, unshared Uint8Arrays.
 */
import { fromBase64 as sdkFromBase64, fromHex as sdkFromHex } from '@mysten/sui/utils';

const view = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

export function toBase64(bytes: Uint8Array): string {
  return view(bytes).toString('base64');
}

export function fromBase64(text: string): Uint8Array {
  const decoded = Buffer.from(text, 'base64');
  // Node's decoder skips characters atob rejects (and accepts base64url); canonical text re-encodes to itself.
  if (decoded.toString('base64') === text) return new Uint8Array(decoded);
  return sdkFromBase64(text);
}

export function toHex(bytes: Uint8Array): string {
  return view(bytes).toString('hex');
}

/** Like the SDK: an optional 0x, an odd length padded with a leading 0. */
export function fromHex(text: string): Uint8Array {
  const digits = text.startsWith('0x') ? text.slice(2) : text;
  const padded = digits.length % 2 === 0 ? digits : `0${digits}`;
  const decoded = Buffer.from(padded, 'hex');
  // Node stops at the first non-hex pair: a full-length result means every pair was hex.
  if (decoded.length * 2 === padded.length) return new Uint8Array(decoded);
  return sdkFromHex(text);
}
