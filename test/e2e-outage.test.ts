/**
 * Issue 12, "answers lost during chain outages": the chain (localnet) is stopped for 20 s while 30 concurrent
 * `kubectl create configmap` are under way (30 s request deadline), then restarted on the same data dir and port.
 * nautilus keeps trying to answer until each request's deadline, so every create that was executed is reported
 * to kubectl as created, and none is executed twice. Two more creates were submitted 10 s before the outage and
 * held at a slow apiserver, so their deadline passes while the chain is down: they cannot be answered, are expired
 * on chain (the Request objects are gone) and kubectl is told their outcome is unknown.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import type { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectContent } from '../src/core/chain/objects.js';
import { decodeEvent } from '../src/core/events/index.js';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import { resourceForKind, startKubeApi, type AuditEntry, type KubeApi } from '../src/kube/index.js';
import { startLocalnet, type Localnet } from '../src/localnet/index.js';
import { silentLogger } from '../src/core/log.js';
import { credentialKubeconfig, tempDir } from './helpers/e2e.js';
import { kubectlRunner, type KubectlResult } from './helpers/kubectl.js';

const N = 30;
const OUTAGE_MS = 20_000;
const DEADLINE_MS = 30_000;
/** How long the slow apiserver holds the two early creates: they complete while the chain is down. */
const SLOW_HOLD_MS = 14_000;
const dir = tempDir('e2e-outage');
const audit: AuditEntry[] = [];
let kube: KubeApi;
let slow: { url: string; close: () => Promise<void> };
let sb: Sandbox;
let restarted: Localnet | undefined;
let inFlightCreates = 0;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Creates take 300 ms at this proxy (14 s for `slow-*`) before reaching the Kubernetes API. */
function startSlowProxy(target: string): Promise<typeof slow> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const post = req.method === 'POST';
      if (post) inFlightCreates++;
      if (post) await sleep(body.includes('slow-') ? SLOW_HOLD_MS : 300);
      const up = httpRequest(new URL(req.url!, target), { method: req.method, headers: req.headers }, (ur) => {
        res.on('error', () => undefined);
        res.writeHead(ur.statusCode!, ur.headers);
        ur.pipe(res);
        ur.on('end', () => post && inFlightCreates--);
      });
      up.on('error', () => res.destroy());
      up.end(body);
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

const posts = () => audit.filter((a) => a.method === 'POST' && a.path.startsWith('/api/v1/namespaces/default/configmaps'));
const storedNames = () => new Set(kube.store.list(resourceForKind('ConfigMap'), { namespace: 'default' }).map((o) => o.metadata.name!));

beforeAll(async () => {
  kube = await startKubeApi({ port: 0, onAudit: (e) => audit.push(e) });
  slow = await startSlowProxy(kube.url);
  const kubeconfig = join(dir, 'nautilus-kubeconfig');
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'slow', cluster: { server: slow.url } }],
      users: [{ name: 'nautilus', user: {} }],
      contexts: [{ name: 'slow', context: { cluster: 'slow', user: 'nautilus' } }],
      'current-context': 'slow',
    }),
  );
  sb = await startSandbox({ dataDir: join(dir, 'sandbox'), checkpointMs: 0, requestTimeoutMs: BigInt(DEADLINE_MS), kubeconfig });
}, 90_000);

afterAll(async () => {
  await sb?.stop();
  await restarted?.stop();
  await slow?.close();
  await kube?.close();
}, 30_000);

/** Every request-module event of the cluster, oldest first. */
async function requestEvents() {
  const out = [];
  let after: string | null = null;
  for (;;) {
    const page = await sb.client.core.listEvents({ filter: { emitModule: `${sb.packageId}::request` }, after, limit: 50 });
    for (const e of page.events) {
      const ev = decodeEvent(e, { packageId: sb.packageId });
      if ((ev?.$kind === 'RequestSubmitted' || ev?.$kind === 'ResponseStored' || ev?.$kind === 'RequestExpired') && ev.clusterId === sb.clusterId) out.push(ev);
    }
    if (!page.hasNextPage || !page.endCursor) return out;
    after = page.endCursor;
  }
}

describe('chain outage during creates', () => {
  it('every executed create is reported created, none twice; unanswerable requests are expired and kubectl told', async () => {
    const kubectl = kubectlRunner(await credentialKubeconfig(sb, { keypair: sb.user.keypair as Ed25519Keypair, tokenId: sb.user.tokenId }));
    const warm = await kubectl(['get', 'configmaps']);
    expect(warm.code, warm.stderr).toBe(0);

    // Two creates whose deadline will pass during the outage.
    const early = [0, 1].map((i) => kubectl(['create', 'configmap', `slow-${i}`, '--from-literal=a=b'], undefined, 120_000));
    const earlyAt = Date.now();
    while (inFlightCreates < 2) await sleep(10);
    // The chain must come back after their deadline: stop it more than DEADLINE - OUTAGE after they were sent.
    const stopNotBefore = earlyAt + DEADLINE_MS - OUTAGE_MS + 500;
    await sleep(Math.max(0, stopNotBefore - 600 - Date.now()));
    let stoppedAt = 0;

    const results: Array<Promise<KubectlResult>> = [];
    for (let i = 0; i < N; i++) {
      results.push(kubectl(['create', 'configmap', `cm-${i}`, `--from-literal=i=${i}`], undefined, 120_000));
      await sleep(40);
      if (i === 10) {
        // Stop the chain while creates are in flight at the apiserver (their answers must wait for the chain).
        while (!(posts().length >= 3 && inFlightCreates > 2 && Date.now() >= stopNotBefore)) await sleep(5);
        await sb.localnet.stop();
        stoppedAt = Date.now();
      }
    }
    await sleep(Math.max(0, stoppedAt + OUTAGE_MS - Date.now()));
    restarted = await startLocalnet({
      port: Number(new URL(sb.localnet.rpcUrl).port),
      faucetPort: 0,
      dataDir: join(dir, 'sandbox', 'localnet'),
      checkpointMs: 0,
      logger: silentLogger,
    });
    expect(restarted.rpcUrl).toBe(sb.localnet.rpcUrl);

    const done = await Promise.all(results);
    const names = storedNames();
    const created: number[] = [];
    for (const [i, r] of done.entries()) {
      if (names.has(`cm-${i}`)) {
        // Executed → reported as created.
        expect(r.code, `cm-${i}: ${r.stderr}`).toBe(0);
        expect(r.stdout).toBe(`configmap/cm-${i} created\n`);
        created.push(i);
      } else {
        // Never executed (submitted while the chain was down): an error, not a success.
        expect(r.code, `cm-${i} not stored but: ${r.stdout}`).not.toBe(0);
      }
    }
    for (const [i, r] of (await Promise.all(early)).entries()) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`k3sdaas: on-chain request 0x[0-9a-f]{64} expired without an answer; the change may or may not have been applied`));
      expect(names.has(`slow-${i}`), 'the apiserver completed it').toBe(true);
    }

    // None executed twice.
    expect(posts().filter((p) => p.code === 409)).toEqual([]);
    expect(posts().filter((p) => p.code === 201).length).toBe(created.length + 2);

    // On chain: every request ended once — answered or expired — and no Request object is left.
    await sb.nautilus.idle();
    const events = await requestEvents();
    const submitted = events.filter((e) => e.$kind === 'RequestSubmitted').map((e) => e.requestId);
    const ended = new Map<string, string[]>();
    for (const e of events) if (e.$kind !== 'RequestSubmitted') ended.set(e.requestId, [...(ended.get(e.requestId) ?? []), e.$kind]);
    const expired = events.filter((e) => e.$kind === 'RequestExpired');
    for (const id of submitted) {
      expect(ended.get(id)?.length, `request ${id}`).toBe(1);
      expect(await objectContent(sb.client, id)).toBeNull();
    }
    expect(expired.length).toBeGreaterThanOrEqual(2);
    console.log(`outage run: ${created.length}/${N} created, ${N - created.length} refused while the chain was down, ${expired.length} expired`);
    expect(created.length).toBeGreaterThanOrEqual(3);
  }, 150_000);
});
