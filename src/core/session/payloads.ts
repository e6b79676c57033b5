/**
 * The session payloads the enclave signs (move/sources/session.move), as `IntentMessage<T>` BCS from the ABI.
 */
import { bcsForStruct } from '../abi/bcs.js';
import { INTENT_SESSION_OPEN, INTENT_SESSION_RECORD } from '../abi/package.js';
import type { RawEd25519Signer } from '../intent.js';

export { INTENT_SESSION_OPEN, INTENT_SESSION_RECORD };

export const SessionOpenPayloadBcs = bcsForStruct('session', 'SessionOpenPayload');
export const SessionRecordPayloadBcs = bcsForStruct('session', 'SessionRecordPayload');

/** Why a session ended (session.move's reason codes, by index); 'open' marks a periodic record. */
export const SESSION_REASONS = ['stream ended', 'requester closed', 'maximum duration', 'cut', 'stream failed', 'enclave stopped', 'open'] as const;
export type SessionReason = (typeof SESSION_REASONS)[number];

export interface SessionOpenPayload {
  cluster_id: string;
  request_id: string;
  requester: string;
  expires_ms: bigint;
}

export interface SessionRecordPayload {
  cluster_id: string;
  request_id: string;
  requester: string;
  opened_ms: bigint;
  closed_ms: bigint;
  bytes_down: bigint;
  bytes_up: bigint;
  frames: bigint;
  has_exit_code: boolean;
  exit_code: number;
  reason: number;
  transcript_digest: Uint8Array;
}

function intentBytes(intent: number, struct: string, timestampMs: bigint, payload: unknown): Uint8Array {
  return bcsForStruct('enclave', 'IntentMessage', [{ struct }]).serialize({ intent, timestamp_ms: timestampMs, payload }).toBytes();
}

export function sessionOpenMessage(timestampMs: bigint, p: SessionOpenPayload): Uint8Array {
  return intentBytes(INTENT_SESSION_OPEN, 'k3sdaas::session::SessionOpenPayload', timestampMs, p);
}

export function sessionRecordMessage(timestampMs: bigint, p: SessionRecordPayload): Uint8Array {
  return intentBytes(INTENT_SESSION_RECORD, 'k3sdaas::session::SessionRecordPayload', timestampMs, p);
}

export async function signSessionOpen(signer: RawEd25519Signer, timestampMs: bigint, p: SessionOpenPayload): Promise<Uint8Array> {
  return signer.sign(sessionOpenMessage(timestampMs, p));
}

export async function signSessionRecord(signer: RawEd25519Signer, timestampMs: bigint, p: SessionRecordPayload): Promise<Uint8Array> {
  return signer.sign(sessionRecordMessage(timestampMs, p));
}
