/**
 * The whole system on one machine: localnet, a debug cluster, the embedded Kubernetes API (or a real cluster's
 * kubeconfig), nautilus and the gateway — each started through the same production code paths, talking over real
 * sockets (gRPC-web to localnet, HTTPS to the gateway, HTTP(S) to the apiserver). `k3sdaas dev` and the end-to-end
 * tests both use it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Keypair } from '@mysten/sui/cryptography';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { createChainClient, memoryCursorStore, fileCursorStore, TransactionExecutor, type ChainClient } from '../core/chain/index.js';
import { objectContent } from '../core/chain/objects.js';
import { createCluster, registerGateway, stakeForToken, MIST_PER_SUI } from '../core/cluster-admin.js';
import { KubeForwarder, loadKubeConfig } from '../core/kube/index.js';
import { silentLogger, type Logger } from '../core/log.js';
import { startKubeApi, type KubeApi } from '../kube/index.js';
import { startLocalnet, DEV_ACCOUNTS, type FullnodeBehaviour, type Localnet } from '../localnet/index.js';
import { generateEnclaveKey } from '../nautilus/enclave-key.js';
import { Journal } from '../nautilus/journal.js';
import { NautilusService } from '../nautilus/service.js';
import { SessionHub } from '../nautilus/sessions.js';
import { SessionRecorder } from '../nautilus/session-recorder.js';
import { SessionRevoker } from '../nautilus/session-revoker.js';
import { SessionLimit } from '../nautilus/session-limit.js';
import { generatedTokenSource, JoinTokenIssuer } from '../nautilus/join-tokens.js';
import type { KubeFrontend } from '../gateway/frontend.js';
import type { RequestTracker } from '../gateway/tracker.js';
import { serveKubeFrontend } from '../gateway/serve.js';
import { GatewaySubmitter, ProxySubmitter, newProxySecret } from '../gateway/submitters.js';
import { createTlsMaterial, ensureTlsMaterial, type TlsMaterial } from '../gateway/tls.js';
import { HttpBlobStore, serveBlobs } from '../core/blobs/index.js';

export interface SandboxOptions {
  /** Persistent state (localnet ledger, nautilus journal, TLS, ids); omitted = everything in memory. */
  dataDir?: string;
  rpcPort?: number;
  faucetPort?: number;
  gatewayPort?: number;
  checkpointMs?: number;
  /** Forward to a real cluster instead of the embedded Kubernetes API. */
  kubeconfig?: string;
  /** Start a kubectl-proxy for the dev user as well (port 0 = any). */
  proxyPort?: number | null;
  requestTimeoutMs?: bigint;
  /** The new cluster's stake lock (default 60 s; tests of unstaking use 0). */
  stakeLockMs?: bigint;
  /** Longest a streaming session (watch, log follow) lasts (ms). */
  maxSessionMs?: number;
  /** Per-request `Warning: k3sdaas request 0x…` on answers (default true). */
  requestWarnings?: boolean;
  logger?: Logger;
  /** Upgrade the package before anything starts: every component calls the new id and follows the original. */
  upgraded?: boolean;
  /** localnet behaves like a fullnode (answers at finality, scan limits, watermark-only frames, pruning). */
  fullnode?: FullnodeBehaviour;
  /**
   * Fresh operator and gateway keys whose accounts start as a long-running one does: `smallCoins` coins of
   * `smallMist` (dust) and one coin of `largeMist`, funded from a dev account (default: the dev accounts as they are).
   */
  signerCoins?: { smallCoins: number; smallMist: bigint; largeMist: bigint };
  /**
   * A localnet already running elsewhere (e.g. in another process, so its ledger does not count in this one's
   * memory). Then `Sandbox.localnet` is only a handle: rpcUrl, faucetUrl, packageId and a no-op stop.
   */
  remoteLocalnet?: { rpcUrl: string; faucetUrl: string; packageId: string };
  /** Transactions in flight per signer (pool coins; default 4). */
  signerConcurrency?: number;
}

export interface SandboxUser {
  name: string;
  keypair: Keypair;
  address: string;
  tokenId: string;
}

export interface Sandbox {
  localnet: Localnet;
  client: ChainClient;
  kube: KubeApi | null;
  /** The package id calls go to (the upgraded one with `upgraded`). */
  packageId: string;
  /** The original package id (event and object types). */
  originalPackageId: string;
  clusterId: string;
  capId: string;
  gatewayUrl: string;
  gatewayAddress: string;
  proxyUrl: string | null;
  /** Bearer token the sandbox's kubectl-proxy accepts. */
  proxySecret: string;
  tls: TlsMaterial;
  operator: Keypair;
  /** The one executor for the operator's key (nautilus answers with it): others signing with that key must use it. */
  operatorExecutor: TransactionExecutor;
  user: SandboxUser;
  nautilus: NautilusService;
  /** nautilus's client of the Kubernetes API. */
  forwarder: KubeForwarder;
  sessions: SessionHub;
  sessionRecorder: SessionRecorder;
  /** Issues join tokens to workers (`k3sdaas worker join`) and marks silent ones inactive. */
  joinTokens: JoinTokenIssuer;
  gateway: KubeFrontend;
  /** The gateway's submitter, tracker and executor (for harnesses that drive them without HTTP). */
  gatewaySubmitter: GatewaySubmitter;
  gatewayTracker: RequestTracker;
  gatewayExecutor: TransactionExecutor;
  stop(): Promise<void>;
}

interface SavedIds {
  clusterId: string;
  capId: string;
  tokenId: string;
  apiUrl: string;
}

function embeddedKubeConfig(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'k3sdaas-embedded', server: url, skipTLSVerify: url.startsWith('http:') }],
    users: [{ name: 'nautilus' }],
    contexts: [{ name: 'k3sdaas-embedded', cluster: 'k3sdaas-embedded', user: 'nautilus' }],
    currentContext: 'k3sdaas-embedded',
  });
  return kc;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const log = options.logger ?? silentLogger;
  const dir = options.dataDir;
  if (dir) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err) => log.warn('stop failed', { error: err }));
  };
  try {
    const remote = options.remoteLocalnet;
    const localnet = remote ? ({ ...remote, stop: async () => undefined } as unknown as Localnet) : await startLocalnet({
      port: options.rpcPort ?? 0,
      faucetPort: options.faucetPort ?? 0,
      dataDir: dir ? join(dir, 'localnet') : undefined,
      ephemeral: !dir,
      checkpointMs: options.checkpointMs ?? 250,
      logger: log.child({ component: 'localnet' }),
      fullnode: options.fullnode,
    });
    stops.push(() => localnet.stop());
    const client = createChainClient({ rpcUrl: localnet.rpcUrl });
    const originalPackageId = localnet.packageId;
    const packageId = options.upgraded ? (localnet.chain.pkg.upgrades?.at(-1) ?? localnet.upgradePackage()) : originalPackageId;
    const userKey = DEV_ACCOUNTS[2].keypair;
    let operator: Keypair = DEV_ACCOUNTS[0].keypair;
    let gatewayKey: Keypair = DEV_ACCOUNTS[1].keypair;
    if (options.signerCoins) {
      const { smallCoins, smallMist, largeMist } = options.signerCoins;
      [operator, gatewayKey] = [Ed25519Keypair.generate(), Ed25519Keypair.generate()];
      for (const key of [operator, gatewayKey]) {
        const tx = new Transaction();
        const parts = tx.splitCoins(tx.gas, [...Array.from({ length: smallCoins }, () => smallMist), largeMist]);
        tx.transferObjects(Array.from({ length: smallCoins + 1 }, (_, i) => parts[i]!), key.toSuiAddress());
        const res = await client.signAndExecuteTransaction({ transaction: tx, signer: DEV_ACCOUNTS[3].keypair, include: { effects: true } });
        await client.core.waitForTransaction({ digest: (res.Transaction ?? res.FailedTransaction)!.digest });
      }
    }
    const operatorTx = new TransactionExecutor(client, operator);
    const userTx = new TransactionExecutor(client, userKey);
    const gatewayTx = new TransactionExecutor(client, gatewayKey);
    // Several requests in flight at once: the gateway and nautilus each pay from a pool of their own coins.
    const inFlight = options.signerConcurrency ?? 4;
    await Promise.all([operatorTx.enableConcurrency(inFlight), gatewayTx.enableConcurrency(inFlight), userTx.enableConcurrency(4)]);

    let kube: KubeApi | null = null;
    let kubeconfig: KubeConfig;
    if (options.kubeconfig) {
      kubeconfig = loadKubeConfig(options.kubeconfig);
    } else {
      // RBAC enforced as on a real cluster: nautilus connects as the server's own identity and impersonates requesters
      kube = await startKubeApi({ port: 0, dataDir: dir ? join(dir, 'kube') : undefined, authorization: { enforce: true }, logger: log.child({ component: 'kube' }) });
      stops.push(() => kube!.close());
      kubeconfig = embeddedKubeConfig(kube.url);
    }
    const apiUrl = kubeconfig.getCurrentCluster()!.server;

    // The cluster and the dev user's SealToken: created once, resumed from the data dir afterwards.
    const idsFile = dir ? join(dir, 'sandbox.json') : null;
    let ids: SavedIds | null = idsFile && existsSync(idsFile) ? (JSON.parse(readFileSync(idsFile, 'utf8')) as SavedIds) : null;
    if (ids && !(await objectContent(client, ids.clusterId))) ids = null;
    if (!ids) {
      const created = await createCluster(operatorTx, packageId, {
        name: 'k3sdaas-dev',
        apiUrl,
        debug: true,
        // A dev cluster admits `k3sdaas worker join` without approval, and leaving returns the stake at once.
        workerPolicy: 'open',
        unbondingMs: 0n,
        requestTimeoutMs: options.requestTimeoutMs,
        stakeLockMs: options.stakeLockMs,
      });
      await registerGateway(operatorTx, packageId, created.clusterId, created.capId, gatewayKey.toSuiAddress());
      // The dev user is the cluster's operator (as kind/k3d give cluster-admin): a tenant stake on `dev` the cap
      // holder grants admin at creation, since roles are never bought.
      const operatorGrant = { executor: operatorTx, capId: created.capId };
      const staked = await stakeForToken(userTx, packageId, created.clusterId, 2n * MIST_PER_SUI, 'admin', operatorGrant, 'dev');
      ids = { clusterId: created.clusterId, capId: created.capId, tokenId: staked.tokenId, apiUrl };
      if (idsFile) writeFileSync(idsFile, JSON.stringify(ids, null, 2));
    }
    const { clusterId, capId, tokenId } = ids;

    const tlsDir = dir ? join(dir, 'tls') : undefined;
    const hosts = ['127.0.0.1', 'localhost'];
    const tls = tlsDir ? await ensureTlsMaterial(tlsDir, hosts) : await createTlsMaterial(hosts);
    // The local blob service nautilus serves for bodies too large for a transaction (HTTPS, same CA).
    const blobToken = randomBytes(32).toString('base64url');
    const blobServer = await serveBlobs({ tls, token: blobToken, dir: dir ? join(dir, 'nautilus', 'blobs') : undefined });
    stops.push(() => blobServer.close());
    const blobs = new HttpBlobStore(blobServer.url, { ca: tls.caPem, token: blobToken });
    stops.push(() => blobs.close());

    const forwarder = new KubeForwarder({ kubeconfig });
    stops.push(() => forwarder.close());
    const journal = new Journal(dir ? join(dir, 'nautilus', 'journal.jsonl') : undefined);
    stops.push(async () => journal.close());
    const enclaveKey = generateEnclaveKey();
    const cursors = dir ? fileCursorStore(join(dir, 'nautilus', 'cursors.json')) : memoryCursorStore();
    // Streaming requests (watch, log follow) as end-to-end encrypted sessions on their own endpoint.
    const sessions = new SessionHub({ forwarder, logger: log, maxSessionMs: options.maxSessionMs });
    await sessions.listen('127.0.0.1', 0);
    const sessionLimit = await new SessionLimit({ client, packageId, clusterId, hub: sessions, logger: log }).start();
    stops.push(() => sessionLimit.stop());
    const sessionRecorder = new SessionRecorder({ executor: operatorTx, packageId, clusterId, enclaveKey, logger: log }).attach(sessions);
    stops.push(() => sessionRecorder.idle());
    stops.push(() => sessions.close());
    const nautilus = new NautilusService({
      sessions,
      client,
      executor: operatorTx,
      packageId,
      originalPackageId,
      clusterId,
      enclaveKey,
      forwarder,
      blobs,
      journal,
      cursors,
      logger: log,
    });
    await nautilus.registerEnclave();
    await nautilus.start();
    stops.push(() => nautilus.stop());
    const revoker = await new SessionRevoker({ client, packageId, clusterId, hub: sessions, logger: log }).start();
    stops.push(() => revoker.stop());
    // Join tokens for `k3sdaas worker join`: the embedded API is no k3s server, so dev tokens in k3s format.
    const joinTokens = new JoinTokenIssuer({ client, executor: operatorTx, packageId, originalPackageId, clusterId, enclaveKey, source: generatedTokenSource(), cursors, logger: log });
    await joinTokens.start();
    stops.push(() => joinTokens.stop());

    const info = { clusterId, packageId, rpcUrl: localnet.rpcUrl, blobs: blobServer.url };
    const gatewaySubmitter = new GatewaySubmitter({ executor: gatewayTx, packageId, clusterId, blobs });
    const gateway = await serveKubeFrontend({
      client,
      packageId,
      originalPackageId,
      clusterId,
      submitter: gatewaySubmitter,
      host: '127.0.0.1',
      port: options.gatewayPort ?? 0,
      tls,
      blobs,
      logger: log,
      info,
      requestWarnings: options.requestWarnings,
      chainEndpoint: localnet.rpcUrl,
    });
    stops.push(() => gateway.stop());
    const gatewayUrl = gateway.url;

    let proxyUrl: string | null = null;
    const proxySecret = newProxySecret();
    if (options.proxyPort !== undefined && options.proxyPort !== null) {
      const proxy = await serveKubeFrontend({
        client,
        packageId,
        originalPackageId,
        clusterId,
        submitter: new ProxySubmitter({ executor: userTx, packageId, clusterId, tokenId, blobs, secret: proxySecret }),
        host: '127.0.0.1',
        port: options.proxyPort,
        tls,
        blobs,
        tracker: gateway.tracker,
        chainEndpoint: localnet.rpcUrl,
        logger: log,
        info,
        requestWarnings: options.requestWarnings,
      });
      proxyUrl = proxy.url;
      stops.push(() => proxy.stop());
    }

    return {
      localnet,
      client,
      kube,
      packageId,
      originalPackageId,
      clusterId,
      capId,
      gatewayUrl,
      gatewayAddress: gatewayKey.toSuiAddress(),
      proxyUrl,
      proxySecret,
      tls,
      operator,
      operatorExecutor: operatorTx,
      user: { name: 'dev', keypair: userKey, address: userKey.toSuiAddress(), tokenId },
      nautilus,
      forwarder,
      sessions,
      sessionRecorder,
      joinTokens,
      gateway: gateway.frontend,
      gatewaySubmitter,
      gatewayTracker: gateway.tracker,
      gatewayExecutor: gatewayTx,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
