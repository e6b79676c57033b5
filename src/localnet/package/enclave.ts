/**
 * Twin of move/sources/enclave.move: registering the enclave key and verifying what the enclave signs
 * (ed25519 over `bcs(IntentMessage { intent, timestamp_ms, payload })`).
 */
import { bcsForStruct } from '../../core/abi/bcs.js';
import { MAX_CLOCK_SKEW_MS, MAX_SIGNATURE_AGE_MS } from '../../core/abi/package.js';
import type { MoveType } from '../../core/abi/types.js';
import type { MoveRuntime, PackageFunction } from '../engine/move-runtime.js';
import { assertCapFor, assertVersion, setExpectedPcrs, writeCluster } from './cluster.js';
import { bytesEqual, check, decodeArgs, ed25519Verify, emit, now, type DecodedObject } from './common.js';

const M = 'enclave';
const PUBLIC_KEY_LENGTH = 32;
const PCR_INDICES = [0, 1, 2];
/** `enclave::MAX_ATTESTATION_AGE_MS`: how old an attestation document may be when it is registered. */
export const MAX_ATTESTATION_AGE_MS = 300_000;

/** `bcs(IntentMessage<T> { intent, timestamp_ms, payload })` where `payload` is a K3s-DaaS struct. */
export function intentMessageBytes(intent: number, timestampMs: bigint | number, payloadType: MoveType, payload: unknown): Uint8Array {
  return bcsForStruct(M, 'IntentMessage', [payloadType])
    .serialize({ intent, timestamp_ms: BigInt(timestampMs), payload })
    .toBytes();
}

/** `enclave::assert_fresh(timestamp_ms, now_ms)`. */
function assertFresh(timestampMs: bigint, nowMs: bigint): void {
  check(timestampMs <= nowMs + BigInt(MAX_CLOCK_SKEW_MS), M, 'assert_fresh', 'EStaleTimestamp');
  check(timestampMs >= nowMs || nowMs - timestampMs <= BigInt(MAX_SIGNATURE_AGE_MS), M, 'assert_fresh', 'EStaleTimestamp');
}

/** `enclave::assert_attestation_fresh(timestamp_ms, now_ms)`. */
function assertAttestationFresh(timestampMs: bigint, nowMs: bigint): void {
  check(timestampMs <= nowMs + BigInt(MAX_CLOCK_SKEW_MS), M, 'assert_attestation_fresh', 'EStaleAttestation');
  check(timestampMs >= nowMs || nowMs - timestampMs <= BigInt(MAX_ATTESTATION_AGE_MS), M, 'assert_attestation_fresh', 'EStaleAttestation');
}

/** `enclave::verify<T>(cluster, intent, timestamp_ms, payload, signature, clock)`. */
export function verify(
  cluster: DecodedObject,
  intent: number,
  timestampMs: bigint,
  payloadType: MoveType,
  payload: unknown,
  signature: Uint8Array,
  clock: DecodedObject,
): void {
  const publicKey = cluster.value.enclave_pk as Uint8Array;
  check(publicKey.length > 0, M, 'verify', 'ENoEnclave');
  const message = intentMessageBytes(intent, timestampMs, payloadType, payload);
  check(signature.length === 64 && ed25519Verify(signature, publicKey, message), M, 'verify', 'EInvalidSignature');
  assertFresh(timestampMs, now(clock));
}

function setKey(rt: MoveRuntime, cluster: DecodedObject, publicKey: Uint8Array, debug: boolean, pcrs: Uint8Array[], clock: DecodedObject): void {
  const timestampMs = now(clock);
  cluster.value.enclave_pk = publicKey;
  cluster.value.enclave_registered_ms = timestampMs;
  writeCluster(rt, cluster);
  emit(rt, M, 'EnclaveRegistered', {
    cluster_id: cluster.id,
    public_key: publicKey,
    debug,
    pcrs,
    timestamp_ms: timestampMs,
    config_version: cluster.value.enclave_config_version,
  });
}

const registerDebug: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'register_debug', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  assertCapFor(a.cap, cluster.id);
  check(cluster.value.debug === true, M, 'register_debug', 'ENotDebugCluster');
  check((a.public_key as Uint8Array).length === PUBLIC_KEY_LENGTH, M, 'register_debug', 'EInvalidPublicKey');
  setKey(rt, cluster, a.public_key, true, [], a.clock);
};

/**
 * `register_measured(cluster, pcrs, public_key, user_data, timestamp_ms, clock)`: PCRs, key, `user_data` against
 * `ca_hash` (when the cluster pins one), then the document's age.
 */
export function registerMeasured(
  rt: MoveRuntime,
  cluster: DecodedObject,
  pcrs: Uint8Array[],
  publicKey: Uint8Array | null | undefined,
  userData: Uint8Array | null | undefined,
  timestampMs: bigint,
  clock: DecodedObject,
): void {
  const expected = cluster.value.expected_pcrs as Uint8Array[];
  check(pcrs.length === expected.length && pcrs.every((p, i) => bytesEqual(p, expected[i])), M, 'register_measured', 'EPcrMismatch');
  check(publicKey != null, M, 'register_measured', 'EInvalidPublicKey');
  check(publicKey.length === PUBLIC_KEY_LENGTH, M, 'register_measured', 'EInvalidPublicKey');
  const caHash = cluster.value.ca_hash as Uint8Array;
  check(caHash.length === 0 || (userData != null && bytesEqual(userData, caHash)), M, 'register_measured', 'EUserDataMismatch');
  assertAttestationFresh(timestampMs, now(clock));
  setKey(rt, cluster, publicKey, false, pcrs, clock);
}

type Bytes = Uint8Array | number[];

/**
 * `register_attested(cap, cluster, document, clock)`. localnet refuses Nitro attestation documents before a
 * transaction gets here; if one does arrive (as the object or BCS of a `NitroAttestationDocument`), the twin checks
 * it like Move: the cap, PCR0..2, the key, `user_data`, the timestamp.
 */
const registerAttested: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'register_attested', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  assertCapFor(a.cap, cluster.id);
  const document = a.document as {
    timestamp: string | number | bigint;
    pcrs: Array<{ index: number; value: Bytes }>;
    public_key: Bytes | null;
    user_data: Bytes | null;
  };
  const pcrs: Uint8Array[] = [];
  for (const index of PCR_INDICES) {
    const entry = document.pcrs.find((e) => e.index === index);
    check(entry !== undefined, M, 'register_attested', 'EPcrMismatch');
    pcrs.push(new Uint8Array(entry.value));
  }
  const bytes = (b: Bytes | null) => (b ? new Uint8Array(b) : null);
  registerMeasured(rt, cluster, pcrs, bytes(document.public_key), bytes(document.user_data), BigInt(document.timestamp), a.clock);
};

const updatePcrs: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'update_pcrs', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  assertCapFor(a.cap, cluster.id);
  const configVersion = setExpectedPcrs(cluster, a.expected_pcrs as Uint8Array[]);
  writeCluster(rt, cluster);
  emit(rt, M, 'EnclaveConfigUpdated', { cluster_id: cluster.id, config_version: configVersion, pcrs: a.expected_pcrs });
};

export const ENCLAVE_TWIN: Record<string, PackageFunction> = {
  'enclave::register_debug': registerDebug,
  'enclave::register_attested': registerAttested,
  'enclave::update_pcrs': updatePcrs,
};
