/**
 * localnet: an embedded Sui-compatible dev chain served over the Sui gRPC API (gRPC-web on HTTP/1.1) for the
 * unmodified @mysten/sui SDK, with a faucet, funded dev accounts and the K3s-DaaS package (TypeScript twin)
 * at a fixed id from genesis.
 */
import path from 'node:path';
import { K3SDAAS_ABI } from '../core/abi/package.js';
import type { FunctionAbi } from '../core/abi/types.js';
import type { Logger as CoreLogger } from '../core/log.js';
import { Chain } from './chain/chain.js';
import { setPublicTransferTypes, addr, isCoinType } from './chain/ids.js';
import { FileJournal, memoryJournal, type Journal, type JournalEntry } from './chain/journal.js';
import type { PackageFunction } from './engine/move-runtime.js';
import { Faucet } from './faucet.js';
import { buildGenesis, DEV_ACCOUNTS, LOCALNET_PACKAGE_ID, type DevAccount } from './genesis.js';
import { defaultLogger, fromCoreLogger, silentLogger, type Logger } from './log.js';
import { K3SDAAS_FUNCTIONS } from './package/index.js';
import { GrpcWebServer } from './rpc/grpc-web.js';
import { registerServices, type FullnodeBehaviour } from './rpc/services.js';

export { LOCALNET_PACKAGE_ID, DEV_ACCOUNTS, FAUCET_ACCOUNT, type DevAccount } from './genesis.js';
export { Chain } from './chain/chain.js';
export { eventCursor } from './rpc/events.js';
export type { FullnodeBehaviour } from './rpc/services.js';

export const DEFAULT_RPC_PORT = 9000;
export const DEFAULT_FAUCET_PORT = 9123;
export const DEFAULT_CHECKPOINT_MS = 250;

export interface LocalnetOptions {
  /** gRPC-web port; 0 picks a free one. Default 9000. */
  port?: number;
  /** Faucet port; 0 picks a free one. Default 9123. */
  faucetPort?: number;
  host?: string;
  /** Directory for the journal; state survives restarts. Ignored with `ephemeral`. */
  dataDir?: string;
  /** Keep everything in memory. Default when no dataDir is given. */
  ephemeral?: boolean;
  /** Wipe the data dir first. */
  reset?: boolean;
  /** Checkpoint interval; 0 = one checkpoint per transaction. Default 250. */
  checkpointMs?: number;
  /** The package's Move functions keyed `module::function` (default: the K3s-DaaS twin). */
  packageFunctions?: Record<string, PackageFunction>;
  /** Signatures of those functions (default: K3SDAAS_ABI.functions); used for argument checks and mutability. */
  packageAbi?: readonly FunctionAbi[];
  /** Defaults to JSON lines on stderr (src/core/log.ts). */
  logger?: CoreLogger | Logger;
  /** Idle heartbeat interval of SubscribeCheckpoints streams. Default 30 s. */
  heartbeatMs?: number;
  /**
   * Behave like a real fullnode where localnet is kinder by default: answer ExecuteTransaction at finality (before
   * the checkpoint is readable), bound ListEvents scans (SCAN_LIMIT), send watermark-only frames, prune history.
   * The object is live: change it while running (e.g. `net.fullnode.lowestAvailable = 40n`).
   */
  fullnode?: FullnodeBehaviour;
  /** Wall clock in ms for transaction/checkpoint timestamps and the Clock object (tests: a settable clock). */
  clock?: () => number;
}

export interface Localnet {
  rpcUrl: string;
  faucetUrl: string;
  packageId: string;
  chainId: string;
  accounts: readonly DevAccount[];
  dataDir?: string;
  chain: Chain;
  /** The live fullnode behaviour (see LocalnetOptions.fullnode). */
  fullnode: FullnodeBehaviour;
  /** Upgrades the K3s-DaaS package (same twin, new id for calls; types keep the original id). Returns the new id. */
  upgradePackage(): string;
  /** Ends every open subscription stream with UNAVAILABLE; returns how many there were. */
  dropSubscriptions(): number;
  /** Prunes history below `checkpoint` (GetServiceInfo.lowest_available_checkpoint; ListEvents refuses below it). */
  prune(checkpoint: bigint): void;
  stop(): Promise<void>;
}

function toLogger(l: LocalnetOptions['logger']): Logger {
  if (!l) return defaultLogger();
  return typeof l === 'function' ? l : fromCoreLogger(l);
}

export async function startLocalnet(options: LocalnetOptions = {}): Promise<Localnet> {
  const log = toLogger(options.logger);
  const host = options.host ?? '127.0.0.1';
  const packageId = addr(LOCALNET_PACKAGE_ID);
  const abi = options.packageAbi ?? (options.packageFunctions ? [] : K3SDAAS_ABI.functions);
  const storeTypes = new Set(
    K3SDAAS_ABI.structs.filter((s) => s.abilities.includes('key') && s.abilities.includes('store')).map((s) => `${packageId}::${s.module}::${s.name}`),
  );
  setPublicTransferTypes((type) => isCoinType(type) || storeTypes.has(type));

  const ephemeral = options.ephemeral || !options.dataDir;
  let journal: Journal = memoryJournal();
  let entries: JournalEntry[] = [];
  const dataDir = ephemeral ? undefined : path.resolve(options.dataDir!);
  if (dataDir) {
    ({ journal, entries } = FileJournal.open(dataDir, { reset: options.reset }));
  }
  let chain: Chain;
  try {
    chain = new Chain({
      journal,
      entries,
      genesis: () => ({ t: 'genesis', ...buildGenesis(BigInt(Math.floor((options.clock ?? Date.now)()))) }),
      checkpointMs: options.checkpointMs ?? DEFAULT_CHECKPOINT_MS,
      clock: options.clock,
      pkg: { packageId, functions: options.packageFunctions ?? K3SDAAS_FUNCTIONS, abi },
      log,
    });
  } catch (err) {
    journal.close();
    throw err;
  }
  const rpc = new GrpcWebServer({ log });
  const fullnode: FullnodeBehaviour = options.fullnode ?? {};
  const controls = registerServices(rpc, chain, { heartbeatMs: options.heartbeatMs, fullnode });
  const faucet = new Faucet(chain, log);
  let rpcPort: number;
  let faucetPort: number;
  try {
    rpcPort = await rpc.listen(options.port ?? DEFAULT_RPC_PORT, host);
    faucetPort = await faucet.listen(options.faucetPort ?? DEFAULT_FAUCET_PORT, host);
  } catch (err) {
    await rpc.close().catch(() => {});
    await chain.close();
    throw err;
  }
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const rpcUrl = `http://${urlHost}:${rpcPort}`;
  const faucetUrl = `http://${urlHost}:${faucetPort}`;
  log('info', 'localnet started', { rpcUrl, faucetUrl, packageId, chainId: chain.chainId, dataDir: dataDir ?? null, checkpoint: Number(chain.latestCheckpoint.sequenceNumber) });
  let stopping: Promise<void> | undefined;
  return {
    rpcUrl,
    faucetUrl,
    packageId,
    chainId: chain.chainId,
    accounts: DEV_ACCOUNTS,
    dataDir,
    chain,
    fullnode,
    upgradePackage: () => chain.upgradePackage(),
    dropSubscriptions: () => controls.dropSubscriptions(),
    prune: (checkpoint) => void (fullnode.lowestAvailable = checkpoint),
    stop: () =>
      (stopping ??= (async () => {
        await Promise.all([rpc.close(), faucet.close()]);
        await chain.close();
        log('info', 'localnet stopped', {});
      })()),
  };
}

export { silentLogger };
