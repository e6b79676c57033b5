import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from '../src/cli/program.js';
import { VERSION } from '../src/core/version.js';
import { ROOT, runCli } from './helpers/cli.js';

function allCommands(cmd: Command, path: string[] = []): string[][] {
  return cmd.commands.flatMap((c) => [[...path, c.name()], ...allCommands(c, [...path, c.name()])]);
}

const fullProgram = await buildProgram();
const home = mkdtempSync(join(tmpdir(), 'k3sdaas-home-'));
const env = { HOME: home, K3SDAAS_CONFIG: join(home, 'config.yaml') };

describe('the k3sdaas executable', () => {
  it('reports the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(VERSION).toBe(pkg.version);
    const r = await runCli(['--version'], { env });
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  const commands = allCommands(fullProgram);
  it('registers subcommands', () => {
    expect(commands.map((c) => c.join(' '))).toContain('config view');
  });

  it('top-level help, drawn without loading any subcommand, is the full program\'s', async () => {
    const lazy = await buildProgram(['node', 'k3sdaas', '--help']);
    expect(lazy.helpInformation()).toBe(fullProgram.helpInformation());
    expect(lazy.commands.every((c) => c.options.length === 0 && c.commands.length === 0)).toBe(true);
  });

  it('a run loads only the subcommand it names (after global options, or after `help`)', async () => {
    for (const argv of [['--network', 'testnet', 'stake', 'list'], ['--config=x.yaml', 'stake'], ['help', 'stake']]) {
      const program = await buildProgram(['node', 'k3sdaas', ...argv]);
      const loaded = program.commands.filter((c) => c.commands.length > 0 || c.options.length > 0).map((c) => c.name());
      expect(loaded, argv.join(' ')).toEqual(['stake']);
    }
  });
  for (const path of commands) {
    it(`k3sdaas ${path.join(' ')} --help prints usage and exits 0`, async () => {
      const r = await runCli([...path, '--help'], { env });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: k3sdaas ${path.join(' ')}`);
    });
  }

  it('an unknown command prints usage help on stderr and exits non-zero', async () => {
    const r = await runCli(['frobnicate'], { env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    expect(r.stdout).toBe('');
  });

  it('an unknown flag is refused', async () => {
    const r = await runCli(['config', 'view', '--frob'], { env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("unknown option '--frob'");
  });

  it('nothing claims to be unimplemented', async () => {
    const r = await runCli(['--help'], { env });
    expect(r.stdout.toLowerCase()).not.toContain('not implemented');
  });
});

describe('what a command loads', () => {
  const hook = join(ROOT, 'test', 'fixtures', 'log-imports.mjs');
  async function imports(args: string[], extraEnv: Record<string, string> = {}): Promise<string[]> {
    const log = join(mkdtempSync(join(tmpdir(), 'k3sdaas-imports-')), 'imports.log');
    const r = await runCli(args, { env: { ...env, ...extraEnv, NODE_OPTIONS: `--import=${hook}`, K3SDAAS_TEST_IMPORT_LOG: log } });
    expect(r.code, r.stderr).toBe(0);
    return readFileSync(log, 'utf8').split('\n').filter(Boolean);
  }
  const heavy = ['@mysten/', '@kubernetes/client-node', '/ink/', '/react/', '/undici/', '/yaml/'];
  const loaded = (urls: string[], part: string) => urls.filter((u) => u.includes(`/node_modules/`) && u.includes(part));

  it('k3sdaas --help loads commander and none of the subcommands\' libraries', async () => {
    const urls = await imports(['--help']);
    expect(loaded(urls, '/commander/').length).toBeGreaterThan(0);
    for (const h of heavy) expect(loaded(urls, h), h).toEqual([]);
  });

  it('k3sdaas token with a cached credential loads no library at all (not even commander)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k3sdaas-imports-token-'));
    const id = '0x' + '42'.repeat(32);
    const tokenEnv = { K3SDAAS_CONFIG: join(dir, 'config.yaml'), K3SDAAS_DATA_DIR: dir, K3SDAAS_PRIVATE_KEY: 'suiprivkey1qzdlfxn2qa2lj5uprl8pyhexs02sg2wrhdy7qaq50cqgnffw4c2477kg9h3' };
    writeFileSync(tokenEnv.K3SDAAS_CONFIG, 'network: localnet\nlogLevel: warn\n');
    const args = ['token', '--gateway-address', id, '--cluster', id, '--seal-token', id];
    const miss = await imports(args, tokenEnv);
    expect(loaded(miss, '@mysten/').length).toBeGreaterThan(0); // signing needs the SDK
    const hit = await imports(args, tokenEnv);
    expect(hit.filter((u) => u.includes('/node_modules/') && !u.includes('/node_modules/node/'))).toEqual([]);
  });
});

describe('k3sdaas config', () => {
  it('view --json shows sources and redacts secrets', async () => {
    const key = 'suiprivkey1qzdlfxn2qa2lj5uprl8pyhexs02sg2wrhdy7qaq50cqgnffw4c2477kg9h3';
    const r = await runCli(['config', 'view', '--json', '--network', 'testnet'], {
      env: { ...env, K3SDAAS_PRIVATE_KEY: key },
    });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.values.network).toEqual({ value: 'testnet', source: 'flag' });
    expect(out.values.privateKey).toEqual({ value: '<redacted>', source: 'env' });
    expect(r.stdout + r.stderr).not.toContain(key);
  });

  it('set writes the file and view reads it back; bad values are refused and change nothing', async () => {
    const id = '0x' + '5'.repeat(64);
    expect((await runCli(['config', 'set', 'clusterId', id], { env })).code).toBe(0);
    const before = readFileSync(env.K3SDAAS_CONFIG, 'utf8');
    const bad = await runCli(['config', 'set', 'clusterId', 'xyz'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("invalid 'clusterId'");
    expect(readFileSync(env.K3SDAAS_CONFIG, 'utf8')).toBe(before);
    const view = JSON.parse((await runCli(['config', 'view', '--json'], { env })).stdout);
    expect(view.values.clusterId).toEqual({ value: id, source: 'file' });
  });

  it('an invalid config file names the key and exits 2', async () => {
    const file = join(home, 'bad.yaml');
    writeFileSync(file, 'netwrok: testnet\n');
    const r = await runCli(['--config', file, 'config', 'view'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown key 'netwrok'");
  });
});
