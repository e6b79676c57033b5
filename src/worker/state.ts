/**
 * Local worker state under the data dir: the encryption key (`worker/encryption-key.json`) and, per cluster, the
 * registered Worker's id (`worker/<clusterId>.json`) so that a restarted `worker join` resumes instead of staking
 * twice, and `worker leave|status` know which Worker is ours. Files 0600, directory 0700.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeSuiAddress } from '@mysten/sui/utils';

export interface WorkerState {
  clusterId: string;
  workerId: string;
  nodeName: string;
  owner: string;
  registeredAt: string;
}

export function workerDir(dataDir: string): string {
  return join(dataDir, 'worker');
}

export function defaultKeyFile(dataDir: string): string {
  return join(workerDir(dataDir), 'encryption-key.json');
}

function stateFile(dataDir: string, clusterId: string): string {
  return join(workerDir(dataDir), `${normalizeSuiAddress(clusterId)}.json`);
}

export function readWorkerState(dataDir: string, clusterId: string): WorkerState | null {
  const file = stateFile(dataDir, clusterId);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as WorkerState;
  } catch {
    return null;
  }
}

export function writeWorkerState(dataDir: string, state: WorkerState): void {
  mkdirSync(workerDir(dataDir), { recursive: true, mode: 0o700 });
  const file = stateFile(dataDir, state.clusterId);
  writeFileSync(file + '.tmp', JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  renameSync(file + '.tmp', file);
}

export function clearWorkerState(dataDir: string, clusterId: string): void {
  rmSync(stateFile(dataDir, clusterId), { force: true });
}
