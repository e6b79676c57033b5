/** Signs a gateway credential with the configured Sui key (finding the user's SealToken on chain if none is named). */
import { ConfigError, loadSigner, type Config } from '../core/config/index.js';
import { credentialToToken, signCredential } from '../core/credential.js';
import type { CachedCredential } from '../core/credential-cache.js';

export interface MintRequest {
  clusterId: string;
  gateway: string;
  /** null: the signer's only SealToken for the cluster. */
  sealToken: string | null;
  expiresMs: number;
}

export async function mintCredential(config: Config, req: MintRequest): Promise<CachedCredential> {
  const { keypair, address } = loadSigner(config);
  let tokenId = req.sealToken;
  if (!tokenId) {
    const [{ runtimeOf }, { listSealTokens }] = await Promise.all([import('./context.js'), import('../core/chain/objects.js')]);
    const rt = runtimeOf(config);
    const tokens = await listSealTokens(rt.client, address, rt.originalPackageId, req.clusterId);
    if (tokens.length === 0) throw new ConfigError(`${address} holds no SealToken for cluster ${req.clusterId}: run \`k3sdaas stake add\``);
    if (tokens.length > 1) throw new ConfigError(`${address} holds ${tokens.length} SealTokens for this cluster; pick one with --seal-token`);
    tokenId = tokens[0].id;
  }
  const signed = await signCredential(keypair, { clusterId: req.clusterId, gateway: req.gateway, tokenId, expiresMs: BigInt(req.expiresMs) });
  return { token: credentialToToken(signed), expiresMs: req.expiresMs };
}
