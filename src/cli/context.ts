/** Turns global flags into the effective configuration, chain client and signer; every subcommand goes through here. */
import type { Command } from 'commander';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { createChainClient, TransactionExecutor, type ChainClient } from '../core/chain/index.js';
import { ConfigError, loadSigner, type Config, type LoadedKey } from '../core/config/index.js';
import { cliConfig } from './config-flags.js';
import { noteNetworkInUse } from './report.js';
import { createLogger, type Logger, type LogLevel } from '../core/log.js';
import { LOCALNET_PACKAGE_ID } from '../localnet/genesis.js';

export { cliConfig, type GlobalFlags } from './config-flags.js';

export interface CliRuntime {
  config: Config;
  client: ChainClient;
  logger: Logger;
  /** The LATEST package id: Move calls go there. */
  packageId: string;
  /** The ORIGINAL package id: event types, filters, decoding and object types (default: packageId). */
  originalPackageId: string;
  /** The configured cluster; throws a ConfigError naming the flag when unset. */
  clusterId(): string;
  /** The configured signer; throws a ConfigError saying how to provide one. */
  signer(): LoadedKey;
  /** The one executor of the signer (transactions of one key must not pick gas coins independently). */
  executor(): TransactionExecutor;
  /** The executor, allowed `size` transactions in flight (a pool of the signer's coins); serial if that fails. */
  concurrentExecutor(size: number): Promise<TransactionExecutor>;
}

export { describeCliError, noteNetworkInUse } from './report.js';

export function cliRuntime(cmd: Command, extra: Record<string, string | undefined> = {}): CliRuntime {
  return runtimeOf(cliConfig(cmd, extra));
}

/** The runtime of an already loaded configuration. */
export function runtimeOf(config: Config): CliRuntime {
  noteNetworkInUse(config.network.rpcUrl);
  const client = createChainClient(config.network);
  const logger = createLogger({ level: config.get('logLevel') as LogLevel });
  const packageId = config.get('packageId') ?? (config.get('network') === 'localnet' ? LOCALNET_PACKAGE_ID : undefined);
  let signer: LoadedKey | undefined;
  let executor: TransactionExecutor | undefined;
  return {
    config,
    client,
    logger,
    get packageId() {
      if (!packageId) throw new ConfigError('no K3s-DaaS package id for this network: run `k3sdaas deploy` or set packageId', { key: 'packageId' });
      return packageId;
    },
    get originalPackageId() {
      return config.get('originalPackageId') ?? this.packageId;
    },
    clusterId() {
      const id = config.get('clusterId');
      if (!id) throw new ConfigError('no cluster: pass --cluster <id>, set K3SDAAS_CLUSTER_ID, or run `k3sdaas deploy`', { key: 'clusterId' });
      // Chain ids come back normalised (lowercase, 64 hex digits); compare like with like.
      return normalizeSuiAddress(id);
    },
    signer() {
      return (signer ??= loadSigner(config));
    },
    executor() {
      return (executor ??= new TransactionExecutor(client, this.signer().keypair));
    },
    async concurrentExecutor(size: number) {
      const ex = this.executor();
      try {
        await ex.enableConcurrency(size);
      } catch (err) {
        logger.warn('running transactions one at a time: could not set up a pool of gas coins', { error: err, size });
      }
      return ex;
    },
  };
}
