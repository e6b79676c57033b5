import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, decodeKubeProtobuf, decodeMessage } from './protobuf.js';

/** Bodies captured from the real kubectl 1.32.4 `create` commands against this server. */
const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}.pb`, import.meta.url));

describe('protobuf envelope', () => {
  it('splits k8s\\0 + runtime.Unknown', () => {
    const env = decodeEnvelope(fixture('create-namespace'));
    expect(env.apiVersion).toBe('v1');
    expect(env.kind).toBe('Namespace');
    expect(env.contentEncoding).toBe('');
    expect(env.raw.length).toBeGreaterThan(0);
  });

  it('rejects bodies without the magic prefix', () => {
    expect(() => decodeEnvelope(Buffer.from('{"kind":"Pod"}'))).toThrow(/magic/);
  });
});

describe('decodeKubeProtobuf with kubectl create fixtures', () => {
  it('namespace', () => {
    const o = decodeKubeProtobuf(fixture('create-namespace'));
    expect(o).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' }, spec: {} });
  });

  it('configmap', () => {
    const o = decodeKubeProtobuf(fixture('create-configmap'));
    expect(o.kind).toBe('ConfigMap');
    expect(o.metadata).toEqual({ name: 'cfg', namespace: 'demo' });
    expect(o.data).toEqual({ a: '1', b: 'two' });
  });

  it('secret (bytes become base64)', () => {
    const o = decodeKubeProtobuf(fixture('create-secret'));
    expect(o.kind).toBe('Secret');
    expect(o.type).toBeUndefined(); // kubectl leaves type empty; the server defaults it
    expect(o.data).toEqual({ user: Buffer.from('admin').toString('base64'), pw: Buffer.from('s3cret').toString('base64') });
  });

  it('deployment with pod template, ports and pointer fields', () => {
    const o = decodeKubeProtobuf(fixture('create-deployment')) as any;
    expect(o.apiVersion).toBe('apps/v1');
    expect(o.kind).toBe('Deployment');
    expect(o.metadata).toEqual({ name: 'web', namespace: 'demo', labels: { app: 'web' } });
    expect(o.spec.replicas).toBe(3);
    expect(o.spec.selector).toEqual({ matchLabels: { app: 'web' } });
    expect(o.spec.template.metadata.labels).toEqual({ app: 'web' });
    expect(o.spec.template.spec.containers).toEqual([
      { name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: {} },
    ]);
  });

  it('service with IntOrString targetPort', () => {
    const o = decodeKubeProtobuf(fixture('create-service')) as any;
    expect(o.kind).toBe('Service');
    expect(o.metadata.labels).toEqual({ app: 'web' });
    expect(o.spec.type).toBe('ClusterIP');
    expect(o.spec.selector).toEqual({ app: 'web' });
    expect(o.spec.ports).toEqual([{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }]);
  });
});

describe('decodeMessage', () => {
  it('decodes negative int64 varints and keeps pointer zeros', () => {
    // field 1 varint -1 (10 bytes), field 2 varint 0
    const buf = Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x10, 0x00]);
    expect(decodeMessage(buf, { 1: ['a', 'int'], 2: ['b', 'int?'] })).toEqual({ a: -1, b: 0 });
  });

  it('skips unknown fields of every wire type', () => {
    const buf = Buffer.from([0x09, 1, 2, 3, 4, 5, 6, 7, 8, 0x15, 1, 2, 3, 4, 0x1a, 0x01, 0x41]);
    expect(decodeMessage(buf, { 3: ['s', 'string'] })).toEqual({ s: 'A' });
  });
});

describe('decodeKubeProtobuf: the other kinds kubectl 1.32 sends as protobuf', () => {
  const body = (name: string) => decodeKubeProtobuf(fixture(name)) as any;

  it('create job / cronjob', () => {
    expect(body('create-job')).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'hello' },
      spec: { template: { metadata: {}, spec: { containers: [{ name: 'hello', image: 'busybox', command: ['echo', 'hi'], resources: {} }], restartPolicy: 'Never' } } },
    });
    const cj = body('create-cronjob');
    expect(cj.spec.schedule).toBe('*/5 * * * *');
    expect(cj.spec.jobTemplate.spec.template.spec.restartPolicy).toBe('OnFailure');
    expect(cj.spec.jobTemplate.spec.template.spec.containers[0].command).toEqual(['date']);
  });

  it('autoscale (autoscaling/v1 HorizontalPodAutoscaler)', () => {
    expect(body('autoscale')).toMatchObject({
      apiVersion: 'autoscaling/v1',
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'x', apiVersion: 'apps/v1' }, maxReplicas: 3, targetCPUUtilizationPercentage: 50 },
    });
  });

  it('RBAC: role, rolebinding, clusterrole, clusterrolebinding (empty strings kept in lists)', () => {
    expect(body('create-role').rules).toEqual([{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'configmaps'], resourceNames: ['a'] }]);
    expect(body('create-rolebinding')).toMatchObject({
      subjects: [
        { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
        { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' },
        { kind: 'ServiceAccount', name: 'default', namespace: 'default' },
      ],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
    });
    expect(body('create-clusterrole').rules).toEqual([{ verbs: ['get'], apiGroups: [''], resources: ['nodes'] }]);
    expect(body('create-clusterrolebinding').roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cr' });
  });

  it('quota, priorityclass, pdb (int-or-string), ingress (inline rule value)', () => {
    expect(body('create-quota').spec).toEqual({ hard: { cpu: '2', pods: '10' } });
    expect(body('create-priorityclass')).toMatchObject({ value: 1000, description: 'hi', preemptionPolicy: 'Never' });
    expect(body('create-pdb').spec).toEqual({ minAvailable: '50%', selector: { matchLabels: { app: 'x' } } });
    expect(body('create-ingress').spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{ hosts: ['foo.com'], secretName: 'my-cert' }],
      rules: [{ host: 'foo.com', http: { paths: [{ path: '/bar', pathType: 'Prefix', backend: { service: { name: 'svc1', port: { number: 8080 } } } }] } }],
    });
  });

  it('create token (TokenRequest) and certificate approve (CSR with status conditions and times)', () => {
    expect(body('create-token')).toEqual({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec: { audiences: ['a'], expirationSeconds: 600 } });
    const csr = body('certificate-approve');
    expect(csr.spec.signerName).toBe('kubernetes.io/kube-apiserver-client');
    expect(Buffer.from(csr.spec.request, 'base64').toString()).toContain('BEGIN CERTIFICATE REQUEST');
    expect(csr.status.conditions).toEqual([
      { type: 'Approved', status: 'True', reason: 'KubectlApprove', message: 'This CSR was approved by kubectl certificate approve.', lastUpdateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) },
    ]);
  });

  it('kinds without a schema are refused (415), not stored with their fields dropped', () => {
    const env = fixture('create-namespace');
    const patched = Buffer.from(env.toString('latin1').replace('Namespace', 'Nonesuchx'), 'latin1');
    expect(() => decodeKubeProtobuf(patched)).toThrow('cannot decode v1 Nonesuchx from protobuf');
  });
});
