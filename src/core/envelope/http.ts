/**
 * What travels encrypted: the kubectl HTTP request (method, path with query, the headers that matter, body) and the
 * apiserver's response (status, headers, body). BCS-encoded, gzip-compressed, then sealed. The on-chain request
 * carries only method, path (no query), sizes and the sha256 of the encoded envelope.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { bcs } from '@mysten/sui/bcs';
import { FastReader, FastWriter } from './fast-bcs.js';

const Header = bcs.tuple([bcs.string(), bcs.string()]);

export const RequestEnvelopeBcs = bcs.struct('RequestEnvelope', {
  method: bcs.string(),
  /** Path and query exactly as kubectl sent them. */
  url: bcs.string(),
  headers: bcs.vector(Header),
  body: bcs.byteVector(),
});

export const ResponseEnvelopeBcs = bcs.struct('ResponseEnvelope', {
  status: bcs.u16(),
  headers: bcs.vector(Header),
  body: bcs.byteVector(),
});

export interface HttpRequestEnvelope {
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body: Uint8Array;
}

export interface HttpResponseEnvelope {
  status: number;
  headers: Array<[string, string]>;
  body: Uint8Array;
}

/** Request headers forwarded to the apiserver; everything else (auth, hop-by-hop) stays behind. */
export const FORWARDED_REQUEST_HEADERS = ['content-type', 'accept', 'user-agent', 'kubectl-command', 'kubectl-session'];
/** Response headers returned to kubectl. */
export const FORWARDED_RESPONSE_HEADERS = ['content-type', 'warning', 'audit-id', 'cache-control', 'retry-after', 'x-kubernetes-pf-flowschema-uid', 'x-kubernetes-pf-prioritylevel-uid'];

/** Headers as the schema writes them (a vector of string pairs); null when they are not plain pairs of strings. */
function writeHeaders(w: FastWriter, headers: unknown): FastWriter {
  if (!Array.isArray(headers)) {
    w.ok = false;
    return w;
  }
  w.uleb(headers.length);
  for (const h of headers) {
    if (!Array.isArray(h) || h.length !== 2) w.ok = false;
    else w.string(h[0]).string(h[1]);
  }
  return w;
}

function readHeaders(r: FastReader): Array<[string, string]> {
  const n = r.uleb();
  const out: Array<[string, string]> = [];
  for (let i = 0; i < n; i++) out.push([r.string(), r.string()]);
  return out;
}

// Each codec: the direct encoding (fast-bcs.ts) for ordinary values, the schema for anything else (same bytes, or
// the schema's own error).
export function encodeRequestEnvelope(e: HttpRequestEnvelope): Uint8Array {
  const w = new FastWriter().string(e.method).string(e.url);
  const fast = writeHeaders(w, e.headers).bytes(e.body).toBytes();
  return fast ?? RequestEnvelopeBcs.serialize(e).toBytes();
}

export function decodeRequestEnvelope(bytes: Uint8Array): HttpRequestEnvelope {
  const fast = FastReader.read(bytes, (r) => ({ method: r.string(), url: r.string(), headers: readHeaders(r), body: r.bytes() }));
  if (fast) return fast;
  const v = RequestEnvelopeBcs.parse(bytes);
  return { method: v.method, url: v.url, headers: v.headers as Array<[string, string]>, body: new Uint8Array(v.body) };
}

export function encodeResponseEnvelope(e: HttpResponseEnvelope): Uint8Array {
  const fast = writeHeaders(new FastWriter().u16(e.status), e.headers).bytes(e.body).toBytes();
  return fast ?? ResponseEnvelopeBcs.serialize(e).toBytes();
}

export function decodeResponseEnvelope(bytes: Uint8Array): HttpResponseEnvelope {
  const fast = FastReader.read(bytes, (r) => ({ status: r.u16(), headers: readHeaders(r), body: r.bytes() }));
  if (fast) return fast;
  const v = ResponseEnvelopeBcs.parse(bytes);
  return { status: v.status, headers: v.headers as Array<[string, string]>, body: new Uint8Array(v.body) };
}

export function compress(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(bytes, { level: 6 }));
}

/** Decompresses with a ceiling, so a small ciphertext cannot expand into an unbounded allocation. */
export function decompress(bytes: Uint8Array, maxBytes = 64 * 1024 * 1024): Uint8Array {
  return new Uint8Array(gunzipSync(bytes, { maxOutputLength: maxBytes }));
}
