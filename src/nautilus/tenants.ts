/**
 * Tenant namespaces, provisioned as the chain decides. A namespace claimed on chain (staking as a tenant) becomes,
 * on the cluster: the Namespace, a ResourceQuota and a LimitRange (the tenant policy), a default-deny NetworkPolicy
 * that lets pods talk only within the namespace (and to cluster DNS), and a RoleBinding giving the tenant's
 * impersonated identity (its Sui address, the `Impersonate-User` of its requests) the built-in `admin` ClusterRole
 * in that namespace only. When the token stops being a tenant (unstaked, or slashed below the minimum) the binding
 * is removed; the namespace is kept or deleted per policy.
 *
 * Restart-safe: the chain's history is the state. At start, provisioning.ts replays it into `fold()` and
 * `reconcile()` then applies the result once (re-applying every active tenant, repairing drift, and removing the
 * binding of every released one); later changes are `apply()`d as they arrive. Every object is server-side applied,
 * so applying twice is harmless.
 */
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { silentLogger, type Logger } from '../core/log.js';
import { KubeAdminError, type KubeAdmin, type KubeObjectRef } from './kube-admin.js';

/** Quota and limits of every tenant namespace. */
export interface TenantPolicy {
  /** ResourceQuota `spec.hard`. */
  quota: Record<string, string>;
  /** LimitRange for each container: defaults (limits), default requests, and the maximum. */
  containerLimits: { default: Record<string, string>; defaultRequest: Record<string, string>; max: Record<string, string> };
  /** What happens to the namespace when its tenant goes: `keep` (objects stay, nobody can reach them) or `delete`. */
  onRelease: 'keep' | 'delete';
}

/** The documented defaults (docs/security.md, "Tenant namespaces"), used while the chain carries no tenant policy. */
export const DEFAULT_TENANT_POLICY: TenantPolicy = {
  quota: {
    'requests.cpu': '2',
    'requests.memory': '4Gi',
    'limits.cpu': '4',
    'limits.memory': '8Gi',
    pods: '20',
    services: '10',
    'services.loadbalancers': '0',
    'services.nodeports': '0',
    persistentvolumeclaims: '5',
    'requests.storage': '20Gi',
    secrets: '50',
    configmaps: '50',
  },
  containerLimits: {
    default: { cpu: '500m', memory: '512Mi' },
    defaultRequest: { cpu: '100m', memory: '128Mi' },
    max: { cpu: '2', memory: '4Gi' },
  },
  onRelease: 'keep',
};

export interface TenantClaim {
  namespace: string;
  tokenId: string;
  /** The token owner's address: the identity nautilus impersonates for its requests. */
  owner: string;
}

export type TenantChange = ({ kind: 'claimed' } & TenantClaim) | { kind: 'released'; namespace: string; tokenId: string; reason: string };

export const TENANT_LABEL = 'k3sdaas.io/tenant';
export const TOKEN_ANNOTATION = 'k3sdaas.io/seal-token';
export const OWNER_ANNOTATION = 'k3sdaas.io/owner';
export const QUOTA_NAME = 'k3sdaas-tenant-quota';
export const LIMITS_NAME = 'k3sdaas-tenant-limits';
export const NETWORK_POLICY_NAME = 'k3sdaas-tenant-isolation';
export const BINDING_NAME = 'k3sdaas-tenant-admin';

const MANAGED = { 'app.kubernetes.io/managed-by': 'k3sdaas-nautilus' };

/** The objects of one tenant namespace, in apply order (the Namespace first). */
export function tenantObjects(claim: TenantClaim, policy: TenantPolicy = DEFAULT_TENANT_POLICY): KubeObjectRef[] {
  const { namespace } = claim;
  const owner = normalizeSuiAddress(claim.owner);
  const annotations = { [TOKEN_ANNOTATION]: normalizeSuiAddress(claim.tokenId), [OWNER_ANNOTATION]: owner };
  const labels = { ...MANAGED, [TENANT_LABEL]: 'true' };
  const meta = (name: string) => ({ name, namespace, labels, annotations });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels, annotations } },
    { apiVersion: 'v1', kind: 'ResourceQuota', metadata: meta(QUOTA_NAME), spec: { hard: { ...policy.quota } } },
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: meta(LIMITS_NAME),
      spec: { limits: [{ type: 'Container', ...structuredClone(policy.containerLimits) }] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(NETWORK_POLICY_NAME),
      spec: {
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: {} }] }],
        egress: [
          { to: [{ podSelector: {} }] },
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
            ports: [
              { protocol: 'UDP', port: 53 },
              { protocol: 'TCP', port: 53 },
            ],
          },
        ],
      },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(BINDING_NAME),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: owner }],
    },
  ];
}

export interface TenantRecord {
  tokenId: string;
  owner: string;
  /**
   * `blocked`: claimed on chain, but the namespace already exists on the cluster and is not this token's (created
   * outside k3sdaas, or kept from an earlier tenant): nothing is bound until the operator deletes it.
   */
  state: 'active' | 'released' | 'blocked';
}

export interface TenantProvisionerOptions {
  admin: KubeAdmin;
  policy?: TenantPolicy;
  logger?: Logger;
}

export class TenantProvisioner {
  readonly #admin: KubeAdmin;
  readonly #records = new Map<string, TenantRecord>();
  readonly #policy: TenantPolicy;
  readonly #log: Logger;

  constructor(options: TenantProvisionerOptions) {
    this.#admin = options.admin;
    this.#policy = options.policy ?? DEFAULT_TENANT_POLICY;
    this.#log = (options.logger ?? silentLogger).child({ component: 'tenants' });
  }

  get policy(): TenantPolicy {
    return this.#policy;
  }

  /** The tenants this nautilus knows of, by namespace. */
  tenants(): Array<{ namespace: string } & TenantRecord> {
    return [...this.#records].map(([namespace, r]) => ({ namespace, ...r }));
  }

  /**
   * Records a change without touching the cluster (replaying history at start); returns false for a release of a
   * token that no longer holds the name (an old event after a new claim), which changes nothing.
   */
  fold(change: TenantChange): boolean {
    const tokenId = normalizeSuiAddress(change.tokenId);
    if (change.kind === 'claimed') {
      this.#records.set(change.namespace, { tokenId, owner: normalizeSuiAddress(change.owner), state: 'active' });
      return true;
    }
    const current = this.#records.get(change.namespace);
    if (current && current.tokenId !== tokenId) return false;
    this.#records.set(change.namespace, { tokenId, owner: current?.owner ?? '', state: 'released' });
    return true;
  }

  /** Applies one change the chain made. Idempotent; throws (so the chain cursor does not advance) when the cluster fails. */
  async apply(change: TenantChange): Promise<void> {
    if (change.kind === 'claimed') {
      const claim = { namespace: change.namespace, tokenId: normalizeSuiAddress(change.tokenId), owner: normalizeSuiAddress(change.owner) };
      const outcome = await this.#provision(claim);
      this.fold(change);
      if (outcome === 'blocked') this.#records.get(claim.namespace)!.state = 'blocked';
      else this.#log.info('tenant namespace provisioned', { namespace: claim.namespace, token: claim.tokenId, owner: claim.owner });
      return;
    }
    const current = this.#records.get(change.namespace);
    if (current && current.tokenId !== normalizeSuiAddress(change.tokenId)) return;
    await this.#release(change.namespace);
    this.fold(change);
    this.#log.info('tenant access removed', { namespace: change.namespace, token: change.tokenId, reason: change.reason, namespacePolicy: this.#policy.onRelease });
  }

  /** Brings the cluster in line with what is recorded: every active tenant re-applied, every released one unbound. */
  async reconcile(): Promise<{ active: number; released: number; blocked: number }> {
    let active = 0;
    let released = 0;
    let blocked = 0;
    for (const [namespace, r] of this.#records) {
      if (r.state === 'released') {
        await this.#release(namespace);
        released++;
      } else if ((await this.#provision({ namespace, tokenId: r.tokenId, owner: r.owner })) === 'blocked') {
        r.state = 'blocked';
        blocked++;
      } else {
        r.state = 'active';
        active++;
      }
    }
    this.#log.info('tenant namespaces reconciled', { active, released, blocked });
    return { active, released, blocked };
  }

  /**
   * Applies the tenant's objects, unless the namespace exists and is not this token's: binding a new tenant to a
   * namespace made outside k3sdaas, or kept from an earlier tenant, would hand it someone else's objects (secrets
   * included). Such a claim is `blocked` (logged) until the operator deletes the namespace; one still terminating is
   * retried (thrown, so the chain cursor waits).
   */
  async #provision(claim: TenantClaim): Promise<'provisioned' | 'blocked'> {
    const existing = await this.#admin.get<{ metadata: { annotations?: Record<string, string> }; status?: { phase?: string } }>({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: claim.namespace },
    });
    if (existing && existing.metadata.annotations?.[TOKEN_ANNOTATION] !== claim.tokenId) {
      if (existing.status?.phase === 'Terminating') {
        throw new KubeAdminError(`namespace ${claim.namespace} is still terminating; its new tenant is provisioned once it is gone`, 409);
      }
      const previous = existing.metadata.annotations?.[TOKEN_ANNOTATION];
      this.#log.error('tenant namespace NOT bound: it already exists on the cluster and is not this token\'s; delete it to let the tenant in (kubectl delete namespace), then restart nautilus', {
        namespace: claim.namespace,
        token: claim.tokenId,
        owner: claim.owner,
        existingFrom: previous ? `tenant token ${previous}` : 'outside k3sdaas',
      });
      return 'blocked';
    }
    for (const obj of tenantObjects(claim, this.#policy)) await this.#admin.apply(obj);
    return 'provisioned';
  }

  async #release(namespace: string): Promise<void> {
    await this.#admin.delete({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: BINDING_NAME, namespace } });
    if (this.#policy.onRelease === 'delete') await this.#admin.delete({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  }
}
