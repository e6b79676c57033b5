/**
 * Twin of move/sources/session.move: the enclave's signed reports that a streaming session opened
 * (SessionOpened) and what flowed (SessionClosed), checked in the same order with the same aborts.
 */
import { INTENT_SESSION_OPEN, INTENT_SESSION_RECORD } from '../../core/abi/package.js';
import type { PackageFunction } from '../engine/move-runtime.js';
import { verify as verifyEnclave } from './enclave.js';
import { check, decodeArgs, emit, type DecodedObject } from './common.js';
import { assertVersion } from './cluster.js';

const M = 'session';
const DIGEST_LENGTH = 32;
const REASON_OPEN = 6;

const openSession: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'open_session', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  check(BigInt(a.expires_ms) > BigInt(a.timestamp_ms), M, 'open_session', 'EInvalidTimes');
  const payload = { cluster_id: cluster.id, request_id: a.request_id, requester: a.requester, expires_ms: a.expires_ms };
  verifyEnclave(cluster, INTENT_SESSION_OPEN, BigInt(a.timestamp_ms), { struct: 'k3sdaas::session::SessionOpenPayload' }, payload, a.signature, a.clock);
  emit(rt, M, 'SessionOpened', { ...payload, opened_ms: a.timestamp_ms, expires_ms: a.expires_ms, signature: a.signature });
};

const recordSession: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'record_session', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  check((a.transcript_digest as Uint8Array).length === DIGEST_LENGTH, M, 'record_session', 'EInvalidDigest');
  check(BigInt(a.closed_ms) >= BigInt(a.opened_ms) && BigInt(a.timestamp_ms) >= BigInt(a.closed_ms), M, 'record_session', 'EInvalidTimes');
  check(Number(a.reason) <= REASON_OPEN, M, 'record_session', 'EUnknownReason');
  const record = {
    cluster_id: cluster.id,
    request_id: a.request_id,
    requester: a.requester,
    opened_ms: a.opened_ms,
    closed_ms: a.closed_ms,
    bytes_down: a.bytes_down,
    bytes_up: a.bytes_up,
    frames: a.frames,
    has_exit_code: a.has_exit_code,
    exit_code: a.exit_code,
    reason: a.reason,
    transcript_digest: a.transcript_digest,
  };
  verifyEnclave(cluster, INTENT_SESSION_RECORD, BigInt(a.timestamp_ms), { struct: 'k3sdaas::session::SessionRecordPayload' }, record, a.signature, a.clock);
  emit(rt, M, 'SessionClosed', { ...record, timestamp_ms: a.timestamp_ms, signature: a.signature });
};

export const SESSION_TWIN: Record<string, PackageFunction> = {
  'session::open_session': openSession,
  'session::record_session': recordSession,
};
