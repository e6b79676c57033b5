/** One way to turn blob-store flags into a BlobStore, for every command that reads or writes off-chain bodies. */
import { readFileSync } from 'node:fs';
import { HttpBlobStore, WalrusBlobStore, type BlobStore } from '../core/blobs/index.js';
import { ConfigError } from '../core/config/index.js';

export interface BlobFlags {
  blobStore?: string;
  blobCa?: string;
  blobTokenFile?: string;
  walrusPublisher?: string;
  walrusAggregator?: string;
}

/** `undefined` when no blob store is configured (bodies too large for a transaction are then refused). */
export function blobStoreFromFlags(f: BlobFlags): (BlobStore & { close(): Promise<void> }) | undefined {
  if (Boolean(f.walrusPublisher) !== Boolean(f.walrusAggregator)) {
    throw new ConfigError('Walrus needs both --walrus-publisher and --walrus-aggregator');
  }
  if (f.walrusPublisher && f.blobStore) throw new ConfigError('choose either Walrus or --blob-store, not both');
  if (f.walrusPublisher) return new WalrusBlobStore({ publisherUrl: f.walrusPublisher, aggregatorUrl: f.walrusAggregator! });
  if (!f.blobStore) {
    if (f.blobCa || f.blobTokenFile) throw new ConfigError('--blob-ca / --blob-token-file need --blob-store <url>');
    return undefined;
  }
  return new HttpBlobStore(f.blobStore, {
    ca: f.blobCa ? readFileSync(f.blobCa, 'utf8') : undefined,
    token: f.blobTokenFile ? readFileSync(f.blobTokenFile, 'utf8').trim() : undefined,
  });
}
