/**
 * A simulated process with the interface of a real one: stdin/stdout/stderr streams, an exit promise, signals.
 * The streams issue execs/attaches into these; the kubelet runs container entrypoints as these.
 */
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { Clock } from '../clock.js';
import type { SimFilesystem } from './filesystem.js';

export type Signal = 'SIGTERM' | 'SIGKILL' | 'SIGINT' | 'SIGHUP';
const SIGNAL_NUMBERS: Record<Signal, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** What a program sees: its arguments, environment, files and the three standard streams. */
export interface ProgramContext {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  fs: SimFilesystem;
  hostname: string;
  clock: Clock;
  stdin: Readable;
  out(data: string | Buffer): void;
  err(data: string | Buffer): void;
  /** Aborted when the process is signalled; long-running programs stop waiting on it. */
  signal: AbortSignal;
  /** Whether stdin is a terminal (exec -t): interactive programs echo a prompt. */
  tty: boolean;
}

export type Program = (ctx: ProgramContext) => Promise<number>;

/** Thrown (with the status) by the `exit` builtin and by signals, unwinding the shell. */
export class ExitStatus extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

let nextPid = 1;

export interface SpawnOptions {
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  fs: SimFilesystem;
  hostname: string;
  clock: Clock;
  tty?: boolean;
  /** Keep stdin open for the caller to write (exec -i, attach); otherwise it reads as empty. */
  stdin?: boolean;
}

export class SimProcess {
  readonly pid = nextPid++;
  readonly stdin: Writable;
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly exited: Promise<number>;
  private readonly abort = new AbortController();
  private exitCode: number | null = null;
  private killedBy: Signal | null = null;

  constructor(program: Program, opts: SpawnOptions) {
    const input = new PassThrough();
    this.stdin = input;
    if (!opts.stdin) input.end();
    const ctx: ProgramContext = {
      argv: opts.argv,
      env: opts.env,
      cwd: opts.cwd ?? '/',
      fs: opts.fs,
      hostname: opts.hostname,
      clock: opts.clock,
      stdin: input,
      out: (d) => {
        if (!this.stdout.writableEnded) this.stdout.write(d);
      },
      err: (d) => {
        if (!this.stderr.writableEnded) this.stderr.write(d);
      },
      signal: this.abort.signal,
      tty: opts.tty ?? false,
    };
    const killed = new Promise<number>((resolve) =>
      this.abort.signal.addEventListener('abort', () => resolve(128 + SIGNAL_NUMBERS[this.killedBy ?? 'SIGKILL'])),
    );
    const ran = Promise.resolve()
      .then(() => program(ctx))
      .catch((e: unknown) => (e instanceof ExitStatus ? e.code : (ctx.err(`${(e as Error).message}\n`), 1)));
    this.exited = Promise.race([ran, killed]).then((code) => {
      this.exitCode = code;
      this.stdout.end();
      this.stderr.end();
      input.destroy();
      return code;
    });
  }

  get running(): boolean {
    return this.exitCode === null;
  }

  get code(): number | null {
    return this.exitCode;
  }

  /** Signals the process; every simulated program terminates on SIGTERM, SIGINT, SIGHUP and SIGKILL alike. */
  kill(signal: Signal = 'SIGTERM'): void {
    if (this.exitCode !== null || this.abort.signal.aborted) return;
    this.killedBy = signal;
    this.abort.abort(signal);
  }
}

/** Waits `ms` of the clock's time; rejects with ExitStatus when the process is signalled meanwhile. */
export function sleepFor(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new ExitStatus(143));
    const cancel = clock.after(ms, () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    const onAbort = () => {
      cancel();
      reject(new ExitStatus(143));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Reads stdin to its end (or until the process is signalled). */
export async function readAll(stdin: Readable, signal: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of chunks_(stdin, signal)) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Iterates stdin's chunks as they arrive; ends when stdin ends or the process is signalled. */
export async function* chunks_(stdin: Readable, signal: AbortSignal): AsyncGenerator<Buffer> {
  if (stdin.readableEnded || stdin.destroyed) return;
  const queue: Buffer[] = [];
  let done = false;
  let wake: (() => void) | null = null;
  const onData = (c: Buffer) => {
    queue.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
    wake?.();
  };
  const onEnd = () => {
    done = true;
    wake?.();
  };
  stdin.on('data', onData);
  stdin.once('end', onEnd);
  stdin.once('close', onEnd);
  signal.addEventListener('abort', onEnd, { once: true });
  try {
    for (;;) {
      while (queue.length) yield queue.shift()!;
      if (done || signal.aborted) return;
      await new Promise<void>((r) => (wake = r));
      wake = null;
    }
  } finally {
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.off('close', onEnd);
    signal.removeEventListener('abort', onEnd);
    stdin.pause();
  }
}
