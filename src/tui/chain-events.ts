/**
 * Chain data → lifecycle events, without I/O: decoded K3s-DaaS events, and failed `request::submit*` transactions
 * (rejections leave no event; the transaction's effects carry the contract's MoveAbort).
 */
import { bcs } from '@mysten/sui/bcs';
import type { GrpcTypes } from '@mysten/sui/grpc';
import { Ed25519PublicKey } from '@mysten/sui/keypairs/ed25519';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { errorName } from '../core/abi/package.js';
import { abortMessage } from '../core/abort-messages.js';
import type { K3sDaasEvent } from '../core/events/index.js';
import type { LifecycleEvent } from './lifecycle.js';

export interface EventContext {
  txDigest: string;
  checkpoint?: string | null;
}

const num = (v: bigint) => Number(v);

/** A decoded event as a lifecycle event; null for events the TUI does not show (or of another cluster). */
export function lifecycleFromEvent(e: K3sDaasEvent, ctx: EventContext, clusterId?: string): LifecycleEvent | null {
  if (clusterId && 'clusterId' in e && normalizeSuiAddress(e.clusterId) !== normalizeSuiAddress(clusterId)) return null;
  const at = { txDigest: ctx.txDigest, ...(ctx.checkpoint ? { checkpoint: ctx.checkpoint } : {}) };
  switch (e.$kind) {
    case 'RequestSubmitted':
      return {
        kind: 'submitted',
        ...at,
        timestampMs: num(e.submittedMs),
        requestId: e.requestId,
        requester: e.requester,
        gateway: e.gateway,
        tokenId: e.tokenId,
        role: e.role,
        method: e.method,
        path: e.path,
        namespace: e.namespace,
        resource: e.resource,
        bodySize: num(e.bodySize),
        submittedMs: num(e.submittedMs),
        deadlineMs: num(e.deadlineMs),
      };
    case 'ResponseStored':
      return {
        kind: 'stored',
        ...at,
        timestampMs: num(e.timestampMs),
        requestId: e.requestId,
        status: e.status,
        latencyMs: num(e.latencyMs),
        bodySize: num(e.bodySize),
        fee: e.fee,
      };
    case 'RequestExpired':
      return { kind: 'expired', ...at, requestId: e.requestId, deadlineMs: num(e.deadlineMs), refund: e.refund };
    case 'WorkerRegistered':
      return { kind: 'worker-registered', ...at, timestampMs: num(e.timestampMs), workerId: e.workerId, nodeName: e.nodeName, owner: e.owner, stake: e.stake };
    case 'JoinTokenSet':
      return { kind: 'join-token-set', ...at, timestampMs: num(e.timestampMs), workerId: e.workerId };
    case 'WorkerHeartbeat':
      return { kind: 'worker-heartbeat', ...at, timestampMs: num(e.timestampMs), workerId: e.workerId };
    case 'WorkerInactive':
      return { kind: 'worker-inactive', ...at, timestampMs: num(e.timestampMs), workerId: e.workerId, lastHeartbeatMs: num(e.lastHeartbeatMs) };
    case 'WorkerLeft':
      return { kind: 'worker-left', ...at, workerId: e.workerId, amount: e.amount };
    case 'Staked':
      return { kind: 'staked', ...at, tokenId: e.tokenId, owner: e.owner, role: e.role, amount: e.amount, namespace: e.namespace };
    case 'NamespaceClaimed':
      return { kind: 'namespace-claimed', ...at, tokenId: e.tokenId, owner: e.owner, namespace: e.namespace };
    case 'NamespaceReleased':
      return { kind: 'namespace-released', ...at, tokenId: e.tokenId, namespace: e.namespace };
    case 'RoleGranted':
      return { kind: 'role-granted', ...at, tokenId: e.tokenId, role: e.role };
    case 'RoleRevoked':
      return { kind: 'role-revoked', ...at, tokenId: e.tokenId, role: e.role };
    case 'ToppedUp':
      return { kind: 'topped-up', ...at, tokenId: e.tokenId, amount: e.amount, prepaid: e.prepaid };
    case 'Slashed':
      return { kind: 'slashed', ...at, tokenId: e.tokenId, amount: e.amount, reason: e.reason, remaining: e.remaining };
    case 'WorkerSlashed':
      return { kind: 'worker-slashed', ...at, workerId: e.workerId, amount: e.amount, reason: e.reason, remaining: e.remaining };
    case 'FeesUpdated':
      return { kind: 'fees-updated', ...at, readFee: e.readFee, writeFee: e.writeFee };
    case 'RevenueWithdrawn':
      return { kind: 'revenue-withdrawn', ...at, recipient: e.recipient, amount: e.amount };
    default:
      return null;
  }
}

// === Rejections ===

const SUBMIT_FUNCTIONS = new Set(['submit', 'submit_via_gateway']);

function pureString(input: GrpcTypes.Input | undefined): string {
  try {
    return input?.pure ? bcs.string().parse(input.pure) : '';
  } catch {
    return '';
  }
}

function pureBytes(input: GrpcTypes.Input | undefined): Uint8Array | null {
  try {
    return input?.pure ? bcs.byteVector().parse(input.pure) : null;
  } catch {
    return null;
  }
}

/** The signer of a gateway credential: the address of the ed25519 key in its serialized signature. */
function credentialSigner(signature: Uint8Array | null): string | null {
  if (!signature || signature.length !== 97 || signature[0] !== 0) return null;
  try {
    return new Ed25519PublicKey(signature.slice(65)).toSuiAddress();
  } catch {
    return null;
  }
}

function timestampMs(ts: { seconds?: bigint; nanos?: number } | undefined): number | undefined {
  if (!ts) return undefined;
  return Number(ts.seconds ?? 0n) * 1000 + Math.floor((ts.nanos ?? 0) / 1_000_000);
}

/**
 * A failed transaction that called `k3sdaas::request::submit*` of `packageId` (for `clusterId` when given), as a
 * `rejected` event; null for anything else (successful, other calls, other clusters).
 */
export function rejectionFromTransaction(tx: GrpcTypes.ExecutedTransaction, packageId: string, clusterId?: string): LifecycleEvent | null {
  const status = tx.effects?.status;
  if (!status || status.success !== false) return null;
  const data = tx.transaction?.kind?.data;
  if (data?.oneofKind !== 'programmableTransaction') return null;
  const { inputs, commands } = data.programmableTransaction;
  const pkg = normalizeSuiAddress(packageId);
  const call = commands
    .map((c) => (c.command.oneofKind === 'moveCall' ? c.command.moveCall : null))
    .find((m) => m && m.package && normalizeSuiAddress(m.package) === pkg && m.module === 'request' && SUBMIT_FUNCTIONS.has(m.function ?? ''));
  if (!call) return null;
  const arg = (i: number) => {
    const a = call.arguments[i];
    return a?.input !== undefined ? inputs[a.input] : undefined;
  };
  const viaGateway = call.function === 'submit_via_gateway';
  const clusterInput = arg(0);
  if (clusterId && clusterInput?.objectId && normalizeSuiAddress(clusterInput.objectId) !== normalizeSuiAddress(clusterId)) return null;
  const sender = tx.transaction?.sender ? normalizeSuiAddress(tx.transaction.sender) : '';
  // Via a gateway the requester is the credential's signer (unknown when the signature is unusable).
  const requester = viaGateway ? (credentialSigner(pureBytes(arg(2))) ?? '') : sender;
  const offset = viaGateway ? 3 : 2;
  const error = status.error;
  const abort = error?.errorDetails.oneofKind === 'abort' ? error.errorDetails.abort : undefined;
  const module = abort?.location?.module ?? null;
  const code = abort?.abortCode !== undefined ? Number(abort.abortCode) : null;
  const name = module !== null && code !== null ? (errorName(module, code) ?? null) : null;
  const reason = abort ? abortMessage(name ?? undefined) : (error?.description ?? 'the transaction failed');
  return {
    kind: 'rejected',
    txDigest: tx.digest ?? '',
    ...(tx.checkpoint !== undefined ? { checkpoint: tx.checkpoint.toString() } : {}),
    timestampMs: timestampMs(tx.timestamp),
    requester,
    gateway: viaGateway ? sender : null,
    method: pureString(arg(offset)),
    path: pureString(arg(offset + 1)),
    abortModule: module,
    abortCode: code,
    abortName: name,
    reason,
  };
}
