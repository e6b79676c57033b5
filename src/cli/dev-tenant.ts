/**
 * The second user of `k3sdaas dev`: a tenant on namespace `dev-tenant` (a localnet dev account of its own), so the
 * isolation can be tried beside the operator's `k3sdaas-dev` context: `kubectl --context k3sdaas-dev-tenant …`.
 * Staked once; resumed from `<data dir>/dev-tenant.json` afterwards (re-staked if the chain no longer has it).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TransactionExecutor } from '../core/chain/index.js';
import { objectContent } from '../core/chain/objects.js';
import { MIST_PER_SUI, stakeForTenant } from '../core/cluster-admin.js';
import type { Sandbox } from '../dev/sandbox.js';
import { DEV_ACCOUNTS } from '../localnet/index.js';

export const DEV_TENANT_CONTEXT = 'k3sdaas-dev-tenant';
export const DEV_TENANT_NAMESPACE = 'dev-tenant';
/** Accounts 0–2 are the sandbox's operator, gateway and dev user. */
const TENANT_ACCOUNT = 3;

export interface DevTenant {
  address: string;
  tokenId: string;
  namespace: string;
  keyFile: string;
}

export async function ensureDevTenant(sb: Sandbox, dataDir: string): Promise<DevTenant> {
  const account = DEV_ACCOUNTS[TENANT_ACCOUNT];
  const keyFile = join(dataDir, 'dev-tenant.key');
  writeFileSync(keyFile, account.secretKey + '\n', { mode: 0o600 });
  const saved = join(dataDir, 'dev-tenant.json');
  const known = existsSync(saved) ? (JSON.parse(readFileSync(saved, 'utf8')) as { clusterId: string; tokenId: string }) : null;
  let tokenId = known?.clusterId === sb.clusterId && (await objectContent(sb.client, known.tokenId)) ? known.tokenId : null;
  if (!tokenId) {
    const staked = await stakeForTenant(new TransactionExecutor(sb.client, account.keypair), sb.packageId, sb.clusterId, 2n * MIST_PER_SUI, DEV_TENANT_NAMESPACE);
    tokenId = staked.tokenId;
    writeFileSync(saved, JSON.stringify({ clusterId: sb.clusterId, tokenId }, null, 2));
  }
  return { address: account.address, tokenId, namespace: DEV_TENANT_NAMESPACE, keyFile };
}
