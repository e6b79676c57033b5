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
