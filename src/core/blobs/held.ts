/**
 * What the local blob service holds: in memory (tests, ephemeral sandboxes) or in a directory of the data dir, one
 * file per blob named by its digest, so answers stay fetchable — and `k3sdaas verify` keeps working — after
 * nautilus restarts. Retention is by age (the file's mtime is when it was stored), long enough to outlive the
 * requests that name a blob (their deadline is seconds to minutes; the default is 7 days), plus a size cap that
 * refuses new blobs rather than evicting ones a reader may still need.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface HeldBlobs {
  get(id: string): Uint8Array | undefined;
  /** False when holding it would exceed the size cap. */
  put(id: string, bytes: Uint8Array): boolean;
  /** Drops blobs stored longer ago than the retention. */
  sweep(): void;
  readonly bytes: number;
  readonly count: number;
}

export interface HeldBlobsOptions {
  /** Keep blobs this long after they were stored (ms). */
  retentionMs: number;
  maxBytes: number;
  now?: () => number;
}

export function memoryHeldBlobs(o: HeldBlobsOptions): HeldBlobs {
  const now = o.now ?? Date.now;
  const blobs = new Map<string, { bytes: Uint8Array; at: number }>();
  let bytes = 0;
  const drop = (id: string) => {
    const b = blobs.get(id);
    if (b) bytes -= b.bytes.length;
    blobs.delete(id);
  };
  return {
    get: (id) => blobs.get(id)?.bytes,
    put(id, b) {
      if (!blobs.has(id) && bytes + b.length > o.maxBytes) return false;
      drop(id);
      blobs.set(id, { bytes: b, at: now() });
      bytes += b.length;
      return true;
    },
    sweep() {
      const t = now();
      for (const [id, b] of blobs) if (t - b.at > o.retentionMs) drop(id);
    },
    get bytes() {
      return bytes;
    },
    get count() {
      return blobs.size;
    },
  };
}

const FILE = /^sha256-([0-9a-f]{64})$/;
const fileOf = (id: string) => id.replace(':', '-');

/** Blobs as files under `dir` (created 0700, files 0600); written to a temporary name, fsynced, renamed. */
export function diskHeldBlobs(dir: string, o: HeldBlobsOptions): HeldBlobs {
  const now = o.now ?? Date.now;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const sizes = new Map<string, { size: number; at: number }>();
  let bytes = 0;
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.tmp')) {
      rmSync(join(dir, name), { force: true });
      continue;
    }
    const m = FILE.exec(name);
    if (!m) continue;
    const st = statSync(join(dir, name));
    sizes.set(`sha256:${m[1]}`, { size: st.size, at: st.mtimeMs });
    bytes += st.size;
  }
  const drop = (id: string) => {
    const s = sizes.get(id);
    if (!s) return;
    rmSync(join(dir, fileOf(id)), { force: true });
    bytes -= s.size;
    sizes.delete(id);
  };
  return {
    get(id) {
      if (!sizes.has(id)) return undefined;
      try {
        return new Uint8Array(readFileSync(join(dir, fileOf(id))));
      } catch {
        drop(id);
        return undefined;
      }
    },
    put(id, b) {
      const prev = sizes.get(id);
      if (!prev && bytes + b.length > o.maxBytes) return false;
      const at = now();
      const file = join(dir, fileOf(id));
      if (prev) {
        // Stored again: the retention starts over.
        utimesSync(file, at / 1000, at / 1000);
        sizes.set(id, { ...prev, at });
        return true;
      }
      const tmp = `${file}.${process.pid}.tmp`;
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, b);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      utimesSync(tmp, at / 1000, at / 1000);
      renameSync(tmp, file);
      sizes.set(id, { size: b.length, at });
      bytes += b.length;
      return true;
    },
    sweep() {
      const t = now();
      for (const [id, s] of sizes) if (t - s.at > o.retentionMs) drop(id);
    },
    get bytes() {
      return bytes;
    },
    get count() {
      return sizes.size;
    },
  };
}
