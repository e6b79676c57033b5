/**
 * The one duration syntax of k3sdaas: a number with a unit (`250ms`, `30s`, `10m`, `2h`, `7d`, or combined like
 * `1h30m`), parsed to milliseconds. A bare number is refused — `60000` could mean ms or s, and guessing wrong locks
 * stakes for hours — unless the caller documents the unit of bare numbers (e.g. a flag named `--checkpoint-ms`).
 * `formatDuration` prints milliseconds back in the same syntax, so `--help` defaults read the way they parse.
 */
import { K3sDaasError } from './errors.js';

const UNITS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export type DurationUnit = keyof typeof UNITS;

export class DurationError extends K3sDaasError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('DURATION_INVALID', message, { data });
  }
}

export interface ParseDurationOptions {
  /** Named in the error (e.g. `--stake-lock`). */
  name?: string;
  /** The documented unit of a bare number; without it a bare number is refused. */
  bare?: DurationUnit;
  /** Allow 0 (default: a duration must be positive). */
  allowZero?: boolean;
}

/** Milliseconds of `30s`, `10m`, `7d`, `250ms`, `1h30m`; a DurationError naming `name` and the units otherwise. */
export function parseDuration(text: string, o: ParseDurationOptions = {}): number {
  const t = text.trim();
  const who = o.name ? `${o.name}: ` : '';
  const units = 'ms, s, m, h, d (e.g. 30s, 10m, 7d, 250ms)';
  if (/^\d+(\.\d+)?$/.test(t)) {
    if (!o.bare) {
      throw new DurationError(`${who}"${t}" has no unit; write a duration with one of ${units}`, { text: t, name: o.name });
    }
    return check(Number(t) * UNITS[o.bare], t, o, who);
  }
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let ms = 0;
  let at = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    ms += Number(m[1]) * UNITS[m[2] as DurationUnit];
    at = re.lastIndex;
  }
  if (!t || at !== t.length) throw new DurationError(`${who}not a duration: "${t}"; units are ${units}`, { text: t, name: o.name });
  return check(ms, t, o, who);
}

function check(ms: number, t: string, o: ParseDurationOptions, who: string): number {
  const rounded = Math.round(ms);
  if (!Number.isSafeInteger(rounded)) throw new DurationError(`${who}duration "${t}" is too large`, { text: t });
  if (rounded === 0 && !o.allowZero) throw new DurationError(`${who}duration must be more than 0 (got "${t}")`, { text: t });
  return rounded;
}

/** `90000` → `1m30s`, `250` → `250ms`, `604800000` → `7d`: the syntax parseDuration reads. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let left = Math.round(ms);
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const n = Math.floor(left / UNITS[unit]);
    if (n > 0) {
      out += `${n}${unit}`;
      left -= n * UNITS[unit];
    }
  }
  return out;
}
