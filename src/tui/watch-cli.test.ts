/**
 * `k3sdaas watch` as a child process (the built dist/, via bin/k3sdaas) against an in-process sandbox: without a
 * terminal it prints plain lines, with --json one object per lifecycle event; SIGINT ends it cleanly.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../dev/sandbox.js';
import { BIN } from '../../test/helpers/cli.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ checkpointMs: 0 });
}, 60_000);
afterAll(async () => sb?.stop());

/** Runs watch until `until` matches its stdout, then SIGINT; returns stdout and the exit code. */
function watch(args: string[], until: RegExp): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const child = spawn(BIN, ['watch', '--network', sb.localnet.rpcUrl, ...args], {
    env: {
      ...process.env,
      K3SDAAS_CONFIG: join(mkdtempSync(join(tmpdir(), 'k3sdaas-watch-')), 'config.yaml'),
      K3SDAAS_PACKAGE_ID: sb.packageId,
      K3SDAAS_CLUSTER_ID: sb.clusterId,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`watch did not print ${until}; stdout: ${stdout} stderr: ${stderr}`));
    }, 30_000);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (until.test(stdout)) child.kill('SIGINT');
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

describe('k3sdaas watch (child process)', () => {
  it('--json: one JSON object per lifecycle event', async () => {
    const r = await watch(['--json'], /"event":"role-granted"/);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events).toContainEqual(expect.objectContaining({ event: 'staked', tokenId: sb.user.tokenId, owner: sb.user.address, role: 3, namespace: 'dev', amount: '2000000000' }));
    expect(events).toContainEqual(expect.objectContaining({ event: 'role-granted', tokenId: sb.user.tokenId, role: 2 }));
  });

  it('not a TTY: plain lines', async () => {
    const r = await watch([], /role-granted/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`staked\\s+token ${sb.user.tokenId} owner ${sb.user.address} tenant of dev 2 SUI`));
    expect(r.stdout).toMatch(new RegExp(`role-granted\\s+admin to token ${sb.user.tokenId}`));
  });
});
