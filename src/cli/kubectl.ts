/**
 * `k3sdaas kubectl <args>` (and the kubectl plugin `kubectl daas <args>`): runs the real kubectl against your
 * kubectl-proxy, starting the proxy in the background on first use and reusing it afterwards.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { loadConfig } from '../core/config/load.js';
import { K3sDaasError } from '../core/errors.js';
import { findPackageRoot } from '../core/move/build.js';
import { readProxyState, type ProxyState } from './proxy-state.js';
import { noteNetworkInUse } from './report.js';

async function healthy(state: ProxyState): Promise<boolean> {
  try {
    process.kill(state.pid, 0);
  } catch {
    return false;
  }
  // The proxy's certificate is self-signed; its CA is in the kubeconfig. A TCP connect is enough to see it is up.
  const { connect } = await import('node:net');
  const url = new URL(state.url);
  return new Promise((resolve) => {
    const s = connect(Number(url.port), url.hostname, () => (s.end(), resolve(true)));
    s.on('error', () => resolve(false));
    s.setTimeout(1000, () => (s.destroy(), resolve(false)));
  });
}

function startProxy(dataDir: string, tokenId?: string): Promise<ProxyState> {
  const bin = join(findPackageRoot(), 'bin', 'k3sdaas');
  mkdirSync(join(dataDir, 'proxy'), { recursive: true, mode: 0o700 });
  const log = openSync(join(dataDir, 'proxy', 'proxy.log'), 'a', 0o600);
  process.stderr.write('… starting kubectl-proxy (first use)\n');
  const child = spawn(bin, ['kubectl-proxy', '--json', ...(tokenId ? ['--seal-token', tokenId] : [])], { detached: true, stdio: ['ignore', 'pipe', log], env: process.env });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new K3sDaasError('PROXY_START_TIMEOUT', `kubectl-proxy did not start; see ${join(dataDir, 'proxy', 'proxy.log')}`)), 60_000);
    child.stdout!.on('data', (c) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      clearTimeout(timer);
      child.stdout!.destroy();
      child.unref();
      try {
        resolve(JSON.parse(out.slice(0, nl)) as ProxyState);
      } catch {
        reject(new K3sDaasError('PROXY_START_FAILED', `kubectl-proxy printed: ${out.slice(0, nl)}`));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new K3sDaasError('PROXY_START_FAILED', `kubectl-proxy exited with ${code}; see ${join(dataDir, 'proxy', 'proxy.log')}`));
    });
  });
}

const OWN_FLAGS: Record<string, 'config' | 'network' | 'sealToken'> = { '--config': 'config', '--network': 'network', '--seal-token': 'sealToken' };

/**
 * Splits `kubectl daas [--seal-token ID] [--config FILE] [--network NET] <kubectl args…>`: our flags come first,
 * everything from the first other argument on is kubectl's, unchanged.
 */
export function splitDaasArgs(args: string[]): { globals: { config?: string; network?: string; sealToken?: string }; rest: string[] } {
  const globals: { config?: string; network?: string; sealToken?: string } = {};
  let i = 0;
  while (i < args.length) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    const key = OWN_FLAGS[flag];
    if (!key) break;
    const value = inline ?? args[i + 1];
    if (value === undefined || value === '') throw new K3sDaasError('CONFIG_INVALID', `${flag} needs a value`);
    globals[key] = value;
    i += inline === undefined ? 2 : 1;
  }
  return { globals, rest: args.slice(i) };
}

/** Runs kubectl with `args` against the running (or freshly started) kubectl-proxy; resolves kubectl's exit code. */
export async function runKubectlViaProxy(args: string[], globals: { config?: string; network?: string; sealToken?: string } = {}): Promise<number> {
  const config = loadConfig({ file: globals.config, flags: { network: globals.network, sealToken: globals.sealToken } });
  noteNetworkInUse(config.network.rpcUrl);
  // A proxy started from here must see the same configuration.
  if (globals.config) process.env.K3SDAAS_CONFIG = globals.config;
  if (globals.network) process.env.K3SDAAS_NETWORK = globals.network;
  const dataDir = config.get('dataDir')!;
  // a picked SealToken: the default proxy if it already submits with it, else a proxy of that token's own
  const wanted = config.get('sealToken');
  const usable = async (s: ProxyState | null) => !!s && (!wanted || s.tokenId === wanted) && (await healthy(s));
  let state = readProxyState(dataDir);
  if (!(await usable(state))) state = wanted ? readProxyState(dataDir, wanted) : null;
  if (!state || !(await usable(state))) state = await startProxy(dataDir, wanted);
  const clusterId = config.get('clusterId');
  if ((clusterId && normalizeSuiAddress(clusterId) !== normalizeSuiAddress(state.clusterId)) || state.rpcUrl !== config.network.rpcUrl) {
    throw new K3sDaasError(
      'PROXY_MISMATCH',
      `the running kubectl-proxy (pid ${state.pid}, ${state.url}) serves cluster ${state.clusterId} on ${state.rpcUrl}, ` +
        `but your config names cluster ${clusterId ?? '(none)'} on ${config.network.rpcUrl}: stop it (kill ${state.pid}) or switch back`,
    );
  }
  const child = spawn(process.env.K3SDAAS_KUBECTL ?? 'kubectl', ['--kubeconfig', state.kubeconfig, '--context', state.context, ...args], {
    stdio: 'inherit',
  });
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    child.on('error', (err) => {
      process.stderr.write(`error: cannot run kubectl: ${err.message}\n`);
      resolve(127);
    });
  });
}

export function kubectlCommand(): Command {
  return new Command('kubectl')
    .description('run kubectl through your kubectl-proxy (started on demand); also available as `kubectl daas`')
    .argument('[kubectl-args...]', 'arguments for kubectl, passed through unchanged')
    .option('--seal-token <id>', 'submit with this SealToken (default: the sealToken config key, or your only token)')
    .allowUnknownOption()
    .helpOption('-h, --help', 'show this help (kubectl’s own help: k3sdaas kubectl help)')
    .action(async (args: string[], _opts: unknown, cmd: Command) => {
      process.exitCode = await runKubectlViaProxy(args, cmd.optsWithGlobals<{ config?: string; network?: string; sealToken?: string }>());
    });
}
