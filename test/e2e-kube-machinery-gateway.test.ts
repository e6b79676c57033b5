/**
 * Issue 14 (API machinery half), through the product path: the real kubectl, authenticated by the `k3sdaas token`
 * exec plugin, drives the embedded Kubernetes API through the gateway, the chain and nautilus — OpenAPI documents
 * (v3 JSON and v2 protobuf), strict field validation, CRDs and custom resources, autoscale.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIST_PER_SUI } from '../src/core/cluster-admin.js';
import { startSandbox, type Sandbox } from '../src/dev/sandbox.js';
import { runCli } from './helpers/cli.js';
import { cliEnv, stakedUser, tempDir } from './helpers/e2e.js';
import { kubectlRunner } from './helpers/kubectl.js';
import { STEP_TIMEOUT_MS } from './helpers/kubectl-scenario.js';

let sb: Sandbox;
let kubectl: ReturnType<typeof kubectlRunner>;
const dir = tempDir('e2e-machinery');

beforeAll(async () => {
  sb = await startSandbox({ checkpointMs: 0 });
  const admin = await stakedUser(sb, 'admin', 2n * MIST_PER_SUI);
  const env = cliEnv(sb, admin.keypair);
  const kubeconfig = join(dir, 'kubeconfig');
  const r = await runCli(['kubeconfig', '--gateway', sb.gatewayUrl, '--out', kubeconfig, '--json'], { env });
  expect(r.code, r.stderr).toBe(0);
  kubectl = kubectlRunner(kubeconfig, {
    HOME: env.HOME,
    K3SDAAS_CONFIG: env.K3SDAAS_CONFIG,
    K3SDAAS_PRIVATE_KEY: env.K3SDAAS_PRIVATE_KEY,
    K3SDAAS_NETWORK: '',
    K3SDAAS_PACKAGE_ID: '',
    K3SDAAS_CLUSTER_ID: '',
  });
}, 120_000);
afterAll(async () => sb?.stop());

async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  expect(r.code, `kubectl ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

const CRD = JSON.stringify({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'gizmos.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'gizmos', kind: 'Gizmo' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        additionalPrinterColumns: [{ name: 'Level', type: 'integer', jsonPath: '.spec.level' }],
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { level: { type: 'integer' } } } } } },
      },
    ],
  },
});

describe('API machinery through the gateway', () => {
  it('explain pod.spec.containers', async () => {
    const out = await ok(['explain', 'pod.spec.containers']);
    expect(out).toContain('FIELD: containers <[]Container>');
    expect(out).toContain('List of containers belonging to the pod.');
  }, STEP_TIMEOUT_MS);

  it('apply -f with an unknown field is refused with the real server message', async () => {
    const cm = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'typo', namespace: 'default' }, dataz: { a: 'b' } });
    const r = await kubectl(['apply', '-f', '-'], cm);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Error from server (BadRequest): error when creating "STDIN": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "dataz"');
  }, STEP_TIMEOUT_MS);

  it('a CRD, then a custom resource listed with its printer columns', async () => {
    expect(await ok(['apply', '-f', '-'], CRD)).toContain('customresourcedefinition.apiextensions.k8s.io/gizmos.example.com created');
    const cr = JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Gizmo', metadata: { name: 'g1', namespace: 'default' }, spec: { level: 7 } });
    expect(await ok(['apply', '-f', '-'], cr)).toContain('gizmo.example.com/g1 created');
    expect(await ok(['get', 'gizmos'])).toMatch(/^NAME\s+LEVEL\ng1\s+7\n$/);
    expect(await ok(['delete', 'gizmo', 'g1'])).toContain('gizmo.example.com "g1" deleted');
  }, STEP_TIMEOUT_MS);

  it('autoscale, then get hpa', async () => {
    await ok(['create', 'deployment', 'scaled', '--image=nginx']);
    expect(await ok(['autoscale', 'deploy/scaled', '--max', '3'])).toContain('horizontalpodautoscaler.autoscaling/scaled autoscaled');
    expect(await ok(['get', 'hpa'])).toMatch(/^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE\nscaled\s+Deployment\/scaled\s+cpu: <unknown>\/80%\s+1\s+3\s+/);
  }, STEP_TIMEOUT_MS);
});
