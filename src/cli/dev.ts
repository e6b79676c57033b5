/**
 * `k3sdaas dev`: the whole system in one command on the embedded default — localnet, a debug cluster, the embedded
 * Kubernetes API (or a real cluster with --kubeconfig), nautilus, the gateway and a kubectl-proxy for a funded dev
 * user with a SealToken — plus a kubeconfig context `k3sdaas-dev` and a config so `kubectl daas` and
 * `k3sdaas watch` work right away. State persists in the data dir; a second `dev` resumes it unless --reset.
 */
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { writeConfigValues } from '../core/config/index.js';
import { writeKubeconfigContext } from '../core/kube/index.js';
import { createLogger, type LogLevel } from '../core/log.js';
import { startSandbox } from '../dev/sandbox.js';
import { cliConfig } from './context.js';
import { k3sdaasBin } from './kubeconfig.js';
import { DEV_TENANT_CONTEXT, ensureDevTenant } from './dev-tenant.js';
import { proxyStateFile, readProxyState, type ProxyState } from './kubectl-proxy.js';
import { createProgress } from './progress.js';
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

export function devCommand(): Command {
  return new Command('dev')
    .description('run the whole system locally: localnet, cluster, Kubernetes API, nautilus, gateway, kubectl-proxy')
    .option('--data-dir <dir>', 'state directory (default: <dataDir>/dev, i.e. ~/.k3sdaas/dev)')
    .option('--reset', 'wipe the state directory first')
    .option('--kubeconfig <file>', 'forward to this real cluster instead of the embedded Kubernetes API')
    .option('--kubeconfig-out <file>', 'write the k3sdaas-dev context here (default: $KUBECONFIG or ~/.kube/config)')
    .option('--rpc-port <port>', 'localnet gRPC port', port('--rpc-port'), 9000)
    .option('--faucet-port <port>', 'localnet faucet port', port('--faucet-port'), 9123)
    .option('--gateway-port <port>', 'gateway HTTPS port', port('--gateway-port'), 7443)
    .option('--checkpoint-ms <ms>', 'localnet checkpoint interval', port('--checkpoint-ms'), 250)
    .option('--json', 'print one JSON line once ready')
    .action(async (flags: DevFlags, cmd: Command) => {
      const config = cliConfig(cmd);
      const dataDir = flags.dataDir ?? join(config.get('dataDir')!, 'dev');
      if (flags.reset) rmSync(dataDir, { recursive: true, force: true });
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      const logFile = join(dataDir, 'dev.log');
      const logStream = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
      const logger = createLogger({ level: config.get('logLevel') as LogLevel, write: (l) => logStream.write(l + '\n') });
      const progress = createProgress({ quiet: flags.json });

      const sb = await progress.step('starting localnet, cluster, Kubernetes API, nautilus, gateway and kubectl-proxy', () =>
        startSandbox({
          dataDir,
          rpcPort: flags.rpcPort,
          faucetPort: flags.faucetPort,
          gatewayPort: flags.gatewayPort,
          proxyPort: 0,
          checkpointMs: flags.checkpointMs,
          kubeconfig: flags.kubeconfig,
          logger,
        }),
      );

      // The dev user's key (a localnet dev account) for the exec plugin and kubectl-proxy; never printed.
      const keyFile = join(dataDir, 'dev-user.key');
      writeFileSync(keyFile, sb.user.keypair.getSecretKey() + '\n', { mode: 0o600 });
      const kubeconfig = flags.kubeconfigOut ?? process.env.KUBECONFIG?.split(':')[0] ?? join(homedir(), '.kube', 'config');
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
      // `kubectl daas` and `k3sdaas watch` use the config file: point it at this sandbox.
      writeConfigValues(config.file, { network: sb.localnet.rpcUrl, packageId: sb.packageId, clusterId: sb.clusterId, keyFile });
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
      };
      const stateDir = config.get('dataDir')!;
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
        config: config.file,
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
            `  config       ${config.file}`,
            `  logs         ${logFile}`,
            '',
            'Try:',
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
