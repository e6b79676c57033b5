/**
 * Issue 4, "Done when" 1 (gateway half): the real /usr/bin/kubectl, authenticated by the `k3sdaas token` exec
 * plugin that `k3sdaas kubeconfig --gateway URL` configures, drives the embedded Kubernetes API through the gateway,
 * the chain and nautilus. Every assertion checks kubectl's printed output and, for writes, the object in the
 * embedded Kubernetes store.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MIST_PER_SUI } from '../src/core/cluster-admin.js';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import { BIN, runCli } from './helpers/cli.js';
import { cliEnv, stakedUser, stored, tempDir, type TestUser } from './helpers/e2e.js';
import { kubectlRunner, type KubectlResult } from './helpers/kubectl.js';

let sb: Sandbox;
let admin: TestUser;
let env: NodeJS.ProcessEnv;
let kubeconfig: string;
let kubectl: (args: string[], input?: string) => Promise<KubectlResult>;
const dir = tempDir('e2e-gw');

/** Runs kubectl and insists on exit 0 (stderr in the failure message). */
async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  expect(r.code, `kubectl ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

const configMap = (name: string, data: Record<string, string>) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'e2e', labels: { app: 'applied' } }, data });

beforeAll(async () => {
  sb = await startSandbox({ checkpointMs: 0 });
  admin = await stakedUser(sb, 'admin', 2n * MIST_PER_SUI);
  env = cliEnv(sb, admin.keypair);
  kubeconfig = join(dir, 'kubeconfig');
}, 60_000);
afterAll(async () => sb?.stop());

describe('kubectl through the gateway with the `k3sdaas token` exec plugin', () => {
  it('`k3sdaas kubeconfig --gateway` writes the CA and the exec plugin', async () => {
    const r = await runCli(['kubeconfig', '--gateway', sb.gatewayUrl, '--out', kubeconfig, '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { gatewayAddress: string; server: string };
    expect(out.gatewayAddress).toBe(sb.gatewayAddress);
    expect(r.stderr).toContain('trusting the gateway CA on first use');
    const doc = parse(readFileSync(kubeconfig, 'utf8')) as {
      clusters: Array<{ cluster: { server: string; 'certificate-authority-data': string } }>;
      users: Array<{ user: { exec: { command: string; args: string[] } } }>;
    };
    expect(doc.clusters[0].cluster.server).toBe(sb.gatewayUrl);
    expect(Buffer.from(doc.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe(sb.tls.caPem);
    expect(doc.users[0].user.exec.command).toBe(BIN.replace(/\/+$/, ''));
    expect(doc.users[0].user.exec.args).toEqual(['token', '--gateway-address', sb.gatewayAddress, '--cluster', sb.clusterId]);
    kubectl = kubectlRunner(kubeconfig, env);
  });

  it('get: a Table, with the on-chain request id as a Warning', async () => {
    const r = await kubectl(['get', 'namespaces']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+STATUS\s+AGE/);
    expect(r.stdout).toMatch(/\ndefault\s+Active\s/);
    expect(r.stdout).toMatch(/\nkube-system\s+Active\s/);
    expect(r.stderr).toMatch(/Warning: k3sdaas request 0x[0-9a-f]{64}/);
  });

  it('create namespace, configmap, secret, deployment', async () => {
    expect(await ok(['create', 'namespace', 'e2e'])).toBe('namespace/e2e created\n');
    expect(stored(sb, 'Namespace', undefined, 'e2e')).toBeDefined();

    expect(await ok(['create', 'configmap', 'cm1', '-n', 'e2e', '--from-literal=k=v'])).toBe('configmap/cm1 created\n');
    expect(await ok(['create', 'configmap', 'cm2', '-n', 'e2e', '--from-literal=other=1'])).toBe('configmap/cm2 created\n');
    expect(stored(sb, 'ConfigMap', 'e2e', 'cm1')?.data).toEqual({ k: 'v' });

    expect(await ok(['create', 'secret', 'generic', 's1', '-n', 'e2e', '--from-literal=password=hunter2'])).toBe('secret/s1 created\n');
    expect(stored(sb, 'Secret', 'e2e', 's1')?.data).toEqual({ password: Buffer.from('hunter2').toString('base64') });

    expect(await ok(['create', 'deployment', 'web', '-n', 'e2e', '--image=nginx:1.27', '--replicas=2'])).toBe('deployment.apps/web created\n');
    const dep = stored(sb, 'Deployment', 'e2e', 'web') as { spec: { replicas: number; template: { spec: { containers: Array<{ image: string }> } } } };
    expect(dep.spec.replicas).toBe(2);
    expect(dep.spec.template.spec.containers[0].image).toBe('nginx:1.27');
  });

  it('label, then get -l selects by it and -o yaml shows the object', async () => {
    expect(await ok(['label', 'configmap', 'cm1', '-n', 'e2e', 'tier=web'])).toBe('configmap/cm1 labeled\n');
    expect(stored(sb, 'ConfigMap', 'e2e', 'cm1')?.metadata.labels).toEqual({ tier: 'web' });

    const selected = await ok(['get', 'configmaps', '-n', 'e2e', '-l', 'tier=web']);
    expect(selected).toMatch(/^NAME\s+DATA\s+AGE\ncm1\s+1\s+\S+\n$/);

    const yaml = parse(await ok(['get', 'configmap', 'cm1', '-n', 'e2e', '-o', 'yaml'])) as { kind: string; data: unknown; metadata: { labels: unknown; uid: string } };
    expect(yaml.kind).toBe('ConfigMap');
    expect(yaml.data).toEqual({ k: 'v' });
    expect(yaml.metadata.labels).toEqual({ tier: 'web' });
    expect(yaml.metadata.uid).toBe(stored(sb, 'ConfigMap', 'e2e', 'cm1')?.metadata.uid);
  });

  it('get -A lists across namespaces', async () => {
    const out = await ok(['get', 'configmaps', '-A']);
    expect(out).toMatch(/^NAMESPACE\s+NAME\s+DATA\s+AGE/);
    expect(out).toMatch(/\ne2e\s+cm1\s+1\s/);
    expect(out).toMatch(/\ne2e\s+cm2\s+1\s/);
    const deps = await ok(['get', 'deployments', '-A']);
    expect(deps).toMatch(/\ne2e\s+web\s+\d\/2\s/);
  });

  it('apply creates, a second apply is unchanged, a changed manifest is configured', async () => {
    const file = join(dir, 'applied.json');
    writeFileSync(file, configMap('applied', { a: '1' }));
    expect(await ok(['apply', '-f', file])).toBe('configmap/applied created\n');
    expect(await ok(['apply', '-f', file])).toBe('configmap/applied unchanged\n');
    expect(stored(sb, 'ConfigMap', 'e2e', 'applied')?.data).toEqual({ a: '1' });
    writeFileSync(file, configMap('applied', { a: '2', b: '3' }));
    expect(await ok(['apply', '-f', file])).toBe('configmap/applied configured\n');
    const cm = stored(sb, 'ConfigMap', 'e2e', 'applied')!;
    expect(cm.data).toEqual({ a: '2', b: '3' });
    expect(cm.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toContain('"b":"3"');
  });

  it('apply --server-side', async () => {
    const file = join(dir, 'ssa.json');
    writeFileSync(file, configMap('ssa', { x: 'y' }));
    expect(await ok(['apply', '--server-side', '-f', file])).toBe('configmap/ssa serverside-applied\n');
    expect(stored(sb, 'ConfigMap', 'e2e', 'ssa')?.data).toEqual({ x: 'y' });
    writeFileSync(file, configMap('ssa', { x: 'z' }));
    expect(await ok(['apply', '--server-side', '-f', file])).toBe('configmap/ssa serverside-applied\n');
    expect(stored(sb, 'ConfigMap', 'e2e', 'ssa')?.data).toEqual({ x: 'z' });
  });

  it('patch (strategic merge and JSON patch)', async () => {
    expect(await ok(['patch', 'configmap', 'cm1', '-n', 'e2e', '-p', '{"data":{"k":"v2"}}'])).toBe('configmap/cm1 patched\n');
    expect(stored(sb, 'ConfigMap', 'e2e', 'cm1')?.data).toEqual({ k: 'v2' });
    const json = await ok(['patch', 'deployment', 'web', '-n', 'e2e', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":3}]']);
    expect(json).toBe('deployment.apps/web patched\n');
    expect((stored(sb, 'Deployment', 'e2e', 'web') as { spec: { replicas: number } }).spec.replicas).toBe(3);
  });

  it('describe', async () => {
    const out = await ok(['describe', 'configmap', 'cm1', '-n', 'e2e']);
    expect(out).toMatch(/^Name:\s+cm1$/m);
    expect(out).toMatch(/^Namespace:\s+e2e$/m);
    expect(out).toMatch(/^Labels:\s+tier=web$/m);
    expect(out).toMatch(/^k:\n-+\nv2$/m);
    const dep = await ok(['describe', 'deployment', 'web', '-n', 'e2e']);
    expect(dep).toMatch(/^Replicas:\s+3 desired/m);
    expect(dep).toMatch(/Image:\s+nginx:1\.27/);
  });

  it('delete, and the object is gone', async () => {
    expect(await ok(['delete', 'configmap', 'cm1', '-n', 'e2e'])).toBe('configmap "cm1" deleted\n');
    expect(stored(sb, 'ConfigMap', 'e2e', 'cm1')).toBeUndefined();
    const r = await kubectl(['get', 'configmap', 'cm1', '-n', 'e2e']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error from server (NotFound): configmaps "cm1" not found');
  });
});
