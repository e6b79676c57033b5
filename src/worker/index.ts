/** The worker side: key store, join (register, receive and open the join token, pin the CA), k3s agent, heartbeats. */
export { WorkerError, type WorkerErrorCode } from './errors.js';
export { readWorkerKey, writeWorkerKey, loadOrCreateWorkerKey } from './keys.js';
export { readWorkerState, writeWorkerState, clearWorkerState, defaultKeyFile, workerDir, type WorkerState } from './state.js';
export { verifyClusterCa, type CaCheck } from './ca.js';
export {
  GAS_RESERVE,
  checkNodeName,
  findOwnWorkers,
  leaveWorker,
  preflightJoin,
  readClusterForWorker,
  readWorker,
  registerWorker,
  sendHeartbeat,
  waitForJoinToken,
} from './chain.js';
export { joinCluster, openJoinToken, type JoinOptions, type JoinResult, type StepRunner } from './join.js';
export { AgentSupervisor, agentArgs, resolveK3sBinary, type AgentEvent, type AgentOptions } from './agent.js';
export { HeartbeatLoop, heartbeatInterval, type HeartbeatOptions } from './heartbeat.js';
export { runWorker, type RunWorkerOptions, type RunningWorker, type WorkerExit } from './run.js';
