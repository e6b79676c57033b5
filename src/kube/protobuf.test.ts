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
