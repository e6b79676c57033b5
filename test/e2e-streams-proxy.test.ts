/**
 * Issue 11 through `kubectl daas` (kubectl-proxy: the user's own key signs every request): `get pods -w` shows a pod
 * another `kubectl daas` creates, `delete pod` (default wait) returns, and the watch is on chain as the user's own
 * request (no gateway) with the enclave's session record.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { MIST_PER_SUI } from '../src/core/cluster-admin.js';
import { decodeEvent, type SessionClosed } from '../src/core/events/index.js';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import { ROOT } from './helpers/cli.js';
import { recentRequests, stakedUser, tempDir, writeUserConfig, type TestUser } from './helpers/e2e.js';
import type { KubectlResult } from './helpers/kubectl.js';

const CHECKPOINT_MS = 250;
let sb: Sandbox;
let user: TestUser;
const home = tempDir('e2e-streams-proxy-home');
const stateFile = join(home, '.k3sdaas', 'proxy', 'state.json');
let env: NodeJS.ProcessEnv;

function kubectlDaas(args: string[]): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile('kubectl', ['daas', ...args], { env, timeout: 90_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  sb = await startSandbox({ checkpointMs: CHECKPOINT_MS });
  user = await stakedUser(sb, 'admin', 2n * MIST_PER_SUI);
  const keyFile = join(home, '.k3sdaas', 'key');
  writeUserConfig(home, { network: sb.localnet.rpcUrl, packageId: sb.packageId, clusterId: sb.clusterId, keyFile, logLevel: 'warn' });
  writeFileSync(keyFile, user.keypair.getSecretKey() + '\n', { mode: 0o600 });
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('K3SDAAS_') && k !== 'KUBECONFIG'));
  env = { ...clean, HOME: home, PATH: `${join(ROOT, 'bin')}:${process.env.PATH}` };
}, 60_000);

afterAll(async () => {
  const pid = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as { pid: number }).pid : null;
  if (pid && alive(pid)) {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  await sb?.stop();
}, 30_000);

describe('streams through kubectl daas', () => {
  it('`kubectl daas get pods -w` shows a pod another `kubectl daas` creates; `delete pod` returns; the session is on chain', async () => {
    // First use starts kubectl-proxy (and warms discovery).
    const warm = await kubectlDaas(['get', 'pods']);
    expect(warm.code, warm.stderr).toBe(0);
    // Its own process group, as in a terminal: Ctrl-C reaches the plugin and the kubectl it runs.
    const child = spawn('kubectl', ['daas', 'get', 'pods', '-w'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      for (let i = 0; i < 300 && sb.sessions.openCount === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(sb.sessions.openCount, err).toBe(1);
      const r = await kubectlDaas(['run', 'seen', '--image=nginx:1.27', '--restart=Never']);
      expect(r.code, r.stderr).toBe(0);
      const created = performance.now();
      while (!/^seen\s/m.test(out) && performance.now() - created < 10_000) await new Promise((res) => setTimeout(res, 20));
      expect(out).toMatch(/^seen\s/m);
      expect(performance.now() - created).toBeLessThan(2 * CHECKPOINT_MS + 500);
    } finally {
      process.kill(-child.pid!, 'SIGINT');
      await new Promise((r) => child.on('exit', r));
      for (let i = 0; i < 100 && sb.sessions.openCount > 0; i++) await new Promise((r) => setTimeout(r, 50));
    }
    expect(err).not.toMatch(/Failed to watch|NotImplemented/);
    const del = await kubectlDaas(['delete', 'pod', 'seen']);
    expect(del.stderr).not.toContain('Failed to watch');
    expect(del.code, del.stderr).toBe(0);

    // On chain: the watch is the user's own request (no gateway), with the enclave's closing record.
    const watch = (await recentRequests(sb, 40)).find((e) => e.path === '/api/v1/namespaces/default/pods' && sb.sessions.records.some((x) => x.sessionId === e.requestId));
    expect(watch, JSON.stringify({ records: sb.sessions.records.map((x) => [x.sessionId, x.path]), open: sb.sessions.openCount })).toBeDefined();
    expect(normalizeSuiAddress(watch!.requester)).toBe(normalizeSuiAddress(user.address));
    expect(watch!.gateway).toBeNull();
    await sb.sessionRecorder.idle();
    const page = await sb.client.core.listEvents({ filter: { emitModule: `${sb.packageId}::session` }, limit: 100 });
    const closed = page.events.map((e) => decodeEvent(e, { packageId: sb.packageId })).find((e): e is SessionClosed => e?.$kind === 'SessionClosed' && e.requestId === watch!.requestId);
    expect(closed).toBeDefined();
    expect(closed!.bytesDown).toBeGreaterThan(0n);
  }, 120_000);
});
