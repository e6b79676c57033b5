/**
 * Issue 11, priority 1 and 2: streams through the chain. The real kubectl's watches (`get -w`, and the watches
 * inside `rollout status`, `wait`, `delete`) and `logs -f` are submitted on chain like any request, answered by the
 * enclave with a signed session grant, and carried off chain end-to-end encrypted between the gateway and the
 * enclave. Checks what kubectl prints, what is on chain, and that nothing streamed is on chain.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import { writeKubeconfig, kubectlRunner } from './helpers/kubectl.js';
import { gatewayToken } from './helpers/sandbox.js';
import { recentRequests, tempDir } from './helpers/e2e.js';
import { decodeEvent, type SessionClosed, type SessionOpened } from '../src/core/events/index.js';
import { readCluster } from '../src/core/chain/objects.js';
import { checkSessionClosed, checkSessionOpened } from '../src/core/verify/index.js';

/** The session events of the sandbox cluster, oldest first. */
async function sessionEvents(): Promise<Array<SessionOpened | SessionClosed>> {
  const page = await sb.client.core.listEvents({ filter: { emitModule: `${sb.packageId}::session` }, limit: 100 });
  const out: Array<SessionOpened | SessionClosed> = [];
  for (const e of page.events) {
    const ev = decodeEvent(e, { packageId: sb.packageId });
    if ((ev?.$kind === 'SessionOpened' || ev?.$kind === 'SessionClosed') && ev.clusterId === sb.clusterId) out.push(ev);
  }
  return out;
}

const CHECKPOINT_MS = 250;
let sb: Sandbox;
let kubeconfig: string;
let kubectl: ReturnType<typeof kubectlRunner>;
const cacheDir = tempDir('e2e-streams-kcache');
/** What the followed container prints: streamed off chain only. */
const logLine = `line-${randomBytes(12).toString('hex')}`;

beforeAll(async () => {
  sb = await startSandbox({ checkpointMs: CHECKPOINT_MS });
  kubeconfig = writeKubeconfig(sb.gatewayUrl, sb.tls.caPem, { token: await gatewayToken(sb) });
  kubectl = kubectlRunner(kubeconfig);
}, 60_000);
afterAll(async () => sb?.stop());

/** A long-running kubectl whose output is read as it arrives. */
function follow(args: string[]) {
  const child = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ re: RegExp; resolve: (at: number) => void }> = [];
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    for (const w of waiters.splice(0)) (w.re.test(stdout) ? w.resolve(performance.now()) : waiters.push(w));
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number>((r) => child.on('exit', (code) => r(code ?? 1)));
  return {
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    sees(re: RegExp, timeoutMs = 20_000): Promise<number> {
      if (re.test(stdout)) return Promise.resolve(performance.now());
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`not seen: ${re} in\n${stdout}\n${stderr}`)), timeoutMs);
        waiters.push({ re, resolve: (at) => (clearTimeout(t), resolve(at)) });
      });
    },
    stop: () => child.kill('SIGINT'),
  };
}

describe('watch through the chain', () => {
  it('`kubectl get pods -w` shows a pod another kubectl creates, within two checkpoint intervals of its creation', async () => {
    const w = follow(['get', 'pods', '-w']);
    try {
      // The watch is open once the session is (kubectl prints nothing for an empty list); wait for it.
      for (let i = 0; i < 200 && sb.sessions.openCount === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(sb.sessions.openCount).toBe(1);
      const r = await kubectl(['run', 'watched', '--image=nginx:1.27', '--restart=Never']);
      expect(r.code, r.stderr).toBe(0);
      const created = performance.now();
      const seen = await w.sees(/^watched\s/m);
      expect(seen - created).toBeLessThan(2 * CHECKPOINT_MS + 500);
      expect(w.stderr).not.toMatch(/Failed to watch|error/i);
    } finally {
      w.stop();
      await w.exited;
    }
    // The watch was one request on chain, a GET with its query (watch=true) encrypted; the session was closed.
    const reqs = await recentRequests(sb, 30);
    expect(reqs.some((e) => e.method === 'GET' && e.path === '/api/v1/namespaces/default/pods')).toBe(true);
    for (let i = 0; i < 100 && sb.sessions.openCount > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(sb.sessions.openCount).toBe(0);
    const rec = sb.sessions.records.find((x) => x.path === '/api/v1/namespaces/default/pods');
    expect(rec?.bytesDown).toBeGreaterThan(0);
    expect(rec?.digest).toMatch(/^[0-9a-f]{64}$/);
    // On chain: the session opened and closed, signed by the enclave (the contract verified it), with its record.
    await sb.sessionRecorder.idle();
    const watchReq = reqs.find((e) => e.method === 'GET' && e.path === '/api/v1/namespaces/default/pods' && e.requestId === rec!.sessionId);
    expect(watchReq).toBeDefined();
    const evs = (await sessionEvents()).filter((e) => e.requestId === rec!.sessionId);
    expect(evs.map((e) => e.$kind)).toEqual(['SessionOpened', 'SessionClosed']);
    const closed = evs[1] as SessionClosed;
    expect(closed.requester).toBe(watchReq!.requester);
    expect(Buffer.from(closed.transcriptDigest).toString('hex')).toBe(rec!.digest);
    expect(closed.bytesDown).toBe(BigInt(rec!.bytesDown));
    expect(closed.reason).toBe(rec!.reasonCode);
    expect(closed.closedMs).toBeGreaterThanOrEqual(closed.openedMs);
    // `k3sdaas verify`'s session checks: the records are the enclave's; an altered one, or another transcript, is not.
    const { enclavePk } = await readCluster(sb.client, sb.clusterId);
    expect(checkSessionOpened(evs[0] as SessionOpened, enclavePk).ok).toBe(true);
    expect(checkSessionClosed(closed, enclavePk, rec!.digest)).toMatchObject({ ok: true });
    expect(checkSessionClosed({ ...closed, bytesDown: closed.bytesDown - 1n }, enclavePk).detail).toMatch(/not signed by the enclave key/);
    expect(checkSessionClosed(closed, enclavePk, '00'.repeat(32)).detail).toMatch(/differs from the signed record/);
  }, 60_000);

  it('`kubectl rollout status` and `kubectl wait --for=condition=Available` finish with no `Failed to watch`', async () => {
    const c = await kubectl(['create', 'deployment', 'web', '--image=nginx:1.27']);
    expect(c.code, c.stderr).toBe(0);
    const rs = await kubectl(['rollout', 'status', 'deploy/web', '--timeout=40s'], undefined, 50_000);
    expect(rs.stderr).not.toContain('Failed to watch');
    expect(rs.code, rs.stderr).toBe(0);
    expect(rs.stdout).toContain('successfully rolled out');
    const wt = await kubectl(['wait', '--for=condition=Available', 'deploy/web', '--timeout=40s'], undefined, 50_000);
    expect(wt.stderr).not.toContain('Failed to watch');
    expect(wt.code, wt.stderr).toBe(0);
    expect(wt.stdout).toContain('condition met');
  }, 120_000);

  it('`kubectl delete pod` (default wait) returns once the pod is gone', async () => {
    const r = await kubectl(['delete', 'pod', 'watched'], undefined, 50_000);
    expect(r.stderr).not.toContain('Failed to watch');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('pod "watched" deleted');
  }, 60_000);
});

describe('logs -f through the chain', () => {
  it('`kubectl logs -f` relays the container log through a session', async () => {
    const r = await kubectl(['run', 'talker', '--image=busybox', '--restart=Never', '--', 'echo', logLine]);
    expect(r.code, r.stderr).toBe(0);
    const w = follow(['logs', '-f', 'talker']);
    const code = await Promise.race([w.exited, new Promise<number>((r) => setTimeout(() => r(-1), 20_000))]);
    if (code === -1) w.stop();
    expect(w.stderr).not.toMatch(/NotImplemented|cannot ride/);
    // The container prints its line and ends; the followed log ends with it, so kubectl exits 0 by itself.
    expect(code, w.stderr).toBe(0);
    expect(w.stdout).toContain(logLine);
    const rec = sb.sessions.records.find((x) => x.path === '/api/v1/namespaces/default/pods/talker/log');
    expect(rec, w.stderr).toBeDefined();
  }, 60_000);
});

describe('nothing streamed is on chain', () => {
  it('no transaction, object or event holds the streamed log line (raw, hex or base64); watch queries stay encrypted', async () => {
    const chain = sb.localnet.chain;
    const text = JSON.stringify(
      [[...chain.transactions.values()], [...chain.objects.values()], chain.events],
      (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v),
    );
    expect(text.length).toBeGreaterThan(10_000);
    for (const form of [logLine, Buffer.from(logLine).toString('hex'), Buffer.from(logLine).toString('base64').slice(0, 16)]) {
      expect(text).not.toContain(form);
    }
    // The public part of each request is its method and path; the query (watch=true, follow=true) is not on chain.
    const reqs = await recentRequests(sb, 50);
    expect(reqs.some((e) => e.path === '/api/v1/namespaces/default/pods/talker/log')).toBe(true);
    for (const e of reqs) expect(e.path).not.toContain('?');
  });
});
