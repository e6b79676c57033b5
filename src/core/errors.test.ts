import { describe, expect, it } from 'vitest';
import { AbiError, ChainError, CredentialError, K3sDaasError, MoveAbortError } from './errors.js';

describe('errors', () => {
  it('carry a stable code, retryable flag, data and cause', () => {
    const cause = new Error('socket hang up');
    const err = new ChainError('CHAIN_UNAVAILABLE', 'node unreachable', { retryable: true, data: { url: 'x' }, cause });
    expect(err).toBeInstanceOf(K3sDaasError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ChainError');
    expect(err.code).toBe('CHAIN_UNAVAILABLE');
    expect(err.retryable).toBe(true);
    expect(err.data).toEqual({ url: 'x' });
    expect(err.cause).toBe(cause);
    expect(new AbiError('bad').retryable).toBe(false);
  });

  it('MoveAbortError names the ABI error for module + code', () => {
    const err = MoveAbortError.from({ abortCode: '4', location: { module: 'request', functionName: 'submit' } });
    expect(err).toBeInstanceOf(ChainError);
    expect(err.code).toBe('MOVE_ABORT');
    expect(err.abortName).toBe('EBodyTooLarge');
    expect(err.abortCode).toBe(4n);
    expect(err.message).toBe('request::submit aborted with EBodyTooLarge (4)');
    expect(new MoveAbortError('access', 9n).abortName).toBe('ENotTokenOwner');
    expect(new MoveAbortError('workers', 0).abortName).toBe('EInsufficientStake');
    expect(new MoveAbortError('request', 99).abortName).toBeUndefined();
    expect(new MoveAbortError('balance', 2).message).toBe('balance aborted with unknown code (2)');
  });

  it('CredentialError codes', () => {
    const err = new CredentialError('CREDENTIAL_EXPIRED', 'expired', { expiresMs: 1n });
    expect(err.code).toBe('CREDENTIAL_EXPIRED');
    expect(err.name).toBe('CredentialError');
    expect(err.data.expiresMs).toBe(1n);
  });
});
