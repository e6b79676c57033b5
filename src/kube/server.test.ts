import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGGREGATED_DISCOVERY_TYPE } from './discovery.js';
import { startKubeApi, type KubeApi } from './server.js';
import { resourceForKind } from './registry.js';

let api: KubeApi;

beforeAll(async () => {
  api = await startKubeApi({ port: 0, simulation: { podStartDelayMs: 20 } });
});
afterAll(async () => api?.close());

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(api.url + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, type: res.headers.get('content-type'), json, text };
}

const cm = (name: string, data: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

describe('non-resource endpoints', () => {
  it('version, health and url', async () => {
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const v = await call('GET', '/version?timeout=5s');
    expect(v.json).toMatchObject({ major: '1', minor: '32', gitVersion: 'v1.32.4-k3sdaas' });
    for (const p of ['/healthz', '/readyz', '/livez']) expect((await call('GET', p)).text).toBe('ok');
  });

  it('aggregated discovery only with the exact content type when asked', async () => {
    const agg = await call('GET', '/apis', undefined, { Accept: `${AGGREGATED_DISCOVERY_TYPE},application/json` });
    expect(agg.type).toBe(AGGREGATED_DISCOVERY_TYPE);
    expect(agg.json.items[0].metadata.name).toBe('apps');
    const deploy = agg.json.items[0].versions[0].resources.find((r: any) => r.resource === 'deployments');
    expect(deploy).toMatchObject({ scope: 'Namespaced', singularResource: 'deployment', shortNames: ['deploy'] });
    const legacy = await call('GET', '/apis', undefined, { Accept: 'application/json' });
    expect(legacy.json.kind).toBe('APIGroupList');
    expect((await call('GET', '/api')).json.kind).toBe('APIVersions');
    const v1 = await call('GET', '/api/v1');
    expect(v1.json.resources.map((r: any) => r.name)).toEqual(expect.arrayContaining(['pods', 'pods/log', 'namespaces']));
    expect((await call('GET', '/apis/apps')).json.preferredVersion.groupVersion).toBe('apps/v1');
    expect((await call('GET', '/apis/widgets.example.com/v1')).status).toBe(404);
  });

  it('OpenAPI v3 index and per group-version documents', async () => {
    const index = await call('GET', '/openapi/v3');
    const url = index.json.paths['apis/apps/v1'].serverRelativeURL;
    expect(url).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=/);
    const doc = await call('GET', url);
    const item = doc.json.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
    expect(item.patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(item.patch.parameters.map((p: any) => p.name)).toContain('fieldValidation');
  });

  it('unknown paths answer a NotFound Status', async () => {
    const r = await call('GET', '/apis/apps/v1/namespaces/default/widgets');
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
  });
});

describe('CRUD semantics', () => {
  it('create: 201, uid/rv/creationTimestamp; 409 AlreadyExists; generateName', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/configmaps', cm('one', { a: '1' }));
    expect(r.status).toBe(201);
    expect(r.json.metadata).toMatchObject({ name: 'one', namespace: 'default' });
    expect(r.json.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(r.json.metadata.resourceVersion)).toBeGreaterThan(0);
    const dup = await call('POST', '/api/v1/namespaces/default/configmaps', cm('one'));
    expect(dup.status).toBe(409);
    expect(dup.json.reason).toBe('AlreadyExists');
    const gen = await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { generateName: 'gen-' } });
    expect(gen.json.metadata.name).toMatch(/^gen-[0-9a-f]{5}$/);
  });

  it('namespaced creates need an existing namespace', async () => {
    const r = await call('POST', '/api/v1/namespaces/missing/configmaps', cm('x'));
    expect(r.status).toBe(404);
    expect(r.json.message).toBe('namespaces "missing" not found');
  });

  it('422 Invalid carries details.causes', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'bad' }, spec: { containers: [{ name: 'c' }] } });
    expect(r.status).toBe(422);
    expect(r.json.reason).toBe('Invalid');
    expect(r.json.details.causes[0]).toMatchObject({ field: 'spec.containers[0].image', reason: 'FieldValueInvalid' });
  });

  it('PUT with a stale resourceVersion is a 409 Conflict; current one succeeds', async () => {
    const created = (await call('POST', '/api/v1/namespaces/default/configmaps', cm('put-me', { a: '1' }))).json;
    const ok = await call('PUT', '/api/v1/namespaces/default/configmaps/put-me', { ...created, data: { a: '2' } });
    expect(ok.status).toBe(200);
    expect(Number(ok.json.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    expect(ok.json.metadata.uid).toBe(created.metadata.uid);
    const stale = await call('PUT', '/api/v1/namespaces/default/configmaps/put-me', { ...created, data: { a: '3' } });
    expect(stale.status).toBe(409);
    expect(stale.json.reason).toBe('Conflict');
  });

  it('limit and continue page through a list; selectors filter', async () => {
    for (const n of ['p1', 'p2', 'p3']) await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: n, labels: { page: 'yes' } } });
    const first = await call('GET', '/api/v1/namespaces/default/configmaps?labelSelector=page%3Dyes&limit=2');
    expect(first.json.items.map((i: any) => i.metadata.name)).toEqual(['p1', 'p2']);
    const next = await call('GET', `/api/v1/namespaces/default/configmaps?labelSelector=page%3Dyes&limit=2&continue=${first.json.metadata.continue}`);
    expect(next.json.items.map((i: any) => i.metadata.name)).toEqual(['p3']);
    expect(next.json.metadata.continue).toBeUndefined();
    const byName = await call('GET', '/api/v1/configmaps?fieldSelector=metadata.name%3Dp2');
    expect(byName.json.items).toHaveLength(1);
  });

  it('dryRun=All does not persist; deletecollection removes matches', async () => {
    const dry = await call('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', cm('dry'));
    expect(dry.status).toBe(201);
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/dry')).status).toBe(404);
    const del = await call('DELETE', '/api/v1/namespaces/default/configmaps?labelSelector=page%3Dyes');
    expect(del.json.items).toHaveLength(3);
    expect((await call('GET', '/api/v1/namespaces/default/configmaps?labelSelector=page')).json.items).toHaveLength(0);
  });

  it('server-side apply: 201 then 200; a manager owns what it applied, others keep theirs', async () => {
    const headers = { 'Content-Type': 'application/apply-patch+yaml' };
    const path = '/api/v1/namespaces/default/configmaps/ssa?fieldManager=kubectl&force=false';
    const a = await call('PATCH', path, JSON.stringify(cm('ssa', { a: '1' })), headers);
    expect(a.status).toBe(201);
    const b = await call('PATCH', path, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa}\ndata: {b: "2"}\n', headers);
    expect(b.status).toBe(200);
    expect(b.json.data).toEqual({ b: '2' });
    const other = await call('PATCH', path.replace('fieldManager=kubectl', 'fieldManager=other'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa}\ndata: {c: "3"}\n', headers);
    expect(other.json.data).toEqual({ b: '2', c: '3' });
    expect((await call('PATCH', path.replace('fieldManager=kubectl&', ''), '{}', headers)).status).toBe(400);
  });

  it('Table responses for single objects and lists', async () => {
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
    const t = await call('GET', '/api/v1/namespaces', undefined, { Accept: accept });
    expect(t.json.kind).toBe('Table');
    expect(t.json.rows.map((r: any) => r.cells[0])).toEqual(expect.arrayContaining(['default', 'kube-system', 'kube-public']));
    const one = await call('GET', '/api/v1/nodes/k3sdaas-dev', undefined, { Accept: accept });
    expect(one.json.rows).toHaveLength(1);
    expect(one.json.rows[0].object.kind).toBe('PartialObjectMetadata');
  });

  it('unsupported operations answer a Status quickly; watch streams events until timeoutSeconds', async () => {
    const w = await call('GET', '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1&timeoutSeconds=1');
    expect(w.status).toBe(200);
    const events = w.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.every((e) => ['ADDED', 'MODIFIED', 'DELETED'].includes(e.type))).toBe(true);
    expect((await call('GET', '/api/v1/namespaces/default/pods?watch=true&resourceVersion=x')).status).toBe(400);
    const media = await call('POST', '/api/v1/namespaces/default/configmaps', 'x', { 'Content-Type': 'text/csv' });
    expect(media.status).toBe(415);
  });
});

describe('simulation through the API', () => {
  it('pods become Running and emit events; deployments roll up status', async () => {
    const deploy = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'sim' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'sim' } }, template: { metadata: { labels: { app: 'sim' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } } },
    };
    expect((await call('POST', '/apis/apps/v1/namespaces/default/deployments', deploy)).status).toBe(201);
    let d: any;
    for (let i = 0; i < 100; i++) {
      d = (await call('GET', '/apis/apps/v1/namespaces/default/deployments/sim')).json;
      if (d.status?.readyReplicas === 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(d.status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2, observedGeneration: 1 });
    expect(d.status.conditions.map((c: any) => `${c.type}=${c.status}`)).toEqual(['Available=True', 'Progressing=True']);
    const pods = (await call('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dsim')).json.items;
    expect(pods).toHaveLength(2);
    expect(pods[0].metadata.ownerReferences[0].kind).toBe('ReplicaSet');
    expect(pods[0].spec.nodeName).toBe('k3sdaas-dev');
    const sel = encodeURIComponent(`involvedObject.name=${pods[0].metadata.name},involvedObject.uid=${pods[0].metadata.uid}`);
    const events = (await call('GET', `/api/v1/namespaces/default/events?fieldSelector=${sel}`)).json.items;
    expect(events.map((e: any) => e.reason)).toEqual(['Scheduled', 'Pulled', 'Created', 'Started']);
    const scale = await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/sim/scale', { spec: { replicas: 0 } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(scale.json).toMatchObject({ kind: 'Scale', spec: { replicas: 0 } });
    for (let i = 0; i < 50; i++) {
      if ((await call('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dsim')).json.items.length === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await call('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dsim')).json.items).toHaveLength(0);
  });

  it('registerNode adds a Ready node', async () => {
    api.store.registerNode('worker-1', { 'k3sdaas.io/worker': 'true' });
    const nodes = (await call('GET', '/api/v1/nodes?labelSelector=k3sdaas.io%2Fworker')).json.items;
    expect(nodes.map((n: any) => n.metadata.name)).toEqual(['worker-1']);
  });
});

describe('TLS', () => {
  it('serves https with the given certificate (test-only self-signed fixture)', async () => {
    const { readFileSync } = await import('node:fs');
    const https = await import('node:https');
    const read = (f: string) => readFileSync(new URL(`./__fixtures__/${f}`, import.meta.url), 'utf8');
    const tlsApi = await startKubeApi({ tls: { cert: read('tls-cert.pem'), key: read('tls-key.pem') }, defaultNode: null });
    try {
      expect(tlsApi.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const body = await new Promise<string>((resolve, reject) => {
        https.get(`${tlsApi.url}/version`, { ca: read('tls-cert.pem') }, (res) => {
          let s = '';
          res.on('data', (d) => (s += d));
          res.on('end', () => resolve(s));
        }).on('error', reject);
      });
      expect(JSON.parse(body).gitVersion).toBe('v1.32.4-k3sdaas');
    } finally {
      await tlsApi.close();
    }
  });
});

describe('controller errors', () => {
  it('a failed controller pass is logged with the controller it came from', async () => {
    const errors: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (msg: string, fields?: Record<string, unknown>) => void errors.push({ msg, fields }), child: () => logger };
    const own = await startKubeApi({ port: 0, defaultNode: null, logger });
    try {
      const list = own.store.list.bind(own.store);
      own.store.list = ((def, o) => {
        if (def.kind === 'ReplicaSet') throw new Error('boom');
        return list(def, o);
      }) as typeof own.store.list;
      const template = { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } };
      own.store.create(resourceForKind('Deployment'), 'default', { metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'd' } }, template } });
      for (let i = 0; i < 100 && !errors.length; i++) await new Promise((r) => setImmediate(r));
      expect(errors[0]).toMatchObject({ msg: 'controller pass failed', fields: { controller: 'deployment', error: expect.objectContaining({ message: 'boom' }) } });
    } finally {
      await own.close();
    }
  });
});
