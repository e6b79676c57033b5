/**
 * Streams benchmark (issue 11), kept apart from scripts/bench.ts (helper P1's) until they merge: the watch-event
 * delay — a pod created straight on the Kubernetes API, until `kubectl get pods -w` prints it — seen by a watch
 * through the gateway (a session: on chain to open, then end-to-end encrypted frames via nautilus) and by a watch
 * straight to the Kubernetes API, in one run, at the sandbox's checkpoint interval.
 *
 *   npm run bench:streams [-- --pods 10 --checkpoint-ms 250]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { credentialToToken, signCredential } from '../src/core/credential.js';
import { startSandbox } from '../src/dev/sandbox.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

function kubeconfig(server: string, user: Record<string, unknown>, caPem?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'k3sdaas-bench-streams-'));
  const file = join(dir, 'config');
  const cluster: Record<string, unknown> = { server };
  if (caPem) cluster['certificate-authority-data'] = Buffer.from(caPem).toString('base64');
  writeFileSync(
    file,
    stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'c', cluster }], users: [{ name: 'u', user }], contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }], 'current-context': 'c' }),
    { mode: 0o600 },
  );
  return file;
}

/** A `kubectl get pods -w` whose lines are timestamped as they arrive. */
function watcher(config: string) {
  const cache = mkdtempSync(join(tmpdir(), 'k3sdaas-bench-kcache-'));
  const child = spawn('kubectl', ['--kubeconfig', config, '--cache-dir', cache, 'get', 'pods', '-w', '--no-headers'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const seen = new Map<string, number>();
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const name = buf.slice(0, nl).split(/\s+/)[0];
      buf = buf.slice(nl + 1);
      if (name && !seen.has(name)) seen.set(name, performance.now());
    }
  });
  return { seen, stop: () => child.kill('SIGINT') };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function main() {
  const pods = arg('pods', 10);
  const checkpointMs = arg('checkpoint-ms', 250);
  const sb = await startSandbox({ checkpointMs });
  try {
    const signed = await signCredential(sb.user.keypair, { clusterId: sb.clusterId, gateway: sb.gatewayAddress, tokenId: sb.user.tokenId, expiresMs: BigInt(Date.now() + 600_000) });
    const viaGateway = watcher(kubeconfig(sb.gatewayUrl, { token: credentialToToken(signed) }, sb.tls.caPem));
    const direct = watcher(kubeconfig(sb.kube!.url, {}));
    const openStarted = performance.now();
    while (sb.sessions.openCount === 0) await new Promise((r) => setTimeout(r, 5));
    const openMs = performance.now() - openStarted;
    await new Promise((r) => setTimeout(r, 1_000));
    const delays = { gateway: [] as number[], direct: [] as number[] };
    for (let i = 0; i < pods; i++) {
      const name = `bench-${i}`;
      const body = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } });
      const res = await fetch(`${sb.kube!.url}/api/v1/namespaces/default/pods`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${await res.text()}`);
      const created = performance.now();
      for (let t = 0; t < 400 && (!viaGateway.seen.has(name) || !direct.seen.has(name)); t++) await new Promise((r) => setTimeout(r, 5));
      delays.gateway.push(viaGateway.seen.get(name)! - created);
      delays.direct.push(direct.seen.get(name)! - created);
    }
    viaGateway.stop();
    direct.stop();
    const row = (label: string, xs: number[]) => `| ${label} | ${pods} | ${pct(xs, 50).toFixed(1)} ms | ${pct(xs, 95).toFixed(1)} ms | ${Math.max(...xs).toFixed(1)} ms |`;
    const report = [
      `# Streams benchmark (checkpoint interval ${checkpointMs} ms)`,
      '',
      `Watch-event delay: pod created on the Kubernetes API → line printed by \`kubectl get pods -w\`. Opening the gateway's watch session took ${openMs.toFixed(0)} ms (kubectl start, discovery, list, the on-chain request and the grant).`,
      '',
      '| watch | pods | p50 | p95 | max |',
      '|---|---|---|---|---|',
      row('through the gateway (session via nautilus)', delays.gateway),
      row('straight to the Kubernetes API', delays.direct),
      '',
      `Ratio p50 gateway / direct: ${(pct(delays.gateway, 50) / Math.max(0.1, pct(delays.direct, 50))).toFixed(2)}. Once open, a session adds no chain round trip: an event costs one sealed WebSocket hop (nautilus → gateway) more than a direct watch, and no checkpoint wait.`,
      '',
      'Not measured yet: the exec round trip (exec is not served through the chain yet, see docs/limits.md).',
      '',
    ].join('\n');
    process.stdout.write(report);
    writeFileSync(join(process.cwd(), 'docs', 'benchmarks-streams.md'), report);
  } finally {
    await sb.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
