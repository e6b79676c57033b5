/**
 * What `k3sdaas token` prints: a kubectl ExecCredential holding a gateway credential, from the credential cache when
 * one minted for exactly this request is still valid, otherwise freshly signed (./token-sign.ts, loaded only then)
 * and cached. Shared by the commander command and the plugin's own entry point (./token-main.ts); light imports only.
 */
import { ConfigError } from '../core/config/errors.js';
import type { Config } from '../core/config/load.js';
import { CredentialCache, credentialCacheDir, normalizeId, signerFingerprint, type CredentialCacheKey } from '../core/credential-cache.js';

export const MAX_TTL_MS = 3_600_000;
export const DEFAULT_TTL_MS = 10 * 60_000;
/** kubectl is told the credential expires this much before it does (its clock and the chain's may differ). */
const EXPIRY_SLACK_MS = 5_000;

export interface TokenRequest {
  gatewayAddress: string;
  sealToken?: string;
  ttlMs: number;
}

export interface ExecCredential {
  apiVersion: 'client.authentication.k8s.io/v1';
  kind: 'ExecCredential';
  status: { token: string; expirationTimestamp: string };
}

export interface ExecCredentialOptions {
  now?: () => number;
  /** Skip the cache (always sign). */
  noCache?: boolean;
}

export async function execCredential(config: Config, req: TokenRequest, options: ExecCredentialOptions = {}): Promise<ExecCredential> {
  const now = options.now ?? Date.now;
  if (req.ttlMs > MAX_TTL_MS) throw new ConfigError('--ttl may be at most 1h');
  if (!/^0x[0-9a-fA-F]{1,64}$/.test(req.gatewayAddress)) throw new ConfigError('--gateway-address must be a 0x address');
  if (req.sealToken !== undefined && !/^0x[0-9a-fA-F]{1,64}$/.test(req.sealToken)) throw new ConfigError('--seal-token must be a 0x object id');
  const cluster = config.get('clusterId');
  if (!cluster) throw new ConfigError('no cluster: pass --cluster <id>, set K3SDAAS_CLUSTER_ID, or run `k3sdaas deploy`', { key: 'clusterId' });
  const key: CredentialCacheKey = {
    rpcUrl: config.network.rpcUrl,
    packageId: config.get('packageId') ?? null,
    clusterId: normalizeId(cluster),
    gateway: normalizeId(req.gatewayAddress),
    sealToken: req.sealToken ? normalizeId(req.sealToken) : null,
    ttlMs: req.ttlMs,
    signer: signerFingerprint(config.get),
  };
  const cache = new CredentialCache(credentialCacheDir(config.get('dataDir')!), { now });
  let credential = options.noCache ? undefined : cache.get(key);
  if (!credential) {
    const { mintCredential } = await import('./token-sign.js');
    credential = await mintCredential(config, { clusterId: key.clusterId, gateway: key.gateway, sealToken: key.sealToken, expiresMs: now() + req.ttlMs });
    if (!options.noCache) cache.put(key, credential);
  }
  return {
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: { token: credential.token, expirationTimestamp: new Date(credential.expiresMs - EXPIRY_SLACK_MS).toISOString() },
  };
}
