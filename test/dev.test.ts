/**
 * Issue #7's main command end to end: `k3sdaas dev --json` as a child process from a fresh data dir, the real
 * kubectl through the k3sdaas-dev context and through `kubectl daas`, then SIGINT and no process left behind.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from './helpers/cli.js';

const home = mkdtempSync(join(tmpdir(), 'k3sdaas-dev-home-'));
const env = {
  ...process.env,
  HOME: home,
  KUBECONFIG: join(home, '.kube', 'config'),
  PATH: `${join(ROOT, 'bin')}:${process.env.PATH}`,
  K3SDAAS_CONFIG: undefined as unknown as string,
};
delete (env as Record<string, unknown>).K3SDAAS_CONFIG;
let dev: ChildProcess;
let ready: Record<string, string>;
let stderr = '';

function run(cmd: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = execFile(cmd, args, { env, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) c.stdin!.end(input);
  });
}
const cache = join(home, 'kcache');
const kubectl = (args: string[], input?: string) => run('kubectl', ['--context', 'k3sdaas-dev', '--cache-dir', cache, ...args], input);

function descendants(pid: number): Promise<number[]> {
  return new Promise((resolve) =>
    execFile('ps', ['-e', '-o', 'pid=,ppid='], (_e, out) => {
      const rows = out.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
      const found: number[] = [];
      const walk = (p: number) => rows.filter(([, pp]) => pp === p).forEach(([c]) => (found.push(c), walk(c)));
      walk(pid);
      resolve(found);
    }),
  );
}

beforeAll(async () => {
  dev = spawn(BIN, ['dev', '--json', '--rpc-port', '0', '--faucet-port', '0', '--gateway-port', '0', '--checkpoint-ms', '50'], { env });
  dev.stderr!.on('data', (c) => (stderr += c));
  ready = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`dev not ready in 60s; stderr: ${stderr}`)), 60_000);
    dev.stdout!.on('data', (c) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl !== -1) {
        clearTimeout(timer);
        resolve(JSON.parse(out.slice(0, nl)));
      }
    });
    dev.on('exit', (code) => reject(new Error(`dev exited ${code}: ${stderr}`)));
  });
}, 90_000);

afterAll(() => {
  if (dev.exitCode === null) dev.kill('SIGKILL');
});

describe('k3sdaas dev', () => {
  it('prints one ready line with everything a script needs', () => {
    for (const key of ['rpcUrl', 'gatewayUrl', 'kubeconfig', 'context', 'packageId', 'clusterId']) expect(ready[key], key).toBeTruthy();
    expect(ready.context).toBe('k3sdaas-dev');
  });

  it('kubectl --context k3sdaas-dev: get, apply, delete through the chain', async () => {
    const get = await kubectl(['get', 'pods']);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stderr).toMatch(/Warning: k3sdaas request 0x[0-9a-f]{64}/);
    const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dev-cm\ndata:\n  k: v\n';
    const apply = await kubectl(['apply', '-f', '-'], manifest);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('configmap/dev-cm created');
    const del = await kubectl(['delete', 'configmap', 'dev-cm']);
    expect(del.code, del.stderr).toBe(0);
    expect(del.stdout).toContain('configmap "dev-cm" deleted');
  });

  it('kubectl --context k3sdaas-dev-tenant: a tenant of dev-tenant only, refused by the contract elsewhere', async () => {
    expect(ready).toMatchObject({ tenantContext: 'k3sdaas-dev-tenant', tenantNamespace: 'dev-tenant' });
    const tenant = (args: string[]) => run('kubectl', ['--context', 'k3sdaas-dev-tenant', '--cache-dir', cache, ...args]);
    // nautilus creates the namespace once it sees the claim on chain.
    let created = await tenant(['create', 'configmap', 'mine', '--from-literal=a=b']);
    for (let i = 0; i < 20 && created.code !== 0 && /not found/.test(created.stderr); i++) {
      await new Promise((r) => setTimeout(r, 250));
      created = await tenant(['create', 'configmap', 'mine', '--from-literal=a=b']);
    }
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('configmap/mine created');
    const elsewhere = await tenant(['get', 'pods', '-n', 'kube-system']);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain('(contract access::ETenantOutsideNamespace)');
  });

  it('kubectl daas get pods goes through kubectl-proxy', async () => {
    const r = await run('kubectl', ['daas', 'get', 'pods', '-A']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/k3sdaas request 0x[0-9a-f]{64}/);
  });

  it('SIGINT stops everything and leaves no process behind', async () => {
    const kids = await descendants(dev.pid!);
    const exited = new Promise<number | null>((r) => dev.on('exit', (code) => r(code)));
    dev.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(0);
    const alive = kids.filter((p) => {
      try {
        process.kill(p, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
  }, 30_000);
});
