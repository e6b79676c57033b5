/**
 * Issue 11: "with the session key kept by the requester (`--save-reply-keys`), `k3sdaas verify` can check a saved
 * transcript against the digest". The real kubectl watches through `k3sdaas kubectl-proxy --save-reply-keys <dir>`
 * (the user's own key signs); the proxy keeps the stream's transcript as <dir>/<request id>.transcript; `k3sdaas
 * verify <request id> --transcript <file>` recomputes its hash chain and accepts it against the enclave's signed
 * session record on chain, and refuses it once a frame is altered.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIST_PER_SUI } from '../src/core/cluster-admin.js';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import { BIN, runCli } from './helpers/cli.js';
import { stakedUser, tempDir, writeUserConfig, type TestUser } from './helpers/e2e.js';

let sb: Sandbox;
let user: TestUser;
let proxy: ChildProcess;
let kubeconfig: string;
const home = tempDir('e2e-transcript-home');
const keys = tempDir('e2e-transcript-keys');
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sb = await startSandbox({ checkpointMs: 100 });
  user = await stakedUser(sb, 'admin', 2n * MIST_PER_SUI);
  const keyFile = join(home, '.k3sdaas', 'key');
  writeUserConfig(home, { network: sb.localnet.rpcUrl, packageId: sb.packageId, clusterId: sb.clusterId, keyFile, logLevel: 'warn' });
  writeFileSync(keyFile, user.keypair.getSecretKey() + '\n', { mode: 0o600 });
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('K3SDAAS_') && k !== 'KUBECONFIG'));
  env = { ...clean, HOME: home };
  kubeconfig = join(home, 'proxy.kubeconfig');
  proxy = spawn(BIN, ['kubectl-proxy', '--save-reply-keys', keys, '--kubeconfig-out', kubeconfig, '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    let err = '';
    proxy.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    proxy.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve();
    });
    proxy.on('exit', (code) => reject(new Error(`kubectl-proxy exited ${code}: ${err}`)));
  });
}, 90_000);

afterAll(async () => {
  if (proxy && proxy.exitCode === null) {
    proxy.kill('SIGTERM');
    await new Promise((r) => proxy.on('exit', r));
  }
  await sb?.stop();
}, 30_000);

describe('saved session transcripts through kubectl-proxy', () => {
  it('`verify --transcript` accepts the saved transcript of a `get pods -w` against the signed record, and refuses an altered one', async () => {
    const before = sb.sessions.records.length;
    const w = spawn('kubectl', ['--kubeconfig', kubeconfig, 'get', 'pods', '-w'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    w.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      for (let i = 0; i < 300 && sb.sessions.openCount === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(sb.sessions.openCount).toBe(1);
      const r = await new Promise<number>((res) =>
        spawn('kubectl', ['--kubeconfig', kubeconfig, 'run', 'recorded', '--image=nginx:1.27', '--restart=Never'], { env, stdio: 'ignore' }).on('exit', (c) => res(c ?? 1)),
      );
      expect(r).toBe(0);
      for (let i = 0; i < 200 && !/^recorded\s/m.test(out); i++) await new Promise((r) => setTimeout(r, 50));
      expect(out).toMatch(/^recorded\s/m);
    } finally {
      w.kill('SIGINT');
      await new Promise((r) => w.on('exit', r));
    }
    for (let i = 0; i < 100 && sb.sessions.openCount > 0; i++) await new Promise((r) => setTimeout(r, 50));
    const rec = sb.sessions.records.slice(before).find((x) => x.path === '/api/v1/namespaces/default/pods');
    expect(rec).toBeDefined();
    const file = join(keys, `${rec!.sessionId}.transcript`);
    for (let i = 0; i < 100 && !(existsSync(file) && readFileSync(file, 'utf8').includes('"end"')); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(keys, `${rec!.sessionId}.key`))).toBe(true);
    // The transcript holds the watch event the requester saw (its own data, on its machine).
    const frames = readFileSync(file, 'utf8').trimEnd().split('\n').slice(1).map((l) => JSON.parse(l) as { data?: string });
    expect(frames.some((f) => f.data !== undefined && Buffer.from(f.data, 'base64').toString().includes('"name":"recorded"'))).toBe(true);
    await sb.sessionRecorder.idle();

    const ok = await runCli(['verify', rec!.sessionId, '--transcript', file, '--json'], { env, timeoutMs: 60_000 });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const verdict = JSON.parse(ok.stdout) as { sessions: Array<{ kind: string; ok: boolean; detail: string }> };
    expect(verdict.sessions.find((s) => s.kind === 'closed')).toMatchObject({ ok: true, detail: expect.stringContaining(`transcript digest ${rec!.digest} (matches the saved transcript)`) });

    // One data frame altered: the recomputed digest is not the enclave's.
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const i = lines.findIndex((l) => l.includes('"dir":"down"') && Buffer.from((JSON.parse(l) as { data: string }).data, 'base64')[0] === 2);
    expect(i).toBeGreaterThan(0);
    const frame = JSON.parse(lines[i]) as { dir: string; seq: number; data: string };
    const plain = Buffer.from(frame.data, 'base64');
    plain[plain.length - 2] ^= 1;
    lines[i] = JSON.stringify({ ...frame, data: plain.toString('base64') });
    writeFileSync(file, lines.join('\n') + '\n');
    const bad = await runCli(['verify', rec!.sessionId, '--transcript', file], { env, timeoutMs: 60_000 });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/session closed: FAILED — the saved transcript's digest [0-9a-f]{64} differs from the signed record's/);
    // Another request's transcript is refused by name.
    const other = await runCli(['verify', '0x' + '1'.repeat(64), '--transcript', file], { env, timeoutMs: 60_000 });
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain(`is the transcript of request ${rec!.sessionId}`);
  }, 120_000);
});
