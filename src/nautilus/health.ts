/** The enclave host's health endpoints: /healthz, /readyz (follower caught up, apiserver reachable), /metrics. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeForwarder } from '../core/kube/index.js';
import type { GasPoolHealth } from '../core/chain/index.js';
import type { NautilusService } from './service.js';

/** The gas pool of the key that answers, as gauges (coins in the pool, lowest and total balance, refills). */
function gasLines(gas: { health(): GasPoolHealth } | undefined): string[] {
  if (!gas) return [];
  const h = gas.health();
  const gauge = (name: string, help: string, value: bigint | number) => [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${value}`];
  return [
    ...gauge('k3sdaas_nautilus_gas_pool_coins', 'Coins in the gas pool (free and in use)', h.coins),
    ...gauge('k3sdaas_nautilus_gas_pool_lowest_mist', 'Balance of the poorest pool coin', h.lowest < 0n ? 0n : h.lowest),
    ...gauge('k3sdaas_nautilus_gas_pool_mist', 'Balance of all pool coins', h.pooled),
    ...gauge('k3sdaas_nautilus_gas_pool_refills', 'Gas pool refills (merge + split transactions) since start', h.refills),
  ];
}

export async function serveNautilusHealth(o: {
  service: NautilusService;
  forwarder: KubeForwarder;
  host: string;
  port: number;
  gas?: { health(): GasPoolHealth };
}): Promise<{ url: string; close(): Promise<void> }> {
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
      '# HELP k3sdaas_nautilus_respond_batched_total Respond transactions sent (what="transactions") and the answers they carried (what="calls")',
      '# TYPE k3sdaas_nautilus_respond_batched_total counter',
      `k3sdaas_nautilus_respond_batched_total{what="transactions"} ${o.service.batching.batches}`,
      `k3sdaas_nautilus_respond_batched_total{what="calls"} ${o.service.batching.items}`,
      ...gasLines(o.gas),
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
