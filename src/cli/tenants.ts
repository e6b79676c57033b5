/** `k3sdaas tenants`: the namespaces claimed on a cluster (and not released), with the token and owner of each. */
import { Command } from 'commander';
import { listTenants } from '../core/tenancy.js';
import { cliRuntime } from './context.js';

export function tenantsCommand(): Command {
  return new Command('tenants')
    .description("a cluster's tenant namespaces: who claimed each, with which SealToken")
    .option('--cluster <id>', 'cluster object id (default: clusterId from config)')
    .option('--json', 'print a JSON array')
    .action(async (flags: { cluster?: string; json?: boolean }, cmd: Command) => {
      const rt = cliRuntime(cmd, { clusterId: flags.cluster });
      const clusterId = rt.clusterId();
      const rows = await listTenants(rt.client, rt.packageId, clusterId);
      if (flags.json) return void process.stdout.write(JSON.stringify(rows) + '\n');
      if (!rows.length) return void process.stdout.write(`no tenant namespaces on cluster ${clusterId}\n`);
      const width = Math.max(9, ...rows.map((r) => r.namespace.length));
      process.stdout.write(`${'NAMESPACE'.padEnd(width)}  ${'SEALTOKEN'.padEnd(66)}  OWNER\n`);
      for (const r of rows) process.stdout.write(`${r.namespace.padEnd(width)}  ${r.tokenId}  ${r.owner}\n`);
    });
}
