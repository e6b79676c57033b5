/**
 * What the chain says about SealTokens and tenants, read off chain: a token's role, namespace, stake and prepaid
 * fee balance; the tenants of a cluster. The stake table (`Table<ID, Stake>` inside the Cluster) is not read
 * directly: roles come from the `access` events, the prepaid balance from simulating a zero top-up (whose
 * `ToppedUp` event reports the balance as the chain holds it, exactly, without sending anything).
 */
import { Transaction } from '@mysten/sui/transactions';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { ROLE_TENANT, ROLES } from './abi/package.js';
import * as calls from './calls/index.js';
import type { ChainClient } from './chain/index.js';
import { findAdminCap, objectContent } from './chain/objects.js';
import { decodeEvent, decodeObjectContent, type SealToken } from './events/index.js';
import { K3sDaasError } from './errors.js';

export const ROLE_NAMES: Record<number, string> = { [ROLES.viewer]: 'viewer', [ROLES.editor]: 'editor', [ROLES.admin]: 'admin', [ROLE_TENANT]: 'tenant' };
export const roleName = (role: number): string => ROLE_NAMES[role] ?? `role ${role}`;

export class TenancyError extends K3sDaasError {}

const OBJECT_ID = /^0x[0-9a-fA-F]{1,64}$/;

/** A SealToken id from user input, normalised; `flag` names where it came from in the error. */
export function parseObjectId(value: string, flag: string): string {
  if (!OBJECT_ID.test(value)) throw new TenancyError('BAD_OBJECT_ID', `${flag}: not an object id: ${value} (0x followed by up to 64 hex digits)`);
  return normalizeSuiAddress(value);
}

/** The SealToken object (any owner's), or a readable error. */
export async function readSealToken(client: ChainClient, tokenId: string): Promise<SealToken> {
  const obj = await objectContent(client, tokenId);
  if (!obj || !/::access::SealToken$/.test(obj.type)) throw new TenancyError('UNKNOWN_TOKEN', `no SealToken ${tokenId} on this network (unstaked, or another network?)`);
  return decodeObjectContent('SealToken', obj.content);
}

/** The role each token has now (null: unstaked or unknown): its `Staked` role, then every grant and revoke in order. */
export async function tokenRoles(client: ChainClient, packageId: string, tokenIds: Iterable<string>): Promise<Map<string, number | null>> {
  const roles = new Map<string, number | null>([...tokenIds].map((id) => [normalizeSuiAddress(id), null]));
  let after: string | null = null;
  for (;;) {
    const page: { events: Array<{ eventType: string; bcs: Uint8Array }>; hasNextPage: boolean; endCursor?: string | null } = await client.core.listEvents({
      filter: { emitModule: `${packageId}::access` },
      order: 'ascending',
      limit: 100,
      ...(after ? { after } : {}),
    });
    for (const raw of page.events) {
      const ev = decodeEvent(raw, { packageId });
      if (!ev || !('tokenId' in ev) || !roles.has(ev.tokenId)) continue;
      if (ev.$kind === 'Staked' || ev.$kind === 'RoleGranted') roles.set(ev.tokenId, ev.role);
      else if (ev.$kind === 'RoleRevoked') roles.set(ev.tokenId, ROLE_TENANT);
      else if (ev.$kind === 'Unstaked') roles.set(ev.tokenId, null);
    }
    if (!page.hasNextPage || !page.endCursor) break;
    after = page.endCursor;
  }
  return roles;
}

export async function tokenRole(client: ChainClient, packageId: string, tokenId: string): Promise<number | null> {
  return (await tokenRoles(client, packageId, [tokenId])).get(normalizeSuiAddress(tokenId)) ?? null;
}

/**
 * The token's prepaid fee balance as the chain holds it now: a simulated `topup` of 0 MIST (anyone may top up, so
 * any sender works), whose `ToppedUp` event carries the balance after the top-up. Nothing is sent.
 */
export async function prepaidBalance(client: ChainClient, packageId: string, clusterId: string, tokenId: string, sender: string): Promise<bigint> {
  const tx = new Transaction();
  tx.setSender(sender);
  // `coin::zero`, not a split of the gas coin: a simulation without gas payment cannot touch the gas coin.
  const zero = tx.moveCall({ target: '0x2::coin::zero', typeArguments: ['0x2::sui::SUI'] });
  calls.access.topup({ package: packageId, arguments: { cluster: clusterId, tokenId, payment: zero } })(tx);
  const result = await client.core.simulateTransaction({ transaction: tx, include: { events: true } });
  const done = result.$kind === 'Transaction' ? result.Transaction : null;
  if (!done || !done.status.success) {
    const why = (result.FailedTransaction ?? result.Transaction)?.status;
    throw new TenancyError('PREPAID_UNREADABLE', `cannot read the prepaid balance of SealToken ${tokenId}: ${why && !why.success ? why.error?.message ?? 'simulation failed' : 'simulation failed'}`);
  }
  for (const raw of done.events ?? []) {
    const ev = decodeEvent(raw, { packageId });
    if (ev?.$kind === 'ToppedUp' && ev.tokenId === normalizeSuiAddress(tokenId)) return ev.prepaid;
  }
  throw new TenancyError('PREPAID_UNREADABLE', `simulated top-up of ${tokenId} emitted no ToppedUp event`);
}

export interface TenantRow {
  namespace: string;
  tokenId: string;
  owner: string;
  claimedTx: string | null;
}

/** The cluster's claimed namespaces now (claimed and not released), in claim order. */
export async function listTenants(client: ChainClient, packageId: string, clusterId: string): Promise<TenantRow[]> {
  const cid = normalizeSuiAddress(clusterId);
  const rows = new Map<string, TenantRow>();
  let after: string | null = null;
  for (;;) {
    const page: { events: Array<{ eventType: string; bcs: Uint8Array; transactionDigest?: string }>; hasNextPage: boolean; endCursor?: string | null } =
      await client.core.listEvents({ filter: { emitModule: `${packageId}::access` }, order: 'ascending', limit: 100, ...(after ? { after } : {}) });
    for (const raw of page.events) {
      const ev = decodeEvent(raw, { packageId });
      if (ev?.$kind === 'NamespaceClaimed' && ev.clusterId === cid) {
        rows.set(ev.namespace, { namespace: ev.namespace, tokenId: ev.tokenId, owner: ev.owner, claimedTx: raw.transactionDigest ?? null });
      } else if (ev?.$kind === 'NamespaceReleased' && ev.clusterId === cid && rows.get(ev.namespace)?.tokenId === ev.tokenId) {
        rows.delete(ev.namespace);
      }
    }
    if (!page.hasNextPage || !page.endCursor) break;
    after = page.endCursor;
  }
  return [...rows.values()];
}

/** The signer's ClusterAdminCap for `clusterId`, or an error saying only the operator may do `what`. */
export async function operatorCap(client: ChainClient, owner: string, packageId: string, clusterId: string, what: string): Promise<string> {
  try {
    return (await findAdminCap(client, owner, packageId, clusterId)).id;
  } catch (err) {
    if (err instanceof K3sDaasError && err.code === 'NO_ADMIN_CAP') {
      throw new TenancyError('NOT_OPERATOR', `only the cluster operator (the ClusterAdminCap holder) may ${what}: ${owner} holds no ClusterAdminCap for cluster ${clusterId}`);
    }
    throw err;
  }
}
