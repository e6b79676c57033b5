/**
 * Decoding submitted TransactionData bytes. A transaction is refused when re-serializing what was read does not give
 * back as many bytes as were submitted (trailing data). Re-serializing costs as much as the rest of decoding, so
 * when the value is one the SDK re-encodes byte for byte, the reader's position (the bytes the value took) stands
 * in for the re-serialized length; any other value (never produced by the SDK, but possible in crafted bytes) is
 * still re-serialized, so it is refused or fails exactly as before.
 */
import { BcsReader } from '@mysten/bcs';
import { bcs } from '@mysten/sui/bcs';
import { fromBase58 } from '@mysten/sui/utils';
import { TxRejected } from './errors.js';
import type { TransactionDataV1 } from './executor.js';

export function decodeTransaction(txBytes: Uint8Array): TransactionDataV1 {
  let parsed: ReturnType<typeof bcs.TransactionData.parse>;
  let read: number;
  try {
    const reader = new BcsReader(txBytes);
    parsed = bcs.TransactionData.read(reader);
    read = (reader as unknown as { bytePosition: number }).bytePosition; // private in the typings only
  } catch (err) {
    throw new TxRejected(3, `transaction bytes are not a BCS TransactionData: ${(err as Error).message}`);
  }
  if (!parsed.V1) throw new TxRejected(3, 'unsupported TransactionData version');
  const length = reencodesExactly(parsed.V1) ? read : bcs.TransactionData.serialize(parsed).toBytes().length;
  if (length !== txBytes.length) throw new TxRejected(3, 'transaction bytes have trailing data');
  if (recent.size >= RECENT_MAX) recent.delete(recent.keys().next().value!);
  recent.set(txBytes, parsed.V1);
  return parsed.V1;
}

/**
 * The last transactions decoded, by their bytes (the very array, as the ledger keeps it): answering an
 * ExecuteTransaction shows the transaction just executed, whose bytes would otherwise be parsed a second time.
 * Readers must not modify what they get (nothing in localnet does).
 */
const RECENT_MAX = 256;
const recent = new Map<Uint8Array, TransactionDataV1>();

export function recentlyDecoded(txBytes: Uint8Array): TransactionDataV1 | undefined {
  return recent.get(txBytes);
}

/**
 * Whether serializing `data` gives exactly the bytes it was read from, without error. Reading already enforces
 * canonical ULEB128 lengths, 0/1 bools and valid UTF-8, and addresses, integers, options, pure bytes and strings
 * re-encode as read; what does not always round-trip is checked here: object digests (serializing requires 32
 * bytes), type tags (re-parsed from text: only the SDK's own rendering of well-formed tags is accepted), epochs
 * (read as JS numbers) and the variants localnet never sees from the SDK (other transaction kinds, fund
 * withdrawals, `Validity` expirations).
 */
export function reencodesExactly(data: TransactionDataV1): boolean {
  const ptb = data.kind.ProgrammableTransaction;
  if (data.kind.$kind !== 'ProgrammableTransaction' || !ptb) return false;
  for (const input of ptb.inputs) {
    if (input.$kind === 'Pure') continue;
    if (input.$kind !== 'Object') return false;
    const o = input.Object;
    if (o.$kind === 'ImmOrOwnedObject' || o.$kind === 'Receiving') {
      if (!isDigest((o.ImmOrOwnedObject ?? o.Receiving)!.digest)) return false;
    } else if (o.$kind !== 'SharedObject') return false;
  }
  for (const cmd of ptb.commands) {
    if (cmd.$kind === 'MoveCall' && !cmd.MoveCall.typeArguments.every(isRenderedTypeTag)) return false;
    if (cmd.$kind === 'MakeMoveVec' && cmd.MakeMoveVec.type !== null && !isRenderedTypeTag(cmd.MakeMoveVec.type)) return false;
  }
  if (!data.gasData.payment.every((ref) => isDigest(ref.digest))) return false;
  const exp = data.expiration;
  switch (exp.$kind) {
    case 'None':
      return true;
    case 'Epoch':
      return Number.isSafeInteger(exp.Epoch);
    case 'ValidDuring':
      return isDigest(exp.ValidDuring.chain);
    default:
      return false;
  }
}

const isDigest = (digest: string) => fromBase58(digest).length === 32;

const PRIMITIVES = new Set(['bool', 'u8', 'u16', 'u32', 'u64', 'u128', 'u256', 'address', 'signer']);
const WORD = /[A-Za-z0-9_]*/y;
const STRUCT = /0x[0-9a-f]{64}::[A-Za-z_][A-Za-z0-9_]*::[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * Whether `text` is a type tag as the SDK renders one (`TypeTagSerializer.tagToString`) with normalized addresses
 * and identifier names: such text parses back to the same tag. Anything else (names with `<`, `,`, spaces...) may not.
 */
export function isRenderedTypeTag(text: string): boolean {
  return typeTagEnd(text, 0) === text.length;
}

/** End of the type tag starting at `at`, or -1. */
function typeTagEnd(text: string, at: number): number {
  WORD.lastIndex = at;
  const word = WORD.exec(text)![0];
  if (PRIMITIVES.has(word)) return at + word.length;
  if (word === 'vector' && text[at + word.length] === '<') {
    const end = typeTagEnd(text, at + word.length + 1);
    return end >= 0 && text[end] === '>' ? end + 1 : -1;
  }
  STRUCT.lastIndex = at;
  const head = STRUCT.exec(text);
  if (!head) return -1;
  let end = at + head[0].length;
  if (text[end] !== '<') return end;
  for (;;) {
    end = typeTagEnd(text, end + 1);
    if (end < 0) return -1;
    if (text[end] === '>') return end + 1;
    if (text[end] !== ',' || text[end + 1] !== ' ') return -1;
    end += 1;
  }
}
