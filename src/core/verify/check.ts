/**
 * The verdict on one request, as a pure function of its evidence (./evidence.ts): was it answered by the enclave
 * whose key the cluster had registered at the time, is the answer bound to this request, are its timestamps
 * consistent with the chain, what attests that key, and (given the requester's reply key) does the response body
 * match the digest the enclave signed.
 */
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { INTENT_RESPONSE, MAX_CLOCK_SKEW_MS, MAX_SIGNATURE_AGE_MS } from '../abi/package.js';
import { blobId } from '../blobs/index.js';
import { encryptionKeyFromSecret } from '../crypto/index.js';
import { verifyIntent } from '../intent.js';
import { openResponse } from '../protocol/index.js';
import type { Evidence, RegistrationEvidence } from './evidence.js';

export type CheckName = 'request' | 'answer' | 'linkage' | 'enclave-key' | 'signature' | 'timestamps' | 'attestation' | 'response-body';

export interface Check {
  name: CheckName;
  /** `skip`: could not be checked with what was given (not a failure); `warn`: passes with a caveat. */
  result: 'pass' | 'fail' | 'warn' | 'skip';
  detail: string;
}

export type VerdictStatus = 'genuine' | 'not-genuine' | 'pending' | 'expired' | 'not-found';

export interface Verdict {
  requestId: string;
  status: VerdictStatus;
  /** True only for `genuine`. */
  ok: boolean;
  /** One line: what was established, or the reasons it was not. */
  summary: string;
  /** The failed checks' details (empty when ok). */
  reasons: string[];
  /** `debug enclave, no attestation` or `attested (PCRs match)`, when known. */
  attestation: 'debug' | 'attested' | 'unknown';
  checks: Check[];
  /** From the evidence, for the report. */
  request?: { method: string; path: string; namespace: string; resource: string; requester: string; submittedMs: string };
  response?: { status: number; timestampMs: string; signer: string | null; decryptedStatus?: number };
}

export interface VerifyOptions {
  /** The requester's X25519 reply secret (32 bytes): lets the check open the response body and check its digest. */
  replySecret?: Uint8Array;
  /** Fail when the key was registered in debug mode (no attestation). */
  requireAttestation?: boolean;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const sameAddress = (a: string, b: string) => normalizeSuiAddress(a) === normalizeSuiAddress(b);

/** Is registration `r` recorded before the answer `at`? Ledger order (checkpoint) first, the chain clock otherwise. */
function before(r: RegistrationEvidence, at: { checkpoint: bigint | null; recordedMs: bigint | null; timestampMs: bigint }): boolean {
  if (r.checkpoint !== null && at.checkpoint !== null) return r.checkpoint < at.checkpoint;
  return r.timestampMs <= (at.recordedMs ?? at.timestampMs);
}

/** Registrations in the answer's own checkpoint: their order relative to the answer is not in the evidence. */
function sameCheckpoint(evidence: Evidence): RegistrationEvidence[] {
  const at = evidence.response?.checkpoint;
  return at === null || at === undefined ? [] : evidence.registrations.filter((reg) => reg.checkpoint === at);
}

/** The key the cluster had registered when the answer was recorded: the last registration before it. */
export function keyInForce(evidence: Evidence): RegistrationEvidence | null {
  const r = evidence.response;
  if (!r) return null;
  const prior = evidence.registrations.filter((reg) => before(reg, r));
  return prior.length ? prior[prior.length - 1]! : null;
}

export async function verifyEvidence(evidence: Evidence, options: VerifyOptions = {}): Promise<Verdict> {
  const checks: Check[] = [];
  const add = (name: CheckName, result: Check['result'], detail: string) => checks.push({ name, result, detail });
  const s = evidence.submitted;
  const r = evidence.response;
  let attestation: Verdict['attestation'] = 'unknown';
  let signer: RegistrationEvidence | null = null;
  let decryptedStatus: number | undefined;

  const finish = (status: VerdictStatus): Verdict => {
    const failed = checks.filter((c) => c.result === 'fail');
    const final: VerdictStatus = status === 'genuine' && failed.length ? 'not-genuine' : status;
    const ok = final === 'genuine';
    const caveats = checks.filter((c) => c.result === 'warn').map((c) => c.detail);
    const summary = ok
      ? `genuine: answered by the cluster's registered enclave key${caveats.length ? ` (${caveats.join('; ')})` : ''}`
      : final === 'not-genuine'
        ? `NOT genuine: ${failed.map((c) => c.detail).join('; ')}`
        : checks.find((c) => c.result === 'fail')?.detail ?? final;
    return {
      requestId: evidence.requestId,
      status: final,
      ok,
      summary,
      reasons: failed.map((c) => `${c.name}: ${c.detail}`),
      attestation,
      checks,
      request: s
        ? { method: s.method, path: s.path, namespace: s.namespace, resource: s.resource, requester: s.requester, submittedMs: s.submittedMs.toString() }
        : undefined,
      response: r
        ? { status: r.status, timestampMs: r.timestampMs.toString(), signer: signer ? hex(signer.publicKey) : null, decryptedStatus }
        : undefined,
    };
  };

  // 1. The request and what became of it.
  if (!s) {
    add('request', 'fail', `no RequestSubmitted event for request ${evidence.requestId} (not found within the scanned events)`);
    return finish('not-found');
  }
  if (!sameAddress(s.requestId, evidence.requestId)) {
    add('request', 'fail', `the RequestSubmitted event is for request ${s.requestId}, not ${evidence.requestId}`);
    return finish('not-genuine');
  }
  add('request', 'pass', `${s.method} ${s.path} by ${s.requester}${s.gateway ? ` via gateway ${s.gateway}` : ''}`);
  if (!r) {
    if (evidence.expired) {
      add('answer', 'fail', `the request expired unanswered (deadline ${new Date(Number(s.deadlineMs)).toISOString()})`);
      return finish('expired');
    }
    add('answer', 'fail', evidence.pending ? 'the request has not been answered yet' : 'no ResponseStored event found for this request');
    return finish(evidence.pending ? 'pending' : 'not-found');
  }
  add('answer', 'pass', `status ${r.status}, recorded in transaction ${r.txDigest}`);

  // 2. The answer belongs to this request.
  const linkage: string[] = [];
  if (!sameAddress(r.requestId, s.requestId)) linkage.push(`the answer is for request ${r.requestId}`);
  if (!sameAddress(r.clusterId, s.clusterId)) linkage.push(`the answer names cluster ${r.clusterId}, the request ${s.clusterId}`);
  if (!sameAddress(r.requester, s.requester)) linkage.push(`the answer names requester ${r.requester}, the request ${s.requester}`);
  if (evidence.cluster && !sameAddress(evidence.cluster.id, s.clusterId)) linkage.push(`the cluster object is ${evidence.cluster.id}, the request's ${s.clusterId}`);
  if (s.bodyDigest.length !== 32 || r.bodyDigest.length !== 32) linkage.push('a body digest is not 32 bytes');
  add('linkage', linkage.length ? 'fail' : 'pass', linkage.length ? linkage.join('; ') : 'same request, cluster and requester');

  // 3. The key registered at the time of the answer.
  const registrations = evidence.registrations;
  const inForce = keyInForce(evidence);
  // A key registered in the answer's checkpoint may have been in force (the evidence does not order them within it).
  const candidates = [...(inForce ? [inForce] : []), ...sameCheckpoint(evidence)];
  if (!candidates.length) add('enclave-key', 'fail', 'no enclave key was registered for the cluster before the answer was recorded');
  else add('enclave-key', 'pass', candidates.map((k) => `key ${hex(k.publicKey)} registered ${new Date(Number(k.timestampMs)).toISOString()}`).join(' or '));

  // 4. The enclave's signature over ResponsePayload.
  const payload = {
    requestId: s.requestId,
    requester: s.requester,
    requestBodyDigest: s.bodyDigest,
    status: r.status,
    responseBodyDigest: r.bodyDigest,
  };
  const signedBy = async (key: Uint8Array) => verifyIntent(key, INTENT_RESPONSE, r.timestampMs, payload, r.signature);
  for (const k of candidates) if (!signer && (await signedBy(k.publicKey))) signer = k;
  if (signer) {
    add('signature', 'pass', 'the enclave signature over (request id, requester, request digest, status, response digest, timestamp) is valid');
  } else {
    let other: RegistrationEvidence | null = null;
    for (const reg of registrations) {
      if (!candidates.some((k) => eq(k.publicKey, reg.publicKey)) && (await signedBy(reg.publicKey))) other = reg;
    }
    add(
      'signature',
      'fail',
      other
        ? `signed by enclave key ${hex(other.publicKey)}, which was not the key registered when the answer was recorded`
        : `the enclave signature does not verify${inForce ? ` with the key registered at the time (${hex(inForce.publicKey)})` : ''}: signed by another key, or the status, digests, requester or timestamp were altered`,
    );
  }

  // 5. Timestamps: the signed timestamp lies in the request's window and the chain's freshness window.
  const ts = r.timestampMs;
  const skew = BigInt(MAX_CLOCK_SKEW_MS);
  const times: string[] = [];
  if (ts + skew < s.submittedMs) times.push(`the answer is signed at ${ts}, before the request was submitted (${s.submittedMs})`);
  if (ts > s.deadlineMs + skew) times.push(`the answer is signed at ${ts}, after the request's deadline (${s.deadlineMs})`);
  if (r.recordedMs !== null) {
    if (r.recordedMs > s.deadlineMs) times.push(`the answer was recorded at ${r.recordedMs}, after the deadline (${s.deadlineMs})`);
    if (ts + BigInt(MAX_SIGNATURE_AGE_MS) < r.recordedMs) times.push(`the signature timestamp ${ts} is more than ${MAX_SIGNATURE_AGE_MS} ms older than its recording (${r.recordedMs})`);
    if (ts > r.recordedMs + skew) times.push(`the signature timestamp ${ts} is more than ${MAX_CLOCK_SKEW_MS} ms ahead of its recording (${r.recordedMs})`);
  }
  if (s.recordedMs !== null && r.recordedMs !== null && r.recordedMs < s.recordedMs) times.push('the answer was recorded before the request');
  add(
    'timestamps',
    times.length ? 'fail' : 'pass',
    times.length
      ? times.join('; ')
      : `signed ${ts - s.submittedMs} ms after submission, within the deadline${r.recordedMs !== null ? ' and the freshness window' : ''}`,
  );

  // 6. What attests the key.
  const reg = signer ?? inForce;
  if (reg) {
    if (reg.debug) {
      attestation = 'debug';
      add('attestation', options.requireAttestation ? 'fail' : 'warn', 'debug enclave, no attestation');
    } else {
      attestation = 'attested';
      const expected = evidence.cluster?.expectedPcrs;
      if (!expected) add('attestation', 'fail', 'the cluster object is missing: cannot compare PCRs');
      else if (expected.length !== 3 || reg.pcrs.length !== expected.length || !reg.pcrs.every((p, i) => eq(p, expected[i]!))) {
        add('attestation', 'fail', `the attested PCRs (${reg.pcrs.map(hex).join(', ')}) differ from the cluster's expected PCRs`);
      } else add('attestation', 'pass', 'AWS Nitro attestation: PCR0..2 match the cluster');
      if (evidence.cluster?.debug) add('attestation', 'warn', 'the cluster is a debug cluster (its operator may also register unattested keys)');
    }
  } else add('attestation', 'skip', 'no registered key to check');

  // 7. The response body (needs the requester's reply key).
  if (!options.replySecret) {
    add('response-body', 'skip', 'response body not decrypted (pass --reply-key to check it against the signed digest)');
  } else if (!eq(encryptionKeyFromSecret(options.replySecret).publicKey, s.replyKey)) {
    add('response-body', 'fail', "the given reply key is not this request's reply key");
  } else if (r.bodyBlob && !evidence.blobs?.[r.bodyBlob]) {
    add('response-body', 'skip', `the response body is off chain (${r.bodyBlob}) and was not fetched (pass the blob store)`);
  } else if (r.bodyBlob && blobId(evidence.blobs![r.bodyBlob]!) !== r.bodyBlob) {
    add('response-body', 'fail', `the off-chain response body does not match its blob id ${r.bodyBlob} recorded on chain (digest differs)`);
  } else {
    try {
      const ciphertext = r.bodyBlob ? evidence.blobs![r.bodyBlob]! : r.body;
      const http = openResponse({ $kind: 'ResponseStored', packageId: evidence.packageId, ...r }, options.replySecret, ciphertext);
      decryptedStatus = http.status;
      add('response-body', 'pass', `decrypted (${http.body.length} bytes, status ${http.status}) and matches the signed digest`);
    } catch (err) {
      add('response-body', 'fail', `the response body does not match: ${(err as Error).message}`);
    }
  }
  return finish('genuine');
}

/** The verdict as text for a terminal. */
export function formatVerdict(v: Verdict): string {
  const mark = { pass: '✓', fail: '✗', warn: '!', skip: '-' } as const;
  const lines = [`request ${v.requestId}: ${v.summary}`];
  if (v.request) lines.push(`  ${v.request.method} ${v.request.path} by ${v.request.requester}`);
  if (v.response) lines.push(`  status ${v.response.status}${v.response.signer ? `, signed by enclave key ${v.response.signer}` : ''}`);
  for (const c of v.checks) lines.push(`  ${mark[c.result]} ${c.name}: ${c.detail}`);
  return lines.join('\n');
}
