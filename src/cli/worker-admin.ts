/**
 * `k3sdaas worker approve WORKER_ID` (the cluster operator admits a registered worker; the enclave then issues its
 * join token) and `k3sdaas worker list` (every worker of a cluster: node, owner, stake, approval, state). Added to
 * the `worker` command by worker.ts.
 */
import { Command } from 'commander';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { formatAmount } from '../core/amount.js';
import * as calls from '../core/calls/index.js';
import type { ChainClient } from '../core/chain/index.js';
import { decodeEvent, type Worker, type WorkerApproved } from '../core/events/index.js';
import { operatorCap, parseObjectId, TenancyError } from '../core/tenancy.js';
import { readWorker } from '../worker/chain.js';
import { cliRuntime } from './context.js';

const print = (line: string): void => void process.stdout.write(line + '\n');

/** Every Worker object of `clusterId` that still exists, in registration order. */
export async function listClusterWorkers(client: ChainClient, packageId: string, clusterId: string): Promise<Worker[]> {
  const cid = normalizeSuiAddress(clusterId);
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: { events: Array<{ eventType: string; bcs: Uint8Array }>; hasNextPage: boolean; endCursor?: string | null } = await client.core.listEvents({
      filter: { eventType: `${packageId}::workers::WorkerRegistered` },
      order: 'ascending',
      limit: 100,
      ...(after ? { after } : {}),
    });
    for (const raw of page.events) {
      const ev = decodeEvent(raw, { packageId });
      if (ev?.$kind === 'WorkerRegistered' && ev.clusterId === cid && !ids.includes(ev.workerId)) ids.push(ev.workerId);
    }
    if (!page.hasNextPage || !page.endCursor) break;
    after = page.endCursor;
  }
  const workers = await Promise.all(ids.map((id) => readWorker(client, id)));
  return workers.filter((w): w is Worker => w !== null);
}

export function workerState(w: Worker): string {
  if (w.leaving) return Number(w.withdrawableMs) > Date.now() ? `unbonding until ${new Date(Number(w.withdrawableMs)).toISOString()}` : 'left (stake withdrawable)';
  if (!w.active) return 'inactive';
  if (!w.approved) return 'awaiting approval';
  return w.joinToken.length ? 'active' : 'approved, join token pending';
}

export function addWorkerAdminCommands(worker: Command): void {
  worker
    .command('approve')
    .description('admit a registered worker (operator only); the enclave then issues its join token')
    .argument('<worker>', 'Worker object id (see `k3sdaas worker list`)')
    .option('--json', 'print one JSON object')
    .action(async (id: string, flags: { json?: boolean }, cmd: Command) => {
      const rt = cliRuntime(cmd);
      const workerId = parseObjectId(id, '<worker>');
      const w = await readWorker(rt.client, workerId);
      if (!w) throw new TenancyError('UNKNOWN_WORKER', `no Worker ${workerId} on this network (left, or another network?)`);
      const cap = await operatorCap(rt.client, rt.signer().address, rt.packageId, w.clusterId, 'approve workers');
      if (w.approved) throw new TenancyError('WORKER_ALREADY_APPROVED', `worker ${w.nodeName} (${workerId}) is already approved`);
      if (!w.active) throw new TenancyError('WORKER_INACTIVE', `worker ${w.nodeName} (${workerId}) is not active (${workerState(w)}); it must register again`);
      const tx = await rt.executor().execute(calls.workers.approve({ package: rt.packageId, arguments: { cap, worker: workerId } }));
      const ev = tx.events.map((e) => decodeEvent(e, { packageId: rt.packageId })).find((e): e is WorkerApproved => e?.$kind === 'WorkerApproved');
      if (!ev) throw new TenancyError('MISSING_EVENT', `transaction ${tx.digest} emitted no WorkerApproved event`);
      if (flags.json) print(JSON.stringify({ workerId, clusterId: ev.clusterId, nodeName: w.nodeName, owner: w.owner, approved: true, tx: tx.digest }));
      else print(`approved worker ${w.nodeName} (${workerId}) of ${w.owner}; nautilus now issues its join token (tx ${tx.digest})`);
    });

  worker
    .command('list')
    .description("the cluster's workers: node name, owner, stake, approval and state")
    .option('--cluster <id>', 'cluster object id (default: clusterId from config)')
    .option('--json', 'print a JSON array')
    .action(async (flags: { cluster?: string; json?: boolean }, cmd: Command) => {
      const rt = cliRuntime(cmd, { clusterId: flags.cluster });
      const clusterId = rt.clusterId();
      const workers = await listClusterWorkers(rt.client, rt.packageId, clusterId);
      if (flags.json) {
        print(JSON.stringify(workers.map((w) => ({
          workerId: w.id, nodeName: w.nodeName, owner: w.owner, stake: formatAmount(w.stake), stakeMist: String(w.stake),
          approved: w.approved, active: w.active, leaving: w.leaving, joinToken: w.joinToken.length > 0, state: workerState(w),
        }))));
        return;
      }
      if (!workers.length) return print(`no workers on cluster ${clusterId}`);
      const width = Math.max(4, ...workers.map((w) => w.nodeName.length));
      print(`${'NODE'.padEnd(width)}  ${'WORKER'.padEnd(66)}  ${'STAKE'.padStart(12)}  STATE`);
      for (const w of workers) print(`${w.nodeName.padEnd(width)}  ${w.id}  ${formatAmount(w.stake).padStart(12)}  ${workerState(w)}`);
    });
}
