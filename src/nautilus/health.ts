/** The enclave host's health endpoints: /healthz, /readyz (follower caught up, apiserver reachable), /metrics. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeForwarder } from '../core/kube/index.js';
import type { NautilusService } from './service.js';

export async function serveNautilusHealth(o: { service: NautilusService; forwarder: KubeForwarder; host: string; port: number }): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const text = (code: number, body: string, type = 'text/plain') => {
      res.writeHead(code, { 'content-type': type });
      res.end(body);
    };
    if (path === '/healthz' || path === '/livez') return text(200, 'ok');
    if (path === '/metrics') return text(200, o.service.metrics.render([
      '# HELP k3sdaas_nautilus_follower_lag_checkpoints Checkpoints the chain follower is behind the node',
      '# TYPE k3sdaas_nautilus_follower_lag_checkpoints gauge',
      `k3sdaas_nautilus_follower_lag_checkpoints ${o.service.follower?.lagCheckpoints ?? 0}`,
      '# HELP k3sdaas_nautilus_follower_reconnects Chain follower reconnects since start',
      '# TYPE k3sdaas_nautilus_follower_reconnects gauge',
      `k3sdaas_nautilus_follower_reconnects ${o.service.follower?.reconnects ?? 0}`,
    ]), 'text/plain; version=0.0.4');
    if (path === '/readyz') {
      void (async () => {
        if (!o.service.follower?.caughtUp) return text(503, 'not ready: chain follower catching up');
        try {
          const r = await o.forwarder.forward({ method: 'GET', url: '/version', headers: [], body: new Uint8Array() }, { user: 'k3sdaas:nautilus', groups: [] });
          return r.status < 500 ? text(200, 'ok') : text(503, `not ready: apiserver answered ${r.status}`);
        } catch (err) {
          return text(503, `not ready: ${(err as Error).message}`);
        }
      })();
      return;
    }
    text(404, 'not found');
  });
  await new Promise<void>((r) => server.listen(o.port, o.host, r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://${o.host}:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}
