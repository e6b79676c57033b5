/**
 * A joined worker at work: the supervised `k3s agent` plus on-chain heartbeats, stopped together. `done` settles
 * with why it ended: a stop request (signal forwarded to the agent) or the chain marking the worker inactive.
 */
import type { TransactionExecutor } from '../core/chain/index.js';
import { silentLogger, type Logger } from '../core/log.js';
import { AgentSupervisor, type AgentEvent, type AgentOptions } from './agent.js';
import { HeartbeatLoop } from './heartbeat.js';
import type { JoinResult } from './join.js';

export interface RunWorkerOptions {
  joined: JoinResult;
  executor: TransactionExecutor;
  packageId: string;
  k3sBin?: string;
  agent?: Partial<Pick<AgentOptions, 'extraArgs' | 'env' | 'backoff' | 'stableAfterMs' | 'stopTimeoutMs' | 'output'>>;
  /** Overrides the cluster's heartbeat timeout (tests). */
  heartbeatTimeoutMs?: number;
  logger?: Logger;
  onAgentEvent?: (event: AgentEvent) => void;
  onBeat?: (timestampMs: bigint) => void;
}

export type WorkerExit = 'stopped' | 'inactive';

export interface RunningWorker {
  agent: AgentSupervisor;
  heartbeats: HeartbeatLoop;
  done: Promise<WorkerExit>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function runWorker(o: RunWorkerOptions): RunningWorker {
  const { joined } = o;
  const logger = o.logger ?? silentLogger;
  const agent = new AgentSupervisor({
    k3sBin: o.k3sBin,
    serverUrl: joined.cluster.apiUrl,
    token: joined.token,
    nodeName: joined.worker.nodeName,
    logger,
    onEvent: o.onAgentEvent,
    ...o.agent,
  });
  let finish!: (why: WorkerExit) => void;
  const done = new Promise<WorkerExit>((r) => (finish = r));
  let stopping: Promise<void> | null = null;
  const stop = (signal: NodeJS.Signals = 'SIGTERM', why: WorkerExit = 'stopped') =>
    (stopping ??= (async () => {
      await Promise.all([heartbeats.stop(), agent.stop(signal)]);
      finish(why);
    })());
  const heartbeats = new HeartbeatLoop({
    executor: o.executor,
    packageId: o.packageId,
    workerId: joined.worker.id,
    heartbeatTimeoutMs: o.heartbeatTimeoutMs ?? joined.cluster.heartbeatTimeoutMs,
    logger,
    onBeat: o.onBeat,
    onInactive: () => void stop('SIGTERM', 'inactive'),
  });
  agent.start();
  heartbeats.start();
  return { agent, heartbeats, done, stop: (signal) => stop(signal) };
}
