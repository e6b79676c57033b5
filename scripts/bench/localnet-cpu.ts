/**
 * localnet's CPU per request and per transaction under the gateway + nautilus load (submit_via_gateway and respond,
 * batched as they batch): localnet runs in a child process (localnet-cpu-child.ts) whose own CPU time is measured
 * over the load phase, after a warm-up. Not part of `npm run bench`; for before/after comparisons of localnet work.
 *
 *   node --import tsx scripts/bench/localnet-cpu.ts [requests=300] [concurrency=50] [--cpu-prof DIR]
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MIST_PER_SUI } from '../../src/core/cluster-admin.js';
import { signCredential, type Credential } from '../../src/core/credential.js';
import { startSandbox } from '../../src/dev/sandbox.js';
import type { Identity } from '../../src/gateway/submitters.js';
import { stakedUser } from '../../test/helpers/e2e.js';
import { sandboxLoad } from './sandbox-load.js';

const args = process.argv.slice(2);
const profIndex = args.indexOf('--cpu-prof');
const profDir = profIndex >= 0 ? args.splice(profIndex, 2)[1] : undefined;
const [N = 300, CONCURRENCY = 50] = args.map(Number);
const WARMUP = 60;

const child = fork(fileURLToPath(new URL('./localnet-cpu-child.ts', import.meta.url)), [], {
  execArgv: ['--import', 'tsx', ...(profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [])],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const remote = await new Promise<{ rpcUrl: string; faucetUrl: string; packageId: string }>((resolve, reject) => {
  child.once('message', (m) => resolve(m as never));
  child.once('exit', (code) => reject(new Error(`localnet child exited with ${code}`)));
});
const usage = () =>
  new Promise<{ cpuMs: number; transactions: number }>((resolve) => {
    child.once('message', (m) => resolve(m as never));
    child.send('cpu');
  });

const sb = await startSandbox({ remoteLocalnet: remote, checkpointMs: 0, requestWarnings: false });
try {
  const user = await stakedUser(sb, 'editor', 2n * MIST_PER_SUI);
  const value: Credential = { clusterId: sb.clusterId, gateway: sb.gatewayAddress, tokenId: user.tokenId, expiresMs: BigInt(Date.now() + 3600_000) };
  const signed = await signCredential(user.keypair, value);
  const identity: Identity = { user: user.address, credential: { bytes: signed.bytes, signature: signed.signature, value } };
  const enclaveKey = await sb.gatewayTracker.enclaveKey();
  let failures = 0;
  const run = async (count: number) => {
    failures += await sandboxLoad(sb, identity, enclaveKey, { count, concurrency: CONCURRENCY, tag: `cpu-${Date.now()}` });
  };
  await run(WARMUP);
  const before = await usage();
  const started = Date.now();
  await run(N);
  const after = await usage();
  const cpu = after.cpuMs - before.cpuMs;
  const txs = after.transactions - before.transactions;
  console.log(
    JSON.stringify({
      requests: N,
      concurrency: CONCURRENCY,
      failures,
      seconds: (Date.now() - started) / 1000,
      localnetCpuMs: Math.round(cpu),
      transactions: txs,
      cpuMsPerRequest: +(cpu / N).toFixed(2),
      cpuMsPerTransaction: +(cpu / txs).toFixed(2),
      callsPerTransaction: +((2 * N) / txs).toFixed(2),
    }),
  );
} finally {
  await sb.stop();
  child.send('stop');
  await new Promise((r) => child.once('exit', r));
}
