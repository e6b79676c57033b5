/**
 * Issue 4, "Done when" 3: nautilus runs as its own process (`k3sdaas nautilus start`), the gateway and the embedded
 * Kubernetes API in this process. While 30 concurrent `kubectl create configmap` are under way nautilus is
 * SIGKILLed and restarted on the same data dir. Every kubectl must come back with a printed result, and no create
 * may reach the Kubernetes API twice (the API's audit log counts the POSTs per name; a second one would 409).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createChainClient, TransactionExecutor, type ChainClient } from '../src/core/chain/index.js';
import { MIST_PER_SUI, stakeForToken } from '../src/core/cluster-admin.js';
import { credentialToToken, signCredential } from '../src/core/credential.js';
import { decodeEvent } from '../src/core/events/index.js';
import { GatewaySubmitter } from '../src/gateway/submitters.js';
import { serveKubeFrontend, type Served } from '../src/gateway/serve.js';
import { resourceForKind, startKubeApi, type AuditEntry, type KubeApi } from '../src/kube/index.js';
import { DEV_ACCOUNTS, startLocalnet, type Localnet } from '../src/localnet/index.js';
import { silentLogger } from '../src/core/log.js';
import { BIN, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/e2e.js';
import { kubectlRunner, writeKubeconfig, type KubectlResult } from './helpers/kubectl.js';

const N = 30;
const [operator, gatewayKey, user] = [DEV_ACCOUNTS[0], DEV_ACCOUNTS[1], DEV_ACCOUNTS[2]];
const dir = tempDir('e2e-crash');
const audit: AuditEntry[] = [];
let localnet: Localnet;
let client: ChainClient;
let kube: KubeApi;
let slow: Awaited<ReturnType<typeof startSlowProxy>>;
let gateway: Served;
let clusterId: string;
let kubectl: ReturnType<typeof kubectlRunner>;
let nautilusEnv: NodeJS.ProcessEnv;
const nautilusArgs: string[] = [];
const children = new Set<ChildProcess>();

interface Nautilus {
  child: ChildProcess;
  ready: { pid: number; enclavePublicKey: string; clusterId: string; packageId: string };
  stderr: () => string;
}

/** Starts `k3sdaas nautilus start --json` and resolves once it printed its ready line. */
function startNautilus(): Promise<Nautilus> {
  const child = spawn(BIN, nautilusArgs, { env: nautilusEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`nautilus did not become ready:\n${stderr}`)), 45_000);
    child.stdout!.on('data', (c) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      clearTimeout(timer);
      resolve({ child, ready: JSON.parse(out.slice(0, nl)), stderr: () => stderr });
    });
    child.on('exit', (code) => reject(new Error(`nautilus exited with ${code}:\n${stderr}`)));
  });
}

/**
 * A slow apiserver: creates wait 300 ms in this proxy before reaching the Kubernetes API, so the kill can land
 * while creates are in flight (the API still completes them, as a real apiserver would after its client died).
 */
let inFlightCreates = 0;
function startSlowProxy(target: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const slow = req.method === 'POST';
      if (slow) inFlightCreates++;
      if (slow) await new Promise((r) => setTimeout(r, 300));
      const up = httpRequest(new URL(req.url!, target), { method: req.method, headers: req.headers }, (ur) => {
        res.on('error', () => undefined);
        res.writeHead(ur.statusCode!, ur.headers);
        ur.pipe(res);
        ur.on('end', () => slow && inFlightCreates--);
      });
      up.on('error', () => res.destroy());
      up.end(Buffer.concat(chunks));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
      }),
    ),
  );
}

const configMapPosts = () => audit.filter((a) => a.method === 'POST' && a.path.startsWith('/api/v1/namespaces/default/configmaps'));

beforeAll(async () => {
  localnet = await startLocalnet({ port: 0, faucetPort: 0, ephemeral: true, checkpointMs: 0, logger: silentLogger });
  client = createChainClient({ rpcUrl: localnet.rpcUrl });
  kube = await startKubeApi({ port: 0, onAudit: (e) => audit.push(e) });
  slow = await startSlowProxy(kube.url);
  // The operator's CLI environment: the chain by URL only. `deploy` recognises the localnet behind it (package at
  // the genesis id, debug cluster) and saves packageId/clusterId into the config that `nautilus start` then reads.
  const base = { HOME: dir, K3SDAAS_CONFIG: join(dir, 'config.yaml'), K3SDAAS_NETWORK: localnet.rpcUrl, K3SDAAS_LOG_LEVEL: 'warn' };
  const deployed = await runCli(
    ['deploy', '--api-url', kube.url, '--name', 'crash', '--request-timeout', '60s', '--register-gateway', gatewayKey.address, '--json'],
    { env: { ...base, K3SDAAS_PRIVATE_KEY: operator.secretKey } },
  );
  expect(deployed.code, deployed.stderr).toBe(0);
  const deployment = JSON.parse(deployed.stdout) as { clusterId: string; capId: string; packageId: string; debug: boolean; published: string | null };
  expect(deployment).toMatchObject({ packageId: localnet.packageId, debug: true, published: null });
  clusterId = deployment.clusterId;
  const staked = await stakeForToken(new TransactionExecutor(client, user.keypair), localnet.packageId, clusterId, 2n * MIST_PER_SUI, 'editor', {
    executor: new TransactionExecutor(client, operator.keypair),
    capId: deployment.capId,
  });

  const nautilusKubeconfig = join(dir, 'nautilus-kubeconfig');
  writeFileSync(
    nautilusKubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'embedded', cluster: { server: slow.url } }],
      users: [{ name: 'nautilus', user: {} }],
      contexts: [{ name: 'embedded', context: { cluster: 'embedded', user: 'nautilus' } }],
      'current-context': 'embedded',
    }),
  );
  nautilusEnv = { ...process.env, ...base, K3SDAAS_PRIVATE_KEY: operator.secretKey };
  nautilusArgs.push('nautilus', 'start', '--json', '--kubeconfig', nautilusKubeconfig, '--data-dir', join(dir, 'data'), '--listen', '127.0.0.1:0', '--blob-listen', '127.0.0.1:0', '--session-listen', '127.0.0.1:0');

  gateway = await serveKubeFrontend({
    client,
    packageId: localnet.packageId,
    clusterId,
    submitter: new GatewaySubmitter({ executor: new TransactionExecutor(client, gatewayKey.keypair), packageId: localnet.packageId, clusterId }),
    host: '127.0.0.1',
    port: 0,
  });
  const signed = await signCredential(user.keypair, { clusterId, gateway: gatewayKey.address, tokenId: staked.tokenId, expiresMs: BigInt(Date.now() + 600_000) });
  kubectl = kubectlRunner(writeKubeconfig(gateway.url, gateway.tls.caPem, { token: credentialToToken(signed) }));
}, 90_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await gateway?.stop();
  await slow?.close();
  await kube?.close();
  await localnet?.stop();
}, 30_000);

describe('nautilus crash mid-run', () => {
  it('every request is answered and none is executed twice (answers batched across the kill)', async () => {
    let nautilus = await startNautilus();
    expect(nautilus.ready).toMatchObject({ clusterId, packageId: localnet.packageId });
    // Warm kubectl's discovery cache so the run below is 30 creates, not 30 discoveries.
    const warm = await kubectl(['get', 'configmaps']);
    expect(warm.code, warm.stderr).toBe(0);
    expect(audit.some((a) => a.user === user.address && a.groups.length > 0)).toBe(true);

    const results: Array<Promise<KubectlResult>> = [];
    for (let i = 0; i < N; i++) {
      results.push(kubectl(['create', 'configmap', `cm-${i}`, `--from-literal=i=${i}`], undefined, 150_000));
      await new Promise((r) => setTimeout(r, 40));
    }
    // Kill once some creates are done and others are in flight at the (slow) apiserver.
    const killDeadline = Date.now() + 60_000;
    while ((configMapPosts().length < 4 || inFlightCreates === 0) && Date.now() < killDeadline) await new Promise((r) => setTimeout(r, 5));
    const inFlightAtKill = inFlightCreates;
    expect(inFlightAtKill).toBeGreaterThan(0);
    const postsAtKill = configMapPosts().length;
    expect(postsAtKill).toBeGreaterThanOrEqual(4);
    nautilus.child.kill('SIGKILL');
    await new Promise((r) => nautilus.child.once('exit', r));
    const firstKey = nautilus.ready.enclavePublicKey;
    nautilus = await startNautilus();
    expect(nautilus.ready.enclavePublicKey).not.toBe(firstKey);

    const done = await Promise.all(results);
    const created: number[] = [];
    for (const [i, r] of done.entries()) {
      const printed = r.stdout + r.stderr;
      // An answer, not a kubectl timeout or a killed process.
      expect(r.code === 0 || r.code === 1, `cm-${i}: exit ${r.code}\n${printed}`).toBe(true);
      if (r.code === 0) {
        expect(r.stdout).toBe(`configmap/cm-${i} created\n`);
        created.push(i);
      } else {
        // The only failure allowed: nautilus died while this create was at the Kubernetes API, so it cannot say
        // whether it happened (and must not run it again). Requests sealed to the dead enclave's key were never
        // executed; the gateway resubmits those to the new key, so they end up created.
        expect(r.stderr, `cm-${i}`).toMatch(/^error: failed to create configmap: k3sdaas: the control plane restarted while executing this request .*its outcome is unknown/m);
      }
    }

    // Exactly once on the Kubernetes side. kubectl's create POSTs to the collection (the name is in the protobuf
    // body), so: no POST was ever refused as a duplicate, and the successful POSTs are exactly the stored objects.
    const posts = configMapPosts();
    expect(posts.filter((p) => p.code === 409)).toEqual([]);
    const stored = kube.store.list(resourceForKind('ConfigMap'), { namespace: 'default' }).filter((o) => /^cm-\d+$/.test(o.metadata.name!));
    expect(posts.filter((p) => p.code === 201).length).toBe(stored.length);
    expect(posts.length).toBeLessThanOrEqual(N);
    for (const p of posts) expect(p.user).toBe(user.address);
    // What kubectl reported matches the store: every create reported as created exists; the rest were answered
    // "outcome unknown" — at least those in flight at the apiserver at the kill (it completed them anyway).
    const names = new Set(stored.map((o) => o.metadata.name));
    for (const i of created) expect(names.has(`cm-${i}`), `cm-${i} reported created`).toBe(true);
    const unknown = N - created.length;
    expect(unknown).toBeGreaterThanOrEqual(inFlightAtKill);
    expect(stored.length).toBeGreaterThanOrEqual(created.length + inFlightAtKill);
    expect(stored.length).toBeLessThanOrEqual(N);
    console.log(`crash run: ${created.length}/${N} created, ${unknown} outcome unknown; ${postsAtKill} POSTs before the kill, ${posts.length} in all`);

    // On chain, across the kill and nautilus's batched answers: every request has exactly one RequestSubmitted and
    // one ResponseStored (never two answers, none lost), and answers did travel several to a transaction.
    const submittedTx = new Map<string, number>();
    const answeredTx = new Map<string, number>();
    const answers = new Map<string, number>();
    const submittedIds = new Set<string>();
    let after: string | null = null;
    for (;;) {
      const page = await client.core.listEvents({ filter: { emitModule: `${localnet.packageId}::request` }, after, limit: 50 });
      for (const e of page.events) {
        const ev = decodeEvent(e, { packageId: localnet.packageId });
        if (ev?.$kind === 'RequestSubmitted' && ev.clusterId === clusterId) {
          expect(submittedIds.has(ev.requestId)).toBe(false);
          submittedIds.add(ev.requestId);
          submittedTx.set(e.transactionDigest, (submittedTx.get(e.transactionDigest) ?? 0) + 1);
        }
        if (ev?.$kind === 'ResponseStored' && ev.clusterId === clusterId) {
          answers.set(ev.requestId, (answers.get(ev.requestId) ?? 0) + 1);
          answeredTx.set(e.transactionDigest, (answeredTx.get(e.transactionDigest) ?? 0) + 1);
        }
      }
      if (!page.hasNextPage || !page.endCursor) break;
      after = page.endCursor;
    }
    for (const id of submittedIds) expect(answers.get(id), `answers of ${id}`).toBe(1);
    expect(answers.size).toBe(submittedIds.size);
    console.log(`crash run: ${submittedIds.size} requests in ${submittedTx.size} submit and ${answeredTx.size} respond transactions`);
    expect(Math.max(...answeredTx.values())).toBeGreaterThan(1);

    nautilus.child.kill('SIGTERM');
    await new Promise((r) => nautilus.child.once('exit', r));
  }, 240_000);
});
