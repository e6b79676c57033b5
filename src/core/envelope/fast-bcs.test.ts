/**
 * The direct encodings must be byte-for-byte the SDK schemas' (and fail, or fall back, exactly where they do):
 * compared on random and on awkward values.
 */
import { bcs } from '@mysten/sui/bcs';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { requestBinding, responseBinding } from './binding.js';
import { decodeRequestEnvelope, decodeResponseEnvelope, encodeRequestEnvelope, encodeResponseEnvelope, RequestEnvelopeBcs, ResponseEnvelopeBcs } from './http.js';

const RequestBinding = bcs.struct('RequestBinding', {
  domain: bcs.string(),
  cluster_id: bcs.Address,
  requester: bcs.Address,
  reply_key: bcs.byteVector(),
  method: bcs.string(),
  path: bcs.string(),
});
const ResponseBinding = bcs.struct('ResponseBinding', { domain: bcs.string(), request_id: bcs.Address, status: bcs.u16() });

const addr = () => '0x' + randomBytes(32).toString('hex');
const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
/** Strings of every length class of the ULEB prefix, ASCII, multi-byte, astral and lone surrogates. */
function str(): string {
  const len = pick([0, 1, 5, 127, 128, 200, 16_383, 16_384, 20_000]);
  const alphabet = ['a', '/', '?', 'é', '€', '😀', '\ud800', '\udfff', '\u0000', '\ufeff'];
  let s = '';
  while (s.length < len) s += pick(alphabet);
  return s.slice(0, len);
}
const bytes = () => randomBytes(pick([0, 1, 32, 127, 128, 5000, 70_000]));
const headers = (): Array<[string, string]> => Array.from({ length: pick([0, 1, 3, 130]) }, () => [str().slice(0, 40), str().slice(0, 300)]);
const sdkRequestBinding = (r: { clusterId: string; requester: string; replyKey: Uint8Array; method: string; path: string }) =>
  RequestBinding.serialize({ domain: 'k3sdaas/request/v1', cluster_id: r.clusterId, requester: r.requester, reply_key: r.replyKey, method: r.method, path: r.path }).toBytes();
const outcome = (f: () => unknown) => {
  try {
    return { value: f() };
  } catch (err) {
    return { error: `${(err as Error).constructor.name}: ${(err as Error).message}` };
  }
};

describe('direct BCS encodings', () => {
  it('bindings are the schema bytes, for random values and for addresses the schema normalizes or refuses', () => {
    for (let i = 0; i < 200; i++) {
      const r = { clusterId: addr(), requester: addr(), replyKey: randomBytes(32), method: pick(['GET', 'POST', 'DELETE']), path: str() };
      expect(requestBinding(r)).toEqual(sdkRequestBinding(r));
      const s = { requestId: addr(), status: pick([0, 200, 404, 502, 65_535]) };
      expect(responseBinding(s)).toEqual(ResponseBinding.serialize({ domain: 'k3sdaas/response/v1', request_id: s.requestId, status: s.status }).toBytes());
    }
    const base = { clusterId: addr(), requester: addr(), replyKey: randomBytes(32), method: 'GET', path: '/api' };
    for (const clusterId of ['0x1', '0x' + 'AB'.repeat(32), 'ab'.repeat(32), '0x' + 'a'.repeat(65), 'nope', '']) {
      const r = { ...base, clusterId };
      expect(outcome(() => requestBinding(r))).toEqual(outcome(() => sdkRequestBinding(r)));
    }
    for (const status of [-1, 65_536, 200.5, NaN]) {
      const schema = () => ResponseBinding.serialize({ domain: 'k3sdaas/response/v1', request_id: base.clusterId, status }).toBytes();
      expect(outcome(() => responseBinding({ requestId: base.clusterId, status }))).toEqual(outcome(schema));
    }
  });

  it('envelopes encode to the schema bytes and decode to the schema values', () => {
    for (let i = 0; i < 100; i++) {
      const req = { method: pick(['GET', 'PATCH']), url: str(), headers: headers(), body: bytes() };
      const enc = encodeRequestEnvelope(req);
      expect(enc).toEqual(RequestEnvelopeBcs.serialize(req).toBytes());
      const v = RequestEnvelopeBcs.parse(enc);
      expect(decodeRequestEnvelope(enc)).toEqual({ method: v.method, url: v.url, headers: v.headers, body: new Uint8Array(v.body) });
      const res = { status: pick([200, 201, 404, 500]), headers: headers(), body: bytes() };
      const renc = encodeResponseEnvelope(res);
      expect(renc).toEqual(ResponseEnvelopeBcs.serialize(res).toBytes());
      const rv = ResponseEnvelopeBcs.parse(renc);
      expect(decodeResponseEnvelope(renc)).toEqual({ status: rv.status, headers: rv.headers, body: new Uint8Array(rv.body) });
    }
  });

  it('irregular bytes decode (or fail) exactly as the schema decides', () => {
    const req = encodeRequestEnvelope({ method: 'GET', url: '/api/v1/pods', headers: [['accept', 'application/json']], body: new Uint8Array([1, 2, 3]) });
    const sdk = (b: Uint8Array) => () => {
      const v = RequestEnvelopeBcs.parse(b);
      return { method: v.method, url: v.url, headers: v.headers, body: new Uint8Array(v.body) };
    };
    const cases: Uint8Array[] = [
      new Uint8Array(),
      req.subarray(0, req.length - 1).slice(), // truncated body
      req.subarray(0, 5).slice(),
      Uint8Array.from([...req, 9, 9, 9]), // trailing bytes
      Uint8Array.from([0x83, 0x00, ...req.subarray(1)]), // non-canonical ULEB length
      Uint8Array.from([2, 0xc3, 0x28, ...req.subarray(4)]), // invalid UTF-8
      Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f]), // huge length
    ];
    for (const b of cases) expect(outcome(() => decodeRequestEnvelope(b))).toEqual(outcome(sdk(b)));
  });
});
