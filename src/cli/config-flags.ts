/** The global flags (`--config`, `--network`, `--log-level`) and the configuration they select; light imports only. */
import type { Command } from 'commander';
import { loadConfig, type Config } from '../core/config/load.js';

export interface GlobalFlags {
  config?: string;
  network?: string;
  logLevel?: string;
}

/** Flags that map 1:1 onto config keys; a subcommand may add its own (e.g. `--cluster` → clusterId). */
export function cliConfig(cmd: Command, extra: Record<string, string | undefined> = {}): Config {
  const g = cmd.optsWithGlobals<GlobalFlags>();
  return loadConfig({
    file: g.config,
    flags: { network: g.network, logLevel: g.logLevel, ...extra },
  });
}

