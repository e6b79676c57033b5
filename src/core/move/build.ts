import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The committed build of the Move package (move/build/k3sdaas.json), as written by `npm run move:build`. */
export interface CommittedMoveBuild {
  /** Base64-encoded bytecode modules, one per Move module. */
  modules: string[];
  /** Hex ids of the packages it depends on (0x1, 0x2). */
  dependencies: string[];
  /** Blake2b-256 package digest (bytes, as the Sui CLI prints it) or hex. */
  digest: number[] | string;
  /** moveSourceHash() of the sources the build was made from. */
  sourceHash: string;
  /** Compiler that produced it, e.g. "sui-move-builder 0.5.1". */
  compiler: string;
}

export const COMMITTED_BUILD_PATH = 'move/build/k3sdaas.json';

/** Finds the k3sdaas package root by walking up from `start` to a package.json named `k3sdaas`. */
export function findPackageRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(start);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'k3sdaas') return dir;
      } catch {
        // not a readable manifest; keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`k3sdaas package root not found above ${start}`);
    dir = parent;
  }
}

function isBuild(value: unknown): value is CommittedMoveBuild {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    Array.isArray(v.modules) &&
    v.modules.every((m) => typeof m === 'string') &&
    Array.isArray(v.dependencies) &&
    v.dependencies.every((d) => typeof d === 'string') &&
    (typeof v.digest === 'string' || (Array.isArray(v.digest) && v.digest.every((n) => typeof n === 'number'))) &&
    typeof v.sourceHash === 'string' &&
    typeof v.compiler === 'string'
  );
}

/** Loads and checks the committed Move build (`move/build/k3sdaas.json` under the package root). */
export function loadCommittedBuild(root: string = findPackageRoot()): CommittedMoveBuild {
  const path = join(root, COMMITTED_BUILD_PATH);
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isBuild(parsed)) throw new Error(`${path} is not a valid k3sdaas Move build`);
  return parsed;
}

/** The package digest as bytes, whichever form the build stores. */
export function buildDigestBytes(build: CommittedMoveBuild): Uint8Array {
  if (typeof build.digest !== 'string') return Uint8Array.from(build.digest);
  return Uint8Array.from(Buffer.from(build.digest.replace(/^0x/, ''), 'hex'));
}
