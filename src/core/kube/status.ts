/** Kubernetes Status objects: how every refusal and failure reaches kubectl so it prints it well. */
import type { HttpResponseEnvelope } from '../envelope/http.js';

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  501: 'NotImplemented',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  code: number;
  details?: Record<string, unknown>;
}

export function kubeStatus(code: number, message: string, details?: Record<string, unknown>): KubeStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: REASONS[code] ?? 'Unknown',
    code,
    ...(details ? { details } : {}),
  };
}

export function statusResponse(code: number, message: string, details?: Record<string, unknown>): HttpResponseEnvelope {
  return {
    status: code,
    headers: [['content-type', 'application/json']],
    body: new TextEncoder().encode(JSON.stringify(kubeStatus(code, message, details))),
  };
}

/**
 * Cause reason of the Status nautilus answers for a request it cannot decrypt because it was sealed to an earlier
 * enclave key (nautilus restarted and registered a fresh key while the request was on its way). Such a request was
 * provably not executed, so a gateway or kubectl-proxy resubmits it sealed to the current key.
 */
export const ENCLAVE_KEY_ROTATED = 'K3sDaasEnclaveKeyRotated';

/**
 * The marker is a response header only nautilus sets: the apiserver's own headers are filtered through an allow-list
 * (FORWARDED_RESPONSE_HEADERS) that excludes it, so no upstream answer can pose as "not executed".
 */
export const NOT_EXECUTED_HEADER = 'x-k3sdaas-not-executed';

export function enclaveKeyRotatedResponse(requestId: string): HttpResponseEnvelope {
  const r = statusResponse(
    503,
    `k3sdaas: on-chain request ${requestId} was sealed to a previous enclave key (the control plane restarted); it was not executed and is safe to retry`,
    { causes: [{ reason: ENCLAVE_KEY_ROTATED, message: 'sealed to a previous enclave key; not executed' }] },
  );
  return { ...r, headers: [...r.headers, [NOT_EXECUTED_HEADER, ENCLAVE_KEY_ROTATED]] };
}

/** True for the answer `enclaveKeyRotatedResponse` builds (never for anything an apiserver sent). */
export function isEnclaveKeyRotated(r: HttpResponseEnvelope): boolean {
  return r.status === 503 && r.headers.some(([n, v]) => n.toLowerCase() === NOT_EXECUTED_HEADER && v === ENCLAVE_KEY_ROTATED);
}
