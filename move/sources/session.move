/// Streaming sessions (watch, log follow; later exec, attach, port-forward). The chain authorizes and records the
/// streaming request like any other (request::submit*); the enclave answers it with a session grant and carries the
/// data off chain, end-to-end encrypted. This module records, signed by the cluster's enclave key, that a session
/// opened and what flowed: duration, bytes each way, frames, exit status, and a hash chain over the transcript
/// frames (the requester can check a saved transcript against it). Nothing of the streamed content is on chain.
module k3sdaas::session;

use k3sdaas::cluster::Cluster;
use k3sdaas::enclave;
use sui::clock::Clock;
use sui::event;

// === Errors ===

const EInvalidDigest: u64 = 0;
const EInvalidTimes: u64 = 1;
const EUnknownReason: u64 = 2;

// === Constants ===

/// Intents of enclave signatures over session payloads (after enclave's 0 = response, 1 = join token).
const INTENT_SESSION_OPEN: u8 = 2;
const INTENT_SESSION_RECORD: u8 = 3;
const DIGEST_LENGTH: u64 = 32;
/// Why a session ended: 0 the stream ended, 1 the requester closed it, 2 its maximum duration passed, 3 cut (the
/// token was revoked, slashed below the minimum or unstaked), 4 the stream failed, 5 the enclave stopped;
/// 6 still open (a periodic record).
const REASON_OPEN: u8 = 6;

// === Structs ===

public struct SessionOpenPayload has copy, drop {
    cluster_id: ID,
    request_id: ID,
    requester: address,
    expires_ms: u64,
}

public struct SessionRecordPayload has copy, drop {
    cluster_id: ID,
    request_id: ID,
    requester: address,
    opened_ms: u64,
    closed_ms: u64,
    bytes_down: u64,
    bytes_up: u64,
    frames: u64,
    has_exit_code: bool,
    exit_code: u32,
    reason: u8,
    transcript_digest: vector<u8>,
}

// === Events ===

public struct SessionOpened has copy, drop {
    cluster_id: ID,
    request_id: ID,
    requester: address,
    opened_ms: u64,
    expires_ms: u64,
    /// The enclave's signature (over IntentMessage<SessionOpenPayload> at `opened_ms`), kept so anyone can re-check.
    signature: vector<u8>,
}

/// A session's record: final when `reason` is not REASON_OPEN, periodic otherwise.
public struct SessionClosed has copy, drop {
    cluster_id: ID,
    request_id: ID,
    requester: address,
    opened_ms: u64,
    closed_ms: u64,
    bytes_down: u64,
    bytes_up: u64,
    frames: u64,
    has_exit_code: bool,
    exit_code: u32,
    reason: u8,
    transcript_digest: vector<u8>,
    /// When the enclave signed the record, and its signature over IntentMessage<SessionRecordPayload>.
    timestamp_ms: u64,
    signature: vector<u8>,
}

// === Public functions ===

/// The enclave reports that the session of `request_id` (a streaming request it answered with a grant) opened at
/// `timestamp_ms` and ends at the latest at `expires_ms`.
public fun open_session(
    cluster: &Cluster,
    request_id: ID,
    requester: address,
    expires_ms: u64,
    timestamp_ms: u64,
    signature: vector<u8>,
    clock: &Clock,
) {
    cluster.assert_version();
    assert!(expires_ms > timestamp_ms, EInvalidTimes);
    let cluster_id = object::id(cluster);
    let payload = SessionOpenPayload { cluster_id, request_id, requester, expires_ms };
    enclave::verify(cluster, INTENT_SESSION_OPEN, timestamp_ms, payload, &signature, clock);
    event::emit(SessionOpened { cluster_id, request_id, requester, opened_ms: timestamp_ms, expires_ms, signature });
}

/// The enclave's signed record of a session: when it ends, or periodically while it lasts (`reason` REASON_OPEN).
public fun record_session(
    cluster: &Cluster,
    request_id: ID,
    requester: address,
    opened_ms: u64,
    closed_ms: u64,
    bytes_down: u64,
    bytes_up: u64,
    frames: u64,
    has_exit_code: bool,
    exit_code: u32,
    reason: u8,
    transcript_digest: vector<u8>,
    timestamp_ms: u64,
    signature: vector<u8>,
    clock: &Clock,
) {
    cluster.assert_version();
    assert!(transcript_digest.length() == DIGEST_LENGTH, EInvalidDigest);
    assert!(closed_ms >= opened_ms && timestamp_ms >= closed_ms, EInvalidTimes);
    assert!(reason <= REASON_OPEN, EUnknownReason);
    let cluster_id = object::id(cluster);
    let payload = SessionRecordPayload {
        cluster_id, request_id, requester, opened_ms, closed_ms, bytes_down, bytes_up, frames, has_exit_code,
        exit_code, reason, transcript_digest,
    };
    enclave::verify(cluster, INTENT_SESSION_RECORD, timestamp_ms, payload, &signature, clock);
    event::emit(SessionClosed {
        cluster_id, request_id, requester, opened_ms, closed_ms, bytes_down, bytes_up, frames, has_exit_code,
        exit_code, reason, transcript_digest, timestamp_ms, signature,
    });
}

// === Accessors ===

public fun closed_fields(e: &SessionClosed): (ID, address, u64, u64, u8, vector<u8>) {
    (e.request_id, e.requester, e.bytes_down, e.bytes_up, e.reason, e.transcript_digest)
}

#[test_only]
public fun new_opened_for_testing(
    cluster_id: ID,
    request_id: ID,
    requester: address,
    opened_ms: u64,
    expires_ms: u64,
    signature: vector<u8>,
): SessionOpened {
    SessionOpened { cluster_id, request_id, requester, opened_ms, expires_ms, signature }
}
