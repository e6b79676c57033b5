/**
 * Issue 4, "Done when" 1 (kubectl-proxy half): `kubectl daas <args>` — kubectl finds the bin/kubectl-daas plugin on
 * PATH, which starts `k3sdaas kubectl-proxy` in the background on first use (the user's own key signs every request:
 * transaction sender = user, SealToken as owned input) and runs kubectl against it. The user's setup is only a
 * k3sdaas config file in a temporary HOME naming the network, package, cluster and key file.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIST_PER_SUI } from '../src/core/cluster-admin.js';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import { ROOT } from './helpers/cli.js';
import { recentRequests, stakedUser, tempDir, writeUserConfig, type TestUser } from './helpers/e2e.js';
import type { KubectlResult } from './helpers/kubectl.js';
import { kubectlScenario, STEP_TIMEOUT_MS } from './helpers/kubectl-scenario.js';

let sb: Sandbox;
let user: TestUser;
const home = tempDir('e2e-proxy-home');
const dir = tempDir('e2e-proxy');
const stateFile = join(home, '.k3sdaas', 'proxy', 'state.json');
let env: NodeJS.ProcessEnv;
let proxyPid: number | null = null;

/** `kubectl daas <args>` as a user would type it (no --kubeconfig: the plugin brings its own). */
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
  sb = await startSandbox({ checkpointMs: 0 });
  user = await stakedUser(sb, 'admin', 2n * MIST_PER_SUI);
  const keyFile = join(home, '.k3sdaas', 'key');
  writeUserConfig(home, { network: sb.localnet.rpcUrl, packageId: sb.packageId, clusterId: sb.clusterId, keyFile, logLevel: 'warn' });
  writeFileSync(keyFile, user.keypair.getSecretKey() + '\n', { mode: 0o600 });
  // Nothing from the test runner's own k3sdaas environment leaks in: the config file alone decides.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('K3SDAAS_') && k !== 'KUBECONFIG'));
  env = { ...clean, HOME: home, PATH: `${join(ROOT, 'bin')}:${process.env.PATH}` };
}, 60_000);

afterAll(async () => {
  // The plugin leaves the proxy running for the next command (by design); this test owns it and stops it.
  const pid = proxyPid ?? (existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as { pid: number }).pid : null);
  if (pid && alive(pid)) {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  await sb?.stop();
}, 30_000);

describe('kubectl daas via kubectl-proxy', () => {
  it('the first command starts kubectl-proxy on demand; the next reuses it', async () => {
    expect(existsSync(stateFile)).toBe(false);
    const first = await kubectlDaas(['get', 'namespaces']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('starting kubectl-proxy (first use)');
    expect(first.stdout).toMatch(/^NAME\s+STATUS\s+AGE\n/);
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { pid: number; url: string; clusterId: string };
    proxyPid = state.pid;
    expect(alive(state.pid)).toBe(true);
    expect(state.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(state.clusterId).toBe(sb.clusterId);

    const second = await kubectlDaas(['get', 'namespaces', 'default']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).not.toContain('starting kubectl-proxy');
    expect(second.stdout).toMatch(/\ndefault\s+Active\s/);
    expect((JSON.parse(readFileSync(stateFile, 'utf8')) as { pid: number }).pid).toBe(state.pid);
  }, STEP_TIMEOUT_MS);

  kubectlScenario({ sb: () => sb, kubectl: () => kubectlDaas, dir, ns: 'daas' });

  it('20 concurrent `kubectl daas get configmaps` all succeed (each takes the user\'s owned SealToken; none equivocates)', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => kubectlDaas(['get', 'configmaps', '-n', 'default'])));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(results.map((r) => r.stderr).join('')).not.toMatch(/not available for consumption/);
  }, STEP_TIMEOUT_MS);

  it('every request was submitted by the user directly (no gateway), with their SealToken', async () => {
    const recent = await recentRequests(sb, 50);
    expect(recent.length).toBeGreaterThan(0);
    for (const ev of recent) {
      expect(ev.requester).toBe(user.address);
      expect(ev.gateway).toBeNull();
      expect(ev.tokenId).toBe(user.tokenId);
    }
  });
});
