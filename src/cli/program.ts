/**
 * The `k3sdaas` command tree. Each subcommand lives in its own file and is registered only once it works; a run
 * loads only the file of the subcommand it names (`import()`), so `k3sdaas token` never parses the gateway, Ink or
 * @kubernetes/client-node. Top-level help is drawn from SUBCOMMANDS (name, usage term, description), which
 * test/cli.test.ts checks against the real commands.
 */
import { Command, Help } from 'commander';
import { VERSION } from '../core/version.js';

export interface SubcommandEntry {
  name: string;
  /** How top-level help shows it, as commander would (`token [options]`). */
  term: string;
  description: string;
  load(): Promise<Command>;
}

/** In help order. Keep `term` and `description` equal to the command's own (test/cli.test.ts fails otherwise). */
export const SUBCOMMANDS: SubcommandEntry[] = [
  { name: 'config', term: 'config', description: 'show or change the k3sdaas configuration', load: async () => (await import('./config.js')).configCommand() },
  { name: 'dev', term: 'dev [options]', description: 'run the whole system locally: localnet, cluster, Kubernetes API, nautilus, gateway, kubectl-proxy', load: async () => (await import('./dev.js')).devCommand() },
  { name: 'localnet', term: 'localnet', description: 'an embedded Sui-compatible dev chain with the K3s-DaaS package', load: async () => (await import('./localnet.js')).localnetCommand() },
  { name: 'deploy', term: 'deploy [options]', description: 'create a Cluster on chain (publishing the package first on public networks) and record its ids', load: async () => (await import('./deploy.js')).deployCommand() },
  { name: 'nautilus', term: 'nautilus', description: 'the control-plane host: executes on-chain requests against k3s', load: async () => (await import('./nautilus.js')).nautilusCommand() },
  { name: 'gateway', term: 'gateway [options]', description: 'run a shared kubectl gateway: HTTPS in, one on-chain request per kubectl request', load: async () => (await import('./gateway.js')).gatewayCommand() },
  { name: 'kubectl-proxy', term: 'kubectl-proxy [options]', description: 'run a local kubectl endpoint that signs each request with your own Sui key (loopback only)', load: async () => (await import('./kubectl-proxy.js')).kubectlProxyCommand() },
  { name: 'kubectl', term: 'kubectl [options] [kubectl-args...]', description: 'run kubectl through your kubectl-proxy (started on demand); also available as `kubectl daas`', load: async () => (await import('./kubectl.js')).kubectlCommand() },
  { name: 'kubeconfig', term: 'kubeconfig [options]', description: 'write a kubeconfig context for a gateway (CA + `k3sdaas token` exec plugin) or your kubectl-proxy', load: async () => (await import('./kubeconfig.js')).kubeconfigCommand() },
  { name: 'token', term: 'token [options]', description: 'print a short-lived gateway credential as a kubectl ExecCredential (used as the kubeconfig exec plugin)', load: async () => (await import('./token.js')).tokenCommand() },
  { name: 'stake', term: 'stake', description: 'stake SUI for SealTokens (cluster access), list and withdraw them', load: async () => (await import('./stake.js')).stakeCommand() },
  { name: 'grant', term: 'grant [options] <token>', description: 'give a SealToken a cluster role (operator only; effective for its next request)', load: async () => (await import('./grant.js')).grantCommand() },
  { name: 'revoke', term: 'revoke [options] <token>', description: "take a SealToken's cluster role away (operator only); it stays a tenant of its own namespace", load: async () => (await import('./revoke.js')).revokeCommand() },
  { name: 'tenants', term: 'tenants [options]', description: "a cluster's tenant namespaces: who claimed each, with which SealToken", load: async () => (await import('./tenants.js')).tenantsCommand() },
  { name: 'revenue', term: 'revenue', description: "a cluster's request fees and revenue; withdraw it (operator)", load: async () => (await import('./revenue.js')).revenueCommand() },
  { name: 'worker', term: 'worker', description: 'join a cluster as a compute provider (stake, k3s agent, heartbeats)', load: async () => (await import('./worker.js')).workerCommand() },
  { name: 'watch', term: 'watch [options]', description: "follow requests on chain: each request's lifecycle, the workers, and totals", load: async () => (await import('./watch.js')).watchCommand() },
  { name: 'verify', term: 'verify [options] <request-id>', description: "check that a request was answered by the cluster's enclave: signature, key at the time, timestamps, attestation", load: async () => (await import('./verify.js')).verifyCommand() },
];

function rootCommand(): Command {
  return new Command('k3sdaas')
    .description('Kubernetes (k3s) as a decentralized service on Sui')
    .version(VERSION)
    .option('--config <file>', 'config file (default ~/.k3sdaas/config.yaml, or $K3SDAAS_CONFIG)')
    .option('--network <name|url>', 'localnet, devnet, testnet, mainnet, or a gRPC URL')
    .option('--log-level <level>', 'debug, info, warn or error')
    .showHelpAfterError('(run with --help for usage)');
}

/**
 * The subcommand an argv names (skipping the root's options and their values; `help <name>` names `<name>`), or
 * undefined when it names none (`k3sdaas --help`, an unknown word).
 */
export function subcommandOf(argv: string[], root: Command = rootCommand()): SubcommandEntry | undefined {
  const takesValue = new Set(root.options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short].filter(Boolean) as string[]));
  const operands: string[] = [];
  for (let i = 2; i < argv.length && operands.length < 2; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (takesValue.has(a)) i++;
      continue;
    }
    operands.push(a);
    if (a !== 'help') break;
  }
  const name = operands[0] === 'help' ? operands[1] : operands[0];
  return SUBCOMMANDS.find((s) => s.name === name);
}

/**
 * The program for one run: the subcommand `argv` names is loaded for real, the others are listed (name, usage,
 * description) without loading their code. Without `argv`, every subcommand is loaded (tests, docs).
 */
export async function buildProgram(argv?: string[]): Promise<Command> {
  const program = rootCommand();
  const wanted = argv ? subcommandOf(argv, program) : undefined;
  const terms = new Map<Command, string>();
  for (const entry of SUBCOMMANDS) {
    if (!argv || entry === wanted) {
      program.addCommand(await entry.load());
    } else {
      const listed = new Command(entry.name).description(entry.description);
      terms.set(listed, entry.term);
      program.addCommand(listed);
    }
  }
  if (terms.size > 0) {
    const help = new Help();
    program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd) ?? help.subcommandTerm(cmd) });
  }
  return program;
}
