/**
 * Test support for workers and join tokens: an in-process localnet with a debug cluster whose enclave key is
 * registered (so join tokens can be issued), and helpers for the fake `k3s` in test/fixtures.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as calls from '../core/calls/index.js';
import { createChainClient, memoryCursorStore, TransactionExecutor, type ChainClient } from '../core/chain/index.js';
import { createCluster, MIST_PER_SUI } from '../core/cluster-admin.js';
import { DEV_ACCOUNTS, startLocalnet, type Localnet } from '../localnet/index.js';
import { silentLogger } from '../localnet/log.js';
import { generateEnclaveKey, type EnclaveKey } from '../nautilus/enclave-key.js';
import { JoinTokenIssuer, type JoinTokenEvent, type JoinTokenIssuerOptions, type TokenSource } from '../nautilus/join-tokens.js';

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
    // Workers join without approval and leave with their stake at once, as these tests expect.
    workerPolicy: 'open',
    unbondingMs: 0n,
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

/** Environment for the real CLI against the testbed: network, package, signer, an empty config, a data dir. */
export function cliEnv(tb: WorkerTestbed, account: number, dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const config = join(dataDir, 'config.yaml');
  if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true });
  if (!existsSync(config)) writeFileSync(config, '');
  return {
    K3SDAAS_CONFIG: config,
    K3SDAAS_NETWORK: tb.localnet.rpcUrl,
    K3SDAAS_PACKAGE_ID: tb.packageId,
    K3SDAAS_PRIVATE_KEY: DEV_ACCOUNTS[account].secretKey,
    K3SDAAS_DATA_DIR: dataDir,
    K3SDAAS_LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** Every byte array localnet holds for the ledger: transactions (bytes, signatures, events), objects, the event index. */
export function* ledgerBytes(chain: Localnet['chain']): Generator<Uint8Array> {
  for (const tx of chain.transactions.values()) {
    yield tx.transactionBcs;
    yield* tx.signatures;
    for (const e of tx.events) yield e.contents;
    yield new TextEncoder().encode(JSON.stringify(tx.effects, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
  }
  for (const o of chain.objects.values()) yield o.contents;
  for (const e of chain.events) yield e.event.contents;
}

/** The forms a secret may leak in: raw UTF-8, base64 (and base64url), hex. */
export function secretForms(secret: string): Uint8Array[] {
  const raw = Buffer.from(secret, 'utf8');
  return [raw, Buffer.from(raw.toString('base64')), Buffer.from(raw.toString('base64url')), Buffer.from(raw.toString('hex'))].map((b) => new Uint8Array(b));
}

export function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(Buffer.from(needle)) >= 0;
}

/** A JoinTokenIssuer for a testbed's cluster (operator pays, the testbed's enclave key signs), reporting to `events`. */
export function testbedIssuer(
  tb: WorkerTestbed,
  source: TokenSource,
  events: JoinTokenEvent[],
  options: Pick<JoinTokenIssuerOptions, 'markInactive' | 'inactivityCheckMs'> = {},
): JoinTokenIssuer {
  return new JoinTokenIssuer({
    client: tb.client,
    executor: tb.operator,
    packageId: tb.packageId,
    clusterId: tb.clusterId,
    enclaveKey: tb.enclaveKey,
    source,
    cursors: memoryCursorStore(),
    onEvent: (e) => events.push(e),
    ...options,
  });
}
