/**
 * What nautilus sets up on the cluster besides executing requests: the RBAC of the identities it impersonates
 * (rbac-bootstrap.ts), installed first, and the tenant namespaces the chain hands out (tenants.ts).
 *
 * Tenants follow the `access` module's events. At every start the whole history is replayed (a memory cursor from
 * the beginning: the chain is the state) into the provisioner without touching the cluster, then applied once
 * (`reconcile`), so a restart repairs whatever drifted; afterwards each change is applied as it arrives, and a
 * change the cluster refuses is retried (the follower does not advance past it). A tenant whose stake a slash takes
 * below the cluster's `min_user_stake` (`Slashed.remaining`) loses its binding at once, as it loses access on chain
 * (nothing can raise a stake again, so that is final until it unstakes).
 */
import type { SuiClientTypes } from '@mysten/sui/client';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { ChainFollower, memoryCursorStore, readCluster, type ChainClient } from '../core/chain/index.js';
import { decodeEvent } from '../core/events/index.js';
import { silentLogger, type Logger } from '../core/log.js';
import type { KubeForwarder } from '../core/kube/index.js';
import { KubeAdmin } from './kube-admin.js';
import { installClusterRbac } from './rbac-bootstrap.js';
import { TenantProvisioner, type TenantChange, type TenantPolicy } from './tenants.js';

export interface ProvisioningOptions {
  client: ChainClient;
  packageId: string;
  clusterId: string;
  forwarder: KubeForwarder;
  policy?: TenantPolicy;
  logger?: Logger;
}

type AnyEvent = { $kind: string } & Record<string, unknown>;

/** The tenant change an `access` event makes on `clusterId`, if any. */
export function tenantChangeOf(ev: AnyEvent | null, clusterId: string): TenantChange | null {
  if (!ev || ev.clusterId !== clusterId) return null;
  switch (ev.$kind) {
    case 'NamespaceClaimed':
      return { kind: 'claimed', namespace: String(ev.namespace), tokenId: String(ev.tokenId), owner: String(ev.owner) };
    case 'NamespaceReleased':
      return { kind: 'released', namespace: String(ev.namespace), tokenId: String(ev.tokenId), reason: 'namespace released (token unstaked)' };
    default:
      return null;
  }
}

export class NautilusProvisioning {
  readonly tenants: TenantProvisioner;
  readonly #o: ProvisioningOptions;
  readonly #clusterId: string;
  readonly #log: Logger;
  #follower: ChainFollower | null = null;
  /** The namespace each tenant token of this cluster claimed. */
  readonly #namespaces = new Map<string, string>();
  #minUserStake: bigint | undefined;
  /** Resolves once the replayed history is applied; live changes wait for it. */
  #reconciled: Promise<unknown> | null = null;

  constructor(options: ProvisioningOptions) {
    this.#o = options;
    this.#clusterId = normalizeSuiAddress(options.clusterId);
    this.#log = (options.logger ?? silentLogger).child({ component: 'provisioning' });
    this.tenants = new TenantProvisioner({ admin: new KubeAdmin(options.forwarder), policy: options.policy, logger: this.#log });
  }

  /** Installs the cluster RBAC, catches up with the chain's tenant history, applies it, then follows. */
  async start(): Promise<void> {
    await installClusterRbac(new KubeAdmin(this.#o.forwarder), this.#log);
    const follower = new ChainFollower({
      client: this.#o.client,
      streams: [{ name: 'tenants', filter: { emitModule: `${this.#o.packageId}::access` } }],
      cursors: memoryCursorStore(),
      startAt: 'beginning',
      onEvents: (_stream, events) => this.#onEvents(events),
      logger: this.#log,
    });
    this.#follower = follower.start();
    await follower.waitCaughtUp();
    this.#reconciled = this.tenants.reconcile();
    await this.#reconciled;
  }

  async stop(): Promise<void> {
    await this.#follower?.stop();
  }

  async #onEvents(events: SuiClientTypes.EventEntry[]): Promise<void> {
    const changes: TenantChange[] = [];
    for (const raw of events) {
      const ev = decodeEvent(raw, { packageId: this.#o.packageId }) as AnyEvent | null;
      const change = tenantChangeOf(ev, this.#clusterId) ?? (await this.#stakeChange(ev));
      if (change) changes.push(change);
    }
    if (!this.#reconciled) {
      for (const c of changes) this.tenants.fold(c);
      return;
    }
    await this.#reconciled;
    for (const c of changes) await this.tenants.apply(c);
  }

  /** A slash that leaves a tenant's token below the minimum (`Slashed.remaining`) releases its namespace binding. */
  async #stakeChange(ev: AnyEvent | null): Promise<TenantChange | null> {
    if (!ev || ev.clusterId !== this.#clusterId) return null;
    const tokenId = String(ev.tokenId);
    if (ev.$kind === 'Staked' && ev.namespace) {
      this.#namespaces.set(tokenId, String(ev.namespace));
      return null;
    }
    if (ev.$kind !== 'Slashed') return null;
    const namespace = this.#namespaces.get(tokenId);
    if (!namespace) return null;
    this.#minUserStake ??= (await readCluster(this.#o.client, this.#o.clusterId)).minUserStake;
    const remaining = ev.remaining as bigint;
    if (remaining >= this.#minUserStake) return null;
    return { kind: 'released', namespace, tokenId, reason: `slashed below the minimum stake (${remaining} < ${this.#minUserStake} MIST)` };
  }
}
