import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Relative paths (posix separators) of every `.move` file under `dir`, recursively. */
function moveFiles(root: string, dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of entries) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...moveFiles(root, full));
    else if (name.endsWith('.move')) out.push(relative(root, full).split(sep).join('/'));
  }
  return out;
}

/**
 * The files of the Move package that determine its build: `Move.toml`, `sources/**\/*.move` and
 * `tests/**\/*.move`, as sorted posix paths relative to `moveDir`.
 */
export function moveSourceFiles(moveDir: string): string[] {
  return ['Move.toml', ...moveFiles(moveDir, join(moveDir, 'sources')), ...moveFiles(moveDir, join(moveDir, 'tests'))].sort();
}

/**
 * sha256 (hex) over the Move package sources: for each file in sorted order, its relative path, a NUL byte,
 * its byte length as decimal, a NUL byte, then its contents. The committed build records this value so CI can
 * tell whether move/build/k3sdaas.json was produced from the current sources.
 */
export function moveSourceHash(moveDir: string): string {
  const hash = createHash('sha256');
  for (const path of moveSourceFiles(moveDir)) {
    const content = readFileSync(join(moveDir, path));
    hash.update(path);
    hash.update('\0');
    hash.update(String(content.length));
    hash.update('\0');
    hash.update(content);
  }
  return hash.digest('hex');
}
