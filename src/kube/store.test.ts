import { describe, expect, it } from 'vitest';
import { resourceForKind } from './registry.js';
import { INITIAL_NAMESPACES, KubeStore } from './store.js';
import type { KubeObject } from './types.js';

const NS = resourceForKind('Namespace');
const CM = resourceForKind('ConfigMap');
const RS = resourceForKind('ReplicaSet');
const POD = resourceForKind('Pod');

const template = { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } };

describe('KubeStore', () => {
  it('starts with the standard namespaces and their default service accounts', () => {
    const store = new KubeStore();
    expect(store.list(NS).map((n) => n.metadata.name)).toEqual([...INITIAL_NAMESPACES].sort());
    expect(store.list(resourceForKind('ServiceAccount'), { namespace: 'default' }).map((s) => s.metadata.name)).toEqual(['default']);
  });

  it('uses one global resourceVersion counter; no-op updates keep the version', () => {
    const store = new KubeStore();
    const a = store.create(CM, 'default', { metadata: { name: 'a' }, data: { k: 'v' } });
    const b = store.create(CM, 'default', { metadata: { name: 'b' } });
    expect(Number(b.metadata.resourceVersion)).toBe(Number(a.metadata.resourceVersion) + 1);
    expect(store.update(CM, 'default', 'a', a).metadata.resourceVersion).toBe(a.metadata.resourceVersion);
    expect(store.resourceVersion()).toBe(b.metadata.resourceVersion);
  });

  it('bumps generation only when the spec changes', () => {
    const store = new KubeStore();
    const rs = store.create(RS, 'default', { metadata: { name: 'r' }, spec: { replicas: 1, selector: { matchLabels: { app: 'a' } }, template } });
    expect(rs.metadata.generation).toBe(1);
    const labelled = store.update(RS, 'default', 'r', { ...rs, metadata: { ...rs.metadata, labels: { x: 'y' } } });
    expect(labelled.metadata.generation).toBe(1);
    const scaled = store.update(RS, 'default', 'r', { ...labelled, spec: { ...(labelled.spec as object), replicas: 2 } });
    expect(scaled.metadata.generation).toBe(2);
  });

  it('cascades deletes through owner references, or orphans', () => {
    const store = new KubeStore();
    const rs = store.create(RS, 'default', { metadata: { name: 'r' }, spec: { selector: { matchLabels: { app: 'a' } }, template } });
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r', uid: rs.metadata.uid ?? '' };
    store.create(POD, 'default', { metadata: { name: 'p1', ownerReferences: [owner] }, spec: template.spec });
    store.create(POD, 'default', { metadata: { name: 'p2', ownerReferences: [owner] }, spec: template.spec });
    store.delete(RS, 'default', 'r', { propagationPolicy: 'Orphan' });
    expect(store.list(POD).map((p) => [p.metadata.name, p.metadata.ownerReferences])).toEqual([['p1', undefined], ['p2', undefined]]);

    const rs2 = store.create(RS, 'default', { metadata: { name: 'r2' }, spec: { selector: { matchLabels: { app: 'a' } }, template } });
    store.create(POD, 'default', { metadata: { name: 'p3', ownerReferences: [{ ...owner, name: 'r2', uid: rs2.metadata.uid ?? '' }] }, spec: template.spec });
    store.delete(RS, 'default', 'r2');
    expect(store.get(POD, 'default', 'p3')).toBeUndefined();
  });

  it('deleting a namespace marks it Terminating; once its finalizer is removed it goes with its objects', () => {
    const store = new KubeStore();
    store.create(NS, undefined, { metadata: { name: 'tmp' } });
    store.create(CM, 'tmp', { metadata: { name: 'c' } });
    const seen: string[] = [];
    store.onChange((type, def, obj) => seen.push(`${type} ${def.plural} ${obj.metadata.name}`));
    const marked = store.delete(NS, undefined, 'tmp') as KubeObject & { status: { phase: string } };
    expect(marked.status.phase).toBe('Terminating');
    expect(marked.metadata.deletionTimestamp).toBeTruthy();
    expect(() => store.create(CM, 'tmp', { metadata: { name: 'late' } })).toThrow(/unable to create new content in namespace tmp because it is being terminated/);
    store.update(NS, undefined, 'tmp', { ...marked, spec: { finalizers: [] } }, { subresource: 'finalize' });
    expect(store.get(NS, undefined, 'tmp')).toBeUndefined();
    expect(store.get(CM, 'tmp', 'c')).toBeUndefined();
    expect(seen).toEqual(expect.arrayContaining(['DELETED namespaces tmp', 'DELETED configmaps c', 'DELETED serviceaccounts default']));
    expect(() => store.create(CM, 'tmp', { metadata: { name: 'again' } })).toThrow(/namespaces "tmp" not found/);
  });

  it('registerNode creates then relabels', () => {
    const store = new KubeStore();
    store.registerNode('w1', { zone: 'a' });
    const node = store.registerNode('w1', { gpu: 'true' });
    expect(node.metadata.labels).toMatchObject({ zone: 'a', gpu: 'true', 'kubernetes.io/hostname': 'w1' });
    store.unregisterNode('w1');
    expect(store.get(resourceForKind('Node'), undefined, 'w1')).toBeUndefined();
  });
});
