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
