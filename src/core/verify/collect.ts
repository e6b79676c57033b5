/**
 * Builds the evidence for one request from chain. The Request object is deleted once answered or expired, so the
 * request and its answer are found among the `request` module's events (newest first, a bounded scan); the keys
 * the cluster registered over time among the `enclave` module's EnclaveRegistered events; the expected PCRs in the
 * Cluster object; the chain's time of recording from each transaction's checkpoint.
 */
import type { SuiClientTypes } from '@mysten/sui/client';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import type { ChainClient } from '../chain/client.js';
import { objectContent, readCluster } from '../chain/objects.js';
import { decodeEvent, type K3sDaasEvent } from '../events/index.js';
import type { BlobStore } from '../blobs/index.js';
import { K3sDaasError } from '../errors.js';
import type { ClusterEvidence, Evidence, Recorded, RegistrationEvidence } from './evidence.js';

export interface CollectOptions {
  client: ChainClient;
  /** The ORIGINAL package id: event types (and so filters and decoding) keep it across upgrades. */
  packageId: string;
  requestId: string;
  /** At most this many `request` events are scanned back from the newest (default 20 000). */
  maxScan?: number;
  pageSize?: number;
  /** Fetches an off-chain response body (the checks verify it against its blob id). */
  blobs?: BlobStore;
  signal?: AbortSignal;
}

function strip<T extends K3sDaasEvent>(ev: T): Omit<T, '$kind' | 'packageId'> {
  const { $kind: _k, packageId: _p, ...rest } = ev;
  return rest;
}

async function* scan(o: CollectOptions, filter: SuiClientTypes.EventFilter, order: 'ascending' | 'descending', max: number) {
  let cursor: string | null = null;
  let seen = 0;
  for (;;) {
    const page: SuiClientTypes.ListEventsResponse = await o.client.core.listEvents({
      filter,
      order,
      limit: o.pageSize ?? 50,
      ...(cursor ? (order === 'descending' ? { before: cursor } : { after: cursor }) : {}),
      signal: o.signal,
    });
    for (const e of page.events) {
      if (++seen > max) return;
      yield e;
    }
    if (!page.hasNextPage || !page.endCursor) return;
    cursor = page.endCursor;
  }
}

export async function collectEvidence(o: CollectOptions): Promise<Evidence> {
  const requestId = normalizeSuiAddress(o.requestId);
  const times = new Map<string, { recordedMs: bigint | null; checkpoint: bigint | null }>();
  const recorded = async (e: SuiClientTypes.EventEntry): Promise<Recorded> => {
    let t = times.get(e.transactionDigest);
    if (!t) {
      t = { recordedMs: null, checkpoint: e.checkpoint !== null ? BigInt(e.checkpoint) : null };
      try {
        const res = await o.client.core.getTransaction({ digest: e.transactionDigest, signal: o.signal });
        const tx = res.Transaction ?? res.FailedTransaction;
        if (tx?.timestampMs !== null && tx?.timestampMs !== undefined) t.recordedMs = BigInt(tx.timestampMs);
        if (t.checkpoint === null && tx?.checkpoint) t.checkpoint = BigInt(tx.checkpoint);
      } catch {
        // The recording time is optional evidence; the checks say so when it is missing.
      }
      times.set(e.transactionDigest, t);
    }
    return { txDigest: e.transactionDigest, ...t };
  };

  const evidence: Evidence = {
    version: 1,
    packageId: normalizeSuiAddress(o.packageId),
    requestId,
    collectedAt: new Date().toISOString(),
    pending: false,
    submitted: null,
    response: null,
    expired: null,
    cluster: null,
    registrations: [],
  };

  // Newest first: the answer (or expiry) comes before its submission in this order; stop at the submission.
  for await (const raw of scan(o, { eventType: `${o.packageId}::request` }, 'descending', o.maxScan ?? 20_000)) {
    const ev = decodeEvent(raw, { packageId: o.packageId });
    if (!ev || !('requestId' in ev) || normalizeSuiAddress(ev.requestId) !== requestId) continue;
    if (ev.$kind === 'ResponseStored' && !evidence.response) evidence.response = { ...strip(ev), ...(await recorded(raw)) };
    else if (ev.$kind === 'RequestExpired' && !evidence.expired) evidence.expired = { ...strip(ev), ...(await recorded(raw)) };
    else if (ev.$kind === 'RequestSubmitted') {
      evidence.submitted = { ...strip(ev), ...(await recorded(raw)) };
      break;
    }
  }
  if (!evidence.submitted) return evidence;
  const clusterId = evidence.submitted.clusterId;
  if (!evidence.response && !evidence.expired) evidence.pending = (await objectContent(o.client, requestId, o.signal)) !== null;

  try {
    const c = await readCluster(o.client, clusterId, o.signal);
    const cluster: ClusterEvidence = { id: c.id, name: c.name, debug: c.debug, expectedPcrs: c.expectedPcrs, enclavePk: c.enclavePk };
    evidence.cluster = cluster;
  } catch (err) {
    if (!(err instanceof K3sDaasError && err.code === 'OBJECT_NOT_FOUND')) throw err;
  }

  const registrations: RegistrationEvidence[] = [];
  for await (const raw of scan(o, { eventType: `${o.packageId}::enclave::EnclaveRegistered` }, 'ascending', Number.MAX_SAFE_INTEGER)) {
    const ev = decodeEvent(raw, { packageId: o.packageId });
    if (ev?.$kind !== 'EnclaveRegistered' || normalizeSuiAddress(ev.clusterId) !== normalizeSuiAddress(clusterId)) continue;
    const at = await recorded(raw);
    registrations.push({ publicKey: ev.publicKey, debug: ev.debug, pcrs: ev.pcrs, timestampMs: ev.timestampMs, ...at });
  }
  evidence.registrations = registrations;

  const blob = evidence.response?.bodyBlob;
  if (blob && o.blobs) {
    try {
      evidence.blobs = { [blob]: await o.blobs.get(blob, { signal: o.signal }) };
    } catch {
      // Unavailable or altered: the body check reports it as not fetched; the signature checks do not need it.
    }
  }
  return evidence;
}
