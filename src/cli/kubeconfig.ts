/**
 * `k3sdaas kubeconfig --gateway URL | --proxy`: writes a kubeconfig context for a gateway (its CA plus the
 * `k3sdaas token` exec credential plugin) or for your kubectl-proxy.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { Agent, request } from 'undici';
import { ConfigError } from '../core/config/index.js';
import { K3sDaasError } from '../core/errors.js';
import { writeKubeconfigContext } from '../core/kube/index.js';
import { findPackageRoot } from '../core/move/build.js';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { parseObjectId, readSealToken } from '../core/tenancy.js';
import { cliRuntime } from './context.js';
import { readProxyState } from './kubectl-proxy.js';

interface GatewayInfo {
  mode: string;
  address: string;
  caPem: string;
  clusterId: string;
  packageId: string;
}

/** Fetches the gateway's public info. With `ca` the TLS chain is verified; without it, trust on first use. */
export async function fetchGatewayInfo(url: string, ca?: string): Promise<GatewayInfo> {
  const dispatcher = new Agent({ connect: ca ? { ca } : { rejectUnauthorized: false } });
  try {
    const res = await request(new URL('/k3sdaas/v1/info', url), { dispatcher });
    if (res.statusCode !== 200) throw new K3sDaasError('GATEWAY_INFO', `${url} answered ${res.statusCode} to /k3sdaas/v1/info: is it a k3sdaas gateway?`);
    return (await res.body.json()) as GatewayInfo;
  } catch (err) {
    if (err instanceof K3sDaasError) throw err;
    throw new K3sDaasError('GATEWAY_UNREACHABLE', `cannot reach gateway ${url}: ${(err as Error).message}`);
  } finally {
    await dispatcher.close();
  }
}

export const k3sdaasBin = () => join(findPackageRoot(), 'bin', 'k3sdaas');

/** The --seal-token the exec plugin will sign for: an existing SealToken of the gateway's cluster. */
async function sealTokenFor(rt: ReturnType<typeof cliRuntime>, value: string, clusterId: string): Promise<string> {
  const tokenId = parseObjectId(value, '--seal-token');
  const token = await readSealToken(rt.client, tokenId).catch((err: Error) => {
    throw new ConfigError(`--seal-token: ${err.message}`);
  });
  if (normalizeSuiAddress(token.clusterId) !== normalizeSuiAddress(clusterId)) {
    throw new ConfigError(`--seal-token: SealToken ${tokenId} belongs to cluster ${token.clusterId}, not to this gateway's cluster ${clusterId}`);
  }
  return tokenId;
}

interface KubeconfigFlags {
  gateway?: string;
  proxy?: boolean;
  ca?: string;
  context?: string;
  out?: string;
  sealToken?: string;
  json?: boolean;
}

export function kubeconfigCommand(): Command {
  return new Command('kubeconfig')
    .description('write a kubeconfig context for a gateway (CA + `k3sdaas token` exec plugin) or your kubectl-proxy')
    .option('--gateway <url>', 'gateway URL, e.g. https://gateway.example:6443')
    .option('--proxy', 'the context of your running kubectl-proxy')
    .option('--ca <file>', "the gateway's CA certificate (default: trust on first use, fingerprint printed)")
    .option('--context <name>', 'context name', 'k3sdaas')
    .option('--seal-token <id>', 'SealToken the exec plugin signs credentials for (default: your only one on the cluster)')
    .option('--out <file>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--json', 'print what was written as JSON')
    .action(async (flags: KubeconfigFlags, cmd: Command) => {
      if (!flags.gateway === !flags.proxy) throw new ConfigError('pass exactly one of --gateway <url> or --proxy');
      const rt = cliRuntime(cmd);
      const out = flags.out ?? process.env.KUBECONFIG?.split(':')[0] ?? join(homedir(), '.kube', 'config');
      if (flags.proxy) {
        const state = readProxyState(rt.config.get('dataDir')!);
        if (!state) throw new ConfigError('no kubectl-proxy is running: start one with `k3sdaas kubectl-proxy`');
        const caPem = Buffer.from(
          (readFileSync(state.kubeconfig, 'utf8').match(/certificate-authority-data: (\S+)/) ?? [])[1] ?? '',
          'base64',
        ).toString();
        writeKubeconfigContext(out, { name: flags.context!, server: state.url, caPem, auth: { token: state.token } });
        process.stdout.write(flags.json ? JSON.stringify({ kubeconfig: out, context: flags.context, server: state.url }) + '\n' : `context ${flags.context} → ${state.url} written to ${out}\n`);
        return;
      }
      const ca = flags.ca ? readFileSync(flags.ca, 'utf8') : undefined;
      const info = await fetchGatewayInfo(flags.gateway!, ca);
      if (info.mode !== 'gateway') throw new ConfigError(`${flags.gateway} is a ${info.mode}, not a gateway`);
      const fingerprint = createHash('sha256').update(new X509Certificate(info.caPem).raw).digest('hex');
      if (!ca) process.stderr.write(`warning: trusting the gateway CA on first use, sha256 ${fingerprint}\n`);
      const args = ['token', '--gateway-address', info.address, '--cluster', info.clusterId];
      if (flags.sealToken) args.push('--seal-token', await sealTokenFor(rt, flags.sealToken, info.clusterId));
      const env = [
        { name: 'K3SDAAS_NETWORK', value: rt.config.get('network')! },
        { name: 'K3SDAAS_PACKAGE_ID', value: info.packageId },
      ];
      writeKubeconfigContext(out, { name: flags.context!, server: flags.gateway!, caPem: info.caPem, auth: { exec: { command: k3sdaasBin(), args, env } } });
      const result = { kubeconfig: out, context: flags.context, server: flags.gateway, gatewayAddress: info.address, caFingerprint: fingerprint };
      process.stdout.write(flags.json ? JSON.stringify(result) + '\n' : `context ${flags.context} → ${flags.gateway} written to ${out}\n  kubectl --context ${flags.context} get pods\n`);
    });
}
