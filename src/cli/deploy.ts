/**
 * `k3sdaas deploy`: creates a Cluster (the operator gets its ClusterAdminCap). On public networks without a
 * package id it first publishes the committed Move build. Records packageId and clusterId in the config file.
 */
import { readFileSync } from 'node:fs';
import { createHash, X509Certificate } from 'node:crypto';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseAmount } from '../core/amount.js';
import { createCluster, registerGateway } from '../core/cluster-admin.js';
import type { ChainClient } from '../core/chain/index.js';
import { ConfigError, NETWORKS, writeConfigValues } from '../core/config/index.js';
import { LOCALNET_PACKAGE_ID } from '../localnet/genesis.js';
import { publishPackage } from '../core/publish.js';
import { cliRuntime } from './context.js';
import { createProgress } from './progress.js';
import { durationOption } from './duration-flag.js';

interface DeployFlags {
  name: string;
  apiUrl: string;
  caFile?: string;
  debug?: boolean;
  pcr: string[];
  minUserStake?: bigint;
  minWriteStake?: bigint;
  minWorkerStake?: bigint;
  stakeLock: number;
  requestTimeout: number;
  heartbeatTimeout: number;
  readFee?: bigint;
  writeFee?: bigint;
  workerPolicy: 'approval' | 'open';
  unbonding: number;
  maxSlash: bigint;
  registerGateway: string[];
  save: boolean;
  json?: boolean;
}

const amount = (v: string) => {
  try {
    return parseAmount(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};
const collect = (v: string, acc: string[]) => [...acc, v];
/** `10%`, `2.5%` or basis points (`250`): the most one slash may take, fixed for the cluster's life. */
const maxSlash = (v: string): bigint => {
  const m = /^(\d+(?:\.\d{1,2})?)%$/.exec(v);
  const bps = m ? Math.round(Number(m[1]) * 100) : /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(bps) || bps < 1 || bps > 10_000) throw new InvalidArgumentError(`--max-slash: "${v}" is not a share between 0.01% and 100% (e.g. 10% or 1000 basis points)`);
  return BigInt(bps);
};
const workerPolicy = (v: string) => {
  if (v !== 'approval' && v !== 'open') throw new InvalidArgumentError(`--worker-policy: "${v}" is not approval or open`);
  return v;
};

/** sha256 of the CA certificate (DER), the value workers pin. */
export function caHash(pem: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(new X509Certificate(pem).raw).digest());
}

/** Whether the chain at the configured URL is a k3sdaas localnet: the K3s-DaaS package sits at its genesis id. */
export async function isLocalnet(client: ChainClient): Promise<boolean> {
  try {
    const { object } = await client.core.getObject({ objectId: LOCALNET_PACKAGE_ID });
    return object.type === 'package';
  } catch {
    return false;
  }
}

export function deployCommand(): Command {
  return new Command('deploy')
    .description('create a Cluster on chain (publishing the package first on public networks) and record its ids')
    .requiredOption('--api-url <url>', 'the k3s API server URL workers join (https://host:6443)')
    .option('--name <name>', 'cluster name', 'k3sdaas')
    .option('--ca-file <pem>', 'the k3s server CA certificate; its sha256 goes on chain so workers can pin it')
    .option('--debug', 'debug cluster: accept an enclave key without attestation (localnet/devnet only; visible on chain)')
    .option('--pcr <hex>', 'expected enclave PCR0, PCR1, PCR2 in order (repeat 3 times) for attested clusters', collect, [])
    .option('--min-user-stake <amount>', 'stake for a SealToken (default 0.1SUI)', amount)
    .option('--min-write-stake <amount>', 'stake a token needs for writes (default 1SUI)', amount)
    .option('--min-worker-stake <amount>', 'stake for a worker (default 10SUI)', amount)
    .addOption(durationOption('--stake-lock <duration>', 'SealToken stake lock (e.g. 1m, 7d)', 60_000))
    .addOption(durationOption('--request-timeout <duration>', 'request deadline (e.g. 30s)', 30_000))
    .addOption(durationOption('--heartbeat-timeout <duration>', 'worker heartbeat timeout (e.g. 60s)', 60_000))
    .option('--read-fee <amount>', 'fee per read request, paid from the token\'s prepaid balance (default 0)', amount)
    .option('--write-fee <amount>', 'fee per write request (default 0)', amount)
    .option('--worker-policy <policy>', 'approval: the cap holder approves each worker; open: any staked worker joins', workerPolicy, 'approval')
    .addOption(durationOption('--unbonding <duration>', 'how long a leaving worker\'s stake stays slashable before withdrawal (e.g. 1d)', 86_400_000))
    .addOption(new Option('--max-slash <share>', 'the most one slash may take of a stake, fixed for the cluster (e.g. 10% or 1000 basis points)').argParser(maxSlash).default(1_000n, '10%'))
    .option('--register-gateway <address>', 'register a gateway for the cluster (repeatable)', collect, [])
    .option('--no-save', 'do not write packageId/clusterId into the config file')
    .option('--json', 'print the result as one JSON line')
    .action(async (flags: DeployFlags, cmd: Command) => {
      const rt = cliRuntime(cmd);
      const network = rt.config.get('network')!;
      let configured: string | undefined;
      try {
        configured = rt.packageId;
      } catch {
        configured = undefined;
      }
      // A localnet given by URL (K3SDAAS_NETWORK=http://127.0.0.1:PORT): its package is at the fixed genesis id.
      const localnetByUrl = !configured && !NETWORKS[network] && (await isLocalnet(rt.client));
      const debug = flags.debug ?? (network === 'localnet' || localnetByUrl);
      if (network === 'mainnet' && debug) throw new ConfigError('debug clusters are refused on mainnet');
      if (!debug && flags.pcr.length !== 3) throw new ConfigError('an attested cluster needs --pcr three times (PCR0, PCR1, PCR2), or --debug');
      const pcrs = flags.pcr.map((p) => {
        if (!/^(0x)?[0-9a-fA-F]{96}$/.test(p)) throw new ConfigError(`--pcr ${p}: expected 48 bytes of hex`);
        return new Uint8Array(Buffer.from(p.replace(/^0x/, ''), 'hex'));
      });
      const progress = createProgress({ quiet: flags.json });
      const executor = rt.executor();
      let packageId: string;
      let published: string | undefined;
      if (configured) packageId = configured;
      else if (localnetByUrl) packageId = LOCALNET_PACKAGE_ID;
      else {
        const p = await progress.step(`publishing the K3s-DaaS package to ${network}`, () => publishPackage(executor));
        packageId = p.packageId;
        published = p.digest;
      }
      const created = await progress.step('creating the cluster', () =>
        createCluster(executor, packageId, {
          name: flags.name,
          apiUrl: flags.apiUrl,
          caHash: flags.caFile ? caHash(readFileSync(flags.caFile, 'utf8')) : undefined,
          minUserStake: flags.minUserStake,
          minWriteStake: flags.minWriteStake,
          minWorkerStake: flags.minWorkerStake,
          stakeLockMs: BigInt(flags.stakeLock),
          requestTimeoutMs: BigInt(flags.requestTimeout),
          heartbeatTimeoutMs: BigInt(flags.heartbeatTimeout),
          readFee: flags.readFee,
          writeFee: flags.writeFee,
          workerPolicy: flags.workerPolicy,
          unbondingMs: BigInt(flags.unbonding),
          maxSlashBps: flags.maxSlash,
          debug,
          expectedPcrs: pcrs,
        }),
      );
      for (const gw of flags.registerGateway) {
        await progress.step(`registering gateway ${gw}`, () => registerGateway(executor, packageId, created.clusterId, created.capId, gw));
      }
      if (flags.save) writeConfigValues(rt.config.file, { packageId, clusterId: created.clusterId });
      const result = { network, packageId, clusterId: created.clusterId, capId: created.capId, operator: executor.address, debug, published: published ?? null };
      if (flags.json) process.stdout.write(JSON.stringify(result) + '\n');
      else
        process.stdout.write(
          [
            `cluster ${created.clusterId} created on ${network}${debug ? ' (DEBUG: enclave keys accepted without attestation)' : ''}`,
            `  package    ${packageId}${published ? ` (published in ${published})` : ''}`,
            `  admin cap  ${created.capId} (held by ${executor.address})`,
            flags.save ? `  saved to   ${rt.config.file}` : '',
            '',
          ]
            .filter(Boolean)
            .join('\n') + '\n',
        );
    });
}
