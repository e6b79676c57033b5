/**
 * After a package upgrade every component calls the new package id while event and object types keep the original
 * one: the gateway's tracker, nautilus and the join-token issuer follow and decode by the original id. Run on a
 * localnet that behaves like a fullnode (answers at finality, bounded scans, watermark-only frames).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import type { kubectlRunner } from './helpers/kubectl.js';
import { gatewayKubectl } from './helpers/sandbox.js';

let sb: Sandbox;
let kubectl: ReturnType<typeof kubectlRunner>;

beforeAll(async () => {
  sb = await startSandbox({ checkpointMs: 50, upgraded: true, fullnode: { answerAtFinality: true, scanLimit: 10, watermarkEvery: 3 } });
  kubectl = await gatewayKubectl(sb);
}, 60_000);
afterAll(async () => sb?.stop());

describe('kubectl after a package upgrade, on a fullnode-like localnet', () => {
  it('calls go to the upgraded id, events keep the original one', () => {
    expect(sb.packageId).not.toBe(sb.originalPackageId);
    const submitted = sb.localnet.chain.events.find((e) => e.event.type.endsWith('::cluster::ClusterCreated'))!;
    expect(submitted.event.type.startsWith(sb.originalPackageId)).toBe(true);
    expect(submitted.event.packageId).toBe(sb.packageId);
  });

  it('get, create and read back a configmap through the gateway', async () => {
    const pods = await kubectl(['get', 'pods', '-A']);
    expect(pods.code, pods.stderr).toBe(0);
    expect(pods.stderr).toContain('k3sdaas request 0x');
    const created = await kubectl(['create', 'configmap', 'upgraded', '--from-literal=a=b']);
    expect(created.code, created.stderr).toBe(0);
    const g = await kubectl(['get', 'configmap', 'upgraded', '-o', 'jsonpath={.data.a}']);
    expect(g.stdout).toBe('b');
  }, 60_000);
});
