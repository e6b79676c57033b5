/**
 * `k3sdaas gateway`: a shared HTTPS endpoint for kubectl. Users authenticate with credentials they signed for this
 * gateway (`k3sdaas token`); each request is submitted on chain through `submit_via_gateway` and recorded under both
 * the gateway and the user. The gateway's Sui key (the configured signer) pays gas and must be registered for the
 * cluster by its operator.
 */
import { join } from 'node:path';
import { blobStoreFromFlags } from './blob-flags.js';
import { Command, Option } from 'commander';
import { formatDuration } from '../core/duration.js';
import { durationOption } from './duration-flag.js';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { readCluster } from '../core/chain/objects.js';
import { GatewaySubmitter } from '../gateway/submitters.js';
import { parseListen, serveKubeFrontend } from '../gateway/serve.js';
import { cliRuntime } from './context.js';
import { createProgress } from './progress.js';
import { booleanFlag, integerFlag, listenFlag, operatorTls, refusalLimitFlag, untilSignal } from './serve-common.js';
import { DEFAULT_REFUSAL_LIMIT, RefusalLimiter, type RefusalLimit } from '../gateway/refusal-limit.js';

interface GatewayFlags {
  cluster?: string;
  listen?: string;
  dataDir?: string;
  host: string[];
  tlsCert?: string;
  tlsKey?: string;
  blobStore?: string;
  blobCa?: string;
  blobTokenFile?: string;
  walrusPublisher?: string;
  walrusAggregator?: string;
  concurrency: number;
  recordRefusals: boolean;
  drain: number;
  refusalLimit: RefusalLimit;
  json?: boolean;
}

export function gatewayCommand(): Command {
  return new Command('gateway')
    .description('run a shared kubectl gateway: HTTPS in, one on-chain request per kubectl request')
    .option('--cluster <id>', 'cluster object id (default: clusterId from config)')
    .option('--listen <host:port>', 'listen address (default: gateway.listen from config, 127.0.0.1:6443)', listenFlag)
    .option('--data-dir <dir>', 'TLS material lives in <dir>/gateway/tls (default: dataDir from config)')
    .option('--host <name>', 'extra DNS name or IP for the certificate (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--tls-cert <file>', 'serve this certificate (PEM, chain after it) instead of the one from the gateway CA (with --tls-key)')
    .option('--tls-key <file>', 'the private key of --tls-cert')
    .option('--blob-store <url>', "nautilus's blob service, for bodies too large for a transaction")
    .option('--blob-ca <file>', "CA certificate of the blob service (nautilus prints its path)")
    .option('--blob-token-file <file>', "the blob service's upload token (nautilus prints its path)")
    .option('--walrus-publisher <url>', 'store large bodies on Walrus through this publisher (with --walrus-aggregator)')
    .option('--walrus-aggregator <url>', 'read large bodies from Walrus through this aggregator')
    .option('--concurrency <n>', 'transactions in flight at once (one gas coin each)', integerFlag('--concurrency'), 4)
    .option('--record-refusals <bool>', 'execute submissions the contract refuses anyway, so each refusal is on chain (the gateway pays, ~0.003 SUI)', booleanFlag('--record-refusals'), true)
    .addOption(
      new Option('--refusal-limit <count/duration>', 'at most this many recorded refusals per credential (0 = none)')
        .argParser(refusalLimitFlag)
        .default({ ...DEFAULT_REFUSAL_LIMIT }, `${DEFAULT_REFUSAL_LIMIT.limit}/${formatDuration(DEFAULT_REFUSAL_LIMIT.windowMs)}`),
    )
    .addOption(durationOption('--drain <duration>', 'on SIGINT/SIGTERM, how long in-flight kubectl requests may take before they are answered 503', 10_000))
    .option('--json', 'print one JSON line once ready')
    .action(async (flags: GatewayFlags, cmd: Command) => {
      const rt = cliRuntime(cmd, { clusterId: flags.cluster, 'gateway.listen': flags.listen, dataDir: flags.dataDir });
      const clusterId = rt.clusterId();
      const progress = createProgress({ quiet: flags.json });
      const executor = await rt.concurrentExecutor(flags.concurrency);
      const cluster = await progress.step(`reading cluster ${clusterId}`, () => readCluster(rt.client, clusterId));
      if (!cluster.gateways.map((g) => normalizeSuiAddress(g)).includes(normalizeSuiAddress(executor.address))) {
        rt.logger.warn('this gateway is not registered for the cluster; the contract will refuse its requests', {
          gateway: executor.address,
          hint: `the operator runs: k3sdaas deploy --register-gateway ${executor.address} (or cluster::register_gateway)`,
        });
      }
      const { host, port } = parseListen(rt.config.get('gateway.listen')!);
      const blobs = blobStoreFromFlags(flags);
      const served = await progress.step('starting the gateway (chain follower, TLS)', () =>
        serveKubeFrontend({
          client: rt.client,
          chainEndpoint: rt.config.network.rpcUrl,
          packageId: rt.packageId,
          originalPackageId: rt.originalPackageId,
          clusterId,
          submitter: new GatewaySubmitter({
            executor,
            packageId: rt.packageId,
            clusterId,
            blobs,
            recordRefusals: flags.recordRefusals,
            refusalLimiter: new RefusalLimiter(flags.refusalLimit),
          }),
          blobs,
          host,
          port,
          tlsDir: join(rt.config.get('dataDir')!, 'gateway', 'tls'),
          tls: operatorTls(flags),
          drainMs: flags.drain,
          extraHosts: flags.host,
          logger: rt.logger,
          requestWarnings: rt.config.get('requestWarnings') !== 'false',
          info: { clusterId, packageId: rt.packageId },
        }),
      );
      const ready = { url: served.url, address: executor.address, clusterId, packageId: rt.packageId };
      if (flags.json) process.stdout.write(JSON.stringify(ready) + '\n');
      else
        process.stdout.write(
          [
            `gateway listening on ${served.url}`,
            `  gateway address  ${executor.address}`,
            `  cluster          ${clusterId}`,
            `  kubeconfig       k3sdaas kubeconfig --gateway ${served.url}`,
            'Press Ctrl-C to stop.',
            '',
          ].join('\n'),
        );
      await untilSignal(served.stop);
    });
}
