/**
 * `k3sdaas dev`: the whole system in one command on the embedded default — localnet, a debug cluster, the embedded
 * Kubernetes API (or a real cluster with --kubeconfig), nautilus, the gateway and a kubectl-proxy for a funded dev
 * user with a SealToken — plus a kubeconfig context `k3sdaas-dev` and a config so `kubectl daas` and
 * `k3sdaas watch` work right away. State persists in the data dir; a second `dev` resumes it unless --reset.
 */
import { createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, writeConfigValues } from '../core/config/index.js';
import { writeKubeconfigContext } from '../core/kube/index.js';
import { createLogger, type LogLevel } from '../core/log.js';
import { startSandbox } from '../dev/sandbox.js';
import { cliConfig } from './context.js';
import { k3sdaasBin } from './kubeconfig.js';
import { DEV_TENANT_CONTEXT, ensureDevTenant } from './dev-tenant.js';
import { proxyStateFile, readProxyState, type ProxyState } from './kubectl-proxy.js';
import { createProgress } from './progress.js';
import { durationOption } from './duration-flag.js';
import { untilSignal } from './serve-common.js';

interface DevFlags {
  dataDir?: string;
  reset?: boolean;
  kubeconfig?: string;
  kubeconfigOut?: string;
  rpcPort: number;
  faucetPort: number;
  gatewayPort: number;
  checkpointMs: number;
  json?: boolean;
}

const port = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`${name} must be a port number (0 = any free port)`);
  return n;
};

export const DEV_CONTEXT = 'k3sdaas-dev';

/** Starts the sandbox; a port already in use is reported with the flag that sets it. */
async function startSandboxNamingPorts(flags: DevFlags, options: Parameters<typeof startSandbox>[0]): ReturnType<typeof startSandbox> {
  try {
    return await startSandbox(options);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { port?: number };
    if (e.code !== 'EADDRINUSE') throw err;
    const port = e.port ?? Number(/:(\d+)\b/.exec(e.message)?.[1]);
    const flag = port === flags.gatewayPort ? '--gateway-port' : port === flags.rpcPort ? '--rpc-port' : port === flags.faucetPort ? '--faucet-port' : undefined;
    throw new ConfigError(
      flag
        ? `port ${port} (${flag}) is already in use — another \`k3sdaas dev\`? Stop it, or pass ${flag} <port> (0 picks a free one)`
        : `port ${port} is already in use: ${e.message}`,
      { key: flag?.slice(2) },
    );
  }
}

export interface SandboxLayout {
  dataDir: string;
  /** Whether the sandbox has a data dir of its own (--data-dir, or a config that names a sandbox dir). */
  ownDir: boolean;
  /** The config file this sandbox writes and its exec plugin reads. */
  configFile: string;
  /** Where its kubectl-proxy state lives (`<stateDir>/proxy/state.json`). */
  stateDir: string;
  kubeconfig: string;
}

/**
 * Where a sandbox keeps things. The default sandbox (~/.k3sdaas/dev) points the user's config and kubeconfig at
 * itself, as before; a sandbox with a data dir of its own keeps config, proxy state and kubeconfig in that dir, so
 * two sandboxes side by side never rewrite each other's. An explicit --config / K3SDAAS_CONFIG is always the one used.
 */
export function sandboxLayout(configFile: string, configDataDir: string, flags: { dataDir?: string; kubeconfigOut?: string }, explicitConfig?: string): SandboxLayout {
  // a config written by a sandbox of its own names that dir as dataDir: resume it rather than nest <dir>/dev
  const configNamesSandbox = !flags.dataDir && existsSync(join(configDataDir, 'sandbox.json'));
  const dataDir = flags.dataDir ?? (configNamesSandbox ? configDataDir : join(configDataDir, 'dev'));
  const ownDir = !!flags.dataDir || configNamesSandbox;
  return {
    dataDir,
    ownDir,
    configFile: explicitConfig ?? (ownDir ? join(dataDir, 'config.yaml') : configFile),
    stateDir: ownDir ? dataDir : configDataDir,
    kubeconfig: flags.kubeconfigOut ?? (ownDir ? join(dataDir, 'kubeconfig') : (process.env.KUBECONFIG?.split(':')[0] || join(homedir(), '.kube', 'config'))),
  };
}

export function devCommand(): Command {
  return new Command('dev')
    .description('run the whole system locally: localnet, cluster, Kubernetes API, nautilus, gateway, kubectl-proxy')
    .option('--data-dir <dir>', 'state directory; a sandbox of its own: its config, proxy state and kubeconfig live there too (default: <dataDir>/dev, i.e. ~/.k3sdaas/dev)')
    .option('--reset', 'wipe the state directory first')
    .option('--kubeconfig <file>', 'forward to this real cluster instead of the embedded Kubernetes API')
    .option('--kubeconfig-out <file>', 'write the k3sdaas-dev context here (default: <data-dir>/kubeconfig with --data-dir, else $KUBECONFIG or ~/.kube/config)')
    .option('--rpc-port <port>', 'localnet gRPC port', port('--rpc-port'), 9000)
    .option('--faucet-port <port>', 'localnet faucet port', port('--faucet-port'), 9123)
    .option('--gateway-port <port>', 'gateway HTTPS port', port('--gateway-port'), 7443)
    .addOption(durationOption('--checkpoint-ms <ms>', 'localnet checkpoint interval (ms, or a duration such as 1s)', 250, { bare: 'ms' }))
    .option('--json', 'print one JSON line once ready')
    .action(async (flags: DevFlags, cmd: Command) => {
      const config = cliConfig(cmd);
      const layout = sandboxLayout(config.file, config.get('dataDir')!, flags, cmd.optsWithGlobals<{ config?: string }>().config ?? process.env.K3SDAAS_CONFIG);
      const { dataDir } = layout;
      if (flags.reset) rmSync(dataDir, { recursive: true, force: true });
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      const logFile = join(dataDir, 'dev.log');
      const logStream = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
      const logger = createLogger({ level: config.get('logLevel') as LogLevel, write: (l) => logStream.write(l + '\n') });
      const progress = createProgress({ quiet: flags.json });

      const sb = await progress.step('starting localnet, cluster, Kubernetes API, nautilus, gateway and kubectl-proxy', () =>
        startSandboxNamingPorts(flags, {
          dataDir,
          rpcPort: flags.rpcPort,
          faucetPort: flags.faucetPort,
          gatewayPort: flags.gatewayPort,
          proxyPort: 0,
          checkpointMs: flags.checkpointMs,
          kubeconfig: flags.kubeconfig,
          requestWarnings: config.get('requestWarnings') !== 'false',
          logger,
        }),
      );

      // The dev user's key (a localnet dev account) for the exec plugin and kubectl-proxy; never printed.
      const keyFile = join(dataDir, 'dev-user.key');
      writeFileSync(keyFile, sb.user.keypair.getSecretKey() + '\n', { mode: 0o600 });
      const kubeconfig = layout.kubeconfig;
      writeKubeconfigContext(kubeconfig, {
        name: DEV_CONTEXT,
        server: sb.gatewayUrl,
        caPem: sb.tls.caPem,
        auth: { exec: {
          command: k3sdaasBin(),
          args: ['token', '--gateway-address', sb.gatewayAddress, '--cluster', sb.clusterId, '--seal-token', sb.user.tokenId],
          env: [
            { name: 'K3SDAAS_NETWORK', value: sb.localnet.rpcUrl },
            { name: 'K3SDAAS_PACKAGE_ID', value: sb.packageId },
            { name: 'K3SDAAS_KEY_FILE', value: keyFile },
            // the plugin reads this sandbox's config, never the user's default one
            { name: 'K3SDAAS_CONFIG', value: layout.configFile },
          ],
        } },
      });
      // A second context: a tenant of namespace dev-tenant only, to try the isolation next to the operator.
      const tenant = await progress.step('staking the dev tenant on namespace dev-tenant', () => ensureDevTenant(sb, dataDir));
      writeKubeconfigContext(kubeconfig, {
        name: DEV_TENANT_CONTEXT,
        server: sb.gatewayUrl,
        caPem: sb.tls.caPem,
        namespace: tenant.namespace,
        auth: { exec: {
          command: k3sdaasBin(),
          args: ['token', '--gateway-address', sb.gatewayAddress, '--cluster', sb.clusterId, '--seal-token', tenant.tokenId],
          env: [
            { name: 'K3SDAAS_NETWORK', value: sb.localnet.rpcUrl },
            { name: 'K3SDAAS_PACKAGE_ID', value: sb.packageId },
            { name: 'K3SDAAS_KEY_FILE', value: tenant.keyFile },
          ],
        } },
      }, { setCurrent: false });
      // `kubectl daas`, `stake` and `watch` read this config: it names this sandbox (and, for a sandbox of its own
      // data dir, that dir, so the proxy state is found there); another sandbox's config is never touched.
      writeConfigValues(layout.configFile, { network: sb.localnet.rpcUrl, packageId: sb.packageId, clusterId: sb.clusterId, keyFile, ...(layout.ownDir ? { dataDir } : {}) });
      const proxyKubeconfig = join(dataDir, 'proxy-kubeconfig');
      writeKubeconfigContext(proxyKubeconfig, { name: 'k3sdaas-proxy', server: sb.proxyUrl!, caPem: sb.tls.caPem, auth: { token: sb.proxySecret } }, { setCurrent: true });
      const state: ProxyState = {
        url: sb.proxyUrl!,
        token: sb.proxySecret,
        pid: process.pid,
        kubeconfig: proxyKubeconfig,
        context: 'k3sdaas-proxy',
        clusterId: sb.clusterId,
        rpcUrl: sb.localnet.rpcUrl,
        tokenId: sb.user.tokenId,
      };
      const stateDir = layout.stateDir;
      mkdirSync(join(stateDir, 'proxy'), { recursive: true, mode: 0o700 });
      writeFileSync(proxyStateFile(stateDir), JSON.stringify(state), { mode: 0o600 });

      const ready = {
        rpcUrl: sb.localnet.rpcUrl,
        faucetUrl: sb.localnet.faucetUrl,
        gatewayUrl: sb.gatewayUrl,
        proxyUrl: sb.proxyUrl,
        kubeconfig,
        context: DEV_CONTEXT,
        packageId: sb.packageId,
        clusterId: sb.clusterId,
        user: sb.user.address,
        sealToken: sb.user.tokenId,
        tenantContext: DEV_TENANT_CONTEXT,
        tenant: tenant.address,
        tenantSealToken: tenant.tokenId,
        tenantNamespace: tenant.namespace,
        dataDir,
        config: layout.configFile,
        log: logFile,
      };
      if (flags.json) process.stdout.write(JSON.stringify(ready) + '\n');
      else
        process.stdout.write(
          [
            'k3sdaas dev is running',
            `  localnet     ${sb.localnet.rpcUrl} (package ${sb.packageId})`,
            `  cluster      ${sb.clusterId} (debug)`,
            `  kubernetes   ${sb.kube ? sb.kube.url + ' (embedded)' : flags.kubeconfig}`,
            `  gateway      ${sb.gatewayUrl}`,
            `  dev user     ${sb.user.address} (SealToken ${sb.user.tokenId}, admin: cluster-wide, as kind/k3d give cluster-admin)`,
            `  dev tenant   ${tenant.address} (SealToken ${tenant.tokenId}, tenant of ${tenant.namespace} only)`,
            `  kubeconfig   contexts ${DEV_CONTEXT} and ${DEV_TENANT_CONTEXT} in ${kubeconfig}`,
            `  config       ${layout.configFile}`,
            `  logs         ${logFile}`,
            '',
            'Try:',
            ...(layout.ownDir ? [`  export K3SDAAS_CONFIG=${layout.configFile} KUBECONFIG=${kubeconfig}`] : []),
            `  kubectl --context ${DEV_CONTEXT} get pods`,
            `  kubectl --context ${DEV_TENANT_CONTEXT} create deployment web --image=nginx   (in ${tenant.namespace})`,
            `  kubectl --context ${DEV_TENANT_CONTEXT} get pods -n kube-system             (refused by the contract)`,
            '  kubectl daas get pods          (kubectl-daas from node_modules/.bin or bin/ on PATH)',
            '  k3sdaas watch',
            '',
            'Press Ctrl-C to stop.',
            '',
          ].join('\n'),
        );
      await untilSignal(async () => {
        if (readProxyState(stateDir)?.pid === process.pid) rmSync(proxyStateFile(stateDir), { force: true });
        await sb.stop();
        await new Promise((r) => logStream.end(r));
      });
    });
}
