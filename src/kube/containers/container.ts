/**
 * One simulated container: its entrypoint (command/args over the image's defaults) runs as a SimProcess, its output
 * is the container log, `exec` starts more processes in the same filesystem, and a server image answers HTTP on its
 * ports through `connect(port)` (a real local socket, so port-forward can relay bytes to it).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import type { Clock } from '../clock.js';
import type { SimFilesystem } from './filesystem.js';
import { imageDefaults, type ImageDefaults } from './images.js';
import { SimProcess, type Program } from './process.js';
import { lookup } from './programs.js';
import './shell.js';

export interface LogEntry {
  time: number;
  stream: 'stdout' | 'stderr';
  line: string;
}

export interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  stdin?: boolean;
  tty?: boolean;
  ports?: { containerPort: number }[];
}

export interface LogQuery {
  timestamps?: boolean;
  tailLines?: number;
  sinceTime?: number;
  limitBytes?: number;
}

/** The entrypoint cannot start (as containerd's "executable file not found"): the container never runs. */
export class StartError extends Error {}

export class SimContainer {
  readonly defaults: ImageDefaults;
  private main: SimProcess | null = null;
  private serving = false;
  private readonly logs: LogEntry[] = [];
  private readonly listeners = new Set<(e: LogEntry) => void>();
  private readonly servers = new Map<number, Promise<Server>>();

  constructor(
    readonly spec: ContainerSpec,
    private readonly env: Record<string, string>,
    private readonly fs: SimFilesystem,
    private readonly hostname: string,
    private readonly clock: Clock,
    private readonly clientIp = '10.42.0.1',
  ) {
    this.defaults = imageDefaults(spec.image);
  }

  /** The same container, new process: what a restart runs (the log starts over; the old one is `--previous`). */
  fresh(): SimContainer {
    return new SimContainer(this.spec, this.env, this.fs, this.hostname, this.clock, this.clientIp);
  }

  /** The argv the runtime executes: command+args, or the image's ENTRYPOINT+CMD with the spec's overrides. */
  argv(): string[] {
    const { command, args } = this.spec;
    if (command?.length) return [...command, ...(args ?? [])];
    if (args?.length) return [...this.defaults.entrypoint, ...args];
    return [...this.defaults.entrypoint, ...this.defaults.cmd];
  }

  private resolve(argv: string[]): Program {
    const name = argv[0] ?? '';
    if (this.defaults.cmd[0] === name && !lookup(name)) return this.serverProgram();
    const p = lookup(name);
    if (!p) throw new StartError(`exec: "${name}": executable file not found in $PATH`);
    return p;
  }

  /** Starts the entrypoint; throws StartError when it names no program the container has. */
  start(): SimProcess {
    const argv = this.argv();
    const program = this.resolve(argv);
    const proc = new SimProcess(program, this.spawnOptions(argv, !!this.spec.stdin, !!this.spec.tty));
    this.capture(proc);
    this.main = proc;
    void proc.exited.then(() => {
      this.serving = false;
      this.closeServers();
    });
    return proc;
  }

  get process(): SimProcess | null {
    return this.main;
  }

  /** Runs another process in the container (kubectl exec). */
  exec(argv: string[], opts: { stdin?: boolean; tty?: boolean } = {}): SimProcess {
    if (!this.main?.running) throw new Error(`container ${this.spec.name} is not running`);
    const program = lookup(argv[0] ?? '');
    if (!program) throw new StartError(`exec: "${argv[0]}": executable file not found in $PATH`);
    return new SimProcess(program, this.spawnOptions(argv, !!opts.stdin, !!opts.tty));
  }

  private spawnOptions(argv: string[], stdin: boolean, tty: boolean) {
    return { argv, env: { ...this.env }, cwd: this.spec.workingDir ?? '/', fs: this.fs, hostname: this.hostname, clock: this.clock, stdin, tty };
  }

  private serverProgram(): Program {
    return async (ctx) => {
      this.serving = true;
      for (const l of this.defaults.startup) ctx.err(`${l}\n`);
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      return 0;
    };
  }

  /** Ports that answer: the image's own and those the spec declares, while the server runs. */
  ports(): number[] {
    if (!this.serving) return [];
    return [...new Set([...this.defaults.ports, ...(this.spec.ports ?? []).map((p) => p.containerPort)])];
  }

  /** A socket to `port` in the container; rejects (connection refused) when nothing listens there. */
  async connect(port: number): Promise<Socket> {
    if (!this.ports().includes(port)) throw Object.assign(new Error(`connect ECONNREFUSED ${this.hostname}:${port}`), { code: 'ECONNREFUSED' });
    let server = this.servers.get(port);
    if (!server) {
      server = new Promise<Server>((resolve, reject) => {
        const s = createServer((req, res) => this.answer(port, req, res));
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => resolve(s));
      });
      this.servers.set(port, server);
    }
    const { port: local } = (await server).address() as AddressInfo;
    return new Promise((resolve, reject) => {
      const sock = netConnect(local, '127.0.0.1', () => resolve(sock));
      sock.once('error', reject);
    });
  }

  private answer(port: number, req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    const page = this.defaults.page(path, port);
    const body = req.method === 'HEAD' ? '' : page.body;
    res.writeHead(page.status, { 'Content-Type': page.type, 'Content-Length': Buffer.byteLength(page.body), Server: this.defaults.accessLog ? 'nginx' : 'k3sdaas' });
    res.end(body);
    const line = this.defaults.accessLog?.(this.clientIp, req.method ?? 'GET', req.url ?? '/', page.status, Buffer.byteLength(page.body), String(req.headers['user-agent'] ?? '-'), new Date(this.clock.now()));
    if (line) this.record('stdout', line);
  }

  private closeServers(): void {
    for (const s of this.servers.values()) void s.then((srv) => (srv.closeAllConnections?.(), srv.close())).catch(() => undefined);
    this.servers.clear();
  }

  private capture(proc: SimProcess): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      let pending = '';
      proc[stream].on('data', (c: Buffer) => {
        pending += c.toString('utf8');
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          this.record(stream, pending.slice(0, nl));
          pending = pending.slice(nl + 1);
        }
      });
      proc[stream].on('end', () => pending && this.record(stream, pending));
    }
  }

  private record(stream: 'stdout' | 'stderr', line: string): void {
    const e = { time: this.clock.now(), stream, line };
    this.logs.push(e);
    if (this.logs.length > 10_000) this.logs.splice(0, this.logs.length - 10_000);
    for (const l of this.listeners) l(e);
  }

  /** The log as `kubectl logs` prints it. */
  logText(q: LogQuery = {}): string {
    let entries = this.logs.filter((e) => q.sinceTime === undefined || e.time >= q.sinceTime);
    if (q.tailLines !== undefined) entries = q.tailLines === 0 ? [] : entries.slice(-q.tailLines);
    let text = entries.map((e) => `${q.timestamps ? `${new Date(e.time).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z')} ` : ''}${e.line}\n`).join('');
    if (q.limitBytes !== undefined) text = Buffer.from(text).subarray(0, q.limitBytes).toString('utf8');
    return text;
  }

  /** Follows the log (the streams issue's `logs -f`); returns an unsubscribe function. */
  onLog(listener: (e: LogEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): void {
    this.main?.kill(signal);
  }
}
