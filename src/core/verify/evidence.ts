/**
 * Evidence for one on-chain request: everything `k3sdaas verify` needs, gathered from public chain data only (the
 * RequestSubmitted and ResponseStored / RequestExpired events, the cluster's EnclaveRegistered history and the
 * Cluster object). The checks (./check.ts) are a pure function of it, so evidence can be saved, shared, re-checked
 * offline, or tampered with in tests. JSON form: byte fields as lowercase hex, u64 fields as decimal strings.
 */
import type { RequestExpired, RequestSubmitted, ResponseStored } from '../events/index.js';
import { K3sDaasError } from '../errors.js';

/** Where and when the chain recorded an event. */
export interface Recorded {
  txDigest: string;
  /** Checkpoint sequence number, when the source reports it. */
  checkpoint: bigint | null;
  /** Timestamp of that checkpoint (the chain's time of recording), when known. */
  recordedMs: bigint | null;
}

export type SubmittedEvidence = Omit<RequestSubmitted, '$kind' | 'packageId'> & Recorded;
export type ResponseEvidence = Omit<ResponseStored, '$kind' | 'packageId'> & Recorded;
export type ExpiredEvidence = Omit<RequestExpired, '$kind' | 'packageId'> & Recorded;

/** One `EnclaveRegistered` event of the cluster. */
export interface RegistrationEvidence extends Recorded {
  publicKey: Uint8Array;
  debug: boolean;
  pcrs: Uint8Array[];
  /** The chain clock when the key was registered. */
  timestampMs: bigint;
}

/** What the Cluster object says now (its PCRs and debug flag cannot change after creation). */
export interface ClusterEvidence {
  id: string;
  name: string;
  debug: boolean;
  expectedPcrs: Uint8Array[];
  /** The key in force now (may differ from the one that signed an older answer). */
  enclavePk: Uint8Array;
}

export interface Evidence {
  version: 1;
  packageId: string;
  requestId: string;
  /** ISO time the evidence was collected. */
  collectedAt: string;
  /** True when the Request object still exists (submitted, not yet answered or expired). */
  pending: boolean;
  submitted: SubmittedEvidence | null;
  response: ResponseEvidence | null;
  expired: ExpiredEvidence | null;
  cluster: ClusterEvidence | null;
  /** The cluster's EnclaveRegistered events, in ledger order. */
  registrations: RegistrationEvidence[];
  /** Off-chain ciphertexts fetched from a blob store, by blob id (unverified: the checks hash them). */
  blobs?: Record<string, Uint8Array>;
}

const BYTE_FIELDS = new Set(['bodyDigest', 'body', 'replyKey', 'signature', 'publicKey', 'pcrs', 'expectedPcrs', 'enclavePk']);
const U64_FIELDS = new Set(['bodySize', 'submittedMs', 'deadlineMs', 'timestampMs', 'latencyMs', 'checkpoint', 'recordedMs', 'fee', 'refund']);

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function unhex(field: string, v: unknown): Uint8Array {
  if (typeof v !== 'string' || !/^(0x)?([0-9a-fA-F]{2})*$/.test(v)) {
    throw new K3sDaasError('EVIDENCE_MALFORMED', `evidence field ${field} must be a hex string`);
  }
  return new Uint8Array(Buffer.from(v.replace(/^0x/, ''), 'hex'));
}

/** Evidence as pretty JSON (bytes in hex, u64 as decimal strings). */
export function evidenceToJson(evidence: Evidence): string {
  return JSON.stringify(
    evidence,
    function (this: Record<string, unknown>, key: string, value: unknown) {
      const raw = this[key];
      if (typeof raw === 'bigint') return raw.toString();
      if (raw instanceof Uint8Array) return hex(raw);
      if (Array.isArray(raw) && BYTE_FIELDS.has(key)) return raw.map((b) => (b instanceof Uint8Array ? hex(b) : b));
      return value;
    },
    2,
  );
}

/** Parses evidence written by evidenceToJson (or edited by hand); throws EVIDENCE_MALFORMED on a bad shape. */
export function evidenceFromJson(text: string): Evidence {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (key: string, value: unknown) => {
      if (value === null) return value;
      if (key === 'blobs' && typeof value === 'object' && !Array.isArray(value)) {
        return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([id, v]) => [id, unhex('blobs', v)]));
      }
      if (BYTE_FIELDS.has(key)) return Array.isArray(value) ? value.map((v) => unhex(key, v)) : unhex(key, value);
      if (U64_FIELDS.has(key)) {
        if (typeof value !== 'string' && typeof value !== 'number') throw new K3sDaasError('EVIDENCE_MALFORMED', `evidence field ${key} must be a number`);
        try {
          return BigInt(value);
        } catch {
          throw new K3sDaasError('EVIDENCE_MALFORMED', `evidence field ${key} must be an integer`);
        }
      }
      return value;
    });
  } catch (err) {
    if (err instanceof K3sDaasError) throw err;
    throw new K3sDaasError('EVIDENCE_MALFORMED', `evidence is not JSON: ${(err as Error).message}`);
  }
  const e = parsed as Partial<Evidence>;
  if (!e || typeof e !== 'object' || e.version !== 1 || typeof e.requestId !== 'string' || !Array.isArray(e.registrations)) {
    throw new K3sDaasError('EVIDENCE_MALFORMED', 'not k3sdaas evidence (version 1 with requestId and registrations)');
  }
  return e as Evidence;
}
