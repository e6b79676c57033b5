/**
 * nautilus's own writes to the cluster (RBAC bootstrap, tenant namespaces), as the kubeconfig's identity, never a
 * requester's. Objects are server-side applied under one field manager, so applying the same object again is a
 * no-op and a restart re-applies safely; deletes treat 404 as done.
 */
import { K3sDaasError } from '../core/errors.js';
import type { KubeForwarder } from '../core/kube/index.js';

export const FIELD_MANAGER = 'k3sdaas-nautilus';

export interface KubeObjectRef {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export class KubeAdminError extends K3sDaasError {
  readonly status: number;
  constructor(message: string, status: number) {
    super('KUBE_PROVISION_FAILED', message, { retryable: status >= 500 || status === 429, data: { status } });
    this.status = status;
  }
}

/** Plural resource names of the kinds nautilus writes (no discovery round trip needed). */
const PLURALS: Record<string, string> = {
  Namespace: 'namespaces',
  ResourceQuota: 'resourcequotas',
  LimitRange: 'limitranges',
  NetworkPolicy: 'networkpolicies',
  Role: 'roles',
  RoleBinding: 'rolebindings',
  ClusterRole: 'clusterroles',
  ClusterRoleBinding: 'clusterrolebindings',
};

/** The API path of an object: `/api/v1/...` for the core group, `/apis/<group>/<version>/...` otherwise. */
export function objectPath(obj: Pick<KubeObjectRef, 'apiVersion' | 'kind' | 'metadata'>): string {
  const plural = PLURALS[obj.kind];
  if (!plural) throw new K3sDaasError('KUBE_UNKNOWN_KIND', `nautilus does not provision ${obj.kind} objects`);
  const base = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
  const ns = obj.metadata.namespace ? `/namespaces/${obj.metadata.namespace}` : '';
  return `${base}${ns}/${plural}/${obj.metadata.name}`;
}

export class KubeAdmin {
  readonly forwarder: KubeForwarder;
  constructor(forwarder: KubeForwarder) {
    this.forwarder = forwarder;
  }

  /** Server-side apply (create or update to exactly these fields). */
  async apply(obj: KubeObjectRef): Promise<void> {
    const path = objectPath(obj);
    const res = await this.forwarder.forward(
      {
        method: 'PATCH',
        url: `${path}?fieldManager=${FIELD_MANAGER}&force=true`,
        headers: [
          ['Content-Type', 'application/apply-patch+yaml'],
          ['Accept', 'application/json'],
        ],
        // JSON is YAML.
        body: new TextEncoder().encode(JSON.stringify(obj)),
      },
      null,
    );
    if (res.status >= 300) throw new KubeAdminError(`applying ${obj.kind} ${path} failed: ${res.status} ${statusMessage(res.body)}`, res.status);
  }

  /** Deletes the object; an object already gone counts as deleted. Returns whether it existed. */
  async delete(ref: Pick<KubeObjectRef, 'apiVersion' | 'kind' | 'metadata'>): Promise<boolean> {
    const path = objectPath(ref);
    const res = await this.forwarder.forward({ method: 'DELETE', url: path, headers: [['Accept', 'application/json']], body: new Uint8Array() }, null);
    if (res.status === 404) return false;
    if (res.status >= 300) throw new KubeAdminError(`deleting ${ref.kind} ${path} failed: ${res.status} ${statusMessage(res.body)}`, res.status);
    return true;
  }

  /** The object, or null when it does not exist. */
  async get<T = KubeObjectRef>(ref: Pick<KubeObjectRef, 'apiVersion' | 'kind' | 'metadata'>): Promise<T | null> {
    const path = objectPath(ref);
    const res = await this.forwarder.forward({ method: 'GET', url: path, headers: [['Accept', 'application/json']], body: new Uint8Array() }, null);
    if (res.status === 404) return null;
    if (res.status >= 300) throw new KubeAdminError(`reading ${ref.kind} ${path} failed: ${res.status} ${statusMessage(res.body)}`, res.status);
    return JSON.parse(new TextDecoder().decode(res.body)) as T;
  }
}

function statusMessage(body: Uint8Array): string {
  const text = new TextDecoder().decode(body);
  try {
    return (JSON.parse(text) as { message?: string }).message ?? text.slice(0, 300);
  } catch {
    return text.slice(0, 300);
  }
}
