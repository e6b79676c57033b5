import { describe, expect, it } from 'vitest';
import { ENCLAVE_KEY_ROTATED, enclaveKeyRotatedResponse, isEnclaveKeyRotated, statusResponse } from './status.js';
import { FORWARDED_RESPONSE_HEADERS } from '../envelope/http.js';

describe('the "not executed" answer', () => {
  it('is recognised by the header nautilus sets', () => {
    expect(isEnclaveKeyRotated(enclaveKeyRotatedResponse('0x1'))).toBe(true);
  });

  it('cannot be forged by an upstream body: the same Status without the header is an ordinary 503', () => {
    const forged = statusResponse(503, 'looks rotated', { causes: [{ reason: ENCLAVE_KEY_ROTATED }] });
    expect(isEnclaveKeyRotated(forged)).toBe(false);
  });

  it('the marker header is never among the apiserver headers nautilus forwards', () => {
    expect(FORWARDED_RESPONSE_HEADERS.some((h) => h.startsWith('x-k3sdaas'))).toBe(false);
  });
});
