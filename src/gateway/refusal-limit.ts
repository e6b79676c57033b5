/**
 * A recorded refusal (a submission the contract refuses, executed anyway so the refusal is on chain) is paid by the
 * gateway: ~3 M MIST each. This token bucket bounds how many a credential's holder can make the gateway pay for:
 * `limit` per `windowMs`, refilled continuously. Past it, refusals are still refused (for free, from the simulation)
 * but not recorded.
 */
export interface RefusalLimit {
  limit: number;
  windowMs: number;
}

export const DEFAULT_REFUSAL_LIMIT: RefusalLimit = Object.freeze({ limit: 10, windowMs: 10 * 60_000 });

export class RefusalLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly o: RefusalLimit = DEFAULT_REFUSAL_LIMIT,
    readonly now: () => number = Date.now,
  ) {}

  #bucket(key: string): { tokens: number; at: number } {
    const t = this.now();
    const b = this.#buckets.get(key) ?? { tokens: this.o.limit, at: t };
    b.tokens = Math.min(this.o.limit, b.tokens + ((t - b.at) * this.o.limit) / this.o.windowMs);
    b.at = t;
    // Full buckets are forgotten: the map holds only credentials that were refused recently.
    if (b.tokens >= this.o.limit) this.#buckets.delete(key);
    else this.#buckets.set(key, b);
    return b;
  }

  /** Whether a refusal by `key` may be recorded now. */
  allows(key: string): boolean {
    return this.o.limit > 0 && this.#bucket(key).tokens >= 1;
  }

  /** Counts one recorded refusal against `key`. */
  recorded(key: string): void {
    const b = this.#bucket(key);
    b.tokens = Math.max(0, b.tokens - 1);
    this.#buckets.set(key, b);
  }

  /** Credentials currently holding less than a full bucket. */
  get size(): number {
    return this.#buckets.size;
  }
}

/** `10/10m`: at most 10 recorded refusals per credential per 10 minutes; `0` = never record. */
export function parseRefusalLimit(text: string, parseWindow: (w: string) => number): RefusalLimit {
  const m = /^(\d+)(?:\/(.+))?$/.exec(text.trim());
  if (!m) throw new Error(`not a limit: "${text}"; write <count>/<duration>, e.g. 10/10m`);
  const limit = Number(m[1]);
  if (limit === 0) return { limit: 0, windowMs: 1 };
  if (!m[2]) throw new Error(`"${text}" needs a window: write <count>/<duration>, e.g. ${limit}/10m`);
  return { limit, windowMs: parseWindow(m[2]) };
}
