/**
 * Streams benchmark (issue 11; `npm run bench` runs it after scripts/bench.ts): the watch-event delay — a pod
 * created straight on the Kubernetes API, until `kubectl get pods -w` prints it — and the exec round trip — a line
 * written to a long-lived `kubectl exec -i POD -- cat`, until it comes back on its stdout — each through the gateway
 * (a session: on chain to open, then end-to-end encrypted frames via nautilus) and straight to the Kubernetes API,
 * in one run, at the sandbox's checkpoint interval.
 *
 *   npm run bench:streams [-- --pods 10 --lines 50 --checkpoint-ms 250 --no-write]
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
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

/** A long-lived `kubectl exec -i POD -- cat`: `roundTrip(line)` writes a line and resolves with ms until it is echoed. */
function catSession(config: string, pod: string) {
  const cache = mkdtempSync(join(tmpdir(), 'k3sdaas-bench-kcache-'));
  const child = spawn('kubectl', ['--kubeconfig', config, '--cache-dir', cache, 'exec', '-i', pod, '--', 'cat'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let stderr = '';
  let waiting: { line: string; resolve: () => void } | null = null;
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (waiting && out.includes(`${waiting.line}\n`)) {
      out = '';
      waiting.resolve();
      waiting = null;
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const roundTrip = (line: string, timeoutMs = 30_000) =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      const timer = setTimeout(() => reject(new Error(`exec round trip timed out; kubectl said: ${stderr}`)), timeoutMs);
      void exited.then(() => reject(new Error(`kubectl exec exited; it said: ${stderr}`)));
      waiting = { line, resolve: () => (clearTimeout(timer), resolve(performance.now() - t0)) };
      child.stdin.write(`${line}\n`);
    });
  return { roundTrip, stop: () => (child.stdin.end(), exited) };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function main() {
  const pods = arg('pods', 10);
  const lines = arg('lines', 50);
  const checkpointMs = arg('checkpoint-ms', 250);
  const load = loadavg()[0];
  const sb = await startSandbox({ checkpointMs });
  try {
    const signed = await signCredential(sb.user.keypair, { clusterId: sb.clusterId, gateway: sb.gatewayAddress, tokenId: sb.user.tokenId, expiresMs: BigInt(Date.now() + 600_000) });
    const gatewayConfig = kubeconfig(sb.gatewayUrl, { token: credentialToToken(signed) }, sb.tls.caPem);
    const directConfig = kubeconfig(sb.kube!.url, {});
    const viaGateway = watcher(gatewayConfig);
    const direct = watcher(directConfig);
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

    // Exec round trip: a pod with a long-running container, one `exec -i -- cat` each way, lines written one at a time.
    // (async: the sandbox's Kubernetes API runs in this process)
    const kc = (...a: string[]) => promisify(execFile)('kubectl', ['--kubeconfig', directConfig, ...a]);
    await kc('run', 'bench-shell', '--image=busybox', '--', 'sleep', '3600');
    await kc('wait', '--for=condition=Ready', 'pod/bench-shell', '--timeout=30s');
    const trips = { gateway: [] as number[], direct: [] as number[] };
    const execOpen = { gateway: 0, direct: 0 };
    for (const [side, config] of [['gateway', gatewayConfig], ['direct', directConfig]] as const) {
      const t0 = performance.now();
      const cat = catSession(config, 'bench-shell');
      await cat.roundTrip('warm-up', 60_000);
      execOpen[side] = performance.now() - t0;
      for (let i = 0; i < lines; i++) trips[side].push(await cat.roundTrip(`line-${i}-${'x'.repeat(32)}`));
      await cat.stop();
    }

    // A difference, not a ratio: the direct figures are near the timer's resolution.
    const added = (d: { gateway: number[]; direct: number[] }) => `${(pct(d.gateway, 50) - pct(d.direct, 50)).toFixed(1)} ms`;
    const row = (label: string, xs: number[]) => `| ${label} | ${xs.length} | ${pct(xs, 50).toFixed(1)} ms | ${pct(xs, 95).toFixed(1)} ms | ${Math.max(...xs).toFixed(1)} ms |`;
    const report = [
      `# Streams benchmark (checkpoint interval ${checkpointMs} ms)`,
      '',
      `Machine: ${cpus().length} cores, 1-minute load average ${load.toFixed(2)} when the run started — shared with other work, so absolute figures are pessimistic; compare the two rows of each table, which ran side by side. "Straight to the Kubernetes API" is the sandbox's embedded API, in this process; a real k3s adds its own time to both rows.`,
      '',
      `Watch-event delay: pod created on the Kubernetes API → line printed by \`kubectl get pods -w\`. Opening the gateway's watch session took ${openMs.toFixed(0)} ms (kubectl start, discovery, list, the on-chain request and the grant).`,
      '',
      '| watch | pods | p50 | p95 | max |',
      '|---|---|---|---|---|',
      row('through the gateway (session via nautilus)', delays.gateway),
      row('straight to the Kubernetes API', delays.direct),
      '',
      `The gateway adds ${added(delays)} at p50. Once open, a session adds no chain round trip: an event costs one sealed WebSocket hop (nautilus → gateway) more than a direct watch, and no checkpoint wait.`,
      '',
      `Exec round trip: a line written to the stdin of a long-lived \`kubectl exec -i POD -- cat\` → the line back on its stdout, ${lines} lines one after another. Opening (kubectl start, discovery, the pod GET, the upgrade — through the gateway an on-chain request and the grant — and a first echo) took ${execOpen.gateway.toFixed(0)} ms through the gateway, ${execOpen.direct.toFixed(0)} ms direct.`,
      '',
      '| exec -i cat | lines | p50 | p95 | max |',
      '|---|---|---|---|---|',
      row('through the gateway (session via nautilus)', trips.gateway),
      row('straight to the Kubernetes API', trips.direct),
      '',
      `The gateway adds ${added(trips)} at p50. Each line crosses kubectl ↔ gateway ↔ (sealed frame) ↔ nautilus ↔ apiserver twice; no chain round trip once the session is open.`,
      '',
    ].join('\n');
    process.stdout.write(report);
    if (!process.argv.includes('--no-write')) writeFileSync(join(process.cwd(), 'docs', 'benchmarks-streams.md'), report);
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
