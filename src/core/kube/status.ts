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
