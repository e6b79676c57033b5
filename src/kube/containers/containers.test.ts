import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { SimContainer } from './container.js';
import { SimFilesystem } from './filesystem.js';
import type { SimProcess } from './process.js';

function container(spec: Partial<ConstructorParameters<typeof SimContainer>[0]> = {}, clock = new ManualClock()) {
  const fs = new SimFilesystem(() => clock.now());
  fs.write('/etc/hostname', 'web-0\n');
  fs.write('/config/greeting', 'hello');
  return { c: new SimContainer({ name: 'main', image: 'busybox:1.36', ...spec }, { PATH: '/bin', GREETING: 'hi there', HOSTNAME: 'web-0' }, fs, 'web-0', clock), clock, fs };
}

async function output(p: SimProcess): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => (err += d));
  const code = await p.exited;
  return { out, err, code };
}

const sh = async (script: string, opts: { stdin?: string; clock?: ManualClock } = {}) => {
  const { c } = container({ command: ['sleep', 'infinity'] }, opts.clock);
  c.start();
  const p = c.exec(['sh', '-c', script], { stdin: opts.stdin !== undefined });
  if (opts.stdin !== undefined) p.stdin.end(opts.stdin);
  return output(p);
};

describe('simulated shell and commands', () => {
  it('echo, variables, quoting, ; && || and exit codes', async () => {
    expect(await sh('echo hi')).toEqual({ out: 'hi\n', err: '', code: 0 });
    expect((await sh('X=1; echo "x=$X ${GREETING}" \'$X\'')).out).toBe("x=1 hi there $X\n");
    expect((await sh('false && echo no || echo yes; true && echo and')).out).toBe('yes\nand\n');
    expect(await sh('echo out; echo err >&2; exit 7')).toEqual({ out: 'out\n', err: 'err\n', code: 7 });
    expect((await sh('false; echo $?')).out).toBe('1\n');
    expect(await sh('nope arg')).toEqual({ out: '', err: 'sh: nope: not found\n', code: 127 });
    expect((await sh('echo "unterminated')).code).toBe(2);
  });

  it('pipelines, redirections, files, cat of stdin, grep, wc, head', async () => {
    expect((await sh('echo one two | cat | wc -w')).out).toBe('2\n');
    expect((await sh('printf "a\\nb\\nc\\n" | grep -v b | head -n 1')).out).toBe('a\n');
    expect((await sh('echo saved > /tmp/f; echo more >> /tmp/f; cat /tmp/f; ls /tmp')).out).toBe('saved\nmore\nf\n');
    expect((await sh('cat /config/greeting; echo; cat < /config/greeting')).out).toBe('hello\nhello');
    expect(await sh('cat /missing')).toEqual({ out: '', err: "cat: can't open '/missing': No such file or directory\n", code: 1 });
    expect((await sh('cat', { stdin: 'piped in\n' })).out).toBe('piped in\n');
    expect((await sh('hostname; cat /etc/hostname; env | grep GREETING')).out).toBe('web-0\nweb-0\nGREETING=hi there\n');
  });

  it('loops and conditionals; sleep runs on the cluster clock', async () => {
    expect((await sh('for i in 1 2 3; do echo n$i; done')).out).toBe('n1\nn2\nn3\n');
    expect((await sh('if [ -f /config/greeting ]; then echo yes; else echo no; fi; [ 2 -gt 3 ] || echo smaller')).out).toBe('yes\nsmaller\n');
    const clock = new ManualClock();
    const run = sh('i=0; while [ $i -lt 3 ]; do echo tick $i; sleep 5; i=x; [ $i = x ] && exit 0; done', { clock });
    await clock.advance(4_000);
    await clock.advance(2_000);
    expect((await run).out).toBe('tick 0\n');
  });

  it('a container runs its command, logs its output with timestamps, and exits with its code', async () => {
    const { c, clock } = container({ command: ['sh', '-c'], args: ['echo starting; sleep 10; echo done; exit 3'] });
    const p = c.start();
    await clock.advance(1);
    expect(c.logText()).toBe('starting\n');
    await clock.advance(10_000);
    expect(await p.exited).toBe(3);
    expect(c.logText()).toBe('starting\ndone\n');
    expect(c.logText({ timestamps: true, tailLines: 1 })).toMatch(/^2026-01-01T00:00:10\.000000000Z done\n$/);
  });

  it('SIGTERM stops a sleeping process with 143; an unknown entrypoint cannot start', async () => {
    const { c } = container({ command: ['sleep', '3600'] });
    const p = c.start();
    c.stop('SIGTERM');
    expect(await p.exited).toBe(143);
    const bad = container({ command: ['/app/server'] }).c;
    expect(() => bad.start()).toThrow('exec: "/app/server": executable file not found in $PATH');
  });

  it('images: busybox defaults to sh (exits without stdin); nginx serves HTTP on port 80 until stopped', async () => {
    const box = container().c;
    expect(box.argv()).toEqual(['sh']);
    expect(await box.start().exited).toBe(0);
    const web = container({ image: 'nginx:1.27' }).c;
    const p = web.start();
    await new Promise((r) => setImmediate(r));
    expect(web.ports()).toEqual([80]);
    await expect(web.connect(81)).rejects.toThrow(/ECONNREFUSED/);
    const sock = await web.connect(80);
    const reply = await new Promise<string>((resolve) => {
      let d = '';
      sock.on('data', (x) => (d += x));
      sock.on('end', () => resolve(d));
      sock.end('GET /missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    expect(reply).toMatch(/^HTTP\/1\.1 404 Not Found/);
    web.stop();
    expect(await p.exited).toBe(143);
    expect(web.ports()).toEqual([]);
  });

  it('sh reading stdin runs each line as it arrives (attach, exec -i)', async () => {
    const { c } = container({ command: ['sleep', 'infinity'] });
    c.start();
    const p = c.exec(['sh'], { stdin: true });
    const got = output(p);
    p.stdin.write('echo first\n');
    p.stdin.write('echo second; exit 4\n');
    expect(await got).toEqual({ out: 'first\nsecond\n', err: '', code: 4 });
  });
});
