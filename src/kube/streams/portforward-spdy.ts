/**
 * pods/portforward as kubectl 1.32 speaks it: SPDY/3.1 (the spdy-transport library) carrying, per forwarded
 * connection, a pair of streams the client opens with headers `streamType: error|data`, `port`, `requestID`; the
 * data stream is relayed to the container's port, a failure is written on the error stream. The SPDY session runs
 * either on the upgraded HTTP connection (`Upgrade: SPDY/3.1`) or tunnelled in the binary messages of a WebSocket
 * (subprotocol `SPDY/3.1+portforward.k8s.io`, what kubectl tries first).
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import spdy from 'spdy-transport';
import type { SimContainer } from '../containers/container.js';

export const SPDY_PORTFORWARD_TUNNEL = 'SPDY/3.1+portforward.k8s.io';
export const PORTFORWARD_V1 = 'portforward.k8s.io';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/**
 * spdy-transport parses SPDY for HTTP and refuses a SYN_STREAM without `:method`/`:path`; Kubernetes' streams
 * (moby/spdystream) carry only their own headers. Name-value blocks without them get a neutral `:method`/`:path`
 * so the library accepts the stream; nothing else of the parser changes.
 */
let patched = false;
export function acceptStreamsWithoutHttpHeaders(): void {
  if (patched) return;
  patched = true;
  // the Parser class is not exported: its prototype is the one of the instances create() makes
  const proto = Object.getPrototypeOf((spdy as Any).protocol.spdy.parser.create({}));
  const parseKVs = proto.parseKVs;
  proto.parseKVs = function (this: unknown, buffer: unknown, callback: (err: Error | null, headers?: Record<string, string>) => void) {
    parseKVs.call(this, buffer, (err: Error | null, headers?: Record<string, string>) => {
      if (!err && headers && headers.streamtype !== undefined) {
        headers[':method'] ??= 'POST';
        headers[':path'] ??= '/';
      }
      callback(err, headers);
    });
  };
}

/**
 * A server-side SPDY/3.1 session on `transport`. Kubernetes' SPDY peer (moby/spdystream) never sends WINDOW_UPDATE
 * and the kubelet does not hold its writes to a window, so the send windows (session and per stream) are opened
 * fully: spdy-transport would otherwise stall every stream after its first 64 KiB.
 */
export function spdyServer(transport: Duplex): Any {
  acceptStreamsWithoutHttpHeaders();
  const conn = (spdy as Any).connection.create(transport, { protocol: 'spdy', isServer: true });
  conn.start(3.1);
  const OPEN = 2 ** 31 - 1;
  conn._spdyState.window.send.updateMax(OPEN);
  conn.on('stream', (stream: Any) => stream._spdyState.window.send.updateMax(OPEN));
  return conn;
}

export interface ForwardStats {
  bytesIn: number;
  bytesOut: number;
}

/** Serves one SPDY port-forward session on `transport` until it closes. */
export function serveSpdyPortForward(transport: Duplex, container: () => SimContainer | undefined): Promise<ForwardStats> {
  const stats: ForwardStats = { bytesIn: 0, bytesOut: 0 };
  const conn = spdyServer(transport);
  const errors = new Map<string, Any>();
  const sockets = new Set<Socket>();
  conn.on('stream', (stream: Any) => {
    const h: Record<string, string> = stream.headers ?? {};
    const type = h.streamtype;
    const port = Number(h.port);
    const id = h.requestid ?? '';
    stream.respond(200, {});
    if (type === 'error') {
      errors.set(id, stream);
      stream.on('data', () => undefined);
      stream.on('error', () => undefined);
      return;
    }
    if (type !== 'data') {
      stream.end();
      return;
    }
    const fail = (message: string) => {
      const e = errors.get(id);
      if (e) e.end(message);
      stream.end();
    };
    stream.on('error', () => undefined);
    const c = container();
    if (!c) return fail(`error forwarding port ${port} to pod: container not running`);
    c.connect(port).then(
      (sock) => {
        sockets.add(sock);
        sock.on('data', (d: Buffer) => {
          stats.bytesOut += d.length;
          stream.write(d);
        });
        sock.on('end', () => stream.end());
        sock.on('error', () => stream.end());
        sock.on('close', () => sockets.delete(sock));
        stream.on('data', (d: Buffer) => {
          stats.bytesIn += d.length;
          sock.write(d);
        });
        stream.on('end', () => sock.end());
      },
      (err: Error) =>
        fail(`error forwarding port ${port} to pod ${c.spec.name}, uid : failed to execute portforward in network namespace: failed to connect to localhost:${port} inside namespace: ${err.message}`),
    );
  });
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      for (const s of sockets) s.destroy();
      resolve(stats);
    };
    transport.once('close', finish);
    transport.once('end', finish);
    transport.once('error', finish);
    conn.once('close', finish);
    // a protocol error ends the session (the socket closes with it)
    conn.on('error', () => transport.destroy());
  });
}
