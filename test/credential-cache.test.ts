/**
 * The exec-plugin credential cache (src/core/credential-cache.ts, src/cli/token-credential.ts): served only for
 * exactly what it was minted for and only while it stays valid for a while; its files are 0600. Time comes from an
 * injected clock. The last cases run the built plugin (bin/k3sdaas token → dist/token.js) as kubectl does.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { loadConfig } from '../src/core/config/load.js';
import { credentialFromToken, decodeCredential } from '../src/core/credential.js';
import { credentialCacheDir } from '../src/core/credential-cache.js';
import { execCredential, type TokenRequest } from '../src/cli/token-credential.js';
import { runCli } from './helpers/cli.js';

const KEY_A = 'suiprivkey1qzdlfxn2qa2lj5uprl8pyhexs02sg2wrhdy7qaq50cqgnffw4c2477kg9h3';
const KEY_B = Ed25519Keypair.generate().getSecretKey();
const GATEWAY = '0x' + 'aa'.repeat(32);
const CLUSTER = '0x' + 'c1'.repeat(32);
const TOKEN = '0x' + '70'.repeat(32);
const TTL = 10 * 60_000;
const T0 = 1_800_000_000_000;

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'k3sdaas-credcache-'));
  let now = T0;
  const clock = { now: () => now, set: (t: number) => (now = t) };
  const config = (env: Record<string, string> = {}) =>
    loadConfig({
      file: undefined,
      env: { K3SDAAS_CONFIG: join(dir, 'config.yaml'), K3SDAAS_DATA_DIR: dir, K3SDAAS_PRIVATE_KEY: KEY_A, K3SDAAS_CLUSTER_ID: CLUSTER, K3SDAAS_NETWORK: 'localnet', ...env },
    });
  const get = (req: Partial<TokenRequest> = {}, env: Record<string, string> = {}) =>
    execCredential(config(env), { gatewayAddress: GATEWAY, sealToken: TOKEN, ttlMs: TTL, ...req }, { now: clock.now });
  return { dir, clock, config, get };
}

const decode = (token: string) => decodeCredential(credentialFromToken(token).bytes);

describe('the exec credential cache', () => {
  it('serves the cached credential while it stays valid, from a 0600 file in a 0700 directory', async () => {
    const { dir, clock, get } = setup();
    const first = await get();
    expect(first.kind).toBe('ExecCredential');
    const c = decode(first.status.token);
    expect(c).toMatchObject({ gateway: GATEWAY, clusterId: CLUSTER, tokenId: TOKEN, expiresMs: BigInt(T0 + TTL) });
    expect(Date.parse(first.status.expirationTimestamp)).toBe(T0 + TTL - 5_000);

    const cacheDir = credentialCacheDir(dir);
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    const files = readdirSync(cacheDir);
    expect(files).toHaveLength(1);
    expect(statSync(join(cacheDir, files[0])).mode & 0o777).toBe(0o600);

    clock.set(T0 + 8 * 60_000);
    expect((await get()).status.token).toBe(first.status.token);
  });

  it('is never served after expiry, nor within a minute of it', async () => {
    const { clock, get } = setup();
    const first = await get();
    clock.set(T0 + TTL - 60_001);
    expect((await get()).status.token).toBe(first.status.token);
    for (const t of [T0 + TTL - 60_000, T0 + TTL - 1, T0 + TTL, T0 + TTL + 1, T0 + 5 * TTL, T0 + 5 * TTL + TTL - 30_000]) {
      clock.set(t);
      const again = await get();
      expect(again.status.token, `at +${t - T0} ms`).not.toBe(first.status.token);
      // Whatever is served (fresh or cached) is valid for more than a minute from now, and no longer than asked.
      const left = Number(decode(again.status.token).expiresMs) - t;
      expect(left, `at +${t - T0} ms`).toBeGreaterThan(60_000);
      expect(left).toBeLessThanOrEqual(TTL);
    }
  });

  it('is not served when the clock went back (it would outlive the TTL asked for)', async () => {
    const { clock, get } = setup();
    const first = await get();
    clock.set(T0 - 60_000);
    const again = await get();
    expect(again.status.token).not.toBe(first.status.token);
    expect(decode(again.status.token).expiresMs).toBe(BigInt(T0 - 60_000 + TTL));
  });

  it('is never served for another gateway, cluster, SealToken, signer, network, package or TTL', async () => {
    const { dir, clock, get } = setup();
    const first = await get();
    const other = [
      { name: 'gateway', run: () => get({ gatewayAddress: '0x' + 'ab'.repeat(32) }), field: { gateway: '0x' + 'ab'.repeat(32) } },
      { name: 'cluster', run: () => get({}, { K3SDAAS_CLUSTER_ID: '0x' + 'c2'.repeat(32) }), field: { clusterId: '0x' + 'c2'.repeat(32) } },
      { name: 'SealToken', run: () => get({ sealToken: '0x' + '71'.repeat(32) }), field: { tokenId: '0x' + '71'.repeat(32) } },
      { name: 'signer', run: () => get({}, { K3SDAAS_PRIVATE_KEY: KEY_B }), field: {} },
      { name: 'network', run: () => get({}, { K3SDAAS_NETWORK: 'http://127.0.0.1:9999' }), field: {} },
      { name: 'package', run: () => get({}, { K3SDAAS_PACKAGE_ID: '0x99' }), field: {} },
      { name: 'TTL', run: () => get({ ttlMs: 5 * 60_000 }), field: {} },
    ];
    // Each request comes a second later than the last: a fresh credential expires a TTL after it, a cached one earlier.
    for (const [i, o] of other.entries()) {
      const t = T0 + 1_000 * (i + 2);
      clock.set(t);
      const cred = await o.run();
      const ttl = o.name === 'TTL' ? 5 * 60_000 : TTL;
      expect(decode(cred.status.token), o.name).toMatchObject({ ...o.field, expiresMs: BigInt(t + ttl) });
    }
    // Each got its own entry; the first is still served for the first request.
    expect((await get()).status.token).toBe(first.status.token);
    expect(readdirSync(credentialCacheDir(dir))).toHaveLength(other.length + 1);
  });

  it('is not served from a file others can read, or one that was tampered into another key', async () => {
    const { dir, clock, get } = setup();
    const first = await get();
    const cacheDir = credentialCacheDir(dir);
    const file = join(cacheDir, readdirSync(cacheDir)[0]);
    chmodSync(file, 0o644);
    clock.set(T0 + 1_000);
    const second = await get();
    expect(second.status.token).not.toBe(first.status.token);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // A file whose recorded key is not the one asked for (say, copied from another gateway's entry) is a miss.
    writeFileSync(file, JSON.stringify({ format: 1, key: { gateway: 'x' }, token: first.status.token, expiresMs: T0 + TTL }), { mode: 0o600 });
    expect((await get()).status.token).not.toBe(first.status.token);
  });

  it('removes entries untouched for a day when it writes a new one', async () => {
    const { dir, get } = setup();
    const cacheDir = credentialCacheDir(dir);
    mkdirSync(cacheDir, { recursive: true });
    const stale = join(cacheDir, 'f'.repeat(64) + '.json');
    writeFileSync(stale, '{}', { mode: 0o600 });
    const dayAgo = (Date.now() - 25 * 3_600_000) / 1000;
    utimesSync(stale, dayAgo, dayAgo);
    await get();
    expect(existsSync(stale)).toBe(false);
    expect(readdirSync(cacheDir)).toHaveLength(1);
  });

  it('--no-cache signs every time', async () => {
    const { clock, config } = setup();
    const req = { gatewayAddress: GATEWAY, sealToken: TOKEN, ttlMs: TTL };
    const a = await execCredential(config(), req, { now: clock.now, noCache: true });
    clock.set(T0 + 1);
    const b = await execCredential(config(), req, { now: clock.now, noCache: true });
    expect(a.status.token).not.toBe(b.status.token);
  });
});

describe('k3sdaas token (the built plugin, as kubectl runs it)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k3sdaas-token-'));
  const env = { HOME: dir, K3SDAAS_CONFIG: join(dir, 'config.yaml'), K3SDAAS_DATA_DIR: dir, K3SDAAS_PRIVATE_KEY: KEY_A };
  writeFileSync(join(dir, 'config.yaml'), `network: localnet\npackageId: "0x5"\n`);
  const args = ['token', '--gateway-address', GATEWAY, '--cluster', CLUSTER, '--seal-token', TOKEN];

  it('prints an ExecCredential with expirationTimestamp, then the same one from the cache', async () => {
    const a = await runCli(args, { env });
    expect(a.code, a.stderr).toBe(0);
    const cred = JSON.parse(a.stdout);
    expect(cred).toMatchObject({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential' });
    const expires = Date.parse(cred.status.expirationTimestamp);
    expect(expires).toBeGreaterThan(Date.now() + 9 * 60_000);
    expect(Number(decode(cred.status.token).expiresMs)).toBe(expires + 5_000);
    const b = await runCli(args, { env });
    expect(b.stdout).toBe(a.stdout);
    const c = await runCli([...args, '--no-cache'], { env });
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).not.toBe(a.stdout);
  });

  it('reports bad input like the rest of the CLI', async () => {
    const bad = await runCli(['token', '--gateway-address', 'nope', '--cluster', CLUSTER], { env });
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toBe('error: --gateway-address must be a 0x address\n');
    const missing = await runCli(['token', '--cluster', CLUSTER], { env });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("required option '--gateway-address <address>' not specified");
    const help = await runCli(['token', '--help'], { env });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: k3sdaas token [options]');
    const ttl = await runCli([...args, '--ttl', '2h'], { env });
    expect(ttl).toMatchObject({ code: 2, stderr: 'error: --ttl may be at most 1h\n' });
  });
});

describe('the plugin entry point', () => {
  it('handles the flags the kubeconfig writes and leaves everything else to the full CLI', async () => {
    const { fastTokenArgs } = await import('../src/cli/token-args.js');
    expect(fastTokenArgs(['token', '--gateway-address', '0x1', '--cluster=0x2', '--seal-token', '0x3', '--network', 'localnet'])).toEqual({
      gatewayAddress: '0x1',
      cluster: '0x2',
      sealToken: '0x3',
      network: 'localnet',
    });
    for (const argv of [
      ['token', '--cluster', '0x2'], // --gateway-address is required: commander says so
      ['token', '--gateway-address', '0x1', '--ttl', '5m'],
      ['token', '--gateway-address', '0x1', '--help'],
      ['token', '--gateway-address', '0x1', '--gateway-address', '0x2'],
      ['token', '--gateway-address'],
      ['token', '--gateway-address', '--cluster'],
      ['token', '--gateway-address', '0x1', 'extra'],
      ['kubectl', '--gateway-address', '0x1'],
    ])
      expect(fastTokenArgs(argv), argv.join(' ')).toBeUndefined();
  });

  it('knows which Node is too old', async () => {
    const { nodeTooOld } = await import('../src/cli/node-version.js');
    expect(['20.20.2', '22.18.9', '22.9.0', '18.0.0'].map((v) => nodeTooOld(v))).toEqual([true, true, true, true]);
    expect(['22.19.0', '22.20.1', '23.0.0', '24.21.0'].map((v) => nodeTooOld(v))).toEqual([false, false, false, false]);
  });
});
