/** Prometheus metrics of the enclave host (text exposition format). */
import { chainCalls } from '../core/chain/call-stats.js';
import { Histogram, Counter, renderMetrics } from '../core/metrics.js';

export class NautilusMetrics {
  readonly executions = new Counter('k3sdaas_nautilus_requests_total', 'Requests executed, by method and status', ['method', 'status']);
  readonly executionSeconds = new Histogram('k3sdaas_nautilus_execution_seconds', 'Time the kube-apiserver took per request', []);

  observeExecution(method: string, status: number, seconds: number): void {
    this.executions.inc({ method, status: String(status) });
    this.executionSeconds.observe({}, seconds);
  }

  render(extra: string[] = []): string {
    return renderMetrics([this.executions, this.executionSeconds, ...chainCalls.metrics()]) + extra.join('\n') + (extra.length ? '\n' : '');
  }
}
