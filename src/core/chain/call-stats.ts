/**
 * Every gRPC call a process makes to its fullnode, counted and timed by method (one interceptor on the one chain
 * client, see client.ts). What a kubectl request costs in round trips to the node, and how long a process waits on
 * them, is read from here: `k3sdaas_chain_rpc_calls_total{method}` and `k3sdaas_chain_rpc_seconds_total{method}` on
 * the gateway's and nautilus's /metrics. Streams are timed until they end (SubscribeEvents: for as long as it lives).
 */
import { ReadCounter } from '../metrics.js';

interface MethodStats {
  calls: number;
  failures: number;
  seconds: number;
}

/** The part of protobuf-ts's RpcInterceptor used here (that package is the SDK's, not ours to import). */
interface Call {
  status: Promise<unknown>;
}
type Next<C> = (method: any, input: any, options: any) => C;
export interface ChainCallInterceptor {
  interceptUnary<C extends Call>(next: Next<C>, method: any, input: any, options: any): C;
  interceptServerStreaming<C extends Call>(next: Next<C>, method: any, input: any, options: any): C;
}

export class ChainCallStats {
  readonly #byMethod = new Map<string, MethodStats>();

  /** Records one finished call of `method` (e.g. `ListEvents`). */
  observe(method: string, seconds: number, ok: boolean): void {
    let s = this.#byMethod.get(method);
    if (!s) this.#byMethod.set(method, (s = { calls: 0, failures: 0, seconds: 0 }));
    s.calls++;
    s.seconds += seconds;
    if (!ok) s.failures++;
  }

  snapshot(): Record<string, Readonly<MethodStats>> {
    return Object.fromEntries([...this.#byMethod].map(([m, s]) => [m, { ...s }]));
  }

  /** An interceptor timing each call from its start until its status (or failure) is known. */
  interceptor(): ChainCallInterceptor {
    const timed = <C extends Call>(next: Next<C>, method: any, input: any, options: any): C => {
      const t = performance.now();
      const call = next(method, input, options);
      const name = String(method?.name ?? 'unknown');
      call.status.then(
        () => this.observe(name, (performance.now() - t) / 1000, true),
        () => this.observe(name, (performance.now() - t) / 1000, false),
      );
      return call;
    };
    return { interceptUnary: timed, interceptServerStreaming: timed };
  }

  /** The Prometheus counters by method: calls, failures, seconds waited. */
  metrics(): ReadCounter[] {
    const rows = (pick: (s: MethodStats) => number) => () => [...this.#byMethod].map(([method, s]) => ({ labels: { method }, value: pick(s) }));
    return [
      new ReadCounter('k3sdaas_chain_rpc_calls_total', 'gRPC calls made to the Sui fullnode, by method', rows((s) => s.calls)),
      new ReadCounter('k3sdaas_chain_rpc_failures_total', 'gRPC calls to the Sui fullnode that failed, by method', rows((s) => s.failures)),
      new ReadCounter('k3sdaas_chain_rpc_seconds_total', 'Seconds spent waiting on gRPC calls to the Sui fullnode, by method (concurrent calls add up)', rows((s) => s.seconds)),
    ];
  }
}

/** This process's calls (every ChainClient made by createChainClient reports here). */
export const chainCalls = new ChainCallStats();
