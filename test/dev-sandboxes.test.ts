/**
 * Two `k3sdaas dev` sandboxes side by side, each with its own --data-dir and one shared HOME: each keeps its config,
 * proxy state and kubeconfig in its data dir, and its `kubectl daas`, `stake list` and `watch --json` keep talking to
 * its own chain and cluster; the user's ~/.k3sdaas/config.yaml is never written.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { BIN, ROOT } from './helpers/cli.js';

const home = mkdtempSync(join(tmpdir(), 'k3sdaas-two-sandboxes-'));
const baseEnv: NodeJS.ProcessEnv = { ...process.env, HOME: home, KUBECONFIG: join(home, '.kube', 'config'), PATH: `${join(ROOT, 'bin')}:${process.env.PATH}` };
for (const k of Object.keys(baseEnv)) if (k.startsWith('K3SDAAS_')) delete baseEnv[k];

interface Sandbox {
  name: string;
  dir: string;
  proc: ChildProcess;
  ready: Record<string, string>;
  env: NodeJS.ProcessEnv;
}
const boxes: Sandbox[] = [];

function start(name: string): Promise<Sandbox> {
  const dir = join(home, name);
  const proc = spawn(BIN, ['dev', '--json', '--data-dir', dir, '--rpc-port', '0', '--faucet-port', '0', '--gateway-port', '0', '--checkpoint-ms', '50'], { env: baseEnv });
  let stderr = '';
  proc.stderr!.on('data', (c) => (stderr += c));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} not ready in 120s: ${stderr}`)), 120_000);
    proc.stdout!.on('data', (c) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      clearTimeout(timer);
      const ready = JSON.parse(out.slice(0, nl));
      resolve({ name, dir, proc, ready, env: { ...baseEnv, K3SDAAS_CONFIG: ready.config, KUBECONFIG: ready.kubeconfig } });
    });
    proc.on('exit', (code) => reject(new Error(`${name} exited ${code}: ${stderr}`)));
  });
}

function run(box: Sandbox, cmd: string, args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(cmd, args, { env: box.env, timeout: timeoutMs }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })),
  );
}

/** `k3sdaas watch --json` until `until` matches a line (or the time runs out); returns the lines seen. */
function watchLines(box: Sandbox, until: (e: Record<string, unknown>) => boolean, ms = 30_000): Promise<Record<string, unknown>[]> {
  const child = spawn(BIN, ['watch', '--json'], { env: box.env });
  const seen: Record<string, unknown>[] = [];
  return new Promise((resolve) => {
    let buf = '';
    const done = () => (child.kill('SIGINT'), resolve(seen));
    const timer = setTimeout(done, ms);
    child.stdout.on('data', (c) => {
      buf += c;
      for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
        const e = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        seen.push(e);
        if (until(e)) {
          clearTimeout(timer);
          done();
        }
      }
    });
  });
}

beforeAll(async () => {
  boxes.push(...(await Promise.all([start('alpha'), start('beta')])));
}, 180_000);

afterAll(() => {
  for (const b of boxes) if (b.proc.exitCode === null) b.proc.kill('SIGKILL');
});

describe('two sandboxes side by side', () => {
  it('each keeps config, proxy state and kubeconfig in its own data dir; the user config is untouched', () => {
    const [a, b] = boxes;
    for (const box of [a, b]) {
      expect(box.ready.config).toBe(join(box.dir, 'config.yaml'));
      expect(box.ready.kubeconfig).toBe(join(box.dir, 'kubeconfig'));
      const cfg = parse(readFileSync(box.ready.config, 'utf8'));
      expect(cfg).toMatchObject({ network: box.ready.rpcUrl, clusterId: box.ready.clusterId, dataDir: box.dir });
      expect(JSON.parse(readFileSync(join(box.dir, 'proxy', 'state.json'), 'utf8'))).toMatchObject({ url: box.ready.proxyUrl, rpcUrl: box.ready.rpcUrl, tokenId: box.ready.sealToken });
      const kc = parse(readFileSync(box.ready.kubeconfig, 'utf8'));
      const env = kc.users.find((u: { name: string }) => u.name === 'k3sdaas-dev').user.exec.env;
      expect(env).toContainEqual({ name: 'K3SDAAS_CONFIG', value: box.ready.config });
    }
    expect(a.ready.rpcUrl).not.toBe(b.ready.rpcUrl);
    expect(existsSync(join(home, '.k3sdaas', 'config.yaml'))).toBe(false);
    expect(existsSync(join(home, '.kube', 'config'))).toBe(false);
  });

  it("kubectl daas and the k3sdaas-dev context reach each sandbox's own cluster", async () => {
    const [a, b] = boxes;
    const made = await run(a, 'kubectl', ['daas', 'create', 'configmap', 'only-in-alpha', '--from-literal=k=v']);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toBe('configmap/only-in-alpha created\n');
    const inA = await run(a, 'kubectl', ['daas', 'get', 'configmap', 'only-in-alpha', '-o', 'name']);
    expect(inA.stdout).toBe('configmap/only-in-alpha\n');
    const inB = await run(b, 'kubectl', ['daas', 'get', 'configmap', 'only-in-alpha']);
    expect(inB.code).toBe(1);
    expect(inB.stderr).toContain('configmaps "only-in-alpha" not found');
    const viaContextA = await run(a, 'kubectl', ['--context', 'k3sdaas-dev', 'get', 'configmap', 'only-in-alpha', '-o', 'name']);
    expect(viaContextA.code, viaContextA.stderr).toBe(0);
    const viaContextB = await run(b, 'kubectl', ['--context', 'k3sdaas-dev', 'get', 'configmap', 'only-in-alpha']);
    expect(viaContextB.stderr).toContain('not found');
  });

  it('kubectl daas --seal-token ID runs through the proxy of that token', async () => {
    const [a] = boxes;
    const r = await run(a, 'kubectl', ['daas', '--seal-token', a.ready.sealToken, 'get', 'ns', 'default', '-o', 'name']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('namespace/default\n');
  });

  it('stake list and watch --json follow their own sandbox', async () => {
    for (const box of boxes) {
      const list = await run(box, BIN, ['stake', 'list', '--json']);
      expect(list.code, list.stderr).toBe(0);
      const tokens = JSON.parse(list.stdout) as { id?: string; tokenId?: string }[];
      expect(tokens.map((t) => t.id ?? t.tokenId)).toContain(box.ready.sealToken);
    }
    const [a, b] = boxes;
    const isCreate = (e: Record<string, unknown>) => e.event === 'submitted' && e.method === 'POST' && String(e.path).includes('/configmaps');
    const seenA = await watchLines(a, isCreate);
    expect(seenA.some(isCreate)).toBe(true);
    const seenB = await watchLines(b, (e) => e.event === 'submitted', 8_000);
    expect(seenB.some((e) => e.event === 'submitted')).toBe(true);
    expect(seenB.some(isCreate)).toBe(false);
  }, 60_000);

  it('SIGINT stops both', async () => {
    for (const b of boxes) {
      const exited = new Promise<number | null>((r) => b.proc.on('exit', (code) => r(code)));
      b.proc.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  }, 30_000);
});

describe('clear messages', () => {
  const env = { ...baseEnv, HOME: mkdtempSync(join(tmpdir(), 'k3sdaas-msg-')), K3SDAAS_PACKAGE_ID: '0x2', K3SDAAS_PRIVATE_KEY: new Ed25519Keypair().getSecretKey() };
  const cli = (args: string[]) =>
    new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(BIN, args, { env, timeout: 60_000 }, (err, _out, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr })),
    );

  it('an unreachable network names its URL (watch, stake list)', async () => {
    for (const args of [['watch', '--json'], ['stake', 'list']]) {
      const r = await cli([...args, '--network', 'http://127.0.0.1:9']);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr).toContain('error: cannot reach the Sui network at http://127.0.0.1:9');
      expect(r.stderr).not.toContain('fetch failed');
    }
  }, 60_000);

  it('a port in use names the flag', async () => {
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await cli(['dev', '--json', '--data-dir', join(env.HOME!, 'busy'), '--rpc-port', '0', '--faucet-port', '0', '--gateway-port', String(port)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`error: port ${port} (--gateway-port) is already in use`);
    } finally {
      server.close();
    }
  }, 90_000);
});
