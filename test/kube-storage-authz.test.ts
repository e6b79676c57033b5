/**
 * The embedded Kubernetes API's storage, watch and authorization, driven by the real kubectl (/usr/bin/kubectl):
 * watch (`get -w`, `--output-watch-events`, bookmarks, 410 for compacted versions, selectors), paginated lists
 * with opaque continue tokens (garbage → 400, compacted → 410), graceful deletion and finalizers, managedFields
 * after server-side apply, persistence across a SIGKILL (same objects, resourceVersions and uids; a watch resumes
 * from an old version), RBAC enforced for impersonated identities, `auth can-i` and `auth whoami`.
 */
import { writePlainKubeconfig, spawnKubectl } from './helpers/kubectl.js';
import { clusterRbacObjects } from '../src/nautilus/rbac-bootstrap.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApi, type KubeApi } from '../src/kube/index.js';
import { BIN, ROOT } from './helpers/cli.js';

const KUBECTL = '/usr/bin/kubectl';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let root: string;

function writeKubeconfig(dir: string, url: string): string {
  const path = join(dir, `kubeconfig-${url.split(':').pop()}`);
  writePlainKubeconfig(path, url);
  return path;
}

function kubectlArgs(kubeconfig: string, args: string[]): string[] {
  return ['--kubeconfig', kubeconfig, '--cache-dir', join(root, 'cache'), ...args];
}

function kubectl(kubeconfig: string, args: string[], input?: string, timeoutMs = 20_000): Promise<Run> {
  return spawnKubectl(kubectlArgs(kubeconfig, args), root, input, timeoutMs);
}

async function ok(kubeconfig: string, args: string[], input?: string): Promise<string> {
  const r = await kubectl(kubeconfig, args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** A long-running kubectl (a watch): its output so far, a wait for text, and a stop. */
function background(kubeconfig: string, args: string[]) {
  const child = spawn(KUBECTL, kubectlArgs(kubeconfig, args), { env: { ...process.env, KUBECONFIG: '', HOME: root } });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return {
    out,
    exited,
    /** Waits until `pred` holds for what kubectl printed (stdout, then stderr). */
    async waitFor(pred: (printed: string) => boolean, ms = 15_000): Promise<void> {
      const until = Date.now() + ms;
      while (!pred(out.stdout + out.stderr)) {
        if (Date.now() > until) throw new Error(`kubectl ${args.join(' ')} never printed what was expected; stdout:\n${out.stdout}\nstderr:\n${out.stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop(): Promise<number> {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function watchEvents(url: string, path: string, until: (events: any[]) => boolean, ms = 10_000): Promise<{ status: number; events: any[] }> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  const res = await fetch(url + path, { signal: ac.signal });
  const events: any[] = [];
  let buf = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += Buffer.from(chunk).toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
      if (until(events)) break;
    }
  } catch (err) {
    if (!ac.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return { status: res.status, events };
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kube-storage-authz-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('watch, pagination, deletion and managedFields with kubectl', () => {
  let api: KubeApi;
  let kc: string;
  beforeAll(async () => {
    api = await startKubeApi({ port: 0, simulation: { podStartDelayMs: 50 }, authorization: { enforce: true }, watchBookmarkMs: 200 });
    kc = writeKubeconfig(root, api.url);
  });
  afterAll(async () => api?.close());

  it('kubectl get pods -w sees a pod another kubectl creates, then its deletion', async () => {
    await ok(kc, ['run', 'sentinel', '--image=busybox', '--restart=Never']);
    const w = background(kc, ['get', 'pods', '-w', '--output-watch-events']);
    await w.waitFor((s) => /ADDED\s+sentinel/.test(s));
    await ok(kc, ['run', 'watched', '--image=busybox', '--restart=Never']);
    await w.waitFor((s) => /ADDED\s+watched/.test(s));
    await w.waitFor((s) => /MODIFIED\s+watched\s+1\/1\s+Running/.test(s));
    expect(await ok(kc, ['delete', 'pod', 'watched'])).toContain('pod "watched" deleted');
    await w.waitFor((s) => /DELETED\s+watched/.test(s));
    await w.stop();
    expect(w.out.stdout.split('\n')[0]).toMatch(/^EVENT\s+NAME\s+READY\s+STATUS/);
  });

  it('get -w on one object and with a label selector; an object leaving the selection is DELETED', async () => {
    await ok(kc, ['create', 'cm', 'sel', '--from-literal=a=1']);
    await ok(kc, ['label', 'cm', 'sel', 'tier=web']);
    const byLabel = background(kc, ['get', 'cm', '-l', 'tier=web', '-w', '--output-watch-events']);
    const byName = background(kc, ['get', 'cm', 'sel', '-w', '-o', 'name']);
    await byLabel.waitFor((s) => /ADDED\s+sel/.test(s));
    await byName.waitFor((s) => s.includes('configmap/sel'));
    await ok(kc, ['label', 'cm', 'sel', 'tier-']);
    await byLabel.waitFor((s) => /DELETED\s+sel/.test(s));
    await byName.waitFor((s) => s.split('configmap/sel').length >= 3);
    await Promise.all([byLabel.stop(), byName.stop()]);
  });

  it('watch streams honour resourceVersion, bookmarks and timeoutSeconds', async () => {
    const created = JSON.parse(await ok(kc, ['create', 'cm', 'rv1', '-o', 'json']));
    const rv = created.metadata.resourceVersion;
    await ok(kc, ['label', 'cm', 'rv1', 'x=y']);
    const from = await watchEvents(api.url, `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true`, (evs) => evs.some((e) => e.type === 'BOOKMARK'));
    expect(from.status).toBe(200);
    expect(from.events[0]).toMatchObject({ type: 'MODIFIED', object: { metadata: { name: 'rv1', labels: { x: 'y' } } } });
    expect(from.events.some((e) => e.type === 'ADDED' && e.object.metadata.name === 'rv1')).toBe(false);
    const bookmark = from.events.find((e) => e.type === 'BOOKMARK');
    expect(bookmark.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
    expect(Number(bookmark.object.metadata.resourceVersion)).toBeGreaterThan(Number(rv));
    const fresh = await watchEvents(api.url, '/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1', () => false);
    expect(fresh.events.filter((e) => e.type === 'ADDED').map((e) => e.object.metadata.name)).toEqual(expect.arrayContaining(['rv1', 'sel']));
    const initial = await watchEvents(api.url, '/api/v1/namespaces/default/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true', (evs) => evs.some((e) => e.type === 'BOOKMARK'));
    expect(initial.events.find((e) => e.type === 'BOOKMARK').object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
  });

  it('paginates with opaque continue tokens; garbage is a 400 as on a real server', async () => {
    await ok(kc, ['create', 'ns', 'pages']);
    for (let i = 0; i < 7; i++) await ok(kc, ['create', 'cm', `p${i}`, '-n', 'pages']);
    // every namespace also holds kube-root-ca.crt (published by the namespace controller, as on a real cluster)
    const chunked = await kubectl(kc, ['get', 'cm', '-n', 'pages', '--chunk-size=3', '-o', 'name', '-v=6']);
    expect(chunked.stdout.trim().split('\n')).toEqual(['kube-root-ca.crt', 'p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6'].map((n) => `configmap/${n}`));
    expect(chunked.stderr.match(/continue=/g)?.length).toBe(2);
    const page = JSON.parse(await ok(kc, ['get', '--raw', '/api/v1/namespaces/pages/configmaps?limit=3']));
    expect(page.items).toHaveLength(3);
    expect(page.metadata.continue).not.toMatch(/^\d+$/);
    // the next page is the list as of the first page, even after a create
    await ok(kc, ['create', 'cm', 'p00', '-n', 'pages']);
    const next = JSON.parse(await ok(kc, ['get', '--raw', `/api/v1/namespaces/pages/configmaps?limit=10&continue=${page.metadata.continue}`]));
    expect(next.items.map((o: any) => o.metadata.name)).toEqual(['p2', 'p3', 'p4', 'p5', 'p6']);
    expect(next.metadata.resourceVersion).toBe(page.metadata.resourceVersion);
    const garbage = await kubectl(kc, ['get', '--raw', '/api/v1/namespaces/pages/configmaps?limit=3&continue=garbage!']);
    expect(garbage.code).toBe(1);
    expect(garbage.stderr).toContain('Error from server (BadRequest): continue key is not valid');
    const forged = Buffer.from(JSON.stringify({ v: 'other', rv: 1, start: 'x\u0000' })).toString('base64url');
    expect((await kubectl(kc, ['get', '--raw', `/api/v1/namespaces/pages/configmaps?limit=3&continue=${forged}`])).stderr).toContain('(BadRequest)');
  });

  it('finalizers hold a deleted object until removed; pods terminate gracefully and kubectl delete waits', async () => {
    await ok(kc, ['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  finalizers: [example.com/hold]\n');
    expect(await ok(kc, ['delete', 'cm', 'held', '--wait=false'])).toContain('configmap "held" deleted');
    const held = JSON.parse(await ok(kc, ['get', 'cm', 'held', '-o', 'json']));
    expect(held.metadata.deletionTimestamp).toBeTruthy();
    expect(held.metadata.deletionGracePeriodSeconds).toBe(0);
    await ok(kc, ['patch', 'cm', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    expect((await kubectl(kc, ['get', 'cm', 'held'])).stderr).toContain('configmaps "held" not found');

    // a container that keeps running (busybox's default sh would exit at once without stdin)
    await ok(kc, ['run', 'graceful', '--image=busybox', '--restart=Never', '--', 'sleep', '3600']);
    const started = Date.now();
    for (;;) {
      const p = JSON.parse(await ok(kc, ['get', 'pod', 'graceful', '-o', 'json']));
      if (p.status.phase === 'Running') break;
      if (Date.now() - started > 10_000) throw new Error('pod never ran');
      await new Promise((r) => setTimeout(r, 50));
    }
    const d = await kubectl(kc, ['delete', 'pod', 'graceful', '--grace-period=20']);
    expect(d.stdout).toContain('pod "graceful" deleted');
    expect((await kubectl(kc, ['get', 'pod', 'graceful'])).stderr).toContain('not found');
  });

  it('Foreground deletion keeps the owner until its dependents are gone', async () => {
    await ok(kc, ['create', 'deployment', 'fg', '--image=busybox']);
    const rs = async () => (await ok(kc, ['get', 'rs', '-l', 'app=fg', '-o', 'name'])).trim();
    for (let i = 0; i < 100 && !(await rs()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await rs()).toMatch(/^replicaset.apps\/fg-/);
    expect(await ok(kc, ['delete', 'deployment', 'fg', '--cascade=foreground'])).toContain('deployment.apps "fg" deleted');
    expect(await rs()).toBe('');
    expect((await kubectl(kc, ['get', 'deploy', 'fg'])).stderr).toContain('not found');
    await ok(kc, ['create', 'deployment', 'orph', '--image=busybox']);
    for (let i = 0; i < 100 && !(await ok(kc, ['get', 'rs', '-l', 'app=orph', '-o', 'name'])).trim(); i++) await new Promise((r) => setTimeout(r, 50));
    await ok(kc, ['delete', 'deployment', 'orph', '--cascade=orphan']);
    const orphan = JSON.parse(await ok(kc, ['get', 'rs', '-l', 'app=orph', '-o', 'json'])).items[0];
    expect(orphan.metadata.ownerReferences).toBeUndefined();
  });

  it('server-side apply records managedFields', async () => {
    const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  labels: {app: ssa}\ndata:\n  k: v\n';
    expect(await ok(kc, ['apply', '--server-side', '-f', '-'], manifest)).toContain('configmap/ssa serverside-applied');
    const hidden = await ok(kc, ['get', 'cm', 'ssa', '-o', 'yaml']);
    expect(hidden).not.toContain('managedFields');
    const shown = JSON.parse(await ok(kc, ['get', 'cm', 'ssa', '-o', 'json', '--show-managed-fields']));
    expect(shown.metadata.managedFields).toEqual([
      expect.objectContaining({
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { '.': {}, 'f:k': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
      }),
    ]);
    await ok(kc, ['label', 'cm', 'ssa', 'extra=1']);
    const after = JSON.parse(await ok(kc, ['get', 'cm', 'ssa', '-o', 'json', '--show-managed-fields']));
    expect(after.metadata.managedFields.map((m: any) => [m.manager, m.operation])).toEqual([['kubectl', 'Apply'], ['kubectl-label', 'Update']]);
    // a field the manager stops applying (and nobody else owns) goes away
    await ok(kc, ['apply', '--server-side', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  k: v\n');
    const pruned = JSON.parse(await ok(kc, ['get', 'cm', 'ssa', '-o', 'json']));
    expect(pruned.metadata.labels).toEqual({ extra: '1' });
    // another manager's field changed by apply: a conflict, as on a real server; --force-conflicts takes it over
    await ok(kc, ['create', 'cm', 'owned', '--from-literal=k=v']);
    const conflicting = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owned\ndata:\n  k: mine\n';
    const refused = await kubectl(kc, ['apply', '--server-side', '-f', '-'], conflicting);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl-create" using v1: .data.k');
    await ok(kc, ['apply', '--server-side', '--force-conflicts', '-f', '-'], conflicting);
    const taken = JSON.parse(await ok(kc, ['get', 'cm', 'owned', '-o', 'json', '--show-managed-fields']));
    expect(taken.data.k).toBe('mine');
    expect(taken.metadata.managedFields.map((m: any) => m.manager)).toEqual(['kubectl']);
  });
});

describe('watch history limits', () => {
  it('a version older than the kept history: 410 Expired (ERROR event for watch, HTTP 410 for continue)', async () => {
    const api = await startKubeApi({ port: 0, defaultNode: null, storage: { historySize: 10, historyRetentionMs: 0 } });
    try {
      const kc = writeKubeconfig(root, api.url);
      for (let i = 0; i < 4; i++) await ok(kc, ['create', 'cm', `early${i}`]);
      const page = JSON.parse(await ok(kc, ['get', '--raw', '/api/v1/namespaces/default/configmaps?limit=2']));
      for (let i = 0; i < 30; i++) await ok(kc, ['create', 'cm', `late${i}`]);
      const w = await watchEvents(api.url, '/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=2', (evs) => evs.length > 0);
      expect(w.status).toBe(200);
      expect(w.events).toEqual([{ type: 'ERROR', object: expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired', message: expect.stringContaining('too old resource version: 2') }) }]);
      const stale = await kubectl(kc, ['get', '--raw', `/api/v1/namespaces/default/configmaps?limit=2&continue=${page.metadata.continue}`]);
      expect(stale.code).toBe(1);
      expect(stale.stderr).toContain('The provided continue parameter is too old to display a consistent list result');
      // what kubectl reads from a watch on a compacted version
      const old = await ok(kc, ['get', '--raw', '/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=2']);
      expect(JSON.parse(old)).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
    } finally {
      await api.close();
    }
  });
});

const SPROCKETS = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'sprockets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'sprockets', kind: 'Sprocket' },
    versions: [{
      name: 'v1', served: true, storage: true,
      subresources: { status: {}, scale: { specReplicasPath: '.spec.size', statusReplicasPath: '.status.count' } },
      additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }, { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
      schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } }, status: { type: 'object', properties: { count: { type: 'integer' } } } } } },
    }],
  },
};

describe('persistence across SIGKILL', () => {
  function startChild(dataDir: string, port = 0): Promise<{ child: ChildProcess; url: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'kube-api-child.ts'), dataDir, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stderr!.on('data', (d) => (err += d));
      child.stdout!.on('data', (d) => {
        out += d;
        const line = out.split('\n')[0];
        if (out.includes('\n')) resolve({ child, url: (JSON.parse(line) as { url: string }).url });
      });
      child.on('exit', (code) => reject(new Error(`kube API child exited ${code}: ${err}`)));
    });
  }

  it('every acknowledged object survives with its resourceVersion and uid; a watch from an old version resumes', async () => {
    const dataDir = join(root, 'kube-data');
    const first = await startChild(dataDir);
    const port = Number(new URL(first.url).port);
    const kc = writeKubeconfig(root, first.url);
    await ok(kc, ['create', 'ns', 'keep']);
    await ok(kc, ['create', 'cm', 'c1', '-n', 'keep', '--from-literal=a=1']);
    const mark = JSON.parse(await ok(kc, ['get', 'cm', 'c1', '-n', 'keep', '-o', 'json'])).metadata.resourceVersion;
    await ok(kc, ['label', 'cm', 'c1', '-n', 'keep', 'after=mark']);
    await ok(kc, ['create', 'cm', 'c2', '-n', 'keep']);
    await ok(kc, ['create', 'deployment', 'd1', '-n', 'keep', '--image=busybox']);
    await ok(kc, ['create', 'rolebinding', 'rb', '-n', 'keep', '--clusterrole=view', '--user=alice']);
    // a CRD and its custom resource, scaled through the scale subresource at the paths the CRD declares
    await ok(kc, ['apply', '-f', '-'], JSON.stringify(SPROCKETS));
    await ok(kc, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Sprocket', metadata: { name: 's1', namespace: 'keep' }, spec: { size: 1 } }));
    expect(await ok(kc, ['scale', 'sprocket/s1', '-n', 'keep', '--replicas=3'])).toBe('sprocket.example.com/s1 scaled\n');
    expect(await ok(kc, ['get', 'sprocket', 's1', '-n', 'keep', '-o', 'jsonpath={.spec.size}'])).toBe('3');
    const sprocketBefore = JSON.parse(await ok(kc, ['get', 'sprocket', 's1', '-n', 'keep', '-o', 'json']));
    const before = JSON.parse(await ok(kc, ['get', 'cm,deploy,rolebinding', '-n', 'keep', '-o', 'json'])).items;
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await startChild(dataDir, port);
    try {
      expect(second.url).toBe(first.url);
      // the custom resource reloads with its CRD (CRD registration follows the store's load)
      const sprocketAfter = JSON.parse(await ok(kc, ['get', 'sprocket', 's1', '-n', 'keep', '-o', 'json']));
      expect([sprocketAfter.metadata.uid, sprocketAfter.metadata.resourceVersion, sprocketAfter.spec]).toEqual([sprocketBefore.metadata.uid, sprocketBefore.metadata.resourceVersion, { size: 3 }]);
      expect(await ok(kc, ['get', 'sprockets', '-n', 'keep'])).toMatch(/^NAME\s+SIZE\s+AGE\ns1\s+3\s+\S+\n$/);
      const after = JSON.parse(await ok(kc, ['get', 'cm,deploy,rolebinding', '-n', 'keep', '-o', 'json'])).items;
      const ids = (items: any[]) => items.map((o) => [o.kind, o.metadata.name, o.metadata.uid, o.metadata.resourceVersion]);
      // the deployment controller may have moved on (status), everything else is exactly as acknowledged
      expect(ids(after).filter(([k]) => k !== 'Deployment')).toEqual(ids(before).filter(([k]) => k !== 'Deployment'));
      expect(after.find((o: any) => o.kind === 'Deployment').metadata.uid).toBe(before.find((o: any) => o.kind === 'Deployment').metadata.uid);
      // kubectl continues where it left off: a watch from the old version sees what happened after it, not before
      const raw = (rv: string) => ok(kc, ['get', '--raw', `/api/v1/namespaces/keep/configmaps?watch=1&resourceVersion=${rv}&timeoutSeconds=1`]);
      const events = (await raw(mark)).trim().split('\n').map((l) => JSON.parse(l));
      expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([['MODIFIED', 'c1'], ['ADDED', 'c2']]);
      const w = background(kc, ['get', 'cm', '-n', 'keep', '-w', '--output-watch-events']);
      await w.waitFor((s) => /ADDED\s+c2/.test(s));
      await ok(kc, ['create', 'cm', 'c3', '-n', 'keep']);
      await w.waitFor((s) => /ADDED\s+c3/.test(s));
      await w.stop();
      const c3 = JSON.parse(await ok(kc, ['get', 'cm', 'c3', '-n', 'keep', '-o', 'json']));
      const maxBefore = Math.max(...before.map((o: any) => Number(o.metadata.resourceVersion)));
      expect(Number(c3.metadata.resourceVersion)).toBeGreaterThan(maxBefore);
      // RBAC objects persisted too: alice may read in keep
      expect((await ok(kc, ['auth', 'can-i', 'list', 'configmaps', '-n', 'keep', '--as', 'alice'])).trim()).toBe('yes');
    } finally {
      second.child.kill('SIGKILL');
    }
  });
});

describe('RBAC enforced for impersonated requests', () => {
  let api: KubeApi;
  let kc: string;
  beforeAll(async () => {
    api = await startKubeApi({ port: 0, defaultNode: null, authorization: { enforce: true } });
    kc = writeKubeconfig(root, api.url);
    await ok(kc, ['create', 'ns', 'a']);
    await ok(kc, ['create', 'ns', 'b']);
    await ok(kc, ['create', 'rolebinding', 'tenant-admin', '-n', 'a', '--clusterrole=admin', '--user=tenant']);
  });
  afterAll(async () => api?.close());

  it('an identity bound only in namespace a is denied in b by the API itself, with the real message', async () => {
    expect(await ok(kc, ['create', 'cm', 'mine', '-n', 'a', '--as', 'tenant'])).toContain('configmap/mine created');
    expect(await ok(kc, ['get', 'cm', '-n', 'a', '--as', 'tenant', '-o', 'name'])).toContain('configmap/mine');
    const list = await kubectl(kc, ['get', 'pods', '-n', 'b', '--as', 'tenant']);
    expect(list.code).toBe(1);
    expect(list.stderr).toContain('Error from server (Forbidden): pods is forbidden: User "tenant" cannot list resource "pods" in API group "" in the namespace "b"');
    const create = await kubectl(kc, ['create', 'cm', 'theirs', '-n', 'b', '--as', 'tenant']);
    expect(create.stderr).toContain('configmaps is forbidden: User "tenant" cannot create resource "configmaps" in API group "" in the namespace "b"');
    const ns = await kubectl(kc, ['create', 'ns', 'c', '--as', 'tenant']);
    expect(ns.stderr).toContain('namespaces is forbidden: User "tenant" cannot create resource "namespaces" in API group "" at the cluster scope');
    const del = await kubectl(kc, ['delete', 'ns', 'kube-system', '--as', 'tenant']);
    expect(del.stderr).toContain('namespaces "kube-system" is forbidden: User "tenant" cannot delete resource "namespaces" in API group "" in the namespace "kube-system"');
    const watch = await kubectl(kc, ['get', 'cm', '-n', 'b', '-w', '--as', 'tenant']);
    expect(watch.code).toBe(1);
    expect(watch.stderr).toContain('(Forbidden)');
  });

  it('groups arrive as separate Impersonate-Group lines; the k3sdaas groups nautilus impersonates are bound', async () => {
    expect((await kubectl(kc, ['get', 'cm', '-n', 'b', '--as', 'u', '--as-group', 'team-b'])).code).toBe(1);
    await ok(kc, ['create', 'rolebinding', 'team-b-view', '-n', 'b', '--clusterrole=view', '--group=team-b']);
    expect((await kubectl(kc, ['get', 'cm', '-n', 'b', '--as', 'u', '--as-group', 'other', '--as-group', 'team-b'])).code).toBe(0);
    expect((await kubectl(kc, ['create', 'cm', 'x', '-n', 'b', '--as', 'u', '--as-group', 'team-b'])).stderr).toContain('cannot create resource "configmaps"');
    // nautilus: user = the requester's address, groups k3sdaas:<role> + system:authenticated. Like a fresh k3s,
    // the embedded API binds none of them until nautilus installs its cluster RBAC.
    const editorFirst = ['--as', '0xabc', '--as-group', 'k3sdaas:editor', '--as-group', 'system:authenticated'];
    expect((await kubectl(kc, ['create', 'cm', 'early', '-n', 'b', ...editorFirst])).stderr).toContain('cannot create resource "configmaps"');
    await ok(kc, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: clusterRbacObjects() }));
    const editor = ['--as', '0xabc', '--as-group', 'k3sdaas:editor', '--as-group', 'system:authenticated'];
    expect(await ok(kc, ['create', 'cm', 'by-editor', '-n', 'b', ...editor])).toContain('created');
    const viewer = ['--as', '0xdef', '--as-group', 'k3sdaas:viewer', '--as-group', 'system:authenticated'];
    expect(await ok(kc, ['get', 'nodes', ...viewer])).toBeDefined();
    expect((await kubectl(kc, ['delete', 'cm', 'by-editor', '-n', 'b', ...viewer])).stderr).toContain('User "0xdef" cannot delete resource "configmaps"');
    expect(await ok(kc, ['create', 'ns', 'by-admin', '--as', '0x1', '--as-group', 'k3sdaas:admin'])).toContain('created');
  });

  it('no escalation: a namespace admin may bind what it holds, not cluster-admin', async () => {
    expect(await ok(kc, ['create', 'rolebinding', 'helper-edit', '-n', 'a', '--clusterrole=edit', '--user=helper', '--as', 'tenant'])).toContain('created');
    const up = await kubectl(kc, ['create', 'rolebinding', 'self-root', '-n', 'a', '--clusterrole=cluster-admin', '--user=tenant', '--as', 'tenant']);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain('rolebindings.rbac.authorization.k8s.io "self-root" is forbidden: user "tenant" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held');
    expect(await ok(kc, ['create', 'role', 'reader', '-n', 'a', '--verb=get', '--resource=pods', '--as', 'tenant'])).toContain('created');
    const role = await kubectl(kc, ['create', 'role', 'nodes', '-n', 'a', '--verb=get', '--resource=nodes', '--as', 'tenant']);
    expect(role.stderr).toContain('is attempting to grant RBAC permissions not currently held');
    expect(role.stderr).toContain('Resources:["nodes"]');
  });

  it('auth can-i and auth whoami answer from the same evaluator', async () => {
    const canI = async (args: string[]) => (await kubectl(kc, ['auth', 'can-i', ...args])).stdout.trim();
    expect(await canI(['create', 'pods', '-n', 'a', '--as', 'tenant'])).toBe('yes');
    expect(await canI(['create', 'pods', '-n', 'b', '--as', 'tenant'])).toBe('no');
    expect(await canI(['create', 'rolebindings', '-n', 'a', '--as', 'tenant'])).toBe('yes');
    expect(await canI(['create', 'namespaces', '--as', 'tenant'])).toBe('no');
    expect(await canI(['delete', 'nodes', '--as', 'nobody'])).toBe('no');
    expect(await canI(['*', '*'])).toBe('yes');
    const list = await ok(kc, ['auth', 'can-i', '--list', '-n', 'a', '--as', 'tenant']);
    expect(list).toMatch(/rolebindings\.rbac\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[[^\]]*\bcreate\b[^\]]*\]/);
    expect(list).not.toMatch(/^namespaces\s.*\bcreate\b/m);
    const whoami = await ok(kc, ['auth', 'whoami', '--as', 'tenant', '--as-group', 'g1', '--as-group', 'g2']);
    expect(whoami).toMatch(/Username\s+tenant/);
    expect(whoami).toMatch(/Groups\s+\[g1 g2 system:authenticated\]/);
    expect(await ok(kc, ['auth', 'whoami', '-o', 'json'])).toContain('"username": "system:admin"');
    // SubjectAccessReview: what the server answers about someone else
    const sar = JSON.parse(
      await ok(kc, ['create', '-f', '-', '-o', 'json'], JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'tenant', resourceAttributes: { namespace: 'a', verb: 'get', resource: 'secrets' } } })),
    );
    expect(sar.status).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "tenant-admin/a" of ClusterRole "admin" to User "tenant"' });
  });

  it('aggregated roles follow labelled ClusterRoles', async () => {
    await ok(kc, ['apply', '-f', '-'], [
      'apiVersion: rbac.authorization.k8s.io/v1',
      'kind: ClusterRole',
      'metadata:',
      '  name: widgets-view',
      '  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}',
      'rules:',
      '- {apiGroups: [example.com], resources: [widgets], verbs: [get, list, watch]}',
      '',
    ].join('\n'));
    for (const role of ['view', 'edit', 'admin']) {
      let rules = '';
      for (let i = 0; i < 50 && !rules.includes('widgets'); i++) {
        rules = await ok(kc, ['get', 'clusterrole', role, '-o', 'jsonpath={.rules[*].resources}']);
        if (!rules.includes('widgets')) await new Promise((r) => setTimeout(r, 50));
      }
      expect(rules).toContain('widgets');
    }
  });
});

describe('k3sdaas dev: SIGKILL and start again', () => {
  it('every object created through the chain is still there with the same resourceVersion and uid', async () => {
    const home = join(root, 'dev-home');
    const dataDir = join(root, 'dev-data');
    // a sandbox of its own data dir writes its k3sdaas-dev context there
    const env = { ...process.env, HOME: home, KUBECONFIG: join(dataDir, 'kubeconfig'), PATH: `${join(ROOT, 'bin')}:${process.env.PATH}` };
    delete (env as Record<string, unknown>).K3SDAAS_CONFIG;
    const start = () =>
      new Promise<ChildProcess>((resolve, reject) => {
        const dev = spawn(BIN, ['dev', '--json', '--data-dir', dataDir, '--rpc-port', '0', '--faucet-port', '0', '--gateway-port', '0', '--checkpoint-ms', '50'], { env, detached: true });
        let out = '';
        let err = '';
        const timer = setTimeout(() => reject(new Error(`dev not ready: ${err}`)), 60_000);
        dev.stderr!.on('data', (c) => (err += c));
        dev.stdout!.on('data', (c) => {
          out += c;
          if (out.includes('\n')) {
            clearTimeout(timer);
            resolve(dev);
          }
        });
        dev.on('exit', (code) => reject(new Error(`dev exited ${code}: ${err}`)));
      });
    const kubectlDev = (args: string[]) =>
      new Promise<Run>((resolve) => {
        const c = spawn(KUBECTL, ['--context', 'k3sdaas-dev', '--cache-dir', join(home, 'kcache'), ...args], { env });
        let stdout = '';
        let stderr = '';
        c.stdout.on('data', (d) => (stdout += d));
        c.stderr.on('data', (d) => (stderr += d));
        c.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      });
    const killGroup = async (dev: ChildProcess) => {
      const exited = new Promise((r) => dev.once('exit', r));
      try {
        process.kill(-dev.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
    };
    let dev = await start();
    try {
      const made = await kubectlDev(['create', 'cm', 'survivor', '--from-literal=k=v', '-o', 'json']);
      expect(made.code, made.stderr).toBe(0);
      const before = JSON.parse(made.stdout);
      // more kinds through the gateway: a namespace with a ConfigMap and a Deployment, a CRD and a custom resource
      const manifest = join(root, 'dev-objects.json');
      writeFileSync(manifest, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kept' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1', namespace: 'kept' }, data: { a: '1' } },
        SPROCKETS,
      ] }));
      const applied = await kubectlDev(['apply', '-f', manifest]);
      expect(applied.code, applied.stderr).toBe(0);
      const crFile = join(root, 'dev-cr.json');
      writeFileSync(crFile, JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Sprocket', metadata: { name: 's1', namespace: 'kept' }, spec: { size: 2 } }));
      expect((await kubectlDev(['apply', '-f', crFile])).stdout).toBe('sprocket.example.com/s1 created\n');
      expect((await kubectlDev(['create', 'deployment', 'd1', '-n', 'kept', '--image=busybox'])).code).toBe(0);
      const listed = async () => {
        const ns = await kubectlDev(['get', 'ns', 'kept', '-o', 'json']);
        const r = await kubectlDev(['get', 'cm,deploy,sprockets', '-n', 'kept', '-o', 'json']);
        expect(r.code, r.stderr).toBe(0);
        return ([JSON.parse(ns.stdout), ...JSON.parse(r.stdout).items] as any[]).map((o) => [o.kind, o.metadata.name, o.metadata.uid, o.kind === 'Deployment' ? '' : o.metadata.resourceVersion]);
      };
      const kept = await listed();
      expect(kept.map(([k, n]) => `${k}/${n}`)).toEqual(['Namespace/kept', 'ConfigMap/c1', 'ConfigMap/kube-root-ca.crt', 'Deployment/d1', 'Sprocket/s1']);
      await killGroup(dev);
      dev = await start();
      const got = await kubectlDev(['get', 'cm', 'survivor', '-o', 'json']);
      expect(got.code, got.stderr).toBe(0);
      const after = JSON.parse(got.stdout);
      expect([after.metadata.uid, after.metadata.resourceVersion, after.data]).toEqual([before.metadata.uid, before.metadata.resourceVersion, { k: 'v' }]);
      // the same uids and resourceVersions (a deployment's status may have moved on: uid only)
      expect(await listed()).toEqual(kept);
      // kubectl continues where it left off: the same manifest is unchanged, a new object gets a later version
      expect((await kubectlDev(['apply', '-f', crFile])).stdout).toBe('sprocket.example.com/s1 unchanged\n');
      const next = await kubectlDev(['create', 'cm', 'later', '-n', 'kept', '-o', 'jsonpath={.metadata.resourceVersion}']);
      expect(next.code, next.stderr).toBe(0);
      expect(Number(next.stdout)).toBeGreaterThan(Math.max(...kept.filter(([, , , rv]) => rv).map(([, , , rv]) => Number(rv))));
    } finally {
      await killGroup(dev);
    }
  }, 150_000);
});
