/**
 * The project's one retry/backoff policy (p-retry underneath): exponential backoff with jitter, abortable by a
 * signal, bounded by an absolute deadline (`until`, epoch ms), and honouring a server's Retry-After (an error
 * carrying `retryAfterMs`, directly or in `data`, waits at least that long). What is worth retrying is the
 * policy's `retryable` (default: K3sDaasError.retryable, or a transport error).
 *
 *   await retry(() => executor.execute(build), { until: deadlineMs, signal });
 */
import pRetry from 'p-retry';
import { K3sDaasError } from './errors.js';

export interface RetryPolicy {
  /** First delay (ms). */
  minDelayMs: number;
  /** Largest delay (ms). */
  maxDelayMs: number;
  /** Growth per attempt. */
  factor: number;
  /** Retries after the first attempt (Infinity: until `until` or the signal). */
  retries: number;
  /** Whether a failure is worth another attempt. */
  retryable: (err: unknown) => boolean;
}

const TRANSPORT = /fetch failed|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|socket hang up|UNAVAILABLE|DEADLINE_EXCEEDED/i;

/** Retryable K3sDaasErrors and transport failures; never a refusal or a bug. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof K3sDaasError) return err.retryable;
  return err instanceof Error && TRANSPORT.test(err.message);
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  minDelayMs: 200,
  maxDelayMs: 5_000,
  factor: 2,
  retries: Infinity,
  retryable: isRetryable,
});

export interface RetryOptions {
  signal?: AbortSignal;
  /** Give up once this time (epoch ms, by `now`) has passed; the last failure is thrown. */
  until?: number;
  policy?: Partial<RetryPolicy>;
  /** Told of each failure that will be retried (for logs and metrics). */
  onRetry?: (err: unknown, attempt: number) => void;
  now?: () => number;
}

/** How long a failure asks to be left alone (a Retry-After), if it says. */
export function retryAfterMs(err: unknown): number | undefined {
  const e = err as { retryAfterMs?: unknown; data?: { retryAfterMs?: unknown } } | undefined;
  const v = e?.retryAfterMs ?? e?.data?.retryAfterMs;
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `fn` until it succeeds, a failure is not retryable, `until` passes, or `signal` aborts. */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  const now = options.now ?? Date.now;
  const maxRetryTime = options.until === undefined ? Infinity : Math.max(0, options.until - now());
  return pRetry(fn, {
    retries: policy.retries,
    minTimeout: policy.minDelayMs,
    maxTimeout: policy.maxDelayMs,
    factor: policy.factor,
    randomize: true,
    maxRetryTime,
    signal: options.signal,
    shouldRetry: ({ error }) => policy.retryable(error) && (options.until === undefined || now() < options.until),
    onFailedAttempt: async ({ error, attemptNumber }) => {
      if (!policy.retryable(error)) return;
      options.onRetry?.(error, attemptNumber);
      // Retry-After: wait what the server asked (beyond p-retry's own backoff, never past `until`).
      const asked = retryAfterMs(error);
      if (asked !== undefined) {
        const left = options.until === undefined ? asked : Math.min(asked, options.until - now());
        if (left > 0) await sleep(left, options.signal);
      }
    },
  });
}

/**
 * The policy's delay before retry number `attempt` (1-based): `minDelayMs · factor^(attempt-1)`, times a jitter in
 * [1, 2) from `random` (p-retry's formula), capped at `maxDelayMs`. For loops that are not a call to retry — a
 * supervisor restarting a process that exited — so their backoff is the same policy. `random: () => 0` = no jitter.
 */
export function backoffDelay(attempt: number, policy: Partial<RetryPolicy> = {}, random: () => number = Math.random): number {
  const p = { ...DEFAULT_RETRY_POLICY, ...policy };
  const base = p.minDelayMs * p.factor ** Math.max(0, attempt - 1);
  return Math.round(Math.min(p.maxDelayMs, base * (1 + random())));
}
