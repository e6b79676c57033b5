/**
 * `k3sdaas watch` without a terminal: one line per lifecycle event (full ids, easy to grep), or with `--json` one
 * JSON object per event (`event` names the step; u64 amounts as decimal strings).
 */
import { SLASH_REASONS } from '../core/abi/package.js';
import type { LifecycleEvent } from './lifecycle.js';
import { duration, roleName, sui } from './format.js';
import { requestInfo } from './verb.js';

const slashReason = (r: number) => Object.entries(SLASH_REASONS).find(([, v]) => v === r)?.[0] ?? `reason ${r}`;

const time = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : '-'.padEnd(24));

function what(method: string, path: string, namespace?: string, resource?: string): string {
  const info = requestInfo(method, path);
  const res = resource ?? info.resource;
  const ns = namespace ?? info.namespace;
  if (!res) return `${method} ${path}`;
  return `${info.verb} ${res}${info.name ? `/${info.name}` : ''}${ns ? ` -n ${ns}` : ''}`;
}

export function plainLine(e: LifecycleEvent): string {
  const head = `${time(e.timestampMs)} ${e.kind.padEnd(17)}`;
  switch (e.kind) {
    case 'submitted':
      return `${head} ${e.requestId} ${what(e.method, e.path, e.namespace, e.resource)} by ${e.requester} (${roleName(e.role)})${e.gateway ? ` via ${e.gateway}` : ''} tx ${e.txDigest}`;
    case 'rejected': {
      const where = e.abortModule ? `${e.abortModule}::${e.abortName ?? e.abortCode}` : 'failed';
      return `${head} ${what(e.method, e.path)} by ${e.requester || '(unknown)'}: ${where}: ${e.reason} tx ${e.txDigest}`;
    }
    case 'picked-up':
    case 'delivered':
      return `${head} ${e.requestId}`;
    case 'stored':
      return `${head} ${e.requestId} status ${e.status} latency ${duration(e.latencyMs)} (submit→answer)${e.fee ? ` fee ${sui(e.fee)}` : ''} tx ${e.txDigest}`;
    case 'expired':
      return `${head} ${e.requestId} no answer by ${time(e.deadlineMs)}${e.refund ? ` fee ${sui(e.refund)} refunded` : ''} tx ${e.txDigest}`;
    case 'worker-registered':
      return `${head} ${e.workerId} node ${e.nodeName} owner ${e.owner} stake ${sui(e.stake)}`;
    case 'join-token-set':
    case 'worker-heartbeat':
      return `${head} ${e.workerId}`;
    case 'worker-inactive':
      return `${head} ${e.workerId} last heartbeat ${time(e.lastHeartbeatMs)}`;
    case 'worker-left':
      return `${head} ${e.workerId} returned ${sui(e.amount)}`;
    case 'staked':
      return `${head} token ${e.tokenId} owner ${e.owner} ${roleName(e.role)}${e.namespace ? ` of ${e.namespace}` : ''} ${sui(e.amount)}`;
    case 'namespace-claimed':
      return `${head} ${e.namespace} by token ${e.tokenId} owner ${e.owner}`;
    case 'namespace-released':
      return `${head} ${e.namespace} by token ${e.tokenId}`;
    case 'role-granted':
      return `${head} ${roleName(e.role)} to token ${e.tokenId}`;
    case 'role-revoked':
      return `${head} ${roleName(e.role)} from token ${e.tokenId}`;
    case 'topped-up':
      return `${head} token ${e.tokenId} +${sui(e.amount)} prepaid ${sui(e.prepaid)}`;
    case 'slashed':
      return `${head} token ${e.tokenId} ${sui(e.amount)} (${slashReason(e.reason)}), ${sui(e.remaining)} left`;
    case 'worker-slashed':
      return `${head} ${e.workerId} ${sui(e.amount)} (${slashReason(e.reason)}), ${sui(e.remaining)} left`;
    case 'fees-updated':
      return `${head} read ${sui(e.readFee)} write ${sui(e.writeFee)} per request`;
    case 'revenue-withdrawn':
      return `${head} ${sui(e.amount)} to ${e.recipient}`;
  }
}

export function jsonLine(e: LifecycleEvent): string {
  const { kind, ...rest } = e;
  return JSON.stringify({ event: kind, ...rest }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

