/** The one way k3sdaas talks to Sui: the SDK's gRPC client (gRPC-web), for localnet and public networks alike. */
import { SuiGrpcClient } from '@mysten/sui/grpc';
import type { NetworkEndpoints } from '../config/networks.js';
import { chainCalls } from './call-stats.js';

export type ChainClient = SuiGrpcClient;

export function createChainClient(network: NetworkEndpoints | { rpcUrl: string; name?: string }): ChainClient {
  const name = network.name && network.name !== 'custom' ? network.name : 'localnet';
  // Every call is counted and timed by method (call-stats.ts): round trips per request, on /metrics. Binary
  // gRPC-web (application/grpc-web+proto), not the SDK's default text form: no base64 of every frame each way.
  return new SuiGrpcClient({ baseUrl: network.rpcUrl, network: name as 'localnet', format: 'binary', interceptors: [chainCalls.interceptor()] });
}
