/**
 * exec/attach over SPDY/3.1 (spdy-transport), kubectl's fallback when the WebSocket upgrade fails (and what it uses
 * with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false): the protocol is negotiated with `X-Stream-Protocol-Version`, the
 * client opens one stream per channel (`streamType: error|stdin|stdout|stderr|resize`), the server answers each,
 * starts the command once the requested streams are there, and ends with the status on the error stream
 * (a v1 Status for v4, the bare message before) and every stream closed.
 */
import type { Duplex } from 'node:stream';
import { finished } from 'node:stream/promises';
import { spdyServer } from './portforward-spdy.js';
import { exitStatus, type Attachable, type RemoteCommandOptions, type SessionEnd } from './remote-command.js';
import { LineDiscipline, toTerminal } from './tty.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** Served over SPDY, best first (WebSocket has v5; SPDY never had it). */
export const SPDY_REMOTE_COMMAND_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];
const STREAM_WAIT_MS = 30_000;

/** The protocol version to answer with, from the client's `X-Stream-Protocol-Version` values; undefined if none is served. */
export function negotiateSpdyProtocol(header: string | string[] | undefined): string | undefined {
  const offered = (Array.isArray(header) ? header : [header ?? '']).flatMap((h) => h.split(',')).map((p) => p.trim());
  return SPDY_REMOTE_COMMAND_PROTOCOLS.find((p) => offered.includes(p));
}

export interface SpdySessionOptions extends RemoteCommandOptions {
  protocol: string;
  argv: string[];
  mode: 'exec' | 'attach';
  stdinOnce?: boolean;
  /** Starts the process once the streams are there; throws with a message when it cannot. */
  start(): Attachable;
}

/** Serves one remote-command session on an upgraded connection (the 101 is already written). */
export function serveSpdyRemoteCommand(transport: Duplex, opts: SpdySessionOptions): Promise<SessionEnd> {
  const v4 = opts.protocol.startsWith('v4.');
  const conn = spdyServer(transport);
  const streams = new Map<string, Any>();
  const wanted = ['error', ...(opts.stdin ? ['stdin'] : []), ...(opts.stdout ? ['stdout'] : []), ...(opts.stderr && !opts.tty ? ['stderr'] : []), ...(opts.tty ? ['resize'] : [])];
  const stats: SessionEnd = { bytesIn: 0, bytesOut: 0 };
  return new Promise<SessionEnd>((resolve) => {
    let started = false;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(stats);
      // the client closes the connection once it has read everything (flow control may still be draining the
      // streams); one that does not is cut after a while
      setTimeout(() => transport.destroy(), STREAM_WAIT_MS).unref();
    };
    const timer = setTimeout(() => finish(), STREAM_WAIT_MS);
    transport.once('close', finish);
    conn.on('error', () => transport.destroy());
    conn.on('stream', (stream: Any) => {
      const type = String(stream.headers?.streamtype ?? '');
      stream.respond(200, {});
      stream.on('error', () => undefined);
      streams.set(type, stream);
      if (type === 'resize' || type === 'error') stream.on('data', () => undefined);
      if (!started && wanted.every((w) => streams.has(w))) {
        started = true;
        clearTimeout(timer);
        run();
      }
    });

    const run = () => {
      const errorStream = streams.get('error');
      let proc: Attachable;
      try {
        proc = opts.start();
      } catch (err) {
        const message = (err as Error).message;
        errorStream.end(v4 ? JSON.stringify({ metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 }) : message);
        for (const [t, s] of streams) if (t !== 'error') s.end();
        finish();
        return;
      }
      const out = streams.get('stdout');
      const err = streams.get('stderr');
      const endStdin = () => {
        if (opts.mode === 'exec' || opts.stdinOnce) proc.stdin.end();
      };
      const write = (s: Any, d: Buffer) => {
        stats.bytesOut += d.length;
        s.write(d);
      };
      const tty = opts.tty
        ? new LineDiscipline({ echo: (d) => out && write(out, d), line: (d) => proc.stdin.writable && proc.stdin.write(d), eof: endStdin, interrupt: () => proc.kill('SIGINT') })
        : undefined;
      const stdin = streams.get('stdin');
      stdin?.on('data', (d: Buffer) => {
        stats.bytesIn += d.length;
        if (tty) tty.input(d);
        else if (proc.stdin.writable) proc.stdin.write(d);
      });
      stdin?.on('end', endStdin);
      const onOut = (d: Buffer) => out && write(out, opts.tty ? toTerminal(d) : d);
      const onErr = (d: Buffer) => (opts.tty ? onOut(d) : err && write(err, d));
      proc.stdout.on('data', onOut);
      proc.stderr.on('data', onErr);
      transport.once('close', () => {
        if (opts.mode === 'exec') proc.kill('SIGHUP');
        proc.stdout.off('data', onOut);
        proc.stderr.off('data', onErr);
      });
      void proc.exited.then(async (code) => {
        await Promise.all([proc.stdout, proc.stderr].map((s) => finished(s).catch(() => undefined)));
        if (done) return;
        stats.exitCode = code;
        if (v4) errorStream.write(JSON.stringify(exitStatus(code, opts.argv)));
        else if (code !== 0) errorStream.write(`command terminated with non-zero exit code: exit code ${code}`);
        for (const s of streams.values()) s.end();
        finish();
      });
    };
  });
}
