/** The outcome of one item of a batch: its own value or its own error. */
export type Settled<O> = { ok: true; value: O } | { ok: false; error: unknown };

export const fulfilled = <O>(value: O): Settled<O> => ({ ok: true, value });
export const rejected = <O = never>(error: unknown): Settled<O> => ({ ok: false, error });
