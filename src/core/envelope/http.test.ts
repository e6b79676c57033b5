import { describe, expect, it } from 'vitest';
import {
  compress,
  decodeRequestEnvelope,
  decodeResponseEnvelope,
  decompress,
  encodeRequestEnvelope,
  encodeResponseEnvelope,
} from './http.js';
import { requestBinding, responseBinding } from './binding.js';

describe('http envelopes', () => {
  it('round-trip a request with a binary (protobuf) body', () => {
    const e = {
      method: 'POST',
      url: '/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create&fieldValidation=Strict',
      headers: [['content-type', 'application/vnd.kubernetes.protobuf']] as Array<[string, string]>,
      body: new Uint8Array([0x6b, 0x38, 0x73, 0, 1, 2, 255]),
    };
    expect(decodeRequestEnvelope(decompress(compress(encodeRequestEnvelope(e))))).toEqual(e);
  });

  it('round-trip a response', () => {
    const e = { status: 404, headers: [['content-type', 'application/json']] as Array<[string, string]>, body: new TextEncoder().encode('{}') };
    expect(decodeResponseEnvelope(encodeResponseEnvelope(e))).toEqual(e);
  });

  it('refuses to inflate past the ceiling', () => {
    const bomb = compress(new Uint8Array(1024 * 1024));
    expect(() => decompress(bomb, 1024)).toThrow();
  });

  it('bindings differ per request and per status', () => {
    const base = { clusterId: '0x1', requester: '0x2', replyKey: new Uint8Array(32), method: 'GET', path: '/api' };
    expect(requestBinding(base)).not.toEqual(requestBinding({ ...base, replyKey: new Uint8Array(32).fill(1) }));
    expect(requestBinding(base)).not.toEqual(requestBinding({ ...base, path: '/apis' }));
    expect(responseBinding({ requestId: '0x3', status: 200 })).not.toEqual(responseBinding({ requestId: '0x3', status: 201 }));
  });
});
