/**
 * `k3sdaas worker join|leave|status`: a compute provider joins a cluster by staking SUI. `join` registers (or
 * resumes), waits for the enclave's join token, opens it locally and runs `k3s agent` with it under supervision,
 * sending on-chain heartbeats until SIGINT/SIGTERM (forwarded to the agent). The token is never printed: k3s gets
 * it in K3S_TOKEN, the environment variable behind `k3s agent --token`.
 */
import { hostname } from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { formatAmount, parseAmount } from '../core/amount.js';
import type { Worker } from '../core/events/index.js';
import {
  clearWorkerState,
  defaultKeyFile,
  findOwnWorkers,
  joinCluster,
  leaveWorker,
  loadOrCreateWorkerKey,
  readClusterForWorker,
  readWorker,
  readWorkerState,
  resolveK3sBinary,
  runWorker,
  WorkerError,
  writeWorkerState,
} from '../worker/index.js';
import { cliRuntime, type CliRuntime } from './context.js';
import { createProgress } from './progress.js';
import { durationOption } from './duration-flag.js';
import { addWorkerAdminCommands } from './worker-admin.js';

const print = (line: string): void => void process.stdout.write(line + '\n');
const note = (line: string): void => void process.stderr.write(line + '\n');

function amountArg(v: string): bigint {
  try {
    return parseAmount(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** A node name from the host name: lowercase, only [a-z0-9-.], at most 63 characters. */
export function defaultNodeName(): string {
  const name = hostname().toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return (name || 'worker').slice(0, 63).replace(/[^a-z0-9]+$/, '');
}

function dataDir(rt: CliRuntime): string {
  return rt.config.get('dataDir')!;
}

/** Our Worker on the cluster: --worker, else the local state file, else the only one found through our events. */
async function ourWorker(rt: CliRuntime, clusterId: string, explicit?: string): Promise<Worker> {
  const me = rt.signer().address;
  const id = explicit ?? readWorkerState(dataDir(rt), clusterId)?.workerId;
  if (id) {
    const w = await readWorker(rt.client, normalizeSuiAddress(id));
    if (w && normalizeSuiAddress(w.clusterId) === normalizeSuiAddress(clusterId)) return w;
    if (explicit) throw new WorkerError('WORKER_NOT_REGISTERED', `no worker ${id} on cluster ${clusterId}`);
  }
  const found = (await findOwnWorkers(rt.client, rt.originalPackageId, me, clusterId)).filter((w) => w.owner === normalizeSuiAddress(me));
  if (found.length === 1) return found[0];
  if (found.length > 1) {
    throw new WorkerError('WORKER_NOT_REGISTERED', `${me} has ${found.length} workers on cluster ${clusterId}; pick one with --worker (${found.map((w) => w.id).join(', ')})`);
  }
  throw new WorkerError('WORKER_NOT_REGISTERED', `${me} has no worker registered on cluster ${clusterId}`);
}

interface JoinFlags {
  cluster?: string;
  stake?: bigint;
  nodeName?: string;
  k3sBin?: string;
  workerKey?: string;
  timeout: number;
}

async function join(flags: JoinFlags, cmd: Command): Promise<void> {
  const rt = cliRuntime(cmd, { clusterId: flags.cluster });
  const clusterId = normalizeSuiAddress(rt.clusterId());
  const dir = dataDir(rt);
  const executor = rt.executor();
  const keyFile = flags.workerKey ?? defaultKeyFile(dir);
  const { key, created } = loadOrCreateWorkerKey(keyFile);
  if (created) note(`created worker encryption key ${keyFile} (0600)`);
  resolveK3sBinary(flags.k3sBin); // fail before staking when k3s is missing
  const state = readWorkerState(dir, clusterId);
  const nodeName = flags.nodeName ?? state?.nodeName ?? defaultNodeName();

  const abort = new AbortController();
  let running: ReturnType<typeof runWorker> | null = null;
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) process.exit(130);
    note(`${signal}: stopping`);
    if (running) void running.stop(signal);
    else abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const progress = createProgress();
    const joined = await joinCluster({
      client: rt.client,
      executor,
      packageId: rt.packageId,
      clusterId,
      key,
      nodeName,
      stake: flags.stake,
      workerId: state?.workerId,
      timeoutMs: flags.timeout,
      signal: abort.signal,
      step: (label, work) => progress.step(label, work),
      logger: rt.logger,
      onRegistered: (ev) =>
        writeWorkerState(dir, { clusterId, workerId: ev.workerId, nodeName: ev.nodeName, owner: ev.owner, registeredAt: new Date().toISOString() }),
      onRolledBack: () => clearWorkerState(dir, clusterId),
    });
    if (!joined.registered && state && state.workerId !== joined.worker.id) clearWorkerState(dir, clusterId);
    note(
      `${joined.registered ? 'joined' : 'rejoined'} cluster ${joined.cluster.name} as ${joined.worker.nodeName} (worker ${joined.worker.id}, stake ${formatAmount(joined.worker.stake)}); ` +
        `CA ${joined.ca.result === 'pinned' ? 'verified' : 'not pinned by the cluster'}; starting k3s agent → ${joined.cluster.apiUrl}`,
    );
    if (signals) return;
    running = runWorker({ joined, executor, packageId: rt.packageId, k3sBin: flags.k3sBin, logger: rt.logger });
    const why = await running.done;
    if (why === 'inactive') {
      throw new WorkerError('WORKER_INACTIVE', `the cluster marked worker ${joined.worker.id} inactive (heartbeats missed); the agent was stopped. Run \`k3sdaas worker leave\` to get the stake back, then join again`);
    }
    note('worker stopped (still registered; `k3sdaas worker leave` returns the stake)');
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function workerCommand(): Command {
  const worker = new Command('worker').description('join a cluster as a compute provider (stake, k3s agent, heartbeats)');

  worker
    .command('join')
    .description('stake, register and run a k3s agent with the join token the enclave issues (runs until Ctrl-C)')
    .option('--cluster <id>', 'cluster object id (default: clusterId from config)')
    .option('--stake <amount>', "stake, e.g. 10SUI or MIST (default: the cluster's minimum worker stake)", amountArg)
    .option('--node-name <name>', 'Kubernetes node name (default: this host name)')
    .option('--k3s-bin <path>', 'k3s executable (default: k3s on PATH)')
    .option('--worker-key <file>', 'worker encryption key file (default: <dataDir>/worker/encryption-key.json, created 0600)')
    .addOption(durationOption('--timeout <duration>', 'how long to wait for the join token before rolling the registration back (e.g. 2m)', 120_000))
    .action(join);

  worker
    .command('leave')
    .description('unregister: leave the cluster, and withdraw the stake once the unbonding period is over')
    .option('--cluster <id>', 'cluster object id (default: clusterId from config)')
    .option('--worker <id>', 'Worker object id (default: the one this machine registered)')
    .option('--json', 'print one JSON object')
    .action(async (flags: { cluster?: string; worker?: string; json?: boolean }, cmd: Command) => {
      const rt = cliRuntime(cmd, { clusterId: flags.cluster });
      const clusterId = normalizeSuiAddress(rt.clusterId());
      const w = await ourWorker(rt, clusterId, flags.worker);
      if (w.owner !== normalizeSuiAddress(rt.signer().address)) throw new WorkerError('WORKER_NOT_REGISTERED', `worker ${w.id} is owned by ${w.owner}, not ${rt.signer().address}`);
      const left = await leaveWorker(rt.executor(), rt.packageId, clusterId, w.id);
      if (left.$kind === 'WorkerLeaving') {
        const at = new Date(Number(left.withdrawableMs)).toISOString();
        if (flags.json) print(JSON.stringify({ workerId: w.id, clusterId, nodeName: w.nodeName, leaving: true, withdrawableMs: String(left.withdrawableMs), withdrawableAt: at }));
        else print(`worker ${w.nodeName} (${w.id}) left cluster ${clusterId}; its stake unbonds until ${at}: run \`k3sdaas worker leave\` again then to withdraw it`);
        return;
      }
      clearWorkerState(dataDir(rt), clusterId);
      if (flags.json) print(JSON.stringify({ workerId: w.id, clusterId, nodeName: w.nodeName, returned: formatAmount(left.amount), returnedMist: String(left.amount) }));
      else print(`worker ${w.nodeName} (${w.id}) left cluster ${clusterId}: ${formatAmount(left.amount)} returned to ${left.owner}`);
    });

  worker
    .command('status')
    .description("this machine's worker on the cluster: state, stake, last heartbeat")
    .option('--cluster <id>', 'cluster object id (default: clusterId from config)')
    .option('--worker <id>', 'Worker object id (default: the one this machine registered)')
    .option('--json', 'print one JSON object')
    .action(async (flags: { cluster?: string; worker?: string; json?: boolean }, cmd: Command) => {
      const rt = cliRuntime(cmd, { clusterId: flags.cluster });
      const clusterId = normalizeSuiAddress(rt.clusterId());
      const cluster = await readClusterForWorker(rt.client, clusterId);
      const w = await ourWorker(rt, clusterId, flags.worker);
      const silentMs = Date.now() - Number(w.lastHeartbeatMs);
      const state = !w.active ? 'inactive' : w.joinToken.length === 0 ? 'waiting for join token' : 'active';
      const last = new Date(Number(w.lastHeartbeatMs)).toISOString();
      if (flags.json) {
        print(JSON.stringify({
          workerId: w.id, clusterId, nodeName: w.nodeName, owner: w.owner, state, active: w.active, joinTokenSet: w.joinToken.length > 0,
          stake: formatAmount(w.stake), stakeMist: String(w.stake), registeredMs: String(w.registeredMs), lastHeartbeatMs: String(w.lastHeartbeatMs),
          heartbeatTimeoutMs: String(cluster.heartbeatTimeoutMs),
        }));
        return;
      }
      print(`worker     ${w.id}`);
      print(`node       ${w.nodeName}`);
      print(`cluster    ${cluster.name} (${clusterId})`);
      print(`state      ${state}`);
      print(`stake      ${formatAmount(w.stake)}`);
      print(`heartbeat  ${last} (${Math.max(0, Math.round(silentMs / 1000))}s ago; timeout ${Number(cluster.heartbeatTimeoutMs) / 1000}s)`);
    });

  addWorkerAdminCommands(worker);
  return worker;
}
