/**
 * kubectl reads discovery (`/api`, `/apis`) and OpenAPI documents with client-go's `Result.Raw()`, which never
 * decodes a JSON Status: a refusal there prints as `Error from server (Forbidden): unknown`, five times over. For
 * those paths the gateway's own failures go out as `text/plain` with the Status message, which client-go does show
 * (`Error from server (Forbidden): k3sdaas: …`). Everything else keeps the JSON Status.
 */
import type { HttpResponseEnvelope } from '../core/envelope/index.js';

export function isRawDiscoveryPath(pathname: string): boolean {
  const p = pathname.replace(/\/+$/, '');
  return p === '/api' || p === '/apis' || p === '/openapi/v2' || p === '/openapi/v3' || p.startsWith('/openapi/v3/');
}

/** The same failure, as plain text when `pathname` is read raw by kubectl. */
export function failureForPath(pathname: string, r: HttpResponseEnvelope): HttpResponseEnvelope {
  if (r.status < 400 || !isRawDiscoveryPath(pathname)) return r;
  let message: string;
  try {
    message = (JSON.parse(new TextDecoder().decode(r.body)) as { message?: unknown }).message as string;
  } catch {
    return r;
  }
  if (typeof message !== 'string') return r;
  return { status: r.status, headers: [['content-type', 'text/plain; charset=utf-8']], body: new TextEncoder().encode(message) };
}
