/** The `k3sdaas` command tree. Each subcommand lives in its own file and is registered only once it works. */
import { Command } from 'commander';
import { configCommand } from './config.js';
import { localnetCommand } from './localnet.js';
import { deployCommand } from './deploy.js';
import { devCommand } from './dev.js';
import { gatewayCommand } from './gateway.js';
import { kubeconfigCommand } from './kubeconfig.js';
import { kubectlCommand } from './kubectl.js';
import { kubectlProxyCommand } from './kubectl-proxy.js';
import { nautilusCommand } from './nautilus.js';
import { tokenCommand } from './token.js';
import { stakeCommand } from './stake.js';
import { workerCommand } from './worker.js';
import { watchCommand } from './watch.js';
import { verifyCommand } from './verify.js';
import { grantCommand } from './grant.js';
import { revokeCommand } from './revoke.js';
import { tenantsCommand } from './tenants.js';
import { revenueCommand } from './revenue.js';
import { VERSION } from '../core/version.js';

export function buildProgram(): Command {
  const program = new Command('k3sdaas')
    .description('Kubernetes (k3s) as a decentralized service on Sui')
    .version(VERSION)
    .option('--config <file>', 'config file (default ~/.k3sdaas/config.yaml, or $K3SDAAS_CONFIG)')
    .option('--network <name|url>', 'localnet, devnet, testnet, mainnet, or a gRPC URL')
    .option('--log-level <level>', 'debug, info, warn or error')
    .showHelpAfterError('(run with --help for usage)');
  program.addCommand(configCommand());
  program.addCommand(devCommand());
  program.addCommand(localnetCommand());
  program.addCommand(deployCommand());
  program.addCommand(nautilusCommand());
  program.addCommand(gatewayCommand());
  program.addCommand(kubectlProxyCommand());
  program.addCommand(kubectlCommand());
  program.addCommand(kubeconfigCommand());
  program.addCommand(tokenCommand());
  program.addCommand(stakeCommand());
  program.addCommand(grantCommand());
  program.addCommand(revokeCommand());
  program.addCommand(tenantsCommand());
  program.addCommand(revenueCommand());
  program.addCommand(workerCommand());
  program.addCommand(watchCommand());
  program.addCommand(verifyCommand());
  return program;
}
