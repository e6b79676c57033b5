/**
 * Memory of the gateway and nautilus over a long run (issue 12: flat ± 10 % between 2,000 and 10,000 requests).
 * The real gateway submitter (batched `submit_via_gateway`) and tracker and the real NautilusService, wired by the
 * dev sandbox against the embedded Kubernetes API, with localnet in a child process so its ledger (which grows per
 * transaction, as a real chain's does) is not in the figure. Requests are reads, so the Kubernetes store does not
 * grow either: what grows in this process is the gateway's and nautilus's own state. Heap after a forced GC (run
 * with --expose-gc) and RSS at each checkpoint.
 *
 *   npm run bench:memory [-- 2000 10000]
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MIST_PER_SUI } from '../../src/core/cluster-admin.js';
import { signCredential, type Credential } from '../../src/core/credential.js';
import { startSandbox } from '../../src/dev/sandbox.js';
import type { Identity } from '../../src/gateway/submitters.js';
import { stakedUser } from '../../test/helpers/e2e.js';

export interface MemoryPoint {
  requests: number;
  heapUsedMiB: number;
  rssMiB: number;
  localnetRssMiB: number;
  seconds: number;
}

const MiB = 1024 * 1024;
const round = (n: number) => Math.round(n * 10) / 10;

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('run with node --expose-gc (npm run bench:memory does)');
  for (let i = 0; i < 3; i++) g();
}

/** Runs requests through gateway + nautilus and reports memory after each count in `checkpoints` (cumulative). */
export async function measureMemory(checkpoints = [2_000, 10_000], concurrency = 128, progress: (s: string) => void = (s) => process.stderr.write(s + '\n')): Promise<MemoryPoint[]> {
  const child = fork(fileURLToPath(new URL('./localnet-child.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const remote = await new Promise<{ rpcUrl: string; faucetUrl: string; packageId: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as never));
    child.once('exit', (code) => reject(new Error(`localnet child exited with ${code}`)));
  });
  const childRss = () =>
    new Promise<number>((resolve) => {
      child.once('message', (m) => resolve((m as { rss: number }).rss));
      child.send('rss');
    });
  const sb = await startSandbox({ remoteLocalnet: remote, checkpointMs: 0, requestWarnings: false });
  try {
    const user = await stakedUser(sb, 'editor', 2n * MIST_PER_SUI);
    const value: Credential = { clusterId: sb.clusterId, gateway: sb.gatewayAddress, tokenId: user.tokenId, expiresMs: BigInt(Date.now() + 24 * 3600_000) };
    const signed = await signCredential(user.keypair, value);
    const identity: Identity = { user: user.address, credential: { bytes: signed.bytes, signature: signed.signature, value } };
    const enclaveKey = await sb.gatewayTracker.enclaveKey();
    const http = { method: 'GET', url: '/api/v1/namespaces/default/configmaps?limit=1', headers: [] as Array<[string, string]>, body: new Uint8Array() };
    const out: MemoryPoint[] = [];
    const started = Date.now();
    let done = 0;
    let failures = 0;
    const errors = new Map<string, number>();
    for (const target of checkpoints) {
      let next = done;
      const lane = async () => {
        while (next < target) {
          next++;
          try {
            const s = await sb.gatewaySubmitter.submit(http, identity, enclaveKey);
            const o = await sb.gatewayTracker.wait(s.requestId, s.deadlineMs, sb.gatewaySubmitter.janitor);
            if (o.$kind !== 'ResponseStored') failures++;
          } catch (err) {
            failures++;
            const m = String((err as Error).message ?? err).slice(0, 160);
            errors.set(m, (errors.get(m) ?? 0) + 1);
          }
          if (++done % 500 === 0) progress(`memory bench: ${done}/${checkpoints.at(-1)} requests (${failures} failed${errors.size ? `: ${JSON.stringify([...errors].slice(0, 3))}` : ''})`);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, lane));
      await sb.nautilus.idle();
      // Let timers that end on their own (batch windows, early-answer TTLs) run out before measuring.
      await new Promise((r) => setTimeout(r, 1_000));
      gc();
      const m = process.memoryUsage();
      out.push({ requests: target, heapUsedMiB: round(m.heapUsed / MiB), rssMiB: round(m.rss / MiB), localnetRssMiB: round((await childRss()) / MiB), seconds: round((Date.now() - started) / 1000) });
      progress(`memory bench: ${JSON.stringify(out.at(-1))}`);
    }
    if (failures) throw new Error(`${failures} requests failed`);
    return out;
  } finally {
    await sb.stop();
    child.send('stop');
  }
}

/** The markdown table docs/benchmarks-memory.md shows. */
export function memoryTable(points: MemoryPoint[]): string {
  const base = points[0]!;
  const rows = points.map((p) => {
    const d = ((p.heapUsedMiB - base.heapUsedMiB) / base.heapUsedMiB) * 100;
    return `| ${p.requests} | ${p.heapUsedMiB} | ${d >= 0 ? '+' : ''}${d.toFixed(1)} % | ${p.rssMiB} | ${p.localnetRssMiB} | ${p.seconds} |`;
  });
  return ['| requests | gateway + nautilus heap after GC (MiB) | vs first | their RSS (MiB) | localnet RSS (MiB, own process) | elapsed (s) |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const counts = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const points = await measureMemory(counts.length ? counts : undefined);
  console.log(memoryTable(points));
}
