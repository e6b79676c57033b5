/**
 * Issue #5, large payloads: bodies beyond what a transaction carries travel as ciphertext blobs (content-addressed,
 * verified before decryption) with only their id and digest on chain. A 1 MB ConfigMap and a 2,000-pod listing
 * round-trip through the real kubectl.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEvent } from '../src/core/events/index.js';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import { findResource } from '../src/kube/index.js';
import type { kubectlRunner } from './helpers/kubectl.js';
import { gatewayKubectl } from './helpers/sandbox.js';
import { tempDir } from './helpers/e2e.js';
import { HttpBlobStore } from '../src/core/blobs/index.js';
import { collectEvidence, verifyEvidence } from '../src/core/verify/index.js';
import { Agent, request } from 'undici';

let sb: Sandbox;
let kubectl: ReturnType<typeof kubectlRunner>;

beforeAll(async () => {
  sb = await startSandbox({ checkpointMs: 0 });
  kubectl = await gatewayKubectl(sb);
}, 60_000);
afterAll(async () => sb?.stop());

async function requestEvents() {
  const res = await sb.client.core.listEvents({ filter: { emitModule: `${sb.packageId}::request` }, order: 'descending', limit: 50 });
  return res.events.map((e) => decodeEvent(e, { packageId: sb.packageId })!);
}

describe('large payloads through kubectl', () => {
  it('a 1 MB ConfigMap goes up and comes back as a blob, with only its id and digest on chain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k3sdaas-big-'));
    const value = randomBytes(768 * 1024).toString('base64'); // ~1 MB of incompressible text
    writeFileSync(join(dir, 'data'), value);
    const create = await kubectl(['create', 'configmap', 'big', `--from-file=data=${join(dir, 'data')}`], undefined, 120_000);
    expect(create.code, create.stderr).toBe(0);
    expect(create.stdout).toContain('configmap/big created');
    const stored = sb.kube!.store.get(findResource('', 'v1', 'configmaps')!, 'default', 'big');
    expect((stored?.data as Record<string, string>).data).toBe(value);

    const get = await kubectl(['get', 'configmap', 'big', '-o', 'jsonpath={.data.data}'], undefined, 120_000);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toBe(value);

    const events = await requestEvents();
    const post = events.find((e) => e.$kind === 'RequestSubmitted' && e.method === 'POST' && e.resource === 'configmaps');
    expect(post && post.$kind === 'RequestSubmitted' && post.bodyBlob).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(post && post.$kind === 'RequestSubmitted' && post.body.length).toBe(0);
    expect(post && post.$kind === 'RequestSubmitted' && Number(post.bodySize)).toBeGreaterThan(1_000_000);
    const answers = events.filter((e) => e.$kind === 'ResponseStored' && e.bodyBlob !== '');
    expect(answers.length).toBeGreaterThanOrEqual(1);
  }, 180_000);

  it('get pods -A lists 2,000 pods', async () => {
    const pods = findResource('', 'v1', 'pods')!;
    for (let i = 0; i < 2000; i++) {
      sb.kube!.store.create(pods, 'default', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `load-${String(i).padStart(4, '0')}`, namespace: 'default', labels: { app: 'load' } },
        spec: { containers: [{ name: 'c', image: `registry.example/app:${i}` }] },
      });
    }
    const r = await kubectl(['get', 'pods', '-A', '--no-headers'], undefined, 180_000);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').filter((l) => l.includes('load-'));
    expect(lines).toHaveLength(2000);
    expect(lines[0]).toContain('load-0000');
    expect(lines[1999]).toContain('load-1999');
  }, 240_000);
});

describe('a large answer after nautilus restarts', () => {
  it('is still fetched from the blob service in the data dir, digest-checked, and verifies as genuine', async () => {
    const dataDir = tempDir('e2e-large-restart');
    let first: Sandbox | undefined = await startSandbox({ checkpointMs: 0, dataDir });
    let second: Sandbox | undefined;
    try {
      const value = randomBytes(300 * 1024).toString('base64');
      first.kube!.store.create(findResource('', 'v1', 'configmaps')!, 'default', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'big-answer', namespace: 'default' },
        data: { data: value },
      });
      const run = await gatewayKubectl(first);
      const get = await run(['get', 'configmap', 'big-answer', '-o', 'jsonpath={.data.data}'], undefined, 120_000);
      expect(get.code, get.stderr).toBe(0);
      expect(get.stdout).toBe(value);
      const res = await first.client.core.listEvents({ filter: { emitModule: `${first.packageId}::request` }, order: 'descending', limit: 20 });
      const answer = res.events.map((e) => decodeEvent(e, { packageId: first!.packageId })!).find((e) => e.$kind === 'ResponseStored' && e.bodyBlob !== '');
      expect(answer, 'a ResponseStored with an off-chain body').toBeTruthy();
      const requestId = (answer as { requestId: string }).requestId;
      await first.stop();
      first = undefined;

      // nautilus (and its blob service) start again on the same data dir.
      second = await startSandbox({ checkpointMs: 0, dataDir });
      const dispatcher = new Agent({ connect: { ca: second.tls.caPem } });
      const info = (await (await request(`${second.gatewayUrl}/k3sdaas/v1/info`, { dispatcher })).body.json()) as { blobs: string };
      await dispatcher.close();
      const blobs = new HttpBlobStore(info.blobs, { ca: second.tls.caPem });
      try {
        const evidence = await collectEvidence({ client: second.client, packageId: second.packageId, requestId, blobs });
        expect(Object.keys(evidence.blobs ?? {})).toEqual([(answer as { bodyBlob: string }).bodyBlob]);
        const verdict = await verifyEvidence(evidence);
        expect(verdict.status, verdict.summary).toBe('genuine');
      } finally {
        await blobs.close();
      }
    } finally {
      await first?.stop();
      await second?.stop();
    }
  }, 240_000);
});
