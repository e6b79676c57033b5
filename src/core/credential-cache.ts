/**
 * The exec-plugin credential cache. kubectl runs `k3sdaas token` on every command; signing needs the Sui SDK and
 * perhaps a chain call, so a signed credential is kept in a file (0600, in a 0700 directory under the data dir) and
 * handed out again until shortly before it expires. A cached credential is served only for exactly what it was
 * minted for: network, package, cluster, gateway, SealToken choice, TTL and the signer's key material (a hash of
 * the private key, key file or keystore + active address, so a changed key is a miss). Imports only node:*.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface CredentialCacheKey {
  rpcUrl: string;
  packageId: string | null;
  /** Normalised (0x + 64 lowercase hex). */
  clusterId: string;
  gateway: string;
  /** The SealToken asked for, or null for "your only token for the cluster". */
  sealToken: string | null;
  ttlMs: number;
  /** signerFingerprint() of the key the credential would be signed with. */
  signer: string;
}

export interface CachedCredential {
  /** The bearer token (`k3sdaas.v1.…`). */
  token: string;
  /** The credential's `expires_ms`. */
  expiresMs: number;
}

export interface CredentialCacheOptions {
  now?: () => number;
  /** Not served once fewer than this many ms of validity remain (default: min(60 s, ttl / 2)). */
  refreshBeforeMs?: (ttlMs: number) => number;
}

const FORMAT = 1;
/** Entries untouched for this long are removed when a new one is written. */
const STALE_MS = 24 * 3_600_000;

/** Sui object ids and addresses as the chain writes them. */
export function normalizeId(id: string): string {
  return '0x' + id.trim().toLowerCase().replace(/^0x/, '').padStart(64, '0');
}

const sha256 = (...parts: (string | Buffer)[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(typeof p === 'string' ? `${p.length}:${p}` : p);
  return h.digest('hex');
};

const readOr = (file: string, fallback: string): Buffer => {
  try {
    return readFileSync(file);
  } catch {
    return Buffer.from(fallback);
  }
};

/**
 * Identifies the signing key the config selects (see loadSigner) by hashing what it is read from, without parsing
 * it: the private key, the key file's bytes, or the keystore's bytes with the address choice (config `address`, or
 * client.yaml's bytes beside the keystore). Any change there changes the fingerprint.
 */
export function signerFingerprint(get: (key: string) => string | undefined): string {
  const pk = get('privateKey');
  if (pk) return sha256('privateKey', pk);
  const keyFile = get('keyFile');
  if (keyFile) return sha256('keyFile', keyFile, readOr(keyFile, '\0missing'));
  const keystore = get('keystore') ?? '';
  return sha256('keystore', keystore, readOr(keystore, '\0missing'), get('address') ?? '', readOr(join(dirname(keystore), 'client.yaml'), '\0missing'));
}

const sameKey = (a: CredentialCacheKey, b: CredentialCacheKey) =>
  a.rpcUrl === b.rpcUrl &&
  a.packageId === b.packageId &&
  a.clusterId === b.clusterId &&
  a.gateway === b.gateway &&
  a.sealToken === b.sealToken &&
  a.ttlMs === b.ttlMs &&
  a.signer === b.signer;

export class CredentialCache {
  private readonly now: () => number;
  private readonly refreshBeforeMs: (ttlMs: number) => number;

  constructor(
    readonly dir: string,
    options: CredentialCacheOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.refreshBeforeMs = options.refreshBeforeMs ?? ((ttl) => Math.min(60_000, Math.floor(ttl / 2)));
  }

  /** One file per key; the name is a hash of the key (it reveals nothing about it). */
  fileFor(key: CredentialCacheKey): string {
    return join(this.dir, `${sha256(JSON.stringify(key))}.json`);
  }

  /** The cached credential for exactly this key, if it is still valid for a while; otherwise undefined. */
  get(key: CredentialCacheKey): CachedCredential | undefined {
    const file = this.fileFor(key);
    let entry: { format?: number; key?: CredentialCacheKey; token?: unknown; expiresMs?: unknown };
    try {
      // Refuse a file others can read or that is not ours to trust (someone else's cache, a copy with lost modes).
      const st = statSync(file);
      if (process.platform !== 'win32' && ((st.mode & 0o077) !== 0 || (process.getuid && st.uid !== process.getuid()))) return undefined;
      entry = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return undefined;
    }
    if (entry?.format !== FORMAT || !entry.key || !sameKey(entry.key, key)) return undefined;
    if (typeof entry.token !== 'string' || typeof entry.expiresMs !== 'number') return undefined;
    const left = entry.expiresMs - this.now();
    // Never past (or close to) expiry, and never valid for longer than was asked (a clock set back).
    if (left <= this.refreshBeforeMs(key.ttlMs) || left > key.ttlMs) return undefined;
    return { token: entry.token, expiresMs: entry.expiresMs };
  }

  /** Stores a credential (atomically: a 0600 temporary file renamed over the old one). */
  put(key: CredentialCacheKey, credential: CachedCredential): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = this.fileFor(key);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, JSON.stringify({ format: FORMAT, key, ...credential }) + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
    this.prune();
  }

  /** Removes entries nobody asked for in a day (their credentials expired long ago: the TTL is at most 1 h). */
  private prune(): void {
    const cutoff = Date.now() - STALE_MS;
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith('.json') && !name.endsWith('.tmp')) continue;
      const file = join(this.dir, name);
      try {
        if (statSync(file).mtimeMs < cutoff) rmSync(file, { force: true });
      } catch {
        // raced with another plugin run: fine
      }
    }
  }
}

/** The cache directory under a data dir. */
export const credentialCacheDir = (dataDir: string) => join(dataDir, 'credentials');
