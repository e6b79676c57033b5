/** Generic CRUD over any registered resource: list/get/create/update/patch/delete/deletecollection. */
import { parse as parseYaml } from 'yaml';
import { evictPod } from './controllers/eviction.js';
import { logQuery, podLogs } from './kubelet.js';
import { applyJsonPatch, applyMergePatch, strategicMerge } from './patch.js';
import { apiVersionOf } from './registry.js';
import { json, text, type Reply } from './reply.js';
import { decodeBody, mediaType } from './request.js';
import type { ResourceRoute } from './routes.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { KubeApiError, badRequest, methodNotAllowed, notImplemented, successStatus, unsupportedMediaType } from './status.js';
import type { KubeStore } from './store.js';
import { scaleOf, withScale } from './scale.js';
import { toTable, wantsTable, type IncludeObject } from './table.js';
import { isPlainObject, type KubeObject } from './types.js';

export interface ResourceRequest {
  method: string;
  route: ResourceRoute;
  query: URLSearchParams;
  contentType?: string;
  accept?: string;
  body: Buffer;
}

function asObject(v: unknown, what: string): KubeObject {
  if (!isPlainObject(v)) throw badRequest(`${what}: the request body must be a JSON object`);
  const o = v as KubeObject;
  o.metadata = isPlainObject(o.metadata) ? o.metadata : {};
  return o;
}

function render(req: ResourceRequest, store: KubeStore, code: number, obj: KubeObject): Reply {
  if (!wantsTable(req.accept)) return json(code, obj);
  const include = (req.query.get('includeObject') ?? 'Metadata') as IncludeObject;
  return json(code, toTable(req.route.def, [obj], { resourceVersion: store.resourceVersion(), includeObject: include }));
}

function list(req: ResourceRequest, store: KubeStore): Reply {
  const { def, namespace } = req.route;
  if (req.query.get('watch') === 'true' || req.query.get('watch') === '1') {
    throw notImplemented(`watch is not supported by the k3sdaas embedded API (${def.plural}); run the command without --watch`);
  }
  let items = store.list(def, {
    namespace,
    labels: parseLabelSelector(req.query.get('labelSelector')),
    fields: parseFieldSelector(req.query.get('fieldSelector'), def.kind),
  });
  const offset = Number(req.query.get('continue') || 0) || 0;
  const limit = Number(req.query.get('limit') || 0) || 0;
  let continueToken: string | undefined;
  if (offset || limit) {
    const end = limit ? offset + limit : items.length;
    if (end < items.length) continueToken = String(end);
    items = items.slice(offset, end);
  }
  const rv = store.resourceVersion();
  if (wantsTable(req.accept)) {
    const include = (req.query.get('includeObject') ?? 'Metadata') as IncludeObject;
    return json(200, toTable(def, items, { resourceVersion: rv, includeObject: include, continueToken }));
  }
  return json(200, {
    kind: `${def.kind}List`,
    apiVersion: apiVersionOf(def),
    metadata: { resourceVersion: rv, ...(continueToken ? { continue: continueToken } : {}) },
    items,
  });
}

function patched(req: ResourceRequest, current: KubeObject, body: unknown): KubeObject {
  const type = mediaType(req.contentType);
  if (type === 'application/json-patch+json') return applyJsonPatch(current, body);
  if (type === 'application/merge-patch+json') return applyMergePatch(current, body);
  if (type === 'application/strategic-merge-patch+json') return strategicMerge(current, body) as KubeObject;
  throw unsupportedMediaType(type);
}

function dryRun(q: URLSearchParams): boolean {
  return q.getAll('dryRun').includes('All');
}

function serverSideApply(req: ResourceRequest, store: KubeStore): Reply {
  const { def, namespace, name = '' } = req.route;
  const applied = asObject(parseYaml(req.body.toString('utf8')), 'apply');
  if (applied.metadata.name && applied.metadata.name !== name) {
    throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
  }
  delete applied.metadata.resourceVersion;
  delete applied.metadata.managedFields;
  const current = store.get(def, namespace, name);
  if (!current) {
    return render(req, store, 201, store.create(def, namespace, { ...applied, metadata: { ...applied.metadata, name } }, { dryRun: dryRun(req.query) }));
  }
  const merged = strategicMerge(current, applied) as KubeObject;
  return render(req, store, 200, store.update(def, namespace, name, merged, { dryRun: dryRun(req.query) }));
}

function subresource(req: ResourceRequest, store: KubeStore): Reply {
  const { def, namespace, name = '', subresource: sub } = req.route;
  const opts = { dryRun: dryRun(req.query), subresource: sub };
  if (sub === 'log') {
    if (req.method !== 'GET') throw methodNotAllowed('log supports GET only');
    if (req.query.get('follow') === 'true') throw badRequest('log streaming (--follow) is not supported by the k3sdaas embedded API');
    const pod = store.require(def, namespace, name) as KubeObject & { spec?: { containers?: { name: string }[] } };
    const containers = pod.spec?.containers ?? [];
    const container = req.query.get('container') || containers[0]?.name || '';
    if (!containers.some((c) => c.name === container)) {
      throw badRequest(`container ${container} is not valid for pod ${name}`);
    }
    return text(200, podLogs(store, pod, container, logQuery(req.query)));
  }
  if (sub === 'eviction') {
    if (req.method !== 'POST') throw methodNotAllowed('eviction supports POST only');
    return json(201, evictPod(store, namespace ?? 'default', name, asObject(decodeBody(req.contentType, req.body), 'eviction')));
  }
  if (sub === 'exec' || sub === 'attach' || sub === 'portforward' || sub === 'binding') {
    throw notImplemented(`${sub} is not supported by the k3sdaas embedded API`);
  }
  const current = store.require(def, namespace, name);
  if (sub === 'scale') {
    if (req.method === 'GET') return json(200, scaleOf(current));
    const body = decodeBody(req.contentType, req.body);
    const scale = req.method === 'PATCH' ? patched(req, scaleOf(current), body) : asObject(body, 'scale');
    return json(200, scaleOf(store.update(def, namespace, name, withScale(current, scale), { dryRun: opts.dryRun })));
  }
  if (sub === 'finalize' && req.method === 'PUT') {
    return json(200, store.update(def, namespace, name, asObject(decodeBody(req.contentType, req.body), 'finalize'), opts));
  }
  if (req.method === 'GET') return render(req, store, 200, current);
  if (req.method === 'PUT') return json(200, store.update(def, namespace, name, asObject(decodeBody(req.contentType, req.body), sub ?? ''), opts));
  if (req.method === 'PATCH') return json(200, store.update(def, namespace, name, patched(req, current, decodeBody(req.contentType, req.body)), opts));
  throw methodNotAllowed(`${req.method} is not supported on ${def.plural}/${sub}`);
}

export function handleResource(req: ResourceRequest, store: KubeStore): Reply {
  const { def, namespace, name, subresource: sub } = req.route;
  if (sub) return subresource(req, store);
  const q = req.query;
  if (!name) {
    if (req.method === 'GET') return list(req, store);
    if (req.method === 'POST') {
      const obj = asObject(decodeBody(req.contentType, req.body), 'create');
      return render(req, store, 201, store.create(def, namespace, obj, { dryRun: dryRun(q) }));
    }
    if (req.method === 'DELETE') {
      const items = store.list(def, { namespace, labels: parseLabelSelector(q.get('labelSelector')), fields: parseFieldSelector(q.get('fieldSelector'), def.kind) });
      const deleted = items.map((o) => store.delete(def, o.metadata.namespace, o.metadata.name ?? '', { dryRun: dryRun(q) }));
      return json(200, { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: { resourceVersion: store.resourceVersion() }, items: deleted });
    }
    throw methodNotAllowed(`${req.method} is not supported on the ${def.plural} collection`);
  }
  switch (req.method) {
    case 'GET':
      if (q.get('watch') === 'true') throw notImplemented('watch is not supported by the k3sdaas embedded API');
      return render(req, store, 200, store.require(def, namespace, name));
    case 'PUT':
      return render(req, store, 200, store.update(def, namespace, name, asObject(decodeBody(req.contentType, req.body), 'update'), { dryRun: dryRun(q) }));
    case 'PATCH': {
      if (mediaType(req.contentType) === 'application/apply-patch+yaml') return serverSideApply(req, store);
      const current = store.require(def, namespace, name);
      const next = patched(req, current, decodeBody(req.contentType, req.body));
      return render(req, store, 200, store.update(def, namespace, name, next, { dryRun: dryRun(q) }));
    }
    case 'DELETE': {
      const body = decodeBody(req.contentType, req.body);
      const opts = isPlainObject(body) ? body : {};
      const policy = (q.get('propagationPolicy') ?? opts.propagationPolicy) as 'Background' | 'Foreground' | 'Orphan' | undefined;
      const grace = q.get('gracePeriodSeconds') ?? opts.gracePeriodSeconds;
      const preconditions = isPlainObject(opts.preconditions) ? opts.preconditions : {};
      const gone = store.delete(def, namespace, name, {
        dryRun: dryRun(q) || (Array.isArray(opts.dryRun) && opts.dryRun.includes('All')),
        propagationPolicy: policy,
        ...(grace !== undefined && grace !== null && grace !== '' ? { gracePeriodSeconds: Number(grace) } : {}),
        ...(typeof preconditions.uid === 'string' ? { preconditionUid: preconditions.uid } : {}),
      });
      // an object whose deletion is pending (grace period, finalizers) comes back as it now is, with 200
      if (def.kind === 'Pod' || def.kind === 'Namespace' || gone.metadata.deletionTimestamp && store.get(def, namespace, name)) return json(200, gone);
      return json(200, successStatus({ name, group: def.group || undefined, kind: def.plural }));
    }
    default:
      throw new KubeApiError(405, 'MethodNotAllowed', `${req.method} is not supported on ${def.plural}`);
  }
}
