/**
 * The state file a running kubectl-proxy (or `k3sdaas dev`) leaves in the data dir, so `kubectl daas` and
 * `k3sdaas kubeconfig --proxy` can find it. Kept apart from ./kubectl-proxy.ts so those load no server code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ProxyState {
  url: string;
  /** The bearer token the proxy accepts (also in its kubeconfig). */
  token: string;
  pid: number;
  kubeconfig: string;
  context: string;
  clusterId: string;
  rpcUrl: string;
}

export const proxyStateFile = (dataDir: string) => join(dataDir, 'proxy', 'state.json');

export function readProxyState(dataDir: string): ProxyState | null {
  const file = proxyStateFile(dataDir);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ProxyState;
  } catch {
    return null;
  }
}

