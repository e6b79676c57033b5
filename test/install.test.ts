/**
 * `npm i -g` of the packed tarball into a temporary prefix, on the machine's Node 20 (the Node most machines ship):
 * `k3sdaas --help` must work, because the package brings its own Node 24 (npm package `node`, a real dependency).
 * Without that runtime (installed with --ignore-scripts), the CLI must say in one line which Node it needs instead of
 * crashing inside undici. Packs the dist/ that is already built (the suite builds it first); dependencies come from
 * the npm cache when they are there (--prefer-offline), from the registry otherwise.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_REQUIRED } from '../src/cli/node-version.js';
import { ROOT } from './helpers/cli.js';

/** A system Node older than the CLI needs (e.g. /usr/bin/node v20), or undefined. */
function oldSystemNode(): { bin: string; version: string } | undefined {
  const candidates = new Set(['/usr/bin/node', '/usr/local/bin/node']);
  const which = spawnSync('which', ['-a', 'node'], { encoding: 'utf8' });
  for (const line of (which.stdout ?? '').split('\n')) if (line.trim()) candidates.add(line.trim());
  for (const bin of candidates) {
    if (!existsSync(bin) || bin.includes('node_modules')) continue;
    const version = spawnSync(bin, ['-v'], { encoding: 'utf8' }).stdout?.trim();
    if (version && Number(version.slice(1).split('.')[0]) < 22) return { bin, version };
  }
  return undefined;
}

const old = oldSystemNode();
const npm = old && [join(dirname(old.bin), 'npm'), '/usr/bin/npm', '/usr/local/bin/npm'].find(existsSync);

describe('package.json', () => {
  it('engines names the Node the CLI checks for; the runtime is a real dependency', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.engines.node).toBe(`>=${NODE_REQUIRED}`);
    expect(pkg.dependencies.node).toBeDefined();
    expect(pkg.devDependencies?.node).toBeUndefined();
    expect(pkg.files).toEqual(expect.arrayContaining(['bin', 'dist']));
  });
});

describe.skipIf(!old || !npm)(`npm i -g of the packed tarball, on the system Node (${old?.version})`, () => {
  it('runs k3sdaas --help with the Node it brings; without it, one line names the Node needed', { timeout: 180_000 }, () => {
    const work = mkdtempSync(join(tmpdir(), 'k3sdaas-install-'));
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dirname(old!.bin)}:/usr/bin:/bin`, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
    for (const k of Object.keys(env)) if (k.startsWith('npm_') && !['npm_config_update_notifier', 'npm_config_fund', 'npm_config_audit'].includes(k)) delete env[k];
    const run = (cmd: string, args: string[], cwd = work) => spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 150_000 });

    const pack = run(old!.bin, [npm!, 'pack', '--ignore-scripts', '--pack-destination', work, ROOT], ROOT);
    expect(pack.status, pack.stderr).toBe(0);
    const tarball = join(work, pack.stdout.trim().split('\n').pop()!);
    const prefix = join(work, 'prefix');
    const install = run(old!.bin, [npm!, 'install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball]);
    expect(install.status, install.stdout + install.stderr).toBe(0);

    const k3sdaas = join(prefix, 'bin', 'k3sdaas');
    const help = run(k3sdaas, ['--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: k3sdaas [options] [command]');
    expect(help.stdout).toContain('token [options]');
    const plugin = run(join(prefix, 'bin', 'kubectl-daas'), ['--help']);
    expect(plugin.status, plugin.stderr).toBe(0);
    expect(plugin.stdout).toContain('Usage: k3sdaas kubectl');
    // The exec credential plugin's own entry point is in the package and signs (no chain needed with --seal-token).
    const id = '0x' + '11'.repeat(32);
    const tokenEnv = { K3SDAAS_PRIVATE_KEY: 'suiprivkey1qzdlfxn2qa2lj5uprl8pyhexs02sg2wrhdy7qaq50cqgnffw4c2477kg9h3', K3SDAAS_DATA_DIR: work, K3SDAAS_CONFIG: join(work, 'none.yaml') };
    const signed = spawnSync(k3sdaas, ['token', '--gateway-address', id, '--cluster', id, '--seal-token', id], { cwd: work, env: { ...env, ...tokenEnv }, encoding: 'utf8' });
    expect(signed.status, signed.stderr).toBe(0);
    expect(JSON.parse(signed.stdout).kind).toBe('ExecCredential');

    // The same install without its runtime (as `npm i --ignore-scripts` leaves it): one line, naming the versions.
    const runtime = join(prefix, 'lib', 'node_modules', 'k3sdaas', 'node_modules', 'node', 'bin', 'node');
    expect(existsSync(runtime)).toBe(true);
    renameSync(runtime, `${runtime}.moved`);
    for (const args of [['--help'], ['token', '--gateway-address', id]]) {
      const r = run(k3sdaas, args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`k3sdaas needs Node.js >= ${NODE_REQUIRED}`);
      expect(r.stderr).toContain(old!.version);
    }
    execFileSync('rm', ['-rf', work]);
  });
});
