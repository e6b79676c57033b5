/**
 * pods/portforward over WebSocket with the channel protocols (as the kubelet's websocket port-forward serves them:
 * `?ports=A,B`, channels 2i data and 2i+1 error for the i-th port; v4 sends each channel's port number, uint16
 * little-endian, as its first frame). Each port is relayed to the simulated container's listener for it.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { SimContainer } from '../containers/container.js';
import { ChannelSocket, parseChannelProtocol } from './channels.js';

export async function servePortForward(ws: WebSocket, ports: number[], container: () => SimContainer | undefined): Promise<{ bytesIn: number; bytesOut: number }> {
  const protocol = parseChannelProtocol(ws.protocol) ?? { name: '', version: 1, base64: false };
  const sock = new ChannelSocket(ws, protocol);
  const stats = { bytesIn: 0, bytesOut: 0 };
  const conns = new Map<number, Promise<Socket | undefined>>();
  const portHeader = (p: number) => Buffer.from([p & 0xff, p >> 8]);
  ports.forEach((port, i) => {
    if (protocol.version >= 4) {
      sock.send(2 * i, portHeader(port));
      sock.send(2 * i + 1, portHeader(port));
    }
    const c = container();
    const conn = (c ? c.connect(port) : Promise.reject(new Error('container not running'))).then(
      (s) => {
        s.on('data', (d: Buffer) => {
          stats.bytesOut += d.length;
          sock.send(2 * i, d);
        });
        s.on('error', () => undefined);
        return s;
      },
      (err: Error) => {
        sock.send(2 * i + 1, `error forwarding port ${port} to pod: ${err.message}`);
        return undefined;
      },
    );
    conns.set(i, conn);
  });
  sock.onFrame((channel, data) => {
    const i = channel >> 1;
    if (channel % 2 !== 0 || !conns.has(i)) return;
    stats.bytesIn += data.length;
    void conns.get(i)!.then((s) => s?.write(data));
  });
  await new Promise<void>((resolve) => ws.once('close', () => resolve()));
  for (const c of conns.values()) void c.then((s) => s?.destroy());
  return stats;
}
