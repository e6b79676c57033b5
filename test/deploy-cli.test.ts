/**
 * `k3sdaas deploy` sets the tenancy parameters of a new cluster (fees, worker policy, unbonding, slash bound) on
 * chain, and refuses a bad value by naming its flag before anything is sent.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChainClient, readCluster } from '../src/core/chain/index.js';
import { WORKER_POLICIES } from '../src/core/abi/package.js';
import { DEV_ACCOUNTS, startLocalnet, type Localnet } from '../src/localnet/index.js';
import { silentLogger } from '../src/localnet/log.js';
import { runCli } from './helpers/cli.js';

let net: Localnet;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  net = await startLocalnet({ port: 0, faucetPort: 0, ephemeral: true, checkpointMs: 0, logger: silentLogger });
  const dir = mkdtempSync(join(tmpdir(), 'k3sdaas-deploy-'));
  env = { HOME: dir, K3SDAAS_CONFIG: join(dir, 'config.yaml'), K3SDAAS_NETWORK: net.rpcUrl, K3SDAAS_PRIVATE_KEY: DEV_ACCOUNTS[1].secretKey, K3SDAAS_LOG_LEVEL: 'warn' };
}, 60_000);
afterAll(async () => net?.stop());

describe('k3sdaas deploy', () => {
  it('puts fees, the worker policy, the unbonding period and the slash bound on chain', async () => {
    const r = await runCli(
      ['deploy', '--api-url', 'https://k3s:6443', '--read-fee', '1000', '--write-fee', '0.000005SUI', '--worker-policy', 'open', '--unbonding', '2h', '--max-slash', '2.5%', '--no-save', '--json'],
      { env },
    );
    expect(r.code, r.stderr).toBe(0);
    const { clusterId } = JSON.parse(r.stdout) as { clusterId: string };
    const c = await readCluster(createChainClient({ rpcUrl: net.rpcUrl }), clusterId);
    expect({ readFee: c.readFee, writeFee: c.writeFee, workerPolicy: c.workerPolicy, unbondingMs: c.unbondingMs, maxSlashBps: c.maxSlashBps }).toEqual({
      readFee: 1000n,
      writeFee: 5000n,
      workerPolicy: WORKER_POLICIES.open,
      unbondingMs: 7_200_000n,
      maxSlashBps: 250n,
    });
  }, 60_000);

  it('defaults: no fees, approval, one day of unbonding, 10 % per slash; help shows them in the unit it parses', async () => {
    const help = await runCli(['deploy', '--help'], { env });
    expect(help.stdout).toMatch(/--unbonding <duration>[\s\S]*default: 1d/);
    expect(help.stdout).toMatch(/--max-slash <share>[\s\S]*default: 10%/);
    const r = await runCli(['deploy', '--api-url', 'https://k3s:6443', '--no-save', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const c = await readCluster(createChainClient({ rpcUrl: net.rpcUrl }), (JSON.parse(r.stdout) as { clusterId: string }).clusterId);
    expect([c.readFee, c.writeFee, c.workerPolicy, c.unbondingMs, c.maxSlashBps]).toEqual([0n, 0n, WORKER_POLICIES.approval, 86_400_000n, 1_000n]);
  }, 60_000);

  it('refuses a bad value by naming the flag, and sends nothing', async () => {
    for (const [flag, value, words] of [
      ['--max-slash', '150%', /--max-slash: "150%" is not a share/],
      ['--worker-policy', 'anyone', /--worker-policy: "anyone" is not approval or open/],
      ['--unbonding', '3600', /--unbonding/],
    ] as const) {
      const r = await runCli(['deploy', '--api-url', 'https://k3s:6443', flag, value, '--no-save', '--json'], { env });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(words);
      expect(r.stdout).toBe('');
    }
  }, 60_000);
});
