/**
 * The bytes of a pure input. The SDK's BCS gives them as base64 text; checks, execution and the proto answer each
 * need the bytes, so they are decoded once per parsed transaction (keyed by the parsed input, which nothing
 * mutates) rather than once per use. Callers must not modify the returned bytes.
 */
import { fromBase64 } from './bytes.js';

const decoded = new WeakMap<object, Uint8Array>();

export function pureBytes(pure: { bytes: string }): Uint8Array {
  let bytes = decoded.get(pure);
  if (!bytes) {
    bytes = fromBase64(pure.bytes);
    decoded.set(pure, bytes);
  }
  return bytes;
}
