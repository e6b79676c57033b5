/**
 * Issue 11: exec, attach, cp, port-forward and run -i through the chain. The real kubectl's WebSocket upgrade
 * reaches the gateway (and `kubectl daas`), is submitted on chain as `create` on the pods subresource (the contract
 * decides), answered by the enclave with a session grant, and relayed off chain end-to-end encrypted: kubectl's
 * WebSocket ↔ gateway ↔ sealed session ↔ enclave ↔ the apiserver's WebSocket, frames as opaque bytes.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { ROOT } from './helpers/cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIST_PER_SUI, stakeForTenant } from '../src/core/cluster-admin.js';
import { TransactionExecutor } from '../src/core/chain/index.js';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import { writeKubeconfig, kubectlRunner, type KubectlResult } from './helpers/kubectl.js';
import { gatewayToken } from './helpers/sandbox.js';
import { credentialKubeconfig, fundedKey, recentRequests, stakedUser, tempDir, writeUserConfig, type TestUser } from './helpers/e2e.js';
import { decodeEvent, type SessionClosed, type SessionOpened } from '../src/core/events/index.js';
import { readCluster } from '../src/core/chain/objects.js';
import { checkSessionClosed } from '../src/core/verify/index.js';

let sb: Sandbox;
let kubeconfig: string;
let kubectl: ReturnType<typeof kubectlRunner>;
const dir = tempDir('e2e-streams-exec');
/** What flows through the sessions: off chain only. */
const secret = `stdin-${randomBytes(12).toString('hex')}`;

async function sessionEvents(): Promise<Array<SessionOpened | SessionClosed>> {
  const page = await sb.client.core.listEvents({ filter: { emitModule: `${sb.packageId}::session` }, limit: 200 });
  const out: Array<SessionOpened | SessionClosed> = [];
  for (const e of page.events) {
    const ev = decodeEvent(e, { packageId: sb.packageId });
    if ((ev?.$kind === 'SessionOpened' || ev?.$kind === 'SessionClosed') && ev.clusterId === sb.clusterId) out.push(ev);
  }
  return out;
}

/** Runs a `kubectl … port-forward pod/web :80`, fetches through the port it prints, stops it with `stop`; returns its stderr so far. */
async function fetchThroughPortForward(pf: ChildProcess, stop: () => void, waitMs: number): Promise<() => string> {
  let out = '';
  let err = '';
  pf.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  try {
    const port = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no forwarding line: ${out} ${err}`)), waitMs);
      pf.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /Forwarding from 127\.0\.0\.1:(\d+) -> 80/.exec(out);
        if (m) (clearTimeout(t), resolve(m[1]));
      });
    });
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(15_000) });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Welcome to nginx!');
  } finally {
    stop();
  }
  return () => err;
}

function ok(r: KubectlResult): string {
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

beforeAll(async () => {
  sb = await startSandbox({ checkpointMs: 0 });
  kubeconfig = writeKubeconfig(sb.gatewayUrl, sb.tls.caPem, { token: await gatewayToken(sb) });
  kubectl = kubectlRunner(kubeconfig);
  ok(await kubectl(['run', 'shell', '--image=busybox', '--', 'sleep', '3600']));
  ok(await kubectl(['run', 'web', '--image=nginx']));
  ok(await kubectl(['wait', '--for=condition=Ready', 'pod/shell', 'pod/web', '--timeout=30s'], undefined, 40_000));
}, 90_000);
afterAll(async () => sb?.stop());

describe('exec through the chain', () => {
  it('`kubectl exec POD -- echo hi` prints hi; the session is on chain, opened and closed, with exit status 0', async () => {
    const before = sb.sessions.records.length;
    const r = await kubectl(['exec', 'shell', '--', 'echo', 'hi']);
    expect(r.stdout, r.stderr).toBe('hi\n');
    expect(r.code).toBe(0);
    // One on-chain request: a POST (create) on pods/exec; its query (the command) stays inside the ciphertext.
    const reqs = await recentRequests(sb, 30);
    const req = reqs.find((e) => e.path === '/api/v1/namespaces/default/pods/shell/exec');
    expect(req?.method).toBe('POST');
    for (let i = 0; i < 100 && sb.sessions.records.length === before; i++) await new Promise((res) => setTimeout(res, 50));
    const rec = sb.sessions.records.find((x) => x.sessionId === req!.requestId);
    expect(rec).toMatchObject({ reason: 'stream ended', exitCode: 0 });
    expect(rec!.bytesDown).toBeGreaterThan(0);
    await sb.sessionRecorder.idle();
    const evs = (await sessionEvents()).filter((e) => e.requestId === req!.requestId);
    expect(evs.map((e) => e.$kind)).toEqual(['SessionOpened', 'SessionClosed']);
    const closed = evs[1] as SessionClosed;
    expect([closed.hasExitCode, closed.exitCode]).toEqual([true, 0]);
    expect(Buffer.from(closed.transcriptDigest).toString('hex')).toBe(rec!.digest);
    const { enclavePk } = await readCluster(sb.client, sb.clusterId);
    expect(checkSessionClosed(closed, enclavePk, rec!.digest)).toMatchObject({ ok: true });
  }, 60_000);

  it('a non-zero exit status comes back to kubectl and into the record', async () => {
    const r = await kubectl(['exec', 'shell', '--', 'sh', '-c', 'exit 3']);
    expect(r.code, r.stderr).toBe(3);
    await sb.sessionRecorder.idle();
    const closed = (await sessionEvents()).filter((e): e is SessionClosed => e.$kind === 'SessionClosed').at(-1)!;
    expect([closed.hasExitCode, closed.exitCode]).toEqual([true, 3]);
  }, 60_000);

  it('`kubectl exec -i POD -- cat` echoes stdin', async () => {
    const r = await kubectl(['exec', '-i', 'shell', '--', 'cat'], `${secret}\nsecond line\n`);
    expect(ok(r)).toBe(`${secret}\nsecond line\n`);
  }, 60_000);

  it('`kubectl exec -it` works under a pseudo-terminal (script(1)): prompt, echo, output, exit status', async () => {
    const cmd = ['kubectl', '--kubeconfig', kubeconfig, 'exec', '-it', 'shell', '--', 'sh'].map((x) => `'${x}'`).join(' ');
    const term = spawn('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, TERM: 'dumb' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    term.stdout.on('data', (d: Buffer) => (out += d.toString()));
    term.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number>((r) => term.on('exit', (c) => r(c ?? 1)));
    const sees = async (re: RegExp) => {
      for (let i = 0; i < 400 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 25));
      expect(out).toMatch(re);
    };
    try {
      await sees(/\/ # $/);
      term.stdin.write('echo hi there\r');
      await sees(/echo hi there\r\nhi there\r\n\/ # $/);
      term.stdin.write('exit 4\r');
      expect(await exited).toBe(4);
      expect(out).toContain('command terminated with exit code 4');
    } finally {
      if (term.exitCode === null) term.kill('SIGTERM');
    }
  }, 60_000);

  it('`kubectl cp` both ways round-trips a file byte-for-byte', async () => {
    const local = join(dir, 'blob.bin');
    const data = randomBytes(100_000);
    writeFileSync(local, data);
    ok(await kubectl(['cp', local, 'shell:/tmp/blob.bin']));
    const back = join(dir, 'back.bin');
    ok(await kubectl(['cp', 'shell:/tmp/blob.bin', back]));
    expect(Buffer.compare(readFileSync(back), data)).toBe(0);
  }, 60_000);

  it('`kubectl port-forward` relays an HTTP request to the simulated port', async () => {
    const pf = spawn('kubectl', ['--kubeconfig', kubeconfig, 'port-forward', 'pod/web', ':80'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr = await fetchThroughPortForward(pf, () => pf.kill('SIGINT'), 20_000);
    await new Promise((r) => pf.on('exit', r));
    expect(stderr()).not.toMatch(/error/i);
  }, 60_000);

  it('`kubectl run --rm -i --restart=Never t --image=busybox -- echo hi` prints hi and deletes the pod', async () => {
    const r = await kubectl(['run', '--rm', '-i', '--restart=Never', 't', '--image=busybox', '--', 'echo', 'hi'], undefined, 60_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('hi\n');
    expect(r.stdout).toContain('pod "t" deleted');
    const get = await kubectl(['get', 'pod', 't']);
    expect(get.stderr).toContain('NotFound');
  }, 90_000);

  it('`kubectl attach -i` reaches the running container’s stdin and stdout', async () => {
    ok(await kubectl(['run', 'catter', '--image=busybox', '-i', '--attach=false', '--restart=Never', '--', 'cat']));
    ok(await kubectl(['wait', '--for=condition=Ready', 'pod/catter', '--timeout=30s'], undefined, 40_000));
    const r = await kubectl(['attach', 'catter', '-i'], 'one\ntwo\n');
    expect(r.stdout, r.stderr).toContain('one\ntwo\n');
  }, 60_000);
});

describe('exec through `kubectl daas` (kubectl-proxy: the user signs)', () => {
  const home = tempDir('e2e-streams-exec-home');
  const stateFile = join(home, '.k3sdaas', 'proxy', 'state.json');
  let env: NodeJS.ProcessEnv;
  let user: TestUser;
  const daas = (args: string[], input?: string) =>
    new Promise<KubectlResult>((resolve) => {
      const child = execFile('kubectl', ['daas', ...args], { env, timeout: 90_000 }, (e, stdout, stderr) =>
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr }),
      );
      if (input !== undefined) child.stdin!.end(input);
    });

  beforeAll(async () => {
    user = await stakedUser(sb, 'admin', 2n * MIST_PER_SUI);
    const keyFile = join(home, '.k3sdaas', 'key');
    writeUserConfig(home, { network: sb.localnet.rpcUrl, packageId: sb.packageId, clusterId: sb.clusterId, keyFile, logLevel: 'warn' });
    writeFileSync(keyFile, user.keypair.getSecretKey() + '\n', { mode: 0o600 });
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('K3SDAAS_') && k !== 'KUBECONFIG'));
    env = { ...clean, HOME: home, PATH: `${join(ROOT, 'bin')}:${process.env.PATH}` };
  }, 60_000);
  afterAll(async () => {
    const pid = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as { pid: number }).pid : null;
    if (!pid) return;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 50; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 30_000);

  it('`kubectl daas exec POD -- echo hi` prints hi and `exec -i -- cat` echoes stdin; the session is the user’s own request on chain', async () => {
    const r = await daas(['exec', 'shell', '--', 'echo', 'hi']);
    expect(r.stdout, r.stderr).toBe('hi\n');
    expect(ok(await daas(['exec', '-i', 'shell', '--', 'cat'], `${secret}\n`))).toBe(`${secret}\n`);
    const mine = (await recentRequests(sb, 50)).filter((e) => e.path === '/api/v1/namespaces/default/pods/shell/exec' && normalizeSuiAddress(e.requester) === normalizeSuiAddress(user.address));
    expect(mine).toHaveLength(2);
    expect(mine.every((e) => e.gateway === null && e.method === 'POST')).toBe(true);
    await sb.sessionRecorder.idle();
    const closed = (await sessionEvents()).filter((e): e is SessionClosed => e.$kind === 'SessionClosed' && mine.some((m) => m.requestId === e.requestId));
    expect(closed).toHaveLength(2);
    expect(closed.map((c) => [c.hasExitCode, c.exitCode])).toEqual([[true, 0], [true, 0]]);
    // `cat` read what kubectl sent: bytes went up through the session.
    expect(closed.some((c) => c.bytesUp > BigInt(secret.length))).toBe(true);
  }, 120_000);

  it('`kubectl daas cp` both ways, `run --rm -i` and `attach -i` work signed by the user', async () => {
    const local = join(home, 'daas-blob.bin');
    const data = randomBytes(50_000);
    writeFileSync(local, data);
    ok(await daas(['cp', local, 'shell:/tmp/daas-blob.bin']));
    const back = join(home, 'daas-back.bin');
    ok(await daas(['cp', 'shell:/tmp/daas-blob.bin', back]));
    expect(Buffer.compare(readFileSync(back), data)).toBe(0);
    const run = await daas(['run', '--rm', '-i', '--restart=Never', 'daas-t', '--image=busybox', '--', 'echo', 'hi']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('hi\n');
    expect(run.stdout).toContain('pod "daas-t" deleted');
    ok(await daas(['run', 'daas-catter', '--image=busybox', '-i', '--attach=false', '--restart=Never', '--', 'cat']));
    ok(await daas(['wait', '--for=condition=Ready', 'pod/daas-catter', '--timeout=30s']));
    const attach = await daas(['attach', 'daas-catter', '-i'], 'one\ntwo\n');
    expect(attach.stdout, attach.stderr).toContain('one\ntwo\n');
    // every one of them is the user's own request on chain
    const mine = (await recentRequests(sb, 200)).filter((e) => /\/pods\/[^/]+\/(exec|attach)$/.test(e.path) && normalizeSuiAddress(e.requester) === normalizeSuiAddress(user.address));
    expect(mine.length).toBeGreaterThanOrEqual(4);
    expect(mine.every((e) => e.gateway === null)).toBe(true);
  }, 240_000);

  it('`kubectl daas logs -f` follows a container to its end, and `kubectl daas port-forward` relays HTTP', async () => {
    ok(await daas(['run', 'daas-talker', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'echo one; sleep 1; echo two']));
    const logs = await daas(['logs', '-f', 'daas-talker', '--pod-running-timeout=30s']);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toBe('one\ntwo\n');
    // kubectl daas wraps kubectl in its own process group: stop the whole group, or the inner kubectl stays.
    const pf = spawn('kubectl', ['daas', 'port-forward', 'pod/web', ':80'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    await fetchThroughPortForward(
      pf,
      () => {
        try {
          process.kill(-pf.pid!, 'SIGINT');
        } catch {
          /* already gone */
        }
      },
      60_000,
    );
    const mine = (await recentRequests(sb, 200)).filter((e) => /\/pods\/(daas-talker\/log|web\/portforward)$/.test(e.path) && normalizeSuiAddress(e.requester) === normalizeSuiAddress(user.address));
    expect(new Set(mine.map((e) => e.path.split('/').pop()))).toEqual(new Set(['log', 'portforward']));
    expect(mine.every((e) => e.gateway === null)).toBe(true);
  }, 180_000);

  it('`kubectl daas exec -it` works under a pseudo-terminal', async () => {
    const term = spawn('script', ['-qec', "kubectl daas exec -it shell -- sh", '/dev/null'], { env: { ...env, TERM: 'dumb' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    term.stdout.on('data', (d: Buffer) => (out += d.toString()));
    term.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number>((r) => term.on('exit', (c) => r(c ?? 1)));
    const sees = async (re: RegExp) => {
      for (let i = 0; i < 800 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 25));
      expect(out).toMatch(re);
    };
    try {
      await sees(/\/ # $/);
      term.stdin.write('echo via daas\r');
      await sees(/echo via daas\r\nvia daas\r\n\/ # $/);
      term.stdin.write('exit 3\r');
      expect(await exited).toBe(3);
    } finally {
      if (term.exitCode === null) term.kill('SIGTERM');
    }
  }, 90_000);
});

describe('refusals', () => {
  it("a viewer's exec is refused by the contract with its reason", async () => {
    const viewer = await stakedUser(sb, 'viewer', 2n * MIST_PER_SUI);
    const config = await credentialKubeconfig(sb, { keypair: viewer.keypair, tokenId: viewer.tokenId });
    const r = await new Promise<KubectlResult>((resolve) =>
      execFile('kubectl', ['--kubeconfig', config, '--cache-dir', tempDir('kcache'), 'exec', 'shell', '--', 'echo', 'hi'], { timeout: 45_000 }, (e, stdout, stderr) =>
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr }),
      ),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("Error from server (Forbidden): k3sdaas: your SealToken's role does not allow writes (viewer)");
    expect(r.stderr).toContain('(contract access::ERoleCannotWrite)');
    // Refused on chain: no session was granted for it.
    const refused = (await recentRequests(sb, 50)).filter((e) => e.path.endsWith('/exec') && normalizeSuiAddress(e.requester) === normalizeSuiAddress(viewer.address));
    expect(refused).toEqual([]);
  }, 60_000);
});

describe('tenancy', () => {
  it('a tenant cannot exec outside its namespace: refused by the contract with its reason', async () => {
    const keypair = await fundedKey(sb);
    const staked = await stakeForTenant(new TransactionExecutor(sb.client, keypair), sb.packageId, sb.clusterId, 2n * MIST_PER_SUI, 'team-x');
    const r = await kubectlRunner(await credentialKubeconfig(sb, { keypair, tokenId: staked.tokenId }))(['exec', 'shell', '-n', 'default', '--', 'echo', 'hi']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Error from server (Forbidden): k3sdaas: ');
    expect(r.stderr).toContain('(contract access::ETenantOutsideNamespace)');
  }, 60_000);
});

describe('what the gateway does not relay gets a Status, nothing submitted', () => {
  /** The gateway's HTTP answer to an upgrade request kubectl would not send this way. */
  async function upgradeAnswer(path: string, upgrade: string): Promise<{ status: number; body: string }> {
    const { request } = await import('node:https');
    const token = await gatewayToken(sb);
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, sb.gatewayUrl), {
        ca: sb.tls.caPem,
        headers: { connection: 'Upgrade', upgrade, authorization: `Bearer ${token}`, 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('upgrade', () => reject(new Error('upgraded')));
      req.on('error', reject);
      req.end();
    });
  }

  it('a SPDY-only exec (no WebSocket attempt refused before) is told WebSocket is what is relayed; an upgrade of another path is a 400', async () => {
    const before = (await recentRequests(sb, 100)).map((e) => e.requestId);
    const spdy = await upgradeAnswer('/api/v1/namespaces/default/pods/shell/exec?command=ls&stdout=true', 'SPDY/3.1');
    expect(spdy.status).toBe(400);
    expect(JSON.parse(spdy.body).message).toMatch(/exec over SPDY\/3\.1 is not relayed; k3sdaas relays exec over WebSocket/);
    const other = await upgradeAnswer('/api/v1/namespaces/default/configmaps', 'websocket');
    expect(other.status).toBe(400);
    expect(JSON.parse(other.body).message).toContain('cannot be upgraded: only pods/exec, pods/attach and pods/portforward stream');
    expect((await recentRequests(sb, 100)).map((e) => e.requestId)).toEqual(before);
  });
});

describe('nothing streamed is on chain', () => {
  it('no transaction, object or event holds what went through exec (raw, hex or base64)', async () => {
    const chain = sb.localnet.chain;
    const text = JSON.stringify(
      [[...chain.transactions.values()], [...chain.objects.values()], chain.events],
      (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v),
    );
    expect(text.length).toBeGreaterThan(10_000);
    for (const form of [secret, Buffer.from(secret).toString('hex'), Buffer.from(secret).toString('base64').slice(0, 16)]) {
      expect(text).not.toContain(form);
    }
    const reqs = await recentRequests(sb, 100);
    for (const e of reqs) expect(e.path).not.toContain('?');
  });
});
