/**
 * Issue 4, "Done when" 1 (gateway half): the real /usr/bin/kubectl, authenticated by the `k3sdaas token` exec
 * plugin that `k3sdaas kubeconfig --gateway URL` configures, drives the embedded Kubernetes API through the gateway,
 * the chain and nautilus (scenario in helpers/kubectl-scenario.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { parse } from 'yaml';
import { MIST_PER_SUI } from '../src/core/cluster-admin.js';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import { BIN, runCli } from './helpers/cli.js';
import { cliEnv, recentRequests, stakedUser, tempDir, type TestUser } from './helpers/e2e.js';
import { kubectlRunner } from './helpers/kubectl.js';
import { kubectlScenario } from './helpers/kubectl-scenario.js';

let sb: Sandbox;
let admin: TestUser;
let env: NodeJS.ProcessEnv;
let kubectl: ReturnType<typeof kubectlRunner>;
const dir = tempDir('e2e-gw');
const kubeconfig = join(dir, 'kubeconfig');

beforeAll(async () => {
  sb = await startSandbox({ checkpointMs: 0 });
  admin = await stakedUser(sb, 'admin', 2n * MIST_PER_SUI);
  env = cliEnv(sb, admin.keypair);
}, 60_000);
afterAll(async () => sb?.stop());

describe('kubectl through the gateway with the `k3sdaas token` exec plugin', () => {
  it('`k3sdaas kubeconfig --gateway` writes the CA and the exec plugin', async () => {
    const r = await runCli(['kubeconfig', '--gateway', sb.gatewayUrl, '--out', kubeconfig, '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { gatewayAddress: string; server: string };
    expect(out.gatewayAddress).toBe(sb.gatewayAddress);
    expect(r.stderr).toContain('trusting the gateway CA on first use');
    const doc = parse(readFileSync(kubeconfig, 'utf8')) as {
      clusters: Array<{ cluster: { server: string; 'certificate-authority-data': string } }>;
      users: Array<{ user: { exec: { command: string; args: string[] } } }>;
    };
    expect(doc.clusters[0].cluster.server).toBe(sb.gatewayUrl);
    expect(Buffer.from(doc.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe(sb.tls.caPem);
    expect(doc.users[0].user.exec.command).toBe(BIN);
    expect(doc.users[0].user.exec.args).toEqual(['token', '--gateway-address', sb.gatewayAddress, '--cluster', sb.clusterId]);
    // kubectl's environment holds only the user's key: network, package and cluster must come from the kubeconfig.
    kubectl = kubectlRunner(kubeconfig, {
      HOME: env.HOME,
      K3SDAAS_CONFIG: env.K3SDAAS_CONFIG,
      K3SDAAS_PRIVATE_KEY: env.K3SDAAS_PRIVATE_KEY,
      K3SDAAS_NETWORK: '',
      K3SDAAS_PACKAGE_ID: '',
      K3SDAAS_CLUSTER_ID: '',
    });
  });

  kubectlScenario({ sb: () => sb, kubectl: () => kubectl, dir, ns: 'e2e' });

  it('/readyz and /metrics reflect the run', async () => {
    const dispatcher = new Agent({ connect: { ca: sb.tls.caPem } });
    try {
      const ready = await request(`${sb.gatewayUrl}/readyz`, { dispatcher });
      expect([ready.statusCode, await ready.body.text()]).toEqual([200, 'ok']);
      const metrics = await (await request(`${sb.gatewayUrl}/metrics`, { dispatcher })).body.text();
      const count = (labels: string) => Number(new RegExp(`^k3sdaas_gateway_requests_total\\{${labels}\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);
      expect(count('verb="create",outcome="201"')).toBeGreaterThanOrEqual(6);
      expect(count('verb="delete",outcome="200"')).toBe(1);
      expect(count('verb="get",outcome="404"')).toBeGreaterThanOrEqual(2);
      expect(metrics).toMatch(/^k3sdaas_gateway_request_seconds_count\{phase="chain"\} \d+$/m);
      // Batching totals: every answered request was one call in some submit transaction.
      const batched = (what: string) => Number(new RegExp(`^k3sdaas_gateway_submit_batched_total\\{what="${what}"\\} (\\d+)$`, 'm').exec(metrics)?.[1]);
      expect(batched('transactions')).toBeGreaterThan(0);
      expect(batched('calls')).toBeGreaterThanOrEqual(batched('transactions'));
      expect(batched('calls')).toBeGreaterThanOrEqual(count('verb="create",outcome="201"'));
      // The follower kept up with the chain: every answer was delivered, so it is at most a checkpoint or two behind.
      const lag = Number(/^k3sdaas_gateway_follower_lag_checkpoints (\d+)$/m.exec(metrics)?.[1]);
      expect(lag).toBeGreaterThanOrEqual(0);
      expect(lag).toBeLessThanOrEqual(2);
    } finally {
      await dispatcher.close();
    }
  });

  it('every request was recorded on chain under the user and the gateway', async () => {
    const recent = await recentRequests(sb, 10);
    expect(recent.length).toBeGreaterThan(0);
    for (const ev of recent) {
      expect(ev.requester).toBe(admin.address);
      expect(ev.gateway).toBe(sb.gatewayAddress);
      expect(ev.tokenId).toBe(admin.tokenId);
    }
  });
});
