import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../core/duration.js';
import { parseRefusalLimit, type RefusalLimit } from '../gateway/refusal-limit.js';
import { ConfigError } from '../core/config/index.js';
import { loadOperatorTls, type TlsMaterial } from '../gateway/tls.js';
/** Shared by long-running commands: wait for SIGINT/SIGTERM, then stop cleanly (a second signal forces exit). */
export function untilSignal(stop: () => Promise<void>, log: (msg: string) => void = (m) => process.stderr.write(m + '\n')): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (sig: NodeJS.Signals) => {
      if (stopping) {
        log(`${sig} again: exiting now`);
        process.exit(130);
      }
      stopping = true;
      log(`${sig}: stopping…`);
      stop()
        .catch((err) => log(`error while stopping: ${(err as Error).message}`))
        .finally(() => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          resolve();
        });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** `host:port` flag parser. */
export function listenFlag(value: string): string {
  if (!/^[^\s:]+:\d{1,5}$/.test(value)) throw new Error(`--listen must be host:port, got ${value}`);
  return value;
}

/** `--tls-cert/--tls-key`: both or neither; checked (readable, matching, valid) before anything starts. */
export function operatorTls(flags: { tlsCert?: string; tlsKey?: string }): TlsMaterial | undefined {
  if (!flags.tlsCert && !flags.tlsKey) return undefined;
  if (!flags.tlsCert || !flags.tlsKey) throw new ConfigError(`pass both --tls-cert and --tls-key (got only ${flags.tlsCert ? '--tls-cert' : '--tls-key'})`);
  return loadOperatorTls(flags.tlsCert, flags.tlsKey);
}

/** `--flag=true|false` (also yes/no, 1/0). */
/** A commander parser for a whole number ≥ `min`; the error names the flag. */
export function integerFlag(flag: string, min = 1): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${flag} takes a whole number of at least ${min}, got "${v}"`);
    return n;
  };
}

export function booleanFlag(flag: string): (v: string) => boolean {
  return (v: string) => {
    if (/^(true|yes|1)$/i.test(v)) return true;
    if (/^(false|no|0)$/i.test(v)) return false;
    throw new InvalidArgumentError(`${flag} takes true or false, got "${v}"`);
  };
}

/** `--refusal-limit 10/10m`. */
export function refusalLimitFlag(v: string): RefusalLimit {
  try {
    return parseRefusalLimit(v, (w) => parseDuration(w, { name: '--refusal-limit' }));
  } catch (err) {
    throw new InvalidArgumentError(`--refusal-limit: ${(err as Error).message.replace(/^--refusal-limit: /, '')}`);
  }
}
