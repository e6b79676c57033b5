import { describe, expect, it } from 'vitest';
import { ChainError, K3sDaasError } from './errors.js';
import { backoffDelay, isRetryable, retry, retryAfterMs } from './retry.js';

const fast = { minDelayMs: 1, maxDelayMs: 2 };
const unavailable = () => new ChainError('CHAIN_UNAVAILABLE', 'fetch failed', { retryable: true });

describe('retry', () => {
  it('retries retryable failures until one succeeds', async () => {
    let calls = 0;
    const seen: number[] = [];
    const out = await retry(
      async () => {
        if (++calls < 4) throw unavailable();
        return 'ok';
      },
      { policy: fast, onRetry: (_e, n) => seen.push(n) },
    );
    expect(out).toBe('ok');
    expect(calls).toBe(4);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('does not retry a refusal', async () => {
    let calls = 0;
    const refusal = new K3sDaasError('MOVE_ABORT', 'refused');
    await expect(retry(async () => (calls++, Promise.reject(refusal)), { policy: fast })).rejects.toBe(refusal);
    expect(calls).toBe(1);
  });

  it('gives up once `until` has passed, with the last failure', async () => {
    let t = 1_000;
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          t += 400;
          throw unavailable();
        },
        { until: 2_000, now: () => t, policy: fast },
      ),
    ).rejects.toMatchObject({ code: 'CHAIN_UNAVAILABLE' });
    expect(calls).toBe(3); // 1400, 1800, 2200 → past 2000
  });

  it('stops when the signal aborts, even mid-delay', async () => {
    const ac = new AbortController();
    let calls = 0;
    const p = retry(
      async () => {
        calls++;
        setTimeout(() => ac.abort(new Error('stopping')), 5);
        throw unavailable();
      },
      { signal: ac.signal, policy: { minDelayMs: 60_000, maxDelayMs: 60_000 } },
    );
    await expect(p).rejects.toThrow('stopping');
    expect(calls).toBe(1);
  });

  it('honours Retry-After', async () => {
    let calls = 0;
    const started = performance.now();
    await retry(
      async () => {
        if (++calls === 1) throw new K3sDaasError('BUSY', 'slow down', { retryable: true, data: { retryAfterMs: 50 } });
      },
      { policy: fast },
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(retryAfterMs({ retryAfterMs: 7 })).toBe(7);
    expect(retryAfterMs(new Error('x'))).toBeUndefined();
  });

  it('knows transport failures from bugs', () => {
    expect(isRetryable(new TypeError('fetch failed'))).toBe(true);
    expect(isRetryable(new TypeError('x is not a function'))).toBe(false);
  });
});

describe('backoffDelay (supervisors that restart a process use the same policy)', () => {
  it('grows by the factor from the first delay, with jitter in [1, 2), capped', () => {
    const p = { minDelayMs: 100, maxDelayMs: 1_000, factor: 2 };
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, p, () => 0))).toEqual([100, 200, 400, 800, 1_000]);
    expect(backoffDelay(2, p, () => 0.5)).toBe(300);
    for (let i = 0; i < 50; i++) expect(backoffDelay(1, p)).toBeGreaterThanOrEqual(100);
    expect(backoffDelay(1, p, () => 0.999)).toBeLessThanOrEqual(200);
  });
});
