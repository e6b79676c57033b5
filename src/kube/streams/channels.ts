/**
 * The Kubernetes channel protocols over WebSocket (`v5.channel.k8s.io` … `channel.k8s.io`, and the base64 variants):
 * each message is one channel's data, prefixed by the channel number (a byte, or an ASCII digit with a base64 body).
 * Framing itself is the `ws` library's.
 */
import type { WebSocket } from 'ws';

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
/** v5: the client's "this channel is closed" signal, `[255, channel]`. */
export const CLOSE = 255;

/** Subprotocols served, best first (kubectl 1.32 offers only v5; older clients such as client-node ask for v4). */
export const CHANNEL_PROTOCOLS = [
  'v5.channel.k8s.io',
  'v4.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
  'v4.base64.channel.k8s.io',
  'v3.base64.channel.k8s.io',
  'v2.base64.channel.k8s.io',
  'base64.channel.k8s.io',
] as const;

export interface ChannelProtocol {
  name: string;
  /** 1..5 */
  version: number;
  base64: boolean;
}

export function parseChannelProtocol(name: string): ChannelProtocol | undefined {
  const m = /^(?:v(\d)\.)?(base64\.)?channel\.k8s\.io$/.exec(name);
  if (!m) return undefined;
  return { name, version: m[1] ? Number(m[1]) : 1, base64: !!m[2] };
}

/** The server's pick among the client's offered subprotocols (the first the client lists that is served). */
export function selectProtocol(offered: Iterable<string>, served: readonly string[] = CHANNEL_PROTOCOLS): string | false {
  for (const p of offered) if (served.includes(p)) return p;
  return false;
}

/** One side of a channel connection: frames out, demultiplexed frames in. */
export class ChannelSocket {
  constructor(
    readonly ws: WebSocket,
    readonly protocol: ChannelProtocol,
  ) {}

  send(channel: number, data: Buffer | string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (this.protocol.base64) this.ws.send(`${String.fromCharCode(48 + channel)}${bytes.toString('base64')}`);
    else this.ws.send(Buffer.concat([Buffer.from([channel]), bytes]));
  }

  /** Calls `fn(channel, data)` for every frame the client sends (empty frames included). */
  onFrame(fn: (channel: number, data: Buffer) => void): void {
    this.ws.on('message', (raw, isBinary) => {
      const buf = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw as ArrayBuffer);
      if (buf.length === 0) return;
      if (this.protocol.base64 && !isBinary) {
        const text = buf.toString('utf8');
        fn(text.charCodeAt(0) - 48, Buffer.from(text.slice(1), 'base64'));
      } else {
        fn(buf[0], buf.subarray(1));
      }
    });
  }

  close(code = 1000, reason = ''): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
  }
}
