/**
 * `k3sdaas token`: mints a short-lived credential signed with the user's Sui key, letting one gateway act for one
 * SealToken until it expires; prints it as a kubectl ExecCredential (client.authentication.k8s.io/v1).
 */
import { Command } from 'commander';
import { durationOption } from './duration-flag.js';
import { listSealTokens } from '../core/chain/objects.js';
import { credentialToToken, signCredential } from '../core/credential.js';
import { ConfigError } from '../core/config/index.js';
import { cliRuntime } from './context.js';

interface TokenFlags {
  cluster?: string;
  gatewayAddress: string;
  sealToken?: string;
  ttl: number;
}

export function tokenCommand(): Command {
  return new Command('token')
    .description('print a short-lived gateway credential as a kubectl ExecCredential (used as the kubeconfig exec plugin)')
    .requiredOption('--gateway-address <address>', 'Sui address of the gateway the credential is for')
    .option('--cluster <id>', 'cluster object id (default: clusterId from config)')
    .option('--seal-token <id>', 'SealToken to act with (default: your only token for the cluster)')
    .addOption(durationOption('--ttl <duration>', 'how long the credential is valid (max 1h)', 10 * 60_000))
    .action(async (flags: TokenFlags, cmd: Command) => {
      const rt = cliRuntime(cmd, { clusterId: flags.cluster });
      if (flags.ttl > 3_600_000) throw new ConfigError('--ttl may be at most 1h');
      if (!/^0x[0-9a-fA-F]{1,64}$/.test(flags.gatewayAddress)) throw new ConfigError('--gateway-address must be a 0x address');
      const clusterId = rt.clusterId();
      const { keypair, address } = rt.signer();
      let tokenId = flags.sealToken;
      if (!tokenId) {
        const tokens = await listSealTokens(rt.client, address, rt.originalPackageId, clusterId);
        if (tokens.length === 0) throw new ConfigError(`${address} holds no SealToken for cluster ${clusterId}: run \`k3sdaas stake add\``);
        if (tokens.length > 1) throw new ConfigError(`${address} holds ${tokens.length} SealTokens for this cluster; pick one with --seal-token`);
        tokenId = tokens[0].id;
      }
      const expiresMs = Date.now() + flags.ttl;
      const signed = await signCredential(keypair, { clusterId, gateway: flags.gatewayAddress, tokenId, expiresMs: BigInt(expiresMs) });
      const out = {
        apiVersion: 'client.authentication.k8s.io/v1',
        kind: 'ExecCredential',
        status: { token: credentialToToken(signed), expirationTimestamp: new Date(expiresMs - 5_000).toISOString() },
      };
      process.stdout.write(JSON.stringify(out) + '\n');
    });
}
