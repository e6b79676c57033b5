import { describe, expect, it } from 'vitest';
import { resourceForKind } from './registry.js';
import { INITIAL_NAMESPACES, KubeStore } from './store.js';

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

  it("a Job's generated selector and labels carry its uid from its first version", () => {
    const store = new KubeStore();
    const job = store.create(resourceForKind('Job'), 'default', { metadata: { name: 'j' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x:1' }] } } } }) as any;
    const uid = job.metadata.uid;
    expect(uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(job.spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
    expect(job.spec.template.metadata.labels).toEqual({ 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'j', 'controller-uid': uid, 'job-name': 'j' });
    expect(job.metadata.labels['controller-uid']).toBe(uid);
    expect(job.metadata.resourceVersion).toBe(store.get(resourceForKind('Job'), 'default', 'j')!.metadata.resourceVersion);
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

  it('cascades deletes through owner references, or orphans', async () => {
    const store = new KubeStore();
    const rs = store.create(RS, 'default', { metadata: { name: 'r' }, spec: { selector: { matchLabels: { app: 'a' } }, template } });
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r', uid: rs.metadata.uid ?? '' };
    store.create(POD, 'default', { metadata: { name: 'p1', ownerReferences: [owner] }, spec: template.spec });
    store.create(POD, 'default', { metadata: { name: 'p2', ownerReferences: [owner] }, spec: template.spec });
    store.delete(RS, 'default', 'r', { propagationPolicy: 'Orphan' });
    await store.idle();
    expect(store.list(POD).map((p) => [p.metadata.name, p.metadata.ownerReferences])).toEqual([['p1', undefined], ['p2', undefined]]);

    const rs2 = store.create(RS, 'default', { metadata: { name: 'r2' }, spec: { selector: { matchLabels: { app: 'a' } }, template } });
    store.create(POD, 'default', { metadata: { name: 'p3', ownerReferences: [{ ...owner, name: 'r2', uid: rs2.metadata.uid ?? '' }] }, spec: template.spec });
    store.delete(RS, 'default', 'r2');
    await store.idle();
    expect(store.get(POD, 'default', 'p3')).toBeUndefined();
  });

  it('deleting a namespace removes its objects and notifies listeners', async () => {
    const store = new KubeStore();
    store.create(NS, undefined, { metadata: { name: 'tmp' } });
    store.create(CM, 'tmp', { metadata: { name: 'c' } });
    const seen: string[] = [];
    store.onChange((type, def, obj) => seen.push(`${type} ${def.plural} ${obj.metadata.name}`));
    store.delete(NS, undefined, 'tmp');
    expect(store.get(NS, undefined, 'tmp')).toMatchObject({ status: { phase: 'Terminating' } });
    await store.idle();
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

describe('KubeStore deletion semantics', () => {
  it('an object with finalizers stays with a deletionTimestamp until the last one is removed', async () => {
    const store = new KubeStore();
    store.create(CM, 'default', { metadata: { name: 'f', finalizers: ['example.com/hold'] } });
    const held = store.delete(CM, 'default', 'f');
    expect(held.metadata.deletionTimestamp).toBeDefined();
    expect(held.metadata.deletionGracePeriodSeconds).toBe(0);
    await store.idle();
    const cur = store.require(CM, 'default', 'f');
    expect(() => store.update(CM, 'default', 'f', { ...cur, metadata: { ...cur.metadata, deletionTimestamp: undefined } })).not.toThrow();
    expect(store.require(CM, 'default', 'f').metadata.deletionTimestamp).toBe(held.metadata.deletionTimestamp);
    const again = store.require(CM, 'default', 'f');
    store.update(CM, 'default', 'f', { ...again, metadata: { ...again.metadata, finalizers: [] } });
    expect(store.get(CM, 'default', 'f')).toBeUndefined();
  });

  it('Foreground keeps the owner until its dependents are gone; Background deletes the owner first', async () => {
    const store = new KubeStore();
    const rs = store.create(RS, 'default', { metadata: { name: 'r' }, spec: { selector: { matchLabels: { app: 'a' } }, template } });
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r', uid: rs.metadata.uid ?? '', blockOwnerDeletion: true };
    store.create(CM, 'default', { metadata: { name: 'dep', ownerReferences: [owner], finalizers: ['x/hold'] } });
    const deleting = store.delete(RS, 'default', 'r', { propagationPolicy: 'Foreground' });
    expect(deleting.metadata.finalizers).toEqual(['foregroundDeletion']);
    await store.idle();
    expect(store.get(RS, 'default', 'r')).toBeDefined();
    const dep = store.require(CM, 'default', 'dep');
    expect(dep.metadata.deletionTimestamp).toBeDefined();
    store.update(CM, 'default', 'dep', { ...dep, metadata: { ...dep.metadata, finalizers: [] } });
    await store.idle();
    expect(store.get(CM, 'default', 'dep')).toBeUndefined();
    expect(store.get(RS, 'default', 'r')).toBeUndefined();
  });

  it('pods bound to a node are deleted gracefully; gracePeriodSeconds=0 deletes at once', async () => {
    const store = new KubeStore({ gc: { podTerminationMs: false } });
    store.create(POD, 'default', { metadata: { name: 'p' }, spec: { ...template.spec, nodeName: 'n1', terminationGracePeriodSeconds: 20 } });
    const t = store.delete(POD, 'default', 'p');
    expect(t.metadata.deletionGracePeriodSeconds).toBe(20);
    expect(Date.parse(t.metadata.deletionTimestamp ?? '') - Date.now()).toBeGreaterThan(15_000);
    expect(store.delete(POD, 'default', 'p', { gracePeriodSeconds: 5 }).metadata.deletionGracePeriodSeconds).toBe(5);
    store.delete(POD, 'default', 'p', { gracePeriodSeconds: 0 });
    expect(store.get(POD, 'default', 'p')).toBeUndefined();
    store.create(POD, 'default', { metadata: { name: 'unbound' }, spec: template.spec });
    store.delete(POD, 'default', 'unbound');
    expect(store.get(POD, 'default', 'unbound')).toBeUndefined();
    store.close();
  });

  it('refuses content in a terminating namespace and preconditions that do not hold', () => {
    const store = new KubeStore({ gc: { namespaces: false } });
    store.create(NS, undefined, { metadata: { name: 'going' } });
    store.delete(NS, undefined, 'going');
    expect(() => store.create(CM, 'going', { metadata: { name: 'c' } })).toThrow(/unable to create new content in namespace going because it is being terminated/);
    store.create(CM, 'default', { metadata: { name: 'p' } });
    expect(() => store.delete(CM, 'default', 'p', { preconditions: { uid: 'other' } })).toThrow(/Precondition failed: UID in precondition: other/);
    store.close();
  });
});

describe('KubeStore history and persistence', () => {
  it('answers changes since a version, and 410 Expired once compacted', () => {
    const store = new KubeStore({ historySize: 10, historyRetentionMs: 0 });
    const first = Number(store.create(CM, 'default', { metadata: { name: 'h0' } }).metadata.resourceVersion);
    expect(store.changesSince(first - 1).map((e) => e.obj.metadata.name)).toEqual(['h0']);
    for (let i = 1; i < 30; i++) store.create(CM, 'default', { metadata: { name: `h${i}` } });
    expect(() => store.changesSince(first)).toThrow(expect.objectContaining({ httpCode: 410, reason: 'Expired' }));
    const oldest = store.oldestResourceVersion();
    expect(store.changesSince(oldest).length).toBeGreaterThanOrEqual(10);
    store.close();
  });

  it('lists as of an older version from the history', () => {
    const store = new KubeStore();
    store.create(CM, 'default', { metadata: { name: 'a' }, data: { v: '1' } });
    const rv = Number(store.resourceVersion());
    const a = store.require(CM, 'default', 'a');
    store.update(CM, 'default', 'a', { ...a, data: { v: '2' } });
    store.create(CM, 'default', { metadata: { name: 'b' } });
    const then = store.listAt(CM, rv, { namespace: 'default' });
    expect(then.map((o) => [o.metadata.name, (o as { data?: { v?: string } }).data?.v])).toEqual([['a', '1']]);
    store.close();
  });

  it('a store reopened on its data dir has the same objects, versions, uids and history', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'kube-store-'));
    try {
      const one = new KubeStore({ dataDir: dir, historySize: 10, historyRetentionMs: 0 });
      const created = Array.from({ length: 25 }, (_, i) => one.create(CM, 'default', { metadata: { name: `c${i}` }, data: { i: String(i) } }));
      one.delete(CM, 'default', 'c3');
      const rv = one.resourceVersion();
      const oldest = one.oldestResourceVersion();
      one.close();
      const two = new KubeStore({ dataDir: dir, historySize: 10, historyRetentionMs: 0 });
      expect(two.resumed).toBe(true);
      expect(two.resourceVersion()).toBe(rv);
      expect(two.oldestResourceVersion()).toBe(oldest);
      const c5 = two.require(CM, 'default', 'c5');
      expect(c5.metadata.uid).toBe(created[5].metadata.uid);
      expect(c5.metadata.resourceVersion).toBe(created[5].metadata.resourceVersion);
      expect(two.get(CM, 'default', 'c3')).toBeUndefined();
      expect(two.changesSince(Number(rv) - 1).map((e) => [e.type, e.obj.metadata.name])).toEqual([['DELETED', 'c3']]);
      expect(two.create(CM, 'default', { metadata: { name: 'next' } }).metadata.resourceVersion).toBe(String(Number(rv) + 1));
      two.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('KubeStore crash safety', () => {
  it('a torn last line (a crash mid-append) is ignored; corruption elsewhere stops the load', async () => {
    const { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'kube-torn-'));
    try {
      const one = new KubeStore({ dataDir: dir });
      one.create(CM, 'default', { metadata: { name: 'kept' } });
      const rv = one.resourceVersion();
      one.close();
      appendFileSync(join(dir, 'changes.jsonl'), '{"type":"ADDED","rv":99,"key":"/configmaps","id":"default/torn","obj":{"meta');
      const two = new KubeStore({ dataDir: dir });
      expect(two.resourceVersion()).toBe(rv);
      expect(two.get(CM, 'default', 'kept')).toBeDefined();
      expect(two.get(CM, 'default', 'torn')).toBeUndefined();
      two.create(CM, 'default', { metadata: { name: 'after' } });
      two.close();
      const three = new KubeStore({ dataDir: dir });
      expect(three.get(CM, 'default', 'after')?.metadata.resourceVersion).toBe(String(Number(rv) + 1));
      three.close();
      const lines = readFileSync(join(dir, 'changes.jsonl'), 'utf8').split('\n');
      writeFileSync(join(dir, 'changes.jsonl'), ['{not json', ...lines].join('\n'));
      expect(() => new KubeStore({ dataDir: dir })).toThrow(/corrupt at line 1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('KubeStore data dir lock', () => {
  it('refuses a data dir another live process holds; reclaims a dead one\'s', async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { spawn } = await import('node:child_process');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'kube-lock-'));
    const other = spawn('sleep', ['30']);
    try {
      writeFileSync(join(dir, 'lock'), String(other.pid));
      expect(() => new KubeStore({ dataDir: dir })).toThrow(`the Kubernetes data dir ${dir} is in use by process ${other.pid}`);
      other.kill('SIGKILL');
      await new Promise((r) => other.once('exit', r));
      const store = new KubeStore({ dataDir: dir });
      store.close();
    } finally {
      other.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('KubeStore group commit', () => {
  it('what flush() acknowledged is on disk without a close (as after a SIGKILL)', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'kube-flush-'));
    try {
      const one = new KubeStore({ dataDir: dir });
      const made = Array.from({ length: 50 }, (_, i) => one.create(CM, 'default', { metadata: { name: `g${i}` } }));
      await one.flush();
      const crashed = new KubeStore({ dataDir: dir }); // `one` never closed: only what was flushed counts
      const uids = (objs: { metadata: { uid?: string } }[]) => objs.map((o) => o.metadata.uid).sort();
      expect(uids(crashed.list(CM, { namespace: 'default' }))).toEqual(uids(made));
      expect(crashed.resourceVersion()).toBe(one.resourceVersion());
      crashed.close();
      one.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
