/**
 * The streaming subresources at the protocol level, for the clients kubectl 1.32 is not: the older channel
 * protocols (v4 with a Status, v1 with a bare message, base64 text frames), channel-protocol port-forward, stdin
 * close in v5, refusals before the upgrade, the tty line discipline and tar.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startKubeApi, type KubeApi } from '../index.js';
import { SimFilesystem } from '../containers/filesystem.js';
import { SimProcess } from '../containers/process.js';
import { systemClock } from '../clock.js';
import { tar } from './tar.js';
import { LineDiscipline, toTerminal } from './tty.js';
import { parseChannelProtocol, selectProtocol } from './channels.js';

let api: KubeApi;

interface Frames {
  frames: { channel: number; data: Buffer }[];
  closed: Promise<void>;
  ws: WebSocket;
  protocol: string;
}

function open(path: string, protocols: string[]): Promise<Frames> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${api.url.replace(/^http/, 'ws')}${path}`, protocols);
    const frames: Frames['frames'] = [];
    const closed = new Promise<void>((r) => ws.once('close', () => r()));
    ws.on('message', (raw: Buffer, isBinary) => {
      if (isBinary) frames.push({ channel: raw[0], data: raw.subarray(1) });
      else {
        const t = raw.toString('utf8');
        frames.push({ channel: t.charCodeAt(0) - 48, data: Buffer.from(t.slice(1), 'base64') });
      }
    });
    ws.once('open', () => resolve({ frames, closed, ws, protocol: ws.protocol }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => reject(Object.assign(new Error(body), { status: res.statusCode, body: JSON.parse(body) })));
    });
    ws.once('error', reject);
  });
}

const channel = (f: Frames, n: number) => Buffer.concat(f.frames.filter((x) => x.channel === n).map((x) => x.data)).toString('utf8');
const exec = (cmd: string[], extra = 'stdout=true&stderr=true') => `/api/v1/namespaces/default/pods/box/exec?${cmd.map((c) => `command=${encodeURIComponent(c)}`).join('&')}&${extra}`;

beforeAll(async () => {
  api = await startKubeApi({ port: 0, simulation: { podStartDelayMs: 20 } });
  for (const [name, image, command] of [['box', 'busybox', ['sleep', '3600']], ['web', 'nginx', undefined]] as const) {
    await fetch(`${api.url}/api/v1/namespaces/default/pods`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ metadata: { name }, spec: { containers: [{ name, image, ...(command ? { command } : {}) }] } }),
    });
  }
  const until = Date.now() + 10_000;
  while (!['box', 'web'].every((n) => api.simulation.kubelet.container('default', n)?.process?.running)) {
    if (Date.now() > until) throw new Error('pods did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
});

afterAll(async () => {
  await api?.close();
});

describe('exec over the channel protocols', () => {
  it('picks the first served protocol the client offers', () => {
    expect(selectProtocol(['v6.channel.k8s.io', 'v4.channel.k8s.io', 'v5.channel.k8s.io'])).toBe('v4.channel.k8s.io');
    expect(selectProtocol(['nope'])).toBe(false);
    expect(parseChannelProtocol('v4.base64.channel.k8s.io')).toEqual({ name: 'v4.base64.channel.k8s.io', version: 4, base64: true });
    expect(parseChannelProtocol('channel.k8s.io')).toEqual({ name: 'channel.k8s.io', version: 1, base64: false });
  });

  it('v4: stdout and stderr on their channels, then a Status with the exit code', async () => {
    const f = await open(exec(['sh', '-c', 'echo out; echo err >&2; exit 2']), ['v4.channel.k8s.io']);
    await f.closed;
    expect(f.protocol).toBe('v4.channel.k8s.io');
    expect(channel(f, 1)).toBe('out\n');
    expect(channel(f, 2)).toBe('err\n');
    expect(JSON.parse(channel(f, 3))).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '2' }] } });
  });

  it('v1 (channel.k8s.io): the error channel carries the bare message, nothing on success', async () => {
    const failed = await open(exec(['sh', '-c', 'exit 5']), ['channel.k8s.io']);
    await failed.closed;
    expect(channel(failed, 3)).toContain('exit code 5');
    const fine = await open(exec(['echo', 'ok']), ['channel.k8s.io']);
    await fine.closed;
    expect(channel(fine, 1)).toBe('ok\n');
    expect(channel(fine, 3)).toBe('');
  });

  it('base64: text frames with the channel as an ASCII digit', async () => {
    const f = await open(exec(['echo', 'b64']), ['base64.channel.k8s.io']);
    await f.closed;
    expect(f.protocol).toBe('base64.channel.k8s.io');
    expect(channel(f, 1)).toBe('b64\n');
  });

  it('v5: stdin, then the close signal [255, 0] ends it (cat exits 0)', async () => {
    const f = await open(exec(['cat'], 'stdin=true&stdout=true'), ['v5.channel.k8s.io']);
    f.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('piped\n')]));
    f.ws.send(Buffer.from([255, 0]));
    await f.closed;
    expect(channel(f, 1)).toBe('piped\n');
    expect(JSON.parse(channel(f, 3))).toEqual({ metadata: {}, status: 'Success' });
  });

  it('refusals come before the upgrade as a Status', async () => {
    await expect(open('/api/v1/namespaces/default/pods/ghost/exec?command=ls&stdout=true', ['v5.channel.k8s.io'])).rejects.toMatchObject({ status: 404, body: { reason: 'NotFound' } });
    await expect(open('/api/v1/namespaces/default/pods/box/exec?stdout=true', ['v5.channel.k8s.io'])).rejects.toMatchObject({ status: 400, body: { message: 'you must specify at least 1 command' } });
    await expect(open('/api/v1/namespaces/default/pods/box/exec?command=ls&stdout=true&container=other', ['v5.channel.k8s.io'])).rejects.toMatchObject({ status: 400, body: { message: 'container other is not valid for pod box' } });
    await expect(open('/api/v1/namespaces/default/configmaps/x/exec?command=ls', ['v5.channel.k8s.io'])).rejects.toMatchObject({ status: 404 });
    // without an upgrade, as the real server
    const plain = await fetch(`${api.url}/api/v1/namespaces/default/pods/box/exec?command=ls&stdout=true`, { method: 'POST' });
    expect(plain.status).toBe(400);
    expect(await plain.json()).toMatchObject({ kind: 'Status', message: 'Upgrade request required' });
  });
});

describe('sessions and the server', () => {
  it('close() ends open sessions (an upgraded socket is not left behind)', async () => {
    const own = await startKubeApi({ port: 0, simulation: { podStartDelayMs: 20 } });
    await fetch(`${own.url}/api/v1/namespaces/default/pods`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ metadata: { name: 'box' }, spec: { containers: [{ name: 'box', image: 'busybox', command: ['sleep', '3600'] }] } }),
    });
    const until = Date.now() + 10_000;
    while (!own.simulation.kubelet.container('default', 'box')?.process?.running) {
      if (Date.now() > until) throw new Error('pod did not start');
      await new Promise((r) => setTimeout(r, 20));
    }
    const ws = new WebSocket(`${own.url.replace(/^http/, 'ws')}${exec(['cat'], 'stdin=true&stdout=true')}`, ['v5.channel.k8s.io']);
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    const closed = new Promise<void>((r) => ws.once('close', () => r()));
    await own.close();
    await closed;
    expect(ws.readyState).toBe(WebSocket.CLOSED);
  });
});

describe('port-forward over the channel protocol (v4)', () => {
  it('sends each channel’s port first, then relays the bytes', async () => {
    const f = await open('/api/v1/namespaces/default/pods/web/portforward?ports=80', ['v4.channel.k8s.io']);
    f.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]));
    const until = Date.now() + 10_000;
    while (!channel(f, 0).includes('Welcome to nginx!') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    f.ws.close();
    const data = f.frames.filter((x) => x.channel === 0);
    expect([...data[0].data]).toEqual([80, 0]);
    expect(Buffer.concat(data.slice(1).map((x) => x.data)).toString()).toMatch(/^HTTP\/1\.1 200 OK[^]*Welcome to nginx!/);
  });
});

describe('the terminal', () => {
  it('echoes typed bytes, hands over a line on CR, erases, interrupts and ends', () => {
    const echoed: string[] = [];
    const lines: string[] = [];
    let eof = 0;
    let intr = 0;
    const tty = new LineDiscipline({ echo: (d) => echoed.push(d.toString()), line: (d) => lines.push(d.toString()), eof: () => eof++, interrupt: () => intr++ });
    tty.input(Buffer.from('lx\x7fs\r'));
    expect(lines).toEqual(['ls\n']);
    expect(echoed.join('')).toBe('lx\b \bs\r\n');
    tty.input(Buffer.from('abc\x03'));
    expect(intr).toBe(1);
    tty.input(Buffer.from('\x04'));
    expect(eof).toBe(1);
    expect(toTerminal(Buffer.from('a\nb\r\nc'))).toEqual(Buffer.from('a\r\nb\r\nc'));
  });
});

describe('tar', () => {
  const runTar = async (fs: SimFilesystem, argv: string[], input?: Buffer) => {
    const p = new SimProcess(tar, { argv, env: {}, fs, hostname: 'h', clock: systemClock, stdin: !!input });
    if (input) p.stdin.end(input);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (c: Buffer) => out.push(c));
    p.stderr.on('data', (c: Buffer) => err.push(c));
    const code = await p.exited;
    return { code, out: Buffer.concat(out), err: Buffer.concat(err).toString() };
  };

  it('c then x round-trips files and directories byte-for-byte', async () => {
    const src = new SimFilesystem();
    const bin = Buffer.from([0, 255, 1, 254, 10, 13]);
    src.write('/srv/a/bin.dat', bin);
    src.write('/srv/a/sub/t.txt', 'text\n');
    const packed = await runTar(src, ['tar', 'cf', '-', '/srv/a']);
    expect(packed.code).toBe(0);
    expect(packed.err).toBe("tar: Removing leading `/' from member names\n");
    const dst = new SimFilesystem();
    dst.mkdirp('/out');
    const un = await runTar(dst, ['tar', '-xmf', '-', '-C', '/out'], packed.out);
    expect(un.code).toBe(0);
    expect(dst.read('/out/srv/a/bin.dat').equals(bin)).toBe(true);
    expect(dst.read('/out/srv/a/sub/t.txt').toString()).toBe('text\n');
    const listed = await runTar(dst, ['tar', 'tf', '-'], packed.out);
    expect(listed.out.toString().split('\n')).toEqual(expect.arrayContaining(['srv/a/', 'srv/a/bin.dat', 'srv/a/sub/t.txt']));
  });

  it('refuses what it does not do, naming it', async () => {
    const fs = new SimFilesystem();
    expect(await runTar(fs, ['tar', 'cf', '-', '/missing'])).toMatchObject({ code: 1, err: expect.stringContaining('/missing: No such file or directory') });
    expect(await runTar(fs, ['tar', 'czf', '-', '/'])).toMatchObject({ code: 1, err: 'tar: unrecognized option: z\n' });
    expect(await runTar(fs, ['tar', 'cf', 'out.tar', '/'])).toMatchObject({ code: 1, err: expect.stringContaining("only '-'") });
  });
});
