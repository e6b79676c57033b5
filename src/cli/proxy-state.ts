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
  /** The SealToken it submits with (absent in states written before tokens could be picked). */
  tokenId?: string;
}

/** `proxy/state.json` for the proxy that picked its token itself; `proxy/state-<token>.json` for one given --seal-token. */
export const proxyStateFile = (dataDir: string, tokenId?: string) => join(dataDir, 'proxy', tokenId ? `state-${tokenId}.json` : 'state.json');

export function readProxyState(dataDir: string, tokenId?: string): ProxyState | null {
  const file = proxyStateFile(dataDir, tokenId);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ProxyState;
  } catch {
    return null;
  }
}
