/**
 * The remote-command session of exec and attach on a channel connection, as the kubelet serves it: stdin from
 * channel 0 into the process, its stdout/stderr out on 1/2, terminal size on 4, and at the end the status on the
 * error channel 3 — a v1 Status with the exit code for v4/v5 (kubectl prints `command terminated with exit code N`),
 * the bare message for older protocols — then a normal close.
 */
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { CLOSE, ERROR, RESIZE, STDERR, STDIN, STDOUT, type ChannelSocket } from './channels.js';
import { LineDiscipline, toTerminal } from './tty.js';

export interface RemoteCommandOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** The streams of what the session talks to: a new process (exec) or the container's main one (attach). */
export interface Attachable {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  exited: Promise<number>;
  kill(signal?: 'SIGINT' | 'SIGTERM' | 'SIGKILL' | 'SIGHUP'): void;
}

export interface SessionEnd {
  /** Exit code of the process; undefined when the session ended before it (client gone, attach detached). */
  exitCode?: number;
  /** Bytes the client sent on stdin, and sent back on stdout+stderr. */
  bytesIn: number;
  bytesOut: number;
}

/** A Status for the error channel: success, or the exit code as the kubelet reports it. */
export function exitStatus(code: number, argv: string[]): Record<string, unknown> {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** Sends a failure (e.g. the command cannot start) on the error channel and closes. */
export function failSession(sock: ChannelSocket, status: { message: string; reason: string; code: number }): void {
  if (sock.protocol.version >= 4) sock.send(ERROR, JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', ...status }));
  else sock.send(ERROR, status.message);
  sock.close();
}

/**
 * Runs a session: `attach` (detach keeps the process running) or exec (a client going away kills it, as the
 * runtime does when the exec's streams close).
 */
export function runSession(
  sock: ChannelSocket,
  proc: Attachable,
  opts: RemoteCommandOptions & { argv: string[]; mode: 'exec' | 'attach'; /** attach: the container's stdinOnce (the first client's end of input closes stdin) */ stdinOnce?: boolean },
): Promise<SessionEnd> {
  const stats: SessionEnd = { bytesIn: 0, bytesOut: 0 };
  let done = false;
  const out = (channel: number, data: Buffer) => {
    if (done) return;
    stats.bytesOut += data.length;
    sock.send(channel, data);
  };
  // an exec's stdin ends with the client's; a container's only when it is stdinOnce (else the next attach goes on)
  const endStdin = () => {
    if (opts.mode === 'exec' || opts.stdinOnce) proc.stdin.end();
  };
  const tty = opts.tty
    ? new LineDiscipline({
        echo: (d) => out(STDOUT, d),
        line: (d) => proc.stdin.writable && proc.stdin.write(d),
        eof: () => endStdin(),
        interrupt: () => proc.kill('SIGINT'),
      })
    : undefined;

  sock.onFrame((channel, data) => {
    if (channel === STDIN && opts.stdin) {
      stats.bytesIn += data.length;
      if (tty) tty.input(data);
      else if (proc.stdin.writable) proc.stdin.write(data);
    } else if (channel === CLOSE && data[0] === STDIN && sock.protocol.version >= 5) {
      endStdin();
    } else if (channel === RESIZE) {
      // the terminal size: the simulated programs do not lay out by width, so it is accepted and not used
    }
  });

  const listeners: [Readable, (c: Buffer) => void][] = [];
  if (opts.stdout) listeners.push([proc.stdout, (c) => out(STDOUT, opts.tty ? toTerminal(c) : c)]);
  // with a tty, stderr shares the terminal (kubectl asks for no stderr stream then)
  if (opts.stderr || opts.tty) listeners.push([proc.stderr, (c) => out(opts.tty ? STDOUT : STDERR, opts.tty ? toTerminal(c) : c)]);
  for (const [s, l] of listeners) s.on('data', l);
  // an exec's streams nobody asked for are drained, as the runtime discards them
  if (opts.mode === 'exec') for (const s of [proc.stdout, proc.stderr]) if (!listeners.some(([x]) => x === s)) s.resume();

  return new Promise<SessionEnd>((resolve) => {
    const finish = () => {
      if (done) return;
      done = true;
      for (const [s, l] of listeners) s.off('data', l);
      resolve(stats);
    };
    sock.ws.once('close', () => {
      if (!done && opts.mode === 'exec') proc.kill('SIGHUP');
      // an attached client going away closes the container's stdin only when it is stdinOnce
      if (!done && opts.mode === 'attach' && opts.stdin) endStdin();
      finish();
    });
    void proc.exited.then(async (code) => {
      // what the process wrote before it exited goes out before the status
      await Promise.all([proc.stdout, proc.stderr].map((s) => finished(s).catch(() => undefined)));
      if (done) return;
      stats.exitCode = code;
      if (sock.protocol.version >= 4) sock.send(ERROR, JSON.stringify(exitStatus(code, opts.argv)));
      else if (code !== 0) sock.send(ERROR, `command terminated with non-zero exit code: exit code ${code}`);
      finish();
      sock.close();
    });
  });
}
