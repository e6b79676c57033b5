import { describe, expect, it } from 'vitest';
import { continueExpired, decodeContinue, encodeContinue } from './continue.js';
import { applyConflicts, fieldsV1Of, pathText, pruneUnapplied, takeOwnership, withManager } from './managed-fields.js';
import { resourceForKind } from './registry.js';
import { parseLabelSelector } from './selectors.js';
import { KubeStore } from './store.js';
import { eventFor } from './watch.js';

const CM = resourceForKind('ConfigMap');

describe('watch events', () => {
  it('selectors apply to both sides of a change', () => {
    const store = new KubeStore();
    const start = Number(store.resourceVersion());
    const a = store.create(CM, 'default', { metadata: { name: 'a', labels: { t: 'x' } } });
    store.update(CM, 'default', 'a', { ...a, metadata: { ...a.metadata, labels: { t: 'y' } } });
    const b = store.require(CM, 'default', 'a');
    store.update(CM, 'default', 'a', { ...b, metadata: { ...b.metadata, labels: { t: 'x' } } });
    store.delete(CM, 'default', 'a');
    const opts = { labels: parseLabelSelector('t=x') };
    const seen = store.changesSince(start).map((e) => eventFor(CM, e, opts)?.type ?? '-');
    expect(seen).toEqual(['ADDED', 'DELETED', 'ADDED', 'DELETED']);
    expect(store.changesSince(start).map((e) => eventFor(CM, e, { namespace: 'other' })?.type ?? '-')).toEqual(['-', '-', '-', '-']);
    expect(store.changesSince(start).map((e) => eventFor(resourceForKind('Secret'), e, {}))).toEqual([undefined, undefined, undefined, undefined]);
    store.close();
  });
});

describe('continue tokens', () => {
  it('round-trip and refuse garbage with 400', () => {
    const t = encodeContinue({ rv: 42, start: 'default/x' });
    expect(JSON.parse(Buffer.from(t, 'base64url').toString())).toEqual({ v: 'meta.k8s.io/v1', rv: 42, start: 'default/x\u0000' });
    expect(decodeContinue(t)).toEqual({ rv: 42, start: 'default/x' });
    for (const bad of ['garbage!', '5', Buffer.from('{"v":"meta.k8s.io/v1","rv":-1,"start":"a\\u0000"}').toString('base64url')]) {
      expect(() => decodeContinue(bad)).toThrow(expect.objectContaining({ httpCode: 400, reason: 'BadRequest' }));
    }
    expect(continueExpired().httpCode).toBe(410);
  });
});

describe('managedFields', () => {
  it('FieldsV1 of an object: maps with ".", keyed list items, sets, no identity or status', () => {
    const fields = fieldsV1Of({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'd', labels: { app: 'a' }, finalizers: ['f'] },
      spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }], restartPolicy: 'Always' },
      status: { phase: 'Running' },
    });
    expect(fields).toEqual({
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} }, 'f:finalizers': { '.': {}, 'v:"f"': {} } },
      'f:spec': {
        'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:name': {}, 'f:image': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } } },
        'f:restartPolicy': {},
      },
    });
  });

  it('one entry per manager and operation; a repeated write replaces its own', () => {
    const one = withManager(undefined, { manager: 'a', operation: 'Apply', apiVersion: 'v1', fields: { 'f:data': {} } });
    const two = withManager(one, { manager: 'b', operation: 'Update', apiVersion: 'v1', fields: { 'f:x': {} } });
    const three = withManager(two, { manager: 'a', operation: 'Apply', apiVersion: 'v1', fields: { 'f:y': {} } });
    expect(three.map((m) => [m.manager, m.operation, Object.keys(m.fieldsV1)])).toEqual([['a', 'Apply', ['f:y']], ['b', 'Update', ['f:x']]]);
  });
});

describe('server-side apply ownership', () => {
  const owned = (manager: string, operation: 'Apply' | 'Update', obj: any) => withManager(undefined, { manager, operation, apiVersion: 'apps/v1', fields: fieldsV1Of(obj) })[0];
  it('conflicts name the other manager and the path; force moves the field', () => {
    const current: any = { metadata: { name: 'd' }, spec: { replicas: 2, template: { spec: { containers: [{ name: 'c', image: 'a' }] } } } };
    current.metadata.managedFields = [owned('hpa', 'Update', { spec: { replicas: 2 } }), owned('ci', 'Update', { spec: { template: { spec: { containers: [{ name: 'c', image: 'a' }] } } } })];
    const applied: any = { metadata: { name: 'd' }, spec: { replicas: 3, template: { spec: { containers: [{ name: 'c', image: 'a' }] } } } };
    const conflicts = applyConflicts(current, applied, 'me');
    expect(conflicts.map((c) => [c.manager, pathText(c.path)])).toEqual([['hpa', '.spec.replicas']]);
    expect(pathText(['f:spec', 'f:containers', 'k:{"name":"c"}', 'f:image'])).toBe('.spec.containers[name="c"].image');
    expect(takeOwnership(current.metadata.managedFields, conflicts).map((e) => e.manager)).toEqual(['ci']);
  });

  it('fields no longer applied and owned by no one else are removed', () => {
    const before: any = { metadata: { labels: { a: '1', b: '2' } }, spec: { containers: [{ name: 'x', image: 'i' }, { name: 'y', image: 'j' }] } };
    const owners = [owned('me', 'Apply', before)];
    const merged: any = structuredClone(before);
    pruneUnapplied(merged, owners, 'me', { metadata: { labels: { a: '1' } }, spec: { containers: [{ name: 'x', image: 'i' }] } } as any);
    expect(merged).toEqual({ metadata: { labels: { a: '1' } }, spec: { containers: [{ name: 'x', image: 'i' }] } });
  });
});
