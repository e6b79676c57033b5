/**
 * `k3sdaas revenue [show]`: the cluster's fees (per read, per write), the revenue answered requests have paid and
 * the treasury slashes have filled;
 * `k3sdaas revenue withdraw`: the operator (ClusterAdminCap holder) takes the whole revenue.
 */
import { Command } from 'commander';
import { formatAmount, formatAmountExact } from '../core/amount.js';
import * as calls from '../core/calls/index.js';
import { readCluster } from '../core/chain/index.js';
import { decodeEvent, type RevenueWithdrawn } from '../core/events/index.js';
import { operatorCap, TenancyError } from '../core/tenancy.js';
import { cliRuntime } from './context.js';

const print = (line: string): void => void process.stdout.write(line + '\n');

export function revenueCommand(): Command {
  const revenue = new Command('revenue').description("a cluster's request fees and revenue; withdraw it (operator)");
  revenue
    .command('show', { isDefault: true })
    .description('fees per request and the revenue waiting to be withdrawn')
    .option('--cluster <id>', 'cluster object id (default: clusterId from config)')
    .option('--json', 'print one JSON object')
    .action(async (flags: { cluster?: string; json?: boolean }, cmd: Command) => {
      const rt = cliRuntime(cmd, { clusterId: flags.cluster });
      const cluster = await readCluster(rt.client, rt.clusterId());
      if (flags.json) {
        print(JSON.stringify({
          clusterId: cluster.id, revenueMist: String(cluster.revenue), revenue: formatAmount(cluster.revenue), readFeeMist: String(cluster.readFee), writeFeeMist: String(cluster.writeFee),
          treasuryMist: String(cluster.treasury), maxSlashBps: Number(cluster.maxSlashBps),
        }));
        return;
      }
      print(`cluster ${cluster.name} (${cluster.id})`);
      print(`  fees     ${formatAmountExact(cluster.readFee)} per read, ${formatAmountExact(cluster.writeFee)} per write`);
      print(`  revenue  ${formatAmountExact(cluster.revenue)} (withdraw with \`k3sdaas revenue withdraw\`)`);
      print(`  treasury ${formatAmountExact(cluster.treasury)} from slashes (at most ${Number(cluster.maxSlashBps) / 100}% of a stake per slash)`);
    });
  revenue
    .command('withdraw')
    .description("send the cluster's whole revenue to you (operator only)")
    .option('--cluster <id>', 'cluster object id (default: clusterId from config)')
    .option('--json', 'print one JSON object')
    .action(async (flags: { cluster?: string; json?: boolean }, cmd: Command) => {
      const rt = cliRuntime(cmd, { clusterId: flags.cluster });
      const clusterId = rt.clusterId();
      const { address } = rt.signer();
      const cap = await operatorCap(rt.client, address, rt.packageId, clusterId, 'withdraw revenue');
      const tx = await rt.executor().execute(calls.cluster.withdrawRevenue({ package: rt.packageId, arguments: { cap, cluster: clusterId } }));
      const ev = tx.events.map((e) => decodeEvent(e, { packageId: rt.packageId })).find((e): e is RevenueWithdrawn => e?.$kind === 'RevenueWithdrawn');
      if (!ev) throw new TenancyError('MISSING_EVENT', `transaction ${tx.digest} emitted no RevenueWithdrawn event`);
      if (flags.json) print(JSON.stringify({ clusterId, withdrawnMist: String(ev.amount), withdrawn: formatAmount(ev.amount), recipient: ev.recipient, tx: tx.digest }));
      else print(`withdrew ${formatAmountExact(ev.amount)} of revenue to ${ev.recipient} (tx ${tx.digest})`);
    });
  return revenue;
}
