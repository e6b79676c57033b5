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
