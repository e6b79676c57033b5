/**
 * The cluster's maximum session duration for the session hub: read from the Cluster object at start, then kept
 * current from the cluster's `MaxSessionUpdated` events (`cluster::set_max_session_ms`). A new maximum applies to
 * sessions granted afterwards; `nautilus start --max-session` can only lower it (SessionHub.maxSessionMs).
 */
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { ChainFollower, memoryCursorStore, type ChainClient } from '../core/chain/index.js';
import { readCluster } from '../core/chain/objects.js';
import { decodeEvent } from '../core/events/index.js';
import type { Logger } from '../core/log.js';
import type { SessionHub } from './sessions.js';

export interface SessionLimitOptions {
  client: ChainClient;
  packageId: string;
  clusterId: string;
  hub: SessionHub;
  logger: Logger;
}

export class SessionLimit {
  readonly #o: SessionLimitOptions;
  #follower: ChainFollower | null = null;

  constructor(options: SessionLimitOptions) {
    this.#o = options;
  }

  async start(): Promise<this> {
    const { hub, clusterId } = this.#o;
    // Follow first, then read: an update landing in between is seen by one or the other (both set the same value).
    this.#follower = new ChainFollower({
      client: this.#o.client,
      streams: [{ name: 'session-limit', filter: { emitModule: `${this.#o.packageId}::cluster` } }],
      cursors: memoryCursorStore(),
      startAt: 'now',
      onEvents: (_s, events) => {
        for (const raw of events) {
          const ev = decodeEvent(raw, { packageId: this.#o.packageId });
          if (ev?.$kind !== 'MaxSessionUpdated' || normalizeSuiAddress(ev.clusterId) !== normalizeSuiAddress(clusterId)) continue;
          hub.clusterMaxSessionMs = Number(ev.maxSessionMs);
          this.#o.logger.info('maximum session duration updated on chain', { maxSessionMs: hub.clusterMaxSessionMs, effectiveMs: hub.maxSessionMs });
        }
      },
      logger: this.#o.logger,
    }).start();
    const cluster = await readCluster(this.#o.client, clusterId);
    hub.clusterMaxSessionMs ??= Number(cluster.maxSessionMs);
    return this;
  }

  async stop(): Promise<void> {
    await this.#follower?.stop();
  }
}
