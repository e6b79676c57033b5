/** Known Sui networks and their public gRPC (gRPC-web) and faucet endpoints. */
export interface NetworkEndpoints {
  name: string;
  rpcUrl: string;
  faucetUrl?: string;
}

export const NETWORKS: Record<string, NetworkEndpoints> = {
  localnet: { name: 'localnet', rpcUrl: 'http://127.0.0.1:9000', faucetUrl: 'http://127.0.0.1:9123' },
  devnet: { name: 'devnet', rpcUrl: 'https://fullnode.devnet.sui.io:443', faucetUrl: 'https://faucet.devnet.sui.io' },
  testnet: { name: 'testnet', rpcUrl: 'https://fullnode.testnet.sui.io:443', faucetUrl: 'https://faucet.testnet.sui.io' },
  mainnet: { name: 'mainnet', rpcUrl: 'https://fullnode.mainnet.sui.io:443' },
};

/** Resolves `localnet|devnet|testnet|mainnet` or an http(s) URL; returns undefined for anything else. */
export function resolveNetwork(value: string): NetworkEndpoints | undefined {
  const known = NETWORKS[value];
  if (known) return known;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return { name: 'custom', rpcUrl: value.replace(/\/+$/, '') };
  } catch {
    return undefined;
  }
}
