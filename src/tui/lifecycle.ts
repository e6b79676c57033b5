/**
 * The life of each kubectl request on chain, as a pure reducer: lifecycle events in, request rows, workers and
 * totals out. No Ink, no I/O — `source.ts` turns chain data into these events, the components render the state.
 *
 * What the chain proves: `submitted` (RequestSubmitted: the contract authorized it), `rejected` (a submit
 * transaction that aborted, with the contract's error), `stored` (ResponseStored: the enclave-signed Kubernetes
 * status and the submit→answer latency) and `expired`. `picked-up` (nautilus began executing) and `delivered` (the
 * gateway handed the answer to kubectl) happen off chain; sources that can see them may report them.
 */
import { requestInfo } from './verb.js';

// === Events (input) ===

interface At {
  /** Transaction that proves the step (absent for off-chain steps). */
  txDigest?: string;
  checkpoint?: string;
  /** When it happened (chain time when known). */
  timestampMs?: number;
}

export type LifecycleEvent =
  | (At & {
      kind: 'submitted';
      requestId: string;
      txDigest: string;
      requester: string;
      gateway: string | null;
      tokenId: string;
      role: number;
      method: string;
      path: string;
      namespace: string;
      resource: string;
      bodySize: number;
      submittedMs: number;
      deadlineMs: number;
    })
  | (At & {
      kind: 'rejected';
      txDigest: string;
      requester: string;
      gateway: string | null;
      method: string;
      path: string;
      /** `access`, `request`, `credential`; null when the failure is not a Move abort (e.g. out of gas). */
      abortModule: string | null;
      abortCode: number | null;
      abortName: string | null;
      /** The contract's reason in words. */
      reason: string;
    })
  | (At & { kind: 'picked-up'; requestId: string })
  | (At & { kind: 'stored'; requestId: string; txDigest: string; status: number; latencyMs: number; bodySize: number; fee?: bigint })
  | (At & { kind: 'delivered'; requestId: string })
  | (At & { kind: 'expired'; requestId: string; txDigest: string; deadlineMs: number; refund?: bigint })
  | (At & { kind: 'worker-registered'; workerId: string; nodeName: string; owner: string; stake: bigint })
  | (At & { kind: 'join-token-set'; workerId: string })
  | (At & { kind: 'worker-heartbeat'; workerId: string })
  | (At & { kind: 'worker-inactive'; workerId: string; lastHeartbeatMs: number })
  | (At & { kind: 'worker-left'; workerId: string; amount: bigint })
  | (At & { kind: 'staked'; tokenId: string; owner: string; role: number; amount: bigint; namespace?: string })
  // Tenancy: namespaces claimed and released, roles granted and revoked, fees and slashes.
  | (At & { kind: 'namespace-claimed'; tokenId: string; owner: string; namespace: string })
  | (At & { kind: 'namespace-released'; tokenId: string; namespace: string })
  | (At & { kind: 'role-granted'; tokenId: string; role: number })
  | (At & { kind: 'role-revoked'; tokenId: string; role: number })
  | (At & { kind: 'topped-up'; tokenId: string; amount: bigint; prepaid: bigint })
  | (At & { kind: 'slashed'; tokenId: string; amount: bigint; reason: number; remaining: bigint })
  | (At & { kind: 'worker-slashed'; workerId: string; amount: bigint; reason: number; remaining: bigint })
  | (At & { kind: 'fees-updated'; readFee: bigint; writeFee: bigint })
  | (At & { kind: 'revenue-withdrawn'; recipient: string; amount: bigint });

export type LifecycleEventKind = LifecycleEvent['kind'];

export interface FeedStatus {
  /** Caught up with the chain's history at least once. */
  caughtUp: boolean;
  /** Latest checkpoint seen. */
  checkpoint: string | null;
  /** Last connection problem, cleared on success. */
  error: string | null;
}

export type LifecycleAction = { type: 'events'; events: LifecycleEvent[] } | { type: 'status'; status: Partial<FeedStatus> };

// === State (output) ===

export type RequestState = 'authorized' | 'picked-up' | 'stored' | 'delivered' | 'rejected' | 'expired';

export interface RequestRow {
  /** The Request object id; for a rejected submission (no object), its transaction digest. */
  key: string;
  requestId: string | null;
  state: RequestState;
  requester: string;
  gateway: string | null;
  role: number | null;
  method: string;
  path: string;
  verb: string;
  namespace: string;
  resource: string;
  name: string;
  /** When the row was first seen (submission or rejection time); rows are ordered by it. */
  atMs: number;
  submitTx: string | null;
  submittedMs: number | null;
  deadlineMs: number | null;
  bodySize: number | null;
  pickedUpMs: number | null;
  storeTx: string | null;
  storedMs: number | null;
  status: number | null;
  latencyMs: number | null;
  responseSize: number | null;
  deliveredMs: number | null;
  expireTx: string | null;
  rejectTx: string | null;
  abortModule: string | null;
  abortCode: number | null;
  abortName: string | null;
  reason: string | null;
}

export type WorkerStatus = 'joining' | 'active' | 'inactive' | 'left';

export interface WorkerRow {
  workerId: string;
  nodeName: string;
  owner: string;
  stake: bigint;
  status: WorkerStatus;
  registeredMs: number | null;
  lastHeartbeatMs: number | null;
}

export interface TokenRow {
  tokenId: string;
  owner: string;
  role: number;
  amount: bigint;
  /** The tenant namespace the token claimed ('' for none). */
  namespace: string;
  /** Prepaid fees as of the last top-up seen (fees charged since are in `LifecycleState.fees`). */
  prepaid: bigint;
}

export interface FeeTotals {
  /** Fees paid to revenue by answered requests seen. */
  paid: bigint;
  /** Fees refunded by expired requests seen. */
  refunded: bigint;
  /** Revenue withdrawn by the operator. */
  withdrawn: bigint;
  /** Stake taken by slashes. */
  slashed: bigint;
}

export interface LifecycleState {
  requests: RequestRow[];
  workers: WorkerRow[];
  tokens: Record<string, TokenRow>;
  fees: FeeTotals;
  status: FeedStatus;
  /** Rows dropped from the front once `maxRequests` is exceeded. */
  dropped: number;
}

export const MAX_REQUESTS = 1000;

export function initialLifecycle(): LifecycleState {
  return {
    requests: [],
    workers: [],
    tokens: {},
    fees: { paid: 0n, refunded: 0n, withdrawn: 0n, slashed: 0n },
    status: { caughtUp: false, checkpoint: null, error: null },
    dropped: 0,
  };
}

// === Reducer ===

const STATE_ORDER: Record<RequestState, number> = { authorized: 0, 'picked-up': 1, stored: 2, delivered: 3, rejected: 4, expired: 4 };

/** Moves a row forward; a late off-chain report never moves it back. */
const advance = (from: RequestState, to: RequestState) => (STATE_ORDER[to] > STATE_ORDER[from] ? to : from);

function emptyRow(key: string, atMs: number): RequestRow {
  return {
    key,
    requestId: null,
    state: 'authorized',
    requester: '',
    gateway: null,
    role: null,
    method: '',
    path: '',
    verb: '',
    namespace: '',
    resource: '',
    name: '',
    atMs,
    submitTx: null,
    submittedMs: null,
    deadlineMs: null,
    bodySize: null,
    pickedUpMs: null,
    storeTx: null,
    storedMs: null,
    status: null,
    latencyMs: null,
    responseSize: null,
    deliveredMs: null,
    expireTx: null,
    rejectTx: null,
    abortModule: null,
    abortCode: null,
    abortName: null,
    reason: null,
  };
}

function upsertRequest(rows: RequestRow[], key: string, atMs: number, update: (row: RequestRow) => RequestRow): RequestRow[] {
  const i = rows.findIndex((r) => r.key === key);
  if (i >= 0) {
    const next = rows.slice();
    next[i] = update(rows[i]);
    return next;
  }
  const row = update(emptyRow(key, atMs));
  // Rows stay ordered by time; events of one stream arrive in order, so this is almost always an append.
  let at = rows.length;
  while (at > 0 && rows[at - 1].atMs > row.atMs) at--;
  return [...rows.slice(0, at), row, ...rows.slice(at)];
}

function upsertWorker(workers: WorkerRow[], workerId: string, update: (w: WorkerRow) => WorkerRow): WorkerRow[] {
  const i = workers.findIndex((w) => w.workerId === workerId);
  const base: WorkerRow = workers[i] ?? {
    workerId,
    nodeName: '',
    owner: '',
    stake: 0n,
    status: 'joining',
    registeredMs: null,
    lastHeartbeatMs: null,
  };
  const next = workers.slice();
  if (i >= 0) next[i] = update(base);
  else next.push(update(base));
  return next;
}

function applyEvent(state: LifecycleState, e: LifecycleEvent): LifecycleState {
  const at = e.timestampMs ?? 0;
  switch (e.kind) {
    case 'submitted': {
      const info = requestInfo(e.method, e.path);
      const requests = upsertRequest(state.requests, e.requestId, e.submittedMs, (r) => ({
        ...r,
        requestId: e.requestId,
        atMs: e.submittedMs,
        requester: e.requester,
        gateway: e.gateway,
        role: e.role,
        method: e.method,
        path: e.path,
        verb: info.verb,
        namespace: e.namespace,
        resource: e.resource,
        name: info.name,
        submitTx: e.txDigest,
        submittedMs: e.submittedMs,
        deadlineMs: e.deadlineMs,
        bodySize: e.bodySize,
      }));
      return { ...state, requests };
    }
    case 'rejected': {
      const info = requestInfo(e.method, e.path);
      const requests = upsertRequest(state.requests, e.txDigest, at, (r) => ({
        ...r,
        state: 'rejected',
        requester: e.requester,
        gateway: e.gateway,
        method: e.method,
        path: e.path,
        ...info,
        rejectTx: e.txDigest,
        abortModule: e.abortModule,
        abortCode: e.abortCode,
        abortName: e.abortName,
        reason: e.reason,
      }));
      return { ...state, requests };
    }
    case 'picked-up':
      return {
        ...state,
        requests: upsertRequest(state.requests, e.requestId, at, (r) => ({ ...r, requestId: e.requestId, state: advance(r.state, 'picked-up'), pickedUpMs: r.pickedUpMs ?? at })),
      };
    case 'stored':
      return {
        ...state,
        fees: e.fee ? { ...state.fees, paid: state.fees.paid + e.fee } : state.fees,
        requests: upsertRequest(state.requests, e.requestId, at, (r) => ({
          ...r,
          requestId: e.requestId,
          state: advance(r.state, 'stored'),
          storeTx: e.txDigest,
          storedMs: e.timestampMs ?? null,
          status: e.status,
          latencyMs: e.latencyMs,
          responseSize: e.bodySize,
        })),
      };
    case 'delivered':
      return {
        ...state,
        requests: upsertRequest(state.requests, e.requestId, at, (r) => ({ ...r, requestId: e.requestId, state: advance(r.state, 'delivered'), deliveredMs: at })),
      };
    case 'expired':
      return {
        ...state,
        fees: e.refund ? { ...state.fees, refunded: state.fees.refunded + e.refund } : state.fees,
        requests: upsertRequest(state.requests, e.requestId, at || e.deadlineMs, (r) => ({
          ...r,
          requestId: e.requestId,
          state: r.state === 'stored' || r.state === 'delivered' ? r.state : 'expired',
          deadlineMs: e.deadlineMs,
          expireTx: e.txDigest,
        })),
      };
    case 'worker-registered':
      return {
        ...state,
        workers: upsertWorker(state.workers, e.workerId, (w) => ({
          ...w,
          nodeName: e.nodeName,
          owner: e.owner,
          stake: e.stake,
          registeredMs: e.timestampMs ?? null,
          lastHeartbeatMs: w.lastHeartbeatMs ?? e.timestampMs ?? null,
        })),
      };
    case 'join-token-set':
      return { ...state, workers: upsertWorker(state.workers, e.workerId, (w) => (w.status === 'joining' ? { ...w, status: 'active' } : w)) };
    case 'worker-heartbeat':
      return {
        ...state,
        workers: upsertWorker(state.workers, e.workerId, (w) => ({
          ...w,
          status: w.status === 'left' ? 'left' : 'active',
          lastHeartbeatMs: Math.max(w.lastHeartbeatMs ?? 0, at),
        })),
      };
    case 'worker-inactive':
      return { ...state, workers: upsertWorker(state.workers, e.workerId, (w) => ({ ...w, status: 'inactive', lastHeartbeatMs: e.lastHeartbeatMs })) };
    case 'worker-left':
      return { ...state, workers: upsertWorker(state.workers, e.workerId, (w) => ({ ...w, status: 'left', stake: 0n })) };
    case 'staked':
      return {
        ...state,
        tokens: { ...state.tokens, [e.tokenId]: { tokenId: e.tokenId, owner: e.owner, role: e.role, amount: e.amount, namespace: e.namespace ?? '', prepaid: 0n } },
      };
    case 'namespace-claimed':
      return updateToken(state, e.tokenId, (t) => ({ ...t, owner: t.owner || e.owner, namespace: e.namespace }));
    case 'namespace-released':
      return updateToken(state, e.tokenId, (t) => ({ ...t, namespace: '' }));
    case 'role-granted':
      return updateToken(state, e.tokenId, (t) => ({ ...t, role: e.role }));
    case 'role-revoked':
      return updateToken(state, e.tokenId, (t) => ({ ...t, role: ROLE_TENANT }));
    case 'topped-up':
      return updateToken(state, e.tokenId, (t) => ({ ...t, prepaid: e.prepaid }));
    case 'slashed':
      return { ...updateToken(state, e.tokenId, (t) => ({ ...t, amount: e.remaining })), fees: { ...state.fees, slashed: state.fees.slashed + e.amount } };
    case 'worker-slashed':
      return {
        ...state,
        workers: upsertWorker(state.workers, e.workerId, (w) => ({ ...w, stake: e.remaining })),
        fees: { ...state.fees, slashed: state.fees.slashed + e.amount },
      };
    case 'fees-updated':
      return state;
    case 'revenue-withdrawn':
      return { ...state, fees: { ...state.fees, withdrawn: state.fees.withdrawn + e.amount } };
  }
}

/** `access::ROLE_TENANT`. */
const ROLE_TENANT = 3;

function updateToken(state: LifecycleState, tokenId: string, update: (t: TokenRow) => TokenRow): LifecycleState {
  const base: TokenRow = state.tokens[tokenId] ?? { tokenId, owner: '', role: ROLE_TENANT, amount: 0n, namespace: '', prepaid: 0n };
  return { ...state, tokens: { ...state.tokens, [tokenId]: update(base) } };
}

export function lifecycleReducer(state: LifecycleState, action: LifecycleAction, maxRequests = MAX_REQUESTS): LifecycleState {
  switch (action.type) {
    case 'status':
      return { ...state, status: { ...state.status, ...action.status } };
    case 'events': {
      let next = state;
      for (const e of action.events) next = applyEvent(next, e);
      if (next.requests.length > maxRequests) {
        const drop = next.requests.length - maxRequests;
        next = { ...next, requests: next.requests.slice(drop), dropped: next.dropped + drop };
      }
      return next;
    }
  }
}

// === Selectors ===

export interface Totals {
  requests: number;
  /** Submissions (accepted or rejected) in the minute before `now`. */
  perMinute: number;
  /** Median submit→answer latency of stored responses (ms), null before the first. */
  p50LatencyMs: number | null;
  pending: number;
  rejected: number;
  expired: number;
  /** Answers with a Kubernetes status >= 400. */
  errors: number;
  failures: number;
  /** Fees paid and refunded, revenue withdrawn and stake slashed, over the events seen. */
  fees: FeeTotals;
}

export function isFailure(row: RequestRow): boolean {
  return row.state === 'rejected' || row.state === 'expired' || (row.status !== null && row.status >= 400);
}

export function totals(state: LifecycleState, nowMs: number): Totals {
  const rows = state.requests;
  const latencies = rows.flatMap((r) => (r.latencyMs === null ? [] : [r.latencyMs])).sort((a, b) => a - b);
  const rejected = rows.filter((r) => r.state === 'rejected').length;
  const expired = rows.filter((r) => r.state === 'expired').length;
  const errors = rows.filter((r) => r.status !== null && r.status >= 400).length;
  return {
    requests: rows.length + state.dropped,
    perMinute: rows.filter((r) => r.atMs > nowMs - 60_000 && r.atMs <= nowMs).length,
    p50LatencyMs: latencies.length ? latencies[Math.ceil(latencies.length / 2) - 1] : null,
    pending: rows.filter((r) => r.state === 'authorized' || r.state === 'picked-up').length,
    rejected,
    expired,
    errors,
    failures: rejected + expired + errors,
    fees: state.fees,
  };
}

/** Rows matching every word of `filter` (case-insensitive) in state, verb, resource, namespace, name, requester, status or reason. */
export function filterRequests(rows: RequestRow[], filter: string): RequestRow[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return rows;
  return rows.filter((r) => {
    const text = [r.state, r.verb, r.method, r.resource, r.namespace, r.name, r.path, r.requester, r.status ?? '', r.abortName ?? '', r.reason ?? '', r.key]
      .join(' ')
      .toLowerCase();
    return words.every((w) => text.includes(w));
  });
}
