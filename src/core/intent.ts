/**
 * Enclave-signed payloads: `IntentMessage<T> { intent, timestamp_ms, payload }`, BCS-encoded and signed with raw
 * ed25519 (64 bytes, no Sui intent wrapping), as the Nautilus framework and `enclave::verify` do.
 */
import { Ed25519PublicKey } from '@mysten/sui/keypairs/ed25519';
import { ed25519Verify } from './crypto/ed25519.js';
import { bcsForStruct } from './abi/bcs.js';
import { INTENT_JOIN_TOKEN, INTENT_RESPONSE } from './abi/package.js';

/** Signed by the enclave with INTENT_RESPONSE (`request::ResponsePayload`). */
export interface ResponsePayload {
  requestId: string;
  requester: string;
  /** sha256 of the plaintext request envelope. */
  requestBodyDigest: Uint8Array;
  status: number;
  /** sha256 of the plaintext response envelope. */
  responseBodyDigest: Uint8Array;
}

/** Signed by the enclave with INTENT_JOIN_TOKEN (`workers::JoinTokenPayload`). */
export interface JoinTokenPayload {
  workerId: string;
  owner: string;
  encryptionKey: Uint8Array;
  /** sha256 of the join-token ciphertext. */
  ciphertextDigest: Uint8Array;
}

export interface IntentPayloads {
  [INTENT_RESPONSE]: ResponsePayload;
  [INTENT_JOIN_TOKEN]: JoinTokenPayload;
}
export type Intent = keyof IntentPayloads;

const PAYLOAD_STRUCT = {
  [INTENT_RESPONSE]: { struct: 'k3sdaas::request::ResponsePayload' },
  [INTENT_JOIN_TOKEN]: { struct: 'k3sdaas::workers::JoinTokenPayload' },
} as const;

function payloadFields<I extends Intent>(intent: I, payload: IntentPayloads[I]): Record<string, unknown> {
  if (intent === INTENT_RESPONSE) {
    const p = payload as ResponsePayload;
    return {
      request_id: p.requestId,
      requester: p.requester,
      request_body_digest: p.requestBodyDigest,
      status: p.status,
      response_body_digest: p.responseBodyDigest,
    };
  }
  const p = payload as JoinTokenPayload;
  return { worker_id: p.workerId, owner: p.owner, encryption_key: p.encryptionKey, ciphertext_digest: p.ciphertextDigest };
}

/** `IntentMessage<T>` per intent, built from the ABI once (a generic struct's schema is not cached by bcsFor). */
const MESSAGE_SCHEMA = new Map<Intent, ReturnType<typeof bcsForStruct>>();

/** `bcs(IntentMessage<T> { intent, timestamp_ms, payload })`: the exact bytes the enclave signs. */
export function encodeIntentMessage<I extends Intent>(intent: I, timestampMs: bigint | number, payload: IntentPayloads[I]): Uint8Array {
  const struct = PAYLOAD_STRUCT[intent];
  if (!struct) throw new RangeError(`unknown intent ${String(intent)}`);
  let schema = MESSAGE_SCHEMA.get(intent);
  if (!schema) MESSAGE_SCHEMA.set(intent, (schema = bcsForStruct('enclave', 'IntentMessage', [struct])));
  return schema
    .serialize({ intent, timestamp_ms: BigInt(timestampMs), payload: payloadFields(intent, payload) })
    .toBytes();
}

/** Anything that signs raw bytes with ed25519, e.g. `Ed25519Keypair` (its `sign` is raw, unlike `signPersonalMessage`). */
export interface RawEd25519Signer {
  sign(bytes: Uint8Array): Promise<Uint8Array>;
}

/** Signs an intent message; returns the raw 64-byte ed25519 signature `enclave::verify` checks. */
export async function signIntent<I extends Intent>(
  signer: RawEd25519Signer,
  intent: I,
  timestampMs: bigint | number,
  payload: IntentPayloads[I],
): Promise<Uint8Array> {
  const signature = await signer.sign(encodeIntentMessage(intent, timestampMs, payload));
  if (signature.length !== 64) throw new RangeError(`expected a 64-byte ed25519 signature, got ${signature.length} bytes`);
  return signature;
}

/** Verifies a raw ed25519 intent signature against the enclave's 32-byte public key. */
export async function verifyIntent<I extends Intent>(
  publicKey: Uint8Array | Ed25519PublicKey,
  intent: I,
  timestampMs: bigint | number,
  payload: IntentPayloads[I],
  signature: Uint8Array,
): Promise<boolean> {
  if (signature.length !== 64) return false;
  const raw = publicKey instanceof Ed25519PublicKey ? publicKey.toRawBytes() : publicKey;
  try {
    return ed25519Verify(signature, encodeIntentMessage(intent, timestampMs, payload), raw);
  } catch {
    return false;
  }
}
