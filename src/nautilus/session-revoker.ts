/**
 * Revocation for sessions: follows the cluster's `access` events and cuts, within a checkpoint or two, every open
 * session of a SealToken that lost its access on chain — unstaked (the token is gone), its role revoked, or
 * slashed below the cluster's minimum stake (when the event carries what remains). Starts at the chain's head:
 * only sessions open now matter.
 */
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { ChainFollower, memoryCursorStore, type ChainClient } from '../core/chain/index.js';
import { readCluster } from '../core/chain/objects.js';
import { decodeEvent } from '../core/events/index.js';
import type { Logger } from '../core/log.js';
import type { SessionHub } from './sessions.js';

export interface SessionRevokerOptions {
  client: ChainClient;
  packageId: string;
  clusterId: string;
  hub: SessionHub;
  logger: Logger;
}

/** Why an access event ends a token's sessions, or null when it does not. */
export function revocationReason(ev: { $kind: string; remaining?: bigint }, minUserStake: bigint | null): string | null {
  switch (ev.$kind) {
    case 'Unstaked':
      return 'the SealToken was unstaked';
    case 'RoleRevoked':
      return 'the SealToken\'s role was revoked';
    case 'Slashed':
      return typeof ev.remaining === 'bigint' && minUserStake !== null && ev.remaining < minUserStake
        ? `the SealToken was slashed below the minimum stake (${ev.remaining} < ${minUserStake} MIST)`
        : null;
  }
  return null;
}

export class SessionRevoker {
  readonly #o: SessionRevokerOptions;
  #follower: ChainFollower | null = null;
  #minUserStake: bigint | null = null;

  constructor(options: SessionRevokerOptions) {
    this.#o = options;
  }

  async start(): Promise<this> {
    this.#minUserStake = (await readCluster(this.#o.client, this.#o.clusterId)).minUserStake;
    this.#follower = new ChainFollower({
      client: this.#o.client,
      streams: [{ name: 'session-revocation', filter: { emitModule: `${this.#o.packageId}::access` } }],
      cursors: memoryCursorStore(),
      startAt: 'now',
      onEvents: (_s, events) => {
        for (const raw of events) {
          const ev = decodeEvent(raw, { packageId: this.#o.packageId }) as ({ $kind: string; clusterId?: string; tokenId?: string; remaining?: bigint } | null);
          if (!ev?.tokenId || !ev.clusterId || normalizeSuiAddress(ev.clusterId) !== normalizeSuiAddress(this.#o.clusterId)) continue;
          const why = revocationReason(ev, this.#minUserStake);
          if (!why) continue;
          const n = this.#o.hub.cutToken(ev.tokenId, why);
          if (n) this.#o.logger.warn('sessions cut', { token: ev.tokenId, sessions: n, reason: why });
        }
      },
      logger: this.#o.logger,
    }).start();
    return this;
  }

  async stop(): Promise<void> {
    await this.#follower?.stop();
  }
}
