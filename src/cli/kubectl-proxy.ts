/**
 * `k3sdaas kubectl-proxy`: the gateway run by the user on loopback, signing every request with the user's own key
 * (transaction sender = user, SealToken as owned input): no third party is trusted. Writes a kubeconfig for itself
 * and a state file so `kubectl daas` (k3sdaas kubectl) can find it.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { Command } from 'commander';
import { listSealTokens } from '../core/chain/objects.js';
import { ConfigError } from '../core/config/index.js';
import { writeKubeconfigContext } from '../core/kube/index.js';
import { TranscriptWriter, type SessionGrant } from '../core/session/index.js';
import { ProxySubmitter, newProxySecret } from '../gateway/submitters.js';
import { parseListen, serveKubeFrontend } from '../gateway/serve.js';
import { cliRuntime } from './context.js';
import { createProgress } from './progress.js';
import { listenFlag, untilSignal } from './serve-common.js';
import { proxyStateFile, readProxyState, type ProxyState } from './proxy-state.js';

export { proxyStateFile, readProxyState, type ProxyState } from './proxy-state.js';

function saveReplyKey(dir: string) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return (requestId: string, secret: Uint8Array) =>
    writeFileSync(join(dir, `${requestId}.key`), Buffer.from(secret).toString('hex') + '\n', { mode: 0o600 });
}

/** Each streaming session's frames as <dir>/<request id>.transcript (`k3sdaas verify --transcript`). */
function saveTranscript(dir: string) {
  return (grant: SessionGrant) => new TranscriptWriter(join(dir, `${grant.sessionId}.transcript`), grant);
}

interface ProxyFlags {
  cluster?: string;
  listen: string;
  sealToken?: string;
  kubeconfigOut?: string;
  saveReplyKeys?: string;
  json?: boolean;
}

export function kubectlProxyCommand(): Command {
  return new Command('kubectl-proxy')
    .description('run a local kubectl endpoint that signs each request with your own Sui key (loopback only)')
    .option('--cluster <id>', 'cluster object id (default: clusterId from config)')
    .option('--listen <host:port>', 'loopback address to listen on', listenFlag, '127.0.0.1:0')
    .option('--seal-token <id>', 'SealToken to submit with (default: your only token for the cluster)')
    .option('--kubeconfig-out <file>', 'write the kubeconfig here (default: <dataDir>/proxy/kubeconfig)')
    .option('--save-reply-keys <dir>', 'keep each request\'s reply key as <dir>/<request id>.key, so `k3sdaas verify --reply-key` can check the answer body, and each stream\'s transcript as <dir>/<request id>.transcript (`k3sdaas verify --transcript`)')
    .option('--json', 'print one JSON line once ready')
    .action(async (flags: ProxyFlags, cmd: Command) => {
      const rt = cliRuntime(cmd, { clusterId: flags.cluster });
      const { host, port } = parseListen(flags.listen);
      if (!(host === 'localhost' || (isIP(host) && (host.startsWith('127.') || host === '::1')))) {
        throw new ConfigError(`kubectl-proxy signs with your key for whoever connects: it listens on loopback only, not ${host}`);
      }
      const clusterId = rt.clusterId();
      const { address } = rt.signer();
      const progress = createProgress({ quiet: flags.json });
      const picked = flags.sealToken ?? rt.config.get('sealToken');
      let tokenId = picked;
      if (!tokenId) {
        const tokens = await progress.step('finding your SealToken', () => listSealTokens(rt.client, address, rt.originalPackageId, clusterId));
        if (tokens.length === 0) throw new ConfigError(`${address} holds no SealToken for cluster ${clusterId}: run \`k3sdaas stake add\``);
        if (tokens.length > 1) throw new ConfigError(`${address} holds ${tokens.length} SealTokens for this cluster (${tokens.map((t) => t.id).join(', ')}); pick one with --seal-token or the sealToken config key`, { key: 'sealToken' });
        tokenId = tokens[0].id;
      }
      const dataDir = rt.config.get('dataDir')!;
      const secret = newProxySecret();
      const executor = await rt.concurrentExecutor(4);
      const served = await progress.step('starting kubectl-proxy', () =>
        serveKubeFrontend({
          client: rt.client,
          chainEndpoint: rt.config.network.rpcUrl,
          packageId: rt.packageId,
          originalPackageId: rt.originalPackageId,
          clusterId,
          submitter: new ProxySubmitter({ executor, packageId: rt.packageId, clusterId, tokenId, secret }),
          host,
          port,
          tlsDir: join(dataDir, 'proxy', 'tls'),
          logger: rt.logger,
          info: { clusterId, packageId: rt.packageId },
          onReplyKey: flags.saveReplyKeys ? saveReplyKey(flags.saveReplyKeys) : undefined,
          sessionTranscript: flags.saveReplyKeys ? saveTranscript(flags.saveReplyKeys) : undefined,
          requestWarnings: rt.config.get('requestWarnings') !== 'false',
        }),
      );
      const kubeconfig = flags.kubeconfigOut ?? join(dataDir, 'proxy', 'kubeconfig');
      const context = 'k3sdaas-proxy';
      writeKubeconfigContext(kubeconfig, { name: context, server: served.url, caPem: served.tls.caPem, auth: { token: secret } }, { setCurrent: true });
      const state: ProxyState = { url: served.url, token: secret, pid: process.pid, kubeconfig, context, clusterId, rpcUrl: rt.config.network.rpcUrl, tokenId };
      mkdirSync(join(dataDir, 'proxy'), { recursive: true, mode: 0o700 });
      const stateFile = proxyStateFile(dataDir, flags.sealToken);
      writeFileSync(stateFile, JSON.stringify(state), { mode: 0o600 });
      if (flags.json) process.stdout.write(JSON.stringify({ ...state, address, tokenId }) + '\n');
      else process.stdout.write(`kubectl-proxy on ${served.url} as ${address}\n  kubectl --kubeconfig ${kubeconfig} get pods\n`);
      await untilSignal(async () => {
        if (readProxyState(dataDir, flags.sealToken)?.pid === process.pid) rmSync(stateFile, { force: true });
        await served.stop();
      });
    });
}
