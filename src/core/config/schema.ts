/**
 * Every configuration key, its environment variable, whether it is secret, and its validator. Keys are dotted
 * paths; the YAML file may nest them (`gateway: { listen: ... }`) or write them flat.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { resolveNetwork } from './networks.js';

export interface KeySpec {
  key: string;
  env: string;
  description: string;
  secret?: boolean;
  default?: () => string | undefined;
  /** Returns an error message, or undefined when the value is valid. */
  validate?: (value: string) => string | undefined;
}

const hexId = (v: string) => (/^0x[0-9a-fA-F]{1,64}$/.test(v) ? undefined : 'must be a 0x-prefixed hex object id');
const oneOf = (...allowed: string[]) => (v: string) =>
  allowed.includes(v) ? undefined : `must be one of ${allowed.join(', ')}`;
const url = (v: string) => {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : 'must be an http(s) URL';
  } catch {
    return 'must be an http(s) URL';
  }
};
const hostPort = (v: string) =>
  /^[^\s:]+:\d{1,5}$/.test(v) && Number(v.split(':').pop()) <= 65535 ? undefined : 'must be host:port';

export const CONFIG_KEYS: KeySpec[] = [
  {
    key: 'network',
    env: 'K3SDAAS_NETWORK',
    description: 'localnet, devnet, testnet, mainnet, or a gRPC URL',
    default: () => 'localnet',
    validate: (v) => (resolveNetwork(v) ? undefined : 'must be localnet, devnet, testnet, mainnet or an http(s) URL'),
  },
  { key: 'rpcUrl', env: 'K3SDAAS_RPC_URL', description: 'overrides the network gRPC URL', validate: url },
  { key: 'faucetUrl', env: 'K3SDAAS_FAUCET_URL', description: 'overrides the network faucet URL', validate: url },
  { key: 'packageId', env: 'K3SDAAS_PACKAGE_ID', description: 'K3s-DaaS package id to call (the latest version after upgrades)', validate: hexId },
  {
    key: 'originalPackageId',
    env: 'K3SDAAS_ORIGINAL_PACKAGE_ID',
    description: 'K3s-DaaS package id at first publish: event and object types keep it across upgrades (default: packageId)',
    validate: hexId,
  },
  { key: 'clusterId', env: 'K3SDAAS_CLUSTER_ID', description: 'Cluster object id', validate: hexId },
  {
    key: 'keystore',
    env: 'K3SDAAS_KEYSTORE',
    description: 'Sui CLI keystore (with client.yaml beside it naming the active address)',
    default: () => join(homedir(), '.sui', 'sui_config', 'sui.keystore'),
  },
  {
    key: 'address',
    env: 'K3SDAAS_ADDRESS',
    description: 'which keystore address to use (default: client.yaml active_address)',
    validate: (v) => (/^0x[0-9a-fA-F]{64}$/.test(v) ? undefined : 'must be a 0x-prefixed 64-hex Sui address'),
  },
  { key: 'keyFile', env: 'K3SDAAS_KEY_FILE', description: 'file holding one suiprivkey1… private key' },
  { key: 'sealToken', env: 'K3SDAAS_SEAL_TOKEN', description: 'SealToken that kubectl-proxy and `kubectl daas` submit with (when you hold several)', validate: hexId },
  {
    key: 'requestWarnings',
    env: 'K3SDAAS_REQUEST_WARNINGS',
    description: 'whether the gateway and kubectl-proxy add `Warning: k3sdaas request 0x…` to every answer (true or false)',
    default: () => 'true',
    validate: oneOf('true', 'false'),
  },
  {
    key: 'privateKey',
    env: 'K3SDAAS_PRIVATE_KEY',
    description: 'a suiprivkey1… private key (prefer keyFile or the keystore)',
    secret: true,
    validate: (v) => (v.startsWith('suiprivkey1') ? undefined : 'must be a bech32 suiprivkey1… key'),
  },
  {
    key: 'dataDir',
    env: 'K3SDAAS_DATA_DIR',
    description: 'where k3sdaas keeps state (journals, keys, certificates)',
    default: () => join(homedir(), '.k3sdaas'),
  },
  {
    key: 'logLevel',
    env: 'K3SDAAS_LOG_LEVEL',
    description: 'debug, info, warn or error',
    default: () => 'info',
    validate: oneOf('debug', 'info', 'warn', 'error'),
  },
  {
    key: 'gateway.listen',
    env: 'K3SDAAS_GATEWAY_LISTEN',
    description: 'gateway HTTPS listen address',
    default: () => '127.0.0.1:6443',
    validate: hostPort,
  },
  { key: 'gateway.url', env: 'K3SDAAS_GATEWAY_URL', description: 'public URL of the gateway', validate: url },
  {
    key: 'nautilus.kubeconfig',
    env: 'K3SDAAS_KUBECONFIG',
    description: 'kubeconfig of the cluster nautilus forwards to',
  },
];

export function keySpec(key: string): KeySpec | undefined {
  return CONFIG_KEYS.find((k) => k.key === key);
}
