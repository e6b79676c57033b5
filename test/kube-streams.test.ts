/**
 * End-to-end: the streaming verbs of the real kubectl (/usr/bin/kubectl, 1.32.4) straight against the embedded
 * Kubernetes API — logs -f, exec (WebSocket v5), exec -i, exec -it under a pseudo-terminal (script(1)), cp both
 * ways, port-forward (SPDY tunnelled in WebSocket), run --rm -i, attach — and RBAC on the upgrade.
 */
import { writePlainKubeconfig } from './helpers/kubectl.js';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApi, type KubeApi } from '../src/kube/index.js';
import { ManualClock } from '../src/kube/clock.js';

const KUBECTL = '/usr/bin/kubectl';
/** The bound of every wait for output: generous for a loaded 2-core machine, never slept when the output comes. */
const WAIT_MS = 15_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;

function kubeconfig(name: string, url: string): string {
  const path = join(dir, `${name}.kubeconfig`);
  writePlainKubeconfig(path, url);
  return path;
}

const kubectlArgs = (config: string, args: string[]) => ['--kubeconfig', config, '--cache-dir', join(dir, 'cache'), ...args];
/** Set by a describe block to steer kubectl (e.g. its SPDY fallback). */
let extraEnv: Record<string, string> = {};
const kubectlEnv = () => ({ ...process.env, KUBECONFIG: '', HOME: dir, ...extraEnv });

function run(config: string, args: string[], input?: string | Buffer, timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(KUBECTL, kubectlArgs(config, args), { env: kubectlEnv() });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kubectl ${args.join(' ')} timed out; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

async function ok(config: string, args: string[], input?: string | Buffer): Promise<string> {
  const r = await run(config, args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** A long-running process whose output the test waits on (bounded), then ends. */
class Live {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number>;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (d) => (this.stdout += d));
    child.stderr.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : -1))));
  }

  static kubectl(config: string, args: string[]): Live {
    return new Live(spawn(KUBECTL, kubectlArgs(config, args), { env: kubectlEnv() }));
  }

  /** Resolves with the match once stdout matches (bounded by WAIT_MS). */
  async waitFor(re: RegExp, what: 'stdout' | 'stderr' = 'stdout'): Promise<RegExpMatchArray> {
    const until = Date.now() + WAIT_MS;
    for (;;) {
      const m = this[what].match(re);
      if (m) return m;
      if (Date.now() > until) throw new Error(`no ${re} in ${what} within ${WAIT_MS} ms; stdout: ${JSON.stringify(this.stdout)}; stderr: ${JSON.stringify(this.stderr)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async exit(): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const bounded = new Promise<number>((_, reject) => (timer = setTimeout(() => reject(new Error(`did not exit; stdout: ${this.stdout}; stderr: ${this.stderr}`)), WAIT_MS)));
    try {
      return await Promise.race([this.exited, bounded]);
    } finally {
      clearTimeout(timer);
    }
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.pid) this.child.kill('SIGTERM');
  }
}

/** Polls a condition (bounded). */
async function eventually(check: () => Promise<boolean> | boolean): Promise<void> {
  const until = Date.now() + WAIT_MS;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kube-streams-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('kubectl logs -f on the cluster clock', () => {
  let api: KubeApi;
  let config: string;
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));

  beforeAll(async () => {
    api = await startKubeApi({ port: 0, simulation: { clock, podStartDelayMs: 100 } });
    config = kubeconfig('clocked', api.url);
    await ok(config, ['run', 'talker', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'echo one; sleep 10; echo two; sleep 10; echo three']);
    await clock.advance(100);
    await eventually(async () => (await ok(config, ['get', 'pod', 'talker', '-o', 'jsonpath={.status.phase}'])) === 'Running');
  });

  afterAll(async () => {
    await api?.close();
  });

  it('prints lines as the container writes them and ends when it exits', async () => {
    const logs = Live.kubectl(config, ['logs', '-f', 'talker']);
    try {
      await logs.waitFor(/^one\n$/);
      // the container sleeps on the cluster clock: nothing more until it moves
      await new Promise((r) => setTimeout(r, 200));
      expect(logs.stdout).toBe('one\n');
      await clock.advance(10_000);
      await logs.waitFor(/^one\ntwo\n$/);
      await clock.advance(10_000);
      await logs.waitFor(/three\n$/);
      expect(await logs.exit()).toBe(0);
      expect(logs.stdout).toBe('one\ntwo\nthree\n');
    } finally {
      logs.stop();
    }
  });

  it('--tail, --timestamps and --since apply to what is followed', async () => {
    const r = await run(config, ['logs', '-f', 'talker', '--tail=1', '--timestamps']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('2026-01-01T00:00:20.100000000Z three\n');
    expect(await ok(config, ['logs', 'talker', '--tail=2'])).toBe('two\nthree\n');
  });

  it('a pod that has not started is refused with the real message', async () => {
    await ok(config, ['run', 'later', '--image=busybox', '--restart=Never', '--', 'echo', 'x']);
    const r = await run(config, ['logs', '-f', 'later']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('container "later" in pod "later" is waiting to start: ContainerCreating');
  });
});

describe('exec, cp, port-forward, run -i and attach with RBAC enforced', () => {
  let api: KubeApi;
  let config: string;
  const sessions: { kind: string; exitCode?: number; user: string }[] = [];
  const audit: { path: string; code: number; user?: string }[] = [];

  beforeAll(async () => {
    api = await startKubeApi({ port: 0, simulation: { podStartDelayMs: 50 }, authorization: { enforce: true }, onSession: (s) => sessions.push(s), onAudit: (e) => audit.push(e) });
    config = kubeconfig('live', api.url);
    await ok(config, ['run', 'shell', '--image=busybox', '--', 'sleep', '3600']);
    await ok(config, ['run', 'web', '--image=nginx']);
    await ok(config, ['wait', '--for=condition=Ready', 'pod/shell', 'pod/web', '--timeout=15s']);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('exec POD -- echo hi prints hi (WebSocket v5.channel.k8s.io)', async () => {
    const r = await run(config, ['exec', 'shell', '--', 'echo', 'hi']);
    expect(r).toMatchObject({ code: 0, stdout: 'hi\n' });
    expect(sessions).toContainEqual(expect.objectContaining({ kind: 'exec', exitCode: 0 }));
  });

  it('the exit code comes back on the error channel; an unknown command is the runtime error', async () => {
    const r = await run(config, ['exec', 'shell', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toContain('err\n');
    expect(r.stderr).toContain('command terminated with exit code 3');
    const missing = await run(config, ['exec', 'shell', '--', 'nosuch']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('exec: "nosuch": executable file not found in $PATH');
  });

  it('exec -i POD -- cat echoes stdin, and a pipeline reads it', async () => {
    const text = 'line 1\nline 2\n'.repeat(200);
    expect(await ok(config, ['exec', '-i', 'shell', '--', 'cat'], text)).toBe(text);
    expect(await ok(config, ['exec', '-i', 'shell', '--', 'sh', '-c', 'cat | wc -l'], text)).toBe('400\n');
  });

  it('exec -it under a pseudo-terminal: prompt, echo, output, exit status', async () => {
    const cmd = [KUBECTL, ...kubectlArgs(config, ['exec', '-it', 'shell', '--', 'sh'])].map((a) => `'${a}'`).join(' ');
    const term = new Live(spawn('script', ['-qec', cmd, '/dev/null'], { env: { ...kubectlEnv(), TERM: 'dumb' } }));
    try {
      await term.waitFor(/\/ # $/);
      term.child.stdin.write('echo hi there\r');
      // the terminal echoes the typed line, then the shell's output, then the next prompt, CR LF as a pty gives
      await term.waitFor(/echo hi there\r\nhi there\r\n\/ # $/);
      term.child.stdin.write('hostname\r');
      await term.waitFor(/hostname\r\nshell\r\n\/ # $/);
      term.child.stdin.write('exit 4\r');
      expect(await term.exit()).toBe(4);
      expect(term.stdout).toContain('command terminated with exit code 4');
    } finally {
      term.stop();
    }
  });

  it('run -it --rm under a pseudo-terminal attaches to the container’s own tty shell', async () => {
    const cmd = [KUBECTL, ...kubectlArgs(config, ['run', '-it', '--rm', '--restart=Never', 'tty', '--image=busybox', '--', 'sh'])].map((a) => `'${a}'`).join(' ');
    const term = new Live(spawn('script', ['-qec', cmd, '/dev/null'], { env: { ...kubectlEnv(), TERM: 'dumb' } }));
    try {
      await term.waitFor(/If you don't see a command prompt, try pressing enter\./);
      term.child.stdin.write('\r');
      await term.waitFor(/\/ # $/);
      term.child.stdin.write('echo in run\r');
      await term.waitFor(/echo in run\r\nin run\r\n\/ # $/);
      term.child.stdin.write('exit\r');
      expect(await term.exit()).toBe(0);
      expect(term.stdout).toContain('pod "tty" deleted');
    } finally {
      term.stop();
    }
  });

  it('cp both ways round-trips a file byte-for-byte (tar in the container)', async () => {
    const data = randomBytes(200_000);
    const local = join(dir, 'blob.bin');
    writeFileSync(local, data);
    await ok(config, ['cp', local, 'shell:/tmp/blob.bin']);
    expect(await ok(config, ['exec', 'shell', '--', 'ls', '-l', '/tmp/blob.bin'])).toMatch(/ 200000 .*blob\.bin\n$/);
    const back = join(dir, 'back.bin');
    await ok(config, ['cp', 'shell:/tmp/blob.bin', back]);
    expect(readFileSync(back).equals(data)).toBe(true);
    // into a directory: kubectl asks `test -d` first and keeps the file name
    await ok(config, ['exec', 'shell', '--', 'mkdir', '-p', '/data']);
    await ok(config, ['cp', local, 'shell:/data/']);
    expect(await ok(config, ['exec', 'shell', '--', 'ls', '/data'])).toBe('blob.bin\n');
  });

  it('port-forward relays an HTTP request to the simulated port', async () => {
    const pf = Live.kubectl(config, ['port-forward', 'pod/web', ':80']);
    try {
      const [, port] = await pf.waitFor(/Forwarding from 127\.0\.0\.1:(\d+) -> 80/);
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(WAIT_MS) });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Welcome to nginx!');
      const missing = await fetch(`http://127.0.0.1:${port}/nope`, { signal: AbortSignal.timeout(WAIT_MS) });
      expect(missing.status).toBe(404);
      await missing.text();
      await pf.waitFor(/Handling connection for \d+\n[^]*Handling connection/);
    } finally {
      pf.stop();
    }
    await pf.exit();
    // nginx logged the relayed requests
    expect(await ok(config, ['logs', 'web'])).toMatch(/"GET \/nope HTTP\/1\.1" 404/);
  });

  it('port-forward to a port nothing listens on reports the error', async () => {
    const pf = Live.kubectl(config, ['port-forward', 'pod/web', ':9999']);
    try {
      const [, port] = await pf.waitFor(/Forwarding from 127\.0\.0\.1:(\d+) -> 9999/);
      await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(WAIT_MS) }).catch(() => undefined);
      await pf.waitFor(/error forwarding port 9999 to pod/, 'stderr');
    } finally {
      pf.stop();
    }
    await pf.exit();
  });

  it('run --rm -i --restart=Never -- echo hi prints hi and deletes the pod', async () => {
    const r = await run(config, ['run', '--rm', '-i', '--restart=Never', 't', '--image=busybox', '--', 'echo', 'hi']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^hi\n/);
    expect(r.stdout).toContain('pod "t" deleted');
    expect((await run(config, ['get', 'pod', 't'])).stderr).toContain('pods "t" not found');
  });

  it('run --rm -i with stdin: the container reads what kubectl sends', async () => {
    const r = await run(config, ['run', '--rm', '-i', '--restart=Never', 'reader', '--image=busybox', '--', 'sh', '-c', 'read x; echo got $x'], 'hello\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^got hello\n/);
  });

  it('attach -i reaches the running container’s stdin and stdout (stdinOnce ends it)', async () => {
    await ok(config, ['run', 'catter', '--image=busybox', '-i', '--attach=false', '--restart=Never', '--', 'cat']);
    await ok(config, ['wait', '--for=condition=Ready', 'pod/catter', '--timeout=15s']);
    const r = await run(config, ['attach', 'catter', '-i'], 'one\ntwo\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('one\ntwo\n');
    await eventually(async () => (await ok(config, ['get', 'pod', 'catter', '-o', 'jsonpath={.status.phase}'])) === 'Succeeded');
    expect(sessions).toContainEqual(expect.objectContaining({ kind: 'attach' }));
  });

  it('attach without -i follows the output as it is written', async () => {
    await ok(config, ['run', 'ticker', '--image=busybox', '--', 'sh', '-c', 'while true; do echo tick; sleep 0.05; done']);
    await ok(config, ['wait', '--for=condition=Ready', 'pod/ticker', '--timeout=15s']);
    const a = Live.kubectl(config, ['attach', 'ticker']);
    try {
      await a.waitFor(/tick\ntick\n/);
    } finally {
      a.stop();
    }
    await a.exit();
  });

  describe('over SPDY/3.1 (kubectl with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false and KUBECTL_PORT_FORWARD_WEBSOCKETS=false)', () => {
    beforeAll(() => {
      extraEnv = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false', KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' };
    });
    afterAll(() => {
      extraEnv = {};
    });

    it('exec, exit codes and exec -i', async () => {
      expect(await run(config, ['exec', 'shell', '--', 'echo', 'hi'])).toMatchObject({ code: 0, stdout: 'hi\n' });
      const failed = await run(config, ['exec', 'shell', '--', 'sh', '-c', 'echo err >&2; exit 7']);
      expect(failed.code).toBe(7);
      expect(failed.stderr).toContain('err\ncommand terminated with exit code 7');
      expect(await ok(config, ['exec', '-i', 'shell', '--', 'cat'], 'spdy stdin\n')).toBe('spdy stdin\n');
    });

    it('cp both ways, past the 64 KiB SPDY window', async () => {
      const data = randomBytes(300_000);
      const local = join(dir, 'spdy.bin');
      writeFileSync(local, data);
      await ok(config, ['cp', local, 'shell:/tmp/spdy.bin']);
      const back = join(dir, 'spdy-back.bin');
      await ok(config, ['cp', 'shell:/tmp/spdy.bin', back]);
      expect(readFileSync(back).equals(data)).toBe(true);
    });

    it('port-forward on the upgraded connection', async () => {
      const pf = Live.kubectl(config, ['port-forward', 'pod/web', ':80']);
      try {
        const [, port] = await pf.waitFor(/Forwarding from 127\.0\.0\.1:(\d+) -> 80/);
        const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(WAIT_MS) });
        expect(await res.text()).toContain('Welcome to nginx!');
      } finally {
        pf.stop();
      }
      await pf.exit();
    });

    it('run --rm -i attaches and reads stdin', async () => {
      const r = await run(config, ['run', '--rm', '-i', '--restart=Never', 'spdyreader', '--image=busybox', '--', 'sh', '-c', 'read x; echo got $x'], 'over spdy\n');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^got over spdy\n/);
    });
  });

  it('RBAC: exec is create on pods/exec — a reader without it is refused, a granted identity passes', async () => {
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader', namespace: 'default' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] };
    const execer = { ...role, metadata: { name: 'execer', namespace: 'default' }, rules: [...role.rules, { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }] };
    await ok(config, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [role, execer] }));
    await ok(config, ['create', 'rolebinding', 'alice-reads', '--role=reader', '--user=alice']);
    await ok(config, ['create', 'rolebinding', 'bob-execs', '--role=execer', '--user=bob']);
    const denied = await run(config, ['--as=alice', 'exec', 'shell', '--', 'echo', 'hi']);
    expect(denied.code).toBe(1);
    expect(denied.stdout).toBe('');
    expect(denied.stderr).toContain('Error from server (Forbidden): pods "shell" is forbidden: User "alice" cannot create resource "pods/exec" in API group "" in the namespace "default"');
    expect(await ok(config, ['--as=bob', 'exec', 'shell', '--', 'echo', 'hi'])).toBe('hi\n');
    // the audit hook sees upgrades as every request: the refusal (WebSocket, then the SPDY fallback) and the 101
    const execs = audit.filter((e) => e.path.startsWith('/api/v1/namespaces/default/pods/shell/exec'));
    expect(execs).toContainEqual(expect.objectContaining({ user: 'alice', code: 403 }));
    expect(execs).toContainEqual(expect.objectContaining({ user: 'bob', code: 101 }));
    const pf = await run(config, ['--as=bob', 'port-forward', 'pod/web', ':80']);
    expect(pf.code).toBe(1);
    expect(pf.stderr).toContain('cannot create resource "pods/portforward"');
  });
});
