/**
 * Offline Move tooling for move/: `build` compiles the package and writes the committed build
 * (move/build/k3sdaas.json); `test` runs the Move unit tests. Both use @zktx.io/sui-move-builder (the Sui Move
 * compiler and test VM as WASM). The Sui framework comes from a source snapshot at $SUI_FRAMEWORK_DIR
 * (default /root/.cache/k3sdaas/sui-framework, holding Sui/ and MoveStdlib/); see move/README.md.
 *
 *   npx tsx scripts/move.ts build|test
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  MovePackageFetcher,
  dumpMovePackage,
  initMovePackageBuilder,
  testMovePackage,
  type MovePackageFetchLocalContext,
  type MovePackageInput,
} from '@zktx.io/sui-move-builder/full';
import { moveSourceFiles, moveSourceHash } from '../src/core/move/source-hash.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MOVE_DIR = join(ROOT, 'move');
const BUILD_FILE = join(MOVE_DIR, 'build', 'k3sdaas.json');
const COMPILER = 'sui-move-builder 0.5.1';
const DEFAULT_FRAMEWORK_DIR = '/root/.cache/k3sdaas/sui-framework';

/** All files of a package directory: Move.toml (+ Move.lock) and every .move under sources/ and tests/. */
function readPackageDir(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.move')) files[relative(dir, full).split(sep).join('/')] = readFileSync(full, 'utf8');
    }
  };
  for (const top of ['Move.toml', 'Move.lock']) {
    if (existsSync(join(dir, top))) files[top] = readFileSync(join(dir, top), 'utf8');
  }
  for (const sub of ['sources', 'tests']) if (existsSync(join(dir, sub))) walk(join(dir, sub));
  return files;
}

/** Answers the framework dependencies (Sui, MoveStdlib) from a local source snapshot; nothing else. */
class SnapshotFetcher extends MovePackageFetcher {
  constructor(private readonly frameworkDir: string) {
    super();
    this.fetchLocal = async (localPath: string, context: MovePackageFetchLocalContext) =>
      this.framework(context.dependencyName || posix.basename(localPath));
  }

  private framework(name: string): Record<string, string> {
    const key = name.toLowerCase();
    const folder =
      key === 'sui' || key === 'sui-framework' ? 'Sui' : key === 'movestdlib' || key === 'move-stdlib' ? 'MoveStdlib' : undefined;
    if (!folder) throw new Error(`dependency '${name}' is not part of the framework snapshot at ${this.frameworkDir}`);
    return readPackageDir(join(this.frameworkDir, folder));
  }

  override async fetch(gitUrl: string, rev: string, subdir?: string): Promise<Record<string, string>> {
    const last = basename((subdir ?? '').replace(/\/+$/, ''));
    if (!last) throw new Error(`cannot answer ${gitUrl}@${rev} from the framework snapshot`);
    return this.framework(last);
  }

  override async fetchFile(): Promise<string | null> {
    return null;
  }

  override getResolvedSha(): string | undefined {
    return undefined;
  }
}

function packageInput(): MovePackageInput {
  const files: Record<string, string> = {};
  for (const path of moveSourceFiles(MOVE_DIR)) files[path] = readFileSync(join(MOVE_DIR, path), 'utf8');
  if (existsSync(join(MOVE_DIR, 'Move.lock'))) files['Move.lock'] = readFileSync(join(MOVE_DIR, 'Move.lock'), 'utf8');

  const frameworkDir = process.env.SUI_FRAMEWORK_DIR ?? (existsSync(DEFAULT_FRAMEWORK_DIR) ? DEFAULT_FRAMEWORK_DIR : undefined);
  if (frameworkDir) {
    for (const sub of ['Sui', 'MoveStdlib']) {
      if (!existsSync(join(frameworkDir, sub, 'Move.toml'))) {
        throw new Error(`SUI_FRAMEWORK_DIR=${frameworkDir} has no ${sub}/Move.toml (see move/README.md)`);
      }
    }
    return { files, fetcher: new SnapshotFetcher(frameworkDir), network: 'testnet', ansiColor: Boolean(process.stdout.isTTY) };
  }
  process.stderr.write(
    'move: no framework snapshot (set SUI_FRAMEWORK_DIR, see move/README.md); fetching the Sui framework from GitHub.\n' +
      '      Offline use needs SUI_FRAMEWORK_DIR.\n',
  );
  return { files, network: 'testnet', ansiColor: Boolean(process.stdout.isTTY) };
}

async function build(): Promise<number> {
  await initMovePackageBuilder();
  const started = Date.now();
  const result = await dumpMovePackage(packageInput());
  if ('error' in result) {
    process.stderr.write(`move build failed${result.category ? ` (${result.category})` : ''}:\n${result.error}\n`);
    return 1;
  }
  if (result.warnings) process.stderr.write(`${result.warnings}\n`);
  const out = {
    modules: result.modules,
    dependencies: result.dependencies,
    digest: result.digest,
    sourceHash: moveSourceHash(MOVE_DIR),
    compiler: COMPILER,
  };
  mkdirSync(dirname(BUILD_FILE), { recursive: true });
  writeFileSync(BUILD_FILE, `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(
    `move build: ${result.modules.length} modules, ${result.dependencies.length} dependencies -> ${relative(ROOT, BUILD_FILE)} ` +
      `(${Date.now() - started} ms)\n`,
  );
  return 0;
}

async function test(): Promise<number> {
  await initMovePackageBuilder();
  const started = Date.now();
  const result = await testMovePackage(packageInput());
  if ('error' in result) {
    process.stderr.write(`move test failed${result.category ? ` (${result.category})` : ''}:\n${result.error}\n`);
    return 1;
  }
  process.stdout.write(`${result.output.trimEnd()}\n(${Date.now() - started} ms)\n`);
  return result.passed ? 0 : 1;
}

const command = process.argv[2];
const commands: Record<string, () => Promise<number>> = { build, test };
const run = command ? commands[command] : undefined;
if (!run) {
  process.stderr.write('usage: tsx scripts/move.ts build|test\n');
  process.exit(2);
}
run().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`move ${command}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
