/**
 * Associated data that binds each ciphertext to the one on-chain request it belongs to.
 * A request body is sealed before its Request object (and so its id) exists, so it is bound to what the chain
 * records about it: cluster, requester, the fresh per-request reply key, method and path. A response body is
 * bound to the request id and status.
 */
import { bcs } from '@mysten/sui/bcs';
import { addressBcs } from '../abi/address-bcs.js';
import { constantString, FastWriter } from './fast-bcs.js';

const RequestBinding = bcs.struct('RequestBinding', {
  domain: bcs.string(),
  cluster_id: addressBcs,
  requester: addressBcs,
  reply_key: bcs.byteVector(),
  method: bcs.string(),
  path: bcs.string(),
});

const ResponseBinding = bcs.struct('ResponseBinding', {
  domain: bcs.string(),
  request_id: addressBcs,
  status: bcs.u16(),
});

const JoinTokenBinding = bcs.struct('JoinTokenBinding', {
  domain: bcs.string(),
  worker_id: addressBcs,
  owner: addressBcs,
});

const REQUEST_DOMAIN = 'k3sdaas/request/v1';
const RESPONSE_DOMAIN = 'k3sdaas/response/v1';
const REQUEST_DOMAIN_BCS = constantString(REQUEST_DOMAIN);
const RESPONSE_DOMAIN_BCS = constantString(RESPONSE_DOMAIN);

export function requestBinding(r: {
  clusterId: string;
  requester: string;
  replyKey: Uint8Array;
  method: string;
  path: string;
}): Uint8Array {
  // The usual values (canonical addresses, strings, bytes) take the direct encoding; anything else the schema's.
  const fast = new FastWriter().raw(REQUEST_DOMAIN_BCS).address(r.clusterId).address(r.requester).bytes(r.replyKey).string(r.method).string(r.path).toBytes();
  if (fast) return fast;
  return RequestBinding.serialize({
    domain: REQUEST_DOMAIN,
    cluster_id: r.clusterId,
    requester: r.requester,
    reply_key: r.replyKey,
    method: r.method,
    path: r.path,
  }).toBytes();
}

export function responseBinding(r: { requestId: string; status: number }): Uint8Array {
  const fast = new FastWriter().raw(RESPONSE_DOMAIN_BCS).address(r.requestId).u16(r.status).toBytes();
  if (fast) return fast;
  return ResponseBinding.serialize({ domain: RESPONSE_DOMAIN, request_id: r.requestId, status: r.status }).toBytes();
}

export function joinTokenBinding(r: { workerId: string; owner: string }): Uint8Array {
  return JoinTokenBinding.serialize({ domain: 'k3sdaas/join-token/v1', worker_id: r.workerId, owner: r.owner }).toBytes();
}
