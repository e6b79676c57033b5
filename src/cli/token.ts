/**
 * `k3sdaas token`: mints a short-lived credential signed with the user's Sui key, letting one gateway act for one
 * SealToken until it expires; prints it as a kubectl ExecCredential (client.authentication.k8s.io/v1). kubectl runs
 * it on every command (the kubeconfig's exec plugin), so bin/k3sdaas starts it through its own small entry point
 * (./token-main.ts) and the signed credential is cached until shortly before it expires (./token-credential.ts).
 */
import { Command } from 'commander';
import { cliConfig } from './config-flags.js';
import { durationOption } from './duration-flag.js';
import { DEFAULT_TTL_MS, execCredential } from './token-credential.js';

interface TokenFlags {
  cluster?: string;
  gatewayAddress: string;
  sealToken?: string;
  ttl: number;
  cache: boolean;
}

export function tokenCommand(): Command {
  return new Command('token')
    .description('print a short-lived gateway credential as a kubectl ExecCredential (used as the kubeconfig exec plugin)')
    .requiredOption('--gateway-address <address>', 'Sui address of the gateway the credential is for')
    .option('--cluster <id>', 'cluster object id (default: clusterId from config)')
    .option('--seal-token <id>', 'SealToken to act with (default: your only token for the cluster)')
    .addOption(durationOption('--ttl <duration>', 'how long the credential is valid (max 1h)', DEFAULT_TTL_MS))
    .option('--no-cache', 'always sign a new credential (default: reuse the cached one, <dataDir>/credentials, until shortly before it expires)')
    .action(async (flags: TokenFlags, cmd: Command) => {
      const config = cliConfig(cmd, { clusterId: flags.cluster });
      const out = await execCredential(config, { gatewayAddress: flags.gatewayAddress, sealToken: flags.sealToken, ttlMs: flags.ttl }, { noCache: !flags.cache });
      process.stdout.write(JSON.stringify(out) + '\n');
    });
}
