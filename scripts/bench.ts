/**
 * Benchmark (not a test): latency and throughput of `kubectl get pods` — the HTTP request kubectl sends,
 * GET /api/v1/namespaces/default/pods?limit=500 with the Table Accept header — through the gateway (one on-chain
 * request, executed by nautilus and answered on chain) versus straight to the embedded Kubernetes API, at localnet
 * checkpoint intervals 0 ms (one checkpoint per transaction) and 250 ms (the localnet default).
 *
 *   node --expose-gc --import tsx scripts/bench.ts [--requests 150] [--concurrency 4] [--out docs/benchmarks.md] [--no-write]
 *
 * Everything runs in this process (src/dev/sandbox.ts): localnet, the embedded Kubernetes API, nautilus, gateway.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { credentialToToken, signCredential } from '../src/core/credential.js';
import { startSandbox } from '../src/dev/sandbox.js';

const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string', default: '150' },
    concurrency: { type: 'string', default: '4' },
    out: { type: 'string', default: 'docs/benchmarks.md' },
    'no-write': { type: 'boolean', default: false },
  },
});
const N = Number(flags.requests);
const C = Number(flags.concurrency);
const CHECKPOINTS = [0, 250];
const PATH = '/api/v1/namespaces/default/pods?limit=500';
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

interface Result {
  target: 'gateway' | 'direct';
  checkpointMs: number;
  concurrency: number;
  n: number;
  errors: number;
  p50: number;
  p95: number;
  mean: number;
  rps: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function run(
  target: Result['target'],
  checkpointMs: number,
  url: string,
  dispatcher: Agent,
  headers: Record<string, string>,
  n = N,
  concurrency = C,
): Promise<Result> {
  const one = async (): Promise<number> => {
    const started = performance.now();
    const res = await request(url + PATH, { dispatcher, headers: { accept: TABLE_ACCEPT, ...headers } });
    const body = (await res.body.json()) as { kind?: string };
    if (res.statusCode !== 200 || body.kind !== 'Table') throw new Error(`${target}: ${res.statusCode} ${JSON.stringify(body).slice(0, 200)}`);
    return performance.now() - started;
  };
  for (let i = 0; i < Math.min(5, n); i++) await one(); // warm up connections, caches, the follower
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        try {
          latencies.push(await one());
        } catch (err) {
          errors++;
          if (errors <= 3) console.error(String(err));
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  return {
    target,
    checkpointMs,
    concurrency,
    n: latencies.length,
    errors,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
    rps: latencies.length / seconds,
  };
}

interface MemoryRow {
  checkpointMs: number;
  before: NodeJS.MemoryUsage;
  idle: NodeJS.MemoryUsage;
  after: NodeJS.MemoryUsage;
  gatewayRequests: number;
}

/** Memory of this process (client + the whole sandbox), after a garbage collection when --expose-gc is on. */
function memory(): NodeJS.MemoryUsage {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage();
}

async function main(): Promise<void> {
  const results: Result[] = [];
  const memoryRows: MemoryRow[] = [];
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  const t0 = performance.now();
  for (const checkpointMs of CHECKPOINTS) {
    process.stderr.write(`checkpoint ${checkpointMs} ms: starting the sandbox…\n`);
    const before = memory();
    const sb = await startSandbox({ checkpointMs });
    try {
      const idle = memory();
      const signed = await signCredential(sb.user.keypair, {
        clusterId: sb.clusterId,
        gateway: sb.gatewayAddress,
        tokenId: sb.user.tokenId,
        expiresMs: BigInt(Date.now() + 3_600_000),
      });
      const gatewayAgent = new Agent({ connect: { ca: sb.tls.caPem }, connections: C });
      const directAgent = new Agent({ connections: C });
      process.stderr.write(`  direct: ${N} requests, concurrency ${C}\n`);
      results.push(await run('direct', checkpointMs, sb.kube!.url, directAgent, {}));
      process.stderr.write(`  gateway: ${N} requests, concurrency ${C}\n`);
      const auth = { authorization: `Bearer ${credentialToToken(signed)}` };
      results.push(await run('gateway', checkpointMs, sb.gatewayUrl, gatewayAgent, auth));
      const serial = Math.max(5, Math.round(N / 5));
      process.stderr.write(`  gateway: ${serial} requests, one at a time\n`);
      results.push(await run('gateway', checkpointMs, sb.gatewayUrl, gatewayAgent, auth, serial, 1));
      memoryRows.push({ checkpointMs, before, idle, after: memory(), gatewayRequests: N + serial + 10 });
      await gatewayAgent.close();
      await directAgent.close();
    } finally {
      await sb.stop();
    }
  }
  const totalSeconds = (performance.now() - t0) / 1000;

  const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 0)} ms`;
  const header = '| target | checkpoint interval | concurrency | requests | errors | p50 | p95 | mean | requests/s |';
  const rows = results.map(
    (r) => `| ${r.target === 'gateway' ? 'gateway (on chain)' : 'Kubernetes API (direct)'} | ${r.checkpointMs} ms | ${r.concurrency} | ${r.n} | ${r.errors} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.mean)} | ${r.rps.toFixed(1)} |`,
  );
  const table = [header, '|---|---|---|---|---|---|---|---|---|', ...rows].join('\n');
  const ratios = CHECKPOINTS.map((cp) => {
    const g = results.find((r) => r.target === 'gateway' && r.checkpointMs === cp && r.concurrency === C)!;
    const d = results.find((r) => r.target === 'direct' && r.checkpointMs === cp)!;
    return `| ${cp} ms | ${(g.p50 / d.p50).toFixed(0)}× | ${(g.p95 / d.p95).toFixed(0)}× | ${(d.rps / g.rps).toFixed(0)}× |`;
  });
  const ratioTable = ['| checkpoint interval | p50 gateway / direct | p95 gateway / direct | requests/s direct / gateway |', '|---|---|---|---|', ...ratios].join('\n');
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  const memoryTable = [
    '| checkpoint interval | RSS before the sandbox | RSS idle sandbox | RSS after the run | heap used after | gateway requests | heap growth per request |',
    '|---|---|---|---|---|---|---|',
    ...memoryRows.map(
      (m) =>
        `| ${m.checkpointMs} ms | ${mib(m.before.rss)} | ${mib(m.idle.rss)} | ${mib(m.after.rss)} | ${mib(m.after.heapUsed)} | ${m.gatewayRequests} | ${((m.after.heapUsed - m.idle.heapUsed) / m.gatewayRequests / 1024).toFixed(1)} KiB |`,
    ),
  ].join('\n');
  console.log(table + '\n\n' + ratioTable + '\n\n' + memoryTable + `\n\n(total ${totalSeconds.toFixed(0)} s)`);

  if (flags['no-write']) return;
  const cpu = cpus()[0]?.model ?? 'unknown';
  const doc = `# Benchmarks

Figures written by \`scripts/bench.ts\`; rerun it to refresh them (this file is overwritten).

## What is measured

\`kubectl get pods\` as kubectl sends it: \`GET ${PATH}\` with the Table \`Accept\` header, ${N} requests at
concurrency ${C} (after 5 warm-up requests), plus a shorter run through the gateway one request at a time, measured
with undici from the client side:

- **Kubernetes API (direct)**: straight to the embedded Kubernetes API (src/kube) over HTTP.
- **gateway (on chain)**: to the gateway over HTTPS with a wallet-signed credential. Each request is sealed to the
  enclave key and submitted with \`submit_via_gateway\` (one transaction), picked up by nautilus from the chain,
  forwarded to the same embedded Kubernetes API, answered with \`respond\` (a second transaction, signed by the
  enclave key), and delivered to the waiting request by the gateway's chain follower.

Both run in one process (\`startSandbox\` from src/dev/sandbox.ts: localnet, embedded Kubernetes API, nautilus,
gateway), talking over real sockets. Localnet's checkpoint interval is how often it seals a checkpoint: 0 ms means
one checkpoint per transaction (the floor of what the chain adds), 250 ms is the localnet default and closer to a
public network, where checkpoints come every ~250 ms or more.

## Machine

- CPUs: ${availableParallelism()} × ${cpu}
- Memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB; load average at start ${load} (other work on the machine shows up in the figures)
- Node.js ${process.version} (${process.platform}/${process.arch})
- Date: ${new Date().toISOString()}
- Command: \`node --expose-gc --import tsx scripts/bench.ts --requests ${N} --concurrency ${C}\` (total ${totalSeconds.toFixed(0)} s)

## Results

${table}

## Ratios

${ratioTable}

## Memory

One process holds the client and the whole sandbox (localnet with its ledger in memory, the embedded Kubernetes
API, nautilus, the gateway); figures are \`process.memoryUsage()\`${(globalThis as { gc?: unknown }).gc ? ' after a forced garbage collection' : ' (run with \`node --expose-gc\` for figures after a garbage collection)'}. The
ledger keeps every transaction, so some growth per request is expected on localnet; the gateway and nautilus keep
no per-request state once a request is answered.

${memoryTable}

## Reading the figures

Every gateway request is two transactions and two trips through the chain follower (request to nautilus, answer to
the gateway); the direct figures are the cost of the Kubernetes API itself. At a 0 ms checkpoint interval the
overhead is transaction execution, sealing and signing in one Node.js process on ${availableParallelism()} cores; at
250 ms it is dominated by waiting for checkpoints: one request at a time costs about two intervals (the request
and the answer each wait for one). Under concurrency, each signer (the gateway's key for \`submit_via_gateway\`,
the operator's key for \`respond\`) has up to 4 transactions in flight, each paying with its own gas coin (a
pool of the signer's coins, src/core/chain/gas-pool.ts), and on localnet a transaction returns once its checkpoint
is sealed: throughput is then about (coins per signer) × 1000 / interval requests/s, whichever of the two signers
is slower. More coins, or batching several answers into one programmable transaction, would raise it further.
`;
  writeFileSync(flags.out!, doc);
  console.log(`wrote ${flags.out}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
