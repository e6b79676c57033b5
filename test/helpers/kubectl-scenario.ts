/**
 * The kubectl scenario of issue 4's "Done when" (get as a table / -o yaml / -l / -A; create namespace, configmap,
 * secret, deployment; apply twice then changed; apply --server-side; label; patch; describe; delete), run by the
 * gateway test and the kubectl-daas test against whatever `kubectl` runner they set up. Each step checks kubectl's
 * printed output and, for writes, the object in the embedded Kubernetes store.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Sandbox } from '../../src/dev/sandbox.js';
import { stored } from './e2e.js';
import type { KubectlResult } from './kubectl.js';

/** kubectl steps run one after another and each costs a few on-chain round trips; slow CI machines need room. */
export const STEP_TIMEOUT_MS = 120_000;

export interface ScenarioContext {
  sb: () => Sandbox;
  kubectl: () => (args: string[], input?: string) => Promise<KubectlResult>;
  /** A scratch directory for manifests. */
  dir: string;
  /** The namespace the scenario creates and works in. */
  ns: string;
}

export function kubectlScenario(c: ScenarioContext): void {
  const { ns } = c;
  /** Runs kubectl and insists on exit 0 (stderr in the failure message). */
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await c.kubectl()(args, input);
    expect(r.code, `kubectl ${args.join(' ')}\n${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const configMap = (name: string, data: Record<string, string>) =>
    JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels: { app: 'applied' } }, data });

  it('get: a Table, with the on-chain request id as a Warning', async () => {
    const r = await c.kubectl()(['get', 'namespaces']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+STATUS\s+AGE/);
    expect(r.stdout).toMatch(/\ndefault\s+Active\s/);
    expect(r.stdout).toMatch(/\nkube-system\s+Active\s/);
    expect(r.stderr).toMatch(/Warning: k3sdaas request 0x[0-9a-f]{64}/);
  }, STEP_TIMEOUT_MS);

  it('create namespace, configmap, secret, deployment', async () => {
    expect(await ok(['create', 'namespace', ns])).toBe(`namespace/${ns} created\n`);
    expect(stored(c.sb(), 'Namespace', undefined, ns)).toBeDefined();

    expect(await ok(['create', 'configmap', 'cm1', '-n', ns, '--from-literal=k=v'])).toBe('configmap/cm1 created\n');
    expect(await ok(['create', 'configmap', 'cm2', '-n', ns, '--from-literal=other=1'])).toBe('configmap/cm2 created\n');
    expect(stored(c.sb(), 'ConfigMap', ns, 'cm1')?.data).toEqual({ k: 'v' });

    expect(await ok(['create', 'secret', 'generic', 's1', '-n', ns, '--from-literal=password=hunter2'])).toBe('secret/s1 created\n');
    expect(stored(c.sb(), 'Secret', ns, 's1')?.data).toEqual({ password: Buffer.from('hunter2').toString('base64') });

    expect(await ok(['create', 'deployment', 'web', '-n', ns, '--image=nginx:1.27', '--replicas=2'])).toBe('deployment.apps/web created\n');
    const dep = stored(c.sb(), 'Deployment', ns, 'web') as unknown as { spec: { replicas: number; template: { spec: { containers: Array<{ image: string }> } } } };
    expect(dep.spec.replicas).toBe(2);
    expect(dep.spec.template.spec.containers[0].image).toBe('nginx:1.27');
  }, STEP_TIMEOUT_MS);

  it('label, then get -l selects by it and -o yaml shows the object', async () => {
    expect(await ok(['label', 'configmap', 'cm1', '-n', ns, 'tier=web'])).toBe('configmap/cm1 labeled\n');
    expect(stored(c.sb(), 'ConfigMap', ns, 'cm1')?.metadata.labels).toEqual({ tier: 'web' });

    const selected = await ok(['get', 'configmaps', '-n', ns, '-l', 'tier=web']);
    expect(selected).toMatch(/^NAME\s+DATA\s+AGE\ncm1\s+1\s+\S+\n$/);

    const yaml = parse(await ok(['get', 'configmap', 'cm1', '-n', ns, '-o', 'yaml'])) as { kind: string; data: unknown; metadata: { labels: unknown; uid: string } };
    expect(yaml.kind).toBe('ConfigMap');
    expect(yaml.data).toEqual({ k: 'v' });
    expect(yaml.metadata.labels).toEqual({ tier: 'web' });
    expect(yaml.metadata.uid).toBe(stored(c.sb(), 'ConfigMap', ns, 'cm1')?.metadata.uid);
  }, STEP_TIMEOUT_MS);

  it('get -A lists across namespaces', async () => {
    const out = await ok(['get', 'configmaps', '-A']);
    expect(out).toMatch(/^NAMESPACE\s+NAME\s+DATA\s+AGE/);
    expect(out).toMatch(new RegExp(`\\n${ns}\\s+cm1\\s+1\\s`));
    expect(out).toMatch(new RegExp(`\\n${ns}\\s+cm2\\s+1\\s`));
    const deps = await ok(['get', 'deployments', '-A']);
    expect(deps).toMatch(new RegExp(`\\n${ns}\\s+web\\s+\\d/2\\s`));
  }, STEP_TIMEOUT_MS);

  it('apply creates, a second apply is unchanged, a changed manifest is configured', async () => {
    const file = join(c.dir, 'applied.json');
    writeFileSync(file, configMap('applied', { a: '1' }));
    expect(await ok(['apply', '-f', file])).toBe('configmap/applied created\n');
    expect(await ok(['apply', '-f', file])).toBe('configmap/applied unchanged\n');
    expect(stored(c.sb(), 'ConfigMap', ns, 'applied')?.data).toEqual({ a: '1' });
    writeFileSync(file, configMap('applied', { a: '2', b: '3' }));
    expect(await ok(['apply', '-f', file])).toBe('configmap/applied configured\n');
    const cm = stored(c.sb(), 'ConfigMap', ns, 'applied')!;
    expect(cm.data).toEqual({ a: '2', b: '3' });
    expect(cm.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toContain('"b":"3"');
  }, STEP_TIMEOUT_MS);

  it('apply --server-side', async () => {
    const file = join(c.dir, 'ssa.json');
    writeFileSync(file, configMap('ssa', { x: 'y' }));
    expect(await ok(['apply', '--server-side', '-f', file])).toBe('configmap/ssa serverside-applied\n');
    expect(stored(c.sb(), 'ConfigMap', ns, 'ssa')?.data).toEqual({ x: 'y' });
    writeFileSync(file, configMap('ssa', { x: 'z' }));
    expect(await ok(['apply', '--server-side', '-f', file])).toBe('configmap/ssa serverside-applied\n');
    expect(stored(c.sb(), 'ConfigMap', ns, 'ssa')?.data).toEqual({ x: 'z' });
  }, STEP_TIMEOUT_MS);

  it('patch (strategic merge and JSON patch)', async () => {
    expect(await ok(['patch', 'configmap', 'cm1', '-n', ns, '-p', '{"data":{"k":"v2"}}'])).toBe('configmap/cm1 patched\n');
    expect(stored(c.sb(), 'ConfigMap', ns, 'cm1')?.data).toEqual({ k: 'v2' });
    const json = await ok(['patch', 'deployment', 'web', '-n', ns, '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":3}]']);
    expect(json).toBe('deployment.apps/web patched\n');
    expect((stored(c.sb(), 'Deployment', ns, 'web') as unknown as { spec: { replicas: number } }).spec.replicas).toBe(3);
  }, STEP_TIMEOUT_MS);

  it('describe', async () => {
    const out = await ok(['describe', 'configmap', 'cm1', '-n', ns]);
    expect(out).toMatch(/^Name:\s+cm1$/m);
    expect(out).toMatch(new RegExp(`^Namespace:\\s+${ns}$`, 'm'));
    expect(out).toMatch(/^Labels:\s+tier=web$/m);
    expect(out).toMatch(/^k:\n-+\nv2$/m);
    const dep = await ok(['describe', 'deployment', 'web', '-n', ns]);
    expect(dep).toMatch(/^Replicas:\s+3 desired/m);
    expect(dep).toMatch(/Image:\s+nginx:1\.27/);
  }, STEP_TIMEOUT_MS);

  it('delete, and the object is gone', async () => {
    expect(await ok(['delete', 'configmap', 'cm1', '-n', ns])).toBe('configmap "cm1" deleted\n');
    expect(stored(c.sb(), 'ConfigMap', ns, 'cm1')).toBeUndefined();
    const r = await c.kubectl()(['get', 'configmap', 'cm1', '-n', ns]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error from server (NotFound): configmaps "cm1" not found');
  }, STEP_TIMEOUT_MS);
}
