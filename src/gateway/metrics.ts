/** Prometheus metrics of a gateway or kubectl-proxy. */
import { chainCalls } from '../core/chain/call-stats.js';
import { Counter, Gauge, Histogram, ReadCounter, renderMetrics } from '../core/metrics.js';

export class GatewayMetrics {
  readonly requests = new Counter('k3sdaas_gateway_requests_total', 'kubectl requests by verb and outcome', ['verb', 'outcome']);
  /** phase: chain = submit transaction, answer = waiting for the enclave's answer on chain, total. */
  readonly seconds = new Histogram('k3sdaas_gateway_request_seconds', 'Request latency by phase', ['phase']);
  readonly followerLag: Gauge;
  readonly followerReconnects: Gauge;
  /** Submit transactions and the kubectl requests they carried: calls per transaction is the batching. */
  readonly batched: ReadCounter;

  constructor(follower: { lagCheckpoints: number; reconnects: number }, batching: () => { batches: number; items: number } | undefined = () => undefined) {
    this.batched = new ReadCounter('k3sdaas_gateway_submit_batched_total', 'Submit transactions sent (what="transactions") and the requests they carried (what="calls")', () => {
      const b = batching();
      return b ? [{ labels: { what: 'transactions' }, value: b.batches }, { labels: { what: 'calls' }, value: b.items }] : [];
    });
    this.followerLag = new Gauge('k3sdaas_gateway_follower_lag_checkpoints', 'Checkpoints the chain follower is behind the node', () => follower.lagCheckpoints);
    this.followerReconnects = new Gauge('k3sdaas_gateway_follower_reconnects', 'Chain follower reconnects since start', () => follower.reconnects);
  }

  render(): string {
    return renderMetrics([this.requests, this.seconds, this.followerLag, this.followerReconnects, this.batched, ...chainCalls.metrics()]);
  }
}
