/**
 * Test support for workers and join tokens: an in-process localnet with a debug cluster whose enclave key is
 * registered (so join tokens can be issued), and helpers for the fake `k3s` in test/fixtures.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as calls from '../core/calls/index.js';
import { createChainClient, TransactionExecutor, type ChainClient } from '../core/chain/index.js';
import { createCluster, MIST_PER_SUI } from '../core/cluster-admin.js';
import { DEV_ACCOUNTS, startLocalnet, type Localnet } from '../localnet/index.js';
import { silentLogger } from '../localnet/log.js';
import { generateEnclaveKey, type EnclaveKey } from '../nautilus/enclave-key.js';

export const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));

export interface WorkerTestbed {
  localnet: Localnet;
  client: ChainClient;
  packageId: string;
  clusterId: string;
  capId: string;
  operator: TransactionExecutor;
  enclaveKey: EnclaveKey;
  stop(): Promise<void>;
}

export async function startWorkerTestbed(o: {
  heartbeatTimeoutMs?: bigint;
  stakeLockMs?: bigint;
  apiUrl?: string;
  caHash?: Uint8Array;
  minWorkerStake?: bigint;
  /** Skip registering the enclave key. */
  noEnclave?: boolean;
  dataDir?: string;
} = {}): Promise<WorkerTestbed> {
  const localnet = await startLocalnet({
    port: 0,
    faucetPort: 0,
    ephemeral: !o.dataDir,
    dataDir: o.dataDir,
    checkpointMs: 0,
    logger: silentLogger,
  });
  const client = createChainClient({ rpcUrl: localnet.rpcUrl });
  const operator = new TransactionExecutor(client, DEV_ACCOUNTS[0].keypair);
  const created = await createCluster(operator, localnet.packageId, {
    name: 'workers-test',
    apiUrl: o.apiUrl ?? 'https://127.0.0.1:6443',
    caHash: o.caHash,
    debug: true,
    heartbeatTimeoutMs: o.heartbeatTimeoutMs ?? 60_000n,
    stakeLockMs: o.stakeLockMs,
    minWorkerStake: o.minWorkerStake ?? 10n * MIST_PER_SUI,
  });
  const enclaveKey = generateEnclaveKey();
  if (!o.noEnclave) {
    await operator.execute(
      calls.enclave.registerDebug({
        package: localnet.packageId,
        arguments: { cap: created.capId, cluster: created.clusterId, publicKey: enclaveKey.publicKey },
      }),
    );
  }
  return {
    localnet,
    client,
    packageId: localnet.packageId,
    clusterId: created.clusterId,
    capId: created.capId,
    operator,
    enclaveKey,
    stop: () => localnet.stop(),
  };
}

export interface FakeK3sRun {
  n: number;
  args: string[];
  env: Record<string, string>;
  pid: number;
  signal: string | null;
  crashed: boolean;
}

/** The agent starts the fake k3s recorded in `dir`, oldest first. */
export function fakeK3sRuns(dir: string): FakeK3sRun[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^run-\d+$/.test(f))
    .map((f) => Number(f.slice(4)))
    .sort((a, b) => a - b)
    .flatMap((n) => {
      const run = join(dir, `run-${n}`);
      if (!existsSync(join(run, 'pid'))) return [];
      const read = (f: string) => (existsSync(join(run, f)) ? readFileSync(join(run, f), 'utf8') : null);
      const env: Record<string, string> = {};
      for (const line of (read('env') ?? '').split('\n')) {
        const i = line.indexOf('=');
        if (i > 0) env[line.slice(0, i)] = line.slice(i + 1);
      }
      return [{
        n,
        args: (read('args') ?? '').split('\n').filter((l, i, all) => i < all.length - 1 || l !== ''),
        env,
        pid: Number(read('pid')),
        signal: read('signal')?.trim() ?? null,
        crashed: read('crashed') !== null,
      }];
    });
}
