/** Reads K3s-DaaS objects from chain (getObjects / listOwnedObjects) and decodes them with the ABI schemas. */
import { GrpcTypes } from '@mysten/sui/grpc';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { decodeObjectContent } from '../events/index.js';
import type { Cluster, ClusterAdminCap, SealToken } from '../events/types.js';
import { K3sDaasError } from '../errors.js';
import type { ChainClient } from './client.js';

export class NotFoundError extends K3sDaasError {
  constructor(what: string, id: string) {
    super('OBJECT_NOT_FOUND', `${what} ${id} not found on chain`, { data: { id } });
  }
}

/** Returns the object's BCS content, or null when it does not exist (deleted or never created). */
export async function objectContent(client: ChainClient, id: string, signal?: AbortSignal): Promise<{ type: string; content: Uint8Array } | null> {
  const res = await client.core.getObjects({ objectIds: [id], include: { content: true }, signal });
  const obj = res.objects[0];
  if (!obj || obj instanceof Error) return null;
  return { type: obj.type, content: obj.content };
}

export async function readCluster(client: ChainClient, clusterId: string, signal?: AbortSignal): Promise<Cluster> {
  const obj = await objectContent(client, clusterId, signal);
  if (!obj || !/::cluster::Cluster$/.test(obj.type)) throw new NotFoundError('cluster', clusterId);
  return decodeObjectContent('Cluster', obj.content);
}

async function listOwned<T>(client: ChainClient, owner: string, type: string, decode: (c: Uint8Array) => T): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const page: { objects: Array<{ content: Uint8Array }>; hasNextPage: boolean; cursor: string | null } =
      await client.core.listOwnedObjects({ owner, type, cursor, include: { content: true } });
    for (const o of page.objects) out.push(decode(o.content));
    cursor = page.hasNextPage ? page.cursor : null;
  } while (cursor);
  return out;
}

export async function findAdminCap(client: ChainClient, owner: string, packageId: string, clusterId: string): Promise<ClusterAdminCap> {
  const caps = await listOwned(client, owner, `${packageId}::cluster::ClusterAdminCap`, (c) => decodeObjectContent('ClusterAdminCap', c));
  const cap = caps.find((c) => normalizeSuiAddress(c.clusterId) === normalizeSuiAddress(clusterId));
  if (!cap) throw new K3sDaasError('NO_ADMIN_CAP', `${owner} holds no ClusterAdminCap for cluster ${clusterId}`);
  return cap;
}

export async function listSealTokens(client: ChainClient, owner: string, packageId: string, clusterId?: string): Promise<SealToken[]> {
  const tokens = await listOwned(client, owner, `${packageId}::access::SealToken`, (c) => decodeObjectContent('SealToken', c));
  return clusterId ? tokens.filter((t) => normalizeSuiAddress(t.clusterId) === normalizeSuiAddress(clusterId)) : tokens;
}

/**
 * The checkpoint a shared object (e.g. a Cluster) was created in: the transaction that wrote its initial shared
 * version. Followers start there instead of at genesis. Undefined when the node no longer has that version
 * (pruned) or the object is not shared.
 */
export async function creationCheckpoint(client: ChainClient, objectId: string, signal?: AbortSignal): Promise<bigint | undefined> {
  try {
    const { response: now } = await client.ledgerService.getObject({ objectId, readMask: { paths: ['owner'] } }, { abort: signal });
    const owner = now.object?.owner;
    const initial = owner?.version;
    if (initial === undefined || owner?.kind !== GrpcTypes.Owner_OwnerKind.SHARED) return undefined;
    const { response: first } = await client.ledgerService.getObject({ objectId, version: initial, readMask: { paths: ['previous_transaction'] } }, { abort: signal });
    const digest = first.object?.previousTransaction;
    if (!digest) return undefined;
    const { response: tx } = await client.ledgerService.getTransaction({ digest, readMask: { paths: ['checkpoint'] } }, { abort: signal });
    return tx.transaction?.checkpoint;
  } catch {
    return undefined;
  }
}
