/**
 * Shared setup for the end-to-end tests: users with a SealToken of a chosen role and stake (fresh faucet-funded
 * keys), environments for the built CLI that never touch the real ~/.k3sdaas, and reads of the embedded
 * Kubernetes store.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import type { RoleName } from '../../src/core/abi/package.js';
import { TransactionExecutor } from '../../src/core/chain/index.js';
import { stakeForToken } from '../../src/core/cluster-admin.js';
import { credentialToToken, signCredential } from '../../src/core/credential.js';
import type { Sandbox } from '../../src/dev/sandbox.js';
import { decodeEvent, type RequestSubmitted } from '../../src/core/events/index.js';
import { resourceForKind, type KubeObject } from '../../src/kube/index.js';
import { writeKubeconfig } from './kubectl.js';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `k3sdaas-${prefix}-`));
}

export interface TestUser {
  keypair: Ed25519Keypair;
  address: string;
  tokenId: string;
}

/** A fresh key, funded by the localnet faucet. */
export async function fundedKey(sb: Sandbox): Promise<Ed25519Keypair> {
  const keypair = new Ed25519Keypair();
  await requestSuiFromFaucetV2({ host: sb.localnet.faucetUrl, recipient: keypair.toSuiAddress() });
  return keypair;
}

/** The sandbox's one executor for the operator's key (grants need the ClusterAdminCap; a second executor for the
 * same key would race nautilus for the same gas coins). */
export function operatorExecutor(sb: Sandbox): TransactionExecutor {
  return sb.operatorExecutor;
}

const caps = new Map<string, string>();
/** Registers the ClusterAdminCap of a cluster other than the sandbox's (created by the sandbox operator). */
export function rememberCap(clusterId: string, capId: string): void {
  caps.set(clusterId, capId);
}
function capOf(clusterId: string): string {
  const cap = caps.get(clusterId);
  if (!cap) throw new Error(`no ClusterAdminCap known for ${clusterId}: call rememberCap first`);
  return cap;
}

/** A fresh faucet-funded user holding one SealToken of `role` with `stakeMist` staked in `clusterId`. */
export async function stakedUser(sb: Sandbox, role: RoleName, stakeMist: bigint, clusterId = sb.clusterId): Promise<TestUser> {
  const keypair = await fundedKey(sb);
  const operator = { executor: operatorExecutor(sb), capId: clusterId === sb.clusterId ? sb.capId : capOf(clusterId) };
  const staked = await stakeForToken(new TransactionExecutor(sb.client, keypair), sb.packageId, clusterId, stakeMist, role, operator);
  return { keypair, address: keypair.toSuiAddress(), tokenId: staked.tokenId };
}

/** Environment for the built CLI (and for kubectl exec plugins it configures): HOME in a temp dir, chain by URL. */
export function cliEnv(sb: Sandbox, keypair: Ed25519Keypair, home = tempDir('home')): NodeJS.ProcessEnv {
  return {
    HOME: home,
    K3SDAAS_CONFIG: join(home, '.k3sdaas', 'config.yaml'),
    K3SDAAS_DATA_DIR: join(home, '.k3sdaas'),
    K3SDAAS_NETWORK: sb.localnet.rpcUrl,
    K3SDAAS_PACKAGE_ID: sb.packageId,
    K3SDAAS_CLUSTER_ID: sb.clusterId,
    K3SDAAS_PRIVATE_KEY: keypair.getSecretKey(),
    K3SDAAS_LOG_LEVEL: 'warn',
    KUBECONFIG: join(home, '.kube', 'config'),
  };
}

/** A k3sdaas config file (what a user would keep in ~/.k3sdaas/config.yaml) under `home`. */
export function writeUserConfig(home: string, values: Record<string, string>): string {
  const dir = join(home, '.k3sdaas');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'config.yaml');
  writeFileSync(file, Object.entries(values).map(([k, v]) => `${k}: "${v}"`).join('\n') + '\n', { mode: 0o600 });
  return file;
}

/** A kubeconfig with a static bearer credential signed by `user` for the sandbox gateway. */
export async function credentialKubeconfig(
  sb: Sandbox,
  user: { keypair: Ed25519Keypair; tokenId: string },
  o: { expiresMs?: number; clusterId?: string } = {},
): Promise<string> {
  const signed = await signCredential(user.keypair, {
    clusterId: o.clusterId ?? sb.clusterId,
    gateway: sb.gatewayAddress,
    tokenId: user.tokenId,
    expiresMs: BigInt(o.expiresMs ?? Date.now() + 600_000),
  });
  return writeKubeconfig(sb.gatewayUrl, sb.tls.caPem, { token: credentialToToken(signed) });
}

/** An object as the embedded Kubernetes API holds it (undefined when absent). */
export function stored(sb: Sandbox, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
  return sb.kube!.store.get(resourceForKind(kind), namespace, name);
}

/** The newest RequestSubmitted events of the sandbox cluster, newest first. */
export async function recentRequests(sb: Sandbox, limit = 20): Promise<RequestSubmitted[]> {
  const page = await sb.client.core.listEvents({ filter: { emitModule: `${sb.packageId}::request` }, order: 'descending', limit });
  const out: RequestSubmitted[] = [];
  for (const e of page.events) {
    const ev = decodeEvent(e, { packageId: sb.packageId });
    if (ev?.$kind === 'RequestSubmitted' && ev.clusterId === sb.clusterId) out.push(ev);
  }
  return out;
}
