/**
 * End-to-end: the API machinery of the embedded Kubernetes API (resource table, discovery, OpenAPI schemas, field
 * validation, size limits, CRDs) as the real kubectl (/usr/bin/kubectl, 1.32) sees it.
 */
import { writePlainKubeconfig, spawnKubectl } from './helpers/kubectl.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApi, type KubeApi } from '../src/kube/index.js';


interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let api: KubeApi;
let dir: string;

function kubectl(args: string[], input?: string, timeoutMs = 30_000): Promise<Run> {
  return spawnKubectl(['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args], dir, input, timeoutMs);
}

async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

async function fails(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  expect(r.code, `kubectl ${args.join(' ')} should fail; stdout: ${r.stdout}`).not.toBe(0);
  return r.stderr.trim();
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Splits table output into rows of cells. */
function rows(out: string): string[][] {
  return out.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kube-api-machinery-'));
  api = await startKubeApi({ port: 0, simulation: { podStartDelayMs: 100 } });
  writePlainKubeconfig(join(dir, 'kubeconfig'), api.url);
});

afterAll(async () => {
  await api?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the resource table through discovery', () => {
  it('api-resources lists every built-in resource with scope, short names and verbs', async () => {
    const table = rows(await ok(['api-resources', '-o', 'wide']));
    expect(table[0]).toEqual(['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', 'VERBS', 'CATEGORIES']);
    const byName = new Map(table.slice(1).map((r) => [`${r[0]}/${r[r.length - 5] ?? ''}`, r]));
    const find = (name: string, apiVersion: string) => table.find((r) => r[0] === name && r.includes(apiVersion));
    expect(find('endpoints', 'v1')?.slice(0, 5)).toEqual(['endpoints', 'ep', 'v1', 'true', 'Endpoints']);
    expect(find('persistentvolumeclaims', 'v1')?.slice(0, 5)).toEqual(['persistentvolumeclaims', 'pvc', 'v1', 'true', 'PersistentVolumeClaim']);
    expect(find('persistentvolumes', 'v1')?.slice(0, 5)).toEqual(['persistentvolumes', 'pv', 'v1', 'false', 'PersistentVolume']);
    expect(find('jobs', 'batch/v1')?.slice(0, 4)).toEqual(['jobs', 'batch/v1', 'true', 'Job']);
    expect(find('cronjobs', 'batch/v1')?.slice(0, 5)).toEqual(['cronjobs', 'cj', 'batch/v1', 'true', 'CronJob']);
    expect(find('statefulsets', 'apps/v1')?.slice(0, 5)).toEqual(['statefulsets', 'sts', 'apps/v1', 'true', 'StatefulSet']);
    expect(find('horizontalpodautoscalers', 'autoscaling/v2')?.slice(0, 5)).toEqual(['horizontalpodautoscalers', 'hpa', 'autoscaling/v2', 'true', 'HorizontalPodAutoscaler']);
    expect(find('ingresses', 'networking.k8s.io/v1')?.[1]).toBe('ing');
    expect(find('poddisruptionbudgets', 'policy/v1')?.[1]).toBe('pdb');
    expect(find('customresourcedefinitions', 'apiextensions.k8s.io/v1')?.[1]).toBe('crd,crds');
    expect(find('leases', 'coordination.k8s.io/v1')).toBeDefined();
    expect(find('endpointslices', 'discovery.k8s.io/v1')).toBeDefined();
    expect(find('certificatesigningrequests', 'certificates.k8s.io/v1')?.[1]).toBe('csr');
    expect(find('clusterrolebindings', 'rbac.authorization.k8s.io/v1')?.[2]).toBe('false');
    // Review kinds are create-only; ordinary resources have the full verb set and `all` where kubectl expects it.
    expect(find('selfsubjectaccessreviews', 'authorization.k8s.io/v1')).toContain('create');
    expect(find('selfsubjectaccessreviews', 'authorization.k8s.io/v1')?.join(' ')).not.toContain('list');
    expect(find('selfsubjectreviews', 'authentication.k8s.io/v1')).toContain('create');
    expect(find('pods', 'v1')?.join(' ')).toContain('create,delete,deletecollection,get,list,patch,update,watch');
    expect(find('deployments', 'apps/v1')?.at(-1)).toBe('all');
    expect(byName.size).toBeGreaterThan(50);
  });

  it('get endpoints, pvc and jobs print the real server columns', async () => {
    await ok(
      ['apply', '-f', '-'],
      [
        'apiVersion: v1',
        'kind: Endpoints',
        'metadata: {name: web}',
        'subsets: [{addresses: [{ip: 10.42.0.7}], ports: [{port: 8080}]}]',
        '---',
        'apiVersion: v1',
        'kind: PersistentVolumeClaim',
        'metadata: {name: data}',
        'spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}, storageClassName: local-path}',
      ].join('\n'),
    );
    // `create job` sends protobuf (a typed client in kubectl 1.32).
    expect(await ok(['create', 'job', 'hello', '--image=busybox', '--', 'echo', 'hi'])).toContain('job.batch/hello created');

    const ep = rows(await ok(['get', 'endpoints', 'web']));
    expect(ep[0]).toEqual(['NAME', 'ENDPOINTS', 'AGE']);
    expect(ep[1].slice(0, 2)).toEqual(['web', '10.42.0.7:8080']);

    const pvc = rows(await ok(['get', 'pvc']));
    expect(pvc[0]).toEqual(['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE']);
    expect(pvc[1].slice(0, 2)).toEqual(['data', 'Pending']);
    expect(pvc[1]).toContain('local-path');

    const jobs = rows(await ok(['get', 'jobs']));
    expect(jobs[0]).toEqual(['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
    expect(jobs[1][0]).toBe('hello');
    expect(['Running', 'Complete']).toContain(jobs[1][1]);
    const job = JSON.parse(await ok(['get', 'job', 'hello', '-o', 'json']));
    expect(job.spec.template.spec.containers[0]).toMatchObject({ name: 'hello', image: 'busybox', command: ['echo', 'hi'] });
    expect(job.spec).toMatchObject({ backoffLimit: 6, completions: 1, parallelism: 1 });
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });
});

describe('OpenAPI schemas', () => {
  it('explain pod.spec.containers prints the upstream field documentation', async () => {
    const out = await ok(['explain', 'pod.spec.containers']);
    expect(out).toMatch(/^KIND:\s+Pod\nVERSION:\s+v1\n/);
    expect(out).toContain('FIELD: containers <[]Container>');
    expect(out).toContain('List of containers belonging to the pod.');
    expect(out).toMatch(/\n {2}name\t<string> -required-\n/);
    expect(out).toMatch(/\n {2}image\t<string>\n/);
    expect(out).toMatch(/\n {2}ports\t<\[\]ContainerPort>\n/);
  });

  it('apply -f with an unknown field is refused with the real strict-decoding message and stores nothing', async () => {
    const path = file(
      'x.yaml',
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: typo}',
        'spec:',
        '  replicaz: 2',
        '  selector: {matchLabels: {app: typo}}',
        '  template:',
        '    metadata: {labels: {app: typo}}',
        '    spec: {containers: [{name: c, image: nginx}]}',
      ].join('\n'),
    );
    expect(await fails(['apply', '-f', path])).toBe(
      `Error from server (BadRequest): error when creating "${path}": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicaz"`,
    );
    expect(await fails(['get', 'deploy', 'typo'])).toContain('NotFound');

    // --validate=warn: the server warns and drops the field; --validate=false: accepted silently.
    const warned = await kubectl(['create', '-f', path, '--validate=warn']);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain('Warning: unknown field "spec.replicaz"');
    const stored = JSON.parse(await ok(['get', 'deploy', 'typo', '-o', 'json']));
    expect(stored.spec.replicaz).toBeUndefined();
    expect(stored.spec.replicas).toBe(1);
    await ok(['delete', 'deploy', 'typo']);
    const ignored = await kubectl(['create', '-f', path, '--validate=false']);
    expect(ignored.code).toBe(0);
    expect(ignored.stderr).not.toContain('unknown field');
    await ok(['delete', 'deploy', 'typo']);
  });
});

describe('List files (what `kubectl get -o yaml` of several objects writes)', () => {
  it('apply -f and replace -f of a v1 List work; an unknown field in an item is still refused by the server', async () => {
    await ok(['create', 'configmap', 'l1', '--from-literal=a=1']);
    await ok(['create', 'configmap', 'l2', '--from-literal=a=2']);
    const list = JSON.parse(await ok(['get', 'configmap', 'l1', 'l2', '-o', 'json']));
    expect(list.kind).toBe('List');
    expect(await ok(['replace', '-f', '-'], JSON.stringify(list))).toBe('configmap/l1 replaced\nconfigmap/l2 replaced\n');
    for (const item of list.items) delete item.metadata.resourceVersion;
    list.items[0].data.a = 'changed';
    const applied = await kubectl(['apply', '-f', '-'], JSON.stringify(list));
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toBe('configmap/l1 configured\nconfigmap/l2 configured\n');
    expect(await ok(['get', 'configmap', 'l1', '-o', 'jsonpath={.data.a}'])).toBe('changed');
    list.items[1].dataz = { x: 'y' };
    expect(await fails(['apply', '-f', '-'], JSON.stringify(list))).toContain('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "dataz"');
  });
});

describe('limits', () => {
  it('a 1.2 MiB ConfigMap is refused as the real server refuses it', async () => {
    const big = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { blob: 'a'.repeat(1_258_291) } });
    expect(await fails(['create', '-f', file('big.json', big)])).toBe('The ConfigMap "big" is invalid: []: Too long: may not be more than 1048576 bytes');
    // apply adds the last-applied annotation, which hits the annotation limit first.
    expect(await fails(['apply', '-f', join(dir, 'big.json')])).toContain('metadata.annotations: Too long: may not be more than 262144 bytes');
    expect(await fails(['get', 'cm', 'big'])).toContain('NotFound');
  });

  it('an object over etcd\'s 1.5 MiB is refused; a body over 3 MiB is refused before decoding', async () => {
    const pod = (size: number) =>
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'huge' }, spec: { containers: [{ name: 'c', image: 'nginx', env: [{ name: 'X', value: 'y'.repeat(size) }] }] } });
    expect(await fails(['create', '-f', file('huge.json', pod(1_700_000))])).toBe('Error from server: error when creating "' + join(dir, 'huge.json') + '": etcdserver: request is too large');
    expect(await fails(['create', '-f', file('huger.json', pod(3_200_000))])).toBe(
      'Error from server (RequestEntityTooLarge): error when creating "' + join(dir, 'huger.json') + '": Request entity too large: limit is 3145728',
    );
    expect(await fails(['get', 'pod', 'huge'])).toContain('NotFound');
  });
});

describe('autoscaling', () => {
  it('autoscale deploy/x --max 3 (sent as autoscaling/v1 protobuf) then get hpa (read as v2)', async () => {
    await ok(['create', 'deployment', 'x', '--image=nginx']);
    expect(await ok(['autoscale', 'deploy/x', '--max', '3'])).toContain('horizontalpodautoscaler.autoscaling/x autoscaled');
    const t = rows(await ok(['get', 'hpa']));
    expect(t[0]).toEqual(['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE']);
    expect(t[1].slice(0, 5)).toEqual(['x', 'Deployment/x', 'cpu: <unknown>/80%', '1', '3']);
    const v2 = JSON.parse(await ok(['get', 'hpa', 'x', '-o', 'json']));
    expect(v2.apiVersion).toBe('autoscaling/v2');
    expect(v2.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    const v1 = JSON.parse(await ok(['get', 'horizontalpodautoscalers.v1.autoscaling', 'x', '-o', 'json']));
    expect(v1.apiVersion).toBe('autoscaling/v1');
    expect(v1.spec).toMatchObject({ maxReplicas: 3, minReplicas: 1, targetCPUUtilizationPercentage: 80, scaleTargetRef: { kind: 'Deployment', name: 'x' } });
  });
});

describe('apply --prune without an allowlist', () => {
  it('prunes the labelled objects missing from the new manifest and nothing else', async () => {
    const cm = (name: string, app: string) => ['apiVersion: v1', 'kind: ConfigMap', `metadata: {name: ${name}, labels: {app: ${app}}}`, 'data: {k: v}'].join('\n');
    const job = ['apiVersion: batch/v1', 'kind: Job', 'metadata: {name: pj, labels: {app: p}}', 'spec:', '  template:', '    spec:', '      restartPolicy: Never', '      containers: [{name: c, image: busybox}]'].join('\n');
    await ok(['apply', '-f', '-'], [cm('pa', 'p'), cm('pb', 'p'), job, cm('keep', 'other')].join('\n---\n'));
    const out = await ok(['apply', '--prune', '-l', 'app=p', '-f', '-'], cm('pa', 'p'));
    expect(out).toContain('configmap/pa unchanged');
    expect(out).toContain('configmap/pb pruned');
    expect(out).toContain('job.batch/pj pruned');
    const left = (await ok(['get', 'cm,jobs', '-o', 'name'])).trim().split('\n');
    expect(left).toEqual(expect.arrayContaining(['configmap/pa', 'configmap/keep']));
    expect(left).not.toContain('configmap/pb');
    expect(left).not.toContain('job.batch/pj');
  });
});

describe('CustomResourceDefinitions', () => {
  const crd = [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata: {name: widgets.example.com}',
    'spec:',
    '  group: example.com',
    '  scope: Namespaced',
    '  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}',
    '  versions:',
    '  - name: v1',
    '    served: true',
    '    storage: true',
    '    subresources: {status: {}}',
    '    additionalPrinterColumns:',
    '    - {name: Size, type: integer, jsonPath: .spec.size}',
    '    - {name: Color, type: string, jsonPath: .spec.color}',
    '    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}',
    '    schema:',
    '      openAPIV3Schema:',
    '        type: object',
    '        properties:',
    '          spec:',
    '            type: object',
    '            required: [size]',
    '            properties:',
    '              size: {type: integer, minimum: 1, maximum: 10, description: How big the widget is.}',
    '              color: {type: string, enum: [red, blue]}',
    '              mode: {type: string, default: standard}',
    '          status: {type: object, x-kubernetes-preserve-unknown-fields: true}',
  ].join('\n');
  const widget = (name: string, spec: string) => `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: ${name}}\nspec: ${spec}\n`;

  it('a CRD registers its custom resource: create, get and list with printer columns, explain, delete', async () => {
    expect(await ok(['apply', '-f', '-'], crd)).toContain('customresourcedefinition.apiextensions.k8s.io/widgets.example.com created');
    expect(await ok(['get', 'crd', 'widgets.example.com', '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}'])).toBe('True');
    expect(rows(await ok(['api-resources', '--api-group=example.com']))).toEqual([
      ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND'],
      ['widgets', 'wd', 'example.com/v1', 'true', 'Widget'],
    ]);

    expect(await ok(['apply', '-f', '-'], widget('w1', '{size: 3, color: red}'))).toContain('widget.example.com/w1 created');
    expect(await ok(['create', '-f', '-'], widget('w2', '{size: 5}'))).toContain('widget.example.com/w2 created');
    const t = rows(await ok(['get', 'widgets']));
    expect(t[0]).toEqual(['NAME', 'SIZE', 'COLOR', 'AGE']);
    expect(t.slice(1).map((r) => r.slice(0, 3))).toEqual([
      ['w1', '3', 'red'],
      ['w2', '5', '<none>'],
    ]);
    expect((await ok(['get', 'wd', '-o', 'name'])).trim().split('\n')).toEqual(['widget.example.com/w1', 'widget.example.com/w2']);
    const w1 = JSON.parse(await ok(['get', 'widget', 'w1', '-o', 'json']));
    // The schema's defaults are applied on the way in.
    expect(w1).toMatchObject({ apiVersion: 'example.com/v1', kind: 'Widget', spec: { size: 3, color: 'red', mode: 'standard' } });
    expect(w1.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);

    const explained = await ok(['explain', 'widget.spec']);
    expect(explained).toContain('KIND:       Widget');
    expect(explained).toMatch(/size\t<integer> -required-\n\s+How big the widget is\./);

    expect(await ok(['delete', 'widget', 'w2'])).toContain('widget.example.com "w2" deleted');
    expect((await ok(['get', 'widgets', '-o', 'name'])).trim()).toBe('widget.example.com/w1');
  });

  it('custom resources are validated against the CRD schema (types, bounds, enum, unknown fields)', async () => {
    expect(await fails(['create', '-f', '-'], widget('bad', '{size: 30, color: green}'))).toBe(
      [
        'The Widget "bad" is invalid: ',
        '* spec.color: Unsupported value: "green": supported values: "red", "blue"',
        '* spec.size: Invalid value: 30: spec.size in body should be less than or equal to 10',
      ].join('\n'),
    );
    expect(await fails(['create', '-f', '-'], widget('bad', '{color: red}'))).toBe('The Widget "bad" is invalid: spec.size: Required value');
    expect(await fails(['apply', '-f', '-'], widget('bad', '{size: 2, shape: round}'))).toBe(
      'Error from server (BadRequest): error when creating "STDIN": Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.shape"',
    );
    expect(await fails(['get', 'widget', 'bad'])).toContain('NotFound');
  });

  it('deleting the CRD removes its resources from discovery and its objects from the store', async () => {
    await ok(['delete', 'crd', 'widgets.example.com']);
    expect((await ok(['api-resources', '--api-group=example.com'])).trim()).toBe('NAME   SHORTNAMES   APIVERSION   NAMESPACED   KIND');
    // Re-created, the CRD starts empty: the old custom resources went with it.
    await ok(['apply', '-f', '-'], crd);
    expect((await kubectl(['get', 'widgets', '-o', 'name'])).stdout.trim()).toBe('');
    await ok(['delete', 'crd', 'widgets.example.com']);
  });
});
