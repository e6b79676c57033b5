import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import type { kubectlRunner } from './helpers/kubectl.js';
import { gatewayKubectl } from './helpers/sandbox.js';

let sb: Sandbox;
let kubectl: ReturnType<typeof kubectlRunner>;

beforeAll(async () => {
  sb = await startSandbox({ checkpointMs: 0 });
  kubectl = await gatewayKubectl(sb);
}, 60_000);
afterAll(async () => sb?.stop());

describe('smoke: kubectl through the gateway', () => {
  it('get pods', async () => {
    const r = await kubectl(['get', 'pods', '-A']);
    expect(r.stderr).toContain('k3sdaas request 0x');
    expect(r.code).toBe(0);
  });
  it('create configmap', async () => {
    const r = await kubectl(['create', 'configmap', 'smoke', '--from-literal=a=b']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('configmap/smoke created');
    const g = await kubectl(['get', 'configmap', 'smoke', '-o', 'jsonpath={.data.a}']);
    expect(g.stdout).toBe('b');
  });
});
