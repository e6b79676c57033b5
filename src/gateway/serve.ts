/**
 * Starts a kubectl-facing server (gateway or kubectl-proxy): TLS material from its data dir, the shared request
 * tracker, and the frontend. Used by the `gateway` and `kubectl-proxy` commands and by the dev sandbox.
 */
import { join } from 'node:path';
import type { ChainClient } from '../core/chain/index.js';
import { silentLogger, type Logger } from '../core/log.js';
import type { BlobStore } from '../core/blobs/index.js';
import { KubeFrontend, type FrontendOptions } from './frontend.js';
import type { Submitter } from './submitters.js';
import { ensureTlsMaterial, createTlsMaterial, type TlsMaterial } from './tls.js';
import { RequestTracker } from './tracker.js';

export interface ServeOptions {
  client: ChainClient;
  packageId: string;
  /** The package's ORIGINAL id, for event types (default packageId). */
  originalPackageId?: string;
  clusterId: string;
  submitter: Submitter;
  host: string;
  port: number;
  /** Where the CA and server certificate live; omitted = fresh in-memory material. */
  tlsDir?: string;
  /** Ready TLS material (takes precedence over tlsDir). */
  tls?: TlsMaterial;
  /** Names the certificate must carry besides the listen host. */
  extraHosts?: string[];
  logger?: Logger;
  info?: Record<string, unknown>;
  /** Reuse a running tracker (several frontends on one follower). */
  tracker?: RequestTracker;
  /** Off-chain body store shared with nautilus (large requests and answers). */
  blobs?: BlobStore;
  onReplyKey?: FrontendOptions['onReplyKey'];
  sessionTranscript?: FrontendOptions['sessionTranscript'];
  requestWarnings?: boolean;
  /** The Sui fullnode's URL (named in the Status kubectl gets when it is unreachable). */
  chainEndpoint?: string;
  /** How long a graceful stop waits for in-flight kubectl requests (ms). */
  drainMs?: number;
}

export interface Served {
  url: string;
  tls: TlsMaterial;
  frontend: KubeFrontend;
  tracker: RequestTracker;
  stop(): Promise<void>;
}

export function parseListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  return { host: listen.slice(0, i) || '127.0.0.1', port: Number(listen.slice(i + 1)) };
}

export async function serveKubeFrontend(o: ServeOptions): Promise<Served> {
  const log = o.logger ?? silentLogger;
  const hosts = [...new Set([o.host === '0.0.0.0' ? '127.0.0.1' : o.host, '127.0.0.1', 'localhost', ...(o.extraHosts ?? [])])];
  const reissued = (why: string, names: string[]) => log.info('re-issued the server certificate under the same CA', { why, hosts: names, dir: o.tlsDir });
  const tls = o.tls ?? (o.tlsDir ? await ensureTlsMaterial(o.tlsDir, hosts, reissued) : await createTlsMaterial(hosts));
  const ownTracker = !o.tracker;
  const tracker = o.tracker ?? new RequestTracker(o.client, o.packageId, o.clusterId, log, o.originalPackageId);
  if (ownTracker) {
    try {
      await tracker.start();
    } catch (err) {
      await tracker.stop();
      throw err;
    }
  }
  const frontend = new KubeFrontend({ tls, tracker, submitter: o.submitter, host: o.host, port: o.port, logger: log, info: o.info, blobs: o.blobs, onReplyKey: o.onReplyKey, sessionTranscript: o.sessionTranscript, requestWarnings: o.requestWarnings, chainEndpoint: o.chainEndpoint, drainMs: o.drainMs });
  let url: string;
  try {
    url = await frontend.listen();
  } catch (err) {
    if (ownTracker) await tracker.stop();
    throw err;
  }
  return {
    url,
    tls,
    frontend,
    tracker,
    stop: async () => {
      await frontend.close();
      await o.submitter.janitor?.stop();
      if (ownTracker) await tracker.stop();
    },
  };
}

export const tlsDirFor = (dataDir: string, name: string) => join(dataDir, name, 'tls');
