/**
 * Twin of move/sources/request.move: one shared Request per kubectl HTTP request, answered once by the enclave
 * (respond) or expired.
 */
import { bcsForStruct } from '../../core/abi/bcs.js';
import { INTENT_RESPONSE, MAX_INLINE_BODY, PACKAGE_VERSION } from '../../core/abi/package.js';
import { isValidMethod, isValidPath } from '../../core/authz.js';
import type { MoveRuntime, PackageFunction } from '../engine/move-runtime.js';
import { assertClusterId, assertTokenOwner, authorize, charge } from './access.js';
import { addRevenue, assertVersion, isGateway, writeCluster } from './cluster.js';
import { verify as verifyCredential } from './credential.js';
import { verify as verifyEnclave } from './enclave.js';
import { check, decodeArgs, emit, normalizeAddress, now, sameAddress, sendCoin, structType, type DecodedObject } from './common.js';

const M = 'request';
const KEY_LENGTH = 32;
const DIGEST_LENGTH = 32;

/** `request::concat`: aborts EBodyTooLarge past MAX_INLINE_BODY bytes. */
function concat(chunks: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const chunk of chunks) {
    check(size + chunk.length <= MAX_INLINE_BODY, M, 'concat', 'EBodyTooLarge');
    size += chunk.length;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** `request::validate`: method, path, reply key, digest, body size; returns the concatenated body. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function validate(a: Record<string, any>): Uint8Array {
  check(isValidMethod(a.method), M, 'validate', 'EInvalidMethod');
  check(isValidPath(a.path), M, 'validate', 'EInvalidPath');
  check((a.reply_key as Uint8Array).length === KEY_LENGTH, M, 'validate', 'EInvalidReplyKey');
  check((a.body_digest as Uint8Array).length === DIGEST_LENGTH, M, 'validate', 'EInvalidDigest');
  return concat(a.body);
}

interface ShareInput {
  requester: string;
  gateway: string | null;
  tokenId: string;
  role: number;
  namespace: string;
  resource: string;
  body: Uint8Array;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function share(rt: MoveRuntime, a: Record<string, any>, s: ShareInput): void {
  const cluster = a.cluster as DecodedObject;
  const fee = charge(rt, cluster, s.tokenId, a.method);
  writeCluster(rt, cluster); // &mut Cluster: a new version even though only the stake entry changed
  const submittedMs = now(a.clock);
  const deadlineMs = submittedMs + BigInt(cluster.value.request_timeout_ms);
  const requestId = rt.freshId();
  const request = {
    id: requestId,
    version: BigInt(PACKAGE_VERSION),
    cluster_id: cluster.id,
    requester: s.requester,
    gateway: s.gateway,
    token_id: s.tokenId,
    method: a.method,
    path: a.path,
    body_digest: a.body_digest,
    reply_key: a.reply_key,
    submitted_ms: submittedMs,
    deadline_ms: deadlineMs,
    fee: { value: fee },
  };
  emit(rt, M, 'RequestSubmitted', {
    request_id: requestId,
    cluster_id: cluster.id,
    requester: s.requester,
    gateway: s.gateway,
    token_id: s.tokenId,
    role: s.role,
    method: a.method,
    path: a.path,
    namespace: s.namespace,
    resource: s.resource,
    body_digest: a.body_digest,
    body_size: a.body_size,
    body: s.body,
    body_blob: a.body_blob,
    reply_key: a.reply_key,
    submitted_ms: submittedMs,
    deadline_ms: deadlineMs,
    fee,
  });
  rt.create(structType(rt, M, 'Request'), bcsForStruct(M, 'Request').serialize(request).toBytes(), { $kind: 'Shared' });
}

const submit: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'submit', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  const token = a.token as DecodedObject;
  const body = validate(a);
  assertClusterId(token.value.cluster_id, cluster);
  const { role, namespace, resource } = authorize(rt, cluster, token.id, a.method, a.path);
  share(rt, a, { requester: normalizeAddress(rt.sender), gateway: null, tokenId: token.id, role, namespace, resource, body });
};

const submitViaGateway: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'submit_via_gateway', args);
  const cluster = a.cluster as DecodedObject;
  assertVersion(cluster);
  const body = validate(a);
  const gateway = normalizeAddress(rt.sender);
  check(isGateway(cluster, gateway), M, 'submit_via_gateway', 'EGatewayNotRegistered');
  const { credential, signer } = verifyCredential(a.credential, a.signature, a.clock);
  check(sameAddress(credential.gateway, gateway), M, 'submit_via_gateway', 'EWrongGateway');
  assertClusterId(credential.cluster_id, cluster);
  assertTokenOwner(rt, cluster, credential.token_id, signer);
  const { role, namespace, resource } = authorize(rt, cluster, credential.token_id, a.method, a.path);
  share(rt, a, { requester: signer, gateway, tokenId: credential.token_id, role, namespace, resource, body });
};

const respond: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'respond', args);
  const cluster = a.cluster as DecodedObject;
  const request = a.request as DecodedObject;
  const nowMs = now(a.clock);
  const r = request.value;
  assertVersion(cluster);
  check(BigInt(r.version) === BigInt(PACKAGE_VERSION), M, 'respond', 'EWrongVersion');
  check(sameAddress(r.cluster_id, cluster.id), M, 'respond', 'EWrongClusterRequest');
  check(nowMs <= BigInt(r.deadline_ms), M, 'respond', 'EDeadlinePassed');
  check((a.body_digest as Uint8Array).length === DIGEST_LENGTH, M, 'respond', 'EInvalidDigest');
  const body = concat(a.body);
  const payload = {
    request_id: request.id,
    requester: r.requester,
    request_body_digest: r.body_digest,
    status: a.status,
    response_body_digest: a.body_digest,
  };
  verifyEnclave(cluster, INTENT_RESPONSE, BigInt(a.timestamp_ms), { struct: 'k3sdaas::request::ResponsePayload' }, payload, a.signature, a.clock);
  rt.delete(request.id);
  const fee = BigInt(r.fee.value);
  addRevenue(cluster, fee);
  writeCluster(rt, cluster);
  emit(rt, M, 'ResponseStored', {
    request_id: request.id,
    cluster_id: r.cluster_id,
    requester: r.requester,
    status: a.status,
    body_digest: a.body_digest,
    body_size: a.body_size,
    body,
    body_blob: a.body_blob,
    timestamp_ms: a.timestamp_ms,
    signature: a.signature,
    latency_ms: nowMs - BigInt(r.submitted_ms),
    fee,
  });
};

const expire: PackageFunction = (rt, args) => {
  const a = decodeArgs(rt, M, 'expire', args);
  const request = a.request as DecodedObject;
  const r = request.value;
  check(BigInt(r.version) <= BigInt(PACKAGE_VERSION), M, 'expire', 'EWrongVersion');
  check(now(a.clock) > BigInt(r.deadline_ms), M, 'expire', 'EDeadlineNotReached');
  rt.delete(request.id);
  const refund = BigInt(r.fee.value);
  emit(rt, M, 'RequestExpired', { request_id: request.id, cluster_id: r.cluster_id, requester: r.requester, deadline_ms: r.deadline_ms, refund });
  if (refund > 0n) sendCoin(rt, refund, normalizeAddress(r.requester)); // no zero coin for a free request
};

export const REQUEST_TWIN: Record<string, PackageFunction> = {
  'request::submit': submit,
  'request::submit_via_gateway': submitViaGateway,
  'request::respond': respond,
  'request::expire': expire,
};
