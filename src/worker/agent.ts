/**
 * Supervises `k3s agent`: spawns it, restarts it with exponential backoff when it exits on its own, forwards
 * SIGINT/SIGTERM on stop and kills it if it does not exit in time.
 *
 * The command line is `k3s agent --server <api_url> --node-name <name>`; the join token goes in the K3S_TOKEN
 * environment variable, which k3s reads as the value of `--token` (same flag, same semantics). Unlike argv
 * (/proc/<pid>/cmdline, `ps`), a process's environment is readable only by its user and root.
 */
import { backoffDelay } from '../core/retry.js';
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { silentLogger, type Logger } from '../core/log.js';
import { WorkerError } from './errors.js';

export interface AgentOptions {
  /** `k3s` (looked up on PATH) or a path; default `k3s`. */
  k3sBin?: string;
  serverUrl: string;
  token: string;
  nodeName: string;
  /** More `k3s agent` arguments (e.g. `--node-label`). */
  extraArgs?: string[];
  /** Base environment (default process.env); K3S_TOKEN is added. */
  env?: NodeJS.ProcessEnv;
  backoff?: { initialMs: number; maxMs: number };
  /** A run this long resets the backoff. Default 60 s. */
  stableAfterMs?: number;
  /** After forwarding a signal, SIGKILL after this long. Default 20 s. */
  stopTimeoutMs?: number;
  /** Agent stdout and stderr go to our stderr by default ('ignore' for tests). */
  output?: 'stderr' | 'ignore';
  logger?: Logger;
  onEvent?: (event: AgentEvent) => void;
}

export type AgentEvent =
  | { type: 'started'; pid: number; run: number }
  | { type: 'exited'; code: number | null; signal: NodeJS.Signals | null; run: number }
  | { type: 'restarting'; inMs: number; run: number }
  | { type: 'stopped' };

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Resolves `k3s` on PATH or checks an explicit path; WORKER_K3S_NOT_FOUND says how to fix it. */
export function resolveK3sBinary(bin = 'k3s', env: NodeJS.ProcessEnv = process.env): string {
  if (bin.includes('/') || isAbsolute(bin)) {
    const file = resolve(bin);
    if (isExecutable(file)) return file;
    throw new WorkerError('WORKER_K3S_NOT_FOUND', `--k3s-bin ${bin} is not an executable file`);
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, bin))) return join(dir, bin);
  }
  throw new WorkerError('WORKER_K3S_NOT_FOUND', `${bin} not found on PATH: install k3s (https://get.k3s.io) or pass --k3s-bin <path>`);
}

export function agentArgs(o: Pick<AgentOptions, 'serverUrl' | 'nodeName' | 'extraArgs'>): string[] {
  return ['agent', '--server', o.serverUrl, '--node-name', o.nodeName, ...(o.extraArgs ?? [])];
}

export class AgentSupervisor {
  readonly #o: AgentOptions;
  readonly #bin: string;
  readonly #log: Logger;
  #child: ChildProcess | null = null;
  #stopping = false;
  #runs = 0;
  #timer: NodeJS.Timeout | null = null;
  #stopped: Promise<void> | null = null;
  #exited: (() => void) | null = null;

  constructor(options: AgentOptions) {
    this.#o = options;
    this.#bin = resolveK3sBinary(options.k3sBin, options.env ?? process.env);
    this.#log = (options.logger ?? silentLogger).child({ component: 'k3s-agent', node: options.nodeName });
  }

  get binary(): string {
    return this.#bin;
  }
  /** Times the agent has been started (1 = never restarted). */
  get runs(): number {
    return this.#runs;
  }
  get pid(): number | undefined {
    return this.#child?.pid;
  }
  get running(): boolean {
    return this.#child !== null;
  }

  start(): this {
    this.#spawn();
    return this;
  }

  #spawn(): void {
    if (this.#stopping) return;
    const run = ++this.#runs;
    const started = Date.now();
    const stdio: StdioOptions = this.#o.output === 'ignore' ? 'ignore' : ['ignore', 2, 2];
    const child = spawn(this.#bin, agentArgs(this.#o), {
      env: { ...(this.#o.env ?? process.env), K3S_TOKEN: this.#o.token },
      stdio,
    });
    this.#child = child;
    child.once('spawn', () => {
      this.#log.info('k3s agent started', { pid: child.pid, run });
      this.#o.onEvent?.({ type: 'started', pid: child.pid!, run });
    });
    let exited = false;
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      if (exited) return;
      exited = true;
      this.#child = null;
      this.#o.onEvent?.({ type: 'exited', code, signal, run });
      if (this.#stopping) {
        this.#exited?.();
        return;
      }
      const backoff = this.#o.backoff ?? { initialMs: 1_000, maxMs: 30_000 };
      const ranMs = Date.now() - started;
      // Quick successive crashes back off exponentially; a run that lasted resets the count.
      this.#quickExits = ranMs >= (this.#o.stableAfterMs ?? 60_000) ? 0 : this.#quickExits + 1;
      // The project's backoff policy, without jitter (one process, nobody to spread out from).
      const inMs = backoffDelay(Math.max(1, this.#quickExits), { minDelayMs: backoff.initialMs, maxDelayMs: backoff.maxMs, factor: 2 }, () => 0);
      this.#log.warn('k3s agent exited; restarting', { code, signal, run, ranMs, restartInMs: inMs });
      this.#o.onEvent?.({ type: 'restarting', inMs, run });
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#spawn();
      }, inMs);
    };
    child.once('error', (err) => {
      this.#log.error('k3s agent could not start', { error: err, run });
      if (child.pid === undefined) onExit(null, null);
    });
    child.once('exit', onExit);
  }
  #quickExits = 0;

  /** Forwards `signal` to the agent, waits for it to exit (SIGKILL after stopTimeoutMs) and stops restarting. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.#stopped) return this.#stopped;
    this.#stopping = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#stopped = new Promise<void>((resolveStop) => {
      const child = this.#child;
      const finish = () => {
        this.#log.info('k3s agent stopped', { signal });
        this.#o.onEvent?.({ type: 'stopped' });
        resolveStop();
      };
      if (!child || child.exitCode !== null || child.signalCode !== null) return finish();
      const kill = setTimeout(() => child.kill('SIGKILL'), this.#o.stopTimeoutMs ?? 20_000);
      this.#exited = () => {
        clearTimeout(kill);
        finish();
      };
      child.kill(signal);
    });
    return this.#stopped;
  }
}
